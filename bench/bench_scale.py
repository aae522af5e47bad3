"""Scale: profile, features, train, score and SHAP on generated exports of growing size.

Run: ``python bench/bench_scale.py [--sizes 10000,100000,1000000] [--events-run 600000]
[--data /tmp/churn-bench] [--out bench/results_scale.md]``.

For each size, the bundled sample generator writes ``customers.csv`` and ``events.csv``
(``python -m churn sample``; kept in ``--data`` and reused). Every step runs in its own
process, so its peak memory (RSS, from ``wait4``) is its own:

* **read floor**: pyarrow reads the event CSV and groups it by customer and event type;
* **profile**: ``python -m churn profile customers.csv --events events.csv --json``;
* **worker**: reads the files as the CLI does, then times, in one process:
  features (the training snapshots of the customers the model trains on), a plain
  CatBoost fit on that matrix (the fit floor: same trees, default settings otherwise),
  ``ChurnModel.fit`` (evaluation, baselines, refit), scoring every active customer and
  SHAP values for all of them.

Targets (issue 13): profile ≤ 2× the read floor; train ≤ 2× features + fit floor;
1 M customers end to end ≤ 4 min; peak RSS ≤ 8 GB for the 50 M-event run. "End to end"
is what the three monthly commands do: profile, then read + train, then read + score + SHAP.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable


def _timed_child(argv: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in GB, exit code, stdout) of one child, reaped with ``wait4`` for its own RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # read the pipes until EOF, then reap with wait4 for this child's rusage
    text = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.stderr.write(err[-3000:])
    return time.perf_counter() - started, usage.ru_maxrss / 2**20, child.returncode, text


def generate(folder: Path, customers: int, months: int) -> dict:
    """Write the sample export once (reused when present); return its size."""
    events = folder / "events.csv"
    if not events.exists():
        folder.mkdir(parents=True, exist_ok=True)
        argv = [PYTHON, "-m", "churn", "sample", "--customers", str(customers), "--out", str(folder)]
        argv += ["--months", str(months), "--json"]
        seconds, rss, code, text = _timed_child(argv)
        if code:
            raise SystemExit(f"error: the sample generator failed for {customers} customers")
        (folder / "generated.json").write_text(text)
    with events.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))
    return {"events": lines - 1, "mb": events.stat().st_size / 2**20}


READ_FLOOR = """
import sys, time, pyarrow.csv as pc
t = time.perf_counter()
table = pc.read_csv(sys.argv[1])
table.group_by(["customer_id", "event_type"]).aggregate([([], "count_all")])
print(time.perf_counter() - t)
"""

WORKER = """
import json, sys, time, argparse
from catboost import CatBoostClassifier
from churn.commands import common
from churn.core.sampling import capped_rows
from churn.model import features
from churn.model.churn_model import ChurnModel, MAX_ROWS
from churn.act.explain import shap_frame
from churn.act.scoring import score_active

folder = sys.argv[1]
out = {}
t = time.perf_counter()
args = argparse.Namespace(path=f"{folder}/customers.csv", events=f"{folder}/events.csv")
dataset = common.load(args).dataset
out["load"] = time.perf_counter() - t

t = time.perf_counter()
model = ChurnModel(thread_count=2).fit(dataset)
out["train"] = time.perf_counter() - t
out["auc"] = model.metrics_.get("auc")
out["rows"] = model.metrics_.get("rows")

# the fit floor: the same customers' snapshots (as ChurnModel samples them), one plain fit
sample, n_cut = model.training_sample(dataset)
t = time.perf_counter()
X, y, _, _ = features.labelled_snapshots(sample, model.horizon_days, n_cut, features.WINDOWS)
out["features"] = time.perf_counter() - t
X = X[model.features_]
rows = capped_rows(len(X), MAX_ROWS, 0)
t = time.perf_counter()
CatBoostClassifier(
    iterations=int(model.metrics_["iterations_used"]), thread_count=2, verbose=False, random_seed=0
).fit(X.iloc[rows], y.iloc[rows], cat_features=model.cat_features_)
out["fit_floor"] = time.perf_counter() - t

