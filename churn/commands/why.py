"""``python -m churn why PATH [--events PATH]``: top segment drivers and warning-signal lifts."""

from __future__ import annotations

import argparse

import pandas as pd

from churn.analysis import drivers, signals
from churn.commands.common import add_input_arguments, emit, load
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import LANGUAGES, t

NAME = "why"
HELP = "Show which customer groups churn most and which warning signals came before churn."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the why command's options."""
    add_input_arguments(parser, path_required=True)
    parser.add_argument("--top", type=int, default=10, help="number of segment groups to show (default 10)")
    parser.add_argument("--horizon", type=int, default=60, help="churn within this many days (default 60)")
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of the sentences (default en)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame[columns].to_dict("records")
    ]


def run(args: argparse.Namespace) -> int:
    """Load the files, compute drivers (and signals when events are given), print them."""
    dataset = load(args).dataset
    lang = args.lang
    table = drivers.segment_drivers(dataset.customers, drivers.driver_attributes(dataset), lang)
    overall = float(dataset.customers["churned"].mean())
    findings = drivers.top_findings(table, lang)
    top = table.head(args.top) if not table.empty else table
    columns = [
        "rank",
        "attribute",
        "value",
        "customers",
        "churn_rate",
        "ci_low",
        "ci_high",
        "lift",
        "excess_churners",
    ]
    result: dict = {
        "customers": len(dataset.customers),
        "overall_churn_rate": overall,
        "findings": findings,
        "drivers": _records(top, columns + ["significant", "small"]) if not top.empty else [],
        "signals": None,
    }
    lines = [*findings, "", t("why.cli_drivers", lang, rate=fmt_pct(overall, lang))]
    for row in top.itertuples():
        note = (
            ""
            if row.significant and not row.small
            else "  (" + t("why.status_small" if row.small else "why.status_not_significant", lang) + ")"
        )
        lines.append(
            f"  {row.rank:>2}. {row.attribute} = {row.value}: {fmt_pct(row.churn_rate, lang)} "
            f"[{fmt_pct(row.ci_low, lang)}–{fmt_pct(row.ci_high, lang)}], "
            f"{fmt_number(row.lift, lang, 2)}×, n={fmt_number(row.customers, lang)}{note}"
        )
    lines.append("")
    if dataset.has_events:
        as_of = pd.Timestamp(dataset.as_of).normalize() + pd.Timedelta(days=1)
        evaluation = signals.evaluate_signals(
            dataset.events, dataset.customers, as_of, horizon_days=args.horizon
        )
        if evaluation.lifts is not None:
            lifts = evaluation.lifts
            result["signals"] = _records(
                lifts,
                [
                    "signal",
                    "showing_now",
                    "customers",
                    "churn_rate",
                    "baseline_rate",
                    "lift",
                    "lift_low",
                    "lift_high",
                ],
            )
            lines.append(t("why.cli_signals", lang, days=args.horizon))
            for row in lifts.itertuples():
                lines.append(
                    f"  {t(f'why.signal_{row.signal}', lang)}: {fmt_number(row.lift, lang, 2)}× "
                    f"[{fmt_number(row.lift_low, lang, 2)}–{fmt_number(row.lift_high, lang, 2)}], "
                    f"{t('why.col_showing_now', lang).lower()}: {fmt_number(row.showing_now, lang)}"
                )
        else:
            lines.append(t("why.no_end_dates", lang))
    else:
        lines.append(t("why.cli_no_events", lang))
    emit(result, args.json, "\n".join(lines).strip())
    return 0
