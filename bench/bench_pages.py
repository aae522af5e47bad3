"""Page speed: first visit and rerun of every page, as script time (AppTest) and in Chromium.

Run::

    python bench/bench_pages.py                                  # AppTest on the sample
    python bench/bench_pages.py --browser                        # ... and in Chromium
    python bench/bench_pages.py --browser --customers 100000     # both, on 100 k generated customers
    python bench/bench_pages.py --browser --no-apptest --customers 100000 --db /tmp/big/pages.db
    python bench/bench_pages.py --browser --customers 100000 --generated /tmp/big/c100k  # an export made before

Each run replaces its own section of ``bench/results_pages.md`` (sample or N customers,
AppTest or browser) and keeps the others.

The data. The sample, or ``python -m churn sample --customers N`` written once into
``--data-dir`` (or read from ``--generated``, a folder that command wrote before). 100 k
customers are ~8 M events and 300 MB: too big for the browser upload, so the dataset is
saved into a workspace store with :mod:`churn.workspace.store` and the app is opened with
the workspace token in the URL. A model is trained once beforehand, as a user would on
the Model page, and saved in the workspace. ``--db`` keeps that workspace between runs
(the dataset and model are made only once per size).

What is timed.

* AppTest (``streamlit.testing``, one process, script time only: the work a user waits
  for, without browser or network). *First visit* in a fresh session: the first visit of a
  page in this process computes and caches; a page that shows a progress bar (scores and
  SHAP values are computed once per model in a background job) is rerun as its progress
  fragment would, until the bar is gone. *Warm* is a second fresh session. *Rerun* is the
  median and max of ``--reruns`` full reruns (``at.run()``).
* Browser (Playwright driving Debian's Chromium against ``streamlit run app.py`` on a free
  port). A page counts as shown when Streamlit's own script state on the app root
  (``data-test-script-state``) is ``notRunning``, the page's title (h1) is there, no
  spinner, progress bar or status widget is left, and every Vega chart in view (not in a
  closed tab) has drawn its canvas or svg. A warm-up opens Data (the dataset into the
  server's cache) and Explain until the model's background jobs are done. *First visit*:
  a new browser context opens ``/<page>?ws=<token>``; time from navigation start.
  *From the sidebar*: a click on the page's link in an open app. *Rerun*: the "r" key
  (Streamlit's rerun shortcut); time from the key press until the script state went to
  ``running`` and the page is shown again.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["data", "when", "why", "model", "explain", "roi", "report"]
#: Pages drawing from the scores and SHAP values computed in the background.
SCORED_PAGES = ("model", "explain")
TARGET_RERUN_SCRIPT_MS, TARGET_RERUN_BROWSER_MS, TARGET_EXPLAIN_FIRST_S = 300, 1000, 2.0
#: Bigger than any local file the bench makes: the bench reads its own data, no upload limit applies.
NO_LIMIT = 2**40

#: True once the page is shown (see the module docstring).
SHOWN = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const busy = "[data-testid='stStatusWidget'], [data-testid='stSpinner'], [data-testid='stProgress']";
  if (document.querySelector(busy)) return false;
  if (!document.querySelector("[data-testid='stMain'] h1")) return false;
  for (const chart of document.querySelectorAll("[data-testid='stVegaLiteChart']")) {
    // charts in a tab that is not open are drawn only when it opens
    if (chart.checkVisibility() && !chart.querySelector("canvas, svg")) return false;
  }
  return true;
}"""
#: Records every change of the script state with its time, to tell a new run from the last one.
WATCH = """() => {
  window.__runs = [];
  const app = document.querySelector("[data-testid='stApp']");
  // one call may carry several changes: keep the states in between (old values) and the last
  new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records.slice(1)) window.__runs.push([now, record.oldValue]);
    window.__runs.push([now, app.getAttribute("data-test-script-state")]);
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
}"""
#: True once the script started a run after ``t0`` (a rerun was asked for or is running).
STARTED = """(t0) => window.__runs.some(([t, s]) => t >= t0 && s !== "notRunning")"""
#: True once a run started after ``t0`` is over and the page is shown. The observer sees a
#: batch of changes at once, so a quick run may show as ``rerunRequested`` then ``notRunning``.
RERUN_DONE = f"""(t0) => ({STARTED})(t0) && ({SHOWN})()"""


