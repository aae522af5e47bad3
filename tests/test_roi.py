"""Golden tests for churn.value.roi: every formula against hand arithmetic, plus properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churn.core.errors import ScenarioError
from churn.value.roi import (
    RoiInputs,
    churn_with_programme,
    compare_scenarios,
    compute_roi,
    cumulative_by_month,
    customers_lost,
    roi_message,
    sensitivity,
)

TOL = 1e-6
SEED004 = RoiInputs(
    customers=380, annual_value=85_000, churn_rate=0.08, new_churn_rate=0.048, setup_cost=65_000
)
# 1,000 customers at 1,000 a year, 50 % margin, churn 10 % → 6 %, two years,
# set-up 5,000, 500 a month, 10 per contact × 100 contacts a year, acquisition 3,000.
WORKED = RoiInputs(
    customers=1000,
    annual_value=1000,
    gross_margin=0.5,
    churn_rate=0.10,
    new_churn_rate=0.06,
    setup_cost=5000,
    monthly_cost=500,
    cost_per_contact=10,
    contacts_per_year=100,
    horizon_years=2,
    acquisition_cost=3000,
)


def test_seed_004_worked_example_comes_out_as_printed():
    """Seed 004: 380 × 8 % = 30.4 → 30 lost; 380 × 4.8 % = 18.24 → 18 lost; 12 saved.

    Loss today 30 × 85,000 = 2,550,000 ("Tap: 2,55 millioner euro");
    saved 12 × 85,000 = 1,020,000 ("Spart tap: 1,02 millioner euro");
    ROI = (1,020,000 − 65,000) / 65,000 × 100 = 1,469.23 % ("ROI: 1.470% første år").
    """
    result = compute_roi(SEED004)
    assert (result.churned_before, result.churned_after, result.saved_customers) == (30, 18, 12)
    assert result.revenue_lost_before == pytest.approx(2_550_000, abs=TOL)
    assert result.saved_revenue == pytest.approx(1_020_000, abs=TOL)
    assert result.saved_margin == pytest.approx(1_020_000, abs=TOL)
    assert result.total_cost == pytest.approx(65_000, abs=TOL)
    assert result.net_benefit == pytest.approx(955_000, abs=TOL)
    assert result.roi_pct == pytest.approx(955_000 / 65_000 * 100, abs=TOL)
    assert round(result.roi_pct, 1) == 1469.2
    assert round(result.roi_pct, -1) == 1470


def test_seed_004_is_the_default_scenario():
    assert RoiInputs() == SEED004


@pytest.mark.parametrize(
    "customers,rate,rounding,expected",
    [
        (380, 0.08, "whole", 30),  # 30.4 → 30
        (380, 0.048, "whole", 18),  # 18.24 → 18
        (2, 0.25, "whole", 1),  # 0.5 rounds half up → 1 (round() would give 0)
        (5, 0.5, "whole", 3),  # 2.5 → 3 (round() would give 2)
        (380, 0.08, "fractional", 30.4),
        (380, 0.0, "whole", 0),
    ],
)
def test_customers_lost(customers, rate, rounding, expected):
    assert customers_lost(customers, rate, rounding) == pytest.approx(expected, abs=TOL)


def test_customers_money_and_cost_over_two_years():
    """WORKED: lost 1000 × 10 % = 100 and 1000 × 6 % = 60, saved 40 a year.

    Revenue saved 40 × 1,000 = 40,000 a year, margin 40,000 × 0.5 = 20,000 a year,
    over 2 years 80,000 revenue and 40,000 margin.
    Cost: set-up 5,000 + running 500 × 12 × 2 = 12,000 + contacts 10 × 100 × 2 = 2,000 = 19,000.
    Net 40,000 − 19,000 = 21,000; ROI 21,000 / 19,000 = 110.526 %.
    """
    r = compute_roi(WORKED)
    assert (r.churned_before, r.churned_after, r.saved_customers) == (100, 60, 40)
    assert r.saved_revenue_per_year == pytest.approx(40_000, abs=TOL)
    assert r.saved_margin_per_year == pytest.approx(20_000, abs=TOL)
    assert r.saved_revenue == pytest.approx(80_000, abs=TOL)
    assert r.saved_margin == pytest.approx(40_000, abs=TOL)
    assert (r.setup_cost, r.running_cost, r.contact_cost) == pytest.approx((5_000, 12_000, 2_000), abs=TOL)
    assert r.total_cost == pytest.approx(19_000, abs=TOL)
    assert r.net_benefit == pytest.approx(21_000, abs=TOL)
    assert r.roi_pct == pytest.approx(110.526315789, abs=1e-6)


def test_payback_in_months():
    """WORKED: monthly gain 20,000 / 12 − (500 + 10 × 100 / 12) = 1,666.67 − 583.33 = 1,083.33;
    payback 5,000 / 1,083.33 = 4.6154 months. Seed 004: 65,000 / (1,020,000 / 12) = 0.7647."""
    assert compute_roi(WORKED).payback_months == pytest.approx(
        5000 / (20000 / 12 - (500 + 1000 / 12)), abs=TOL
    )
    assert compute_roi(WORKED).payback_months == pytest.approx(4.6154, abs=1e-4)
    assert compute_roi(SEED004).payback_months == pytest.approx(0.7647, abs=1e-4)


def test_retention_rate_lifetime_value_and_replacement_cost():
    """WORKED: CRR (1000 − 100) / 1000 = 90 %, (1000 − 60) / 1000 = 94 %.
    CLV 1,000 × 0.5 / 0.10 = 5,000 and 1,000 × 0.5 / 0.06 = 8,333.33.
    Replacement at 3,000: 100 × 3,000 = 300,000, 60 × 3,000 = 180,000, saved 40 × 3,000 = 120,000.
    Cost per saved customer 19,000 / (40 × 2) = 237.50."""
    r = compute_roi(WORKED)
    assert (r.crr_before, r.crr_after) == pytest.approx((90.0, 94.0), abs=TOL)
    assert r.clv_before == pytest.approx(5_000, abs=TOL)
    assert r.clv_after == pytest.approx(8_333.333333, abs=1e-5)
    assert (r.replacement_cost_before, r.replacement_cost_after, r.replacement_cost_saved) == pytest.approx(
        (300_000, 180_000, 120_000), abs=TOL
    )
    assert r.cost_per_saved_customer == pytest.approx(237.5, abs=TOL)


def test_seed_004_retention_rate_and_lifetime_value():
    """CRR (380 − 30) / 380 = 92.105 %, (380 − 18) / 380 = 95.263 %;
    CLV 85,000 / 0.08 = 1,062,500 and 85,000 / 0.048 = 1,770,833.33."""
    r = compute_roi(SEED004)
    assert (r.crr_before, r.crr_after) == pytest.approx((92.105263, 95.263158), abs=1e-5)
    assert (r.clv_before, r.clv_after) == pytest.approx((1_062_500, 1_770_833.333333), abs=1e-5)
    assert r.replacement_cost_saved is None


def test_zero_churn_has_no_lifetime_value_instead_of_a_division_error():
    r = compute_roi(replace(SEED004, churn_rate=0.0, new_churn_rate=0.0))
    assert r.clv_before is None and r.clv_after is None and r.saved_customers == 0


def test_zero_cost_gives_a_clear_message_not_a_division_error():
    r = compute_roi(replace(SEED004, setup_cost=0))
    assert r.roi_pct is None and r.roi_note == "no_cost"
    assert r.payback_months is None and r.net_benefit == pytest.approx(1_020_000)
    assert roi_message(r, "en").startswith("The programme has no cost")
    assert "ingen kostnad" in roi_message(r, "nb")


def test_a_programme_whose_running_cost_exceeds_the_benefit_never_pays_back():
    """Seed 004 benefit 85,000 a month < running cost 90,000 a month."""
    r = compute_roi(replace(SEED004, monthly_cost=90_000))
    assert r.payback_months is None and r.payback_note == "never"
    assert r.roi_pct is not None and r.roi_pct < 0
    assert "never pays back" in roi_message(r, "en")
    assert roi_message(compute_roi(SEED004), "en") is None


def test_churn_with_programme():
    """0.08 × (1 − 0.6 × 0.67) = 0.08 × 0.598 = 0.04784."""
    assert churn_with_programme(0.08, 0.6, 0.67) == pytest.approx(0.04784, abs=1e-12)
    with pytest.raises(ScenarioError, match="recall"):
        churn_with_programme(0.08, 1.5, 0.67)


@pytest.mark.parametrize(
    "change,match",
    [
        ({"customers": 0}, "customers"),
        ({"customers": 10.5}, "whole number"),
        ({"churn_rate": 8}, "churn_rate"),
        ({"annual_value": float("nan")}, "annual_value"),
        ({"setup_cost": float("inf")}, "setup_cost"),
        ({"monthly_cost": -1}, "monthly_cost"),
        ({"horizon_years": 0}, "horizon_years"),
        ({"annual_value": "85000"}, "must be a number"),
        ({"currency": "GBP"}, "GBP"),
        ({"rounding": "up"}, "Rounding"),
    ],
)
def test_absurd_inputs_raise_one_sentence(change, match):
    with pytest.raises(ScenarioError, match=match):
        replace(SEED004, **change)


def test_sensitivity_of_seed_004():
    """Churn rate ±20 %: 380 × 6.4 % = 24.32 → 24 lost, saved 6, net 6 × 85,000 − 65,000 = 445,000;
    380 × 9.6 % = 36.48 → 36 lost, saved 18, net 1,530,000 − 65,000 = 1,465,000; swing 1,020,000.
    Monthly cost is 0, so it does not move (swing 0)."""
    frame = sensitivity(SEED004)
    top = frame.iloc[0]
    assert top["input"] == "churn_rate"
    assert (top["net_low"], top["net_high"], top["swing"]) == pytest.approx((445_000, 1_465_000, 1_020_000))
    assert frame.set_index("input").loc["monthly_cost", "swing"] == 0
    assert (frame["net_base"] == 955_000).all()
    assert frame["swing"].is_monotonic_decreasing


def test_cumulative_by_month_of_seed_004():
    """Month 0: cost 65,000, benefit 0. Month 1: benefit 1,020,000 / 12 = 85,000.
    Month 12: benefit 1,020,000, net 955,000 (= the net benefit)."""
    frame = cumulative_by_month(SEED004)
    assert list(frame["month"]) == list(range(13))
    assert frame.loc[0, ["benefit", "cost"]].tolist() == [0, 65_000]
    assert frame.loc[1, "benefit"] == pytest.approx(85_000)
    assert frame.loc[12, "net"] == pytest.approx(955_000)


def test_compare_scenarios():
    frame = compare_scenarios({"seed": SEED004, "worked": WORKED})
    assert list(frame.index) == ["seed", "worked"]
    assert frame.loc["seed", "net_benefit"] == pytest.approx(955_000)
    assert frame.loc["worked", "total_cost"] == pytest.approx(19_000)


# ---------------------------------------------------------------- properties

shares = st.floats(0, 1, allow_nan=False)
costs = st.floats(0, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    customers=st.integers(1, 100_000),
    value=st.floats(0, 1e6, allow_nan=False),
    churn=shares,
    a=shares,
    b=shares,
    setup=costs,
    monthly=costs,
    rounding=st.sampled_from(["whole", "fractional"]),
)
def test_more_saved_churn_never_lowers_roi(customers, value, churn, a, b, setup, monthly, rounding):
    lower, higher = sorted((a, b))
    base = RoiInputs(
        customers=customers,
        annual_value=value,
        churn_rate=churn,
        new_churn_rate=higher,
        setup_cost=setup,
        monthly_cost=monthly,
        rounding=rounding,
    )
    worse, better = compute_roi(base), compute_roi(replace(base, new_churn_rate=lower))
    assert better.net_benefit >= worse.net_benefit - 1e-6
    if worse.roi_pct is not None:
        assert better.roi_pct >= worse.roi_pct - 1e-6


@settings(max_examples=100, deadline=None)
@given(customers=st.integers(1, 100_000), churn=shares, new=shares, value=costs, years=st.integers(1, 10))
def test_zero_cost_always_gives_the_no_cost_note(customers, churn, new, value, years):
    r = compute_roi(
        RoiInputs(
            customers=customers,
            annual_value=value,
            churn_rate=churn,
            new_churn_rate=new,
            setup_cost=0,
            horizon_years=years,
        )
    )
    assert r.roi_pct is None and r.roi_note == "no_cost" and r.payback_months is None


@settings(max_examples=100, deadline=None)
@given(
    setup=costs,
    monthly=costs,
    contact=st.floats(0, 1000),
    contacts=st.integers(0, 10_000),
    years=st.integers(1, 10),
)
def test_cumulative_chart_ends_at_the_net_benefit(setup, monthly, contact, contacts, years):
    inputs = replace(
        SEED004,
        setup_cost=setup,
        monthly_cost=monthly,
        cost_per_contact=contact,
        contacts_per_year=contacts,
        horizon_years=years,
    )
    frame = cumulative_by_month(inputs)
    assert frame["net"].iloc[-1] == pytest.approx(compute_roi(inputs).net_benefit, rel=1e-9, abs=1e-3)