t = time.perf_counter()
scores = score_active(model, dataset)
out["score"] = time.perf_counter() - t
out["scored"] = len(scores.probability)
t = time.perf_counter()
shap_frame(model, scores.features)
out["shap"] = time.perf_counter() - t
print(json.dumps(out))
"""


def measure(folder: Path) -> dict:
    """Every step of one size; seconds and peak RSS (GB) per step."""
    events, customers = str(folder / "events.csv"), str(folder / "customers.csv")
    row: dict = {}
    seconds, rss, code, text = _timed_child([PYTHON, "-c", READ_FLOOR, events])
    row["read_floor"], row["read_rss"] = float(text.strip() or "nan") if not code else float("nan"), rss
    argv = [PYTHON, "-m", "churn", "profile", customers, "--events", events, "--json"]
    seconds, rss, code, _ = _timed_child(argv)
    row["profile"], row["profile_rss"], row["profile_ok"] = seconds, rss, code == 0
    seconds, rss, code, text = _timed_child([PYTHON, "-c", WORKER, str(folder)])
    row["worker_rss"], row["worker_ok"] = rss, code == 0
    if code == 0:
        row.update(json.loads(text.strip().splitlines()[-1]))
    return row


def _cell(value, digits: int = 1) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:,.{digits}f}"


def table(results: list[dict]) -> str:
    head = (
        "| customers | months | events | CSV MB | read floor s | profile s (× floor) | features s | fit floor s "
        "| train s (× floor) | score s | SHAP s | end to end s | peak RSS GB |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in results:
        floor = r.get("features", float("nan")) + r.get("fit_floor", float("nan"))
        e2e = _e2e(r)
        rss = max(r["profile_rss"], r["worker_rss"])  # ours, not the floor's pyarrow table
        lines.append(
            f"| {r['customers']:,} | {r['months']} | {r['events']:,} | {r['mb']:,.0f} | {_cell(r['read_floor'])} "
            f"| {_cell(r['profile'])} ({_cell(r['profile'] / r['read_floor'])}×) "
            f"| {_cell(r.get('features'))} | {_cell(r.get('fit_floor'))} "
            f"| {_cell(r.get('train'))} ({_cell(r.get('train', float('nan')) / floor)}×) "
            f"| {_cell(r.get('score'))} | {_cell(r.get('shap'))} | {_cell(e2e, 0)} | {_cell(rss, 2)} |"
        )
    return head + "\n".join(lines) + "\n"


def _e2e(r: dict) -> float:
    return (
        r["profile"]
        + 2 * r.get("load", float("nan"))
        + r.get("train", float("nan"))
        + r.get("score", float("nan"))
        + r.get("shap", float("nan"))
    )


def targets(results: list[dict]) -> str:
    """One line per target of issue 13: the worst measured value and whether it is met."""

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = []
    ratios = [r["profile"] / r["read_floor"] for r in results]
    if ratios:
        worst = max(ratios)
        big = [x for r, x in zip(results, ratios, strict=True) if r["customers"] >= 100_000]
        lines.append(
            f"- profile ≤ 2× the read floor: {met(worst <= 2)} (worst {worst:.1f}×"
            + (f"; {max(big):.1f}× from 100 k customers up" if big else "")
            + ")"
        )
    trains = [r["train"] / (r["features"] + r["fit_floor"]) for r in results if "train" in r]
    if trains:
        lines.append(f"- train ≤ 2× features + fit floor: {met(max(trains) <= 2)} (worst {max(trains):.1f}×)")
    million = [_e2e(r) for r in results if r["customers"] >= 1_000_000]
    if million:
        lines.append(f"- 1 M customers end to end ≤ 240 s: {met(max(million) <= 240)} ({max(million):.0f} s)")
    fifty = [max(r["profile_rss"], r["worker_rss"]) for r in results if r["events"] >= 45_000_000]
    if fifty:
        lines.append(
            f"- peak RSS of the ~50 M-event run ≤ 8 GB: {met(max(fifty) <= 8)} ({max(fifty):.2f} GB)"
        )
    return "\n".join(lines) + "\n"


def render(results: list[dict]) -> str:
    """The Markdown written to ``--out``: what was run, the table and the targets."""
    return (
        "# Scale: profile, train, score and SHAP on big exports\n\n"
        f"`python bench/bench_scale.py` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; exports from `python -m churn sample` "
        "(36 months of history unless the months column says otherwise; the last row is the "
        "~50 M-event run). "
        "Read floor: pyarrow reads the event CSV and groups it by customer and event type. "
        "Fit floor: the training snapshots of the customers the model trains on plus one plain "
        "CatBoost fit on them (same number of trees). End to end: profile + (read + train) + "
        "(read + score + SHAP), as the monthly commands run. Peak RSS: the larger of the profile "
        "and worker processes (the read floor's own pyarrow table is left out).\n\n"
        + table(results)
        + "\nTargets (issue 13):\n\n"
        + targets(results)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000:12",
        help="customer counts, comma-separated; N:M gives M months of history instead of 36",
    )
    parser.add_argument(
        "--events-run", type=int, default=600_000, help="customers of the ~50 M-event run (0 to skip)"
    )
    parser.add_argument("--data", default="/tmp/churn-bench", help="folder for the generated exports")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results_scale.md"))
    args = parser.parse_args(argv)
    runs = [(int(n), int(m or 36)) for n, _, m in (s.partition(":") for s in args.sizes.split(",") if s)]
    if args.events_run:
        runs.append((args.events_run, 36))
    results = []
    for customers, months in runs:
        folder = Path(args.data) / f"c{customers}_m{months}"
        size = generate(folder, customers, months)
        row = {"customers": customers, "months": months, **size, **measure(folder)}
        results.append(row)
        print(json.dumps(row), flush=True)
    text = render(results)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
