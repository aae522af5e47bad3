"""Page speed on the sample: first run (computes) and reruns (cached), per page.

Run: ``python bench/bench_pages.py [--reruns 5] [--out bench/results_pages.md]``.
Uses Streamlit's AppTest in one process, so a rerun measures the script itself — the
work a user waits for after touching a widget — without browser or network time. The
model for Model/Explain is trained once (as a user would on the Model page) and saved
in the workspace before timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["data", "when", "why", "model", "explain", "roi", "report"]


def _what_if_moves(at, moves: int) -> tuple[float, float, float]:
    """Move one what-if slider of the riskiest customer back and forth; time each answer."""
    customer = at.selectbox(key="explain_customer").value
    slider = next(s for s in at.slider if s.key.startswith(f"whatif_{customer}_"))
    times = []
    for i in range(moves + 1):
        slider = next(s for s in at.slider if s.key == slider.key)
        started = time.perf_counter()
        slider.set_value(slider.max if i % 2 == 0 else slider.min).run()
        times.append(time.perf_counter() - started)
    return float("nan"), statistics.median(times[1:]), max(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results_pages.md"))
    args = parser.parse_args()

    os.environ["CHURN_DB"] = str(Path(tempfile.mkdtemp()) / "bench.db")
    from streamlit.testing.v1 import AppTest

    from churn.ingest.intake import load_sample
    from churn.model.churn_model import ChurnModel
    from churn.model.persistence import model_record
    from churn.workspace import store

    dataset = load_sample()
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, dataset)
    started = time.perf_counter()
    model = ChurnModel().fit(dataset)
    train_seconds = time.perf_counter() - started
    record = model_record(model)
    store.save_model(
        token, dataset_id, record["model_bytes"], record["settings"], record["metrics"], record["features"]
    )

    rows = []
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["ws"] = token
        at.session_state["lang"] = "en"
        at.session_state["dataset_id"] = dataset_id
        at.switch_page(f"pages/{page}.py")
        started = time.perf_counter()
        at.run()
        first = time.perf_counter() - started
        if at.exception:
            raise SystemExit(f"{page}: {at.exception}")
        reruns = []
        for _ in range(args.reruns):
            started = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - started)
        rows.append((page, first, statistics.median(reruns), max(reruns)))
        print(f"{page:8s} first {first:6.2f} s   rerun median {statistics.median(reruns) * 1000:6.0f} ms")
        if page == "explain":
            rows.append(("explain: what-if slider (fragment)", *_what_if_moves(at, args.reruns)))

    lines = [
        "# Page speed on the sample",
        "",
        f"`python bench/bench_pages.py` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; sample: {len(dataset.customers):,} customers, "
        f"{len(dataset.events):,} events; model trained once beforehand in {train_seconds:.1f} s. "
        "AppTest in one process (script time only, no browser). First = first visit in a fresh "
        f"process (includes computing and caching); rerun = median and max of {args.reruns} reruns.",
        "",
        "| page | first visit s | rerun median ms | rerun max ms |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {p} | {'–' if f != f else f'{f:.2f}'} | {m * 1000:.0f} | {x * 1000:.0f} |" for p, f, m, x in rows
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
