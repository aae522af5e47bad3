"""Event-log features at a cutoff: golden counts, trends, recency and delays; nothing on or after the cutoff is read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import ModelError
from churn.model.event_features import build_event_index, event_features, is_count_feature

CUTOFF = pd.Timestamp("2026-04-01")
WINDOWS = (30, 90)

#: (customer, timestamp, kind, amount, days_late); days before the 2026-04-01 cutoff in the comments
LOG = [
    ("a", "2026-03-20", "order", 10.0, np.nan),  # 12 days before
    ("a", "2026-02-15", "order", 20.0, np.nan),  # 45 days before
    ("a", "2025-12-01", "order", 40.0, np.nan),  # 121 days before (31 + 31 + 28 + 31)
    ("a", "2026-03-30", "login", np.nan, np.nan),  # 2 days before
    ("b", "2026-03-25", "payment", np.nan, 10.0),  # 7 days before, 10 days late
    ("b", "2026-03-31", "payment", np.nan, 4.0),  # 1 day before, 4 days late
    ("b", "2025-12-10", "payment", np.nan, 0.0),  # 112 days before, on time
    ("b", "2026-03-01", "support_ticket", np.nan, np.nan),  # 31 days before
    ("b", "2026-04-01", "order", 99.0, np.nan),  # exactly at the cutoff: not read
    ("b", "2026-04-05", "order", 99.0, np.nan),  # after the cutoff: not read
    ("zz", "2026-03-30", "order", 5.0, np.nan),  # not a customer: ignored
    ("a", None, "order", 5.0, np.nan),  # no timestamp: ignored
]


def make_dataset(rows: list[tuple] = LOG) -> Dataset:
    """Customers a, b and c (c has no events) with the hand-written log."""
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event_type", "amount", "days_late"])
    events["timestamp"] = pd.to_datetime(events["timestamp"], format="ISO8601")
    events["event_type_raw"] = events["event_type"]
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "churned": [0, 0, 0]})
    return Dataset(
        customers=customers,
        events=events,
        mapping=RoleMapping(customer_id="customer_id"),
        attributes=[],
        categorical=[],
        leakage=[],
        as_of=pd.Timestamp("2026-06-30"),
        churn_definition="end_date",
    )


def features_at(rows: list[tuple] = LOG, cutoff: pd.Timestamp = CUTOFF) -> tuple[pd.DataFrame, pd.DataFrame]:
    return event_features(build_event_index(make_dataset(rows)), cutoff, WINDOWS)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return features_at()[0]


def test_the_index_keeps_every_customer_and_only_the_kinds_seen():
    index = build_event_index(make_dataset())
    assert list(index.customer_ids) == ["a", "b", "c"]
    assert index.kinds == ("order", "payment", "support_ticket", "login")
    assert len(index.keys) == 10  # 12 rows minus the unknown customer and the missing timestamp


@pytest.mark.parametrize(
    "customer,column,expected",
    [
        ("a", "orders_30d", 1),  # 03-20
        ("a", "orders_90d", 2),  # 03-20, 02-15; 12-01 is 121 days back
        ("a", "orders_trend_30d", 0.0),  # 1 in the last 30 days vs 1 (02-15) in the 30 before: (1 - 1) / 1
        ("a", "orders_trend_90d", 1.0),  # 2 vs 1 (12-01) in the 90 before: (2 - 1) / 1
        ("a", "orders_amount_90d", 30.0),  # 10 + 20
        ("a", "orders_amount_trend_90d", -0.25),  # (30 - 40) / 40
        ("a", "days_since_last_order", 12.0),
        ("a", "days_since_last_login", 2.0),
        ("a", "days_since_last_event", 2.0),
        ("a", "history_days", 121.0),  # first event 2025-12-01
        ("a", "payments_90d", 0),
        ("b", "orders_30d", 0),  # the orders on 04-01 and 04-05 are not before the cutoff
        ("b", "payments_30d", 2),  # 03-25, 03-31
        ("b", "payments_90d", 2),
        ("b", "support_tickets_30d", 0),  # 03-01 is 31 days back
        ("b", "support_tickets_90d", 1),
        ("b", "days_late_recent", 7.0),  # (10 + 4) / 2 in the last 90 days
        ("b", "days_late_before", 0.0),  # 12-10 lies 112 days back, on time
        ("b", "days_late_change", 7.0),  # 7 - 0
        ("b", "days_late_30d", 7.0),  # both late payments lie in the shortest window
        ("b", "days_since_last_event", 1.0),  # payment on 03-31
        ("b", "history_days", 112.0),
        ("c", "orders_90d", 0),
        ("c", "logins_30d", 0),
    ],
)
def test_golden_event_features(golden, customer, column, expected):
    assert golden.loc[customer, column] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "customer,column",
    [
        ("b", "days_since_last_order"),  # b never ordered before the cutoff
        ("c", "days_since_last_event"),  # c has no events at all
        ("c", "history_days"),
        ("a", "days_late_recent"),  # a never paid
        ("b", "orders_trend_30d"),  # nothing in the window before: no trend
    ],
)
def test_what_cannot_be_known_is_missing_not_zero(golden, customer, column):
    assert np.isnan(golden.loc[customer, column])


@pytest.mark.parametrize("kind", ["order", "payment", "support_ticket", "login", "email", "contact_change"])
@pytest.mark.parametrize(
    "offset", [pd.Timedelta(0), pd.Timedelta(seconds=1), pd.Timedelta(days=1), pd.Timedelta(days=400)]
)
def test_an_event_on_or_after_the_cutoff_changes_nothing(kind, offset):
    """Adding an event at cutoff + offset (offset ≥ 0) leaves every feature and flag as it was."""
    before, flags_before = features_at()
    stamp = str(CUTOFF + offset)
    extra = [(c, stamp, kind, 500.0, 60.0) for c in ("a", "b", "c")]
    after, flags_after = features_at([*LOG, *extra])
    pd.testing.assert_frame_equal(before, after[before.columns])
    pd.testing.assert_frame_equal(flags_before, flags_after)
    new = [c for c in after.columns if c not in before.columns]  # a kind first seen after the cutoff
    assert all((after[c] == 0).all() if is_count_feature(c) else after[c].isna().all() for c in new), after[
        new
    ]


def test_an_event_one_second_before_the_cutoff_is_counted():
    """The contrast that shows the property above can fail: 03-31 23:59:59 is inside every window."""
    before = features_at()[0]
    after = features_at([*LOG, ("c", "2026-03-31 23:59:59", "login", np.nan, np.nan)])[0]
    assert before.loc["c", "logins_30d"] == 0 and after.loc["c", "logins_30d"] == 1
    assert after.loc["c", "days_since_last_login"] == pytest.approx(1 / 86_400, abs=1e-12)


def test_a_later_cutoff_sees_the_later_events():
    """At 2026-04-06 b's orders on 04-01 (5 days back) and 04-05 (1 day back) are both read."""
    later = features_at(cutoff=pd.Timestamp("2026-04-06"))[0]
    assert later.loc["b", "orders_30d"] == 2
    assert later.loc["b", "days_since_last_order"] == pytest.approx(1.0)


def test_a_dataset_without_events_is_refused():
    data = make_dataset().evolve(events=None)
    with pytest.raises(ModelError, match="no event log; event features need one"):
        build_event_index(data)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("orders_90d", True),
        ("support_tickets_30d", True),
        ("other_events_180d", True),
        ("contact_changes_90d", True),
        ("orders_trend_90d", False),
        ("orders_amount_90d", False),
        ("days_since_last_order", False),
        ("days_late_30d", False),
        ("n_signals", False),
        ("history_days", False),
    ],
)
def test_is_count_feature(name, expected):
    assert is_count_feature(name) is expected
