"""Benchmark: the profile and the model on every real export in ``../shared/corpus``.

Run ``python bench/bench_corpus.py [--corpus ../shared/corpus] [--out bench/results_corpus.md]``.
For each file in ``EXPECTED.json``: the roles the CLI's loader chose against the
analyst's (right / total, and which are wrong), the seconds to profile (read +
explain the roles + build the dataset + the profile, as ``python -m churn profile``
does), the customer and churn counts, and for customer tables with a churn label
the AUC ``python -m churn train`` reports (CatBoost, thread_count=2, the app's own
validation) beside ``reference_auc`` (CatBoost defaults, 5-fold stratified CV, ids
and leaks dropped). Prints a markdown table and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from churn.commands.cli import build_parser  # noqa: E402
from churn.commands.common import load  # noqa: E402
from churn.commands.profile import profile_result  # noqa: E402
from churn.core.errors import ChurnError  # noqa: E402
from churn.model.churn_model import ChurnModel  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def wrong_roles(expected: dict, got: dict) -> list[str]:
    """``role: expected -> got`` for every role the loader got wrong (a list = any one is right)."""
    wrong = []
    for role, want in expected.items():
        have = got.get(role)
        right = have in want if isinstance(want, list) else have == want
        if not right:
            shown = " / ".join(want) if isinstance(want, list) else want
            wrong.append(f"{role}: {shown} → {have}")
    return wrong


def _short(error: Exception, limit: int = 90) -> str:
    text = str(error).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_file(corpus: Path, name: str, spec: dict) -> dict:
    """Profile one corpus file (and train on it when it has a label); a row of the table."""
    path = str(corpus / name)
    argv = ["profile", path] if spec["shape"] == "customers" else ["profile", "--events", path]
    args = build_parser().parse_args(argv)
    row: dict = {"file": name, "shape": spec["shape"], "spec": spec, "roles_total": len(spec["roles"])}
    started = time.perf_counter()
    try:
        loaded = load(args)
        result = profile_result(loaded)
    except ChurnError as error:
        row.update(error=_short(error), profile_s=time.perf_counter() - started)
        print(f"{name}: {error}", file=sys.stderr, flush=True)
        return row
    row["profile_s"] = time.perf_counter() - started
    wrong = wrong_roles(spec["roles"], result["roles"])
    labels = result["label_values"] or {}
    row.update(
        wrong=wrong,
        customers=result["customers"],
        churned=result["churned"],
        churned_values=labels.get("churned"),
        active_values=labels.get("active"),
        leaks=result["leakage"],
    )
    if spec.get("reference_auc") is not None:
        started = time.perf_counter()
        try:
            model = ChurnModel(thread_count=2).fit(loaded.dataset)
            metrics, verdict = model.metrics_, model.recommendation_
            row.update(
                auc=metrics["auc"],
                auc_low=metrics["auc_low"],
                auc_high=metrics["auc_high"],
                folds=len(metrics["fold_aucs"]),
                validation=model.validation_,
                settings=metrics["settings"],
                baseline=verdict.get("baseline"),
                baseline_auc=verdict.get("baseline_auc"),
                brier=metrics["brier"],
                brier_base=metrics["brier_base"],
                calibration=metrics["calibration"],
                verdict=verdict["reason"],
            )
        except ChurnError as error:
            row["auc_error"] = _short(error, 60)
        row["train_s"] = time.perf_counter() - started
    print(
        f"{name}: {json.dumps({k: v for k, v in row.items() if k != 'spec'}, default=str)}", file=sys.stderr
    )
    return row


def _count(got, want) -> str:
    if got is None:
        return "-"
    return f"{got:,}" if want is None or got == want else f"{got:,} (expected {want:,})"


def _inactive(row: dict) -> str:
    """An event log's churned count, which the analyst leaves to the user's inactivity window."""
    return "-" if row.get("churned") is None else f"{row['churned']:,} (by inactivity)"


def _values(row: dict) -> str:
    spec = row["spec"]
    if "churned_values" not in spec:
        return "-"
    got = f"{' / '.join(row.get('churned_values') or []) or '-'} vs {' / '.join(row.get('active_values') or []) or '-'}"
    right = set(row.get("churned_values") or ()) == set(spec["churned_values"]) and set(
        row.get("active_values") or ()
    ) == set(spec["active_values"])
    return (
        got
        if right
        else f"{got} (expected {' / '.join(spec['churned_values'])} vs {' / '.join(spec['active_values'])})"
    )


def _leaks(row: dict) -> str:
    spec = row["spec"]
    if "leaks" not in spec:
        return "-"
    got, want = set(row.get("leaks") or ()), set(spec["leaks"])
    if got == want:
        return ", ".join(sorted(got)) or "none"
    parts = []
    if want - got:
        parts.append("missed " + ", ".join(sorted(want - got)))
    if got - want:
        parts.append("extra " + ", ".join(sorted(got - want)))
    return "; ".join(parts)


def _three(value) -> str:
    return "" if value is None else f"{value:.3f}"


#: A table passes when its AUC is at least its reference minus this.
TOLERANCE = 0.002
VERDICTS = {"beats_baselines": "CatBoost", "baseline_wins": "a baseline is as good",
            "no_signal": "no signal", "small_data": "too little data"}  # fmt: skip


def model_table(rows: list[dict]) -> str:
    """The model on every table with a reference AUC: AUC with interval, reference, Brier, verdict."""
    head = (
        "| file | validation | settings | AUC (95 % interval) | reference | ≥ reference − 0.002 "
        "| best baseline | Brier / base rate | calibration | verdict | train s |\n"
        "|---|---|---|---|---:|---|---|---|---|---|---:|\n"
    )
    lines, ours, references = [], [], []
    for r in rows:
        reference = r["spec"].get("reference_auc")
        if reference is None or "error" in r:
            continue
        if r.get("auc") is None:
            lines.append(
                f"| {r['file']} | - | - | {r.get('auc_error', '-')} | {reference:.3f} | no | - | - | - | - | - |"
            )
            continue
        ours.append(r["auc"])
        references.append(reference)
        passed = "yes" if r["auc"] >= reference - TOLERANCE else "**no**"
        folds = f"{r['folds']} folds" if r["folds"] > 1 else "out of time"
        lines.append(
            f"| {r['file']} | {folds} | {r['settings']} | {r['auc']:.4f} ({r['auc_low']:.3f}–{r['auc_high']:.3f}) "
            f"| {reference:.4f} | {passed} | {r['baseline'] or '-'} {_three(r['baseline_auc'])} "
            f"| {r['brier']:.4f} / {r['brier_base']:.4f} | {r['calibration']} | {VERDICTS[r['verdict']]} "
            f"| {r['train_s']:.1f} |"
        )
    passing = sum(1 for a, b in zip(ours, references, strict=True) if a >= b - TOLERANCE)
    summary = (
        f"\nAt or above reference − {TOLERANCE}: {passing} / {len(ours)}; mean AUC "
        f"{sum(ours) / max(len(ours), 1):.4f} against a mean reference of {sum(references) / max(len(references), 1):.4f}.\n"
    )
    return head + "\n".join(lines) + "\n" + summary


def table(rows: list[dict]) -> str:
    head = (
        "| file | shape | roles right | wrong (expected → got) | profile s | customers | churned "
        "| left vs still a customer | leaks |\n"
        "|---|---|---:|---|---:|---:|---:|---|---|\n"
    )
    lines = []
    for r in rows:
        spec = r["spec"]
        if "error" in r:
            lines.append(
                f"| {r['file']} | {r['shape']} | 0 / {r['roles_total']} | refused: {r['error']} "
                f"| {r['profile_s']:.2f} | - | - | - | - |"
            )
            continue
        right = r["roles_total"] - len(r["wrong"])
        lines.append(
            f"| {r['file']} | {r['shape']} | {right} / {r['roles_total']} | {'; '.join(r['wrong']) or '-'} "
            f"| {r['profile_s']:.2f} | {_count(r['customers'], spec.get('customers'))} "
            f"| {_count(r['churned'], spec.get('churned')) if 'churned' in spec else _inactive(r)} "
            f"| {_values(r)} | {_leaks(r)} |"
        )
    right = sum(r["roles_total"] - len(r.get("wrong", [None] * r["roles_total"])) for r in rows)
    total = sum(r["roles_total"] for r in rows)
    perfect = sum(1 for r in rows if "error" not in r and not r["wrong"])
    summary = f"\nRoles right: {right} / {total}; files with every role right: {perfect} / {len(rows)}.\n"
    return head + "\n".join(lines) + "\n" + summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS), help="folder with the files and EXPECTED.json")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results_corpus.md"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    expected_file = corpus / "EXPECTED.json"
    if not expected_file.is_file():
        sys.exit(f"No corpus at {corpus} (EXPECTED.json missing).")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    started = time.perf_counter()
    rows = [run_file(corpus, name, spec) for name, spec in expected.items() if not name.startswith("_")]
    text = (
        "# Corpus benchmark\n\n"
        f"`python bench/bench_corpus.py` on {dt.date.today().isoformat()}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(rows)} files from `../shared/corpus` judged against its `EXPECTED.json` (an event log's churned count is by the default inactivity "
        "window, which the analyst leaves to the user), "
        f"{time.perf_counter() - started:.0f} s in all. Profile s = read + explain the roles + build the dataset "
        "+ profile, as `python -m churn profile FILE` does (no overrides).\n\n"
        + table(rows)
        + "\n## The model\n\n"
        "AUC = what `python -m churn train FILE` reports at the default speed (CatBoost thread_count=2): the mean "
        "over 5 stratified folds of a customer table, or the latest months out of time when the table has dates, "
        "with a 95 % bootstrap interval by customer; settings `quality` or `fast` by data size (see "
        "`churn/model/churn_model.py`). Reference = `reference_auc` (CatBoost 1.2.10 defaults, 5-fold stratified "
        "CV with seed 42, ids and leaks dropped, no feature work). Brier = on the held-out rows after the "
        "calibration named; base rate = the Brier score of giving everyone the held-out churn rate. Train s = "
        "the whole `fit` (folds, baselines, intervals, calibration, the final model), wall-clock on a shared "
        "machine.\n\n" + model_table(rows)
    )
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
