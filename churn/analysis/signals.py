"""Early-warning signals from the event log (seed 004) and the low-activity call list (seed 001).

Every measure is computed *as of* a date from events strictly before it, so the
same code gives today's warnings and honest point-in-time features for a model.
Seed 004's signals: 40% fewer orders or e-mails than the period before,
payments 5–10 days later than usual, more support tickets, a new contact
person, and (SaaS) falling logins. One signal alone means little; the
combination is what matters, which :func:`rule_score` reflects.

To show how much a signal is worth, :func:`evaluate_signals` goes back to an
earlier date whose outcome window has passed, computes the signals there and
compares how often customers with and without each signal left within the
following days.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.analysis.drivers import rate_ratio_interval, wilson_interval
from churn.core.dataset import (
    CHURNED,
    CUSTOMER_ID,
    DAYS_LATE,
    END_DATE,
    EVENT_KINDS,
    EVENT_TYPE,
    SECONDS_PER_DAY,
    START_DATE,
    TIMESTAMP,
    VALUE,
)
from churn.core.display import HeaderSource, column_label
from churn.core.errors import InputError
from churn.core.i18n import t
from churn.engine.definitions import (
    FREQUENCY_DROP,
    LATE_INCREASE_DAYS,
    MIN_BASE_EVENTS,
    SIGNAL_COUNTS,
    SIGNAL_WEIGHTS,
    SIGNALS,
    SUPPORT_FACTOR,
    SUPPORT_RISE,
)

#: Event kinds that count as "activity" for the call list (payments are invoice-driven).
ACTIVITY_KINDS = ("order", "login", "email", "other")

# The thresholds, weights and counted kinds are defined once, beside the engine's SQL for the same flags.
_COUNTED = SIGNAL_COUNTS


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(value).tz_localize(None) if pd.Timestamp(value).tzinfo else pd.Timestamp(value)


def signal_table(
    events: pd.DataFrame,
    as_of: pd.Timestamp,
    customers: pd.DataFrame | None = None,
    window_days: int = 90,
    baseline_windows: int = 2,
) -> pd.DataFrame:
    """Warning-signal measures and flags per customer, from events strictly before ``as_of``.

    The recent window is ``[as_of - window_days, as_of)``; it is compared with
    the ``baseline_windows`` windows before it, averaged per window (the default
    two give "the last 90 days versus the 180 days before", which is steadier
    than one window of noisy counts): the baseline period is
    ``[as_of - window_days * (1 + baseline_windows), as_of - window_days)``.
    Events without a customer id count for no one; time-zone-aware timestamps
    are read on their local clock, like ``as_of``.

    Parameters
    ----------
    events : pd.DataFrame
        Canonical event frame (``customer_id, timestamp, event_type``; ``days_late``
        when payments carry it). Not modified.
    as_of : pd.Timestamp
        Only events with ``timestamp < as_of`` are read.
    customers : pd.DataFrame, optional
        When given, the result has exactly one row per ``customer_id`` in it (in its
        order; customers without events get zero counts). Otherwise one row per
        customer with an event before ``as_of``.
    window_days : int
        Length of each comparison window.
    baseline_windows : int
        How many windows before the recent one form the baseline (``*_before``).

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``. ``orders_recent`` (count), ``orders_before``
        (average count per window in the baseline), ``orders_change`` (relative
        change, NaN when nothing before) and the same
        for ``emails``, ``logins``, ``support_tickets``; ``days_late_recent,
        days_late_before, days_late_change``; ``contact_changes_recent``;
        ``days_since_last_event``; ``history_days`` (since the first event); the
        boolean flags in :data:`SIGNALS`; and ``n_signals``.

    Example
    -------
    >>> ev = pd.DataFrame({"customer_id": ["a"] * 4, "event_type": ["order"] * 4,
    ...     "timestamp": pd.to_datetime(["2025-09-10", "2025-11-10", "2026-01-10", "2026-04-20"])})
    >>> row = signal_table(ev, pd.Timestamp("2026-05-01")).loc["a"]
    >>> float(row.orders_before), int(row.orders_recent), float(row.orders_change)
    (1.5, 1, -0.3333333333333333)
    """
    _check_windows(window_days, baseline_windows)
    as_of = _day(as_of)
    stamps = _wall_clock(events[TIMESTAMP])
    index, rows, codes = _customer_rows(events[CUSTOMER_ID], stamps < as_of.to_datetime64(), customers)
    stamps = stamps[rows]
    kinds = _kind_codes(events[EVENT_TYPE])[rows]
    slot = _window_slots(stamps, as_of, window_days, baseline_windows)
    counts = _kind_counts(codes, kinds, slot, len(index))
    columns = {
        **_frequency_columns(counts, baseline_windows),
        **_payment_delay_columns(_days_late(events, rows), codes, kinds, slot, len(index)),
        "contact_changes_recent": counts[:, EVENT_KINDS.index("contact_change"), 0],
        **_recency_columns(stamps, codes, len(index), as_of),
    }
    return add_flags(pd.DataFrame(columns, index=index), window_days)


def _check_windows(window_days: int, baseline_windows: int) -> None:
    """Refuse windows that leave nothing to compare."""
    if window_days <= 0 or baseline_windows < 1:
        raise InputError("errors.signal_windows", days=window_days, baselines=baseline_windows)


def _customer_rows(
    ids: pd.Series, before: np.ndarray, customers: pd.DataFrame | None
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The result's index, and the positions and customer codes of the events that count."""
    rows = np.flatnonzero(before)
    event_codes, uniques = pd.factorize(ids.to_numpy()[rows])
    # 7 and "7" are one customer; the result is indexed by the id as text
    merged, names = pd.factorize(pd.Index(uniques).astype(str))
    if customers is not None:
        index = pd.Index(customers[CUSTOMER_ID].astype(str).unique(), name=CUSTOMER_ID)
        lookup = index.get_indexer(names)[merged]
    else:
        index = pd.Index(names, name=CUSTOMER_ID)
        lookup = merged
    # factorize gives a missing id the code -1: such events belong to no customer
    codes = np.append(lookup, -1)[event_codes]
    known = codes >= 0
    if not known.all():
        rows, codes = rows[known], codes[known]
    return index, rows, codes


