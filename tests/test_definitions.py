"""Feature and signal definitions as portable SQL (churn/engine/definitions.py): names and order,
only portable SQL in the text, the flags the same as the pandas rules, exact sums."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from churn.analysis.signals import add_flags
from churn.engine import definitions
from churn.engine.definitions import (
    SIGNALS,
    event_feature_sql,
    feature_columns,
    is_count_feature,
    lookback_days,
    output_columns,
    signal_flag_sql,
)

DAY = 86_400
CUTOFF_S = 20_544 * DAY  # 2026-04-01


def run(sql: str, events: list[tuple], customers: list[str], cutoff: int | None = CUTOFF_S) -> pd.DataFrame:
    """The query on small tables ``events(customer_id, kind, ts_s, amount, days_late)`` and ``customers``."""
    con = duckdb.connect()
    frame = pd.DataFrame(events, columns=["customer_id", "kind", "ts_s", "amount", "days_late"])
    con.execute(
        "CREATE TABLE events (customer_id VARCHAR, kind VARCHAR, ts_s BIGINT, amount DOUBLE, days_late DOUBLE)"
    )
    if len(frame):
        con.register("rows", frame)
        con.execute("INSERT INTO events SELECT * FROM rows")
    con.register("customers", pd.DataFrame({"customer_id": customers}))
    result = con.execute(sql, {"cutoff": cutoff} if cutoff is not None else None).df()
    return result.set_index("customer_id").loc[customers]


@pytest.mark.parametrize(
    "kinds,windows,expected",
    [
        (
            ["order", "login"],
            (30,),
            # one window: one trend; 30 < 90 so a short payment-delay window; orders bring amounts
            ["orders_30d", "logins_30d", "orders_trend_30d", "logins_trend_30d", "days_since_last_order",
             "days_since_last_login", "days_since_last_event", "history_days", "days_late_recent",
             "days_late_before", "days_late_change", "days_late_30d", "orders_amount_90d",
             "orders_amount_trend_90d"],
        ),
        (
            ["contact_change", "other"],
            (90, 180),
            # no trend for these kinds, no recency for "other", no shorter delay window, no orders
            ["contact_changes_90d", "other_events_90d", "contact_changes_180d", "other_events_180d",
             "days_since_last_contact_change", "days_since_last_event", "history_days",
             "days_late_recent", "days_late_before", "days_late_change"],
        ),
    ],
)  # fmt: skip
def test_feature_names_and_order(kinds, windows, expected):
    assert [c.name for c in feature_columns(kinds, windows)] == expected


def test_the_query_returns_exactly_the_listed_columns():
    """customer_id, the features, n_signals, then the flags, whatever the data."""
    sql = event_feature_sql(["order", "payment"], (30, 90))
    result = run(sql, [], ["a"])
    assert list(result.columns) == [c.name for c in output_columns(["order", "payment"], (30, 90))]
    assert list(result.columns[-len(SIGNALS) - 1 :]) == ["n_signals", *SIGNALS]


def test_the_text_uses_only_portable_sql():
    """Functions: COUNT, SUM, MIN, MAX, CAST, COALESCE; no '::' casts, no FILTER or QUALIFY, one parameter."""
    sql = event_feature_sql(list(definitions.KIND_NAMES), (30, 90, 180))
    functions = set(re.findall(r"\b([A-Za-z_]+)\s*\(", sql)) - {"AS", "IN", "AND", "THEN", "FROM"}
    assert functions == {"COUNT", "SUM", "MIN", "MAX", "CAST", "COALESCE", "DECIMAL"}
    assert "::" not in sql and "FILTER" not in sql and "QUALIFY" not in sql
    assert set(re.findall(r"\$\w+", sql)) == {"$cutoff"}


def test_the_cutoff_can_be_a_literal():
    """The same numbers with the cutoff written in (as a warehouse job might) as with the parameter."""
    events = [
        ("a", "order", CUTOFF_S - 12 * DAY, 10.0, None),
        ("a", "payment", CUTOFF_S - 7 * DAY, None, 10.0),
    ]
    with_parameter = run(event_feature_sql(["order", "payment"], (30, 90)), events, ["a"])
    written_in = run(
        event_feature_sql(["order", "payment"], (30, 90), cutoff=str(CUTOFF_S)), events, ["a"], None
    )
    pd.testing.assert_frame_equal(with_parameter, written_in)


def test_amounts_add_up_exactly():
    """Orders of 0.1 and 0.2 in the last 90 days make 0.3, not the 0.30000000000000004 of adding doubles;
    0.3 before makes the trend (0.3 - 0.3) / 0.3 = 0 exactly."""
    events = [
        ("a", "order", CUTOFF_S - 10 * DAY, 0.1, None),
        ("a", "order", CUTOFF_S - 20 * DAY, 0.2, None),
        ("a", "order", CUTOFF_S - 100 * DAY, 0.3, None),
    ]
    row = run(event_feature_sql(["order"], (30,)), events, ["a"]).loc["a"]
    assert row["orders_amount_90d"] == 0.3 and 0.1 + 0.2 != 0.3
    assert row["orders_amount_trend_90d"] == 0.0


def test_days_late_are_averaged_over_payments_that_say_so():
    """Payments 10 and 4 days late and one without a delay, 7 days back: (10 + 4) / 2 = 7; an order's
    days_late (99) is not a payment's."""
    events = [
        ("a", "payment", CUTOFF_S - 7 * DAY, None, 10.0),
        ("a", "payment", CUTOFF_S - 7 * DAY, None, 4.0),
        ("a", "payment", CUTOFF_S - 7 * DAY, None, None),
        ("a", "order", CUTOFF_S - 7 * DAY, 1.0, 99.0),
    ]
    row = run(event_feature_sql(["order", "payment"], (30,)), events, ["a"]).loc["a"]
    assert row["days_late_recent"] == 7.0 and row["days_late_30d"] == 7.0 and row["payments_30d"] == 3
    assert np.isnan(row["days_late_before"]) and np.isnan(row["days_late_change"])


