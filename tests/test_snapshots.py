"""Event features at cutoffs in the engine (churn/engine/snapshots.py): hand-computed goldens,
nothing on or after the cutoff is read, the same answer from a frame and from Parquet, and
the numpy path's own output kept as a golden file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import ModelError
from churn.engine.connection import connect, event_view
from churn.engine.definitions import SIGNALS, is_count_feature
from churn.engine.snapshots import customer_index, cutoff_seconds, event_features_at, first_event_time
from churn.ingest.intake import load_sample

CUTOFF = pd.Timestamp("2026-04-01")
WINDOWS = (30, 90)
GOLDEN = Path(__file__).parent / "files" / "goldens" / "event_features_sample300.parquet"

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
    ("zz", "2026-03-30", "email", 5.0, np.nan),  # not a customer: ignored, and e-mails are not a kind here
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


def features_at(
    rows: list[tuple] = LOG, cutoffs=(CUTOFF,), ids=("a", "b", "c"), dataset: Dataset | None = None
) -> dict[pd.Timestamp, tuple[pd.DataFrame, pd.DataFrame]]:
    with connect() as con:
        event_view(con, dataset or make_dataset(rows))
        return event_features_at(con, list(cutoffs), list(ids), WINDOWS)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return features_at()[CUTOFF][0]


def test_every_customer_in_order_and_only_the_kinds_seen(golden):
    """Kinds of a, b's events at any time (b's orders lie after the cutoff); zz's e-mail is not one."""
    assert list(golden.index) == ["a", "b", "c"]
    assert [c for c in golden.columns if c.endswith("_30d") and is_count_feature(c)] == [
        "orders_30d",
        "payments_30d",
        "support_tickets_30d",
        "logins_30d",
    ]


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
        ("a", "n_signals", 0),
        ("b", "orders_30d", 0),  # the orders on 04-01 and 04-05 are not before the cutoff
        ("b", "orders_amount_90d", 0.0),  # no order before the cutoff: nothing spent
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
        ("b", "n_signals", 1),  # 7 days later than before >= 5: later payments
        ("c", "orders_90d", 0),
        ("c", "logins_30d", 0),
        ("c", "orders_amount_90d", 0.0),
        ("c", "n_signals", 0),
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
        ("b", "orders_amount_trend_90d"),  # no order amounts before either
    ],
)
def test_what_cannot_be_known_is_missing_not_zero(golden, customer, column):
    assert np.isnan(golden.loc[customer, column])


def test_flags_are_seed_004s_and_say_which_signal():
    """b pays 7 days later than in the 90 days before (>= 5): later_payments, nothing else."""
    flags = features_at()[CUTOFF][1]
    assert list(flags.columns) == list(SIGNALS) and all(t == np.bool_ for t in flags.dtypes)
    assert [name for name in SIGNALS if flags.loc["b", name]] == ["later_payments"]
    assert not flags.loc[["a", "c"]].to_numpy().any()


def test_dtypes_are_the_numpy_paths():
    """Counts and n_signals are int64 (0 without events), everything else float64."""
    features = features_at()[CUTOFF][0]
    ints = {c for c in features if features[c].dtype == np.int64}
    assert ints == {c for c in features if is_count_feature(c)} | {"n_signals"}
    assert all(features[c].dtype == np.float64 for c in features if c not in ints)


@pytest.mark.parametrize("kind", ["order", "payment", "support_ticket", "login", "email", "contact_change"])
@pytest.mark.parametrize(
    "offset", [pd.Timedelta(0), pd.Timedelta(seconds=1), pd.Timedelta(days=1), pd.Timedelta(days=400)]
)
def test_an_event_on_or_after_the_cutoff_changes_nothing(kind, offset):
    """Adding an event at cutoff + offset (offset >= 0) leaves every feature and flag as it was."""
    before, flags_before = features_at()[CUTOFF]
    stamp = str(CUTOFF + offset)
    extra = [(c, stamp, kind, 500.0, 60.0) for c in ("a", "b", "c")]
    after, flags_after = features_at([*LOG, *extra])[CUTOFF]
    pd.testing.assert_frame_equal(before, after[before.columns])
    pd.testing.assert_frame_equal(flags_before, flags_after)
    new = [c for c in after.columns if c not in before.columns]  # a kind first seen after the cutoff
    assert all((after[c] == 0).all() if is_count_feature(c) else after[c].isna().all() for c in new), after[
        new
    ]


def test_an_event_one_second_before_the_cutoff_is_counted():
    """The contrast that shows the property above can fail: 03-31 23:59:59 is inside every window."""
    before = features_at()[CUTOFF][0]
    after = features_at([*LOG, ("c", "2026-03-31 23:59:59", "login", np.nan, np.nan)])[CUTOFF][0]
    assert before.loc["c", "logins_30d"] == 0 and after.loc["c", "logins_30d"] == 1
    assert after.loc["c", "days_since_last_login"] == pytest.approx(1 / 86_400, abs=1e-12)


def test_windows_are_half_open():
    """An order exactly 30 days before the cutoff (03-02) is in the 30-day window; one second earlier is not."""
    rows = [
        ("c", "2026-03-02 00:00:00", "order", 1.0, np.nan),
        ("c", "2026-03-01 23:59:59", "order", 1.0, np.nan),
    ]
    features = features_at([*LOG, *rows])[CUTOFF][0]
    assert features.loc["c", "orders_30d"] == 1 and features.loc["c", "orders_90d"] == 2


