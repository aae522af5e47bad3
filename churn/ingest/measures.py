"""What the data-quality checks measure: months of history, events, missing values, the client's headers.

Plain functions of a :class:`~churn.core.dataset.Dataset`; :mod:`churn.ingest.quality`
turns them into pass / warn / fail. Events held only on disk
(``dataset.events is None``, ``event_path`` set) are summed up in SQL.
"""

from __future__ import annotations

import pandas as pd

from churn.core.dataset import CHURNED, DAYS_PER_MONTH, START_DATE, TENURE, TIMESTAMP, VALUE, Dataset
from churn.core.display import ROLE_OF_COLUMN
from churn.engine import checks as engine_checks
from churn.engine.connection import connect
from churn.ingest.plausible_dates import (
    DateColumn,
    date_column,
    far_bounds,
    implausible_dates,
    outside,
    plausible_ranges,
)

__all__ = [
    "client_columns",
    "event_count",
    "event_dates_on_disk",
    "history_months",
    "missing_by_column",
    "missing_share",
]


def history_months(dataset: Dataset, event_dates: DateColumn | None = None) -> float | None:
    """Months from the earliest plausible start or event date to ``as_of`` (None without dates).

    Dates :func:`implausible_dates` flags (a 1900 start) do not stretch the history.
    Events held only on disk (``dataset.events is None``) are summed up in SQL,
    unless ``event_dates`` describes them already.

    Example
    -------
    Starts 2023-01-01 ... 2024-06-30 and 1900-01-01, ``as_of`` 2024-08-01:
    2023-01-01 -> 2024-08-01 = 578 days / 30.4375 = 18.99 months.
    """
    if dataset.as_of is None:
        return None
    starts = dataset.customers[START_DATE] if dataset.has_dates else None
    if dataset.has_events and dataset.events is None:
        return _history_on_disk(dataset, starts, event_dates)
    dates = {} if starts is None else {START_DATE: starts}
    if dataset.has_events:
        dates[TIMESTAMP] = dataset.events[TIMESTAMP]
    if not dates:
        return None
    flags = implausible_dates(dates, today=dataset.as_of)
    firsts = [series[~flags[role]].min() for role, series in dates.items()]
    firsts = [first for first in firsts if pd.notna(first)]
    return float((dataset.as_of - min(firsts)).days / DAYS_PER_MONTH) if firsts else None


def event_dates_on_disk(dataset: Dataset) -> DateColumn:
    """The :class:`DateColumn` of the event times of a dataset whose events live only in ``event_path``."""
    source = engine_checks.canonical_source(dataset.event_path)
    with connect() as con:
        count, low, high = engine_checks.date_quartiles(con, source)
        fences = far_bounds(count, low, high)
        earliest, latest = engine_checks.date_span(con, source, fences)
    return DateColumn(count, *fences, earliest, latest)


def _history_on_disk(
    dataset: Dataset, starts: pd.Series | None, events: DateColumn | None = None
) -> float | None:
    """:func:`history_months` with the event times summed up in SQL.

    An event time inside its fences is never after the export (the export is
    at least the latest of them), so the first plausible event is the first
    one inside the fences.
    """
    events = events or event_dates_on_disk(dataset)
    columns = {TIMESTAMP: events} if starts is None else {START_DATE: date_column(starts), TIMESTAMP: events}
    ranges = plausible_ranges(columns, today=dataset.as_of)
    firsts = [events.earliest]
    if starts is not None:
        firsts.append(starts[~outside(starts, ranges[START_DATE])].min())
    firsts = [first for first in firsts if first is not None and pd.notna(first)]
    return float((dataset.as_of - min(firsts)).days / DAYS_PER_MONTH) if firsts else None


def event_count(dataset: Dataset) -> int:
    """The dataset's canonical events: the frame's rows, or a count of the Parquet file when they live on disk."""
    if dataset.events is not None:
        return len(dataset.events)
    if dataset.event_path is None:
        return 0
    with connect() as con:
        return engine_checks.event_count(con, engine_checks.canonical_source(dataset.event_path))


def client_columns(dataset: Dataset) -> dict[str, str]:
    """Canonical customer column -> the client's header it was read from (only the mapped ones).

    Example
    -------
    A file with 'Kundenr', 'Startdato' and 'Månedsbeløp' mapped:
    ``{"customer_id": "Kundenr", "start_date": "Startdato", "monthly_value": "Månedsbeløp"}``.
    """
    mapping = dataset.mapping
    headers = {canon: getattr(mapping, role) for canon, role in ROLE_OF_COLUMN.items() if canon != CHURNED}
    return {canon: header for canon, header in headers.items() if header is not None}


def missing_by_column(dataset: Dataset) -> pd.Series:
    """Share of missing values per client column used for analysis, under the client's header.

    Counted: the mapped start date, tenure and value columns and the model
    attributes. Not counted: the end date (empty for customers who stay, by
    design), leakage suspects, and columns intake derived without a client
    column behind them (tenure computed from the dates, a start date taken from
    the event log): there is nothing the client could fill in.

    Example
    -------
    'signup' mapped to the start date, tenure computed from the dates, a
    'score' attribute empty for 50 of 200 customers: ``{"signup": 0.0, "score": 0.25}``.
    """
    customers = dataset.customers
    shares = {
        header: float(customers[canon].isna().mean())
        for canon, header in client_columns(dataset).items()
        if canon in (START_DATE, TENURE, VALUE) and canon in customers
    }
    for column in dataset.model_attributes:
        shares[column] = float(customers[column].isna().mean())
    return pd.Series(shares, dtype=float)


def missing_share(dataset: Dataset) -> float:
    """Share of missing cells over the columns of :func:`missing_by_column`."""
    shares = missing_by_column(dataset)
    return float(shares.mean()) if len(shares) else 0.0
