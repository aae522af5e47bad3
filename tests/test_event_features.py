"""The model's door to the engine (churn/model/event_features.py): one handle per dataset, frame or
Parquet, the same features as the engine; the hand-computed goldens live in tests/test_snapshots.py."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.errors import ModelError
from churn.engine.connection import connect, event_view
from churn.engine.snapshots import event_features_at
from churn.model.event_features import (
    KIND_NAMES,
    build_event_index,
    event_features,
    event_features_many,
    first_event,
    is_count_feature,
)
from tests.test_snapshots import CUTOFF, WINDOWS, make_dataset


def test_the_index_holds_every_customer_of_the_table_as_text():
    with build_event_index(make_dataset()) as index:
        assert list(index.customer_ids) == ["a", "b", "c"]


def test_features_are_the_engines_for_the_dataset_customers():
    """b: payments 03-25 and 03-31 in the last 30 days; c: no events, zero counts."""
    data = make_dataset()
    with build_event_index(data) as index:
        features, flags = event_features(index, CUTOFF, WINDOWS)
    with connect() as con:
        event_view(con, data)
        expected = event_features_at(con, [CUTOFF], ["a", "b", "c"], WINDOWS)[CUTOFF]
    pd.testing.assert_frame_equal(features, expected[0])
    pd.testing.assert_frame_equal(flags, expected[1])
    assert features.loc["b", "payments_30d"] == 2 and features.loc["c", "orders_90d"] == 0


def test_many_cutoffs_in_one_call_equal_one_at_a_time():
    later = pd.Timestamp("2026-04-06")
    with build_event_index(make_dataset()) as index:
        both = event_features_many(index, [CUTOFF, later], WINDOWS)
        for cutoff in (CUTOFF, later):
            pd.testing.assert_frame_equal(both[cutoff][0], event_features(index, cutoff, WINDOWS)[0])


def test_events_only_on_disk_are_read_from_parquet(tmp_path):
    """dataset.events is None, event_path set: the same features and the same first event (2025-12-01)."""
    data = make_dataset()
    path = tmp_path / "events.parquet"
    data.events.to_parquet(path, index=False)
    on_disk = data.evolve(events=None, event_path=path)
    with build_event_index(on_disk) as disk, build_event_index(data) as memory:
        pd.testing.assert_frame_equal(
            event_features(disk, CUTOFF, WINDOWS)[0], event_features(memory, CUTOFF, WINDOWS)[0]
        )
        assert first_event(disk) == first_event(memory) == pd.Timestamp("2025-12-01")


@pytest.mark.parametrize("events", [None, "empty"])
def test_a_dataset_without_events_is_refused(events):
    data = make_dataset()
    data = data.evolve(events=None if events is None else data.events.iloc[:0])
    with pytest.raises(ModelError, match="no event log; event features need one"):
        build_event_index(data)


def test_the_names_callers_import_are_kept():
    """KIND_NAMES and is_count_feature are the engine's definitions, seen from here."""
    assert KIND_NAMES["support_ticket"] == "support_tickets"
    assert is_count_feature("orders_90d") and not is_count_feature("orders_trend_90d")
