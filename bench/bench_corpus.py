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
            row.update(auc=model.metrics_["auc"], validation=model.validation_)
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


def _auc(row: dict) -> str:
    reference = row["spec"].get("reference_auc")
    if reference is None:
        return "-"
    if "auc_error" in row:
        return f"{row['auc_error']} / {reference:.3f}"
    if row.get("auc") is None:
        return f"- / {reference:.3f}"
    return f"{row['auc']:.3f} / {reference:.3f} ({row['validation']}, {row['train_s']:.0f} s)"


def table(rows: list[dict]) -> str:
    head = (
        "| file | shape | roles right | wrong (expected → got) | profile s | customers | churned "
        "| left vs still a customer | leaks | AUC / reference |\n"
        "|---|---|---:|---|---:|---:|---:|---|---|---|\n"
    )
    lines = []
    for r in rows:
        spec = r["spec"]
        if "error" in r:
            lines.append(
                f"| {r['file']} | {r['shape']} | 0 / {r['roles_total']} | refused: {r['error']} "
                f"| {r['profile_s']:.2f} | - | - | - | - | - |"
            )
            continue
        right = r["roles_total"] - len(r["wrong"])
        lines.append(
            f"| {r['file']} | {r['shape']} | {right} / {r['roles_total']} | {'; '.join(r['wrong']) or '-'} "
            f"| {r['profile_s']:.2f} | {_count(r['customers'], spec.get('customers'))} "
            f"| {_count(r['churned'], spec.get('churned')) if 'churned' in spec else _inactive(r)} "
            f"| {_values(r)} | {_leaks(r)} | {_auc(r)} |"
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
        "+ profile, as `python -m churn profile FILE` does (no overrides). AUC = what `python -m churn train FILE` "
        "reports (CatBoost thread_count=2, 400 trees at most with early stopping, its own validation, named in "
        "the cell; the seconds are the whole `fit`) beside `reference_auc` (CatBoost defaults, 5-fold stratified CV, ids and "
        "leaks dropped). Timings are wall-clock on a shared machine.\n\n" + table(rows)
    )
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
