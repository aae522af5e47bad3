"""Data-quality report: pass / warn / fail with one plain sentence per check.

The thresholds are seed 004's data rules: at least 18 months of history,
under 20 % missing values, at least about 100 customers and at least 20
documented churners. On top: duplicate rows, constant columns, leakage
suspects (excluded from modelling by default), events that could not be
attached to a customer and implausible dates (:func:`implausible_dates`: a
1900 start or a 2100 end date among 2023 data), which intake leaves out of
``as_of`` and treats as missing.

What is measured lives in :mod:`churn.ingest.measures` and implausible dates
in :mod:`churn.ingest.plausible_dates`; both are re-exported here, as are the
leakage suspects of :mod:`churn.ingest.leaks`:
another model's output, copies of the label, dates after the churn date or
measured at export, recency counts, reasons filled only for churners and any
column that alone separates who left with an AUC of 0.9 or more.

Every message names the client's own columns (``Oppsagt dato``), never the
canonical ones (``end_date``, ``tenure_months``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import pandas as pd

from churn.core.dataset import (
    AMOUNT,
    CHURNED,
    CUSTOMER_ID,
    DAYS_LATE,
    END_DATE,
    EVENT_TYPE_RAW,
    START_DATE,
    TIMESTAMP,
    Dataset,
)
from churn.core.errors import SchemaError
from churn.core.formatting import fmt_date, fmt_number, fmt_pct
from churn.core.i18n import t
from churn.engine import checks as engine_checks
from churn.engine.connection import connect
from churn.ingest.columns import customer_ids
from churn.ingest.event_kinds import missing_ids
from churn.ingest.events import event_timestamps
from churn.ingest.leaks import (
    LEAKAGE_AUC,
    REASONS,
    Leak,
    leak_evidence,
    leakage_reasons,
    leakage_suspects,
    single_column_auc,
)
from churn.ingest.measures import (
    client_columns,
    event_count,
    event_dates_on_disk,
    history_months,
    missing_by_column,
    missing_share,
)
from churn.ingest.parsing import to_dates
from churn.ingest.plausible_dates import (
    DateColumn,
    date_column,
    far_bounds,
    implausible_dates,
    outside,
    plausible_ranges,
)

__all__ = [
    "PASS",
    "WARN",
    "FAIL",
    "LEAKAGE_AUC",
    "REASONS",
    "Check",
    "Leak",
    "leak_evidence",
    "leakage_reasons",
    "leakage_suspects",
    "single_column_auc",
    "implausible_dates",
    "DateColumn",
    "EventFileSummary",
    "date_column",
    "event_count",
    "event_dates_on_disk",
    "far_bounds",
    "outside",
    "plausible_ranges",
    "raw_dates",
    "history_months",
    "missing_by_column",
    "missing_share",
    "quality_checks",
    "verdict",
    "roles_summary",
    "leak_report",
    "client_columns",
    "profile",
]

log = logging.getLogger(__name__)

PASS, WARN, FAIL = "pass", "warn", "fail"
MIN_HISTORY_MONTHS = 18
MAX_MISSING_SHARE = 0.20
FAIL_MISSING_SHARE = 0.50
MIN_CUSTOMERS = 100
MIN_CHURNED = 20
DUPLICATE_EVENT_SHARE = 0.001
NEARLY_ALL_IMPLAUSIBLE = 0.95


@dataclass(frozen=True)
class Check:
    """One line of the data-quality report.

    Attributes
    ----------
    name : str
        Stable id (``history``, ``missing``, ...).
    status : str
        ``pass``, ``warn`` or ``fail``.
    message : str
        One plain sentence in the requested language.
    """

    name: str
    status: str
    message: str


@dataclass(frozen=True)
class EventFileSummary:
    """What the event checks need from an event log read out of core, whose raw rows are never held.

    :mod:`churn.ingest.big_events` fills it in SQL while it reads the file;
    with it, :func:`quality_checks` says the same as it would with the raw log
    as a frame.

    Attributes
    ----------
    rows : int
        Rows of the raw log holding any value.
    causes : dict[str, int]
        Rows left out by cause, as the event check counts them: ``no_id``,
        ``no_date`` (no usable date, or one far outside the rest) and
        ``unknown`` (a customer missing from the customer table).
    dates : DateColumn or None
        The raw event times (every row), or None when the dates check would
        not read the column as dates.
    far : int
        Raw event times far outside the rest.
    far_example : pd.Timestamp or None
        The first of them in file order.
    events : DateColumn or None
        The canonical events' times, when known without reading them again
        (for :func:`history_months`); None: summed up from ``event_path``.
    """

    rows: int
    causes: dict
    dates: DateColumn | None
    far: int = 0
    far_example: pd.Timestamp | None = None
    events: DateColumn | None = None


def _names(columns, lang: str = "en", limit: int = 3) -> str:
    quote = "«{}»" if lang == "nb" else "'{}'"
    shown = [quote.format(c) for c in list(columns)[:limit]]
    more = len(columns) - limit
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


# ---------------------------------------------------------------- checks


def _history_check(dataset: Dataset, lang: str, months: float | None) -> Check:
    if months is None:
        return Check("history", WARN, t("quality.history_unknown", lang))
    values = {"months": fmt_number(months, lang, 0), "minimum": MIN_HISTORY_MONTHS}
    if months >= MIN_HISTORY_MONTHS:
        return Check("history", PASS, t("quality.history_pass", lang, **values))
    return Check("history", WARN, t("quality.history_warn", lang, count=values["months"], **values))


def raw_dates(frame: pd.DataFrame | None, column: str | None) -> pd.Series | None:
    """A raw table's column as dates, as the dates check reads it (None when absent or not dates)."""
    if frame is None or column is None or column not in frame:
        return None
    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    return to_dates(series.map(lambda v: v if pd.isna(v) else str(v)).astype(object))


