"""Point-in-time model features: what was known about each customer at a cutoff date.

A *snapshot* at a cutoff holds one row per customer active at that date
(started before it, not ended by it) with features built ONLY from events
strictly before the cutoff, and the label "leaves within the horizon after the
cutoff". Several monthly snapshots whose horizon has fully passed make the
training frame; the snapshot at the dataset's ``as_of`` is what gets scored.

Feature names (the Explain page turns them into words):

* ``<kinds>_<w>d``: events of a kind in the ``w`` days before the cutoff
  (kinds: ``orders, payments, support_tickets, logins, emails,
  contact_changes, other_events``; ``w`` in ``windows``);
* ``<kinds>_trend_<w>d``: relative change of that count versus the ``w`` days
  before (``(recent - before) / before``, NaN when nothing before), for the two
  shortest windows;
* ``days_since_last_<kind>`` and ``days_since_last_event``, ``history_days``;
* ``days_late_recent``, ``days_late_before``, ``days_late_change``: mean days
  late of payments in the last 90 days vs the 90 before (as in
  :func:`churn.signals.signal_table`);
* ``orders_amount_90d``, ``orders_amount_trend_90d``; ``n_signals`` (seed 004's
  warning signals, :func:`churn.signals.add_flags`);
* ``tenure_months`` at the cutoff, ``monthly_value``, and the dataset's
  ``model_attributes``: categoricals as strings (for CatBoost), numbers as
  floats, other dates as ``<column>_days_ago`` (only when the date lies before
  the cutoff, so a future date never leaks).

Everything is vectorised: events are sorted once by (customer, kind, time) and
every window count is two ``searchsorted`` calls, so many cutoffs cost little.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.dataset import (
    AMOUNT,
    CHURN_FROM_INACTIVITY,
    CHURNED,
    CUSTOMER_ID,
    DAYS_LATE,
    DAYS_PER_MONTH,
    END_DATE,
    EVENT_KINDS,
    EVENT_TYPE,
    START_DATE,
    TENURE,
    TIMESTAMP,
    VALUE,
    Dataset,
)
from churn.errors import ModelError
from churn.signals import SIGNALS, add_flags

log = logging.getLogger(__name__)

WINDOWS = (30, 90, 180)
#: Window of seed 004's warning signals and of the payment-delay comparison.
SIGNAL_WINDOW = 90
#: Canonical kind -> plural word used in feature names.
KIND_NAMES = {
    "order": "orders",
    "payment": "payments",
    "support_ticket": "support_tickets",
    "login": "logins",
    "email": "emails",
    "contact_change": "contact_changes",
    "other": "other_events",
}
#: Kinds whose trend (recent vs before) is a feature.
TREND_KINDS = ("order", "email", "login", "support_ticket", "payment")
MISSING_CATEGORY = "(missing)"
_DAY_S = 86_400
MODE_SNAPSHOT = "snapshot"
MODE_TABLE = "table"


@dataclass(frozen=True)
class EventIndex:
    """Events sorted by (customer, kind, time) for fast window counts at any cutoff.

    ``keys`` holds ``group * SPAN + seconds`` where ``group = customer * K + kind``;
    cumulative sums give amounts and payment delays over any time range.
    """

    customer_ids: pd.Index
    kinds: tuple[str, ...]
    keys: np.ndarray
    seconds: np.ndarray
    amount_cum: np.ndarray
    late_cum: np.ndarray
    late_n_cum: np.ndarray
    span: int
    origin: int

    @property
    def n_groups(self) -> int:
        return len(self.customer_ids) * len(self.kinds)


def _seconds(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[s]").astype(np.int64)


def _customer_codes(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of every event's customer in ``index`` (-1 when unknown), cheap for categoricals."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        lookup = np.append(index.get_indexer(ids.cat.categories.astype(str)), -1)
        return lookup[ids.cat.codes.to_numpy()]
    return index.get_indexer(ids.astype(str))


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    if isinstance(kinds.dtype, pd.CategoricalDtype):
        lookup = np.append(pd.Index(EVENT_KINDS).get_indexer(kinds.cat.categories.astype(str)), -1)
        return lookup[kinds.cat.codes.to_numpy()]
    return pd.Categorical(kinds.to_numpy(), categories=EVENT_KINDS).codes.astype(np.int64)


def build_event_index(dataset: Dataset) -> EventIndex:
    """Sort the dataset's events once so features at many cutoffs are cheap.

    Events of customers missing from the customer table, of unknown kind or
    without a timestamp are ignored.
    """
    if not dataset.has_events:
        raise ModelError("This dataset has no event log; event features need one.")
    events = dataset.events
    index = pd.Index(dataset.customers[CUSTOMER_ID].astype(str), name=CUSTOMER_ID)
    codes = _customer_codes(events[CUSTOMER_ID], index)
    kind_codes = _kind_codes(events[EVENT_TYPE])
    stamps = events[TIMESTAMP].to_numpy(dtype="datetime64[ns]")
    keep = (codes >= 0) & (kind_codes >= 0) & ~np.isnat(stamps)
    present = np.unique(kind_codes[keep])
    kinds = tuple(EVENT_KINDS[k] for k in present)
    kind_pos = np.full(len(EVENT_KINDS), -1)
    kind_pos[present] = np.arange(len(present))
    seconds = _seconds(stamps[keep])
    origin = int(seconds.min()) if len(seconds) else 0
    span = int(seconds.max() - origin + 2 * 400 * _DAY_S) if len(seconds) else 1
    groups = codes[keep].astype(np.int64) * len(kinds) + kind_pos[kind_codes[keep]]
    keys = groups * span + (seconds - origin)
    order = np.argsort(keys, kind="stable")

    def column(name: str) -> np.ndarray:
        if name not in events:
            return np.full(len(order), np.nan)
        return events[name].to_numpy(dtype=float, na_value=np.nan)[keep][order]

    amount = column(AMOUNT)
    late = column(DAYS_LATE)
    is_payment = (np.asarray(kinds)[kind_pos[kind_codes[keep]][order]] == "payment") & ~np.isnan(late)
    late = np.where(is_payment, late, 0.0)

    def cum(values: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(values)])

    return EventIndex(
        customer_ids=index,
        kinds=kinds,
        keys=keys[order],
        seconds=seconds[order],
        amount_cum=cum(np.nan_to_num(amount)),
        late_cum=cum(late),
        late_n_cum=cum(is_payment.astype(float)),
        span=span,
        origin=origin,
    )


class _Windows:
    """Positions of window boundaries in the sorted keys, per (customer, kind) group."""

    def __init__(self, index: EventIndex, cutoff: pd.Timestamp):
        self.index = index
        self.cutoff_s = int(_seconds(np.datetime64(cutoff, "ns")))
        self.base = np.arange(index.n_groups, dtype=np.int64) * index.span
        self._cache: dict[int, np.ndarray] = {}

    def position(self, days_before: int) -> np.ndarray:
        """First position at or after ``cutoff - days_before`` in each group."""
        if days_before not in self._cache:
            relative = self.cutoff_s - days_before * _DAY_S - self.index.origin
            relative = min(max(relative, -1), self.index.span - 1)
            self._cache[days_before] = np.searchsorted(self.index.keys, self.base + relative, side="left")
        return self._cache[days_before]

    def group_start(self) -> np.ndarray:
        return np.searchsorted(self.index.keys, self.base - 1, side="right")

    def grid(self, values: np.ndarray) -> np.ndarray:
        """(customers, kinds) view of a per-group vector."""
        return values.reshape(len(self.index.customer_ids), len(self.index.kinds))

    def count(self, start_days: int, end_days: int = 0) -> np.ndarray:
        """Events in ``[cutoff - start_days, cutoff - end_days)`` per customer and kind."""
        return self.grid(self.position(end_days) - self.position(start_days))

    def total(self, cum: np.ndarray, start_days: int, end_days: int = 0) -> np.ndarray:
        return self.grid(cum[self.position(end_days)] - cum[self.position(start_days)])


def _ratio_change(recent: np.ndarray, before: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, (recent - before) / before, np.nan)


def _event_features(
    index: EventIndex, cutoff: pd.Timestamp, windows: tuple[int, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(event features, seed 004 flags) for every customer of the index at ``cutoff``."""
    win = _Windows(index, cutoff)
    out: dict[str, np.ndarray] = {}
    kinds = index.kinds
    n = len(index.customer_ids)
    for w in windows:
        counts = win.count(w)
        for k, kind in enumerate(kinds):
            out[f"{KIND_NAMES[kind]}_{w}d"] = counts[:, k]
    for w in windows[:2]:
        recent, before = win.count(w), win.count(2 * w, w)
        for k, kind in enumerate(kinds):
            if kind in TREND_KINDS:
                out[f"{KIND_NAMES[kind]}_trend_{w}d"] = _ratio_change(recent[:, k], before[:, k])

    # recency per kind: the last event before the cutoff inside each group
    end, start = win.position(0), win.group_start()
    seen = win.grid(end > start)
    last = win.grid(index.seconds[np.clip(end - 1, 0, None)] if len(index.seconds) else np.zeros(len(end)))
    first = win.grid(index.seconds[np.clip(start, 0, len(index.seconds) - 1)] if len(index.seconds) else last)
    for k, kind in enumerate(kinds):
        if kind != "other":
            out[f"days_since_last_{kind}"] = np.where(
                seen[:, k], (win.cutoff_s - last[:, k]) / _DAY_S, np.nan
            )
    any_seen = seen.any(axis=1)
    last_any = np.where(seen, last, np.iinfo(np.int64).min).max(axis=1, initial=np.iinfo(np.int64).min)
    first_any = np.where(seen, first, np.iinfo(np.int64).max).min(axis=1, initial=np.iinfo(np.int64).max)
    out["days_since_last_event"] = np.where(any_seen, (win.cutoff_s - last_any) / _DAY_S, np.nan)
    out["history_days"] = np.where(any_seen, (win.cutoff_s - first_any) / _DAY_S, np.nan)

    # payment delay, recent vs before (signal_table's definition)
    w = SIGNAL_WINDOW
    late = {}
    for part, (a, b) in {"recent": (w, 0), "before": (2 * w, w)}.items():
        total = win.total(index.late_cum, a, b).sum(axis=1)
        count = win.total(index.late_n_cum, a, b).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            late[part] = np.where(count > 0, total / count, np.nan)
    out["days_late_recent"], out["days_late_before"] = late["recent"], late["before"]
    out["days_late_change"] = late["recent"] - late["before"]

    if "order" in kinds:
        k = kinds.index("order")
        recent = win.total(index.amount_cum, w)[:, k]
        before = win.total(index.amount_cum, 2 * w, w)[:, k]
        out["orders_amount_90d"] = recent
        out["orders_amount_trend_90d"] = _ratio_change(recent, before)

    # seed 004's flags through churn.signals.add_flags, on signal_table's measures
    recent, before = win.count(w), win.count(2 * w, w)
    zeros = np.zeros(n, dtype=np.int64)
    measures: dict[str, np.ndarray] = {}
    for name, kind in {
        "orders": "order",
        "emails": "email",
        "logins": "login",
        "support_tickets": "support_ticket",
    }.items():
        r = recent[:, kinds.index(kind)] if kind in kinds else zeros
        b = before[:, kinds.index(kind)] if kind in kinds else zeros
        measures[f"{name}_recent"], measures[f"{name}_before"] = r, b
        measures[f"{name}_change"] = _ratio_change(r, b)
    measures["days_late_change"] = out["days_late_change"]
    measures["contact_changes_recent"] = (
        recent[:, kinds.index("contact_change")] if "contact_change" in kinds else zeros
    )
    measures["history_days"] = out["history_days"]
    flags = add_flags(pd.DataFrame(measures, index=index.customer_ids), w)
    out["n_signals"] = flags["n_signals"].to_numpy()
    return pd.DataFrame(out, index=index.customer_ids), flags[list(SIGNALS)]


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
    """Attribute columns (default: the dataset's model attributes), typed for CatBoost."""
    out = {}
    for column in dataset.model_attributes if attributes is None else attributes:
        if column not in rows:
            continue
        values = rows[column]
        if (
            column in dataset.categorical
            or values.dtype == object
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            out[column] = values.astype(object).where(values.notna(), MISSING_CATEGORY).astype(str).to_numpy()
        elif pd.api.types.is_datetime64_any_dtype(values):
            if cutoff is None:
                continue
            days = (cutoff - values).dt.total_seconds().to_numpy() / _DAY_S
            out[f"{column}_days_ago"] = np.where(days > 0, days, np.nan)
        elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            out[column] = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    return pd.DataFrame(out, index=rows.index)


def _static_features(
    dataset: Dataset, rows: pd.DataFrame, cutoff: pd.Timestamp | None, attributes: list[str] | None = None
) -> pd.DataFrame:
    """Tenure (at the cutoff when known), monthly value and attributes of ``rows``."""
    out = pd.DataFrame(index=rows.index)
    if cutoff is not None and START_DATE in rows and rows[START_DATE].notna().any():
        days = (cutoff - rows[START_DATE]).dt.total_seconds().to_numpy() / _DAY_S
        out[TENURE] = days / DAYS_PER_MONTH
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
        The canonical dataset (not modified).
    cutoff : pd.Timestamp
        The snapshot date; nothing on or after it is read.
    windows : tuple of int
        Window lengths in days for counts (trends use the two shortest).
    event_index : EventIndex, optional
        A prebuilt :func:`build_event_index` (saves the sort when building many snapshots).

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``, one row per active customer (see module docstring).

    Example
    -------
    >>> X = snapshot_features(dataset, pd.Timestamp("2026-06-01"))  # doctest: +SKIP
    >>> X.loc["C00042", "orders_90d"]  # doctest: +SKIP
    """
    return _snapshot(dataset, pd.Timestamp(cutoff), tuple(windows), event_index)[0]


def _snapshot(
    dataset: Dataset,
    cutoff: pd.Timestamp,
    windows: tuple[int, ...],
    event_index: EventIndex | None,
    attributes: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(features, seed 004 signal flags or None) of the customers active at ``cutoff``."""
    customers = dataset.customers
    rows = customers[active_mask(dataset, cutoff)]
    ids = rows[CUSTOMER_ID].astype(str)
    static = _static_features(dataset, rows, cutoff, attributes)
    static.index = pd.Index(ids, name=CUSTOMER_ID)
    if not dataset.has_events:
        return static, None
    index = event_index or build_event_index(dataset)
    events, flags = _event_features(index, cutoff, windows)
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


def training_cutoffs(dataset: Dataset, horizon_days: int = 90, n_cutoffs: int = 6) -> list[pd.Timestamp]:
    """Monthly cutoffs, oldest first, whose horizon has fully passed before ``dataset.as_of``.

    The latest is ``as_of - horizon - label lag``; earlier ones step back a month
    at a time while at least a month of history lies before them.
    """
    if dataset.as_of is None:
        raise ModelError("The data has no dates, so snapshots cannot be built; use the churn label instead.")
    latest = (dataset.as_of - pd.Timedelta(days=horizon_days + label_lag_days(dataset))).normalize()
    starts = [dataset.customers[START_DATE].min()] if START_DATE in dataset.customers else []
    if dataset.has_events:
        starts.append(dataset.events[TIMESTAMP].min())
    first = min((s for s in starts if pd.notna(s)), default=latest - pd.DateOffset(years=10))
    cutoffs = [latest - pd.DateOffset(months=k) for k in range(max(1, n_cutoffs))]
    cutoffs = [c for c in cutoffs if c >= first + pd.DateOffset(months=1)]
    if not cutoffs:
        raise ModelError(
            f"The data covers too little time for a {horizon_days}-day horizon; "
            "choose a shorter horizon or load a longer history."
        )
    return sorted(cutoffs)


def _frame(
    dataset: Dataset,
    horizon_days: int,
    n_cutoffs: int,
    windows: tuple[int, ...],
    attributes: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.DataFrame | None]:
    cutoffs = training_cutoffs(dataset, horizon_days, n_cutoffs)
    index = build_event_index(dataset) if dataset.has_events else None
    parts, labels, stamps, flags = [], [], [], []
    for cutoff in cutoffs:
        X, flag = _snapshot(dataset, cutoff, windows, index, attributes)
        parts.append(X)
        labels.append(snapshot_labels(dataset, cutoff, horizon_days).reindex(X.index))
        stamps.append(pd.Series(cutoff, index=X.index, name="cutoff"))
        flags.append(flag)
    X = pd.concat(parts)
    y = pd.concat(labels).astype(int).rename("label")
    cutoff_per_row = pd.concat(stamps)
    signals = pd.concat(flags) if index is not None else None
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
    X, y, cutoffs, _ = _frame(dataset, horizon_days, n_cutoffs, tuple(windows))
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
    """The attribute column a feature comes from (``x_days_ago`` -> ``x``), or None."""
    if feature in attributes:
        return feature
    if feature.endswith("_days_ago") and feature[: -len("_days_ago")] in attributes:
        return feature[: -len("_days_ago")]
    return None


def leakage_suspects(
    X: pd.DataFrame, y: pd.Series, columns: list[str], cat_columns: list[str]
) -> dict[str, str]:
    """Columns that give the outcome away, with the reason code.

    * ``only_churners``: filled far more often for customers who left
      (fill rate among leavers minus among stayers of 0.5 or more), like a churn reason;
    * ``near_perfect``: on its own it separates leavers from stayers almost
      perfectly (single-column ROC-AUC of 0.97 or more), like a copy of the label.

    Identifier-like columns (a distinct value for most rows) are reported as
    ``identifier``: they cannot generalise and would look near-perfect in-sample.
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
            score = numeric.fillna(numeric.median() if numeric.notna().any() else 0).to_numpy()
        if np.unique(score).size < 2:
            continue
        auc = roc_auc_score(target, score)
        if max(auc, 1 - auc) >= 0.97:
            found[column] = "near_perfect"
    return found


def is_count_feature(name: str) -> bool:
    """True for event-count columns (``orders_90d``), where a missing kind means zero events."""
    return (
        any(name.startswith(f"{word}_") for word in KIND_NAMES.values())
        and name.endswith("d")
        and ("_trend_" not in name and "_amount_" not in name)
    )
