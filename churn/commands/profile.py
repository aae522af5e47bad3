"""``python -m churn profile PATH [--events PATH] [--json]``: load a table and print its data-quality profile."""

from __future__ import annotations

import argparse

from churn.commands.cli import emit
from churn.core.errors import InputError
from churn.core.i18n import t
from churn.ingest.intake import build_dataset, guess_roles, read_table
from churn.ingest.parsing import MAX_BYTES
from churn.ingest.quality import profile

NAME = "profile"
HELP = "Read a customer table and/or an event log, guess column roles and print the data-quality profile."

_ICONS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the profile command's options."""
    parser.add_argument("path", nargs="?", help="customer table (CSV/TSV/TXT, .xlsx or .parquet)")
    parser.add_argument("--events", help="event log (one row per event), alone or with PATH")
    parser.add_argument(
        "--lang", default="en", choices=("en", "nb"), help="language of the messages (default en)"
    )
    parser.add_argument(
        "--max-mb",
        type=float,
        default=MAX_BYTES / 2**20,
        help="refuse files larger than this (default 200 MB)",
    )
    parser.add_argument("--json", action="store_true", help="print the profile as JSON")


def _text(result: dict, lang: str) -> str:
    rate = "-" if result["churn_rate"] is None else f"{result['churn_rate']:.1%}"
    history = "-" if result["history_months"] is None else f"{result['history_months']:.1f}"
    rows = [
        ("dataset", result["name"]),
        ("rows", f"{result['rows']:,}"),
        ("customers", f"{result['customers']:,}"),
        ("churned", f"{result['churned']:,}"),
        ("churn_rate", rate),
        ("events", f"{result['events']:,}"),
        ("history_months", history),
        ("missing_share", f"{result['missing_share']:.1%}"),
        ("as_of", result["as_of"] or "-"),
        ("churn_definition", result["churn_definition"]),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{key:<{width}}  {value}" for key, value in rows]
    lines.append("")
    lines.append("roles:")
    for role, column in result["roles"].items():
        if role == "event_type_map":
            column = ", ".join(f"{raw} -> {kind}" for raw, kind in column.items())
        elif isinstance(column, list):
            column = ", ".join(column)
        lines.append(f"  {role:<18} {column}")
    if result["leakage"]:
        lines.append(f"  {'leakage':<18} {', '.join(result['leakage'])}")
    lines.append("")
    lines.append("checks:")
    for check in result["checks"]:
        lines.append(f"  [{_ICONS[check['status']]}] {check['name']:<11} {check['message']}")
    lines.append("")
    lines.append(f"verdict: {result['verdict']} - {t('quality.verdict_' + result['verdict'], lang)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Read the file(s), build the dataset with guessed roles and print the profile."""
    if not args.path and not args.events:
        raise InputError("Give a customer table (PATH), an event log (--events PATH) or both.")
    max_bytes = int(args.max_mb * 2**20)
    customers = read_table(args.path, max_bytes=max_bytes) if args.path else None
    events = read_table(args.events, max_bytes=max_bytes) if args.events else None
    mapping = guess_roles(customers, events)
    name = " + ".join(p.replace("\\", "/").rsplit("/", 1)[-1] for p in (args.path, args.events) if p)
    dataset = build_dataset(customers, events, mapping, name=name)
    result = profile(dataset, args.lang, raw_customers=customers, raw_events=events)
    emit(result, args.json, _text(result, args.lang))
    return 0
