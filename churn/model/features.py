"""Point-in-time model features: what was known about each customer at a cutoff date.

A *snapshot* at a cutoff holds one row per customer active at that date
(started before it, not ended by it) with features built ONLY from what was
known before the cutoff, and the label "leaves within the horizon after the
cutoff". Several monthly snapshots whose horizon has fully passed make the
training frame; the snapshot at the dataset's ``as_of`` is what gets scored.

Features (the Explain page turns the names into words):

* event features from :mod:`churn.model.event_features` (counts, trends, recency,
  payment delay, seed 004's ``n_signals``), all from events strictly before the cutoff,
  computed by the engine (:mod:`churn.engine.snapshots`) from events in memory or on disk;
* ``tenure_months`` at the cutoff and ``months_to_anniversary``: months until
  the next yearly anniversary of the start date, in (0, 12]. Renewals, annual
  price changes and the end of a first-year discount fall on anniversaries, so
  risk peaks just before them; tenure alone makes a tree cut the same spike
  out of every year separately. It uses only the start date and the cutoff;
* ``monthly_value`` and the dataset's ``model_attributes``: categoricals as
  strings (for CatBoost), numbers as floats, dates as ``<column>_days_ago``
  when the date lies before the cutoff;
* ``<column>_days_until`` for *planned* date columns only
  (:func:`planned_date_columns`): days from the cutoff to the date when it
  lies after the cutoff ("the discount ends in 40 days").

Why ``_days_until`` is not leakage: a planned date (contract renewal, end of
an intro discount) is a schedule fixed at signup, so its value was already
known at every cutoff after the start; the outcome is never read. Dates that
are recorded when something happens (a last visit, a cancellation request)
never lie after ``as_of`` for active customers, so they are not planned and
only ever give ``_days_ago`` for dates before the cutoff: a date recorded
after the cutoff is invisible at that cutoff. Columns filled only for leavers
are not planned either (and intake flags them as leakage). The assumption is
that the file holds the planned value, not one rewritten later (a "next
renewal" that rolls forward each year would break it); the per-snapshot
leakage checks (:func:`snapshot_leakage`) still judge each ``_days_until``
column against the label and drop it when it gives the outcome away.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from churn.core.dataset import (
    CHURN_FROM_INACTIVITY,
    CHURNED,
    CUSTOMER_ID,
    DAYS_PER_MONTH,
    END_DATE,
    SECONDS_PER_DAY,
    START_DATE,
    TENURE,
    VALUE,
    Dataset,
)
from churn.core.errors import ModelError
from churn.model.event_features import EventIndex, build_event_index, event_features_many, first_event

log = logging.getLogger(__name__)

WINDOWS = (30, 90, 180)
MISSING_CATEGORY = "(missing)"
MODE_SNAPSHOT = "snapshot"
MODE_TABLE = "table"
#: A date column is planned when at least this share of active customers' filled dates lie after as_of ...
PLANNED_MIN_SHARE = 0.05
#: ... and its fill rate differs by less than this between leavers and stayers.
PLANNED_MAX_FILL_GAP = 0.5
DAYS_AGO, DAYS_UNTIL = "_days_ago", "_days_until"
ANNIVERSARY = "months_to_anniversary"


def planned_date_columns(dataset: Dataset, columns: list[str] | None = None) -> list[str]:
    """Date attributes that hold a schedule known in advance (discount end, renewal), not a record.

    A column is planned when, among active customers with a value, at least
    :data:`PLANNED_MIN_SHARE` of the dates lie after ``as_of`` (a record of
    something that happened cannot lie in the future: the same rule intake uses
    in :func:`churn.ingest.quality.leakage_reasons`), and it is filled about as often
    for leavers as for stayers (less than :data:`PLANNED_MAX_FILL_GAP` apart),
    so neither its value nor its absence is written by the outcome.

    Parameters
    ----------
    dataset : Dataset
        The canonical dataset.
    columns : list of str, optional
        Columns to judge; default the dataset's ``model_attributes``.

    Example
    -------
    On the sample, ``discount_end_date`` (signup + 12 months for the 45% with an
    intro discount): 55% of the active customers' dates lie after as_of (>= 5%)
    and it is filled for 44% of stayers and 50% of leavers (gap 0.07 < 0.5) -> planned.
    """
    if dataset.as_of is None:
        return []
    customers = dataset.customers
    active = customers[CHURNED] == 0
    planned = []
    for column in dataset.model_attributes if columns is None else columns:
        if column not in customers or not pd.api.types.is_datetime64_any_dtype(customers[column]):
            continue
        filled = customers[column].notna()
        if not (filled & active).any() or not (~active).any():
            continue
        future = (customers.loc[filled & active, column] > dataset.as_of).mean()
        gap = abs(filled[active].mean() - filled[~active].mean())
        if future >= PLANNED_MIN_SHARE and gap < PLANNED_MAX_FILL_GAP:
            planned.append(column)
    return planned


def active_mask(dataset: Dataset, cutoff: pd.Timestamp) -> pd.Series:
    """Customers active at ``cutoff``: started before it and not ended on or before it.

    At or after the dataset's ``as_of`` a customer marked churned without an end
    date also counts as gone.
    """
    customers = dataset.customers
    mask = pd.Series(True, index=customers.index)
    if START_DATE in customers:
        mask &= ~(customers[START_DATE] >= cutoff)
    if END_DATE in customers:
        mask &= ~(customers[END_DATE] <= cutoff)
    if dataset.as_of is None or cutoff >= dataset.as_of or END_DATE not in customers:
        mask &= customers[CHURNED] == 0
    return mask


def _attribute_features(
    dataset: Dataset, rows: pd.DataFrame, cutoff: pd.Timestamp | None, attributes: list[str] | None
) -> pd.DataFrame:
    """Attribute columns (default: the dataset's model attributes), typed for CatBoost.

    Dates become ``<column>_days_ago`` (date before the cutoff, else NaN) and,
    for planned dates only, ``<column>_days_until`` (date after the cutoff, else NaN).
    """
    columns = dataset.model_attributes if attributes is None else attributes
    planned = set(planned_date_columns(dataset, columns)) if cutoff is not None else set()
    out = {}
    for column in columns:
        if column not in rows:
            continue
        values = _as_number_when_whole(rows[column]) if column in dataset.categorical else rows[column]
        if (
            column in dataset.categorical
            and not pd.api.types.is_numeric_dtype(values)
            or values.dtype == object
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            out[column] = values.astype(object).where(values.notna(), MISSING_CATEGORY).astype(str).to_numpy()
        elif pd.api.types.is_datetime64_any_dtype(values):
            if cutoff is None:
                continue
            days = (cutoff - values).dt.total_seconds().to_numpy() / SECONDS_PER_DAY
            out[column + DAYS_AGO] = np.where(days > 0, days, np.nan)
            if column in planned:
                out[column + DAYS_UNTIL] = np.where(days < 0, -days, np.nan)
        elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            out[column] = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    return pd.DataFrame(out, index=rows.index)


def _as_number_when_whole(values: pd.Series) -> pd.Series:
    """A few-valued column of whole numbers (products held, support calls) as numbers, else unchanged.

    Intake keeps such columns as segments for the pages; the trees split better on their order.
    """
    if pd.api.types.is_bool_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype):
        return values
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    filled = values.dropna()
    numbers = pd.to_numeric(filled, errors="coerce")
    if filled.empty or numbers.isna().any() or (numbers % 1 != 0).any():
        return values
    return pd.to_numeric(values, errors="coerce").astype(float)


def _static_features(
    dataset: Dataset, rows: pd.DataFrame, cutoff: pd.Timestamp | None, attributes: list[str] | None = None
) -> pd.DataFrame:
    """Tenure (at the cutoff when known), monthly value and attributes of ``rows``."""
    out = pd.DataFrame(index=rows.index)
    if cutoff is not None and START_DATE in rows and rows[START_DATE].notna().any():
        days = (cutoff - rows[START_DATE]).dt.total_seconds().to_numpy() / SECONDS_PER_DAY
        out[TENURE] = days / DAYS_PER_MONTH
        out[ANNIVERSARY] = 12 - np.mod(out[TENURE].to_numpy(), 12)
    elif TENURE in rows:
        out[TENURE] = rows[TENURE].astype(float).to_numpy()
    if VALUE in rows:
        out[VALUE] = rows[VALUE].astype(float).to_numpy()
    return pd.concat([out, _attribute_features(dataset, rows, cutoff, attributes)], axis=1)


def training_mode(dataset: Dataset) -> str:
    """``"snapshot"`` when end dates allow point-in-time snapshots, else ``"table"`` (label = churned)."""
    customers = dataset.customers
    dated = (
        dataset.as_of is not None
        and END_DATE in customers
        and customers[END_DATE].notna().any()
        and (START_DATE in customers or dataset.has_events)
    )
    return MODE_SNAPSHOT if dated else MODE_TABLE


def snapshot_features(
    dataset: Dataset,
    cutoff: pd.Timestamp,
    windows: tuple[int, ...] = WINDOWS,
    *,
    event_index: EventIndex | None = None,
) -> pd.DataFrame:
    """Features of every customer active at ``cutoff``, from events strictly before it.

    Parameters
    ----------
    dataset : Dataset
        The canonical dataset (not modified); its events may be a frame or a Parquet file.
    cutoff : pd.Timestamp
        The snapshot date; nothing on or after it is read.
    windows : tuple of int
        Window lengths in days for counts (trends use the two shortest).
    event_index : EventIndex, optional
        The dataset's events already opened in the engine (:func:`build_event_index`);
        by default they are opened for this call and closed after it.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``, one row per active customer (see module docstring).

    Example
    -------
    >>> X = snapshot_features(dataset, pd.Timestamp("2026-06-01"))  # doctest: +SKIP
    >>> X.loc["C00042", "orders_90d"]  # doctest: +SKIP
    """
    return active_snapshot(dataset, pd.Timestamp(cutoff), tuple(windows), event_index)[0]


def active_snapshot(
    dataset: Dataset,
    cutoff: pd.Timestamp,
    windows: tuple[int, ...],
    event_index: EventIndex | None,
    attributes: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(features, seed 004 signal flags or None) of the customers active at ``cutoff``.

    Only events strictly before ``cutoff`` are read. ``attributes`` limits the
    customer-table columns used (default: all of ``dataset.attributes``).
    ``event_index`` as in :func:`snapshot_features`.
    """
    cutoff = pd.Timestamp(cutoff)
    return _snapshot(
        dataset, cutoff, _event_frames(dataset, [cutoff], windows, event_index).get(cutoff), attributes
    )


def _event_frames(
    dataset: Dataset, cutoffs: list[pd.Timestamp], windows: tuple[int, ...], event_index: EventIndex | None
) -> dict[pd.Timestamp, tuple[pd.DataFrame, pd.DataFrame]]:
    """Event features and flags at each cutoff (none without an event log), opening the events if needed."""
    if not dataset.has_events:
        return {}
    if event_index is not None:
        return event_features_many(event_index, cutoffs, windows)
    with build_event_index(dataset) as index:
        return event_features_many(index, cutoffs, windows)


def _snapshot(
    dataset: Dataset,
    cutoff: pd.Timestamp,
    event_frames: tuple[pd.DataFrame, pd.DataFrame] | None,
    attributes: list[str] | None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The active customers' static features beside their event features at ``cutoff`` (when any)."""
    customers = dataset.customers
    rows = customers[active_mask(dataset, cutoff)]
    ids = rows[CUSTOMER_ID].astype(str)
    static = _static_features(dataset, rows, cutoff, attributes)
    static.index = pd.Index(ids, name=CUSTOMER_ID)
    if event_frames is None:
        return static, None
    events, flags = event_frames
    return pd.concat([static, events.reindex(static.index)], axis=1), flags.reindex(static.index)


def snapshot_labels(dataset: Dataset, cutoff: pd.Timestamp, horizon_days: int = 90) -> pd.Series:
    """1 when an active customer's end date falls in ``(cutoff, cutoff + horizon]``, else 0.

    Indexed by ``customer_id`` like :func:`snapshot_features` at the same cutoff.
    """
    cutoff = pd.Timestamp(cutoff)
    rows = dataset.customers[active_mask(dataset, cutoff)]
    end = rows[END_DATE] if END_DATE in rows else pd.Series(pd.NaT, index=rows.index)
    horizon_end = cutoff + pd.Timedelta(days=horizon_days)
    label = ((end > cutoff) & (end <= horizon_end)).astype(int).to_numpy()
    return pd.Series(label, index=pd.Index(rows[CUSTOMER_ID].astype(str), name=CUSTOMER_ID), name="label")


def label_lag_days(dataset: Dataset) -> int:
    """Days after an end date before it is known (inactivity churn needs the quiet period to pass)."""
    if dataset.churn_definition == CHURN_FROM_INACTIVITY:
        return int(dataset.mapping.inactivity_days or 0)
    return 0


def training_cutoffs(
    dataset: Dataset, horizon_days: int = 90, n_cutoffs: int = 6, *, event_index: EventIndex | None = None
) -> list[pd.Timestamp]:
    """Monthly cutoffs, oldest first, whose horizon has fully passed before ``dataset.as_of``.

    The latest is ``as_of - horizon - label lag``; earlier ones step back a month
    at a time while at least a month of history lies before them (from the
    first start date, or the customers' first event, read by the engine:
    ``event_index`` as in :func:`snapshot_features`).
    """
    if dataset.as_of is None:
        raise ModelError("errors.no_dates_for_snapshots")
    latest = (dataset.as_of - pd.Timedelta(days=horizon_days + label_lag_days(dataset))).normalize()
    starts = [dataset.customers[START_DATE].min()] if START_DATE in dataset.customers else []
    if dataset.has_events:
        if event_index is not None:
            starts.append(first_event(event_index))
        else:
            with build_event_index(dataset) as index:
                starts.append(first_event(index))
    first = min((s for s in starts if pd.notna(s)), default=latest - pd.DateOffset(years=10))
    cutoffs = [latest - pd.DateOffset(months=k) for k in range(max(1, n_cutoffs))]
    cutoffs = [c for c in cutoffs if c >= first + pd.DateOffset(months=1)]
    if not cutoffs:
        raise ModelError("errors.history_too_short", days=horizon_days)
    return sorted(cutoffs)


def labelled_snapshots(
    dataset: Dataset,
    horizon_days: int,
    n_cutoffs: int,
    windows: tuple[int, ...],
    attributes: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.DataFrame | None]:
    """Stacked snapshots at monthly cutoffs: ``(X, y, cutoff_per_row, signal_flags)``.

    :func:`training_frame` without the flags; the model uses the flags for its rule baseline.
    """
    index = build_event_index(dataset) if dataset.has_events else None
    try:
        cutoffs = training_cutoffs(dataset, horizon_days, n_cutoffs, event_index=index)
        frames = _event_frames(dataset, cutoffs, tuple(windows), index)
    finally:
        if index is not None:
            index.close()
    parts, labels, stamps, flags = [], [], [], []
    for cutoff in cutoffs:
        X, flag = _snapshot(dataset, cutoff, frames.get(cutoff), attributes)
        parts.append(X)
        labels.append(snapshot_labels(dataset, cutoff, horizon_days).reindex(X.index))
        stamps.append(pd.Series(cutoff, index=X.index, name="cutoff"))
        flags.append(flag)
    X = pd.concat(parts)
    y = pd.concat(labels).astype(int).rename("label")
    cutoff_per_row = pd.concat(stamps)
    signals = pd.concat(flags) if dataset.has_events else None
    log.info("training frame: %d rows from %d cutoffs, %d positives", len(X), len(cutoffs), int(y.sum()))
    return X, y, cutoff_per_row, signals


def training_frame(
    dataset: Dataset,
    horizon_days: int = 90,
    n_cutoffs: int = 6,
    windows: tuple[int, ...] = WINDOWS,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Stacked snapshots at monthly cutoffs with their labels.

    Returns
    -------
    tuple
        ``(X, y, cutoff_per_row)``, aligned by position and all indexed by
        ``customer_id`` (a customer appears once per cutoff at which it was active).
    """
    X, y, cutoffs, _ = labelled_snapshots(dataset, horizon_days, n_cutoffs, tuple(windows))
    return X, y, cutoffs


def table_features(
    dataset: Dataset, active_only: bool = False, attributes: list[str] | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Customer-table features (tenure, value, attributes) and the ``churned`` label.

    Used when the data has no end dates for snapshots.
    """
    customers = dataset.customers
    rows = customers[customers[CHURNED] == 0] if active_only else customers
    X = _static_features(dataset, rows, None, attributes)
    X.index = pd.Index(rows[CUSTOMER_ID].astype(str), name=CUSTOMER_ID)
    y = pd.Series(rows[CHURNED].astype(int).to_numpy(), index=X.index, name="label")
    return X, y


def attribute_source(feature: str, attributes: list[str]) -> str | None:
    """The attribute column a feature comes from (``x_days_ago``, ``x_days_until`` -> ``x``), or None."""
    if feature in attributes:
        return feature
    for suffix in (DAYS_AGO, DAYS_UNTIL):
        if feature.endswith(suffix) and feature[: -len(suffix)] in attributes:
            return feature[: -len(suffix)]
    return None


def snapshot_leakage(
    X: pd.DataFrame, y: pd.Series, columns: list[str], cat_columns: list[str]
) -> dict[str, str]:
    """Columns of a training snapshot that give its label away, with the reason code.

    The second of two leakage checks: :func:`churn.ingest.quality.leakage_suspects`
    judges the customer table at upload (against the churn label); this one judges
    the model's own features at a cutoff (against the horizon label), after intake.

    * ``only_churners``: filled far more often for customers who left
      (fill rate among leavers minus among stayers of 0.5 or more), like a churn reason;
    * ``near_perfect``: on its own it separates leavers from stayers almost
      perfectly (single-column ROC-AUC of 0.97 or more), like a copy of the label.

    Identifier-like columns (a distinct value for most rows) are reported as
    ``identifier``: they cannot generalise and would look near-perfect in-sample.
    A whole number distinct for every customer and running without gaps (1, 2, …, n)
    is a ``row_number`` of the export, not a property of the customer.
    """
    from sklearn.metrics import roc_auc_score

    found: dict[str, str] = {}
    target = np.asarray(y, dtype=int)
    if len(np.unique(target)) < 2:
        return found
    positive = target == 1
    for column in columns:
        values = X[column]
        if column in cat_columns:
            missing = values.eq(MISSING_CATEGORY).to_numpy()
        else:
            missing = values.isna().to_numpy()
        filled_pos, filled_neg = 1 - missing[positive].mean(), 1 - missing[~positive].mean()
        if filled_pos - filled_neg >= 0.5:
            found[column] = "only_churners"
            continue
        if column in cat_columns:
            distinct = values.nunique()
            if distinct > 50 and distinct > 0.5 * len(values):
                found[column] = "identifier"
                continue
            score = pd.Series(target).groupby(values.to_numpy()).transform("mean").to_numpy()
        else:
            numeric = values.astype(float)
            if _is_row_number(numeric, X.index.nunique()):
                found[column] = "row_number"
                continue
            score = numeric.fillna(numeric.median() if numeric.notna().any() else 0).to_numpy()
        if np.unique(score).size < 2:
            continue
        auc = roc_auc_score(target, score)
        if max(auc, 1 - auc) >= 0.97:
            found[column] = "near_perfect"
    return found


def _is_row_number(values: pd.Series, customers: int) -> bool:
    """True for whole numbers, one per customer, that run without gaps (a row counter)."""
    filled = values.dropna().drop_duplicates()
    if len(filled) < 50 or len(filled) < 0.95 * customers or (filled % 1 != 0).any():
        return False
    return float(filled.max() - filled.min() + 1) == float(len(filled))
