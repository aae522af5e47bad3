"""Load: N browser sessions walk Data → When → Why → ROI while one more session trains a model.

Run::

    python bench/bench_load.py                      # N = 1, 10 and 20, printed
    python bench/bench_load.py --sessions 1,10      # only some N
    python bench/bench_load.py --write              # ... and write bench/results_load.md

Per N, a fresh ``streamlit run app.py -- --sample`` (every new workspace starts with the
bundled sample) listens on a free port of 127.0.0.1, with its own empty store (``CHURN_DB``
in a new ``/tmp/load-*`` folder, kept afterwards with the server's ``streamlit.log``).
One Chromium (Debian's, through Playwright's async API) opens one context per session,
viewport 1280×720.

* Warm-up, not counted: one context opens Data, so the server has imported everything and
  the sample's frames are in the store. The store is measured after it ("start").
* The trainer, one more context, opens Model and clicks the train button (default
  settings). Its time runs from the click until the page offers "Train again" (the model
  is trained and saved), and until the page is idle (the model's background jobs done).
* Then N visitors start at seeded random offsets within ``--spread`` seconds. Each opens
  the app's root (Data; timed from navigation start), clicks When, Why and ROI in the
  sidebar, and changes the first number on ROI (a real rerun). A page is complete when
  Streamlit's script state on the app root is ``notRunning`` after a run that started
  after the click, the title (h1) is there, no spinner, progress bar or status widget is
  left and every chart in view has drawn (``bench.bench_pages.SHOWN``).
* Errors per session: each page's ``stException`` elements, alerts mentioning "locked",
  "OperationalError" or "Traceback", and pages that did not complete within
  ``--page-timeout``; a session still going after ``--timeout`` counts one more. The
  server's log is searched for lines with "Traceback" or "OperationalError".
* Store: the SQLite file, its -wal and -shm files and the Parquet folder beside it.
  Growth per visitor = (end − start − the trained model's bytes in the store) / (N + 1):
  the trainer opened a workspace too. Server RSS: VmRSS of the streamlit process, sampled
  every half second (peak) and at the end.
* CPU: user + system seconds of the server process and of the whole machine while the
  sessions ran, so the output shows how much of the two cores the browsers took. Chromium
  runs at ``--browser-nice`` (10): in a workshop each browser is on its own laptop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import SHOWN as SHOWN_BY_STATE  # noqa: E402
from bench.bench_pages import STARTED  # noqa: E402
from tests import browser_server  # noqa: E402
from tests.browser_server import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

#: The pages a visitor walks, in order; "roi rerun" is the changed number on ROI.
STEPS = ["data", "when", "why", "roi", "roi rerun"]
TARGET_MEDIAN_S, TARGET_MAX_S, TARGET_GROWTH_BYTES = 3.0, 10.0, 1_000_000
VIEWPORT = {"width": 1280, "height": 720}
MB = 1_000_000
#: Alert texts that mean the store or the code failed under load.
BAD_WORDS = ("locked", "OperationalError", "Traceback")
LOG_WORDS = ("Traceback", "OperationalError")

#: Records every change of the script state with its time (as ``bench.bench_pages.WATCH``),
#: watching the whole document so that an app root drawn anew is still watched.
WATCH = """() => {
  window.__runs = [];
  window.__app = document.querySelector("[data-testid='stApp']");
  new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records.slice(1)) window.__runs.push([now, record.oldValue]);
    window.__runs.push([now, records.at(-1).target.getAttribute("data-test-script-state")]);
  }).observe(document.body, {
    subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"],
  });
}"""
#: ``bench.bench_pages.SHOWN`` and no grey placeholder left: under load an element's code may
#: come so late that the run is over while inputs still show as placeholders.
SHOWN = f"""() => ({SHOWN_BY_STATE})() && !document.querySelector("[data-testid^='stSkeleton']")"""
#: The time (performance.now(), ms) once the page is shown, else null.
SHOWN_AT = f"""() => ({SHOWN})() ? performance.now() : null"""
#: The text of the page's main area (inputs' values are not in it), without the "Press Enter
#: to apply" under an edited input: that goes away on the key press, before any run.
MAIN_TEXT = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  if (!main) return "";
  let text = main.innerText;
  for (const hint of main.querySelectorAll("[data-testid='InputInstructions']")) {
    text = text.replace(hint.innerText, "");
  }
  return text;
}"""
#: The time once the page ``path`` is shown after a run that came after ``t0``, else null. A
#: run is seen as a change of the script state after ``t0`` or, since a busy browser may take
#: in "started" and "finished" at once (the state never changes in the page), as main text
#: other than ``before``: new text can only come from a run, and the page is shown only
#: once its state is ``notRunning``.
DONE_AT = f"""([t0, path, before]) => location.pathname.endsWith(path) && ({SHOWN})()
  && (({STARTED})(t0) || ({MAIN_TEXT})() !== before) ? performance.now() : null"""
