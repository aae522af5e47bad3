"""Event features and warning flags at cutoff dates, computed by the engine from every event.

The event half of a model snapshot. :func:`event_features_at` copies the listed
customers' events once from the ``events`` view
(:func:`churn.engine.connection.event_view`: a pandas frame or a Parquet file
too big for memory), then runs the query of
:func:`churn.engine.definitions.event_feature_sql` once per cutoff and hands
each per-customer result to pandas in one columnar transfer. Nothing on or
after a cutoff is read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd

from churn.core.dataset import CUSTOMER_ID, EVENT_KINDS, SECONDS_PER_DAY
from churn.core.errors import ModelError
from churn.engine.connection import EVENTS
from churn.engine.definitions import SIGNALS, event_feature_sql, lookback_days, output_columns

log = logging.getLogger(__name__)

#: Tables the feature query reads while :func:`event_features_at` runs (dropped after).
CUSTOMERS, KEPT_EVENTS, SPANS = "feature_customers", "feature_events", "feature_spans"
_LISTED = "feature_customer_list"


def cutoff_seconds(cutoff: pd.Timestamp) -> int:
    """Whole seconds since 1970 of ``cutoff``, floored (an aware time in UTC, as the view reads events)."""
    stamp = pd.Timestamp(cutoff)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value // 1_000_000_000)


def customer_index(customer_ids: Iterable) -> pd.Index:
    """Customer ids as text, the way the engine compares them (``7`` and ``"7"`` are one customer)."""
    return pd.Index(pd.Series(list(customer_ids), dtype=object).astype(str), name=CUSTOMER_ID)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _keep_events(
    con: duckdb.DuckDBPyConnection, unique: pd.Index, cutoffs_s: list[int], windows: Sequence[int]
) -> tuple[str, ...]:
    """Copy what the cutoffs need of the listed customers' events; return the kinds present among them.

    ``feature_spans``: first and last event time per customer, kind and stretch
    between consecutive cutoffs (one pass over all of history, so no cutoff
    needs one). ``feature_events``: only the events some window reaches. Each
    customer is held as its position in ``unique``.
    """
    kinds = ", ".join(_text(k) for k in EVENT_KINDS)
    stretch = " + ".join(f"CASE WHEN e.ts_s >= {c} THEN 1 ELSE 0 END" for c in sorted(set(cutoffs_s))) or "0"
    reach = min(cutoffs_s, default=0) - lookback_days(windows) * SECONDS_PER_DAY
    con.register(_LISTED, pd.DataFrame({CUSTOMER_ID: unique, "position": range(len(unique))}))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {CUSTOMERS} AS SELECT position AS customer_id FROM {_LISTED}"
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {SPANS} AS
            SELECT c.position AS customer_id, e.kind, MIN(e.ts_s) AS first_s, MAX(e.ts_s) AS last_s
            FROM {EVENTS} AS e JOIN {_LISTED} AS c ON c.customer_id = e.customer_id
            WHERE e.kind IN ({kinds})
            GROUP BY c.position, e.kind, {stretch}"""
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {KEPT_EVENTS} AS
            SELECT c.position AS customer_id, e.kind, e.ts_s, e.amount, e.days_late
            FROM {EVENTS} AS e JOIN {_LISTED} AS c ON c.customer_id = e.customer_id
            WHERE e.kind IN ({kinds}) AND e.ts_s >= {reach} AND e.ts_s < {max(cutoffs_s, default=0)}"""
        )
    finally:
        con.unregister(_LISTED)
    seen = {kind for (kind,) in con.execute(f"SELECT DISTINCT kind FROM {SPANS}").fetchall()}
    return tuple(kind for kind in EVENT_KINDS if kind in seen)


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    for table in (CUSTOMERS, KEPT_EVENTS, SPANS):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def event_features_at(
    con: duckdb.DuckDBPyConnection,
    cutoffs: Sequence[pd.Timestamp],
    customer_ids: Iterable,
    windows: Sequence[int],
) -> dict[pd.Timestamp, tuple[pd.DataFrame, pd.DataFrame]]:
    """(event features, warning flags) of every listed customer at each cutoff.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection with the ``events`` view (:func:`churn.engine.connection.event_view`).
    cutoffs : sequence of pd.Timestamp
        Only events strictly before a cutoff are read for it.
    customer_ids : iterable
        The customers, compared as text; events of anyone else are ignored.
    windows : sequence of int
        Window lengths in days (trends use the first two).

    Returns
    -------
    dict
        ``{cutoff: (features, flags)}``, both indexed by ``customer_id`` in the
        given order. Features are made for the kinds present among these
        customers' events at any time (:func:`churn.engine.definitions.feature_columns`);
        a customer without events before a cutoff has counts 0 and no recency.
        Flags are the boolean columns :data:`churn.engine.definitions.SIGNALS`.

    Example
    -------
    >>> con = connect()  # doctest: +SKIP
    >>> event_view(con, dataset)  # doctest: +SKIP
    >>> features, flags = event_features_at(con, [cutoff], ids, (30, 90))[cutoff]  # doctest: +SKIP
    """
    ids = customer_index(customer_ids)
    unique = ids.unique()
    stamps = {pd.Timestamp(c): cutoff_seconds(c) for c in cutoffs}
    out = {}
    try:
        kinds = _keep_events(con, unique, list(stamps.values()), windows)
        columns = output_columns(kinds, windows)
        sql = event_feature_sql(kinds, windows, events=KEPT_EVENTS, customers=CUSTOMERS, spans=SPANS)
        for cutoff, seconds in stamps.items():
            frame = _run(con, sql, seconds)
            frame.index = pd.Index(unique[frame.pop(CUSTOMER_ID).to_numpy()], name=CUSTOMER_ID)
            frame = frame.reindex(ids).astype({c.name: c.dtype for c in columns})
            out[cutoff] = (frame.drop(columns=list(SIGNALS)), frame[list(SIGNALS)])
    finally:
        _drop(con)
    log.info("event features for %d customers at %d cutoffs", len(ids), len(out))
    return out


def _run(con: duckdb.DuckDBPyConnection, sql: str, seconds: int) -> pd.DataFrame:
    """The feature query at one cutoff, as a pandas frame (one columnar transfer)."""
    try:
        return con.execute(sql, {"cutoff": seconds}).df()
    except duckdb.ConversionException as error:
        raise ModelError("errors.value_too_large") from error


def first_event_time(con: duckdb.DuckDBPyConnection, customer_ids: Iterable) -> pd.Timestamp | None:
    """Time of the first event of any listed customer (whole seconds), None when they have none."""
    con.register(_LISTED, pd.DataFrame({CUSTOMER_ID: customer_index(customer_ids).unique()}))
    try:
        (first,) = con.execute(
            f"SELECT MIN(e.ts_s) FROM {EVENTS} AS e JOIN {_LISTED} AS c ON c.customer_id = e.customer_id"
        ).fetchone()
    finally:
        con.unregister(_LISTED)
    return None if first is None else pd.Timestamp(int(first), unit="s")