def _raw_date_columns(dataset: Dataset, raw_customers, raw_events) -> dict[str, tuple[str, pd.Series]]:
    """Role -> (the client's column name, its raw dates) for the mapped date columns."""
    mapping = dataset.mapping
    sources = {
        START_DATE: (raw_customers, mapping.start_date),
        END_DATE: (raw_customers, mapping.end_date),
        TIMESTAMP: (raw_events, mapping.event_timestamp),
    }
    columns = {role: (column, raw_dates(frame, column)) for role, (frame, column) in sources.items()}
    return {role: (column, dates) for role, (column, dates) in columns.items() if dates is not None}


def _dates_check(
    dataset: Dataset, raw_customers, raw_events, lang: str, summary: EventFileSummary | None = None
) -> Check | None:
    """Implausible dates per date column, in the client's column names (needs the raw tables or the summary).

    An event time inside its fences is never after the export, so the event
    times flagged are those far outside the rest, which the summary counts.
    """
    columns = _raw_date_columns(dataset, raw_customers, raw_events)
    summed = {role: date_column(dates) for role, (_, dates) in columns.items()}
    if summary is not None and summary.dates is not None and dataset.mapping.event_timestamp:
        summed[TIMESTAMP] = summary.dates
    if not summed:
        return None
    ranges = plausible_ranges(summed)
    lines, worst = [], 0.0
    for role in summed:
        if role in columns:
            column, dates = columns[role]
            flagged = dates[outside(dates, ranges[role])]
            count, example, known = (
                len(flagged),
                (flagged.iloc[0] if len(flagged) else None),
                int(dates.notna().sum()),
            )
        else:
            column, count, example, known = (
                dataset.mapping.event_timestamp,
                summary.far,
                summary.far_example,
                summary.dates.count,
            )
        if not count:
            continue
        lines.append(
            t(
                "quality.dates_warn",
                lang,
                column=column,
                count=fmt_number(count, lang),
                example=fmt_date(example, lang),
            )
        )
        worst = max(worst, count / known)
    if not lines:
        return Check("dates", PASS, t("quality.dates_pass", lang))
    if worst >= NEARLY_ALL_IMPLAUSIBLE:
        return Check("dates", FAIL, " ".join([*lines, t("quality.dates_fail", lang)]))
    return Check("dates", WARN, " ".join(lines))


