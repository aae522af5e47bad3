"""Event logs read out of core (churn/ingest/big_events.py): the same dataset as the in-memory intake, or a fallback.

Each comparison builds the dataset twice from the same files and the same role
mapping: with :func:`churn.ingest.intake.build_dataset` (pandas, every event in
memory) and with :func:`churn.ingest.big_events.build_out_of_core` reading only
a few first rows with pandas and the whole file in DuckDB. The sample is kept
small so the traps (markers, missing ids, a 1900 date, cancellations, unknown
customers) lie beyond it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd
import pytest

from churn.commands import common
from churn.commands import profile as profile_command
from churn.core.dataset import CANONICAL_EVENT_COLUMNS
from churn.core.errors import SchemaError
from churn.ingest import big_events, event_sample
from churn.ingest.events import left_out_events
from churn.ingest.intake import SAMPLE_DIR, build_dataset, read_table
from churn.ingest.quality import quality_checks
from churn.ingest.roles import explain_roles, guess_roles

FILES = Path(__file__).parent / "files"
TRAPS = FILES / "traps"


@pytest.fixture
def engine_for_all(monkeypatch):
    """Every event log counts as big (the threshold is 1 byte)."""
    monkeypatch.setattr(event_sample, "ENGINE_MIN_BYTES", 1)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _norwegian_trap(folder: Path) -> tuple[Path, Path]:
    """40 paid invoices of 7 customers, then the traps, all after the first 5 rows.

    A credit note with a negative amount (a cancellation, kind 'other'), ids 'NA' and '' (no
    customer), an empty date and 'mangler' (no date), an unknown customer K099, a 1900 date (far
    outside the 2024 dates), an empty row, a quoted type holding the delimiter, 'ukjent' as an
    amount (a marker), '-' as a type (a marker: no type), a repeated support event and spaces
    around an id; the header starts with a BOM and has a space after 'Kundenr'.
    """
    days = [f"{d:02d}.{m:02d}.2024" for m in range(1, 13) for d in (3, 17)]
    rows = ["\ufeffKundenr ;Dato;Hendelse;Beløp;Dager forsinket"]
    rows += [f"K{i % 7:03d};{days[i % len(days)]};Faktura betalt;{1000 + i},50;{i % 3}" for i in range(40)]
    rows += [
        " K002 ;05.06.2024;Kreditnota;-250,00;",
        "NA;07.06.2024;Ordre;99;",
        "K003;;Ordre;12;",
        "K004;mangler;Ordre;12;",
        "K099;08.06.2024;Ordre;10;",
        "K001;01.01.1900;Ordre;10;",
        ";;;;",
        'K005;09.06.2024;"Ordre; web";ukjent;',
        "K006;10.06.2024;-;15;",
        "K001;11.06.2024;Support;;",
        "K001;11.06.2024;Support;;",
    ]
    events = _write(folder / "hendelser.csv", rows)
    customers = ["Kundenr;Oppsagt dato;Bransje"]
    customers += [
        f"K{i:03d};{'01.10.2024' if i % 3 == 0 else ''};{'Helse' if i % 2 else 'Handel'}" for i in range(8)
    ]
    return _write(folder / "kunder.csv", customers), events


def _parquet(folder: Path, as_text: bool) -> tuple[Path, Path]:
    """The bundled sample's events as Parquet: typed columns, or every column as text."""
    events = read_table(SAMPLE_DIR / "events.csv")
    if as_text:
        events = events.astype(str).where(events.notna(), None)
    path = folder / ("events_text.parquet" if as_text else "events.parquet")
    events.to_parquet(path, index=False)
    return SAMPLE_DIR / "customers.csv", path


def _generated(folder: Path, case: str) -> tuple[Path, Path]:
    if case == "norwegian":
        return _norwegian_trap(folder)
    if case.startswith("parquet"):
        return _parquet(folder, as_text=case == "parquet_text")
    if case == "cust_date":  # ids 1, 2 as numbers; customer 3 has no events, a log id 4 is unknown
        return _write(
            folder / "c.csv", ["id,churned", "1,No", "2,Yes", "3,No"]
        ), TRAPS / "events_cust_date.csv"
    # an attribute column beside amounts: no type column, every row a purchase
    customers = _write(folder / "k.csv", ["Kundenr,Churn", "101,Nei", "102,Ja", "103,Nei", "104,Nei"])
    return customers, TRAPS / "events_attribute.csv"


