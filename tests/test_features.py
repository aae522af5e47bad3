"""Point-in-time features: golden values on a hand-made log and the no-leakage property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.model import features

AS_OF = pd.Timestamp("2026-06-30")
CUTOFF = pd.Timestamp("2026-04-01")


def make_dataset(events: pd.DataFrame | None = None, customers: pd.DataFrame | None = None) -> Dataset:
    """Three customers: a active, b leaves 2026-05-15, c starts after the cutoff; d ended before it."""
    if customers is None:
        customers = pd.DataFrame(
            {
                "customer_id": ["a", "b", "c", "d"],
                "start_date": pd.to_datetime(["2025-01-01", "2025-07-01", "2026-05-01", "2025-01-01"]),
                "end_date": pd.to_datetime([None, "2026-05-15", None, "2026-02-01"]),
                "churned": [0, 1, 0, 1],
                "tenure_months": [18.0, 10.5, 2.0, 13.0],
                "monthly_value": [100.0, 200.0, 50.0, 80.0],
                "plan": ["Pro", "Basis", None, "Pro"],
            }
        )
    if events is None:
        events = pd.DataFrame(
            {
                "customer_id": ["a", "a", "a", "b", "b", "b", "b", "b"],
                "timestamp": pd.to_datetime(
                    [
                        "2026-03-20",  # 12 days before the cutoff
                        "2026-02-15",  # 45 days before
                        "2025-12-01",  # 121 days before
                        "2026-03-25",  # payment, 7 days before, 10 days late
                        "2026-03-31",  # payment, 1 day before, 4 days late
                        "2025-12-10",  # payment, 112 days before, 0 days late
                        "2026-03-01",  # support ticket
                        "2026-04-02",  # after the cutoff: never read
                    ]
                ),
                "event_type": [
                    "order",
                    "order",
                    "order",
                    "payment",
                    "payment",
                    "payment",
                    "support_ticket",
                    "order",
                ],
                "event_type_raw": ["o"] * 8,
                "amount": [10.0, 20.0, 40.0, np.nan, np.nan, np.nan, np.nan, 99.0],
                "days_late": [np.nan, np.nan, np.nan, 10.0, 4.0, 0.0, np.nan, np.nan],
            }
        )
    return Dataset(
        customers=customers,
        events=events,
        mapping=RoleMapping(customer_id="customer_id"),
        attributes=["plan"],
        categorical=["plan"],
        leakage=[],
        as_of=AS_OF,
        churn_definition="end_date",
    )


@pytest.fixture(scope="module")
def snapshot() -> pd.DataFrame:
    return features.snapshot_features(make_dataset(), CUTOFF)


def test_only_customers_active_at_the_cutoff_are_in_the_snapshot(snapshot):
    """c starts after the cutoff, d ended before it: only a and b remain."""
    assert list(snapshot.index) == ["a", "b"]


@pytest.mark.parametrize(
    "customer,column,expected",
    [
        ("a", "orders_30d", 1),  # 03-20 only
        ("a", "orders_90d", 2),  # 03-20, 02-15
        ("a", "orders_180d", 3),  # + 12-01
        ("a", "orders_trend_90d", 1.0),  # 2 recent vs 1 in the 90 days before: (2 - 1) / 1
        ("a", "days_since_last_order", 12.0),  # 2026-04-01 - 2026-03-20
        ("a", "orders_amount_90d", 30.0),  # 10 + 20
        ("a", "tenure_months", 455 / 30.4375),  # 2025-01-01 -> 2026-04-01 is 455 days
        ("a", "plan", "Pro"),
        ("b", "orders_30d", 0),  # the order on 04-02 lies after the cutoff
        ("b", "payments_180d", 3),
        ("b", "days_late_recent", 7.0),  # (10 + 4) / 2 in the last 90 days
        ("b", "days_late_before", 0.0),  # 12-10 lies 112 days before
        ("b", "days_late_change", 7.0),
        ("b", "support_tickets_90d", 1),
        ("b", "days_since_last_event", 1.0),  # payment on 03-31
        ("b", "days_late_30d", 7.0),  # both payments lie in the last 30 days
        ("a", "months_to_anniversary", 12 - (455 / 30.4375 - 12)),  # 14.95 months in: 9.05 to go
        ("b", "months_to_anniversary", 12 - 274 / 30.4375),  # 2025-07-01 -> 2026-04-01 is 274 days
    ],
)
def test_golden_feature_values(snapshot, customer, column, expected):
    value = snapshot.loc[customer, column]
    if isinstance(expected, str):
        assert value == expected
    else:
        assert value == pytest.approx(expected, abs=1e-9)


def test_missing_category_becomes_a_string():
    data = make_dataset()
    X = features.snapshot_features(data, pd.Timestamp("2026-06-01"))
    assert X.loc["c", "plan"] == features.MISSING_CATEGORY


def test_events_after_the_cutoff_never_change_a_feature():
    """Adding many random events on or after the cutoff leaves every feature unchanged."""
    data = make_dataset()
    before = features.snapshot_features(data, CUTOFF)
    rng = np.random.default_rng(0)
    n = 200
    extra = pd.DataFrame(
        {
            "customer_id": rng.choice(["a", "b", "c", "d"], n),
            "timestamp": CUTOFF + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s"),
            "event_type": rng.choice(
                ["order", "payment", "support_ticket", "login", "email", "contact_change"], n
            ),
            "event_type_raw": "x",
            "amount": rng.uniform(0, 100, n),
            "days_late": rng.uniform(0, 30, n),
        }
    )
    more = make_dataset(events=pd.concat([data.events, extra], ignore_index=True))
    after = features.snapshot_features(more, CUTOFF)
    pd.testing.assert_frame_equal(before, after[before.columns], check_dtype=False)


def test_labels_count_an_end_inside_the_horizon():
    """b ends 2026-05-15, 44 days after the cutoff: 1 with a 90-day horizon, 0 with 30 days."""
    data = make_dataset()
    assert features.snapshot_labels(data, CUTOFF, 90).to_dict() == {"a": 0, "b": 1}
    assert features.snapshot_labels(data, CUTOFF, 30).to_dict() == {"a": 0, "b": 0}


def test_training_cutoffs_leave_a_full_horizon_before_as_of():
    """as_of 2026-06-30 minus 90 days is 2026-04-01; then monthly steps back."""
    cutoffs = features.training_cutoffs(make_dataset(), 90, 3)
    assert cutoffs == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-01")]


def test_training_frame_stacks_snapshots_with_aligned_labels():
    X, y, cutoffs = features.training_frame(make_dataset(), 90, 3)
    assert len(X) == len(y) == len(cutoffs)
    at_last = cutoffs == pd.Timestamp("2026-04-01")
    assert y[at_last].to_dict() == {"a": 0, "b": 1}


def test_too_short_history_is_a_plain_error():
    from churn.core.errors import ModelError

    with pytest.raises(ModelError, match="too little time"):
        features.training_cutoffs(make_dataset(), 600, 3)


def test_event_index_matches_signal_table_counts():
    """Our window counts and seed 004 flags agree with churn.analysis.signals.signal_table on the same data."""
    from churn.analysis.signals import signal_table

    data = make_dataset()
    X = features.snapshot_features(data, CUTOFF)
    active = data.customers[features.active_mask(data, CUTOFF)]
    signals = signal_table(data.events, CUTOFF, active).reindex(X.index)
    assert (X["orders_90d"] == signals["orders_recent"]).all()
    assert np.allclose(X["history_days"], signals["history_days"])
    assert np.allclose(X["days_since_last_event"], signals["days_since_last_event"])


def test_snapshot_leakage_catches_label_copies_and_churn_only_columns():
    y = pd.Series([0, 0, 0, 1, 1, 1, 0, 1] * 10)
    X = pd.DataFrame(
        {
            "status": y.map({0: "active", 1: "gone"}),  # a copy of the label
            "reason": y.map({0: features.MISSING_CATEGORY, 1: "price"}),  # filled only for leavers
            "score": y * 10.0 + np.tile(np.arange(8), 10) * 0.01,  # numeric near-copy
            "plan": np.tile(["a", "b"], 40),  # unrelated
        }
    )
    found = features.snapshot_leakage(X, y, list(X.columns), ["status", "reason", "plan"])
    assert found == {"status": "near_perfect", "reason": "only_churners", "score": "near_perfect"}


def test_table_features_use_the_churn_label():
    data = make_dataset()
    X, y = features.table_features(data)
    assert y.to_dict() == {"a": 0, "b": 1, "c": 0, "d": 1}
    assert {"tenure_months", "monthly_value", "plan"} <= set(X.columns)


# ------------------------------------------------------------ dates in the customer table


def with_dates(**columns) -> Dataset:
    """The hand-made dataset plus date attribute columns (values for customers a, b, c, d)."""
    data = make_dataset()
    extra = {name: pd.to_datetime(values) for name, values in columns.items()}
    return data.evolve(customers=data.customers.assign(**extra), attributes=["plan", *columns])


def test_a_planned_date_gives_days_until_it_at_the_cutoff():
    """renewal_date lies after as_of (2026-06-30) for both active customers a and c, and is
    filled as often for leavers (b, d) as for stayers: planned.

    At the cutoff 2026-04-01: a renews 2026-09-01, 153 days later; b 2026-07-01, 91 days later.
    """
    data = with_dates(renewal_date=["2026-09-01", "2026-07-01", "2027-05-01", "2026-01-01"])
    assert features.planned_date_columns(data) == ["renewal_date"]
    X = features.snapshot_features(data, CUTOFF)
    assert X.loc["a", "renewal_date_days_until"] == pytest.approx(153.0)
    assert X.loc["b", "renewal_date_days_until"] == pytest.approx(91.0)
    assert np.isnan(X.loc["a", "renewal_date_days_ago"])


@pytest.mark.parametrize(
    "column,values",
    [
        # recorded when it happens: never after as_of, so a's visit after the cutoff is invisible
        ("last_visit", ["2026-05-10", "2026-03-01", "2026-06-01", "2026-01-15"]),
        # filled only after churn (end date + 60 days), even after as_of for b
        ("notice_end", [None, "2026-07-14", None, "2026-04-02"]),
        # a future date only the stayers have: its absence is written by the outcome
        ("next_invoice", ["2026-07-15", None, "2026-07-20", None]),
    ],
)
def test_dates_that_are_not_planned_never_look_into_the_future(column, values):
    data = with_dates(**{column: values})
    assert features.planned_date_columns(data) == []
    X = features.snapshot_features(data, CUTOFF)
    assert not any(name.endswith("_days_until") for name in X.columns)
    # every date on or after the cutoff reads exactly as if it were not there
    blanked = data.customers[column].where(data.customers[column] < CUTOFF)
    hidden = features.snapshot_features(
        data.evolve(customers=data.customers.assign(**{column: blanked})), CUTOFF
    )
    pd.testing.assert_frame_equal(X, hidden)


def test_a_recorded_date_before_the_cutoff_gives_days_ago():
    """b's last visit 2026-03-01 lies 31 days before the cutoff 2026-04-01."""
    data = with_dates(last_visit=["2026-05-10", "2026-03-01", "2026-06-01", "2026-01-15"])
    X = features.snapshot_features(data, CUTOFF)
    assert X.loc["b", "last_visit_days_ago"] == pytest.approx(31.0)
    assert np.isnan(X.loc["a", "last_visit_days_ago"])