@dataclass(frozen=True)
class Workspace:
    """The prepared workspace: where it is, the dataset in it, and how it was made."""

    db: Path
    token: str
    dataset_id: int
    label: str
    customers: int
    events: int
    note: str


# ---------------------------------------------------------------- data and model


def _generated(customers: int, folder: Path) -> tuple[Path, Path]:
    """``customers.csv`` and ``events.csv`` of ``python -m churn sample --customers N`` (made once)."""
    paths = folder / "customers.csv", folder / "events.csv"
    if not all(p.exists() for p in paths):
        command = [
            sys.executable,
            "-m",
            "churn",
            "sample",
            "--customers",
            str(customers),
            "--out",
            str(folder),
        ]
        print("generating:", " ".join(command[1:]), flush=True)
        subprocess.run(command, cwd=ROOT, check=True)
    return paths


def _dataset(customers: int | None, data_dir: Path, generated: Path | None = None):
    """The sample, or N generated customers read with the intake (no upload limit: a local file).

    ``generated``: a folder already holding ``python -m churn sample --customers N``'s
    ``customers.csv`` and ``events.csv``, used instead of generating them into ``data_dir``.
    """
    from churn.ingest.intake import build_dataset, guess_roles, load_sample, read_table

    if not customers:
        return load_sample(), "sample"
    customers_csv, events_csv = _generated(customers, generated or data_dir / f"s{customers}")
    table, events = read_table(customers_csv, max_bytes=NO_LIMIT), read_table(events_csv, max_bytes=NO_LIMIT)
    return build_dataset(
        table, events, guess_roles(table, events), name=f"sample {customers:,}"
    ), f"s{customers}"


def prepare(
    customers: int | None, data_dir: Path, db: Path | None, speed: str, generated: Path | None = None
) -> Workspace:
    """A workspace holding the dataset and a trained model; reused from ``db`` when it has them."""
    db = db or Path(tempfile.mkdtemp()) / "bench.db"
    os.environ["CHURN_DB"] = str(db)
    from churn.model.churn_model import SPEEDS, ChurnModel
    from churn.model.persistence import model_record
    from churn.workspace import store

    label = f"{customers:,} customers" if customers else "sample"
    sidecar = db.with_suffix(".json")
    made = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    key = f"s{customers}" if customers else "sample"
    if key in made and store.workspace_exists(made[key]["token"]):
        info = made[key]
        print(f"reusing {label} in {db}", flush=True)
        return Workspace(
            db, info["token"], info["dataset_id"], label, info["customers"], info["events"], info["note"]
        )
    started = time.perf_counter()
    dataset, _ = _dataset(customers, data_dir, generated)
    read_seconds = time.perf_counter() - started
    token = store.create_workspace()
    started = time.perf_counter()
    dataset_id = store.save_dataset(token, dataset)
    save_seconds = time.perf_counter() - started
    store.update_settings(token, dataset_id=dataset_id, lang="en")
    started = time.perf_counter()
    model = ChurnModel(iterations=SPEEDS[speed]).fit(dataset)
    train_seconds = time.perf_counter() - started
    record = model_record(model)
    store.save_model(
        token, dataset_id, record["model_bytes"], record["settings"], record["metrics"], record["features"]
    )
    events = len(dataset.events) if dataset.events is not None else 0
    note = (
        f"read {read_seconds:.0f} s, saved into the store in {save_seconds:.0f} s; "
        f"model ({speed}: {SPEEDS[speed]} trees) trained once beforehand in {train_seconds:.0f} s"
    )
    made[key] = {
        "token": token, "dataset_id": dataset_id, "customers": len(dataset.customers), "events": events, "note": note
    }  # fmt: skip
    sidecar.write_text(json.dumps(made, indent=2))
    print(f"{label}: {note}", flush=True)
    return Workspace(db, token, dataset_id, label, len(dataset.customers), events, note)


