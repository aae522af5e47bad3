"""Query-string encoding of ROI scenarios, hostile links, and the seed 004 presets."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churn.core.formatting import CURRENCIES
from churn.value.roi import RANGES, ROUNDING, RoiInputs, compute_roi
from churn.value.scenarios import (
    COST_PRESETS,
    DEFAULT,
    QUERY_KEYS,
    apply_cost_preset,
    decode_query,
    encode_query,
    scenario_variants,
    seed004_example,
)


def _floats(name: str):
    low, high = RANGES[name]
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _ints(name: str):
    low, high = RANGES[name]
    return st.integers(int(low), int(high))


roi_inputs = st.builds(
    RoiInputs,
    customers=_ints("customers"),
    annual_value=_floats("annual_value"),
    gross_margin=_floats("gross_margin"),
    churn_rate=_floats("churn_rate"),
    new_churn_rate=_floats("new_churn_rate"),
    setup_cost=_floats("setup_cost"),
    monthly_cost=_floats("monthly_cost"),
    cost_per_contact=_floats("cost_per_contact"),
    contacts_per_year=_ints("contacts_per_year"),
    horizon_years=_ints("horizon_years"),
    acquisition_cost=st.none() | _floats("acquisition_cost"),
    currency=st.sampled_from(CURRENCIES),
    rounding=st.sampled_from(ROUNDING),
)


@settings(max_examples=300, deadline=None)
@given(roi_inputs)
def test_decode_of_encode_is_the_same_scenario(inputs):
    decoded = decode_query(encode_query(inputs))
    assert decoded.inputs == inputs
    assert decoded.rejected == ()


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(QUERY_KEYS.values())) | st.text(max_size=5),
        st.text(max_size=60) | st.lists(st.text(max_size=20), max_size=3),
    )
)
def test_any_string_dict_decodes_without_raising(params):
    decoded = decode_query(params)
    assert isinstance(compute_roi(decoded.inputs).net_benefit, float)
    assert set(decoded.rejected) <= set(QUERY_KEYS)


@pytest.mark.parametrize(
    "key,raw,field",
    [
        ("n", "abc", "customers"),
        ("n", "12.5", "customers"),
        ("n", "-5", "customers"),
        ("n", "0", "customers"),
        ("v", "nan", "annual_value"),
        ("v", "NaN", "annual_value"),
        ("v", "inf", "annual_value"),
        ("v", "1e309", "annual_value"),
        ("v", "9" * 50, "annual_value"),
        ("v", "0x10", "annual_value"),
        ("v", "1_000", "annual_value"),
        ("v", "", "annual_value"),
        ("cr", "8", "churn_rate"),
        ("cr", "8%", "churn_rate"),
        ("gm", "<script>alert(1)</script>", "gross_margin"),
        ("sc", "-65000", "setup_cost"),
        ("y", "11", "horizon_years"),
        ("cur", "<b>GBP</b>", "currency"),
        ("rd", "up", "rounding"),
        ("cac", "-1", "acquisition_cost"),
        ("n", ["380", "400"], "customers"),
        ("n", ["380", "380"], "customers"),
    ],
)
def test_hostile_values_fall_back_to_the_default_and_are_reported(key, raw, field):
    decoded = decode_query({key: raw})
    assert decoded.rejected == (field,)
    assert getattr(decoded.inputs, field) == getattr(DEFAULT, field)


@pytest.mark.parametrize(
    "params,field,expected",
    [
        ({"n": "500"}, "customers", 500),
        ({"n": " 500 "}, "customers", 500),
        ({"n": "500.0"}, "customers", 500),
        ({"cr": "0.1"}, "churn_rate", 0.1),
        ({"cur": "nok"}, "currency", "NOK"),
        ({"rd": "f"}, "rounding", "fractional"),
        ({"rd": "whole"}, "rounding", "whole"),
        ({"cac": ""}, "acquisition_cost", None),
        ({"cac": "15000"}, "acquisition_cost", 15000.0),
        ({"n": ["450"]}, "customers", 450),
        ({"ws": "secret-token", "lang": "nb"}, "customers", 380),
    ],
)
def test_good_values_are_read(params, field, expected):
    decoded = decode_query(params)
    assert getattr(decoded.inputs, field) == expected
    assert decoded.rejected == ()


def test_encoding_is_short_and_never_holds_the_workspace():
    params = encode_query(DEFAULT)
    assert params == {
        "n": "380",
        "v": "85000",
        "gm": "1",
        "cr": "0.08",
        "nr": "0.048",
        "sc": "65000",
        "mc": "0",
        "cc": "0",
        "nc": "0",
        "y": "1",
        "cur": "EUR",
        "rd": "w",
    }
    assert "ws" not in QUERY_KEYS.values() and "lang" not in QUERY_KEYS.values()


def test_seed_004_preset():
    """One click gives the seed: 12 customers saved, 1,020,000 € saved, ROI 1,469.2 %."""
    result = compute_roi(seed004_example())
    assert (result.saved_customers, result.saved_revenue) == (12, 1_020_000)
    assert round(result.roi_pct, 1) == 1469.2
    assert seed004_example("NOK").currency == "NOK"


@pytest.mark.parametrize(
    "size,setup,monthly",
    [
        ("small", 20_000, 3_000),  # (15,000 + 25,000) / 2, (2,000 + 4,000) / 2
        ("medium", 35_000, 6_000),  # (25,000 + 45,000) / 2, (4,000 + 8,000) / 2
        ("large", 65_000, 11_500),  # (45,000 + 85,000) / 2, (8,000 + 15,000) / 2
    ],
)
def test_cost_presets_use_the_midpoints_of_seed_004s_table(size, setup, monthly):
    inputs = apply_cost_preset(replace(DEFAULT, customers=999), size)
    assert (inputs.setup_cost, inputs.monthly_cost) == (setup, monthly)
    assert inputs.customers == 999
    assert COST_PRESETS[size].setup_range[0] < setup < COST_PRESETS[size].setup_range[1]


def test_variants():
    """Seed reduction 8 % − 4.8 % = 3.2 points. Conservative: 8 − 1.6 = 6.4 %, costs × 1.2 = 78,000.
    Optimistic: 8 − 4.8 = 3.2 %, costs unchanged."""
    variants = scenario_variants(DEFAULT)
    assert list(variants) == ["conservative", "base", "optimistic"]
    assert variants["conservative"].new_churn_rate == pytest.approx(0.064)
    assert variants["conservative"].setup_cost == pytest.approx(78_000)
    assert variants["optimistic"].new_churn_rate == pytest.approx(0.032)
    nets = [compute_roi(v).net_benefit for v in variants.values()]
    assert nets == sorted(nets)
