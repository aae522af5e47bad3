"""``python -m churn why PATH [--events PATH]``: top segment drivers and warning-signal lifts."""

from __future__ import annotations

import argparse

import pandas as pd

from churn.analysis import drivers, signals
from churn.commands.common import add_input_arguments, emit, load
from churn.core.dataset import Dataset
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import LANGUAGES, t
from churn.ingest.big_events import events_in_memory

NAME = "why"
HELP = "Show which customer groups churn most and which warning signals came before churn."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the why command's options."""
    add_input_arguments(parser, path_required=True)
    parser.add_argument("--top", type=int, default=10, help="number of segment groups to show (default 10)")
    parser.add_argument("--horizon", type=int, default=60, help="churn within this many days (default 60)")
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the sentences (default: --lang before the command, $CHURN_LANG, else en)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame[columns].to_dict("records")
    ]


#: Driver columns in the JSON answer.
_DRIVER_COLUMNS = [
    "rank",
    "attribute",
    "label",
    "value",
    "customers",
    "churn_rate",
    "ci_low",
    "ci_high",
    "lift",
    "excess_churners",
    "significant",
    "small",
]
#: Signal columns in the JSON answer.
_SIGNAL_COLUMNS = [
    "signal",
    "showing_now",
    "customers",
    "churn_rate",
    "baseline_rate",
    "lift",
    "lift_low",
    "lift_high",
]


def run(args: argparse.Namespace) -> int:
    """Load the files, compute drivers (and signals when events are given), print them."""
    dataset = load(args).dataset
    table = drivers.segment_drivers(
        dataset.customers, drivers.driver_attributes(dataset), args.lang, mapping=dataset
    )
    top = table.head(args.top) if not table.empty else table
    evaluation = _evaluation(dataset, args.horizon)
    result = _result(dataset, table, top, evaluation, args.lang)
    emit(result, args.json, _text(result, top, evaluation, args.horizon, args.lang))
    return 0


def _evaluation(dataset: Dataset, horizon: int) -> signals.SignalEvaluation | None:
    """Warning signals as of the day after the data ends, or None without an event log."""
    if not dataset.has_events:
        return None
    dataset = events_in_memory(dataset)  # the signals read a frame; a log read out of core is loaded here
    as_of = pd.Timestamp(dataset.as_of).normalize() + pd.Timedelta(days=1)
    return signals.evaluate_signals(dataset.events, dataset.customers, as_of, horizon_days=horizon)


def _result(
    dataset: Dataset,
    table: pd.DataFrame,
    top: pd.DataFrame,
    evaluation: signals.SignalEvaluation | None,
    lang: str,
) -> dict:
    """The JSON-ready answer: overall churn, findings, the top drivers and the signal lifts."""
    lifts = evaluation.lifts if evaluation is not None else None
    return {
        "customers": len(dataset.customers),
        "overall_churn_rate": float(dataset.customers["churned"].mean()),
        "findings": drivers.top_findings(table, lang),
        "drivers": _records(top, _DRIVER_COLUMNS) if not top.empty else [],
        "signals": _records(lifts, _SIGNAL_COLUMNS) if lifts is not None else None,
    }


def _text(
    result: dict, top: pd.DataFrame, evaluation: signals.SignalEvaluation | None, horizon: int, lang: str
) -> str:
    """The plain-text answer: findings, one line per top driver, then the signal lifts."""
    lines = [
        *result["findings"],
        "",
        t("why.cli_drivers", lang, rate=fmt_pct(result["overall_churn_rate"], lang)),
    ]
    lines += [_driver_line(row, lang) for row in top.itertuples()]
    lines.append("")
    lines += _signal_lines(evaluation, horizon, lang)
    return "\n".join(lines).strip()


def _driver_line(row, lang: str) -> str:
    """One driver group: churn rate with its interval, lift and size, and a note when uncertain."""
    note = (
        ""
        if row.significant and not row.small
        else "  (" + t("why.status_small" if row.small else "why.status_not_significant", lang) + ")"
    )
    return (
        f"  {row.rank:>2}. {row.label} = {row.value}: {fmt_pct(row.churn_rate, lang)} "
        f"[{fmt_pct(row.ci_low, lang)}–{fmt_pct(row.ci_high, lang)}], "
        f"{fmt_number(row.lift, lang, 2)}×, n={fmt_number(row.customers, lang)}{note}"
    )


def _signal_lines(evaluation: signals.SignalEvaluation | None, horizon: int, lang: str) -> list[str]:
    """The signal lifts, or why there are none (no event log, or no end dates to judge by)."""
    if evaluation is None:
        return [t("why.cli_no_events", lang)]
    if evaluation.lifts is None:
        return [t("why.no_end_dates", lang)]
    lines = [t("why.cli_signals", lang, days=horizon)]
    for row in evaluation.lifts.itertuples():
        lines.append(
            f"  {t(f'why.signal_{row.signal}', lang)}: {fmt_number(row.lift, lang, 2)}× "
            f"[{fmt_number(row.lift_low, lang, 2)}–{fmt_number(row.lift_high, lang, 2)}], "
            f"{t('why.col_showing_now', lang).lower()}: {fmt_number(row.showing_now, lang)}"
        )
    return lines
