"""Event features and seed 004's warning signals, defined once as data and written out as portable SQL.

The constants below are the definitions: which kinds are counted and named how,
which kinds get a trend, the signal window and the signal thresholds.
:func:`event_feature_sql` turns them into one SQL query over a table
``events(customer_id, kind, ts_s, amount, days_late)`` (``ts_s``: seconds since
1970) and a table ``customers(customer_id)``, with the cutoff as a parameter
(``$cutoff``, seconds since 1970). The query uses only portable SQL (``CASE``,
``COUNT``, ``SUM``, ``MIN``, ``MAX``, ``CAST``, ``COALESCE``, a ``LEFT JOIN``
and ``WITH``), so the same text runs in DuckDB here and, for customers whose
events live in a warehouse, in Spark SQL or a warehouse engine. Sums of amounts
and delays are taken as ``DECIMAL``: exact, so the answer does not depend on
how an engine splits the work between threads or machines.

Only events strictly before the cutoff are read; every window is half-open,
``[cutoff - w days, cutoff)``. Feature names (the Explain page turns them into words):

* ``<kinds>_<w>d``: events of a kind in the ``w`` days before the cutoff, for
  every kind present (:data:`KIND_NAMES` gives the plural word) and every ``w`` in ``windows``;
* ``<kinds>_trend_<w>d``: ``(recent - before) / before`` of that count against the
  ``w`` days before, NULL when nothing before, for :data:`TREND_KINDS` and the
  first two windows;
* ``days_since_last_<kind>`` (every kind present but ``other``),
  ``days_since_last_event`` and ``history_days`` (since the first event), NULL without events;
* ``days_late_recent``, ``days_late_before``, ``days_late_change``: mean days late
  of payments in the last :data:`SIGNAL_WINDOW` days and the window before, and
  the difference; ``days_late_<w>d`` for the shortest window when it is shorter;
* ``orders_amount_90d`` (0 without orders) and ``orders_amount_trend_90d``, when orders are present;
* ``n_signals``: how many of the flags in :data:`SIGNALS` are raised.

The flags (:func:`signal_flag_sql`) read the measures of
:func:`churn.analysis.signals.signal_table` by name: ``orders_recent``,
``orders_before``, ``orders_change`` (and the same for ``emails``, ``logins``,
``support_tickets``), ``days_late_change``, ``contact_changes_recent`` and ``history_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from churn.core.dataset import EVENT_KINDS, SECONDS_PER_DAY

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
#: Kinds without a ``days_since_last_<kind>`` feature (too mixed to mean anything).
NO_RECENCY_KINDS = ("other",)
#: The kind whose amounts are summed, and the kind whose days late are averaged.
AMOUNT_KIND, DELAY_KIND = "order", "payment"

#: Window of seed 004's warning signals and of the payment-delay comparison.
SIGNAL_WINDOW = 90
#: Relative drop in frequency that counts as a warning (seed 004: 40% fewer).
FREQUENCY_DROP = -0.40
#: A drop is only judged when the earlier window had at least this many events.
MIN_BASE_EVENTS = 2
#: Extra days of payment delay that count as a warning (seed 004: +5–10 days).
LATE_INCREASE_DAYS = 5.0
#: Support tickets: at least this many more than before ...
SUPPORT_RISE = 2
#: ... and at least this many times as many.
SUPPORT_FACTOR = 1.5
#: Signal measure prefix -> the kind it counts (recent window against the one before).
SIGNAL_COUNTS = {"orders": "order", "emails": "email", "logins": "login", "support_tickets": "support_ticket"}
#: The kind whose recent count raises the contact-change flag.
CONTACT_KIND = "contact_change"
#: Signal flag -> weight in :func:`churn.analysis.signals.rule_score` (delay and contact change weigh most).
SIGNAL_WEIGHTS = {
    "fewer_orders": 1.0,
    "fewer_emails": 1.0,
    "later_payments": 1.25,
    "more_support_tickets": 1.0,
    "contact_change": 1.25,
    "fewer_logins": 0.75,
}
SIGNALS = tuple(SIGNAL_WEIGHTS)

#: Exact sums: ~29 digits before the point and 9 after (a nanosecond of a day, a billionth of a krone).
EXACT = "DECIMAL(38, 9)"


@dataclass(frozen=True)
class Column:
    """One output column of :func:`event_feature_sql`: its name, SQL expression and pandas dtype."""

    name: str
    sql: str
    dtype: str


@dataclass(frozen=True)
class _Span:
    """The events ``start`` to ``end`` days before the cutoff: ``[cutoff - start, cutoff - end)``."""

    start: int
    end: int = 0

    @property
    def key(self) -> str:
        return f"{self.start}_{self.end}"

    def condition(self, cutoff: str) -> str:
        text = f"ts_s >= {cutoff} - {self.start * SECONDS_PER_DAY}"
        return text + (f" AND ts_s < {cutoff} - {self.end * SECONDS_PER_DAY}" if self.end else "")


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _double(value: float) -> str:
    """A number as a DOUBLE literal, so comparisons are made as Python makes them."""
    return f"CAST({float(value)!r} AS DOUBLE)"


def _change(recent: str, before: str) -> str:
    """``(recent - before) / before`` as a double, NULL when nothing before."""
    return f"CASE WHEN {before} > 0 THEN (CAST({recent} AS DOUBLE) - {before}) / {before} END"


def _days(cutoff: str, seconds: str) -> str:
    return f"CAST({cutoff} - {seconds} AS DOUBLE) / {SECONDS_PER_DAY}"


def is_count_feature(name: str) -> bool:
    """True for event-count columns (``orders_90d``), where a missing kind means zero events."""
    return (
        any(name.startswith(f"{word}_") for word in KIND_NAMES.values())
        and name.endswith("d")
        and ("_trend_" not in name and "_amount_" not in name)
    )


def _check(kinds: Sequence[str], windows: Sequence[int]) -> None:
    unknown = [k for k in kinds if k not in KIND_NAMES]
    if unknown:
        raise ValueError(f"Event kind '{unknown[0]}' is not one of {', '.join(EVENT_KINDS)}; map it first.")
    if not windows or any(int(w) != w or w <= 0 for w in windows):
        raise ValueError(f"Feature windows {tuple(windows)} must be whole numbers of days above 0.")


def _kind_spans(kind: str, windows: tuple[int, ...], present: bool) -> tuple[_Span, ...]:
    """The counts of a kind the features and signals read (an absent kind: only the signals' zeros)."""
    s = SIGNAL_WINDOW
    spans = [_Span(w) for w in windows] if present else []
    if present and kind in TREND_KINDS:
        spans += [_Span(2 * w, w) for w in windows[:2]]
    if kind in SIGNAL_COUNTS.values():
        spans += [_Span(s), _Span(2 * s, s)]
    if kind == CONTACT_KIND:
        spans.append(_Span(s))
    return tuple(dict.fromkeys(spans))


def _late_spans(windows: tuple[int, ...]) -> tuple[_Span, ...]:
    return tuple(
        dict.fromkeys([_Span(SIGNAL_WINDOW), _Span(2 * SIGNAL_WINDOW, SIGNAL_WINDOW), _Span(min(windows))])
    )


_AMOUNT_SPANS = (_Span(SIGNAL_WINDOW), _Span(2 * SIGNAL_WINDOW, SIGNAL_WINDOW))


def lookback_days(windows: Sequence[int]) -> int:
    """How many days before a cutoff any window reaches: older events matter only for recency and history."""
    windows = tuple(windows)
    return max(max(windows), 2 * max(windows[:2]), 2 * SIGNAL_WINDOW)


def _windowed_sql(present: Sequence[str], windows: tuple[int, ...], cutoff: str) -> list[str]:
    """Stage 1: aggregates of one customer's events of one kind inside the windows."""
    counts = tuple(dict.fromkeys(span for kind in present for span in _kind_spans(kind, windows, True)))
    out = [f"COUNT(CASE WHEN {span.condition(cutoff)} THEN 1 END) AS n_{span.key}" for span in counts]
    for span in _late_spans(windows):
        when = f"kind = {_text(DELAY_KIND)} AND days_late IS NOT NULL AND {span.condition(cutoff)}"
        out.append(f"SUM(CASE WHEN {when} THEN CAST(days_late AS {EXACT}) END) AS late_sum_{span.key}")
        out.append(f"COUNT(CASE WHEN {when} THEN 1 END) AS late_n_{span.key}")
    for span in _AMOUNT_SPANS:
        when = f"kind = {_text(AMOUNT_KIND)} AND {span.condition(cutoff)}"
        out.append(
            f"SUM(CASE WHEN {when} THEN CAST(COALESCE(amount, 0) AS {EXACT}) END) AS amount_{span.key}"
        )
    return out


def _per_customer_sql(present: Sequence[str], windows: tuple[int, ...]) -> list[str]:
    """Stage 2: a customer's per-kind rows side by side (``order_n_30_0``: orders in the last 30 days)."""

    def pick(kind: str, column: str, default: str | None = None) -> str:
        value = f"MAX(CASE WHEN k.kind = {_text(kind)} THEN k.{column} END)"
        return f"COALESCE({value}, {default})" if default is not None else value

    out = []
    for kind in EVENT_KINDS:
        spans = _kind_spans(kind, windows, kind in present)
        if kind in present:
            out += [f"{pick(kind, f'n_{span.key}', '0')} AS {kind}_n_{span.key}" for span in spans]
            if kind not in NO_RECENCY_KINDS:
                out.append(f"{pick(kind, 'last_s')} AS {kind}_last_s")
        else:
            out += [f"0 AS {kind}_n_{span.key}" for span in spans]
    # the exact sums become doubles once, here
    for span in _late_spans(windows):
        out.append(f"CAST({pick(DELAY_KIND, f'late_sum_{span.key}')} AS DOUBLE) AS late_sum_{span.key}")
        out.append(f"{pick(DELAY_KIND, f'late_n_{span.key}', '0')} AS late_n_{span.key}")
    for span in _AMOUNT_SPANS:
        out.append(f"CAST({pick(AMOUNT_KIND, f'amount_{span.key}', '0')} AS DOUBLE) AS amount_{span.key}")
    return [*out, "MIN(k.first_s) AS any_first_s", "MAX(k.last_s) AS any_last_s"]


def feature_columns(kinds: Sequence[str], windows: Sequence[int], cutoff: str = "$cutoff") -> list[Column]:
    """The event features for ``kinds`` present and ``windows``, in output order (see the module docstring).

    Expressions read the stage-2 measures (``order_n_30_0``: orders in ``[cutoff - 30 d, cutoff)``).
    """
    _check(kinds, windows)
    present = [k for k in EVENT_KINDS if k in kinds]
    windows = tuple(windows)
    s = SIGNAL_WINDOW
    out = [Column(f"{KIND_NAMES[k]}_{w}d", f"{k}_n_{w}_0", "int64") for w in windows for k in present]
    for w in windows[:2]:
        out += [
            Column(f"{KIND_NAMES[k]}_trend_{w}d", _change(f"{k}_n_{w}_0", f"{k}_n_{2 * w}_{w}"), "float64")
            for k in present
            if k in TREND_KINDS
        ]
    out += [
        Column(f"days_since_last_{k}", _days(cutoff, f"{k}_last_s"), "float64")
        for k in present
        if k not in NO_RECENCY_KINDS
    ]
    out.append(Column("days_since_last_event", _days(cutoff, "any_last_s"), "float64"))
    out.append(Column("history_days", _days(cutoff, "any_first_s"), "float64"))

    def late(span: _Span) -> str:
        return f"CASE WHEN late_n_{span.key} > 0 THEN late_sum_{span.key} / late_n_{span.key} END"

    recent, before = late(_Span(s)), late(_Span(2 * s, s))
    out.append(Column("days_late_recent", recent, "float64"))
    out.append(Column("days_late_before", before, "float64"))
    out.append(Column("days_late_change", f"({recent}) - ({before})", "float64"))
    if min(windows) < s:
        out.append(Column(f"days_late_{min(windows)}d", late(_Span(min(windows))), "float64"))
    if AMOUNT_KIND in present:
        word, amount = KIND_NAMES[AMOUNT_KIND], f"amount_{s}_0"
        out.append(Column(f"{word}_amount_{s}d", amount, "float64"))
        out.append(Column(f"{word}_amount_trend_{s}d", _change(amount, f"amount_{2 * s}_{s}"), "float64"))
    return out


def signal_measure_columns() -> list[Column]:
    """Seed 004's measures over one window before the cutoff, named as :func:`signal_table` names them."""
    s = SIGNAL_WINDOW
    out = []
    for name, kind in SIGNAL_COUNTS.items():
        recent, before = f"{kind}_n_{s}_0", f"{kind}_n_{2 * s}_{s}"
        out.append(Column(f"{name}_recent", recent, "int64"))
        out.append(Column(f"{name}_before", before, "int64"))
        out.append(Column(f"{name}_change", _change(recent, before), "float64"))
    out.append(Column(f"{KIND_NAMES[CONTACT_KIND]}_recent", f"{CONTACT_KIND}_n_{s}_0", "int64"))
    return out


def signal_flag_sql(window_days: int = SIGNAL_WINDOW) -> dict[str, str]:
    """Flag -> SQL condition over seed 004's measures; NULL (unknown) counts as not raised.

    The same rules :func:`churn.analysis.signals.add_flags` applies to a frame:
    a drop of :data:`FREQUENCY_DROP` or more from at least :data:`MIN_BASE_EVENTS`;
    payments :data:`LATE_INCREASE_DAYS` or more days later; :data:`SUPPORT_RISE`
    more support tickets and :data:`SUPPORT_FACTOR` times as many, for customers
    with more than ``window_days`` of history; any contact change.
    """

    def dropped(name: str) -> str:
        return f"{name}_before >= {MIN_BASE_EVENTS} AND {name}_change <= {_double(FREQUENCY_DROP)}"

    tickets_now, tickets_before = "support_tickets_recent", "support_tickets_before"
    rules = {
        "fewer_orders": dropped("orders"),
        "fewer_emails": dropped("emails"),
        "later_payments": f"days_late_change >= {_double(LATE_INCREASE_DAYS)}",
        "more_support_tickets": (
            f"history_days > {int(window_days)} AND {tickets_now} >= {tickets_before} + {SUPPORT_RISE}"
            f" AND {tickets_now} >= {_double(SUPPORT_FACTOR)} * {tickets_before}"
        ),
        "contact_change": f"{KIND_NAMES[CONTACT_KIND]}_recent > 0",
        "fewer_logins": dropped("logins"),
    }
    return {name: f"CASE WHEN {rules[name]} THEN TRUE ELSE FALSE END" for name in SIGNALS}


def _n_signals_sql() -> str:
    return "CAST(" + " + ".join(f"CASE WHEN {name} THEN 1 ELSE 0 END" for name in SIGNALS) + " AS BIGINT)"


def output_columns(kinds: Sequence[str], windows: Sequence[int]) -> list[Column]:
    """Every column :func:`event_feature_sql` returns after ``customer_id``: features, ``n_signals``, flags."""
    features = [Column(c.name, c.name, c.dtype) for c in feature_columns(kinds, windows)]
    flags = [Column(name, name, "bool") for name in SIGNALS]
    return [*features, Column("n_signals", _n_signals_sql(), "int64"), *flags]


def event_feature_sql(
    kinds: Sequence[str],
    windows: Sequence[int],
    *,
    cutoff: str = "$cutoff",
    events: str = "events",
    customers: str = "customers",
    spans: str | None = None,
) -> str:
    """One SQL query giving every customer's event features and warning flags at a cutoff.

    Parameters
    ----------
    kinds : sequence of str
        The canonical kinds present in the log (features are made for these only).
    windows : sequence of int
        Window lengths in days; trends use the first two.
    cutoff : str
        SQL for the cutoff in seconds since 1970: a parameter (``$cutoff``,
        Spark's ``:cutoff``) or a literal. Only events with ``ts_s < cutoff`` are read.
    events, customers : str
        Tables ``events(customer_id, kind, ts_s, amount, days_late)`` and
        ``customers(customer_id)``; events of other customers are ignored.
    spans : str, optional
        A table ``(customer_id, kind, first_s, last_s)`` of first and last event
        times of groups of events, each group lying wholly before or wholly on
        or after every cutoff it is used with (events between two consecutive
        cutoffs, say); it spares a pass over all of history per cutoff. By
        default every event is its own group.

    Returns
    -------
    str
        ``SELECT customer_id, <features>, n_signals, <flags>``: one row per
        customer of ``customers`` (:func:`output_columns` names them in order).

    Example
    -------
    >>> sql = event_feature_sql(["order"], [30])
    >>> "COUNT(CASE WHEN ts_s >= CAST($cutoff AS BIGINT) - 2592000 THEN 1 END) AS n_30_0" in sql
    True
    """
    cutoff = f"CAST({cutoff} AS BIGINT)"
    windows = tuple(windows)
    features = feature_columns(kinds, windows, cutoff)
    present = [k for k in EVENT_KINDS if k in kinds]
    windowed = _windowed_sql(present, windows, cutoff)
    names = [line.rsplit(" AS ", 1)[1] for line in windowed]
    known = ", ".join(_text(k) for k in EVENT_KINDS)
    spans = spans or f"(SELECT customer_id, kind, ts_s AS first_s, ts_s AS last_s FROM {events})"

    def listed(lines: list[str], indent: str = "    ") -> str:
        return f",\n{indent}".join(lines)

    return f"""WITH spanned AS (
  SELECT customer_id, kind, MIN(first_s) AS first_s, MAX(last_s) AS last_s
  FROM {spans} AS spans
  WHERE last_s < {cutoff} AND kind IN ({known})
  GROUP BY customer_id, kind
), windowed AS (
  SELECT customer_id, kind,
    {listed(windowed)}
  FROM {events}
  WHERE ts_s < {cutoff} AND ts_s >= {cutoff} - {lookback_days(windows) * SECONDS_PER_DAY} AND kind IN ({known})
  GROUP BY customer_id, kind
), per_kind AS (
  SELECT s.customer_id, s.kind, s.first_s, s.last_s, {", ".join(f"w.{name}" for name in names)}
  FROM spanned AS s
  LEFT JOIN windowed AS w ON w.customer_id = s.customer_id AND w.kind = s.kind
), per_customer AS (
  SELECT c.customer_id,
    {listed(_per_customer_sql(present, windows))}
  FROM {customers} AS c
  LEFT JOIN per_kind AS k ON k.customer_id = c.customer_id
  GROUP BY c.customer_id
), measured AS (
  SELECT customer_id,
    {listed([f"{c.sql} AS {c.name}" for c in [*features, *signal_measure_columns()]])}
  FROM per_customer
), flagged AS (
  SELECT measured.*,
    {listed([f"{rule} AS {name}" for name, rule in signal_flag_sql().items()])}
  FROM measured
)
SELECT customer_id,
  {listed([c.name if c.sql == c.name else f"{c.sql} AS {c.name}" for c in output_columns(kinds, windows)], "  ")}
FROM flagged"""
