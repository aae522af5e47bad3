"""``python -m churn when PATH [--events PATH]``: monthly churn and CRR, median lifetime, churn peaks."""

from __future__ import annotations

import argparse
import math

import pandas as pd

from churn.analysis import survival, timing
from churn.analysis.peaks import (
    detect_peaks,
    explain_peaks,
    no_peak_sentence,
    peak_method_sentence,
    peak_sentences,
)
from churn.commands.common import add_input_arguments, emit, load
from churn.core.dataset import CHURN_FROM_INACTIVITY, Dataset
from churn.core.errors import SchemaError
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import LANGUAGES, t

NAME = "when"
HELP = "Show monthly churn rates and CRR, the median customer lifetime and the churn peaks after signup."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the when command's options."""
    add_input_arguments(parser, path_required=True)
    parser.add_argument("--segment", help="customer column to compare survival across (log-rank test)")
    parser.add_argument(
        "--inactivity-days",
        type=int,
        help="event log without cancel dates: days without events that count as churn",
    )
    parser.add_argument("--months", type=int, default=12, help="calendar months to print (default 12)")
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the sentences (default: --lang before the command, $CHURN_LANG, else en)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def when_summary(dataset: Dataset, segment: str | None = None, months: int = 12, lang: str = "en") -> dict:
    """Everything the command prints, as a JSON-ready dict (also handy for reports).

    Returns
    -------
    dict
        ``customers``, ``churned``, ``has_dates``, ``monthly`` (last ``months``
        calendar months: counts, churn_rate, crr, revenue_churn), ``trend``,
        ``median_lifetime_months`` (None when not reached), ``medians`` (per
        segment group), ``logrank``, ``typical_monthly_risk``, ``peaks`` (with
        the sentence), ``peak_method``.
    """
    customers = dataset.customers
    result: dict = {
        "dataset": dataset.name,
        "customers": len(customers),
        "churned": int(customers["churned"].sum()),
        "churn_definition": dataset.churn_definition,
        "has_dates": timing.has_dates(dataset),
        "monthly": [],
        "trend": None,
    }
    if result["has_dates"]:
        monthly = timing.monthly_churn(dataset)
        columns = [
            "month",
            "start_customers",
            "new_customers",
            "lost_customers",
            "end_customers",
            "churn_rate",
            "crr",
            "revenue_churn",
            "complete",
        ]
        result["monthly"] = _records(monthly[columns].tail(months))
        result["trend"] = {k: _clean(v) for k, v in timing.churn_trend(monthly).items()}
    overall = survival.median_lifetimes(dataset).iloc[0]
    result["median_lifetime_months"] = _clean(float(overall["median_months"]))
    if segment:
        result["medians"] = _records(survival.median_lifetimes(dataset, segment))
        result["logrank"] = survival.logrank(dataset, segment)
    flagged, peaks = detect_peaks(survival.monthly_hazard(dataset))
    peaks = explain_peaks(peaks, dataset)
    result["typical_monthly_risk"] = _clean(float(flagged["baseline"].iloc[0])) if len(flagged) else None
    sentences = peak_sentences(peaks, lang)
    result["peaks"] = [
        {**{k: _clean(v) for k, v in row.items()}, "sentence": sentence}
        for row, sentence in zip(peaks.to_dict("records"), sentences, strict=True)
    ]
    result["no_peaks"] = None if sentences else no_peak_sentence(flagged, lang)
    result["peak_method"] = peak_method_sentence(flagged, lang=lang)
    return result


def _text(result: dict, segment: str | None, lang: str) -> str:
    """The plain-text answer: header, calendar months, median lifetime, then the peaks."""
    lines = [
        t(
            "when.cli_header",
            lang,
            name=result["dataset"],
            customers=fmt_number(result["customers"], lang),
            churned=fmt_number(result["churned"], lang),
        )
    ]
    lines += _monthly_lines(result, lang) if result["has_dates"] else [t("when.needs_dates", lang)]
    lines += _lifetime_lines(result, segment, lang)
    lines.append("")
    lines.extend(row["sentence"] for row in result["peaks"])
    if result["no_peaks"]:
        lines.append(result["no_peaks"])
    lines.append(result["peak_method"])
    return "\n".join(lines)


def _monthly_lines(result: dict, lang: str) -> list[str]:
    """A blank line, the calendar-month table (provisional months marked) and the recent average."""
    heads = [t(f"when.cli_col_{c}", lang) for c in ("month", "start", "new", "lost", "end", "rate", "crr")]
    lines = ["", f"{heads[0]:<8} " + " ".join(f"{h:>8}" for h in heads[1:])]
    for row in result["monthly"]:
        mark = "" if row["complete"] else "  " + t("when.cli_provisional", lang)
        cells = [
            row["start_customers"],
            row["new_customers"],
            row["lost_customers"],
            row["end_customers"],
        ]
        cells = [fmt_number(c, lang) for c in cells]
        cells += [fmt_pct(row["churn_rate"], lang), fmt_number(row["crr"], lang, 1)]
        lines.append(f"{row['month'][:7]:<8} " + " ".join(f"{c:>8}" for c in cells) + mark)
    trend = result["trend"]
    lines.append(
        t(
            "when.cli_recent",
            lang,
            months=trend["recent_months"],
            rate=fmt_pct(trend["recent_average"], lang),
            crr=fmt_number(trend["recent_crr"], lang, 1),
        )
    )
    return lines


def _lifetime_lines(result: dict, segment: str | None, lang: str) -> list[str]:
    """The median lifetime, and per segment group with the log-rank sentence when asked."""
    lines = ["", f"{t('when.metric_median', lang)}: {_months(result['median_lifetime_months'], lang)}"]
    if segment:
        for row in result["medians"]:
            shown = _months(row["median_months"], lang)
            lines.append(f"  {row['group']}: {shown} ({fmt_number(row['customers'], lang)})")
        lines.append(survival.logrank_sentence(result["logrank"], segment, lang))
    return lines


def _months(value: float | None, lang: str) -> str:
    """A median in months, or "not reached" when fewer than half have left."""
    if value is None:
        return t("when.not_reached", lang)
    return t("when.months_value", lang, count=fmt_number(value, lang, 1))


def run(args: argparse.Namespace) -> int:
    """Load the files, compute the timing views, print them."""
    from churn.ingest.intake import with_inactivity

    dataset = load(args).dataset
    if args.inactivity_days is not None:
        if dataset.churn_definition != CHURN_FROM_INACTIVITY:
            raise SchemaError("errors.inactivity_not_applicable", definition=str(dataset.churn_definition))
        dataset = with_inactivity(dataset, args.inactivity_days)
    if args.segment and args.segment not in dataset.customers:
        raise SchemaError("errors.segment_flag", column=str(args.segment))
    result = when_summary(dataset, args.segment, args.months, args.lang)
    emit(result, args.json, _text(result, args.segment, args.lang))
    return 0