def _missing_check(dataset: Dataset, lang: str) -> Check:
    shares = missing_by_column(dataset)
    share = float(shares.mean()) if len(shares) else 0.0
    values = {"share": fmt_pct(share, lang), "limit": fmt_pct(MAX_MISSING_SHARE, lang, 0)}
    if share < MAX_MISSING_SHARE:
        key = "quality.missing_pass"
        status = PASS
    else:
        key = "quality.missing_warn"
        status = FAIL if share >= FAIL_MISSING_SHARE else WARN
    message = t(key, lang, **values)
    if len(shares) and shares.max() >= 0.05:
        worst = shares.idxmax()
        message += " " + t("quality.missing_worst", lang, column=worst, share=fmt_pct(shares.max(), lang))
    return Check("missing", status, message)


def _size_checks(dataset: Dataset, lang: str) -> list[Check]:
    customers = len(dataset.customers)
    churned = int(dataset.customers[CHURNED].sum())
    size = {"count": fmt_number(customers, lang), "minimum": MIN_CUSTOMERS}
    lost = {"count": fmt_number(churned, lang), "minimum": MIN_CHURNED}
    return [
        Check(
            "customers",
            PASS if customers >= MIN_CUSTOMERS else WARN,
            t(
                "quality.customers_pass" if customers >= MIN_CUSTOMERS else "quality.customers_warn",
                lang,
                **size,
            ),
        ),
        Check(
            "churned",
            PASS if churned >= MIN_CHURNED else (WARN if churned > 0 else FAIL),
            t("quality.churned_pass" if churned >= MIN_CHURNED else "quality.churned_warn", lang, **lost),
        ),
    ]


def _duplicate_check(dataset: Dataset, raw_customers: pd.DataFrame | None, lang: str) -> Check:
    """Exact duplicate customer rows and repeated events.

    Without an id column intake numbers the rows, so copies of a row become
    separate customers: the check says so, with the count.
    """
    rows = 0 if raw_customers is None else int(raw_customers.duplicated().sum())
    events, total = 0, 0
    if dataset.has_events and dataset.events is None:  # on disk: summed up in SQL
        source = engine_checks.canonical_source(dataset.event_path)
        with connect() as con:
            events, total = (
                engine_checks.duplicate_events(con, source),
                engine_checks.event_count(con, source),
            )
    elif dataset.has_events:
        columns = [CUSTOMER_ID, TIMESTAMP, EVENT_TYPE_RAW, AMOUNT, DAYS_LATE]
        events, total = int(dataset.events.duplicated(subset=columns).sum()), len(dataset.events)
    few_events = dataset.has_events and events < DUPLICATE_EVENT_SHARE * total
    if rows == 0 and (events == 0 or few_events):
        key = "quality.duplicates_few" if events else "quality.duplicates_pass"
        return Check("duplicates", PASS, t(key, lang, events=fmt_number(events, lang)))
    parts = []
    if rows:
        key = (
            "quality.duplicates_numbered"
            if dataset.mapping.customer_id is None
            else "quality.duplicates_rows"
        )
        parts.append(t(key, lang, rows=fmt_number(rows, lang)))
    if events and not few_events:
        parts.append(t("quality.duplicates_events", lang, events=fmt_number(events, lang)))
    return Check("duplicates", WARN, " ".join(parts))


def _constant_check(dataset: Dataset, lang: str) -> Check:
    constant = [c for c in dataset.attributes if dataset.customers[c].nunique(dropna=True) <= 1]
    if not constant:
        return Check("constant", PASS, t("quality.constant_pass", lang))
    return Check("constant", WARN, t("quality.constant_warn", lang, columns=_names(constant, lang)))


def _leakage_check(dataset: Dataset, lang: str, limit: int = 5) -> Check:
    """The suspects left out of the model, each with a short reason; and those the user kept."""
    kept = [c for c in dataset.mapping.kept_suspects if c in dataset.attributes]
    excluded = [c for c in dataset.leakage if c not in kept]
    if not excluded and not kept:
        return Check("leakage", PASS, t("quality.leakage_pass", lang))
    leaks = leak_evidence(dataset.customers, [*excluded, *kept])
    parts = []
    if excluded:
        parts.append(t("quality.leakage_warn", lang, reasons=_leak_list(excluded, leaks, lang, limit)))
    if kept:
        parts.append(t("quality.leakage_kept", lang, reasons=_leak_list(kept, leaks, lang, limit)))
    return Check("leakage", WARN, " ".join(parts))


