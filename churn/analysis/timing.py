"""When customers leave, on the calendar: monthly churn rate, CRR, revenue churn, cohorts.

All functions take a :class:`~churn.core.dataset.Dataset` (or its canonical customer
frame) and return new frames; the input is never changed.

Conventions
-----------
* A customer is *active* from ``start_date`` (inclusive) until ``end_date``
  (exclusive); ``end_date`` only counts when ``churned == 1``.
* Month ``m`` runs from its first day up to the first day of the next month.
  ``S`` (start) = customers active on the first day, ``N`` (new) = customers
  whose ``start_date`` falls in the month, ``lost`` = customers of ``S`` whose
  ``end_date`` falls in the month, ``lost_new`` = new customers who also left
  in the month, ``E`` (end) = ``S + N - lost - lost_new``.
* Monthly churn rate = ``lost / S`` (seed 003: 10 of 100 at the start of the
  month is 10 %); Customer Retention Rate ``CRR = (E - N) / S * 100`` (seed 002).
* Revenue churn = monthly value of ``lost`` / monthly value of ``S``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from churn.core.dataset import (
    CHURN_FROM_INACTIVITY,
    CHURNED,
    DAYS_PER_MONTH,
    END_DATE,
    START_DATE,
    TENURE,
    VALUE,
    Dataset,
)
from churn.core.errors import SchemaError

log = logging.getLogger(__name__)

#: Months used for the "recent average" of the monthly churn rate.
RECENT_MONTHS = 12


def customers_of(data: Dataset | pd.DataFrame) -> pd.DataFrame:
    """The canonical customer frame of ``data`` (a Dataset or the frame itself)."""
    return data.customers if isinstance(data, Dataset) else data


def has_dates(data: Dataset | pd.DataFrame) -> bool:
    """True when customers carry start dates, so calendar churn and cohorts can be computed."""
    frame = customers_of(data)
    return START_DATE in frame and frame[START_DATE].notna().any()


def _as_of(data: Dataset | pd.DataFrame, as_of) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    if isinstance(data, Dataset) and data.as_of is not None:
        return pd.Timestamp(data.as_of)
    frame = customers_of(data)
    dates = [frame[c].max() for c in (START_DATE, END_DATE) if c in frame]
    dates = [d for d in dates if pd.notna(d)]
    if not dates:
        raise SchemaError("errors.no_start_dates")
    return pd.Timestamp(max(dates))


def _dated(data: Dataset | pd.DataFrame) -> pd.DataFrame:
    """Customers with a start date; ``end`` is the churn date (NaT while active)."""
    frame = customers_of(data)
    if not has_dates(frame):
        raise SchemaError("errors.start_date_missing")
    out = pd.DataFrame(
        {
            "start": pd.to_datetime(frame[START_DATE]),
            "end": pd.to_datetime(frame[END_DATE]) if END_DATE in frame else pd.NaT,
            "churned": frame[CHURNED].astype(int),
            "value": frame[VALUE].astype(float) if VALUE in frame else np.nan,
        }
    )
    out.loc[out["churned"] == 0, "end"] = pd.NaT
    return out[out["start"].notna()]


def _window_days(data: Dataset | pd.DataFrame) -> int:
    """Days at the end of the history where churn is not yet knowable (inactivity churn)."""
    if isinstance(data, Dataset) and data.churn_definition == CHURN_FROM_INACTIVITY:
        return int(data.mapping.inactivity_days or 0)
    return 0


def monthly_churn(data: Dataset | pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Churn rate, CRR and revenue churn for every calendar month, with the counts behind them.

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        Customers in canonical form with ``start_date``; ``end_date`` for churned ones.
    as_of : date-like, optional
        "Today" for the data; defaults to ``Dataset.as_of`` or the latest date seen.

    Returns
    -------
    pd.DataFrame
        One row per month from the first signup month to the ``as_of`` month:
        ``month`` (first day), ``start_customers`` (S), ``new_customers`` (N),
        ``lost_customers``, ``lost_new``, ``end_customers`` (E), ``churn_rate``
        (share, NaN when S is 0), ``crr`` (percent), ``start_value``,
        ``lost_value``, ``revenue_churn`` (share; NaN without values) and
        ``complete`` (False for the running month, and for months whose churn
        cannot be known yet because the inactivity window has not passed).

    Example
    -------
    100 customers at the start of a month, 10 of them cancel: ``churn_rate`` 0.10.
    """
    frame = _dated(data)
    as_of = _as_of(data, as_of)
    first = frame["start"].min().to_period("M")
    months = pd.period_range(first, as_of.to_period("M"), freq="M")
    known_until = as_of - pd.Timedelta(days=_window_days(data))
    start = frame["start"].to_numpy()
    end = frame["end"].fillna(pd.Timestamp.max).to_numpy()
    value = frame["value"].fillna(0.0).to_numpy()
    has_value = frame["value"].notna().any()
    rows = [
        _month_row(m0, m1, start, end, value, has_value, known_until)
        for m0, m1 in zip(months.to_timestamp(), (months + 1).to_timestamp(), strict=True)
    ]
    return pd.DataFrame(rows)


