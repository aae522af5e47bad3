"""Segment drivers, acquisition check and churn reasons (churn/analysis/drivers.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.analysis import drivers
from churn.core.dataset import Dataset, RoleMapping


@pytest.mark.parametrize(
    "churned,n,low,high",
    [
        # p = 0.4, z² = 3.8415, z²/n = 0.38415, denominator 1.38415;
        # centre = (0.4 + 0.19207) / 1.38415 = 0.42775;
        # half = 1.96·√(0.024 + 0.0096037) / 1.38415 = 0.25958  ->  (0.16818, 0.68733)
        (4, 10, 0.16818, 0.68733),
        # p = 0: centre = 0.19207/1.38415 = 0.13877, half = 1.96·√0.0096037/1.38415 = 0.13877
        # -> low 0, high = z²/(n + z²) = 3.8415/13.8415 = 0.27753
        (0, 10, 0.0, 0.27753),
        # p = 0.6, n = 100: centre = (0.6 + 0.019207)/1.038415 = 0.59631;
        # half = 1.96·√(0.0024 + 0.00009604)/1.038415 = 0.09431 -> (0.50200, 0.69062)
        (60, 100, 0.50200, 0.69062),
    ],
)
def test_wilson_interval_matches_hand_arithmetic(churned, n, low, high):
    got_low, got_high = drivers.wilson_interval(churned, n)
    assert float(got_low) == pytest.approx(low, abs=1e-4)
    assert float(got_high) == pytest.approx(high, abs=1e-4)


def test_wilson_interval_of_empty_group_is_missing():
    low, high = drivers.wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_rate_ratio_interval_matches_katz_by_hand():
    """20/100 vs 10/100: RR = 2; se(log RR) = √(1/20 − 1/100 + 1/10 − 1/100) = √0.13 = 0.36056;
    exp(ln 2 ± 1.96·0.36056) = (0.9866, 4.0544)."""
    ratio, low, high = drivers.rate_ratio_interval(20, 100, 10, 100)
    assert float(ratio) == pytest.approx(2.0)
    assert float(low) == pytest.approx(0.9866, abs=1e-3)
    assert float(high) == pytest.approx(4.0544, abs=1e-3)


def _contracts() -> pd.DataFrame:
    """100 monthly customers (60 left), 100 annual (20 left), 10 two-year (1 left); noise column."""
    contract = ["monthly"] * 100 + ["annual"] * 100 + ["two_year"] * 10
    churned = [1] * 60 + [0] * 40 + [1] * 20 + [0] * 80 + [1] + [0] * 9
    noise = (["a", "b"] * 105)[:210]
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(210)],
            "churned": churned,
            "contract": contract,
            "noise": noise,
        }
    )


def test_group_rates_lift_and_excess_churners_by_hand():
    """Overall 8/20 = 0.4. Group A: 6/10 = 0.6, lift 1.5, excess 6 − 10·0.4 = +2;
    group B: 2/10 = 0.2, lift 0.5, excess 2 − 4 = −2."""
    frame = pd.DataFrame({"g": ["A"] * 10 + ["B"] * 10, "churned": [1] * 6 + [0] * 4 + [1] * 2 + [0] * 8})
    stats = drivers.group_rates(frame["churned"], frame["g"]).set_index("value")
    assert stats.loc["A", "churn_rate"] == pytest.approx(0.6)
    assert stats.loc["A", "lift"] == pytest.approx(1.5)
    assert stats.loc["A", "excess_churners"] == pytest.approx(2.0)
    assert stats.loc["B", "lift"] == pytest.approx(0.5)
    assert stats.loc["B", "excess_churners"] == pytest.approx(-2.0)
    assert stats["small"].all()  # 10 < MIN_GROUP_SIZE: marked, still present


def test_segment_drivers_ranks_real_effects_first_and_marks_small_groups():
    """Overall 81/210 = 0.38571. Monthly 60/100: Wilson low 0.50200 > overall -> significant,
    effect = (0.50200 − 0.38571)·100 = 11.63 excess churners beyond chance; ranked first."""
    table = drivers.segment_drivers(_contracts(), ["contract", "noise"])
    first = table.iloc[0]
    assert (first["attribute"], first["value"], first["rank"]) == ("contract", "monthly", 1)
    assert first["effect"] == pytest.approx((0.50200 - 81 / 210) * 100, abs=0.01)
    assert first["significant"] and not first["small"]
    two_year = table[(table["attribute"] == "contract") & (table["value"] == "two_year")].iloc[0]
    assert two_year["small"] and not two_year["significant"]
    assert not table.loc[table["attribute"] == "noise", "significant"].any()
    assert set(table["attribute"]) == {"contract", "noise"}  # nothing hidden


def test_numeric_attribute_is_binned_into_ordered_quantiles():
    frame = pd.DataFrame({"churned": [1, 1, 0, 0, 0, 0, 1, 0] * 5, "value": list(range(1, 41))})
    labels, kind = drivers.attribute_groups(frame["value"], bins=4)
    assert kind == "numeric"
    assert list(labels.cat.categories) == ["1–10", "11–20", "21–30", "31–40"]
    assert labels.value_counts().tolist() == [10, 10, 10, 10]
    table = drivers.segment_drivers(frame, ["value"])
    assert sorted(table["value_order"]) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            "Customers with contract “monthly” churn 3.0× as often as those with “annual” (60% vs 20%, n=100).",
        ),
        (
            "nb",
            "Kunder med contract «monthly» slutter 3,0 ganger så ofte som kunder med «annual» (60 % mot 20 %, n = 100).",
        ),
    ],
)
def test_top_finding_sentence(lang, expected):
    """Monthly 60% vs annual 20% (two-year is a small group, left out): 0.6/0.2 = 3.0×."""
    table = drivers.segment_drivers(_contracts(), ["contract", "noise"], lang)
    sentences = [s.replace("\xa0", " ") for s in drivers.top_findings(table, lang)]
    assert sentences == [expected]


def test_drivers_name_the_value_column_as_the_clients_file_does():
    """The value column is analysed under its canonical name but read under the client's header
    ('Customer Value'); derived from events, it reads as the glossary word. Values 1..80, the
    first 40 churned: the two quantile halves (1–40, 41–80) churn 100% vs 0%."""
    frame = pd.DataFrame(
        {
            "churned": [1] * 40 + [0] * 40,
            "monthly_value": [float(v) for v in range(1, 81)],
            "Contract": ["a", "b"] * 40,
        }
    )
    mapping = RoleMapping(value="Customer Value")
    table = drivers.segment_drivers(frame, ["monthly_value", "Contract"], "en", bins=2, mapping=mapping)
    labels = dict(zip(table["attribute"], table["label"], strict=True))
    assert labels == {"monthly_value": "Customer Value", "Contract": "Contract"}
    finding = drivers.top_findings(table, "en")[0]
    assert finding.startswith("Customers with Customer Value “1–40”") and "monthly_value" not in finding
    derived = drivers.segment_drivers(frame, ["monthly_value"], "nb", bins=2, mapping=RoleMapping())
    assert set(derived["label"]) == {"Månedsverdi"}
    assert drivers.top_findings(derived, "nb")[0].startswith("Av kundene med Månedsverdi «1–40»")


def test_acquisition_check_lifetime_value_and_loss_flag():
    """web: tenure 10 + 20 = 30 customer-months, 1 churner -> lifetime 30 months; value 100/month
    -> CLV 3,000 < cost 4,000 -> flagged. referral: nobody left -> lifetime capped at 120 months,
    CLV 50·120 = 6,000 > 4,000."""
    customers = pd.DataFrame(
        {
            "churned": [1, 0, 0, 0],
            "tenure_months": [10.0, 20.0, 12.0, 12.0],
            "monthly_value": [100.0, 100.0, 50.0, 50.0],
            "channel": ["web", "web", "referral", "referral"],
        }
    )
    table = drivers.acquisition_check(customers, "channel", acquisition_cost=4000).set_index("channel")
    assert table.loc["web", "expected_lifetime_months"] == pytest.approx(30.0)
    assert table.loc["web", "lifetime_value"] == pytest.approx(3000.0)
    assert bool(table.loc["web", "cost_exceeds_value"])
    assert bool(table.loc["referral", "lifetime_capped"])
    assert table.loc["referral", "lifetime_value"] == pytest.approx(6000.0)
    assert not bool(table.loc["referral", "cost_exceeds_value"])
    per_channel = drivers.acquisition_check(customers, "channel", acquisition_cost={"referral": 7000})
    assert per_channel.set_index("channel")["cost_exceeds_value"].to_dict() == {
        "web": False,
        "referral": True,
    }


def test_churn_reasons_overall_and_by_segment():
    customers = pd.DataFrame(
        {
            "churned": [1, 1, 1, 1, 0],
            "reason": ["price", "price", "competitor", None, None],
            "plan": ["A", "A", "B", "B", "A"],
        }
    )
    overall = drivers.churn_reasons(customers, "reason")
    assert overall.to_dict("list") == {
        "reason": ["price", "competitor"],
        "churned": [2, 1],
        "share": [2 / 3, 1 / 3],
    }
    by_plan = drivers.churn_reasons(customers, "reason", "plan")
    assert by_plan.to_dict("list") == {
        "segment": ["A", "B"],
        "reason": ["price", "competitor"],
        "churned": [2, 1],
        "share": [1.0, 1.0],
    }


def _dataset(customers: pd.DataFrame, attributes, categorical, leakage) -> Dataset:
    return Dataset(customers, None, RoleMapping(), attributes, categorical, leakage, None, "label")


def test_column_finders_use_names_and_leakage():
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "churned": [1, 0, 1],
            "Salgskanal": ["web", "web", "partner"],
            "CAC": [100.0, 100.0, 300.0],
            "note": ["too dear", None, "moved"],
        }
    )
    data = _dataset(customers, ["Salgskanal", "CAC", "note"], ["Salgskanal", "note"], ["note"])
    assert drivers.find_channel_column(data) == "Salgskanal"
    assert drivers.find_cost_column(data) == "CAC"
    assert drivers.find_reason_column(data) == "note"  # filled for churners only
    assert "note" not in drivers.driver_attributes(data)


def test_inputs_are_not_changed():
    frame = _contracts()
    before = frame.copy()
    drivers.segment_drivers(frame, ["contract", "noise"])
    drivers.churn_reasons(frame.assign(reason="x"), "reason", "contract")
    pd.testing.assert_frame_equal(frame, before)


# --- the sample data: planted effects are rediscovered --------------------------------------------


@pytest.fixture(scope="module")
def sample(request):
    return request.getfixturevalue("sample_dataset")


def test_sample_planted_segment_effects_are_found(sample):
    """sample.py plants: monthly contracts churn far more than annual/two-year, web more and
    partner/referral less, no effect of region."""
    table = drivers.segment_drivers(sample.customers, drivers.driver_attributes(sample))
    rows = table.set_index(["attribute", "value"])
    monthly = rows.loc[("contract_type", "monthly")]
    assert monthly["significant"] and monthly["lift"] > 1.2 and monthly["rank"] == 1
    assert (
        rows.loc[("contract_type", "two_year"), "ci_high"] < rows.loc[("contract_type", "monthly"), "ci_low"]
    )
    assert rows.loc[("acquisition_channel", "web"), "significant"]
    assert rows.loc[("acquisition_channel", "web"), "lift"] > 1.2
    assert rows.loc[("acquisition_channel", "partner"), "lift"] < 0.8
    region = table[table["attribute"] == "region"]
    assert region["effect"].abs().sum() < monthly["effect"] / 5
    assert "contract_type" in drivers.top_findings(table)[0]
    assert drivers.find_reason_column(sample) is not None
    assert drivers.find_reason_column(sample) not in drivers.driver_attributes(sample)