#: The number of elements that say something went wrong.
ERRORS = """(words) => document.querySelectorAll("[data-testid='stException']").length
  + [...document.querySelectorAll("[data-testid='stAlert']")]
      .filter((alert) => words.some((word) => alert.innerText.includes(word))).length"""
#: What the page is doing, for a step that did not complete.
DOING = """() => ({
  state: document.querySelector("[data-testid='stApp']")?.getAttribute("data-test-script-state"),
  t0: Math.round(window.__t0 || 0),
  runs: (window.__runs || []).slice(-10).map(([t, s]) => `${Math.round(t)} ${s}`),
  exceptions: [...document.querySelectorAll("[data-testid='stException']")].map((e) => e.innerText.slice(0, 200)),
  skeletons: document.querySelectorAll("[data-testid^='stSkeleton']").length,
  busy: [...document.querySelectorAll("[data-testid='stStatusWidget'], [data-testid='stSpinner'], [data-testid='stProgress']")]
    .map((e) => e.getAttribute("data-testid") + ": " + e.innerText.slice(0, 60)),
  title: document.querySelector("[data-testid='stMain'] h1")?.innerText,
  charts: [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
    .map((c) => `${c.checkVisibility() ? "visible" : "hidden"} ${c.querySelector("canvas, svg") ? "drawn" : "empty"}`),
  path: location.pathname,
  same_root: window.__app === document.querySelector("[data-testid='stApp']"),
})"""
#: The time once the Model page offers to train again (the model is saved), else null.
TRAINED_AT = """() => [...document.querySelectorAll("[data-testid='stBaseButton-primary']")]
  .some((button) => button.innerText.includes("Train again")) ? performance.now() : null"""


@dataclass
class Session:
    """What one browser session saw: seconds per step (None: not completed) and errors.

    ``shots``: where a screenshot of a step that failed goes (``<shots>-<step>.png``).
    """

    shots: Path
    seconds: dict[str, float | None] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def failed(self, step: str) -> None:
        self.seconds[step] = None
        self.errors[step] = self.errors.get(step, 0) + 1


@dataclass
class Training:
    """The trainer's times from the click: until the model is saved, until the page is idle."""

    trained_s: float | None = None
    idle_s: float | None = None
    errors: int = 0


@dataclass
class Run:
    """Everything measured for one N."""

    n: int
    visitors: list[Session]
    training: Training
    store_start: int
    store_end: int
    model_bytes: int
    rss_peak: int
    rss_end: int
    log_errors: int
    folder: Path
    #: CPU seconds while the trainer and visitors ran: the server process, and the machine in all
    server_cpu: float = 0.0
    machine_cpu: float = 0.0
    wall: float = 0.0

    @property
    def growth_per_visitor(self) -> float:
        return (self.store_end - self.store_start - self.model_bytes) / (self.n + 1)


# ---------------------------------------------------------------- server


@contextmanager
def running_server(folder: Path, timeout: float = 60) -> Iterator[tuple[subprocess.Popen, str]]:
    """``streamlit run app.py -- --sample`` with its own store in ``folder``: (process, url)."""
    with browser_server.running_server(folder / "workspaces.db", timeout, ("--sample",)) as running:
        yield running


