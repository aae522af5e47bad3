"""Building the canonical Dataset (role guessing and churn labels: tests/test_roles.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import (
    CHURN_FROM_END_DATE,
    CHURN_FROM_INACTIVITY,
    CHURN_FROM_LABEL,
    EVENT_KINDS,
    RoleMapping,
)
from churn.core.errors import SchemaError
from churn.ingest.intake import (
    build_dataset,
    default_inactivity_days,
    derive_customers_from_events,
    guess_roles,
    load_files,
    read_table,
    with_inactivity,
)

FILES = Path(__file__).parent / "files"


# ---------------------------------------------------------------- building


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Kundenr": [1, 2, 3, 4],
            "Start": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01", "2024-06-01"]),
            "Slutt": pd.to_datetime([None, "2024-04-01", None, "2024-09-01"]),
            "Verdi": [100.0, 200.0, np.nan, 400.0],
            "Bransje": ["Helse", "Handel", "Helse", "Handel"],
        }
    )


MAPPING = RoleMapping(
    customer_id="Kundenr", start_date="Start", end_date="Slutt", value="Verdi", segments=("Bransje",)
)


def test_build_from_end_dates_golden():
    """as_of = latest date = 2024-09-01.

    Customer 2: 2024-01-01 -> 2024-04-01 = 91 days / 30.4375 = 2.9897 months, churned.
    Customer 1: 2024-01-01 -> as_of 2024-09-01 = 244 days / 30.4375 = 8.0164 months, active.
    """
    raw = _customers()
    before = raw.copy()
    data = build_dataset(raw, None, MAPPING, name="t")
    pd.testing.assert_frame_equal(raw, before)  # input untouched
    c = data.customers
    assert data.as_of == pd.Timestamp("2024-09-01")
    assert data.churn_definition == CHURN_FROM_END_DATE
    assert c["customer_id"].tolist() == ["1", "2", "3", "4"]
    assert c["churned"].tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(c["tenure_months"].iloc[:2], [244 / 30.4375, 91 / 30.4375], atol=1e-9)
    assert c["monthly_value"].iloc[3] == 400.0
    assert data.attributes == ["Bransje"] and data.categorical == ["Bransje"]
    assert "Slutt" not in c.columns  # the end date is never an attribute


def test_label_wins_over_end_date_and_future_end_dates_are_active():
    raw = _customers().assign(Churn=["Nei", "Ja", "Nei", "Nei"])
    data = build_dataset(raw, None, RoleMapping(customer_id="Kundenr", churn_label="Churn", end_date="Slutt"))
    assert data.churn_definition == CHURN_FROM_LABEL
    assert data.customers["churned"].tolist() == [0, 1, 0, 0]
    assert data.customers["end_date"].notna().tolist() == [False, True, False, False]


def test_events_join_on_id_and_unknown_customers_are_dropped():
    events = pd.DataFrame(
        {
            "kunde": [1, 2, 99],
            "tid": pd.to_datetime(["2024-02-01", "2024-02-02", "2024-02-03"]),
            "type": ["Ordre", "Faktura", "Ordre"],
        }
    )
    mapping = MAPPING
    mapping = RoleMapping(
        **{**mapping.to_dict(), "event_customer_id": "kunde", "event_timestamp": "tid", "event_type": "type"}
    )
    data = build_dataset(_customers(), events, mapping)
    assert data.events["customer_id"].tolist() == ["1", "2"]
    assert data.events["event_type"].tolist() == ["order", "payment"]
    assert data.events["event_type_raw"].tolist() == ["Ordre", "Faktura"]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"customer_id": "Nope"}, "Column 'Nope' is not in the customer table"),
        ({"value": "Bransje"}, "Column 'Bransje' does not hold numbers"),
        ({"end_date": None}, "No churn column or end date"),
    ],
)
def test_schema_errors(change, message):
    mapping = RoleMapping(**{**MAPPING.to_dict(), **change})
    with pytest.raises(SchemaError, match=message):
        build_dataset(_customers(), None, mapping)


def test_no_id_column_numbers_the_rows_in_file_order():
    """Four rows and no id: customers '1'..'4', each row one customer, values kept in order."""
    mapping = RoleMapping(**{**MAPPING.to_dict(), "customer_id": None})
    data = build_dataset(_customers(), None, mapping)
    assert data.customers["customer_id"].tolist() == ["1", "2", "3", "4"]
    assert data.customers["churned"].tolist() == [0, 1, 0, 1]
    assert "Kundenr" in data.attributes or "Kundenr" not in data.customers  # the old id is plain data


def test_no_id_column_with_an_event_log_is_refused():
    mapping = RoleMapping(
        **{**MAPPING.to_dict(), "customer_id": None, "event_customer_id": "k", "event_timestamp": "t"}
    )
    events = pd.DataFrame({"k": ["1"], "t": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(SchemaError, match="so the event log can be joined"):
        build_dataset(_customers(), events, mapping)


def test_a_three_valued_status_maps_and_leaves_out_rows():
    """active/paused -> still a customer, canceled -> left, 'test' left out: 3 customers, 1 churned."""
    raw = pd.DataFrame({"id": ["a", "b", "c", "d"], "status": ["active", "paused", "canceled", "test"]})
    mapping = RoleMapping(
        customer_id="id",
        churn_label="status",
        churned_values=("canceled",),
        active_values=("active", "paused"),
        excluded_values=("test",),
    )
    data = build_dataset(raw, None, mapping)
    assert data.customers["customer_id"].tolist() == ["a", "b", "c"]
    assert data.customers["churned"].tolist() == [0, 0, 1]


def test_the_user_can_move_a_label_value():
    """'paused' moved to left by the user: b and c churned."""
    raw = pd.DataFrame({"id": ["a", "b", "c"], "status": ["active", "paused", "canceled"]})
    mapping = RoleMapping(customer_id="id", churn_label="status", churned_values=("canceled", "paused"))
    assert build_dataset(raw, None, mapping).customers["churned"].tolist() == [0, 1, 1]


def test_kept_suspects_come_back_as_features():
    """'reason' is filled only for the 2 who left: a suspect, unless the user keeps it."""
    raw = _customers().assign(reason=[None, "price", None, "moved"])
    suspect = build_dataset(raw, None, MAPPING)
    kept = build_dataset(raw, None, RoleMapping(**{**MAPPING.to_dict(), "kept_suspects": ["reason"]}))
    assert "reason" in suspect.leakage and "reason" not in kept.leakage
    assert "reason" in kept.model_attributes


def test_subscription_rows_become_customers_by_the_grain_key():
    """Customer A: one subscription left, one stays -> A stays; B's only one left -> B left.
    Value is the sum of A's subscriptions (100 + 50)."""
    raw = pd.DataFrame(
        {
            "sub_id": ["s1", "s2", "s3"],
            "customer": ["A", "A", "B"],
            "churn": ["Yes", "No", "Yes"],
            "mrr": [100.0, 50.0, 70.0],
        }
    )
    mapping = RoleMapping(customer_id="sub_id", churn_label="churn", value="mrr", grain_key="customer")
    data = build_dataset(raw, None, mapping)
    c = data.customers
    assert c["customer_id"].tolist() == ["A", "B"]
    assert c["churned"].tolist() == [0, 1]
    assert c["monthly_value"].tolist() == [150.0, 70.0]
    assert data.mapping.customer_id == "customer" and data.mapping.grain_key == "customer"