def _leak_list(columns: list[str], leaks: dict[str, Leak], lang: str, limit: int) -> str:
    """``'a' (reason), 'b' (reason) (+2)``: the columns in the client's names with short reasons."""
    shown = []
    for column in columns[:limit]:
        name = _names([column], lang)
        shown.append(f"{name} ({leaks[column].short(lang)})" if column in leaks else name)
    more = len(columns) - limit
    return ", ".join(shown) + (f" (+{fmt_number(more, lang)})" if more > 0 else "")


def _event_causes(dataset: Dataset, raw_events: pd.DataFrame) -> dict[str, int] | None:
    """Raw event rows left out, by cause (no id, no usable date, unknown customer), or None.

    The causes are exclusive, tried in that order. None when the mapped columns
    are not in the raw log (nothing to count from).
    """
    mapping = dataset.mapping
    id_column, date_column = mapping.event_customer_id, mapping.event_timestamp
    if id_column not in raw_events or date_column not in raw_events:
        return None
    ids = customer_ids(raw_events[id_column])
    no_id = missing_ids(raw_events[id_column])
    try:
        stamps = event_timestamps(raw_events[date_column])
    except SchemaError:
        stamps = None
    if stamps is None:
        no_date = pd.Series(True, index=raw_events.index)
    else:
        no_date = stamps.isna() | implausible_dates({TIMESTAMP: stamps})[TIMESTAMP]
    no_date &= ~no_id
    # an event log alone has a customer for every id it kept, so this counts only with a customer table
    unknown = ~ids.isin(set(dataset.customers[CUSTOMER_ID])) & ~no_id & ~no_date
    return {"no_id": int(no_id.sum()), "no_date": int(no_date.sum()), "unknown": int(unknown.sum())}


def _event_check(
    dataset: Dataset, raw_events: pd.DataFrame | None, lang: str, summary: EventFileSummary | None = None
) -> Check | None:
    """How many raw event rows were left out, and why: no customer id, no usable date, unknown customer."""
    if summary is not None:
        total, causes = summary.rows, dict(summary.causes)
    elif raw_events is None or not len(raw_events):
        return None
    else:
        total, causes = len(raw_events), None
    if not total:
        return None
    kept = event_count(dataset)
    dropped = total - kept
    if dropped <= 0:
        return Check("events", PASS, t("quality.events_pass", lang, count=fmt_number(kept, lang)))
    counts = {"dropped": fmt_number(dropped, lang), "total": fmt_number(total, lang)}
    if summary is None:
        causes = _event_causes(dataset, raw_events)
    if causes is None or sum(causes.values()) > dropped:
        return Check("events", WARN, t("quality.events_warn", lang, **counts))
    causes["other"] = dropped - sum(causes.values())
    parts = [
        t(f"quality.events_cause_{cause}", lang, count=fmt_number(count, lang))
        for cause, count in causes.items()
        if count
    ]
    return Check("events", WARN, t("quality.events_warn_causes", lang, causes="; ".join(parts), **counts))


def quality_checks(
    dataset: Dataset,
    raw_customers: pd.DataFrame | None = None,
    raw_events: pd.DataFrame | None = None,
    lang: str = "en",
    event_summary: EventFileSummary | None = None,
) -> list[Check]:
    """Run every data-quality check on a dataset.

    Parameters
    ----------
    dataset : Dataset
        The built dataset.
    raw_customers, raw_events : pd.DataFrame, optional
        The typed tables as read (before building), for checks on what was
        dropped (duplicate raw rows, events of unknown customers, implausible dates).
    lang : str
        Language of the messages.
    event_summary : EventFileSummary, optional
        Stands in for ``raw_events`` when the log was read out of core
        (:mod:`churn.ingest.big_events`); the events then live in
        ``dataset.event_path`` and the checks that need every event run in SQL.

    Returns
    -------
    list[Check]
        history, (with a raw table holding mapped dates) dates, missing,
        customers, churned, duplicates, constant, leakage and (with
        ``raw_events`` or ``event_summary``) events.
    """
    months = history_months(dataset, event_summary.events if event_summary else None)
    return _checks(dataset, raw_customers, raw_events, lang, event_summary, months)