def _window_slots(
    stamps: np.ndarray, as_of: pd.Timestamp, window_days: int, baseline_windows: int
) -> np.ndarray:
    """0 for the recent window, 1 for the baseline, 2 for older events."""
    window = pd.Timedelta(days=window_days)
    recent_start = (as_of - window).to_datetime64()
    before_start = (as_of - (1 + baseline_windows) * window).to_datetime64()
    return np.where(stamps >= recent_start, 0, np.where(stamps >= before_start, 1, 2))


def _kind_counts(codes: np.ndarray, kinds: np.ndarray, slot: np.ndarray, n: int) -> np.ndarray:
    """Events per (customer, kind, window) as an ``n × len(EVENT_KINDS) × 2`` array."""
    in_windows = (slot < 2) & (kinds >= 0)
    n_kinds = len(EVENT_KINDS)
    flat = (codes * n_kinds + kinds) * 2 + slot
    return np.bincount(flat[in_windows], minlength=n * n_kinds * 2).reshape(n, n_kinds, 2)


def _frequency_columns(counts: np.ndarray, baseline_windows: int) -> dict[str, np.ndarray]:
    """``*_recent``, ``*_before`` (per window) and ``*_change`` for each counted kind."""
    columns = {}
    for name, kind in _COUNTED.items():
        k = EVENT_KINDS.index(kind)
        recent, before = counts[:, k, 0], counts[:, k, 1] / baseline_windows
        columns[f"{name}_recent"] = recent
        columns[f"{name}_before"] = before
        with np.errstate(divide="ignore", invalid="ignore"):
            columns[f"{name}_change"] = np.where(before > 0, (recent - before) / before, np.nan)
    return columns