def test_duplicate_ids_are_refused():
    raw = _customers()
    raw.loc[3, "Kundenr"] = 1
    with pytest.raises(SchemaError, match=r"Column 'Kundenr' has 1 repeated ids \(e.g. '1'\)"):
        build_dataset(raw, None, MAPPING)


def test_one_class_label_file_is_refused():
    raw = read_table(b"customerID,Churn,tenure\na,No,3\nb,No,4\nc,No,5\n", "t.csv")
    with pytest.raises(SchemaError, match="only one value"):
        build_dataset(raw, None, guess_roles(raw, None))


# ---------------------------------------------------------------- event log only


def _log() -> pd.DataFrame:
    """Customer A every 10 days until 2024-03-31; B every 10 days until 2024-01-31."""
    rows = [("A", d) for d in pd.date_range("2024-01-01", "2024-03-31", freq="10D")]
    rows += [("B", d) for d in pd.date_range("2024-01-01", "2024-01-31", freq="10D")]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp"])
    frame["event_type"] = "order"
    frame["amount"] = 100.0
    return frame


def test_default_inactivity_days_golden():
    """All gaps are 10 days: p95 = 10 -> whole weeks 14 -> at least 30 -> 30."""
    assert default_inactivity_days(_log()) == 30


def test_default_inactivity_days_rounds_long_gaps_to_months():
    """Gaps of 100 days: p95 = 100 > 60 -> ceil(100 / 30) * 30 = 120."""
    dates = pd.date_range("2020-01-01", periods=6, freq="100D")
    log = pd.DataFrame({"customer_id": "A", "timestamp": dates, "event_type": "order"})
    assert default_inactivity_days(log) == 120