def rss_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` (VmRSS), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (all its threads), or by the whole machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    if pid is None:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _wait, irq, softirq = (int(v) for v in fields[:7])
        return (user + nice + system + irq + softirq) / ticks
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / ticks


def store_bytes(database: Path) -> int:
    """Bytes of the store: the SQLite file, its -wal and -shm files and the frames folder beside it."""
    from churn.workspace.frames import folder_beside

    files = [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]
    folder = folder_beside(database)
    if folder.is_dir():
        files += [path for path in folder.rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files if path.exists())


def model_bytes(database: Path) -> int:
    """Bytes of the trained models kept in the store (their blobs)."""
    if not database.exists():
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT coalesce(sum(length(model)), 0) FROM models").fetchone()[0]


def log_error_lines(log: Path) -> int:
    return sum(
        any(word in line for word in LOG_WORDS) for line in log.read_text(errors="replace").splitlines()
    )


# ---------------------------------------------------------------- sessions


async def _wait_time(page, script: str, arg, timeout_s: float) -> float:
    """performance.now() in seconds once ``script`` returns a time."""
    handle = await page.wait_for_function(script, arg=arg, timeout=timeout_s * 1000, polling=50)
    return await handle.json_value() / 1000


async def _first_visit(page, url: str, timeout_s: float) -> float:
    """Open ``url`` in ``page`` until it is shown; seconds from navigation start."""
    await page.goto(url, timeout=timeout_s * 1000)
    shown = await _wait_time(page, SHOWN_AT, None, timeout_s)
    await page.evaluate(WATCH)
    return shown


async def _timed(page, action, path: str, timeout_s: float) -> float:
    """Seconds from ``action`` until a run started after it is over on ``path``."""
    before = await page.evaluate(MAIN_TEXT)
    started = await page.evaluate("() => (window.__t0 = performance.now())")
    await action()
    return await _wait_time(page, DONE_AT, [started, path, before], timeout_s) - started / 1000


async def _change_number(page, timeout_s: float) -> float:
    """Add 10 to the first number input (ROI's active customers); seconds of the rerun."""
    box = page.locator("[data-testid='stNumberInput'] input").first
    await box.fill(str(int(float(await box.input_value())) + 10))
    return await _timed(page, lambda: box.press("Enter"), "/roi", timeout_s)


async def _step(session: Session, step: str, page, measure) -> bool:
    """Time one step (the coroutine ``measure``) into ``session``, count the page's errors; False if it failed."""
    try:
        session.seconds[step] = await measure
        shown = await page.evaluate(ERRORS, list(BAD_WORDS))
    except Exception as error:  # a timeout or a closed page: the step failed, the others still count
        print(
            f"  {session.shots.name} {step}: {type(error).__name__}: {str(error).splitlines()[0]}", flush=True
        )
        session.failed(step)
        await _show_stuck(page, session.shots.with_name(f"{session.shots.name}-{step}.png"))
        return False
    session.errors[step] = session.errors.get(step, 0) + shown
    return True


async def _show_stuck(page, shot: Path) -> None:
    """Print what a page that did not complete was doing and keep a screenshot of it."""
    try:
        print(f"    doing: {await page.evaluate(DOING)}; see {shot}", flush=True)
        await page.screenshot(path=str(shot))
    except Exception as error:  # the page may be gone
        print(f"    (no more to see: {type(error).__name__})", flush=True)


async def visitor(browser, url: str, delay: float, session: Session, timeout_s: float) -> None:
    """Data → When → Why → ROI and one changed number on ROI, timed into ``session``."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        if not await _step(session, "data", page, _first_visit(page, url, timeout_s)):
            return
        for name in ("when", "why", "roi"):
            link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{name}']").first
            if not await _step(session, name, page, _timed(page, link.click, f"/{name}", timeout_s)):
                return
        await _step(session, "roi rerun", page, _change_number(page, timeout_s))
    finally:
        await context.close()


async def trainer(
    browser, url: str, clicked: asyncio.Event, training: Training, args: argparse.Namespace, shot: Path
) -> None:
    """Open Model, click the train button, wait until the model is saved and the page is idle."""
    page_timeout_s, timeout_s = args.page_timeout, args.train_timeout
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    try:
        await _first_visit(page, f"{url}/model", page_timeout_s)
        button = page.locator("[data-testid='stBaseButton-primary']", has_text="Train model").first
        started = await page.evaluate("() => performance.now()")
        await button.click(timeout=page_timeout_s * 1000)
        clicked.set()
        training.trained_s = await _wait_time(page, TRAINED_AT, None, timeout_s) - started / 1000
        training.idle_s = await _wait_time(page, SHOWN_AT, None, timeout_s) - started / 1000
        training.errors += await page.evaluate(ERRORS, list(BAD_WORDS))
    except Exception as error:  # report what there is; the visitors' results still count
        print(f"  trainer: {type(error).__name__}: {str(error).splitlines()[0]}", flush=True)
        training.errors += 1
        await _show_stuck(page, shot)
    finally:
        clicked.set()  # the visitors start even when the trainer could not
        await context.close()


def _browser_command(folder: Path, nice: int) -> Path:
    """Chromium, started at ``nice`` (a wrapper script in ``folder``; plain Chromium for 0).

    In a workshop every browser runs on its own laptop; here twenty of them share the
    server's two cores. A lower priority for the browsers lets the server answer first,
    as it would with the browsers elsewhere; the pages still render on what is left.
    """
    if nice == 0:
        return Path(CHROMIUM)
    wrapper = folder / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {int(nice)} {shlex.quote(CHROMIUM)} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


async def _sample_rss(pid: int, peak: list[int]) -> None:
    while True:
        peak[0] = max(peak[0], rss_bytes(pid))
        await asyncio.sleep(0.5)


async def drive(url: str, pid: int, n: int, folder: Path, args: argparse.Namespace, warmed) -> tuple:
    """Warm up, then the trainer and ``n`` visitors; (visitors, training, RSS peak, CPU used)."""
    from playwright.async_api import async_playwright

    offsets = sorted(random.Random(args.seed).uniform(0, args.spread) for _ in range(n))
    visitors = [Session(folder / f"visitor{i + 1}") for i in range(n)]
    training, peak = Training(), [0]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(_browser_command(folder, args.browser_nice)),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context = await browser.new_context(viewport=VIEWPORT)
        await _first_visit(await context.new_page(), url, args.page_timeout)
        await context.close()
        warmed()
        cpu = (cpu_seconds(pid), cpu_seconds(), time.monotonic())
        sampler = asyncio.create_task(_sample_rss(pid, peak))
        clicked = asyncio.Event()
        tasks = [asyncio.create_task(trainer(browser, url, clicked, training, args, folder / "trainer.png"))]
        await clicked.wait()
        tasks += [
            asyncio.create_task(visitor(browser, url, delay, session, args.page_timeout))
            for delay, session in zip(offsets, visitors, strict=True)
        ]
        done, pending = await asyncio.wait(tasks, timeout=args.timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        unfinished = [session for session, task in zip(visitors, tasks[1:], strict=True) if task in pending]
        for session in unfinished:
            session.errors["unfinished"] = 1
        if tasks[0] in pending:
            training.errors += 1
        sampler.cancel()
        used = (cpu_seconds(pid) - cpu[0], cpu_seconds() - cpu[1], time.monotonic() - cpu[2])
        await browser.close()
    return visitors, training, max(peak[0], rss_bytes(pid)), used


def run_n(n: int, args: argparse.Namespace) -> Run:
    """One fresh server and store for ``n`` visitors and one trainer."""
    folder = Path(tempfile.mkdtemp(prefix=f"load-n{n}-", dir="/tmp"))
    database = folder / "workspaces.db"
    print(f"N = {n}: store and log in {folder}", flush=True)
    start = [0]
    with running_server(folder) as (process, url):
        visitors, training, peak, used = asyncio.run(
            drive(url, process.pid, n, folder, args, lambda: start.__setitem__(0, store_bytes(database)))
        )
        rss_end = rss_bytes(process.pid)
    return Run(
        n, visitors, training, start[0], store_bytes(database), model_bytes(database),
        peak, rss_end, log_error_lines(folder / "streamlit.log"), folder, *used,
    )  # fmt: skip


# ---------------------------------------------------------------- results


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _mb(value: float) -> str:
    return f"{value / MB:.2f} MB"


def step_row(run: Run, step: str) -> str:
    times = [s.seconds[step] for s in run.visitors if s.seconds.get(step) is not None]
    errors = sum(s.errors.get(step, 0) for s in run.visitors)
    median = statistics.median(times) if times else None
    most = max(times) if times else None
    missing = len(run.visitors) - len(times)
    note = f" ({missing} not completed)" if missing else ""
    return f"| {run.n} | {step} | {_seconds(median)} | {_seconds(most)} | {errors}{note} |"


def _verdict(run: Run) -> str:
    """The issue's targets against this run (only meant for N = 20, shown for every N)."""
    done = [t for s in run.visitors for t in s.seconds.values() if t is not None]
    errors = sum(sum(s.errors.values()) for s in run.visitors) + run.training.errors + run.log_errors
    median, most = (statistics.median(done), max(done)) if done else (None, None)
    met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    return (
        f"no error: {met(errors == 0)} ({errors}); median ≤ {TARGET_MEDIAN_S:.0f} s: "
        f"{met(median is not None and median <= TARGET_MEDIAN_S)} ({_seconds(median)} s); max ≤ "
        f"{TARGET_MAX_S:.0f} s: {met(most is not None and most <= TARGET_MAX_S)} ({_seconds(most)} s); "
        f"growth < 1 MB per visitor: {met(run.growth_per_visitor < TARGET_GROWTH_BYTES)} "
        f"({_mb(run.growth_per_visitor)})"
    )


def report(runs: list[Run]) -> list[str]:
    lines = ["| N | page | median s | max s | errors |", "|---:|---|---:|---:|---:|"]
    lines += [step_row(run, step) for run in runs for step in STEPS]
    lines.append("")
    for run in runs:
        training = run.training
        lines += [
            f"**N = {run.n}** (store and `streamlit.log` in `{run.folder}`)",
            "",
            f"- store: {_mb(run.store_start)} at the start, {_mb(run.store_end)} at the end; the model "
            f"{_mb(run.model_bytes)}; growth per visitor {_mb(run.growth_per_visitor)}",
            f"- server RSS: peak {_mb(run.rss_peak)}, at the end {_mb(run.rss_end)}",
            f"- CPU while the sessions ran ({run.wall:.0f} s, {os.cpu_count()} cores = "
            f"{run.wall * (os.cpu_count() or 1):.0f} core-seconds): server {run.server_cpu:.0f} s "
            f"({run.server_cpu / (run.n + 1):.1f} s per session, training included), everything else "
            f"(Chromium, this script) {run.machine_cpu - run.server_cpu:.0f} s",
            f"- training: model saved after {_seconds(training.trained_s)} s, page idle after "
            f"{_seconds(training.idle_s)} s, errors {training.errors}",
            f"- server log lines with {' or '.join(LOG_WORDS)}: {run.log_errors}; sessions still "
            f"going at the time limit: {sum('unfinished' in s.errors for s in run.visitors)}",
            f"- targets: {_verdict(run)}",
            "",
        ]
    return lines


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def header(args: argparse.Namespace, load_before: str) -> list[str]:
    command = shlex.join(["python", "bench/bench_load.py", *sys.argv[1:]])
    return [
        "# Load: N sessions and one training",
        "",
        f"`{command}` on {platform.machine()}, {os.cpu_count()} cores (nproc), Python "
        f"{platform.python_version()}; load average (1 / 5 / 15 min) {load_before} before, {_load()} after.",
        "",
        "Per N a fresh `streamlit run app.py -- --sample` on 127.0.0.1 with an empty store; one warm-up "
        "visit of Data (not counted), then one session trains on Model (default settings) while N "
        f"visitors, started at seeded offsets within {args.spread:.0f} s, each open Data (timed from "
        "navigation start), click When, Why and ROI in the sidebar and change one number on ROI "
        "(timed from the click or key until the page is idle: script state `notRunning`, title there, "
        "no spinner, progress bar or status widget, charts drawn). Errors: exceptions and alerts "
        f"mentioning {', '.join(BAD_WORDS)} on the page, pages over {args.page_timeout:.0f} s. Store = "
        "SQLite file, -wal, -shm and the Parquet folder, measured after the warm-up and at the end; "
        "growth per visitor = (end − start − model) / (N + 1), the trainer's workspace included. RSS = "
        "VmRSS of the server process. All browsers are one Debian Chromium on this same machine, "
        f"started at nice {args.browser_nice} (in a workshop each runs on its own laptop; here they "
        "share the server's cores, and a lower priority lets the server answer first). CPU = user + "
        "system seconds of the server process and of the whole machine while the sessions ran.",
        "",
        f"Targets (N = 20): no error or exception in any session, median page ≤ {TARGET_MEDIAN_S:.0f} s, "
        f"max ≤ {TARGET_MAX_S:.0f} s, store growth < 1 MB per visitor who only looks.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--sessions", default="1,10,20", help="comma-separated N (default 1,10,20)")
    parser.add_argument("--spread", type=float, default=5.0, help="visitors start within this many s")
    parser.add_argument("--page-timeout", type=float, default=60.0, help="seconds one page may take")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one N may take in all")
    parser.add_argument(
        "--train-timeout", type=float, default=300.0, help="seconds the training may take (default 300)"
    )
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=10,
        help="nice level of Chromium (default 10; 0: same as the server)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the visitors' start offsets")
    parser.add_argument("--write", action="store_true", help="also write bench/results_load.md")
    args = parser.parse_args()
    sessions = [int(n) for n in args.sessions.split(",")]
    if not all(1 <= n <= 50 for n in sessions):
        parser.error("--sessions: each N must be between 1 and 50")

    load_before = _load()
    runs = [run_n(n, args) for n in sessions]
    text = "\n".join([*header(args, load_before), *report(runs)])
    print(text)
    if args.write:
        out = ROOT / "bench" / "results_load.md"
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
