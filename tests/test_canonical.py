"""Sums over the typed rows and the canonical Parquet file (churn.engine.canonical)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from churn.engine import canonical, reading
from churn.engine.connection import connect
from churn.engine.reading import ColumnRead, EventRead
from tests.test_reading import NUMBER_MARKERS, TEXT_MARKERS, csv_relation


@pytest.fixture
def con():
    with connect(threads=1) as connection:
        yield connection


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
    assert reading.load_typed_events(con, _plan(csv_relation(tmp_path, LOG))) == 7
    counts = canonical.typed_event_counts(con, cancelled="coalesce(amount < 0, false)")
    assert (counts["rows"], counts["no_customer"], counts["no_date"]) == (6, 1, 1)
    assert (counts["bad_amount"], counts["bad_ts"], counts["cancelled"]) == (1, 0, 1)
    assert counts["dates"] == 5 and (counts["q25"], counts["q75"]) == (19726.0, 19728.0)
    assert canonical.marker_counts(con) == {0: {"NA": 1}, 1: {"ukjent": 1}}
    assert canonical.type_counts(con, 10) == {"Ordre": 5, "Kreditnota": 1, "": 1}
    assert canonical.type_counts(con, 2) is None


def test_known_customers_and_the_canonical_file(con, tmp_path):
    """Known: K1 and K2 (K3 is not). Kept: K1's two events (the credit note as 'other') and K2's
    06.01 event; fenced to 19725 .. 19728.5, so K3's 07.01 would be out anyway."""
    reading.load_typed_events(con, _plan(csv_relation(tmp_path, LOG)))
    con.register("known", pd.DataFrame({"customer_id": ["K1", "K2"]}))
    known = reading.known_test(con, "known")
    assert known == "NOT list_contains(['K3'], id)"
    kinds = {"Ordre": ("Ordre", "order"), "Kreditnota": ("Kreditnota", "payment"), "": ("", "other")}
    path = tmp_path / "events.parquet"
    written = canonical.write_canonical_events(
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
    fenced = canonical.fenced_event_counts(con, (19725.0, 19728.5), known)
    assert (fenced["far"], fenced["unknown"], fenced["latest"]) == (1, 0, pd.Timestamp("2024-01-06"))


def test_every_customer_known_costs_no_test(con, tmp_path):
    reading.load_typed_events(con, _plan(csv_relation(tmp_path, LOG)))
    con.register("known", pd.DataFrame({"customer_id": ["K1", "K2", "K3"]}))
    assert reading.known_test(con, "known") == "true"


def test_first_outside_is_the_first_in_file_order(con, tmp_path):
    relation = csv_relation(tmp_path, ["k;d", "a;01.01.2024", "b;01.01.1900", "c;01.01.1901"])
    plan = EventRead(relation, ColumnRead("c0", "id"), ColumnRead("c1", "timestamp", formats=("%d.%m.%Y",)))
    assert canonical.first_outside(con, plan, (19000.0, 20000.0)) == pd.Timestamp("1900-01-01")
