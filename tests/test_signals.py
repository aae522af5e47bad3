"""Early-warning signals, their lifts and the low-activity call list (churn/analysis/signals.py)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from churn.analysis import signals
from churn.core.dataset import RoleMapping
from churn.core.export import to_csv_bytes, to_excel_bytes

AS_OF = pd.Timestamp("2026-07-01")  # recent window [2026-04-02, 07-01), baseline [2025-10-04, 2026-04-02)


def _events(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event_type", "days_late"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    frame["days_late"] = frame["days_late"].astype(float)
    return frame


def _golden_events() -> pd.DataFrame:
    a_orders = ["2025-11-01", "2025-12-01", "2026-01-15", "2026-02-01", "2026-03-01", "2026-03-15"]
    rows = [("a", "2025-01-01", "order", None)]  # outside both windows: only history
    rows += [("a", day, "order", None) for day in a_orders]
    rows += [("a", "2026-05-01", "order", None)]
    rows += [("a", "2026-01-20", "payment", 2), ("a", "2026-02-20", "payment", 4)]
    rows += [("a", "2026-05-20", "payment", 10), ("a", "2026-06-20", "payment", 12)]
    rows += [("a", "2026-06-01", "contact_change", None)]
    rows += [("a", "2026-06-05", "support_ticket", None), ("a", "2026-06-10", "support_ticket", None)]
    rows += [("b", day, "email", None) for day in ["2025-11-10", "2025-12-10", "2026-02-10", "2026-03-10"]]
    rows += [("b", "2026-05-10", "email", None), ("b", "2026-06-30", "email", None)]
    return _events(rows)


def test_signal_table_matches_hand_counts():
    """Customer a: 6 orders in the 180-day baseline = 3.0 per 90 days, 1 recent -> change (1−3)/3 = −0.667
    (fewer orders); days late 3 before, 11 recent -> +8 (later payments); a contact change; 2 support
    tickets after none (more tickets); last event 2026-06-20 -> 11 days. Four flags.
    Customer b: 4 e-mails before (2.0 per window), 2 recent -> change 0, no flag; last event 1 day ago."""
    table = signals.signal_table(_golden_events(), AS_OF, window_days=90)
    a, b = table.loc["a"], table.loc["b"]
    assert (a["orders_before"], a["orders_recent"]) == (3.0, 1)
    assert a["orders_change"] == pytest.approx(-2 / 3)
    assert (a["days_late_before"], a["days_late_recent"], a["days_late_change"]) == (3.0, 11.0, 8.0)
    assert (a["support_tickets_before"], a["support_tickets_recent"]) == (0.0, 2)
    assert a["contact_changes_recent"] == 1
    assert a["days_since_last_event"] == pytest.approx(11.0)
    flagged = {name for name in signals.SIGNALS if a[name]}
    assert flagged == {"fewer_orders", "later_payments", "contact_change", "more_support_tickets"}
    assert a["n_signals"] == 4
    assert (b["emails_before"], b["emails_recent"], b["emails_change"]) == (2.0, 2, 0.0)
    assert b["n_signals"] == 0 and b["days_since_last_event"] == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["order", "email", "payment", "support_ticket", "login", "contact_change"])
@pytest.mark.parametrize("when", ["2026-07-01 00:00:00", "2026-07-01 09:30:00", "2026-09-15"])
def test_events_on_or_after_as_of_change_nothing(kind, when):
    """Signals use only events strictly before the as-of date."""
    events = _golden_events()
    later = pd.concat([events, _events([("a", when, kind, 30), ("b", when, kind, 30)])], ignore_index=True)
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"]})
    before = signals.signal_table(events, AS_OF, customers)
    after = signals.signal_table(later, AS_OF, customers)
    pd.testing.assert_frame_equal(before, after)


def test_customers_argument_gives_one_row_each_and_inputs_stay_unchanged():
    events = _golden_events()
    customers = pd.DataFrame({"customer_id": ["c", "a"]})
    copies = events.copy(), customers.copy()
    table = signals.signal_table(events, AS_OF, customers)
    assert list(table.index) == ["c", "a"]
    assert table.loc["c", "orders_recent"] == 0 and np.isnan(table.loc["c", "days_since_last_event"])
    assert not table.loc["c", list(signals.SIGNALS)].any()
    pd.testing.assert_frame_equal(events, copies[0])
    pd.testing.assert_frame_equal(customers, copies[1])


def test_categorical_event_types_give_the_same_table():
    events = _golden_events()
    as_category = events.assign(event_type=events["event_type"].astype("category"))
    pd.testing.assert_frame_equal(
        signals.signal_table(events, AS_OF), signals.signal_table(as_category, AS_OF)
    )


def test_baseline_is_the_whole_period_before_the_recent_window():
    """The baseline of the default 2 windows is [as_of − 270 d, as_of − 90 d) = [2025-10-04, 2026-04-02),
    not just the 90 days before the recent window (the one-window reading that a bug report compared with).
    Customer p: payments 2025-12-13 (−200 d, 0 days late), 2026-03-23 (−100 d, 6 late), 2026-06-21 (−10 d,
    8 late) -> before (0 + 6)/2 = 3, recent 8, change +5 -> later payments (one-window reading: 6, +2, no flag).
    Orders 2025-10-10, 10-20, 11-01, 11-15 (all −263..−228 d) and 2026-06-01: before 4/2 = 2.0 per window,
    recent 1, change (1 − 2)/2 = −0.5 -> fewer orders (one-window reading: nothing before, no flag)."""
    rows = [
        ("p", "2025-12-13", "payment", 0),
        ("p", "2026-03-23", "payment", 6),
        ("p", "2026-06-21", "payment", 8),
    ]
    rows += [("p", day, "order", None) for day in ["2025-10-10", "2025-10-20", "2025-11-01", "2025-11-15"]]
    rows += [("p", "2026-06-01", "order", None)]
    p = signals.signal_table(_events(rows), AS_OF).loc["p"]
    assert (p["days_late_before"], p["days_late_recent"], p["days_late_change"]) == (3.0, 8.0, 5.0)
    assert (p["orders_before"], p["orders_recent"], p["orders_change"]) == (2.0, 1, -0.5)
    assert p["later_payments"] and p["fewer_orders"] and p["n_signals"] == 2
    one = signals.signal_table(_events(rows), AS_OF, baseline_windows=1).loc["p"]
    assert (one["days_late_before"], one["orders_before"], one["n_signals"]) == (6.0, 0.0, 0)


def test_events_without_a_customer_id_belong_to_no_customer():
    """Two orders of a, one of b and two with no id, all 2026-06-01: a 2, b 1 — with or without a
    customer list (the old code gave the id-less orders to the last customer seen, or failed)."""
    rows = [("a", "2026-06-01", "order", None)] * 2 + [("b", "2026-06-01", "order", None)]
    rows += [(None, "2026-06-01", "order", None), (np.nan, "2026-06-01", "order", None)]
    for customers in (None, pd.DataFrame({"customer_id": ["a", "b"]})):
        table = signals.signal_table(_events(rows), AS_OF, customers)
        assert table["orders_recent"].to_dict() == {"a": 2, "b": 1}


def test_the_same_id_as_number_and_text_is_one_customer():
    """Orders by 7 and by "7" on 2026-06-01 and 06-11: one customer "7" with 2 recent orders."""
    events = _events([(7, "2026-06-01", "order", None), ("7", "2026-06-11", "order", None)])
    table = signals.signal_table(events, AS_OF)
    assert list(table.index) == ["7"] and table.loc["7", "orders_recent"] == 2


def test_time_zone_aware_events_are_read_on_the_local_clock_like_as_of():
    """An order 2026-06-30 23:30 Oslo time is 30 minutes before AS_OF on the wall clock: 1/48 day
    (the old code read it in UTC, 21:30, 2.5 h = 0.104 day)."""
    events = _events([("a", "2026-06-30 23:30", "order", None)])
    aware = events.assign(timestamp=events["timestamp"].dt.tz_localize("Europe/Oslo"))
    assert signals.signal_table(aware, AS_OF).loc["a", "days_since_last_event"] == pytest.approx(1 / 48)


@pytest.mark.parametrize("window_days,baseline_windows", [(0, 2), (-30, 2), (90, 0)])
def test_windows_that_cannot_be_compared_are_a_plain_error(window_days, baseline_windows):
    from churn.core.errors import InputError

    with pytest.raises(InputError, match="baseline window"):
        signals.signal_table(
            _golden_events(), AS_OF, window_days=window_days, baseline_windows=baseline_windows
        )


@pytest.mark.parametrize(
    "flags,expected",
    [
        # s = weighted flags; score = s²/(s² + 4)
        ({}, 0.0),
        ({"fewer_orders": True}, 1 / 5),  # s = 1
        ({"fewer_orders": True, "fewer_emails": True}, 4 / 8),  # s = 2
        ({"later_payments": True, "contact_change": True}, 6.25 / 10.25),  # s = 2.5
        ({name: True for name in signals.SIGNALS}, 39.0625 / 43.0625),  # s = 6.25
    ],
)
def test_rule_score_by_hand(flags, expected):
    frame = pd.DataFrame([{name: flags.get(name, False) for name in signals.SIGNALS}])
    assert signals.rule_score(frame).iloc[0] == pytest.approx(expected)


def test_rule_score_rises_with_each_extra_signal():
    rows = [{name: i < k for i, name in enumerate(signals.SIGNALS)} for k in range(len(signals.SIGNALS) + 1)]
    score = signals.rule_score(pd.DataFrame(rows))
    assert score.is_monotonic_increasing and score.between(0, 1).all()


def _lift_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """20 customers; at 2026-05-02 (as of 07-01 minus 60 days) s0–s9 show a new contact person.
    s0–s4 and n0 leave on 2026-05-12."""
    ids = [f"s{i}" for i in range(10)] + [f"n{i}" for i in range(10)]
    leaving = {"s0", "s1", "s2", "s3", "s4", "n0"}
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "start_date": pd.Timestamp("2025-01-01"),
            "end_date": [pd.Timestamp("2026-05-12") if c in leaving else pd.NaT for c in ids],
        }
    )
    customers["churned"] = customers["end_date"].notna().astype(int)
    rows = [(c, "2025-06-01", "order", None) for c in ids]
    rows += [(c, "2026-04-20", "contact_change", None) for c in ids if c.startswith("s")]
    return _events(rows), customers


def test_evaluate_signals_lift_by_hand():
    """With a contact change: 5/10 left; without: 1/10 -> lift 5.0. Katz: se = √(1/5 − 1/10 + 1/1 − 1/10) = 1,
    interval 5·e^(±1.96) = (0.704, 35.5). Now (07-01): 14 active, s5–s9 still show the change (5)."""
    events, customers = _lift_data()
    result = signals.evaluate_signals(events, customers, AS_OF, horizon_days=60, window_days=90, periods=1)
    assert result.evaluated_at == pd.Timestamp("2026-05-02") and result.periods == 1
    assert result.base_rate == pytest.approx(6 / 20)
    row = result.lifts.set_index("signal").loc["contact_change"]
    assert (row["customers"], row["churned"], row["showing_now"]) == (10, 5, 5)
    assert row["lift"] == pytest.approx(5.0)
    assert row["lift_low"] == pytest.approx(5 * np.exp(-1.959964), rel=1e-4)
    assert row["lift_high"] == pytest.approx(5 * np.exp(1.959964), rel=1e-4)
    assert len(result.now) == 14
    combos = result.combinations.set_index("label")
    assert combos.loc["1", "churn_rate"] == pytest.approx(0.5) and combos.loc["1", "lift"] == pytest.approx(
        5.0
    )
    assert combos.loc["0", "churn_rate"] == pytest.approx(0.1)


def test_evaluate_signals_without_end_dates_still_counts_now():
    events, customers = _lift_data()
    result = signals.evaluate_signals(events, customers.drop(columns="end_date"), AS_OF, periods=1)
    assert result.lifts is None and result.combinations is None
    assert len(result.now) == 14


def _activity_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """x, y, w: 36 logins every 5 days from 2025-12-05 (baseline); recent month: x 1, y 6, w 0.
    z has the same drop but left on 2026-06-15."""
    baseline = pd.date_range("2025-12-05", periods=36, freq="5D")
    rows = [(c, day, "login", None) for c in ("x", "y", "w", "z") for day in baseline]
    rows += [("x", "2026-06-10", "login", None)]
    rows += [("y", day, "login", None) for day in pd.date_range("2026-06-02", periods=6, freq="4D")]
    rows += [("w", "2026-06-03", "payment", 0)]  # payments are not activity
    customers = pd.DataFrame(
        {
            "customer_id": ["x", "y", "w", "z"],
            "churned": [0, 0, 0, 1],
            "end_date": [pd.NaT, pd.NaT, pd.NaT, pd.Timestamp("2026-06-15")],
            "monthly_value": [100.0, 100.0, 500.0, 900.0],
        }
    )
    return _events(rows), customers


def test_low_activity_list_by_hand():
    """Usual = 36 events over 182.6 days = 36 / (182.625/30) = 5.914 per 30 days.
    x: 1/5.914 = 0.169 < 0.5 -> listed; w: 0 -> listed, first (value at risk 500·12 = 6,000);
    y: 6/5.914 = 1.01 -> not listed; z left -> not listed."""
    events, customers = _activity_data()
    calls = signals.low_activity_list(events, customers, AS_OF)
    assert list(calls["customer_id"]) == ["w", "x"]
    assert calls["usual_per_period"].iloc[0] == pytest.approx(36 / (182.625 / 30))
    assert calls["activity_ratio"].iloc[1] == pytest.approx(1 / (36 / (182.625 / 30)))
    assert list(calls["value_at_risk"]) == [6000.0, 1200.0]


@pytest.mark.parametrize(
    "mapping,lang,header",
    [
        (RoleMapping(value="MonthlyCharges"), "en", "MonthlyCharges"),  # the client's header
        (RoleMapping(event_amount="amount"), "nb", "Månedsverdi"),  # derived from events: the glossary word
        (None, "en", "Monthly value"),
    ],
)
def test_call_list_heads_the_value_column_as_the_client_does(mapping, lang, header):
    events, customers = _activity_data()
    shown = signals.call_list_frame(signals.low_activity_list(events, customers, AS_OF), lang, mapping)
    assert shown[header].tolist() == [500.0, 100.0]
    assert "monthly_value" not in shown.columns


def test_call_list_export_is_formula_safe_and_round_trips():
    events, customers = _activity_data()
    evil = {"w": '=HYPERLINK("http://evil","x")', "x": "@SUM(A1:A9)"}
    events = events.assign(customer_id=events["customer_id"].replace(evil))
    customers = customers.assign(customer_id=customers["customer_id"].replace(evil))
    shown = signals.call_list_frame(signals.low_activity_list(events, customers, AS_OF), "en")
    from_csv = pd.read_csv(io.BytesIO(to_csv_bytes(shown)), encoding="utf-8-sig")
    from_excel = pd.read_excel(io.BytesIO(to_excel_bytes(shown)))
    for back in (from_csv, from_excel):
        assert list(back.columns) == list(shown.columns)
        assert list(back.iloc[:, 0]) == ["'" + evil["w"], "'" + evil["x"]]
        pd.testing.assert_frame_equal(back.iloc[:, 1:7], shown.iloc[:, 1:7], check_dtype=False)


# --- the sample data: every planted warning signal is rediscovered --------------------------------


@pytest.fixture(scope="module")
def sample(request):
    return request.getfixturevalue("sample_dataset")


@pytest.fixture(scope="module")
def evaluation(sample):
    as_of = pd.Timestamp(sample.as_of).normalize() + pd.Timedelta(days=1)
    return signals.evaluate_signals(sample.events, sample.customers, as_of)


@pytest.mark.parametrize(
    "signal",
    [
        "fewer_orders",
        "fewer_emails",
        "fewer_logins",
        "later_payments",
        "more_support_tickets",
        "contact_change",
    ],
)
def test_sample_planted_signals_have_lift_clearly_above_one(evaluation, signal):
    """sample.py plants, in the 2–4 months before a cancel date: fewer orders, e-mails and logins,
    payments 5–10 days later, 2.5× the support tickets and a new contact person."""
    row = evaluation.lifts.set_index("signal").loc[signal]
    assert row["lift"] > 1.3 and row["lift_low"] > 1.0


def test_sample_combination_of_signals_matters(evaluation):
    rates = evaluation.combinations.set_index("label")["churn_rate"]
    assert rates["3+"] > rates["2"] > rates["0"]
    assert rates["3+"] > 3 * rates["0"]


def test_sample_call_list_holds_active_customers_with_a_real_drop(sample):
    as_of = pd.Timestamp(sample.as_of).normalize() + pd.Timedelta(days=1)
    calls = signals.low_activity_list(sample.events, sample.customers, as_of)
    active = set(sample.customers.loc[sample.customers["churned"] == 0, "customer_id"].astype(str))
    assert len(calls) > 0 and set(calls["customer_id"]) <= active
    assert (calls["activity_ratio"] < 0.5).all()
    assert calls["value_at_risk"].is_monotonic_decreasing


# --- property: every window measure equals a direct pandas computation on the sample ----------------

_DIRECT_COUNTS = {
    "orders": "order",
    "emails": "email",
    "logins": "login",
    "support_tickets": "support_ticket",
}


def _direct_measures(events, ids, as_of, window_days, baseline_windows) -> pd.DataFrame:
    """Each measure straight from its definition: recent = [as_of − w, as_of),
    baseline = [as_of − w·(1 + baseline_windows), as_of − w), counts per window, mean days late."""
    recent_start = as_of - pd.Timedelta(days=window_days)
    before_start = as_of - pd.Timedelta(days=window_days * (1 + baseline_windows))
    stamp = events["timestamp"]
    recent = events[(stamp >= recent_start) & (stamp < as_of)]
    before = events[(stamp >= before_start) & (stamp < recent_start)]

    def count(frame, kind):
        return frame[frame["event_type"] == kind].groupby("customer_id").size().reindex(ids, fill_value=0)

    def late(frame):
        return frame[frame["event_type"] == "payment"].groupby("customer_id")["days_late"].mean().reindex(ids)

    out = pd.DataFrame(index=ids)
    for name, kind in _DIRECT_COUNTS.items():
        out[f"{name}_recent"] = count(recent, kind)
        out[f"{name}_before"] = count(before, kind) / baseline_windows
    out["contact_changes_recent"] = count(recent, "contact_change")
    out["days_late_recent"], out["days_late_before"] = late(recent), late(before)
    seen = events[stamp < as_of].groupby("customer_id")["timestamp"]
    day = pd.Timedelta(days=1)
    out["days_since_last_event"] = (as_of - seen.max().reindex(ids)) / day
    out["history_days"] = (as_of - seen.min().reindex(ids)) / day
    return out


@pytest.fixture(scope="module")
def sample_slice(sample):
    """Every 4th sample customer (750) with all their events."""
    customers = sample.customers.iloc[::4]
    events = sample.events[sample.events["customer_id"].isin(set(customers["customer_id"]))]
    return events, customers


@pytest.mark.parametrize(
    "as_of,window_days,baseline_windows",
    [
        ("2026-05-01", 90, 2),  # the date of the bug report
        ("2026-05-01", 90, 1),
        ("2025-09-15 12:00", 30, 3),
        ("2026-10-31", 45, 2),
    ],
)
def test_sample_measures_equal_a_direct_computation_for_every_customer(
    sample_slice, as_of, window_days, baseline_windows
):
    events, customers = sample_slice
    as_of = pd.Timestamp(as_of)
    table = signals.signal_table(events, as_of, customers, window_days, baseline_windows)
    ids = pd.Index(customers["customer_id"].astype(str), name="customer_id")
    assert table.index.equals(ids)
    direct = _direct_measures(events, ids, as_of, window_days, baseline_windows)
    assert direct["days_late_before"].notna().sum() > 50  # the comparison is not vacuous
    for column in direct:
        got, want = table[column].to_numpy(dtype=float), direct[column].to_numpy(dtype=float)
        wrong = ~np.isclose(got, want, rtol=0, atol=1e-9, equal_nan=True)
        assert not wrong.any(), f"{column}: {wrong.sum()} customers differ, e.g. {ids[wrong][:3].tolist()}"
    change = direct["days_late_recent"] - direct["days_late_before"]
    assert (table["later_payments"] == (change >= signals.LATE_INCREASE_DAYS)).all()
