"""Implausible dates: a 1900 start or a 2100 end date among 2023 data, by the spread of the others.

A date is implausible when it lies far outside the column's quartiles (more
than :data:`FAR_IQR` interquartile ranges and at least :data:`FAR_MIN_YEARS`
years away) or more than :data:`AFTER_EXPORT_YEARS` years after the export.
Intake treats such dates as missing and leaves them out of ``as_of``; the
engine fences the event times with the same bounds (:func:`far_bounds`, from
quartiles it computes in SQL).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from churn.core.dataset import START_DATE, TIMESTAMP

__all__ = [
    "AFTER_EXPORT_YEARS",
    "FAR_IQR",
    "FAR_MIN_YEARS",
    "DateColumn",
    "date_column",
    "far_bounds",
    "implausible_dates",
    "outside",
    "plausible_ranges",
]

#: A date further than this many interquartile ranges from the quartiles is far outside ...
FAR_IQR = 3.0
#: ... and at least this many years away (long histories stay plausible).
FAR_MIN_YEARS = 30
#: A date more than this many years after the export is implausible.
AFTER_EXPORT_YEARS = 2
#: Fewer dates than this have no quartiles worth trusting: only the export rule applies.
MIN_DATES_FOR_BULK = 5
_DAYS_PER_YEAR = 365.25
_EPOCH = pd.Timestamp("1970-01-01")


def _days(dates: pd.Series) -> pd.Series:
    """Dates as float days since 1970 (NaN where missing): spans of centuries overflow a Timedelta."""
    return (dates - _EPOCH) / pd.Timedelta(days=1)


def _day(date: pd.Timestamp) -> float:
    """One date as float days since 1970, computed in nanoseconds like :func:`_days`."""
    return float(_days(pd.Series([date], dtype="datetime64[ns]")).iloc[0])


@dataclass(frozen=True)
class DateColumn:
    """A date column as the implausible-dates rule sees it: its fences and its plausible extremes.

    Held as numbers, so a column too big for memory (an event log read by
    :mod:`churn.engine`) is described by a few SQL aggregates instead of its values.

    Attributes
    ----------
    count : int
        Dates present.
    low, high : float
        The fences, in days since 1970: a date outside ``[low, high]`` is far
        outside the column (``-inf`` and ``inf`` with fewer than 5 dates).
    earliest, latest : pd.Timestamp or None
        The first and last date inside the fences (None when there is none).
    """

    count: int
    low: float
    high: float
    earliest: pd.Timestamp | None
    latest: pd.Timestamp | None


def far_bounds(count: int, lower_quartile: float | None, upper_quartile: float | None) -> tuple[float, float]:
    """The fences of a date column from its quartiles (days since 1970): max(3 x IQR, 30 years) beyond them.

    Example
    -------
    Quartiles 19396 and 19700 (IQR 304 days): margin max(912, 30 x 365.25 = 10957.5) days,
    so the fences are 8438.5 and 30657.5.

    >>> far_bounds(10, 19396.0, 19700.0)
    (8438.5, 30657.5)
    """
    if count < MIN_DATES_FOR_BULK or lower_quartile is None or upper_quartile is None:
        return -math.inf, math.inf
    margin = max(FAR_IQR * (upper_quartile - lower_quartile), FAR_MIN_YEARS * _DAYS_PER_YEAR)
    return lower_quartile - margin, upper_quartile + margin


def date_column(dates: pd.Series) -> DateColumn:
    """The :class:`DateColumn` of a date series (missing values are left out).

    Example
    -------
    >>> c = date_column(pd.Series(pd.to_datetime(["2024-01-01", "2024-03-01", None])))
    >>> c.count, c.low, c.latest
    (2, -inf, Timestamp('2024-03-01 00:00:00'))
    """
    days = _days(dates)
    known = days.dropna()
    low, high = far_bounds(
        len(known), *(known.quantile([0.25, 0.75]).tolist() if len(known) else (None, None))
    )
    inside = dates[(days >= low) & (days <= high)]
    first, last = (inside.min(), inside.max()) if len(inside) else (None, None)
    return DateColumn(len(known), low, high, first, last)


def plausible_ranges(
    columns: Mapping[str, DateColumn], today: pd.Timestamp | None = None
) -> dict[str, tuple[float, float]]:
    """Per role, the plausible dates as ``(first, last)`` days since 1970: inside the fences, not after the export.

    The export date is the latest start or event date inside its fences
    (``today`` when there is none; the clock unless given), and a date more
    than 2 years after it is implausible. An event date inside its fences is
    never after the export (the export is at least the latest of them), so an
    event log's range is its fences.
    """
    latest = [columns[role].latest for role in (START_DATE, TIMESTAMP) if role in columns]
    latest = [_day(day) for day in latest if day is not None and pd.notna(day)]
    if latest:
        export = max(latest)
    else:
        today = pd.Timestamp.today() if today is None else pd.Timestamp(today)
        export = _day(today.normalize())
    after_export = export + AFTER_EXPORT_YEARS * _DAYS_PER_YEAR
    return {role: (column.low, min(column.high, after_export)) for role, column in columns.items()}


def outside(dates: pd.Series, plausible: tuple[float, float]) -> pd.Series:
    """True where a date lies outside a range of :func:`plausible_ranges` (missing dates never do)."""
    days = _days(dates)
    return (days < plausible[0]) | (days > plausible[1])


def implausible_dates(
    dates: Mapping[str, pd.Series | None], today: pd.Timestamp | None = None
) -> dict[str, pd.Series]:
    """Which start, end and event dates are implausible: sentinels, typos, dates after the export.

    A date is implausible when it is

    1. **far outside its column**: more than max(3 x IQR, 30 years) before the
       column's lower quartile or after its upper quartile. Quartiles are not
       moved by a few stray values, and the 30-year floor keeps legitimate long
       histories (a 1998-2024 customer base, a few founding customers among
       recent ones). Only judged in columns with at least 5 dates.
    2. **after the export**: more than 2 years after the export date, the
       latest start or event date that is not far outside. Since that is the
       latest start or event, only end dates can be after it; 2 years leave
       room for planned cancellations. Without start and event dates the
       export date is ``today`` (the clock unless given).

    The rule is :func:`date_column`, :func:`plausible_ranges` and
    :func:`outside` in turn, so an event log held on disk follows it in SQL.

    Parameters
    ----------
    dates : Mapping[str, pd.Series or None]
        Date columns by role: ``start_date``, ``end_date``, ``timestamp``
        (:mod:`churn.core.dataset` names); None or absent roles are skipped.
    today : pd.Timestamp, optional
        Stands in for the export date when there are no start or event dates.

    Returns
    -------
    dict[str, pd.Series]
        Per given role, a boolean mask (True = implausible) on that column's index;
        missing dates are never implausible.

    Example
    -------
    Start dates 2023-01-01 ... 2024-06-30 (nine of them) and one 1900-01-01:
    quartiles 2023-02-08 and 2023-12-09, IQR 304 days, margin max(2.5, 30) =
    30 years, so dates before 1993-02 or after 2053-12 are far outside: 1900
    is. The export date is 2024-06-30; an end date 2100-12-31 is more than 2
    years after it (and far outside its own column too). One start date per
    year 1998-2024: quartiles mid-2004 and mid-2017, IQR 13 years, margin
    39 years, nothing is implausible.
    """
    columns = {role: series for role, series in dates.items() if series is not None}
    ranges = plausible_ranges({role: date_column(series) for role, series in columns.items()}, today)
    return {role: outside(series, ranges[role]) for role, series in columns.items()}