#: Seed 004 measures around each threshold (orders: before >= 2 and change <= -0.4, and so on)
MEASURES = pd.DataFrame(
    {
        "orders_recent": [3, 1, 0, 2, 0, 0],
        "orders_before": [5, 1, 0, 2.5, 2, 3],  # 3 vs 5: exactly -0.4; 1 vs 1 too few; 2 vs 2.5: -0.2
        "emails_recent": [0, 0, 1, 1, 0, 0],
        "emails_before": [2, 0, 0, 2, 3, 0],
        "logins_recent": [6, 0, 0, 0, 3, 0],
        "logins_before": [10, 0, 2, 0, 5, 0],  # 6 vs 10: exactly -0.4
        "support_tickets_recent": [2, 3, 2, 5, 0, 3],
        "support_tickets_before": [0, 1, 0, 2, 0, 1.5],  # 3 vs 1: +2 and 3x; 5 vs 2: +3 but 2.5x; 3 vs 1.5
        "days_late_change": [5.0, 4.999, np.nan, 30.0, -8.0, 5.0],
        "contact_changes_recent": [1, 0, 0, 2, 0, 0],
        "history_days": [91.0, 200.0, 90.0, np.nan, 400.0, 120.0],  # 90 days is not more than 90
    }
)
for name in ("orders", "emails", "logins", "support_tickets"):
    before = MEASURES[f"{name}_before"]
    MEASURES[f"{name}_change"] = np.where(before > 0, (MEASURES[f"{name}_recent"] - before) / before, np.nan)


def test_the_sql_flags_are_the_pandas_flags():
    """Row by row around each threshold, churn.analysis.signals.add_flags and signal_flag_sql agree."""
    expected = add_flags(MEASURES, 90)[list(SIGNALS)]
    con = duckdb.connect()
    con.register("measured", MEASURES)
    rules = ", ".join(f"{rule} AS {name}" for name, rule in signal_flag_sql(90).items())
    got = con.execute(f"SELECT {rules} FROM measured").df()
    pd.testing.assert_frame_equal(got, expected)
    assert expected.any().all() and not expected.all().any()  # every flag both raised and not


def test_the_flags_read_as_seed_004_says():
    """Row 0: -40% orders and logins, +5 days late, 2 tickets after none (history 91 > 90), a contact change."""
    raised = add_flags(MEASURES, 90).loc[0, list(SIGNALS)]
    assert raised.all()


@pytest.mark.parametrize(
    "windows,expected", [((30, 90, 180), 180), ((30,), 180), ((400,), 800), ((30, 120), 240)]
)
def test_lookback_days(windows, expected):
    """The furthest any span reaches: the longest window, twice a trend window, twice the 90-day signal window."""
    assert lookback_days(windows) == expected


@pytest.mark.parametrize(
    "kinds,windows,message",
    [(["purchase"], (30,), "Event kind 'purchase' is not one of"), (["order"], (), "whole numbers"),
     (["order"], (0,), "whole numbers"), (["order"], (7.5,), "whole numbers")],
)  # fmt: skip
def test_bad_definitions_are_refused(kinds, windows, message):
    with pytest.raises(ValueError, match=message):
        event_feature_sql(kinds, windows)


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