CASES = {
    "sample": (SAMPLE_DIR / "customers.csv", SAMPLE_DIR / "events.csv", 2000),
    "spanish": (TRAPS / "customers_spanish.csv", TRAPS / "events_spanish.csv", 3),
    "hubspot": (TRAPS / "customers_hubspot.csv", TRAPS / "events_hubspot.csv", 3),
    "cust_date": (None, None, 3),
    "attribute": (None, None, 3),
    "norwegian": (None, None, 5),
    "parquet": (None, None, 2000),
    "parquet_text": (None, None, 2000),
}
#: Cases whose SQL reading differs from pandas on the sample rows: they must fall back, never differ.
FALLS_BACK = ("parquet_text",)


def _both(case: str, folder: Path):
    customers_path, events_path, lines = CASES[case]
    if customers_path is None:
        customers_path, events_path = _generated(folder, case)
    customers, events = read_table(customers_path), read_table(events_path)
    mapping = guess_roles(customers, events)
    memory = build_dataset(customers, events, mapping, name="t")
    sample = event_sample.read_sample(events_path, lines=lines, work_dir=folder)
    built = big_events.build_out_of_core(customers, sample, mapping, name="t", work_dir=folder)
    return customers, events, mapping, memory, built, sample


def test_a_reading_the_sql_cannot_match_falls_back_to_memory(tmp_path):
    """A Parquet log of text columns reads differently in SQL on its first rows: NeedsMemory, not other events."""
    with pytest.raises(event_sample.NeedsMemory):
        _both("parquet_text", tmp_path)


@pytest.mark.parametrize("case", sorted(set(CASES) - set(FALLS_BACK)))
def test_the_engine_gives_the_in_memory_dataset(case, tmp_path):
    """Customers, as_of, the mapping, every canonical event (after sorting) and the left-out counts agree."""
    customers, events, mapping, memory, built, _ = _both(case, tmp_path)
    data = built.dataset
    assert data.events is None and data.event_path.is_file() and data.has_events
    pd.testing.assert_frame_equal(data.customers, memory.customers)
    assert data.as_of == memory.as_of
    assert data.mapping == memory.mapping and data.churn_definition == memory.churn_definition
    assert (data.attributes, data.leakage, data.notes) == (memory.attributes, memory.leakage, memory.notes)
    on_disk = pd.read_parquet(data.event_path)
    assert tuple(on_disk.columns) == CANONICAL_EVENT_COLUMNS
    pd.testing.assert_frame_equal(big_events.sorted_events(on_disk), big_events.sorted_events(memory.events))
    assert built.left_out == left_out_events(events, mapping)


def test_the_traps_are_counted_like_the_in_memory_intake(tmp_path):
    """The Norwegian trap: 40 + 11 rows, 50 holding values (the row ';;;;' holds none).

    No customer: 'NA' = 1. No date: K003 (empty) and K004 ('mangler') = 2, plus for the event
    check the 1900 date, far outside (quartiles in 2024, fences 30 years beyond) = 3. Unknown:
    K099 = 1. Cancelled: the credit note of K002 = 1.
    """
    customers, events, mapping, memory, built, _ = _both("norwegian", tmp_path)
    assert built.left_out == {"no_customer": 1, "no_date": 2, "cancelled": 1}
    assert built.summary.rows == 50 == len(events)
    assert built.summary.causes == {"no_id": 1, "no_date": 3, "unknown": 1}
    assert built.summary.far == 1 and built.summary.far_example == pd.Timestamp("1900-01-01")
    on_disk = pd.read_parquet(built.dataset.event_path)
    assert on_disk.loc[on_disk["event_type_raw"] == "Kreditnota", "event_type"].tolist() == ["other"]
    assert "K099" not in set(on_disk["customer_id"]) and "K002" in set(on_disk["customer_id"])
    in_memory = quality_checks(memory, customers, events)
    out_of_core = quality_checks(built.dataset, customers, None, event_summary=built.summary)
    assert out_of_core == in_memory
    assert {c.name: c.status for c in out_of_core}["events"] == "warn"


