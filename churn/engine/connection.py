"""The embedded columnar engine: one configured in-process DuckDB connection, and the event view.

Everything that needs every event (features at each cutoff, warning signals,
duplicate checks, date ranges) is SQL run here, on the canonical events held
either in memory (a pandas frame, read in place) or on disk (one Parquet file,
never loaded whole). Nothing needs a server or any configuration: the
connection lives in the process and spills to a temporary folder when a query
needs more memory than :data:`MEMORY_ENV` allows.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from churn.core.dataset import AMOUNT, CUSTOMER_ID, DAYS_LATE, EVENT_TYPE, TIMESTAMP, Dataset
from churn.core.errors import ModelError

#: Environment variable with DuckDB's memory limit ("4GB", "60%"); spills to disk above it.
MEMORY_ENV = "CHURN_ENGINE_MEMORY"
DEFAULT_MEMORY = "4GB"
#: Name of the view :func:`event_view` creates.
EVENTS = "events"

_SPILL_DIR: Path | None = None


def _spill_dir() -> Path:
    """One private temporary folder per process for DuckDB's spill files."""
    global _SPILL_DIR
    if _SPILL_DIR is None:
        _SPILL_DIR = Path(tempfile.mkdtemp(prefix="churn-engine-"))
    return _SPILL_DIR


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB connection set up for this machine.

    Parameters
    ----------
    threads : int, optional
        Worker threads; default the machine's cores (at most 8).
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"``; default the :data:`MEMORY_ENV`
        environment variable, else :data:`DEFAULT_MEMORY`.

    Returns
    -------
    duckdb.DuckDBPyConnection
        Close it when done (``with connect() as con: ...``).
    """
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads or min(os.cpu_count() or 1, 8))}")
    limit = memory_limit or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY
    con.execute("SET memory_limit = ?", [limit])
    con.execute("SET temp_directory = ?", [str(_spill_dir())])
    con.execute("SET preserve_insertion_order = false")
    # a long query would otherwise draw a progress bar on the terminal, through the CLI's output
    con.execute("SET enable_progress_bar = false")
    return con


def _source(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> str:
    """SQL naming the dataset's canonical events: the pandas frame in place, else the Parquet file."""
    if dataset.events is not None:
        columns = [c for c in (CUSTOMER_ID, TIMESTAMP, EVENT_TYPE, AMOUNT, DAYS_LATE) if c in dataset.events]
        con.register("events_frame", dataset.events[columns])
        return "events_frame"
    if dataset.event_path is None:
        raise ModelError("errors.no_event_log")
    path = str(dataset.event_path).replace("'", "''")
    return f"read_parquet('{path}')"


def event_view(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> int:
    """Create the view ``events`` over the dataset's canonical events; return its row count.

    Columns: ``customer_id VARCHAR``, ``kind VARCHAR`` (the canonical event kind),
    ``ts_s BIGINT`` (seconds since 1970, floored like numpy's ``datetime64[s]``),
    ``amount DOUBLE`` and ``days_late DOUBLE`` (NULL when the log has none).
    Rows without a timestamp are left out.
    """
    source = _source(con, dataset)
    names = set(con.sql(f"SELECT * FROM {source} LIMIT 0").columns)
    amount = f"CAST({AMOUNT} AS DOUBLE)" if AMOUNT in names else "CAST(NULL AS DOUBLE)"
    late = f"CAST({DAYS_LATE} AS DOUBLE)" if DAYS_LATE in names else "CAST(NULL AS DOUBLE)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW {EVENTS} AS
        SELECT CAST({CUSTOMER_ID} AS VARCHAR) AS customer_id,
               CAST({EVENT_TYPE} AS VARCHAR) AS kind,
               CAST(floor(epoch_us({TIMESTAMP}) / 1000000.0) AS BIGINT) AS ts_s,
               {amount} AS amount,
               {late} AS days_late
        FROM {source}
        WHERE {TIMESTAMP} IS NOT NULL
        """
    )
    return int(con.sql(f"SELECT count(*) FROM {EVENTS}").fetchone()[0])
