"""Label and status values: left / still a customer / leave out, in several languages."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.errors import SchemaError
from churn.ingest.labels import (
    ACTIVE,
    EXCLUDED,
    LEFT,
    is_generic,
    label_value_map,
    label_values,
    parse_churn_label,
    told_active,
    value_class,
)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Si", LEFT),
        ("Sí", LEFT),
        ("Oui", LEFT),
        ("Non", ACTIVE),
        ("Ja", LEFT),
        ("Nein", ACTIVE),
        ("Attrited Customer", LEFT),
        ("Existing Customer", ACTIVE),
        ("Cancelled", LEFT),
        ("canceled", LEFT),
        ("Churned", LEFT),
        ("Lost", LEFT),
        ("Former", LEFT),
        ("Inactive", LEFT),
        ("not churned", ACTIVE),
        ("Gekündigt", LEFT),
        ("Uppsagd", LEFT),
        ("Dado de baja", LEFT),
        ("paused", ACTIVE),
        ("Joined", ACTIVE),
        ("Married", None),
        ("Oslo", None),
    ],
)
def test_value_class(value, expected):
    assert value_class(value) == expected


def test_a_status_with_an_unknown_value_leaves_it_out():
    assert label_value_map(pd.Series(["Churned", "Stayed", "Other", "Stayed"])) == {
        "Stayed": ACTIVE,
        "Churned": LEFT,
        "Other": EXCLUDED,
    }


def test_two_values_one_churn_word_the_other_stayed():
    """'Churned' / 'Regular': the value that is not a churn word is still a customer."""
    assert label_value_map(pd.Series(["Churned", "Regular"])) == {"Churned": LEFT, "Regular": ACTIVE}


def test_generic_yes_with_an_unknown_value_stays_unknown():
    assert label_value_map(pd.Series(["Yes", "maybe"]))["maybe"] is None


def test_whole_floats_read_as_whole_values():
    assert label_values(pd.Series([1.0, 0.0, 0.0, None])) == ["0", "1"]


@pytest.mark.parametrize(
    "values,kwargs,expected",
    [
        (["active", "paused", "canceled"], {}, [0, 0, 1]),
        (["active", "paused", "canceled"], {"churned_values": ("canceled", "paused")}, [0, 1, 1]),
        (["active", "paused", "canceled"], {"active_values": ("active",)}, [0, 1, 1]),
        (
            ["A", "B", "C"],
            {"churned_values": ("A",), "active_values": ("B",), "excluded_values": ("C",)},
            [1, 0, None],
        ),
        (["Si", "No", "Sí"], {}, [1, 0, 1]),
    ],
)
def test_parse_with_chosen_values(values, kwargs, expected):
    out = parse_churn_label(pd.Series(values, name="status"), **kwargs)
    assert [None if pd.isna(v) else int(v) for v in out] == expected


def test_values_that_say_nothing_are_named():
    with pytest.raises(
        SchemaError, match=r"Column 'status' has values that do not say whether a customer left \('x1'"
    ):
        parse_churn_label(pd.Series(["x1", "x2"], name="status"))


def test_generic_and_told():
    assert is_generic(["Yes", "No"]) and not is_generic(["Churned", "No"])
    assert told_active({"active": ACTIVE, "paused": ACTIVE, "canceled": LEFT}) == ["paused"]
