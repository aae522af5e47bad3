"""The SQL reading of each mapped column (churn.ingest.read_plan): the first that matches pandas on the sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from churn.engine.connection import connect
from churn.ingest.event_sample import NeedsMemory, read_sample
from churn.ingest.read_plan import plan_read
from churn.ingest.roles import guess_roles


def _sample(tmp_path: Path, lines: list[str]):
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_sample(path, work_dir=tmp_path)


def _plan(sample):
    mapping = guess_roles(None, sample.frame)
    with connect(threads=1) as con:
        return plan_read(con, sample, mapping)


def test_a_decimal_comma_and_day_first_dates_are_read_as_pandas_reads_them(tmp_path):
    """'1.250,50' is 1250.5 with a decimal comma (the 'plain' and 'dot' rules read it otherwise),
    and 03.01.2024 is a day first: the plan keeps the comma rule and the dd.mm.yyyy shapes."""
    rows = ["kunde;dato;hendelse;beløp"]
    rows += [f"K{i % 4};{d:02d}.01.2024;Faktura;1.250,50" for i, d in enumerate(range(3, 28))]
    plan = _plan(_sample(tmp_path, rows))
    assert plan.amount.kind == "number" and plan.amount.number_rule == "comma"
    assert plan.timestamp.formats[0].startswith("%d.%m.%Y")
    assert plan.customer_id.kind == "id" and plan.event_type.kind == "raw_text"


def test_iso_times_are_read_with_the_iso_shapes_most_frequent_first(tmp_path):
    """24 cells with a time ('T07:43:29') and one without: the 'T%H:%M:%S' shape comes first."""
    rows = ["customer_id,timestamp,event_type"]
    rows += [f"C{i},2024-02-{i + 1:02d}T07:43:29,login" for i in range(24)] + ["C1,2024-03-01,login"]
    plan = _plan(_sample(tmp_path, rows))
    assert plan.timestamp.formats[0] == "%Y-%m-%dT%H:%M:%S"
    assert "%Y-%m-%d" in plan.timestamp.formats


def test_a_mapped_column_missing_from_the_file_needs_memory(tmp_path):
    rows = ["customer_id,timestamp"] + [f"C{i},2024-02-{i + 1:02d}" for i in range(5)]
    sample = _sample(tmp_path, rows)
    mapping = guess_roles(None, sample.frame)
    mapping = type(mapping)(**{**mapping.__dict__, "event_amount": "beløp"})
    with connect(threads=1) as con, pytest.raises(NeedsMemory, match="'beløp' is not among"):
        plan_read(con, sample, mapping)
