"""Reading an event file in SQL with given decisions (churn/engine/reading.py): values, flags, counts, the Parquet file."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from churn.engine import reading
from churn.engine.connection import connect
from churn.engine.reading import ColumnRead, EventRead

NUMBER_MARKERS = ("", "na", "ukjent", "-")
TEXT_MARKERS = ("", "na", "-")


@pytest.fixture
def con():
    with connect(threads=1) as connection:
        yield connection


def csv_relation(tmp_path: Path, lines: list[str], delimiter: str = ";") -> str:
    """Write ``lines`` as a file in ``tmp_path``; the SQL reading it as text columns."""
    path = tmp_path / "e.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    width = len(lines[0].split(delimiter))
    return reading.csv_relation(path, delimiter, width)


def _values(con, relation: str, column: ColumnRead) -> list:
    return reading.column_values(con, relation, {"v": column}, (ColumnRead(column.source, "text"),))[
        "v"
    ].tolist()


@pytest.mark.parametrize(
    "rule,cells,expected",
    [
        ("comma", ["1.250,50", "980", "kr 99,-", "NA"], [1250.5, 980.0, 99.0, None]),
        ("dot", ["1,250.50", "980", "12.5"], [1250.5, 980.0, 12.5]),
        ("plain", ["12", " 7 ", "1e3", "nan", "1_000"], [12.0, 7.0, 1000.0, None, None]),
    ],
)
def test_numbers_are_read_with_the_rule_given(con, tmp_path, rule, cells, expected):
    """'1.250,50' with a decimal comma is 1250.5; 'nan' is a marker, not the number NaN; DuckDB
    would read '1_000' as 1000 but pandas does not, so it is no number here either."""
    relation = csv_relation(tmp_path, ["x", *cells])
    got = _values(con, relation, ColumnRead("c0", "number", markers=NUMBER_MARKERS, number_rule=rule))
    assert [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in got] == expected


def test_text_is_stripped_like_python_and_markers_are_missing(con, tmp_path):
    """'\\u00a0K1 ' strips to 'K1' as str.strip does; 'NA' and '-' are markers; 'unknown' is a missing id."""
    relation = csv_relation(tmp_path, ["id", "\u00a0K1 ", "NA", "-", "unknown", "K2"])
    column = ColumnRead("c0", "id", markers=TEXT_MARKERS, missing_ids=("unknown",))
    assert _values(con, relation, column) == ["K1", None, None, None, "K2"]


@pytest.mark.parametrize(
    "formats,cell,expected",
    [
        (("%d.%m.%Y", "%d.%m.%Y %H:%M"), "05.01.2024 10:30", "2024-01-05 10:30"),
        (("%d.%m.%Y",), " 5.1.2024 ", "2024-01-05"),
        (("%Y-%m-%dT%H:%M:%S",), "2024-01-05T10:00:00+02:00", None),  # an offset is not this shape
    ],
)
def test_timestamps_are_read_with_the_formats_given(con, tmp_path, formats, cell, expected):
    relation = csv_relation(tmp_path, ["t", cell])
    (got,) = _values(con, relation, ColumnRead("c0", "timestamp", formats=formats))
    assert (None if pd.isna(got) else pd.Timestamp(got)) == (
        None if expected is None else pd.Timestamp(expected)
    )


def test_a_line_with_too_many_fields_fails_the_read(con, tmp_path):
    relation = csv_relation(tmp_path, ["a;b", "1;2", "3;4;5"])
    plan = EventRead(relation, ColumnRead("c0", "id"), ColumnRead("c1", "timestamp", formats=("%Y",)))
    with pytest.raises(Exception, match="(?i)csv|column|error"):
        reading.load_typed_events(con, plan)
