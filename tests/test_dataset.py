"""The Dataset and RoleMapping contract, on tiny hand-made frames."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import (
    CANONICAL_CUSTOMER_COLUMNS,
    CANONICAL_EVENT_COLUMNS,
    CHURN_FROM_END_DATE,
    CHURN_FROM_INACTIVITY,
    CHURN_FROM_LABEL,
    DAYS_PER_MONTH,
    EVENT_KINDS,
    SECONDS_PER_DAY,
    Dataset,
    RoleMapping,
)


def customers(**extra) -> pd.DataFrame:
    """Three customers: a and c active, b churned."""
    return pd.DataFrame({"customer_id": ["a", "b", "c"], "churned": [0, 1, 0], **extra})


def dataset(frame: pd.DataFrame | None = None, events: pd.DataFrame | None = None, **changes) -> Dataset:
    fields = {
        "customers": customers() if frame is None else frame,
        "events": events,
        "mapping": RoleMapping(customer_id="customer_id"),
        "attributes": ["plan", "reason", "region"],
        "categorical": ["plan", "region"],
        "leakage": ["reason"],
        "as_of": pd.Timestamp("2026-06-30"),
        "churn_definition": CHURN_FROM_LABEL,
    }
    return Dataset(**{**fields, **changes})


# ---------------------------------------------------------------- constants


def test_a_month_is_the_mean_gregorian_month():
    """365.25 days a year / 12 months = 30.4375 days."""
    assert pytest.approx(365.25 / 12, abs=1e-12) == DAYS_PER_MONTH


def test_a_day_has_86400_seconds():
    """24 × 60 × 60 = 86 400."""
    assert SECONDS_PER_DAY == 24 * 60 * 60


def test_canonical_names_are_distinct_and_kinds_end_with_other():
    assert len(set(CANONICAL_CUSTOMER_COLUMNS)) == len(CANONICAL_CUSTOMER_COLUMNS)
    assert len(set(CANONICAL_EVENT_COLUMNS)) == len(CANONICAL_EVENT_COLUMNS)
    assert len(set(EVENT_KINDS)) == len(EVENT_KINDS) and EVENT_KINDS[-1] == "other"
    assert len({CHURN_FROM_LABEL, CHURN_FROM_END_DATE, CHURN_FROM_INACTIVITY}) == 3


# ---------------------------------------------------------------- RoleMapping


def test_an_empty_mapping_names_no_column():
    mapping = RoleMapping()
    values = {f.name: getattr(mapping, f.name) for f in dataclasses.fields(mapping)}
    for name in RoleMapping.TUPLE_FIELDS:
        assert values.pop(name) == ()
    assert values.pop("event_type_map") == {}
    assert set(values.values()) == {None}


def test_label_values_and_kept_suspects_round_trip_as_lists():
    mapping = RoleMapping(churn_label="status", churned_values=("canceled",), kept_suspects=("score",))
    saved = mapping.to_dict()
    assert saved["churned_values"] == ["canceled"] and saved["kept_suspects"] == ["score"]
    assert RoleMapping.from_dict(saved) == mapping


@pytest.mark.parametrize(
    "mapping",
    [
        RoleMapping(),
        RoleMapping(customer_id="Kundenr", churn_label="Oppsagt", segments=("Bransje", "Fylke")),
        RoleMapping(
            event_customer_id="Kundenr",
            event_timestamp="Tidspunkt",
            event_type="Hendelse",
            event_type_map={"Faktura betalt": "payment", "Ny kontaktperson": "contact_change"},
            inactivity_days=90,
        ),
    ],
)
def test_mapping_survives_a_json_round_trip(mapping):
    data = json.loads(json.dumps(mapping.to_dict()))
    assert RoleMapping.from_dict(data) == mapping


def test_to_dict_writes_segments_as_a_list():
    assert RoleMapping(segments=("a", "b")).to_dict()["segments"] == ["a", "b"]


def test_from_dict_ignores_unknown_keys_and_fills_missing_ones():
    mapping = RoleMapping.from_dict({"customer_id": "id", "colour": "blue", "segments": None})
    assert mapping == RoleMapping(customer_id="id")


def test_a_mapping_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RoleMapping().customer_id = "id"


# ---------------------------------------------------------------- Dataset


@pytest.mark.parametrize(
    "starts,expected",
    [
        (None, False),  # no start_date column
        ([None, None, None], False),  # the column is there but empty
        (["2025-01-01", None, None], True),
    ],
)
def test_has_dates_needs_one_known_start(starts, expected):
    frame = customers() if starts is None else customers(start_date=pd.to_datetime(starts))
    assert dataset(frame).has_dates == expected


@pytest.mark.parametrize(
    "values,expected",
    [(None, False), ([np.nan, np.nan, np.nan], False), ([np.nan, 250.0, np.nan], True)],
)
def test_has_value_needs_one_known_value(values, expected):
    frame = customers() if values is None else customers(monthly_value=values)
    assert dataset(frame).has_value == expected


@pytest.mark.parametrize("n_events,expected", [(None, False), (0, False), (1, True)])
def test_has_events_needs_at_least_one_event(n_events, expected):
    events = None
    if n_events is not None:
        events = pd.DataFrame(
            {
                "customer_id": ["a"] * n_events,
                "timestamp": pd.to_datetime(["2026-01-01"] * n_events),
                "event_type": ["order"] * n_events,
            }
        )
    assert dataset(events=events).has_events is expected


def test_active_customers_are_the_ones_not_churned():
    assert dataset().active_customers()["customer_id"].tolist() == ["a", "c"]


def test_model_attributes_leave_out_leakage_suspects_in_order():
    assert dataset().model_attributes == ["plan", "region"]


def test_evolve_returns_a_changed_copy_and_leaves_the_original():
    original = dataset()
    renamed = original.evolve(name="kunder.csv", leakage=[])
    assert (renamed.name, renamed.model_attributes) == ("kunder.csv", ["plan", "reason", "region"])
    assert (original.name, original.model_attributes) == ("dataset", ["plan", "region"])
    assert renamed.customers is original.customers


def test_evolve_refuses_an_unknown_field():
    with pytest.raises(TypeError, match="colour"):
        dataset().evolve(colour="blue")
