"""Quality sums over the canonical events in SQL (churn/engine/checks.py), against hand counts and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import CANONICAL_EVENT_COLUMNS
from churn.engine import checks
from churn.engine.connection import connect


def _events(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(CANONICAL_EVENT_COLUMNS))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


@pytest.fixture
def on_disk(tmp_path):
    """Write a frame of canonical events as Parquet; give the SQL that names it."""

    def write(frame: pd.DataFrame) -> str:
        path = tmp_path / "events.parquet"
        frame.to_parquet(path, index=False)
        return checks.canonical_source(path)

    return write


EVENTS = _events(
    [
        ("a", "2024-01-01 10:00", "login", "login", np.nan, np.nan),
        ("a", "2024-01-01 10:00", "login", "login", np.nan, np.nan),  # a repeat, missing values equal
        ("a", "2024-01-01 10:00", "login", "Login", np.nan, np.nan),  # another raw type: not a repeat
        ("a", "2024-01-02 10:00", "payment", "betalt", 100.0, 3.0),
        ("b", "2024-01-02 10:00", "payment", "betalt", 100.0, 3.0),
        ("b", "2024-01-02 10:00", "payment", "betalt", 100.0, 3.0),
        ("b", "2024-01-02 10:00", "payment", "betalt", 100.0, 3.0),
        ("c", "1900-01-01 00:00", "order", "ordre", 5.0, np.nan),
    ]
)


def test_repeated_events_golden(on_disk):
    """Groups of equal rows: a/10:00/login x2 (1 repeat), b/payment x3 (2 repeats), the rest alone: 3.
    The same as pandas' duplicated on the same columns."""
    with connect(threads=1) as con:
        assert checks.duplicate_events(con, on_disk(EVENTS)) == 3
    assert int(EVENTS.duplicated(subset=list(checks.DUPLICATE_COLUMNS)).sum()) == 3


@pytest.mark.parametrize("seed", [0, 1])
def test_repeats_match_pandas_on_many_rows_with_few_values(on_disk, seed):
    """5,000 rows drawn from 3 customers x 4 times x 2 types x (2 amounts or missing): most rows
    repeat one another, and the count equals pandas' duplicated (missing values equal each other)."""
    rng = np.random.default_rng(seed)
    n = 5000
    frame = _events(
        list(
            zip(
                rng.choice(["a", "b", "c"], n),
                rng.choice(["2024-01-01", "2024-01-02", "2024-02-01 08:00", "2024-03-01"], n),
                ["login"] * n,
                rng.choice(["login", "Login"], n),
                rng.choice([1.0, 2.5, np.nan], n),
                rng.choice([0.0, np.nan], n),
                strict=True,
            )
        )
    )
    with connect(threads=1) as con:
        got = checks.duplicate_events(con, on_disk(frame))
    assert got == int(frame.duplicated(subset=list(checks.DUPLICATE_COLUMNS)).sum()) > 4000
    with connect(threads=1) as con:
        assert checks.duplicate_events(con, on_disk(frame.drop_duplicates())) == 0


def test_counts_golden(on_disk):
    """a: 4 events, b: 3, c: 1 -> 8."""
    with connect(threads=1) as con:
        source = on_disk(EVENTS)
        assert checks.event_count(con, source) == 8


def test_date_quartiles_are_the_pandas_quartiles(on_disk):
    """Linear interpolation as pandas; days since 1970 from nanoseconds, as the quality rule computes them."""
    days = (EVENTS["timestamp"] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    with connect(threads=1) as con:
        count, low, high = checks.date_quartiles(con, on_disk(EVENTS))
    assert count == 8
    assert low == pytest.approx(days.quantile(0.25), abs=1e-9)
    assert high == pytest.approx(days.quantile(0.75), abs=1e-9)


def test_date_span_keeps_to_the_range(on_disk):
    """Inside 2023-12-31 .. 2024-12-31 (days 19722 .. 20088): the 1900 order is left out."""
    with connect(threads=1) as con:
        first, last = checks.date_span(con, on_disk(EVENTS), (19722.0, 20088.0))
        assert checks.date_span(con, on_disk(EVENTS), (0.0, 1.0)) == (None, None)
    assert (first, last) == (pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-01-02 10:00"))