def test_days_until_features_map_back_to_their_column():
    attributes = ["renewal_date", "plan"]
    assert features.attribute_source("renewal_date_days_until", attributes) == "renewal_date"
    assert features.attribute_source("renewal_date_days_ago", attributes) == "renewal_date"
    assert features.attribute_source("orders_90d", attributes) is None


# ------------------------------------------------------------ events read by the engine


def on_disk(data: Dataset, folder) -> Dataset:
    """The same dataset with its events only in a Parquet file (dataset.events is None)."""
    path = folder / "events.parquet"
    data.events.to_parquet(path, index=False)
    return data.evolve(events=None, event_path=path)


def test_snapshots_from_parquet_equal_those_from_the_frame(tmp_path):
    """Features, labels, cutoffs and signal flags of the stacked snapshots, events on disk or in memory."""
    data = make_dataset()
    in_memory = features.labelled_snapshots(data, 90, 3, features.WINDOWS)
    from_disk = features.labelled_snapshots(on_disk(data, tmp_path), 90, 3, features.WINDOWS)
    for memory, disk in zip(in_memory, from_disk, strict=True):
        if isinstance(memory, pd.DataFrame):
            pd.testing.assert_frame_equal(memory, disk)
        else:
            pd.testing.assert_series_equal(memory, disk)


