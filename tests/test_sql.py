"""SQL text helpers (churn.engine.sql), checked against DuckDB itself."""

from __future__ import annotations

import math

import pytest

from churn.engine.connection import connect
from churn.engine.sql import days, identifier, literal, number_literal


@pytest.mark.parametrize("text", ["plain", "it's", "''", "a\nb", "æøå"])
def test_a_literal_reads_back_as_the_same_text(text):
    with connect(threads=1) as con:
        assert con.execute(f"SELECT {literal(text)}").fetchone()[0] == text


@pytest.mark.parametrize("name", ["beløp", 'say "hi"', "select", "a b"])
def test_an_identifier_names_any_column(name):
    with connect(threads=1) as con:
        cursor = con.execute(f"SELECT 1 AS {identifier(name)}")
        assert cursor.description[0][0] == name


@pytest.mark.parametrize("value", [0.5, -3.0, 1e300, math.inf, -math.inf])
def test_a_number_literal_reads_back_as_the_same_float(value):
    with connect(threads=1) as con:
        assert con.execute(f"SELECT {number_literal(value)}").fetchone()[0] == value


def test_days_since_1970_match_pandas():
    """2024-01-03 12:00 is 19725 whole days after 1970-01-01 plus half a day: 19725.5."""
    with connect(threads=1) as con:
        moment = "TIMESTAMP '2024-01-03 12:00:00'"
        got = con.execute(f"SELECT {days(moment)}").fetchone()[0]
    assert got == pytest.approx(19725.5, abs=1e-9)
