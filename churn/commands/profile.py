"""``python -m churn profile PATH [--events PATH] [--json]``: load a table and print its data-quality profile."""

from __future__ import annotations

import argparse

from churn.commands.common import add_input_arguments, emit, load
from churn.core.i18n import t
from churn.ingest.quality import profile

NAME = "profile"
HELP = "Read a customer table and/or an event log, guess column roles and print the data-quality profile."

_ICONS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the profile command's options."""
    add_input_arguments(parser)
    parser.add_argument(
        "--lang", default="en", choices=("en", "nb"), help="language of the messages (default en)"
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
    loaded = load(args)
    result = profile(loaded.dataset, args.lang, raw_customers=loaded.customers, raw_events=loaded.events)
    emit(result, args.json, _text(result, args.lang))
    return 0