def test_derive_customers_from_events_golden():
    """as_of 2024-03-31, 30 days: B's last event 2024-01-31 is 60 days before -> churned; A active.

    B tenure = 2024-01-01 -> 2024-01-31 = 30 days / 30.4375 = 0.9856 months.
    """
    customers = derive_customers_from_events(_log(), pd.Timestamp("2024-03-31"), 30).set_index("customer_id")
    assert customers["churned"].to_dict() == {"A": 0, "B": 1}
    assert customers.loc["B", "end_date"] == pd.Timestamp("2024-01-31") and pd.isna(
        customers.loc["A", "end_date"]
    )
    assert customers.loc["B", "tenure_months"] == pytest.approx(30 / 30.4375)


def test_event_log_only_dataset_and_with_inactivity():
    log = _log()
    mapping = RoleMapping(
        event_customer_id="customer_id", event_timestamp="timestamp", event_type="event_type"
    )
    data = build_dataset(None, log, mapping)
    assert data.churn_definition == CHURN_FROM_INACTIVITY
    assert data.mapping.inactivity_days == 30
    assert data.customers.set_index("customer_id")["churned"].to_dict() == {"A": 0, "B": 1}
    longer = with_inactivity(data, 90)  # B's 60 quiet days are no longer enough
    assert longer.mapping.inactivity_days == 90
    assert longer.customers["churned"].sum() == 0
    assert data.customers["churned"].sum() == 1  # the original is unchanged


def test_load_files_norwegian_events_alone():
    data = load_files(events_path=FILES / "hendelser_latin1.txt")
    assert data.churn_definition == CHURN_FROM_INACTIVITY
    assert len(data.customers) == 3
    assert set(data.events["event_type"]) == set(EVENT_KINDS) - {"other"}


def test_sample_dataset_shape(sample_dataset):
    c = sample_dataset.customers
    assert sample_dataset.as_of == pd.Timestamp("2026-10-31")
    assert c["customer_id"].is_unique and len(c) > 2000
    assert 0 < c["churned"].mean() < 1
    assert sample_dataset.leakage == ["churn_reason"]
    assert "discount_end_date" in sample_dataset.model_attributes
    assert sample_dataset.events["timestamp"].max() <= sample_dataset.as_of + pd.Timedelta(days=1)


# ---------------------------------------------------------------- implausible dates


def test_as_of_and_tenure_ignore_implausible_dates_golden():
    """Starts 2023-01-01 ... 2024-06-30 plus 1900-01-01 (customer 6); ends up to 2024-08-01 plus
    2100-12-31 on customer 7. Both are implausible (churn.ingest.quality.implausible_dates).

    as_of = latest plausible date = max(2024-06-30 start, 2024-08-01 end) = 2024-08-01.
    Customer 7 is active, not churned. Active tenures to 2024-08-01: customer 7 from 2023-10-01
    = 305 days, 8 from 2024-01-01 = 213, 9 from 2024-03-01 = 153, 10 from 2024-06-30 = 32;
    customer 6 has no plausible start, so no tenure. Mean = 703 / 4 = 175.75 days
    / 30.4375 = 5.7741 months (not 908).
    """
    starts = ["2023-01-01", "2023-02-01", "2023-03-01", "2023-05-01", "2023-08-01"]
    starts += ["1900-01-01", "2023-10-01", "2024-01-01", "2024-03-01", "2024-06-30"]
    ends = ["2023-07-01", "2023-11-01", "2024-02-01", "2024-05-01", "2024-08-01"]
    ends += [None, "2100-12-31", None, None, None]
    raw = pd.DataFrame(
        {"Kundenr": range(1, 11), "Startdato": pd.to_datetime(starts), "Sluttdato": pd.to_datetime(ends)}
    )
    before = raw.copy()
    data = build_dataset(
        raw, None, RoleMapping(customer_id="Kundenr", start_date="Startdato", end_date="Sluttdato")
    )
    pd.testing.assert_frame_equal(raw, before)  # the raw values stay in the raw table
    c = data.customers
    assert data.as_of == pd.Timestamp("2024-08-01")
    assert c["churned"].tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert pd.isna(c.loc[5, "start_date"]) and pd.isna(c.loc[5, "tenure_months"])
    assert pd.isna(c.loc[6, "end_date"])
    active = data.active_customers()["tenure_months"]
    assert active.mean() == pytest.approx(703 / 4 / 30.4375, abs=1e-9)


