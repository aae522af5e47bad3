"""Benchmark: profile, features, training and scoring at 10k, 100k and 1M customers.

Run ``python bench/bench_model.py [--sizes 10000 100000 1000000] [--out bench/results_model.md]``.
Sample data comes from :func:`churn.ingest.sample.generate_sample` (seeded); the 1M row uses a tenth
of the event volume to fit in memory and time. Prints a markdown table and writes it to ``--out``.

Targets (issue 5, on a 2-core machine): 100k customers × ~50 features trained in under
15 s; features from 5M events in under 5 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from churn.act.scoring import score_customers  # noqa: E402
from churn.ingest.intake import build_dataset, guess_roles  # noqa: E402
from churn.ingest.quality import profile  # noqa: E402
from churn.ingest.sample import generate_sample  # noqa: E402
from churn.model import features  # noqa: E402
from churn.model.churn_model import ChurnModel  # noqa: E402

EVENT_RATE = {1_000_000: 0.1}


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def run_size(n: int) -> dict:
    rate = EVENT_RATE.get(n, 1.0)
    (raw_customers, raw_events), t_generate = _timed(generate_sample, n, seed=7, event_rate=rate)
    mapping = guess_roles(raw_customers, raw_events)
    dataset, t_build = _timed(build_dataset, raw_customers, raw_events, mapping)
    raw_customers = raw_events = None
    gc.collect()
    _, t_profile = _timed(profile, dataset)
    snapshot, t_features = _timed(features.snapshot_features, dataset, dataset.as_of)
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        steps.setdefault(message, time.perf_counter() - started)

    model, t_train = _timed(ChurnModel(iterations=400).fit, dataset, progress)
    steps["end"] = t_train
    order = ["features", "checks", "training", "baselines", "refit", "end"]
    marks = [steps.get(k, float("nan")) for k in order]
    phase = {name: marks[i + 1] - marks[i] for i, name in enumerate(order[:-1])}
    scores, t_score = _timed(score_customers, model, dataset)
    X, y, _ = features.training_frame(dataset, 90, 3)
    rows = min(len(X), 100_000)
    X = X[model.features_].iloc[:rows]
    booster = model.catboost_classifier(400)
    _, t_single = _timed(booster.fit, X, y.iloc[:rows], cat_features=model.cat_features_)
    row = {
        "customers": n,
        "events": len(dataset.events),
        "event_rate": rate,
        "generate_s": t_generate,
        "intake_s": t_build,
        "profile_s": t_profile,
        "features_s": t_features,
        "feature_columns": snapshot.shape[1],
        "train_s": t_train,
        "frame_s": phase["features"] + phase["checks"],
        "catboost_eval_s": phase["training"],
        "baselines_s": phase["baselines"],
        "refit_s": phase["refit"],
        "train_rows": model.metrics_["rows"],
        "features_used": len(model.features_),
        "score_s": t_score,
        "single_fit_s": t_single,
        "single_rows": rows,
        "scored": len(scores),
        "auc": model.metrics_["auc"],
        "rule_auc": model.baselines_["rule"]["auc"],
        "logistic_auc": model.baselines_["logistic"]["auc"],
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }
    print(row, flush=True)
    return row


def table(rows: list[dict]) -> str:
    head = (
        "| customers | events | profile s | features s (1 snapshot) | train s total (rows × features) "
        "| of which: snapshots / CatBoost eval / baselines / CatBoost refit s "
        "| one CatBoost fit s (rows, 400 trees) | score s | AUC CatBoost / rule / logistic | peak RSS GB |\n"
        "|---:|---:|---:|---:|---:|---|---:|---:|---|---:|\n"
    )
    lines = [
        f"| {r['customers']:,} | {r['events']:,}{' (rate 0.1)' if r['event_rate'] < 1 else ''} "
        f"| {r['profile_s']:.1f} | {r['features_s']:.1f} | {r['train_s']:.1f} "
        f"({r['train_rows']:,} × {r['features_used']}) "
        f"| {r['frame_s']:.1f} / {r['catboost_eval_s']:.1f} / {r['baselines_s']:.1f} / {r['refit_s']:.1f} "
        f"| {r['single_fit_s']:.1f} ({r['single_rows']:,}) | {r['score_s']:.1f} "
        f"| {r['auc']:.3f} / {r['rule_auc']:.3f} / {r['logistic_auc']:.3f} | {r['peak_rss_gb']:.1f} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results_model.md"))
    args = parser.parse_args()
    rows = [run_size(n) for n in args.sizes]
    text = (
        "# Model benchmark\n\n"
        f"`python bench/bench_model.py` on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; CatBoost thread_count=2, "
        "iterations=400 with early stopping. Train = features for all cutoffs + CatBoost out-of-time "
        "evaluation + both baselines + refit for scoring. Timings are wall-clock on a shared machine.\n\n"
        + table(rows)
    )
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
