"""What the quality checks measure (churn.ingest.measures): history, events, missing values."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.ingest.measures import event_count, history_months, missing_by_column
from tests.test_quality import _dataset


def test_history_months_golden():
    """2022-01-01 -> 2024-01-01 = 730 days / 30.4375 = 23.98 months."""
    assert history_months(_dataset(months=24, churned=0)) == pytest.approx(730 / 30.4375)


def test_the_end_date_is_never_missing_and_the_start_date_goes_by_its_header():
    """The end date is empty for the 160 who stay by design; the start date is counted as 'start'."""
    data = _dataset()
    assert list(missing_by_column(data).index) == ["start", "segment"]


def test_events_are_counted_in_memory_and_on_disk(tmp_path):
    """Three events: len() of the frame, and count(*) of the same events written as Parquet."""
    events = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "event_type": ["login"] * 3,
            "event_type_raw": ["login"] * 3,
            "amount": [float("nan")] * 3,
            "days_late": [float("nan")] * 3,
        }
    )
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    data = _dataset()
    assert event_count(data) == 0
    assert event_count(data.evolve(events=events)) == 3
    assert event_count(data.evolve(events=None, event_path=path)) == 3