# ---------------------------------------------------------------- AppTest


def _active_jobs():
    from churn.workspace import jobs

    return [job for job in jobs.RUNNER.jobs() if job.active]


def _jobs_done() -> None:
    """Wait for every background job, e.g. the reasons the Model page starts once its scores are in.

    A job computes in this process, so reruns timed while one runs would measure it too.
    """
    from churn.workspace import jobs

    for job in _active_jobs():
        jobs.RUNNER.wait(job.id, timeout=3600)


def _shown(at) -> None:
    """Run until the page has no progress bar, as its progress fragment would rerun it."""
    from churn.workspace import jobs

    at.run()
    while at.get("progress") and _active_jobs():
        for job in _active_jobs():
            jobs.RUNNER.wait(job.id, timeout=3600)
        at.run()
    if at.exception:
        raise SystemExit(f"{at.exception}")


def _session(ws: Workspace, page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
    at.session_state["ws"] = ws.token
    at.session_state["lang"] = "en"
    at.session_state["dataset_id"] = ws.dataset_id
    at.switch_page(f"pages/{page}.py")
    return at


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _what_if_moves(at, moves: int) -> list[float]:
    """Move one what-if slider of the riskiest customer back and forth; time each answer."""
    customer = at.selectbox(key="explain_customer").value
    key = next(s.key for s in at.slider if s.key.startswith(f"whatif_{customer}_"))
    times = []
    for i in range(moves + 1):
        slider = next(s for s in at.slider if s.key == key)
        times.append(_timed(lambda s=slider, i=i: s.set_value(s.max if i % 2 == 0 else s.min).run()))
    return times[1:]


def _customer_switches(at, moves: int) -> list[float]:
    """Pick the next customers in the risk list one after the other; time each answer."""
    return [
        _timed(lambda i=i: at.selectbox(key="explain_customer").select_index(i + 1).run())
        for i in range(moves)
    ]


def apptest_rows(ws: Workspace, reruns: int) -> list[tuple]:
    """(page, first s, warm first s, rerun median s, rerun max s) per page, plus Explain's fragments."""
    rows = []
    for page in PAGES:
        at = _session(ws, page)
        first = _timed(lambda at=at: _shown(at))
        _jobs_done()
        times = [_timed(at.run) for _ in range(reruns)]
        warm_at = _session(ws, page)
        warm = _timed(lambda warm_at=warm_at: _shown(warm_at))
        rows.append((page, first, warm, statistics.median(times), max(times)))
        print(f"apptest {page:8s} first {first:7.2f} s  warm {warm:6.2f} s  rerun median "
              f"{statistics.median(times) * 1000:6.0f} ms  max {max(times) * 1000:6.0f} ms", flush=True)  # fmt: skip
        if page == "explain":
            for name, moves in (
                ("pick another customer", _customer_switches),
                ("what-if slider", _what_if_moves),
            ):
                times = moves(at, reruns)
                rows.append((f"explain: {name} (fragment)", None, None, statistics.median(times), max(times)))
    return rows


# ---------------------------------------------------------------- browser


def _page_url(url: str, page: str, ws: Workspace) -> str:
    return f"{url}/{'' if page == 'data' else page}?ws={ws.token}&lang=en"


def _press_rerun(page, timeout_ms: float, tries: int = 5) -> float:
    """Press "r" once the page is shown; the time of the press that started a run.

    Streamlit ignores the key while a run is still going (a fragment's tick, a query
    parameter the page just wrote), so a press that started nothing within two seconds
    is made again.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        page.wait_for_function(SHOWN, timeout=timeout_ms, polling=20)
        page.wait_for_timeout(200)
        started = page.evaluate("() => performance.now()")
        page.keyboard.press("r")
        try:
            page.wait_for_function(STARTED, arg=started, timeout=2000, polling=20)
            return started
        except PlaywrightTimeout:
            continue
    raise SystemExit(f"{page.url}: {tries} presses of 'r' started no rerun")


def _browser_visit(browser, url: str, timeout_ms: float, reruns: int) -> tuple[float, list[float]]:
    """Open ``url`` in a new context: (seconds until shown, rerun seconds)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(SHOWN, timeout=timeout_ms, polling=50)
        first = page.evaluate("() => performance.now()") / 1000
        page.evaluate(WATCH)
        times = []
        for _ in range(reruns):
            started = _press_rerun(page, timeout_ms)
            try:
                page.wait_for_function(RERUN_DONE, arg=started, timeout=timeout_ms, polling=20)
            except Exception:  # say what the page was doing, then let the caller note the timeout
                shot = Path(tempfile.gettempdir()) / "bench_pages_stuck.png"
                page.screenshot(path=str(shot))
                runs = page.evaluate("() => window.__runs.slice(-6)")
                print(
                    f"{url}: stuck after a rerun at {started:.0f} ms; states {runs}; see {shot}", flush=True
                )
                raise
            times.append((page.evaluate("() => performance.now()") - started) / 1000)
        if page.locator("[data-testid='stException']").count():
            raise SystemExit(f"{url}: the page shows an exception")
        return first, times
    finally:
        context.close()


def _explain_ready(browser, url: str, timeout_ms: float) -> float:
    """Seconds until Explain shows its action list: scores, SHAP values and reasons are all made.

    The action list's tab is opened and waited for, since a closed tab's progress bar may
    not be in the page yet.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(
            "() => document.querySelectorAll(\"[data-testid='stMain'] [role='tab']\").length >= 3",
            timeout=timeout_ms,
            polling=100,
        )
        page.locator("[data-testid='stMain'] [role='tab']").nth(2).click()
        page.wait_for_function(
            f"""() => ({SHOWN})() && [...document.querySelectorAll("[data-testid='stDataFrame']")]
                .some((frame) => frame.checkVisibility())""",
            timeout=timeout_ms,
            polling=100,
        )
        return page.evaluate("() => performance.now()") / 1000
    finally:
        context.close()


def _sidebar_visit(browser, url: str, page_name: str, timeout_ms: float) -> float:
    """Seconds from a click on ``page_name`` in the sidebar (from the Data page) until it is shown."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(SHOWN, timeout=timeout_ms, polling=50)
        page.evaluate(WATCH)
        path = "/" + ("" if page_name == "data" else page_name)
        link = page.locator(f"[data-testid='stSidebarNavLink'][href$='{path}']").first
        page.wait_for_timeout(200)
        started = page.evaluate("() => performance.now()")
        link.click()
        page.wait_for_function(
            f"""([t0, path]) => location.pathname.endsWith(path) && ({RERUN_DONE})(t0)""",
            arg=[started, path],
            timeout=timeout_ms,
            polling=20,
        )
        return (page.evaluate("() => performance.now()") - started) / 1000
    finally:
        context.close()


def browser_rows(ws: Workspace, reruns: int, timeout_s: float) -> tuple[list[tuple], float, float]:
    """Rows of :func:`_table` per page in Chromium; the warm-up s and the background jobs' s.

    The warm-up opens the Data page (the dataset goes into the server's cache) and then
    Explain until nothing is left to compute (scores, SHAP values and reason sentences of
    every active customer, made once per model in background jobs), so the pages are
    timed as a user meets them once the model's results are there.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from tests.browser_server import CHROMIUM, CHROMIUM_ARGS, running_app

    rows, timeout_ms = [], timeout_s * 1000
    with running_app(ws.db, timeout=120) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        warm_up, _ = _browser_visit(browser, _page_url(url, "data", ws), timeout_ms, 0)
        print(f"browser warm-up (dataset into the server's cache) {warm_up:.1f} s", flush=True)
        jobs_s = _explain_ready(browser, _page_url(url, "explain", ws), timeout_ms)
        print(f"browser background jobs (scores, SHAP values, reasons) {jobs_s:.1f} s", flush=True)
        for page in PAGES:
            try:
                first, times = _browser_visit(browser, _page_url(url, page, ws), timeout_ms, reruns)
                warm, _ = _browser_visit(browser, _page_url(url, page, ws), timeout_ms, 0)
                nav = _sidebar_visit(browser, _page_url(url, "data", ws), page, timeout_ms)
            except PlaywrightTimeout as error:  # one stuck page must not lose the others' rows
                print(f"browser {page:8s} timed out: {str(error).splitlines()[0]}", flush=True)
                rows.append((page, None, None, None, None, None))
                continue
            rows.append((page, first, warm, statistics.median(times), max(times), nav))
            print(f"browser {page:8s} first {first:7.2f} s  warm {warm:6.2f} s  sidebar {nav:6.2f} s  rerun "
                  f"median {statistics.median(times) * 1000:6.0f} ms  max {max(times) * 1000:6.0f} ms", flush=True)  # fmt: skip
        browser.close()
    return rows, warm_up, jobs_s


# ---------------------------------------------------------------- results


def _table(rows: list[tuple], rerun_target_ms: float) -> list[str]:
    """Rows are (page, first s, warm s, rerun median s, rerun max s[, from the sidebar s])."""

    def seconds(value):
        return "–" if value is None else f"{value:.2f}"

    sidebar = any(len(row) > 5 for row in rows)
    lines = [
        "| page | first visit s | first visit, warm s |"
        + (" from the sidebar s |" if sidebar else "")
        + " rerun median ms | rerun max ms | rerun ≤ target |",
        "|---|---:|---:|" + ("---:|" if sidebar else "") + "---:|---:|:---:|",
    ]
    for page, first, warm, median, most, *nav in rows:
        middle = f" {seconds(nav[0] if nav else None)} |" if sidebar else ""
        if median is None:
            lines.append(f"| {page} | **timed out** | – |{middle} – | – | **no** |")
            continue
        ok = "yes" if median * 1000 <= rerun_target_ms else "**no**"
        lines.append(
            f"| {page} | {seconds(first)} | {seconds(warm)} |{middle} {median * 1000:.0f} | {most * 1000:.0f} | {ok} |"
        )
    return lines


def _explain_verdict(rows: list[tuple]) -> str:
    """The Explain first-visit target, on the warm visit (and the sidebar click, in the browser)."""
    row = next(r for r in rows if r[0] == "explain")
    if row[2] is None:
        return "Explain first visit once SHAP is cached: not measured (the page timed out)."
    ok = lambda s: "met" if s <= TARGET_EXPLAIN_FIRST_S else "**not met**"  # noqa: E731
    text = f"Explain first visit once SHAP is cached: {row[2]:.2f} s in a fresh session ({ok(row[2])})"
    if len(row) > 5:
        text += f", {row[5]:.2f} s from the sidebar ({ok(row[5])})"
    return text + f"; target ≤ {TARGET_EXPLAIN_FIRST_S:.0f} s."


def write_section(out: Path, heading: str, lines: list[str]) -> None:
    """Replace the ``## heading`` section of ``out`` (or add it), keeping every other section."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Page speed\n"
    parts, current = {}, None
    preamble = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            parts[current] = []
        elif current is None:
            preamble.append(line)
        else:
            parts[current].append(line)
    parts[heading] = ["", *lines, ""]
    body = "\n".join(preamble).rstrip() + "\n"
    for name, section in parts.items():
        body += f"\n## {name}\n" + "\n".join(section).strip("\n").join(["\n", "\n"])
    out.write_text(body, encoding="utf-8")


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _machine(load_before: str) -> str:
    """The machine and its load average (1 / 5 / 15 min) when the pass started and ended."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_before} at the start and {_load()} at the end of the pass"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument(
        "--customers", type=int, help="generated customers instead of the sample, e.g. 100000"
    )
    parser.add_argument(
        "--browser", action="store_true", help="also time every page in Chromium (Playwright)"
    )
    parser.add_argument("--no-apptest", action="store_true", help="skip the AppTest (script time) pass")
    parser.add_argument("--reruns", type=int, default=5, help="reruns per page (default 5)")
    parser.add_argument("--speed", default="balanced", choices=("fast", "balanced", "thorough"),
                        help="training speed of the model made beforehand (the Model page's choice)")  # fmt: skip
    parser.add_argument(
        "--data-dir", type=Path, default=Path("/tmp/big"), help="where generated data is kept"
    )
    parser.add_argument("--generated", type=Path,
                        help="folder with customers.csv and events.csv made by `python -m churn sample` "
                        "for --customers (reused, not generated again)")  # fmt: skip
    parser.add_argument("--db", type=Path, help="workspace store to keep (dataset and model are made once)")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds a browser page may take (default 1800)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results_pages.md")
    args = parser.parse_args()
    # AppTest sessions run outside `streamlit run`; Streamlit warns about it on every call
    for name in (
        "streamlit.runtime.scriptrunner_utils.script_run_context",
        "streamlit.runtime.state.session_state_proxy",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)

    ws = prepare(args.customers, args.data_dir, args.db, args.speed, args.generated)
    data = f"{ws.label}: {ws.customers:,} customers, {ws.events:,} events; {ws.note}"
    command = shlex.join(["python", "bench/bench_pages.py", *sys.argv[1:]])
    if not args.no_apptest:
        load = _load()
        rows = apptest_rows(ws, args.reruns)
        write_section(
            args.out,
            f"AppTest (script time) · {ws.label}",
            [
                f"`{command}` on {_machine(load)}; {data}. First visit = a fresh session, first time in this "
                "process (computes and caches; Model and Explain include their background job); warm = a "
                f"second fresh session; rerun = median and max of {args.reruns} full reruns. "
                f"Target: rerun ≤ {TARGET_RERUN_SCRIPT_MS} ms.",
                "",
                *_table(rows, TARGET_RERUN_SCRIPT_MS),
                "",
                _explain_verdict(rows),
            ],
        )
    if args.browser:
        load = _load()
        rows, warm_up, jobs_s = browser_rows(ws, args.reruns, args.timeout)
        write_section(
            args.out,
            f"Browser (Chromium) · {ws.label}",
            [
                f"`{command}` on {_machine(load)}; {data}. Debian Chromium (headless) through "
                "Playwright against `streamlit run app.py`. Shown = script state `notRunning`, title there, "
                "no spinner / progress bar / status widget, every chart in view drawn. Warm-up: the Data "
                f"page loaded the dataset into the server's cache ({warm_up:.1f} s), then Explain waited "
                f"for the model's background jobs (scores, SHAP values, reasons: {jobs_s:.1f} s). "
                "First visit = a new browser context opening the page's URL with the workspace token "
                "(time from navigation start, so it includes loading Streamlit's JavaScript); warm = "
                "another new context once the page's caches are filled; from the sidebar = a click on the "
                'page in the sidebar of an open Data page until it is shown; rerun = the "r" key, '
                f"median and max of {args.reruns}. Target: rerun ≤ {TARGET_RERUN_BROWSER_MS} ms.",
                "",
                *_table(rows, TARGET_RERUN_BROWSER_MS),
                "",
                _explain_verdict(rows),
            ],
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
