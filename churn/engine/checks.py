"""Data-quality sums that need every canonical event, in SQL: counts, repeats, the spread of the dates.

:mod:`churn.ingest.quality` uses these when a dataset's events live only on
disk (``dataset.events is None``, ``dataset.event_path`` set); the pandas
frame answers the same questions when the events are in memory. Each function
takes the SQL naming the canonical events (:func:`canonical_source`), so it
runs the same over a Parquet file or a registered frame.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from churn.core.dataset import AMOUNT, CUSTOMER_ID, DAYS_LATE, EVENT_TYPE_RAW, TIMESTAMP
from churn.engine.sql import days, literal, number_literal

__all__ = [
    "DUPLICATE_COLUMNS",
    "canonical_source",
    "date_quartiles",
    "date_span",
    "duplicate_events",
    "event_count",
]

#: Two events are the same when they agree on all of these (pandas ``duplicated`` on the frame).
DUPLICATE_COLUMNS = (CUSTOMER_ID, TIMESTAMP, EVENT_TYPE_RAW, AMOUNT, DAYS_LATE)


def canonical_source(path: str | Path) -> str:
    """SQL naming the canonical events in one Parquet file."""
    return f"read_parquet({literal(str(path))})"


def event_count(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """How many canonical events there are."""
    return int(con.execute(f"SELECT count(*) FROM {source}").fetchone()[0])


def duplicate_events(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Events that repeat an earlier one on :data:`DUPLICATE_COLUMNS` (missing values equal each other).

    One 64-bit hash per event, sorted in numpy: equal neighbours are the
    candidates. A GROUP BY over tens of millions of distinct events is many
    times slower on a small machine. The candidates are then counted exactly
    in SQL, so a hash collision never counts as a repeat.

    Example
    -------
    Three rows ``(a, 10:00, login)``, ``(a, 10:00, login)``, ``(a, 11:00, login)``:
    one group of 2 and one of 1, so 2 - 1 = 1 repeat.
    """
    columns = ", ".join(DUPLICATE_COLUMNS)
    hashes = np.sort(np.asarray(con.execute(f"SELECT hash({columns}) AS h FROM {source}").fetchnumpy()["h"]))
    repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
    del hashes
    if not len(repeated):
        return 0
    con.register("repeated_hashes", pd.DataFrame({"h": repeated}))
    try:
        sql = f"""
            SELECT coalesce(sum(n - 1), 0) FROM (
                SELECT count(*) AS n FROM {source}
                WHERE hash({columns}) IN (SELECT h FROM repeated_hashes) GROUP BY {columns}
            )
        """
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.unregister("repeated_hashes")


def date_quartiles(
    con: duckdb.DuckDBPyConnection, source: str, column: str = TIMESTAMP
) -> tuple[int, float | None, float | None]:
    """(dates present, lower quartile, upper quartile), the quartiles in days since 1970 (linear, as pandas)."""
    day = days(column)
    count, low, high = con.execute(
        f"SELECT count({column}), quantile_cont({day}, 0.25), quantile_cont({day}, 0.75) FROM {source}"
    ).fetchone()
    return int(count), None if low is None else float(low), None if high is None else float(high)


def date_span(
    con: duckdb.DuckDBPyConnection,
    source: str,
    inside: tuple[float, float],
    column: str = TIMESTAMP,
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first and last date within ``inside`` (days since 1970, ends included); None when there is none."""
    low, high = (float(v) for v in inside)
    first, last = con.execute(
        f"SELECT min({column}), max({column}) FROM {source} WHERE {days(column)} BETWEEN {number_literal(low)} AND {number_literal(high)}"
    ).fetchone()
    return (None if first is None else pd.Timestamp(first), None if last is None else pd.Timestamp(last))
