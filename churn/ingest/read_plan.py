"""How the engine reads each column of a big event file: the SQL that gives what pandas gave on the sample.

For every mapped column :func:`plan_read` tries the candidate readings (a
customer id, a number with a decimal comma or point, a date in one of the
shapes intake reads) on the sample rows and keeps the first whose values
equal the pandas intake's; when none does, :class:`NeedsMemory` says which
column, and the file is read in memory.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from churn.core.dataset import RoleMapping
from churn.core.errors import ChurnError
from churn.engine import reading
from churn.ingest.coercion import MISSING_MARKERS, UNKNOWN_MARKERS
from churn.ingest.columns import customer_ids, numbers
from churn.ingest.event_kinds import MISSING_ID_TEXT, missing_ids
from churn.ingest.event_sample import EventSample, NeedsMemory
from churn.ingest.events import event_timestamps
from churn.ingest.names import is_date, is_number

__all__ = ["plan_read", "sample_relation"]

_NUMBER_MARKERS = tuple(sorted(MISSING_MARKERS | UNKNOWN_MARKERS))
_TEXT_MARKERS = tuple(sorted(MISSING_MARKERS))
_ISO_DAY = "%Y-%m-%d"
_ISO_TIMES = ("", " %H:%M:%S", "T%H:%M:%S", " %H:%M", "T%H:%M", " %H:%M:%S.%f", "T%H:%M:%S.%f")
#: the times coercion's _parse_with_time tries after a day written dd.mm.yyyy and the like
_TIMES = ("", " %H:%M", " %H:%M:%S", "T%H:%M:%S")
_DAY_SHAPES = ("%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d")
_COMPACT_SHAPE = "(19|20)[0-9]{6}"


def _source(sample: EventSample, position: int) -> str:
    if sample.delimiter is not None:
        return f"c{position}"
    return '"' + list(sample.types)[position].replace('"', '""') + '"'


def _source_type(sample: EventSample, position: int) -> str:
    return list(sample.types.values())[position] if sample.types else "VARCHAR"


def _position(sample: EventSample, column: str) -> int:
    if column not in sample.names:
        raise NeedsMemory(f"column '{column}' is not among the file's columns")
    return sample.names.index(column)


def _is_typed(series: pd.Series | None) -> bool:
    return series is not None and (is_number(series) or is_date(series))


def _cell_reading(sample: EventSample, position: int) -> reading.ColumnRead:
    """How a column's cells count as markers and values (every column, mapped or not)."""
    name = sample.names[position]
    series = sample.frame.get(name)
    kind = _source_type(sample, position)
    if kind != "VARCHAR":
        return reading.ColumnRead(_source(sample, position), "typed", source_type=kind)
    typed = _is_typed(series)
    return reading.ColumnRead(
        _source(sample, position),
        "number" if typed else "text",
        markers=_NUMBER_MARKERS if typed else _TEXT_MARKERS,
        typed_markers=typed,
    )


def _candidates(sample: EventSample, role: str, column: str) -> list[reading.ColumnRead]:
    """The SQL readings that may give what the pandas reader gave for one mapped column."""
    position = _position(sample, column)
    source, kind = _source(sample, position), _source_type(sample, position)
    series = sample.frame[column]
    if kind != "VARCHAR":
        if role == "event_customer_id" and (kind in ("FLOAT", "DOUBLE") or "INT" in kind):
            return [reading.ColumnRead(source, "typed_id", source_type=kind)]
        if role in ("event_amount", "event_days_late") and (kind in ("FLOAT", "DOUBLE") or "INT" in kind):
            return [reading.ColumnRead(source, "typed_number", source_type=kind)]
        if role == "event_timestamp" and (
            kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind or kind == "DATE"
        ):
            return [reading.ColumnRead(source, "typed_timestamp", source_type=kind)]
        raise NeedsMemory(f"column '{column}' is stored as {kind}")
    typed = _is_typed(series)
    markers = _NUMBER_MARKERS if typed else _TEXT_MARKERS
    common = {"markers": markers, "typed_markers": typed}
    if role == "event_customer_id":
        if is_date(series):
            raise NeedsMemory(f"column '{column}' holds dates, not customer ids")
        kind_of_id = "integer_id" if is_number(series) else "id"
        return [reading.ColumnRead(source, kind_of_id, missing_ids=tuple(sorted(MISSING_ID_TEXT)), **common)]
    if role == "event_type":
        if typed:
            raise NeedsMemory(f"column '{column}' holds numbers or dates as event types")
        return [reading.ColumnRead(source, "text", **common)]
    if role in ("event_amount", "event_days_late"):
        if not is_number(series):
            raise NeedsMemory(f"column '{column}' does not hold numbers")
        return [
            reading.ColumnRead(source, "number", number_rule=rule, **common) for rule in reading.NUMBER_RULES
        ]
    # the timestamp: a date column, or yyyymmdd as numbers or text
    compact = reading.ColumnRead(source, "timestamp", formats=("%Y%m%d",), shape=_COMPACT_SHAPE, **common)
    if not is_date(series):
        return [compact]
    days = [tuple(_ISO_DAY + t for t in _ISO_TIMES)] + [tuple(d + t for t in _TIMES) for d in _DAY_SHAPES]
    return [reading.ColumnRead(source, "timestamp", formats=f, **common) for f in days] + [compact]


