"""Event-log features at a cutoff: counts, trends, recency, payment delay and seed 004's flags.

Events are sorted once by (customer, kind, time) in an :class:`EventIndex`;
every window count at any cutoff is then two ``searchsorted`` calls, so
building many monthly snapshots costs little. Nothing on or after the cutoff
is ever read: every window ends at the cutoff (half-open ``[start, cutoff)``).

Feature names (the Explain page turns them into words):

* ``<kinds>_<w>d``: events of a kind in the ``w`` days before the cutoff
  (kinds: ``orders, payments, support_tickets, logins, emails,
  contact_changes, other_events``; ``w`` in ``windows``);
* ``<kinds>_trend_<w>d``: relative change of that count versus the ``w`` days
  before (``(recent - before) / before``, NaN when nothing before), for the two
  shortest windows;
* ``days_since_last_<kind>`` and ``days_since_last_event``, ``history_days``;
* ``days_late_recent``, ``days_late_before``, ``days_late_change``: mean days
  late of payments in the last 90 days vs the 90 before; ``days_late_<w>d``:
  mean days late in the shortest window (a fresh delay is diluted in 90 days);
* ``orders_amount_90d``, ``orders_amount_trend_90d``; ``n_signals`` (seed 004's
  warning signals, :func:`churn.analysis.signals.add_flags`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.analysis.signals import SIGNALS, add_flags
from churn.core.dataset import (
    AMOUNT,
    CUSTOMER_ID,
    DAYS_LATE,
    EVENT_KINDS,
    EVENT_TYPE,
    SECONDS_PER_DAY,
    TIMESTAMP,
    Dataset,
)
from churn.core.errors import ModelError

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
    span = int(seconds.max() - origin + 2 * 400 * SECONDS_PER_DAY) if len(seconds) else 1
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
            relative = self.cutoff_s - days_before * SECONDS_PER_DAY - self.index.origin
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


def event_features(
    index: EventIndex, cutoff: pd.Timestamp, windows: tuple[int, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(event features, seed 004 flags) for every customer of the index at ``cutoff``."""
    win = _Windows(index, cutoff)
    out: dict[str, np.ndarray] = {}
    out.update(_count_columns(win, index.kinds, windows))
    out.update(_recency_columns(win, index))
    out.update(_payment_delay_columns(win, index, windows))
    out.update(_order_amount_columns(win, index))
    flags = _signal_flags(win, index, out)
    out["n_signals"] = flags["n_signals"].to_numpy()
    return pd.DataFrame(out, index=index.customer_ids), flags[list(SIGNALS)]


def _count_columns(win: _Windows, kinds: tuple[str, ...], windows: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Events per kind in each window, and the trend of the two shortest windows."""
    out: dict[str, np.ndarray] = {}
    for w in windows:
        counts = win.count(w)
        for k, kind in enumerate(kinds):
            out[f"{KIND_NAMES[kind]}_{w}d"] = counts[:, k]
    for w in windows[:2]:
        recent, before = win.count(w), win.count(2 * w, w)
        for k, kind in enumerate(kinds):
            if kind in TREND_KINDS:
                out[f"{KIND_NAMES[kind]}_trend_{w}d"] = _ratio_change(recent[:, k], before[:, k])
    return out


def _recency_columns(win: _Windows, index: EventIndex) -> dict[str, np.ndarray]:
    """Days since the last event of each kind and of any kind, and days of history."""
    out: dict[str, np.ndarray] = {}
    # recency per kind: the last event before the cutoff inside each group
    end, start = win.position(0), win.group_start()
    seen = win.grid(end > start)
    last = win.grid(index.seconds[np.clip(end - 1, 0, None)] if len(index.seconds) else np.zeros(len(end)))
    first = win.grid(index.seconds[np.clip(start, 0, len(index.seconds) - 1)] if len(index.seconds) else last)
    for k, kind in enumerate(index.kinds):
        if kind != "other":
            out[f"days_since_last_{kind}"] = np.where(
                seen[:, k], (win.cutoff_s - last[:, k]) / SECONDS_PER_DAY, np.nan
            )
    any_seen = seen.any(axis=1)
    last_any = np.where(seen, last, np.iinfo(np.int64).min).max(axis=1, initial=np.iinfo(np.int64).min)
    first_any = np.where(seen, first, np.iinfo(np.int64).max).min(axis=1, initial=np.iinfo(np.int64).max)
    out["days_since_last_event"] = np.where(any_seen, (win.cutoff_s - last_any) / SECONDS_PER_DAY, np.nan)
    out["history_days"] = np.where(any_seen, (win.cutoff_s - first_any) / SECONDS_PER_DAY, np.nan)
    return out


def _payment_delay_columns(
    win: _Windows, index: EventIndex, windows: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Mean days late, recent vs before (signal_table's definition), and in the shortest window."""
    w = SIGNAL_WINDOW
    late = {}
    spans = {"recent": (w, 0), "before": (2 * w, w), "short": (min(windows), 0)}
    for part, (a, b) in spans.items():
        total = win.total(index.late_cum, a, b).sum(axis=1)
        count = win.total(index.late_n_cum, a, b).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            late[part] = np.where(count > 0, total / count, np.nan)
    out = {"days_late_recent": late["recent"], "days_late_before": late["before"]}
    out["days_late_change"] = late["recent"] - late["before"]
    if min(windows) < w:
        out[f"days_late_{min(windows)}d"] = late["short"]
    return out


def _order_amount_columns(win: _Windows, index: EventIndex) -> dict[str, np.ndarray]:
    """Order amounts in the signal window and their trend (none without orders)."""
    if "order" not in index.kinds:
        return {}
    w, k = SIGNAL_WINDOW, index.kinds.index("order")
    recent = win.total(index.amount_cum, w)[:, k]
    before = win.total(index.amount_cum, 2 * w, w)[:, k]
    return {"orders_amount_90d": recent, "orders_amount_trend_90d": _ratio_change(recent, before)}


def _signal_flags(win: _Windows, index: EventIndex, out: dict[str, np.ndarray]) -> pd.DataFrame:
    """Seed 004's warning flags through churn.analysis.signals.add_flags, on signal_table's measures."""
    w, kinds = SIGNAL_WINDOW, index.kinds
    recent, before = win.count(w), win.count(2 * w, w)
    zeros = np.zeros(len(index.customer_ids), dtype=np.int64)
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
    return add_flags(pd.DataFrame(measures, index=index.customer_ids), w)


def is_count_feature(name: str) -> bool:
    """True for event-count columns (``orders_90d``), where a missing kind means zero events."""
    return (
        any(name.startswith(f"{word}_") for word in KIND_NAMES.values())
        and name.endswith("d")
        and ("_trend_" not in name and "_amount_" not in name)
    )