def test_the_notes_are_counted_over_the_whole_file(tmp_path):
    """The guesser saw 5 rows with no marker and no row without a customer; the notes count all 50.

    Read as missing: 'NA' in Kundenr, 'mangler' in Dato, 'ukjent' in Beløp and '-' in Hendelse,
    one cell each (the empty cells are not markers anyone wrote).
    """
    customers, events, mapping, memory, built, sample = _both("norwegian", tmp_path)
    whole = explain_roles(customers, events).notes
    from_sample = big_events.whole_file_notes(explain_roles(customers, sample.frame).notes, built)
    assert [n for n in from_sample if n.key != "reading.note_sample_rows"] == list(whole)
    assert any(n.key == "reading.note_sample_rows" and n.values["total"] == 50 for n in from_sample)
    markers = {
        n.values["column"]: n.values["count"] for n in whole if n.key == "reading.note_missing_markers"
    }
    assert markers == {"Kundenr": 1, "Dato": 1, "Beløp": 1, "Hendelse": 1}


def test_events_in_memory_reads_the_parquet_file_back(tmp_path):
    _, _, _, memory, built, _ = _both("norwegian", tmp_path)
    loaded = big_events.events_in_memory(built.dataset)
    assert loaded.event_path == built.dataset.event_path
    pd.testing.assert_frame_equal(
        big_events.sorted_events(loaded.events), big_events.sorted_events(memory.events)
    )
    assert big_events.events_in_memory(memory) is memory


# ---------------------------------------------------------------- what needs memory


def test_quantity_times_price_needs_the_in_memory_reader(tmp_path):
    customers = read_table(TRAPS / "customers_german.csv")
    events = read_table(TRAPS / "events_german.csv")
    mapping = guess_roles(customers, events)
    sample = event_sample.read_sample(TRAPS / "events_german.csv", work_dir=tmp_path)
    with pytest.raises(event_sample.NeedsMemory, match="quantity"):
        big_events.build_out_of_core(customers, sample, mapping, work_dir=tmp_path)


def test_no_customer_table_needs_the_in_memory_reader(tmp_path):
    sample = event_sample.read_sample(TRAPS / "events_cust_date.csv", work_dir=tmp_path)
    mapping = guess_roles(None, sample.frame)
    with pytest.raises(event_sample.NeedsMemory, match="no customer table"):
        big_events.build_out_of_core(None, sample, mapping, work_dir=tmp_path)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    profile_command.add_arguments(parser)
    return parser.parse_args(argv)


def test_a_cell_beyond_the_sample_that_reads_otherwise_falls_back_and_is_never_silently_wrong(
    tmp_path, engine_for_all, monkeypatch, caplog
):
    """The first 3 rows have ISO dates, the 8th '05.01.2024': SQL cannot read it as the sample
    decided, so the file is read in memory, where a column of mixed date shapes is no timestamp."""
    monkeypatch.setattr(event_sample, "SAMPLE_LINES", 3)
    customers = _write(tmp_path / "c.csv", ["id,churned", "a,No", "b,Yes"])
    rows = ["id,date,type"] + [f"{'ab'[i % 2]},2024-01-0{i + 1},login" for i in range(7)]
    events = _write(tmp_path / "e.csv", [*rows, "a,05.01.2024,login"])
    with caplog.at_level(logging.WARNING), pytest.raises(SchemaError, match="timestamp"):
        common.load(_parse([str(customers), "--events", str(events)]))
    assert "read in memory: 1 cells of 'date' do not read as the first rows do" in caplog.text


def test_the_cli_profile_reads_a_big_log_out_of_core(engine_for_all, monkeypatch):
    """profile on the bundled sample: the same result as in memory but for the note on the sample."""
    argv = [str(SAMPLE_DIR / "customers.csv"), "--events", str(SAMPLE_DIR / "events.csv")]
    monkeypatch.setattr(event_sample, "SAMPLE_LINES", 2000)
    loaded = common.load(_parse(argv))
    assert loaded.events is None and loaded.dataset.events is None and loaded.event_summary is not None
    out_of_core = profile_command.profile_result(loaded)
    monkeypatch.setattr(event_sample, "ENGINE_MIN_BYTES", 10**12)
    in_memory = profile_command.profile_result(common.load(_parse(argv)))
    assert [n["key"] for n in out_of_core.pop("notes")] == ["reading.note_sample_rows"]
    assert in_memory.pop("notes") == []
    assert out_of_core == in_memory
    assert in_memory["events"] == 253_606