def _days_late(events: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Days late of the counted events, NaN where the log does not say."""
    if DAYS_LATE in events:
        return events[DAYS_LATE].to_numpy(dtype=float, na_value=np.nan)[rows]
    return np.full(len(rows), np.nan)


def _payment_delay_columns(
    late: np.ndarray, codes: np.ndarray, kinds: np.ndarray, slot: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Mean days late of payments in the recent and baseline windows, and the change."""
    pay = (kinds == EVENT_KINDS.index("payment")) & (slot < 2)
    pay &= ~np.isnan(late)
    pay_flat = codes[pay] * 2 + slot[pay]
    late_sum = np.bincount(pay_flat, weights=late[pay], minlength=n * 2).reshape(n, 2)
    late_n = np.bincount(pay_flat, minlength=n * 2).reshape(n, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        late_mean = np.where(late_n > 0, late_sum / late_n, np.nan)
    return {
        "days_late_recent": late_mean[:, 0],
        "days_late_before": late_mean[:, 1],
        "days_late_change": late_mean[:, 0] - late_mean[:, 1],
    }


def _recency_columns(
    stamps: np.ndarray, codes: np.ndarray, n: int, as_of: pd.Timestamp
) -> dict[str, np.ndarray]:
    """Days since each customer's last event and since their first (NaN without events)."""
    span = pd.Series(stamps.astype("int64")).groupby(codes).agg(["min", "max"])
    first = span["min"].reindex(range(n)).to_numpy(dtype=float)
    last = span["max"].reindex(range(n)).to_numpy(dtype=float)
    day_ns = SECONDS_PER_DAY * 1e9
    return {
        "days_since_last_event": (as_of.value - last) / day_ns,
        "history_days": (as_of.value - first) / day_ns,
    }


def _wall_clock(stamps: pd.Series) -> np.ndarray:
    """Timestamps as naive datetime64[ns] on the local wall clock (as ``as_of`` is read)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    return stamps.to_numpy(dtype="datetime64[ns]")


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    """Position of each event's kind in EVENT_KINDS (-1 when unknown), cheap for categoricals."""
    if isinstance(kinds.dtype, pd.CategoricalDtype):
        lookup = np.append(pd.Index(EVENT_KINDS).get_indexer(kinds.cat.categories.astype(str)), -1)
        return lookup[kinds.cat.codes.to_numpy()]
    return pd.Categorical(kinds.to_numpy(), categories=EVENT_KINDS).codes.astype(np.int64)


def add_flags(measures: pd.DataFrame, window_days: int = 90) -> pd.DataFrame:
    """Add the boolean warning flags and ``n_signals`` to a frame of measures (a new frame).

    The rules of :func:`churn.engine.definitions.signal_flag_sql`, on a pandas frame
    (``tests/test_definitions.py`` checks that both raise the same flags).
    """
    out = measures.copy()

    def dropped(name: str) -> pd.Series:
        return (out[f"{name}_before"] >= MIN_BASE_EVENTS) & (out[f"{name}_change"] <= FREQUENCY_DROP)

    out["fewer_orders"] = dropped("orders")
    out["fewer_emails"] = dropped("emails")
    out["fewer_logins"] = dropped("logins")
    out["later_payments"] = (out["days_late_change"] >= LATE_INCREASE_DAYS).fillna(False).astype(bool)
    tickets_now, tickets_before = out["support_tickets_recent"], out["support_tickets_before"]
    established = out["history_days"] > window_days
    out["more_support_tickets"] = (
        established
        & (tickets_now >= tickets_before + SUPPORT_RISE)
        & (tickets_now >= SUPPORT_FACTOR * tickets_before)
    )
    out["contact_change"] = out["contact_changes_recent"] > 0
    out["n_signals"] = out[list(SIGNALS)].sum(axis=1).astype(int)
    return out


def rule_score(signals: pd.DataFrame) -> pd.Series:
    """A 0..1 warning score from the flags: weak for one signal, strong for several.

    ``s`` is the weighted number of flags (:data:`SIGNAL_WEIGHTS`, missing flag
    columns count as off) and the score is ``s² / (s² + 4)``, so one ordinary
    signal gives 0.2, two give 0.5, three 0.69, four 0.8 (seed 004: the
    combination is what matters). It ranks customers; it is not a probability.

    Example
    -------
    >>> flags = pd.DataFrame({"fewer_orders": [False, True, True], "fewer_emails": [False, False, True]})
    >>> rule_score(flags).round(2).tolist()
    [0.0, 0.2, 0.5]
    """
    weighted = pd.Series(0.0, index=signals.index)
    for name, weight in SIGNAL_WEIGHTS.items():
        if name in signals:
            weighted += signals[name].fillna(False).astype(float) * weight
    return (weighted**2 / (weighted**2 + 4.0)).rename("rule_score")


def active_at(customers: pd.DataFrame, date: pd.Timestamp) -> pd.Series:
    """Boolean mask: customers who had started before ``date`` and not left by it."""
    date = _day(date)
    mask = pd.Series(True, index=customers.index)
    if START_DATE in customers:
        mask &= ~(customers[START_DATE] >= date)
    if END_DATE in customers:
        mask &= ~(customers[END_DATE] < date)
        if CHURNED in customers:  # churned by label with no date: we cannot place them in time
            mask &= ~((customers[CHURNED] == 1) & customers[END_DATE].isna())
    elif CHURNED in customers:
        mask &= customers[CHURNED] == 0
    return mask


@dataclass(frozen=True)
class SignalEvaluation:
    """Signals now and how much they were worth at an earlier date.

    ``now`` is the signal table of customers active at ``as_of``; ``lifts``,
    ``combinations`` and ``pairs`` pool ``periods`` earlier dates, the latest
    being ``evaluated_at`` (``as_of`` minus ``horizon_days``), and are None when
    the data has no end dates to judge by.
    """

    as_of: pd.Timestamp
    evaluated_at: pd.Timestamp
    horizon_days: int
    window_days: int
    periods: int
    now: pd.DataFrame
    base_rate: float | None
    lifts: pd.DataFrame | None
    combinations: pd.DataFrame | None
    pairs: pd.DataFrame | None


def _compare(mask: pd.Series, baseline: pd.Series, left: pd.Series) -> dict:
    n1, a = int(mask.sum()), int(left[mask].sum())
    n2, c = int(baseline.sum()), int(left[baseline].sum())
    low, high = wilson_interval(a, n1)
    ratio, r_low, r_high = rate_ratio_interval(a, n1, c, n2)
    return {
        "customers": n1,
        "churned": a,
        "churn_rate": a / n1 if n1 else np.nan,
        "ci_low": float(low),
        "ci_high": float(high),
        "baseline_rate": c / n2 if n2 else np.nan,
        "lift": float(ratio),
        "lift_low": float(r_low),
        "lift_high": float(r_high),
    }


def evaluate_signals(
    events: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    horizon_days: int = 60,
    window_days: int = 90,
    periods: int = 6,
) -> SignalEvaluation:
    """Who shows each signal now, and how much more often signal-bearers churned before.

    Signals are computed at ``periods`` earlier dates ``as_of - k·horizon_days``
    (k = 1, 2, ...), each using only events before it, for the customers active
    then; the outcome is whether they left within the next ``horizon_days``
    (always before ``as_of``). Pooling the dates gives enough churners for a
    stable answer. Lifts compare customers showing a signal with those not
    showing it (risk ratio with a Katz interval; rates with Wilson intervals);
    combinations (0, 1, 2, 3+ signals) and pairs compare with customers showing
    no signal at all.
    """
    as_of = _day(as_of)
    customers = customers.assign(**{CUSTOMER_ID: customers[CUSTOMER_ID].astype(str)})
    now = signal_table(events, as_of, customers[active_at(customers, as_of)], window_days)
    first_date = as_of - pd.Timedelta(days=horizon_days)
    if END_DATE not in customers or customers[END_DATE].notna().sum() == 0:
        return SignalEvaluation(as_of, first_date, horizon_days, window_days, 0, now, None, None, None, None)
    tables = _past_signal_tables(events, customers, as_of, horizon_days, window_days, periods)
    then = pd.concat(tables)
    left = then["left"]
    base_rate = float(left.mean()) if len(left) else np.nan
    return SignalEvaluation(
        as_of,
        first_date,
        horizon_days,
        window_days,
        len(tables),
        now,
        base_rate,
        _signal_lifts(then, now),
        _combination_lifts(then, now),
        _pair_lifts(then, now),
    )


def _past_signal_tables(
    events: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    horizon_days: int,
    window_days: int,
    periods: int,
) -> list[pd.DataFrame]:
    """Signal tables at the earlier dates, each with ``left`` (gone within the horizon)."""
    earliest = events[TIMESTAMP].min() + pd.Timedelta(days=window_days * 2)
    tables = []
    for k in range(1, max(periods, 1) + 1):
        date = as_of - pd.Timedelta(days=horizon_days * k)
        if k > 1 and date < earliest:
            break
        active = customers[active_at(customers, date)]
        table = signal_table(events, date, active, window_days)
        end = active.set_index(CUSTOMER_ID)[END_DATE].reindex(table.index)
        table["left"] = (end < date + pd.Timedelta(days=horizon_days)).fillna(False).astype(bool).to_numpy()
        tables.append(table)
    return tables


def _signal_lifts(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Each signal's churn against customers without it, strongest lift first."""
    left = then["left"]
    rows = []
    for name in SIGNALS:
        flag = then[name]
        row = {"signal": name, "showing_now": int(now[name].sum()), "share_now": float(now[name].mean())}
        row.update(_compare(flag, ~flag, left))
        rows.append(row)
    return pd.DataFrame(rows).sort_values("lift", ascending=False, kind="stable").reset_index(drop=True)


def _combination_lifts(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Churn with 0, 1, 2 and 3+ signals against customers showing none."""
    left = then["left"]
    none = then["n_signals"] == 0
    groups = then["n_signals"].clip(upper=3)
    combos = []
    for k in range(4):
        row = {"n_signals": k, "label": ["0", "1", "2", "3+"][k]}
        row["showing_now"] = int((now["n_signals"].clip(upper=3) == k).sum())
        row.update(_compare(groups == k, none, left))
        combos.append(row)
    return pd.DataFrame(combos)


def _pair_lifts(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Churn with each pair of signals seen together against customers showing none."""
    left = then["left"]
    none = then["n_signals"] == 0
    pair_rows = []
    for first, second in itertools.combinations(SIGNALS, 2):
        both = then[first] & then[second]
        if both.sum() == 0:
            continue
        row = {"first": first, "second": second, "showing_now": int((now[first] & now[second]).sum())}
        row.update(_compare(both, none, left))
        pair_rows.append(row)
    pairs = pd.DataFrame(pair_rows)
    if not pairs.empty:
        pairs = pairs.sort_values(["lift", "customers"], ascending=False).reset_index(drop=True)
    return pairs


def low_activity_list(
    events: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    recent_days: int = 30,
    baseline_months: int = 6,
    threshold: float = 0.5,
    min_usual: float = 1.0,
) -> pd.DataFrame:
    """Active customers whose activity last month fell below their own normal (seed 001).

    Activity is the number of events of :data:`ACTIVITY_KINDS` before ``as_of``.
    "Usual" is the average per ``recent_days`` over the ``baseline_months`` months
    before the last ``recent_days``; a customer is listed when the last period is
    below ``threshold`` × usual and usual is at least ``min_usual``.

    Returns
    -------
    pd.DataFrame
        ``customer_id, last_period, usual_per_period, activity_ratio,
        days_since_last_event, monthly_value, value_at_risk, n_signals, signals
        (comma-separated flag names), rule_score``; value at risk is a year of monthly value; sorted by value at
        risk (then by the steepest drop).
    """
    as_of = _day(as_of)
    active = _not_churned(customers, as_of)
    ids = active[CUSTOMER_ID].astype(str)
    last_period, usual = _activity_counts(events, ids, as_of, recent_days, baseline_months)
    table = _call_table(events, active, ids, as_of, last_period, usual)
    listed = table[(table["usual_per_period"] >= min_usual) & (table["activity_ratio"] < threshold)]
    return listed.sort_values(
        ["value_at_risk", "activity_ratio"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


def _not_churned(customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Customers active at ``as_of`` and, when the data has a churn label, not labelled churned."""
    active = customers[active_at(customers, as_of)]
    if CHURNED in active:
        active = active[active[CHURNED] == 0]
    return active


def _activity_counts(
    events: pd.DataFrame, ids: pd.Series, as_of: pd.Timestamp, recent_days: int, baseline_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Activity events per customer in the last period, and their usual number per period."""
    recent_start = as_of - pd.Timedelta(days=recent_days)
    baseline_days = baseline_months * 30.4375
    baseline_start = recent_start - pd.Timedelta(days=baseline_days)
    stamps = events[TIMESTAMP]
    mask = events[EVENT_TYPE].isin(ACTIVITY_KINDS) & (stamps < as_of) & (stamps >= baseline_start)
    picked = events.loc[mask, [CUSTOMER_ID, TIMESTAMP]]
    recent = (picked[TIMESTAMP] >= recent_start).to_numpy()
    who = picked[CUSTOMER_ID].astype(str).to_numpy()
    last_period = pd.Series(who[recent]).value_counts().reindex(ids, fill_value=0).to_numpy()
    base = pd.Series(who[~recent]).value_counts().reindex(ids, fill_value=0).to_numpy()
    return last_period, base / (baseline_days / recent_days)


def _call_table(
    events: pd.DataFrame,
    active: pd.DataFrame,
    ids: pd.Series,
    as_of: pd.Timestamp,
    last_period: np.ndarray,
    usual: np.ndarray,
) -> pd.DataFrame:
    """Every active customer's activity, value at risk and warning signals (before filtering)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(usual > 0, last_period / usual, np.nan)
    signals = signal_table(events, as_of, active)
    table = pd.DataFrame(
        {
            CUSTOMER_ID: ids.to_numpy(),
            "last_period": last_period,
            "usual_per_period": usual,
            "activity_ratio": ratio,
            "days_since_last_event": signals["days_since_last_event"].reindex(ids).to_numpy(),
            "monthly_value": active[VALUE].to_numpy(dtype=float) if VALUE in active else np.nan,
        }
    )
    table["value_at_risk"] = table["monthly_value"] * 12
    table["n_signals"] = signals["n_signals"].reindex(ids).to_numpy()
    shown = signals[list(SIGNALS)].reindex(ids).fillna(False).astype(bool).to_numpy()
    table["signals"] = [",".join(np.array(SIGNALS)[row]) for row in shown]
    table["rule_score"] = rule_score(signals).reindex(ids).to_numpy()
    return table


def call_list_frame(table: pd.DataFrame, lang: str = "en", mapping: HeaderSource = None) -> pd.DataFrame:
    """The call list as shown and exported: rounded numbers, headers and signal names in ``lang``.

    The monthly value column is headed as the client's file heads it (``mapping``, the
    dataset or its RoleMapping; see :func:`churn.core.display.column_label`).
    """
    names = {name: t(f"why.signal_{name}", lang) for name in SIGNALS}
    out = pd.DataFrame(
        {
            t("why.call_customer", lang): table[CUSTOMER_ID].astype(str),
            t("why.call_last_period", lang): table["last_period"].astype(int),
            t("why.call_usual", lang): table["usual_per_period"].round(1),
            t("why.call_share_of_usual", lang): (table["activity_ratio"] * 100).round(0),
            t("why.call_days_since", lang): table["days_since_last_event"].round(0),
            column_label(mapping, VALUE, lang): table["monthly_value"].round(0),
            t("why.call_value_at_risk", lang): table["value_at_risk"].round(0),
            t("why.call_signals", lang): [
                ", ".join(names[s] for s in str(v).split(",") if s) for v in table["signals"]
            ],
        }
    )
    return out.reset_index(drop=True)
