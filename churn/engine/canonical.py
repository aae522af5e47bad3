"""Sums over the typed rows of a whole event file, and the canonical events written from them.

:func:`churn.engine.reading.load_typed_events` leaves the file's rows in the
table :data:`~churn.engine.reading.TYPED_EVENTS`; the functions here count what
the fallback decision and the notes need (:func:`typed_event_counts`,
:func:`marker_counts`, ...) and write the canonical events as one Parquet file
(:func:`write_canonical_events`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from churn.core.dataset import AMOUNT, CUSTOMER_ID, DAYS_LATE, EVENT_TYPE, EVENT_TYPE_RAW, TIMESTAMP
from churn.engine.reading import (
    CELL_SEPARATOR,
    MARKER_SEPARATOR,
    TYPED_EVENTS,
    EventRead,
    parquet_relation,
    value_sql,
)
from churn.engine.sql import days, literal, number_literal

__all__ = [
    "fenced_event_counts",
    "first_outside",
    "marker_counts",
    "type_counts",
    "typed_event_counts",
    "write_canonical_events",
]


def _one_row(con: duckdb.DuckDBPyConnection, items: Mapping[str, str], source: str) -> dict:
    select = ", ".join(f"{sql} AS {name}" for name, sql in items.items())
    cursor = con.execute(f"SELECT {select} FROM {source}")
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


def typed_event_counts(con: duckdb.DuckDBPyConnection, cancelled: str = "false", known: str = "true") -> dict:
    """Counts over :data:`TYPED_EVENTS` for the fallback decision, the notes and the left-out causes.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding the table.
    cancelled : str
        SQL over the table's columns that is true for a cancellation.
    known : str
        SQL over the table's columns that is true for a known customer (:func:`known_test`).

    Returns
    -------
    dict
        ``rows`` (rows holding any value), ``bad_id``, ``bad_ts``, ``bad_amount``,
        ``bad_late`` (cells written but unreadable), ``amount_leading_zero`` and
        ``amount_decimal_mark`` (and ``late_...``: any cell like ``0123``, any
        with ``.`` or ``,``), ``amounts`` (cells with an amount),
        ``no_customer``, ``no_date`` (a customer but no time), ``cancelled`` (a
        customer, a time and a cancellation), ``cancelled_with_customer``,
        ``first_ts`` / ``last_ts`` and ``lowest_amount`` / ``highest_amount``,
        ``dates`` (times present) with their quartiles ``q25`` and ``q75`` in
        days since 1970, and the same for the known customers' events
        (``known``, SQL from :func:`known_test`: ``known_dates``, ``known_q25``, ``known_q75``).
    """
    day = days("ts")
    kept = f"id IS NOT NULL AND ({known}) AND ts IS NOT NULL"
    items = {
        "rows": "count_if(present)",
        "bad_id": "count_if(id_bad)",
        "bad_ts": "count_if(ts_bad)",
        "bad_amount": "count_if(amount_bad)",
        "bad_late": "count_if(late_bad)",
        "amount_leading_zero": "coalesce(bool_or(amount_shape = 1), false)",
        "amount_decimal_mark": "coalesce(bool_or(amount_shape = 2), false)",
        "late_leading_zero": "coalesce(bool_or(late_shape = 1), false)",
        "late_decimal_mark": "coalesce(bool_or(late_shape = 2), false)",
        "amounts": "count(amount)",
        "no_customer": "count_if(present AND id IS NULL)",
        "no_date": "count_if(id IS NOT NULL AND ts IS NULL)",
        "cancelled": f"count_if(id IS NOT NULL AND ts IS NOT NULL AND ({cancelled}))",
        "cancelled_with_customer": f"count_if(id IS NOT NULL AND ({cancelled}))",
        "dates": "count(ts)",
        "first_ts": "min(ts)",
        "last_ts": "max(ts)",
        "lowest_amount": "min(amount)",
        "highest_amount": "max(amount)",
        "quartiles": f"quantile_cont({day}, [0.25, 0.75])",
        "known_dates": f"count_if({kept})",
    }
    values = _one_row(con, items, TYPED_EVENTS)
    if values["known_dates"] == values["dates"]:  # the same times (usually): the same quartiles
        values["known_quartiles"] = values["quartiles"]
    else:
        sql = f"SELECT quantile_cont({day}, [0.25, 0.75]) FROM {TYPED_EVENTS} WHERE {kept}"
        values["known_quartiles"] = con.execute(sql).fetchone()[0]
    for name, prefix in (("quartiles", ""), ("known_quartiles", "known_")):
        both = values.pop(name) or [None, None]
        values[f"{prefix}q25"], values[f"{prefix}q75"] = (None if v is None else float(v) for v in both)
    return values


def fenced_event_counts(
    con: duckdb.DuckDBPyConnection, fences: tuple[float, float], known: str = "true"
) -> dict:
    """Counts over :data:`TYPED_EVENTS` once the fences of the raw times are known (days since 1970).

    Returns
    -------
    dict
        ``far`` (times outside the fences), ``far_with_customer`` (of rows with
        a customer), ``unknown`` (a customer not known, a time inside)
        and ``earliest`` / ``latest`` (the first and last time inside, or None).
    """
    low, high = (float(v) for v in fences)
    inside = f"({days('ts')} BETWEEN {number_literal(low)} AND {number_literal(high)})"
    outside = f"(ts IS NOT NULL AND NOT {inside})"
    items = {
        "far": f"count_if({outside})",
        "far_with_customer": f"count_if(id IS NOT NULL AND {outside})",
        "unknown": f"count_if(id IS NOT NULL AND ts IS NOT NULL AND {inside} AND NOT ({known}))",
        "earliest": f"min(ts) FILTER (WHERE {inside})",
        "latest": f"max(ts) FILTER (WHERE {inside})",
    }
    values = _one_row(con, items, TYPED_EVENTS)
    for name in ("earliest", "latest"):
        values[name] = None if values[name] is None else pd.Timestamp(values[name])
    return values


def first_outside(
    con: duckdb.DuckDBPyConnection, read: EventRead, far: tuple[float, float]
) -> pd.Timestamp | None:
    """The first time in file order outside the fences (a second, ordered read of the file; None when none)."""
    con.execute("SET preserve_insertion_order = true")
    value = value_sql(read.timestamp)
    low, high = (float(v) for v in far)
    row = con.execute(
        f"SELECT ts FROM (SELECT {value} AS ts FROM {read.relation}) "
        f"WHERE ts IS NOT NULL AND NOT ({days('ts')} BETWEEN {number_literal(low)} AND {number_literal(high)}) LIMIT 1"
    ).fetchone()
    con.execute("SET preserve_insertion_order = false")
    return None if row is None else pd.Timestamp(row[0])


def marker_counts(con: duckdb.DuckDBPyConnection) -> dict[int, dict[str, int]]:
    """Column position -> marker label -> cells, from the ``markers`` of :data:`TYPED_EVENTS`."""
    rows = con.execute(
        f"""
        SELECT cell, count(*) FROM (
            SELECT unnest(string_split(markers, {literal(CELL_SEPARATOR)})) AS cell
            FROM {TYPED_EVENTS} WHERE markers IS NOT NULL
        ) GROUP BY cell
        """
    ).fetchall()
    out: dict[int, dict[str, int]] = {}
    for cell, count in rows:
        position, _, label = str(cell).partition(MARKER_SEPARATOR)
        out.setdefault(int(position), {})[label] = int(count)
    return out


def type_counts(con: duckdb.DuckDBPyConnection, limit: int) -> dict[str, int] | None:
    """Rows per event type of :data:`TYPED_EVENTS` (``''`` for none), or None when there are more than ``limit`` types."""
    rows = con.execute(
        f"SELECT type, count(*) FROM {TYPED_EVENTS} GROUP BY type LIMIT {int(limit) + 1}"
    ).fetchall()
    return None if len(rows) > limit else {str(raw): int(count) for raw, count in rows}


# ---------------------------------------------------------------- the canonical file


def write_canonical_events(
    con: duckdb.DuckDBPyConnection,
    kinds: Mapping[str, tuple[str, str]],
    path: str | Path,
    plausible: tuple[float, float],
    cancelled: str = "false",
    known: str = "true",
) -> dict:
    """Write the canonical events of :data:`TYPED_EVENTS` as ONE Parquet file.

    Kept: rows with a known customer id (``known``, from :func:`known_test`) and a time inside
    ``plausible`` (days since 1970). ``kinds`` maps each value of the typed
    table's ``type`` to the type as text and its kind; a cancellation (the SQL
    ``cancelled``) is of kind ``other``.

    Columns, as :data:`churn.core.dataset.CANONICAL_EVENT_COLUMNS`: customer_id
    VARCHAR, timestamp TIMESTAMP, event_type VARCHAR, event_type_raw VARCHAR,
    amount DOUBLE, days_late DOUBLE.

    Returns
    -------
    dict
        ``rows`` written and the ``earliest`` and ``latest`` time among them (None when none).
    """
    table = pd.DataFrame(
        {"raw": list(kinds), "text": [t for t, _ in kinds.values()], "kind": [k for _, k in kinds.values()]},
        dtype=object,
    )
    con.register("event_kinds", table)
    low, high = (float(v) for v in plausible)
    try:
        con.execute(
            f"""
            COPY (
                SELECT e.id AS {CUSTOMER_ID}, e.ts AS {TIMESTAMP},
                       CASE WHEN {cancelled} THEN 'other' ELSE k.kind END AS {EVENT_TYPE},
                       k.text AS {EVENT_TYPE_RAW}, e.amount AS {AMOUNT}, e.late AS {DAYS_LATE}
                FROM {TYPED_EVENTS} AS e JOIN event_kinds AS k ON e.type = k.raw
                WHERE e.id IS NOT NULL AND ({known}) AND e.ts IS NOT NULL
                  AND {days("e.ts")} BETWEEN {number_literal(low)} AND {number_literal(high)}
            ) TO {literal(str(path))} (FORMAT parquet, COMPRESSION snappy)
            """
        )
    finally:
        con.unregister("event_kinds")
    rows, earliest, latest = con.execute(
        f"SELECT count(*), min({TIMESTAMP}), max({TIMESTAMP}) FROM {parquet_relation(path)}"
    ).fetchone()
    return {
        "rows": int(rows),
        "earliest": None if earliest is None else pd.Timestamp(earliest),
        "latest": None if latest is None else pd.Timestamp(latest),
    }