def _month_row(
    m0: pd.Timestamp,
    m1: pd.Timestamp,
    start: np.ndarray,
    end: np.ndarray,
    value: np.ndarray,
    has_value: bool,
    known_until: pd.Timestamp,
) -> dict:
    """Counts, rates and values of the month ``[m0, m1)`` from each customer's start, end and value."""
    m0, m1 = m0.to_datetime64(), m1.to_datetime64()
    at_start = (start < m0) & (end >= m0)
    new = (start >= m0) & (start < m1)
    leaves = (end >= m0) & (end < m1)
    lost, lost_new = at_start & leaves, new & leaves
    s, n = int(at_start.sum()), int(new.sum())
    e = s + n - int(lost.sum()) - int(lost_new.sum())
    start_value, lost_value = float(value[at_start].sum()), float(value[lost].sum())
    return {
        "month": pd.Timestamp(m0),
        "start_customers": s,
        "new_customers": n,
        "lost_customers": int(lost.sum()),
        "lost_new": int(lost_new.sum()),
        "end_customers": e,
        "churn_rate": lost.sum() / s if s else np.nan,
        "crr": (e - n) / s * 100 if s else np.nan,
        "start_value": start_value if has_value else np.nan,
        "lost_value": lost_value if has_value else np.nan,
        "revenue_churn": lost_value / start_value if has_value and start_value else np.nan,
        "complete": pd.Timestamp(m1) - pd.Timedelta(days=1) <= known_until,
    }


def churn_trend(monthly: pd.DataFrame, recent: int = RECENT_MONTHS) -> dict:
    """Straight-line trend of the monthly churn rate and the average of the last ``recent`` months.

    Only complete months with customers at the start are used.

    Parameters
    ----------
    monthly : pd.DataFrame
        Output of :func:`monthly_churn`.
    recent : int
        Months in the recent average (12 by default).

    Returns
    -------
    dict
        ``recent_average`` (mean monthly churn rate of the last ``recent``
        complete months), ``recent_months`` (how many were available),
        ``slope_per_month`` (change of the rate per month, as a share),
        ``recent_revenue_churn`` (mean revenue churn, NaN without values),
        ``recent_crr`` (mean CRR in percent).
    """
    usable = monthly[monthly["complete"] & monthly["churn_rate"].notna()]
    last = usable.tail(recent)
    slope = np.nan
    if len(usable) >= 3:
        x = np.arange(len(usable), dtype=float)
        slope = float(np.polyfit(x, usable["churn_rate"].to_numpy(float), 1)[0])
    return {
        "recent_average": float(last["churn_rate"].mean()) if len(last) else np.nan,
        "recent_months": int(len(last)),
        "slope_per_month": slope,
        "recent_revenue_churn": float(last["revenue_churn"].mean()) if len(last) else np.nan,
        "recent_crr": float(last["crr"].mean()) if len(last) else np.nan,
    }