def _checks(dataset, raw_customers, raw_events, lang, event_summary, months) -> list[Check]:
    """:func:`quality_checks` with the history already measured (the profile shows it too)."""
    checks = [
        _history_check(dataset, lang, months),
        _dates_check(dataset, raw_customers, raw_events, lang, event_summary),
        _missing_check(dataset, lang),
        *_size_checks(dataset, lang),
        _duplicate_check(dataset, raw_customers, lang),
        _constant_check(dataset, lang),
        _leakage_check(dataset, lang),
        _event_check(dataset, raw_events, lang, event_summary),
    ]
    return [c for c in checks if c is not None]


def verdict(checks: list[Check]) -> str:
    """The worst status among ``checks`` (``fail`` > ``warn`` > ``pass``)."""
    statuses = {c.status for c in checks}
    return FAIL if FAIL in statuses else WARN if WARN in statuses else PASS


def leak_report(dataset: Dataset, lang: str = "en") -> list[dict]:
    """Each leakage suspect (excluded or kept by the user) with its reason code and sentence in ``lang``.

    Returns
    -------
    list of dict
        ``column``, ``reason`` (a code of :data:`REASONS`), ``text`` and ``kept``
        (True when the user brought the column back as a feature), in column order.
    """
    kept = [c for c in dataset.mapping.kept_suspects if c in dataset.attributes]
    columns = [c for c in dataset.attributes if c in dataset.leakage or c in kept]
    leaks = leak_evidence(dataset.customers, columns)
    return [
        {"column": c, "reason": leaks[c].reason, "text": leaks[c].text(lang), "kept": c in kept}
        for c in columns
        if c in leaks
    ]


def roles_summary(dataset: Dataset) -> dict:
    """The confirmed roles without empty entries (for display and JSON)."""
    return {k: v for k, v in dataset.mapping.to_dict().items() if v not in (None, [], {}, ())}


def profile(
    dataset: Dataset,
    lang: str = "en",
    raw_customers: pd.DataFrame | None = None,
    raw_events: pd.DataFrame | None = None,
    event_summary: EventFileSummary | None = None,
) -> dict:
    """A JSON-ready profile of a dataset: size, churn, history, missing values, roles and checks.

    Returns
    -------
    dict
        ``name, rows`` (customer rows + event rows), ``customers, churned, churn_rate,
        events, history_months, missing_share, as_of, churn_definition, roles,
        attributes, categorical, leakage, leak_reasons`` (:func:`leak_report`), ``checks``
        (list of name/status/message) and ``verdict``.

    Example
    -------
    100 customers of whom 25 churned: ``churn_rate`` = 25 / 100 = 0.25.
    ``event_summary`` is passed on to :func:`quality_checks`.
    """
    customers = len(dataset.customers)
    churned = int(dataset.customers[CHURNED].sum())
    events = event_count(dataset)
    months = history_months(dataset, event_summary.events if event_summary else None)
    checks = _checks(dataset, raw_customers, raw_events, lang, event_summary, months)
    return {
        "name": dataset.name,
        "rows": customers + events,
        "customers": customers,
        "churned": churned,
        "churn_rate": round(churned / customers, 4) if customers else None,
        "events": events,
        "history_months": None if months is None else round(months, 1),
        "missing_share": round(missing_share(dataset), 4),
        "as_of": None if dataset.as_of is None else dataset.as_of.date().isoformat(),
        "churn_definition": dataset.churn_definition,
        "roles": roles_summary(dataset),
        "attributes": list(dataset.attributes),
        "categorical": list(dataset.categorical),
        "leakage": list(dataset.leakage),
        "leak_reasons": leak_report(dataset, lang),
        "checks": [asdict(c) for c in checks],
        "verdict": verdict(checks),
    }