def test_a_later_cutoff_sees_the_later_events():
    """At 2026-04-06 b's orders on 04-01 (5 days back) and 04-05 (1 day back) are both read."""
    later = pd.Timestamp("2026-04-06")
    both = features_at(cutoffs=[CUTOFF, later])
    assert both[later][0].loc["b", "orders_30d"] == 2
    assert both[later][0].loc["b", "days_since_last_order"] == pytest.approx(1.0)
    pd.testing.assert_frame_equal(both[CUTOFF][0], features_at()[CUTOFF][0])  # one call, many cutoffs


def test_only_the_listed_customers_count_in_their_order():
    """Listing b then a (and a twice) gives those rows; kinds come from their events only (no e-mails)."""
    features = features_at(ids=["b", "a", "a"])[CUTOFF][0]
    assert list(features.index) == ["b", "a", "a"]
    assert features.loc["b", "payments_30d"] == 2
    assert "emails_30d" not in features


def test_numeric_ids_are_compared_as_text():
    """Events of customer 7 (a number in the log) belong to customer "7" of the list."""
    data = make_dataset([(7, "2026-03-20", "order", 10.0, np.nan)])
    features = features_at(dataset=data, ids=["7"])[CUTOFF][0]
    assert features.loc["7", "orders_30d"] == 1


def test_parquet_on_disk_gives_the_same_features_as_the_frame(tmp_path):
    """The events only in a Parquet file (dataset.events is None) give identical features and flags."""
    data = make_dataset()
    path = tmp_path / "events.parquet"
    data.events.to_parquet(path, index=False)
    on_disk = features_at(
        dataset=data.evolve(events=None, event_path=path), cutoffs=[CUTOFF, pd.Timestamp("2026-04-06")]
    )
    in_memory = features_at(dataset=data, cutoffs=[CUTOFF, pd.Timestamp("2026-04-06")])
    for cutoff in in_memory:
        pd.testing.assert_frame_equal(on_disk[cutoff][0], in_memory[cutoff][0])
        pd.testing.assert_frame_equal(on_disk[cutoff][1], in_memory[cutoff][1])


def test_a_cutoff_is_read_in_whole_seconds_and_aware_cutoffs_in_utc():
    """2026-04-01 is 1 775 001 600 s after 1970 (20 544 days × 86 400); 02:00+02:00 is midnight UTC."""
    assert cutoff_seconds(pd.Timestamp("2026-04-01")) == 20_544 * 86_400
    assert cutoff_seconds(pd.Timestamp("2026-04-01 00:00:00.999")) == 20_544 * 86_400
    assert cutoff_seconds(pd.Timestamp("2026-04-01 02:00", tz="Europe/Oslo")) == 20_544 * 86_400
    assert cutoff_seconds(pd.Timestamp("1969-12-31 23:59:59.5")) == -1


def test_first_event_time_is_that_of_the_listed_customers():
    """a's first event is 2025-12-01, b's 2025-12-10; zz (not listed) and c (none) do not count."""
    with connect() as con:
        event_view(con, make_dataset())
        assert first_event_time(con, ["a", "b"]) == pd.Timestamp("2025-12-01")
        assert first_event_time(con, ["b"]) == pd.Timestamp("2025-12-10")
        assert first_event_time(con, ["c"]) is None


def test_customer_index_reads_ids_as_text():
    assert list(customer_index([7, "b", 7.5])) == ["7", "b", "7.5"]


def test_the_sample_matches_the_numpy_paths_output():
    """The first 300 sample customers at 2026-03-01 and 2026-08-15 12:00, as the numpy EventIndex path
    computed them before it was removed (tests/files/goldens/event_features_sample300.parquet):
    every column, in order, with its dtype, NaN where it was NaN, equal within 1e-9."""
    expected = pd.read_parquet(GOLDEN)
    data = load_sample()
    ids = data.customers["customer_id"].iloc[:300]
    with connect() as con:
        event_view(con, data)
        cutoffs = [pd.Timestamp(c) for c in expected["cutoff"].unique()]
        got = event_features_at(con, cutoffs, ids, (30, 90, 180))
    for cutoff in cutoffs:
        want = expected[expected["cutoff"] == cutoff].drop(columns="cutoff").set_index("customer_id")
        features, flags = got[cutoff]
        pd.testing.assert_frame_equal(
            features, want.drop(columns=list(SIGNALS)), check_exact=False, rtol=1e-9, atol=1e-9
        )
        pd.testing.assert_frame_equal(flags, want[list(SIGNALS)])
    assert len(cutoffs) == 2 and expected["fewer_logins"].any() and expected["later_payments"].any()


@pytest.mark.parametrize("amount", [1e30, np.inf])
def test_an_amount_too_large_to_add_up_exactly_is_a_plain_error(amount):
    """Sums are exact DECIMAL(38, 9): room for 29 digits before the point, none for infinity."""
    with pytest.raises(ModelError, match="Column 'amount' or 'days_late' holds a value too large"):
        features_at([*LOG, ("a", "2026-03-21", "order", amount, np.nan)])