def with_trend(monthly: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``monthly`` with a ``trend`` column: the least-squares line through complete months."""
    out = monthly.copy()
    usable = out["complete"] & out["churn_rate"].notna()
    out["trend"] = np.nan
    if usable.sum() >= 3:
        x = np.flatnonzero(usable.to_numpy())
        slope, intercept = np.polyfit(x.astype(float), out.loc[usable, "churn_rate"].to_numpy(float), 1)
        out.loc[usable, "trend"] = intercept + slope * x
    return out


def cohort_retention(data: Dataset | pd.DataFrame, as_of=None, max_months: int | None = None) -> pd.DataFrame:
    """Share of each signup-month cohort still active ``k`` months after signup (and the value share).

    A customer is retained at month ``k`` when they have not churned or their
    tenure is longer than ``k`` months. A cell is filled only when every member
    of the cohort has been observed for ``k`` months (signup month's last day
    plus ``k`` months is on or before ``as_of``): half-observed cells would
    count the youngest customers as retained just because they cannot have
    left yet.

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        Canonical customers with ``start_date``.
    as_of : date-like, optional
        "Today" for the data.
    max_months : int, optional
        Longest age to show.

    Returns
    -------
    pd.DataFrame
        Long form, one row per (cohort, months_since_signup): ``cohort`` (first
        day of the signup month), ``months_since_signup``, ``cohort_size``,
        ``retained``, ``retention`` (share), ``cohort_value``,
        ``retained_value``, ``revenue_retention`` (share; NaN without values).
    """
    frame = _dated(data)
    as_of = _as_of(data, as_of)
    tenure = (frame["end"].fillna(as_of) - frame["start"]).dt.days / DAYS_PER_MONTH
    frame = frame.assign(cohort=frame["start"].dt.to_period("M"), tenure=tenure)
    has_value = frame["value"].notna().any()
    rows = []
    for cohort, members in frame.groupby("cohort", sort=True):
        rows += _cohort_rows(cohort, members, _observed_months(cohort, as_of, max_months), has_value)
    return pd.DataFrame(rows, columns=_COHORT_COLUMNS)


#: Columns of :func:`cohort_retention`, in order.
_COHORT_COLUMNS = [
    "cohort",
    "months_since_signup",
    "cohort_size",
    "retained",
    "retention",
    "cohort_value",
    "retained_value",
    "revenue_retention",
]


def _observed_months(cohort: pd.Period, as_of: pd.Timestamp, max_months: int | None) -> int:
    """Whole months every member of the signup-month ``cohort`` has been observed (capped)."""
    last_day = (cohort + 1).to_timestamp() - pd.Timedelta(days=1)
    observed = int((as_of - last_day).days // DAYS_PER_MONTH)
    if max_months is not None:
        observed = min(observed, max_months)
    return observed


def _cohort_rows(cohort: pd.Period, members: pd.DataFrame, observed: int, has_value: bool) -> list[dict]:
    """Retention of one cohort at ages ``0..observed`` months, by count and by value."""
    size, total_value = len(members), float(members["value"].sum())
    rows = []
    for k in range(observed + 1):
        kept = (members["churned"] == 0) | (members["tenure"] > k)
        kept_value = float(members.loc[kept, "value"].sum())
        rows.append(
            {
                "cohort": cohort.to_timestamp(),
                "months_since_signup": k,
                "cohort_size": size,
                "retained": int(kept.sum()),
                "retention": kept.sum() / size,
                "cohort_value": total_value if has_value else np.nan,
                "retained_value": kept_value if has_value else np.nan,
                "revenue_retention": kept_value / total_value if has_value and total_value else np.nan,
            }
        )
    return rows


def retention_matrix(cohorts: pd.DataFrame, column: str = "retention") -> pd.DataFrame:
    """Pivot :func:`cohort_retention` into signup month (rows) × months since signup (columns)."""
    return cohorts.pivot(index="cohort", columns="months_since_signup", values=column)


def select_customers(
    data: Dataset | pd.DataFrame,
    segment: str | None = None,
    values: list | tuple | None = None,
    signup_from=None,
    signup_to=None,
) -> pd.DataFrame:
    """Customers filtered by segment values and signup period (a new frame).

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        Canonical customers.
    segment : str, optional
        Attribute column to filter on; ``values`` lists the kept values
        (None or empty keeps all).
    signup_from, signup_to : date-like, optional
        Keep customers who signed up in this period (inclusive); ignored when
        the data has no start dates.

    Returns
    -------
    pd.DataFrame
        The kept customers (a copy).
    """
    frame = customers_of(data)
    keep = pd.Series(True, index=frame.index)
    if segment and values:
        if segment not in frame:
            raise SchemaError("errors.segment_missing", column=str(segment))
        keep &= frame[segment].astype(str).isin([str(v) for v in values])
    if has_dates(frame):
        if signup_from is not None:
            keep &= frame[START_DATE] >= pd.Timestamp(signup_from)
        if signup_to is not None:
            keep &= frame[START_DATE] <= pd.Timestamp(signup_to)
    return frame.loc[keep].copy()


def segment_columns(data: Dataset, max_values: int = 30) -> list[str]:
    """Attribute columns that make sensible segments: mapped segments first, then other categoricals.

    Leakage suspects (e.g. a churn reason) and columns with one value or more
    than ``max_values`` values are left out.
    """
    frame = data.customers
    candidates = [*data.mapping.segments, *data.categorical]
    out = []
    for column in candidates:
        if column in out or column in data.leakage or column not in frame:
            continue
        if 2 <= frame[column].nunique(dropna=True) <= max_values:
            out.append(column)
    return out


def tenure_summary(data: Dataset | pd.DataFrame) -> dict:
    """Counts for the headline: customers, churned, churn share, and mean observed tenure (months)."""
    frame = customers_of(data)
    n = len(frame)
    churned = int(frame[CHURNED].sum()) if n else 0
    return {
        "customers": n,
        "churned": churned,
        "churn_share": churned / n if n else np.nan,
        "mean_tenure_months": float(frame[TENURE].mean()) if n else np.nan,
    }
