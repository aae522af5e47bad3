"""Explain latency on the sample: one customer's explanation and a what-if (target < 100 ms).

Run: ``python bench/bench_explain.py [--customers 50] [--out bench/results_explain.md]``.
Trains the default model once, computes SHAP for all active customers (as the Explain
page does once per model), then times per-customer calls for the riskiest customers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results_explain.md"))
    args = parser.parse_args()

    from churn.act import explain
    from churn.act.scoring import score_customers
    from churn.ingest.intake import load_sample
    from churn.model.churn_model import ChurnModel

    dataset = load_sample()
    model = ChurnModel().fit(dataset)
    X = model.scoring_features(dataset)
    started = time.perf_counter()
    shap, base = explain.shap_frame(model, X)
    shap_all = time.perf_counter() - started
    started = time.perf_counter()
    explain.top_reasons(model, X, 3, shap=shap, base=base)
    reasons_all = time.perf_counter() - started

    riskiest = score_customers(model, dataset)["customer_id"].head(args.customers)
    numeric = [f for f in model.features_ if f not in model.cat_features_]
    cached, fresh, what_if = [], [], []
    for customer in riskiest:
        row = X.loc[[customer]]
        cached.append(timed(explain.explain_customer, model, row, shap_row=shap.loc[customer], base=base))
        fresh.append(timed(explain.explain_customer, model, row))
        feature = numeric[len(what_if) % len(numeric)]
        what_if.append(timed(explain.what_if, model, row, {feature: float(X[feature].median())}))

    def line(name: str, values: list[float]) -> str:
        values = sorted(values)
        p95 = values[int(0.95 * (len(values) - 1))]
        return f"| {name} | {statistics.median(values):.1f} | {p95:.1f} | {max(values):.1f} |"

    lines = [
        "# Explain latency on the sample",
        "",
        f"`python bench/bench_explain.py` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {len(X):,} active customers × {len(model.features_)} "
        f"features; default ChurnModel. SHAP for everyone once: {shap_all:.2f} s; top-3 reasons "
        f"for everyone: {reasons_all:.2f} s. Per-customer timings over the {len(riskiest)} riskiest "
        "customers (target < 100 ms).",
        "",
        "| call | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
        line("explain one customer (SHAP cached, as on the page)", cached),
        line("explain one customer (SHAP computed fresh)", fresh),
        line("what-if: change one feature", what_if),
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
