"""The first rows of a big event file (churn.ingest.event_sample): what is read, what needs memory."""

from __future__ import annotations

import logging
from pathlib import Path

import openpyxl
import pytest

from churn.ingest import event_sample
from churn.ingest.intake import SAMPLE_DIR

FILES = Path(__file__).parent / "files"
TRAPS = FILES / "traps"


@pytest.fixture
def engine_for_all(monkeypatch):
    """Every event log counts as big (the threshold is 1 byte)."""
    monkeypatch.setattr(event_sample, "ENGINE_MIN_BYTES", 1)


def test_the_sample_is_the_first_rows_and_a_file_of_them(tmp_path):
    """The bundled events.csv read with lines=5: 5 typed rows, and the sample file holds the
    header plus exactly those 5 lines, byte for byte as in the whole file."""
    sample = event_sample.read_sample(SAMPLE_DIR / "events.csv", lines=5, work_dir=tmp_path)
    whole = (SAMPLE_DIR / "events.csv").read_bytes().splitlines(keepends=True)
    assert len(sample.frame) == 5
    assert sample.sample_path.read_bytes() == b"".join(whole[:6])
    assert sample.delimiter == "," and sample.names[0] == "customer_id"


def test_a_file_shorter_than_the_sample_is_read_whole(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id;dato\na;03.01.2024\nb;04.01.2024\n", encoding="utf-8")
    sample = event_sample.read_sample(path, lines=100, work_dir=tmp_path)
    assert len(sample.frame) == 2 and sample.delimiter == ";"


def test_a_workbook_is_read_in_memory_and_the_log_says_so(tmp_path, engine_for_all, caplog):
    book = openpyxl.Workbook()
    book.active.append(["customer_id", "timestamp"])
    book.active.append(["a", "2024-01-01"])
    path = tmp_path / "events.xlsx"
    book.save(path)
    with caplog.at_level(logging.WARNING):
        assert not event_sample.reads_out_of_core(path)
    assert "workbook; read in memory" in caplog.text


def test_small_files_stay_in_memory(monkeypatch):
    monkeypatch.setattr(event_sample, "ENGINE_MIN_BYTES", 10**12)
    assert not event_sample.reads_out_of_core(SAMPLE_DIR / "events.csv")


@pytest.mark.parametrize(
    "path,why",
    [
        (TRAPS / "events_headerless.txt", "no comma, semicolon, tab or pipe"),
        (TRAPS / "read_headerless_events.csv", "no header"),
        (FILES / "hendelser_latin1.txt", "not UTF-8"),
        (TRAPS / "read_stray_quote.csv", "read around"),
    ],
)
def test_odd_files_need_the_in_memory_reader(path, why, tmp_path):
    with pytest.raises(event_sample.NeedsMemory, match=why):
        event_sample.read_sample(path, work_dir=tmp_path)