def _expected(sample: EventSample, role: str, column: str) -> pd.Series:
    """What intake makes of a mapped column of the sample (the values the SQL must match)."""
    series = sample.frame[column]
    try:
        if role == "event_customer_id":
            return customer_ids(series).where(~missing_ids(series), None)
        if role == "event_timestamp":
            return event_timestamps(series)
        if role in ("event_amount", "event_days_late"):
            return numbers(series)
    except ChurnError as error:
        raise NeedsMemory(str(error)) from None
    return series.astype(object).where(series.notna(), "").astype(str)


def _same(role: str, got: pd.Series, expected: pd.Series) -> bool:
    if len(got) != len(expected):
        return False
    if role == "event_timestamp":
        a = pd.to_datetime(got).astype("datetime64[ns]").to_numpy().view("int64")
        b = pd.to_datetime(expected).astype("datetime64[ns]").to_numpy().view("int64")
        return bool(np.array_equal(a, b))
    if role in ("event_amount", "event_days_late"):
        a, b = pd.to_numeric(got).to_numpy(float), expected.to_numpy(float)
        return bool(np.array_equal(a, b, equal_nan=True))
    a = [None if pd.isna(v) else str(v) for v in got]
    b = [None if pd.isna(v) else str(v) for v in expected]
    if role == "event_type":
        a = ["" if v is None else v for v in a]
    return a == b


_ROLES = {
    "event_customer_id": "customer_id",
    "event_timestamp": "timestamp",
    "event_type": "event_type",
    "event_amount": "amount",
    "event_days_late": "days_late",
}


def sample_relation(sample: EventSample, path: Path) -> str:
    """SQL reading ``path`` (the whole file or its sample) the way the sample was read."""
    if sample.delimiter is None:
        return reading.parquet_relation(path)
    return reading.csv_relation(path, sample.delimiter, len(sample.names))


def plan_read(con: duckdb.DuckDBPyConnection, sample: EventSample, mapping: RoleMapping) -> reading.EventRead:
    """The reading of the whole file: per mapped column the first candidate that matches the sample.

    Raises
    ------
    NeedsMemory
        When no SQL reading gives what the pandas reader gave for a column.
    """
    others = tuple(_cell_reading(sample, i) for i in range(len(sample.names)))
    relation = sample_relation(sample, sample.sample_path)
    chosen: dict[str, reading.ColumnRead] = {}
    for role in _ROLES:
        column = getattr(mapping, role)
        if column is None:
            continue
        _position(sample, column)  # a column the file lacks needs memory, not a KeyError
        expected = _expected(sample, role, column)
        match = None
        for candidate in _candidates(sample, role, column):  # one at a time: a date shape that fails is slow
            if _same(role, reading.column_values(con, relation, {"v": candidate}, others)["v"], expected):
                match = candidate
                break
        if match is None:
            raise NeedsMemory(f"column '{column}' does not read in SQL as the first rows read")
        if match.formats and len(match.formats) > 1:
            counts = reading.format_counts(con, relation, match)
            match = replace(match, formats=tuple(sorted(match.formats, key=lambda f: -counts[f])))
        chosen[_ROLES[role]] = match
    if "event_type" in chosen and chosen["event_type"].kind == "text":
        # few distinct values: read as written, then stripped and told from markers once each (in Python)
        chosen["event_type"] = replace(chosen["event_type"], kind="raw_text")
    return reading.EventRead(
        sample_relation(sample, sample.path),
        chosen["customer_id"],
        chosen["timestamp"],
        chosen.get("event_type"),
        chosen.get("amount"),
        chosen.get("days_late"),
        others,
    )