def test_training_cutoffs_start_a_month_after_the_first_event(tmp_path):
    """Without start dates the history begins with the first event, a's order on 2025-12-01: from
    as_of 2026-06-30 the latest cutoff is 2026-04-01 (90 days back), then 03-01, 02-01 and 01-01
    (2025-12-01 + 1 month); 2025-12-01 itself has no month of history before it."""
    data = make_dataset()
    data = data.evolve(customers=data.customers.drop(columns=["start_date"]))
    expected = [pd.Timestamp(d) for d in ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01")]
    assert features.training_cutoffs(data, 90, 6) == expected
    assert features.training_cutoffs(on_disk(data, tmp_path), 90, 6) == expected


def test_a_customer_sample_reads_only_its_customers_events(tmp_path):
    """Cutting the customer table to b is enough: b's first event (2025-12-10) sets the history, so
    2026-01-01 (less than a month after it) is no cutoff, and b's features are as in the full data."""
    data = make_dataset()
    data = data.evolve(customers=data.customers.drop(columns=["start_date"]))
    only_b = on_disk(data, tmp_path).evolve(customers=data.customers[data.customers["customer_id"] == "b"])
    assert features.training_cutoffs(only_b, 90, 6)[0] == pd.Timestamp("2026-02-01")
    full = features.snapshot_features(data, CUTOFF)
    sample = features.snapshot_features(only_b, CUTOFF)
    assert list(sample.index) == ["b"]
    pd.testing.assert_series_equal(sample.loc["b"], full.loc["b", sample.columns])


def test_a_running_row_number_is_excluded_and_few_valued_whole_numbers_stay_numbers():
    """RowNumber 1..n is the export's counter, not the customer's: left out as ``row_number``.
    Products held ("1".."4", a segment for the pages) reach the trees as numbers, in order."""
    rng = np.random.default_rng(0)
    n = 300
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "churned": rng.integers(0, 2, n),
            "RowNumber": rng.permutation(np.arange(1, n + 1)),
            "products": rng.choice(["1", "2", "3", "4"], n),
            "plan": rng.choice(["basic", "plus"], n),
        }
    )
    data = Dataset(
        customers=customers,
        events=None,
        mapping=RoleMapping(customer_id="customer_id", churn_label="churned"),
        attributes=["RowNumber", "products", "plan"],
        categorical=["products", "plan"],
        leakage=[],
        as_of=None,
        churn_definition="label",
    )
    X, y = features.table_features(data)
    assert X["products"].dtype == float and X["plan"].dtype == object
    found = features.snapshot_leakage(X, y, ["RowNumber", "products", "plan"], ["plan"])
    assert found == {"RowNumber": "row_number"}
