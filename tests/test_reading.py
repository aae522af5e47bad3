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


def _csv(tmp_path: Path, lines: list[str], delimiter: str = ";") -> str:
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
    relation = _csv(tmp_path, ["x", *cells])
    got = _values(con, relation, ColumnRead("c0", "number", markers=NUMBER_MARKERS, number_rule=rule))
    assert [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in got] == expected


def test_text_is_stripped_like_python_and_markers_are_missing(con, tmp_path):
    """'\\u00a0K1 ' strips to 'K1' as str.strip does; 'NA' and '-' are markers; 'unknown' is a missing id."""
    relation = _csv(tmp_path, ["id", "\u00a0K1 ", "NA", "-", "unknown", "K2"])
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
    relation = _csv(tmp_path, ["t", cell])
    (got,) = _values(con, relation, ColumnRead("c0", "timestamp", formats=formats))
    assert (None if pd.isna(got) else pd.Timestamp(got)) == (
        None if expected is None else pd.Timestamp(expected)
    )


def _plan(relation: str) -> EventRead:
    others = (
        ColumnRead("c0", "text", markers=TEXT_MARKERS),
        ColumnRead("c1", "number", markers=NUMBER_MARKERS, typed_markers=True),
        ColumnRead("c2", "text", markers=TEXT_MARKERS),
        ColumnRead("c3", "number", markers=NUMBER_MARKERS, typed_markers=True),
    )
    return EventRead(
        relation,
        ColumnRead("c0", "id", markers=TEXT_MARKERS, missing_ids=("unknown",)),
        ColumnRead("c1", "timestamp", markers=NUMBER_MARKERS, formats=("%d.%m.%Y",), typed_markers=True),
        ColumnRead("c2", "raw_text"),
        ColumnRead("c3", "number", markers=NUMBER_MARKERS, number_rule="comma", typed_markers=True),
        None,
        others,
    )


LOG = [
    "kunde;dato;type;beløp",
    "K1;03.01.2024;Ordre;100,50",
    "K1;04.01.2024;Kreditnota;-20,00",
    "NA;05.01.2024;Ordre;10",
    "K2;ukjent;Ordre;5",
    "K2;06.01.2024;Ordre;abc",
    ";;;",
    "K3;07.01.2024;Ordre;1",
]


def test_the_typed_table_flags_what_the_rule_cannot_read_and_counts_the_rest(con, tmp_path):
    """7 rows, 6 holding a value (';;;' holds none). No customer: 'NA' (1). No date: K2 'ukjent' (1).
    'abc' is no number (1 bad amount). A cancellation (amount < 0) with a customer and a date: 1.
    Times 03.01 .. 07.01 (days 19725 .. 19729), 5 of them: quartiles 19726 and 19728."""
    assert reading.load_typed_events(con, _plan(_csv(tmp_path, LOG))) == 7
    counts = reading.typed_event_counts(con, cancelled="coalesce(amount < 0, false)")
    assert (counts["rows"], counts["no_customer"], counts["no_date"]) == (6, 1, 1)
    assert (counts["bad_amount"], counts["bad_ts"], counts["cancelled"]) == (1, 0, 1)
    assert counts["dates"] == 5 and (counts["q25"], counts["q75"]) == (19726.0, 19728.0)
    assert reading.marker_counts(con) == {0: {"NA": 1}, 1: {"ukjent": 1}}
    assert reading.type_counts(con, 10) == {"Ordre": 5, "Kreditnota": 1, "": 1}
    assert reading.type_counts(con, 2) is None


def test_known_customers_and_the_canonical_file(con, tmp_path):
    """Known: K1 and K2 (K3 is not). Kept: K1's two events (the credit note as 'other') and K2's
    06.01 event; fenced to 19725 .. 19728.5, so K3's 07.01 would be out anyway."""
    reading.load_typed_events(con, _plan(_csv(tmp_path, LOG)))
    con.register("known", pd.DataFrame({"customer_id": ["K1", "K2"]}))
    known = reading.known_test(con, "known")
    assert known == "NOT list_contains(['K3'], id)"
    kinds = {"Ordre": ("Ordre", "order"), "Kreditnota": ("Kreditnota", "payment"), "": ("", "other")}
    path = tmp_path / "events.parquet"
    written = reading.write_canonical_events(
        con, kinds, path, (19725.0, 19728.5), cancelled="coalesce(amount < 0, false)", known=known
    )
    assert written == {
        "rows": 3,
        "earliest": pd.Timestamp("2024-01-03"),
        "latest": pd.Timestamp("2024-01-06"),
    }
    events = pd.read_parquet(path).sort_values("timestamp").reset_index(drop=True)
    assert events["customer_id"].tolist() == ["K1", "K1", "K2"]
    assert events["event_type"].tolist() == ["order", "other", "order"]
    assert events["amount"].tolist()[:2] == [100.5, -20.0] and math.isnan(events["amount"].iloc[2])
    fenced = reading.fenced_event_counts(con, (19725.0, 19728.5), known)
    assert (fenced["far"], fenced["unknown"], fenced["latest"]) == (1, 0, pd.Timestamp("2024-01-06"))


def test_every_customer_known_costs_no_test(con, tmp_path):
    reading.load_typed_events(con, _plan(_csv(tmp_path, LOG)))
    con.register("known", pd.DataFrame({"customer_id": ["K1", "K2", "K3"]}))
    assert reading.known_test(con, "known") == "true"


def test_a_line_with_too_many_fields_fails_the_read(con, tmp_path):
    relation = _csv(tmp_path, ["a;b", "1;2", "3;4;5"])
    plan = EventRead(relation, ColumnRead("c0", "id"), ColumnRead("c1", "timestamp", formats=("%Y",)))
    with pytest.raises(Exception, match="(?i)csv|column|error"):
        reading.load_typed_events(con, plan)


def test_first_outside_is_the_first_in_file_order(con, tmp_path):
    relation = _csv(tmp_path, ["k;d", "a;01.01.2024", "b;01.01.1900", "c;01.01.1901"])
    plan = EventRead(relation, ColumnRead("c0", "id"), ColumnRead("c1", "timestamp", formats=("%d.%m.%Y",)))
    assert reading.first_outside(con, plan, (19000.0, 20000.0)) == pd.Timestamp("1900-01-01")