def test_implausible_event_timestamps_are_dropped():
    """The log of _log() plus one event of A on 2100-01-01 and one of B on 1900-01-01.

    Both are far outside the 2024-01-01 ... 2024-03-31 bulk and dropped: as_of stays
    2024-03-31, B still starts 2024-01-01 and, quiet for 60 >= 30 days, has churned.
    """
    log = _log()
    stray = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "timestamp": pd.to_datetime(["2100-01-01", "1900-01-01"]),
            "event_type": "order",
            "amount": 100.0,
        }
    )
    mapping = RoleMapping(
        event_customer_id="customer_id", event_timestamp="timestamp", event_type="event_type"
    )
    data = build_dataset(None, pd.concat([log, stray], ignore_index=True), mapping)
    assert data.as_of == pd.Timestamp("2024-03-31")
    assert len(data.events) == len(log)
    customers = data.customers.set_index("customer_id")
    assert customers.loc["B", "start_date"] == pd.Timestamp("2024-01-01")
    assert customers["churned"].to_dict() == {"A": 0, "B": 1}


def test_hostile_dates_file_as_of_and_churn():
    """tests/hostile/dates_implausible.csv: 30 customers starting 05.01.2023 ... 09.07.2024, 10 with
    'sluttet' = Ja and a real end date; customer 1007 starts 01.01.1900, the active 1020 ends 31.12.2100.

    Churn comes from the label 'sluttet' (Ja/Nei, "quit"); as_of = latest plausible end 06.04.2025
    (not 2100-12-31), so 1020 is active and exactly the 10 'Ja' customers have churned.
    """
    path = Path(__file__).parent / "hostile" / "dates_implausible.csv"
    data = load_files(path)
    c = data.customers.set_index("customer_id")
    assert data.churn_definition == CHURN_FROM_LABEL
    assert data.mapping.end_date == "sluttdato"
    assert data.as_of == pd.Timestamp("2025-04-06")
    assert c.loc["1020", "churned"] == 0 and pd.isna(c.loc["1020", "end_date"])
    assert pd.isna(c.loc["1007", "start_date"])
    assert c["churned"].sum() == 10 == (read_table(path)["sluttet"] == "Ja").sum()


# ---------------------------------------------------------------- wide tables


def test_a_wide_table_builds_its_attributes_at_once():
    """300 attributes (150 numbers, 150 two-valued texts) as one frame: no PerformanceWarning
    ("highly fragmented") from inserting them one by one, columns in file order, values kept."""
    raw = pd.concat(
        [
            pd.DataFrame({"Kundenr": range(1, 7), "Churn": ["Ja", "Nei"] * 3}),
            pd.DataFrame({f"n{j:03d}": np.arange(6) * j for j in range(150)}),
            pd.DataFrame({f"t{j:03d}": ["a", "b"] * 3 for j in range(150)}),
        ],
        axis=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        data = build_dataset(raw, None, RoleMapping(customer_id="Kundenr", churn_label="Churn"))
    assert data.attributes == list(raw.columns[2:])
    assert data.categorical == [f"t{j:03d}" for j in range(150)]
    pd.testing.assert_frame_equal(data.customers[data.attributes[:150]], raw.iloc[:, 2:152])
    assert data.customers["t149"].tolist() == ["a", "b"] * 3


def test_a_left_out_value_of_a_float_label_is_left_out():
    """Churn read as floats 1.0 / 0.0 / 2.0: the value '2' chosen as left out drops that row."""
    raw = pd.DataFrame({"id": ["a", "b", "c", "d"], "Churn": [1.0, 0.0, 2.0, 1.0]})
    mapping = RoleMapping(
        customer_id="id",
        churn_label="Churn",
        churned_values=("1",),
        active_values=("0",),
        excluded_values=("2",),
    )
    data = build_dataset(raw, None, mapping)
    assert data.customers["customer_id"].tolist() == ["a", "b", "d"]
    assert [n.values for n in data.notes] == [{"rows": 1, "column": "Churn", "values": "2"}]
