"""Scoring today's customers: probabilities once, then tiers, actions and value at risk (churn/act/scoring.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.act.scoring import (
    Scores,
    readable_score_table,
    score_active,
    score_customers,
    score_headers,
    score_table,
)
from churn.core.dataset import CHURN_FROM_LABEL, Dataset, RoleMapping

COLUMNS = [
    "customer_id",
    "probability",
    "tier",
    "action_auto",
    "action_personal",
    "monthly_value",
    "value_at_risk",
]


def three_customers(with_value: bool = True) -> Dataset:
    """Customers 1, 2, 3 active (ids stored as numbers, as a file may give them); 4 has left."""
    customers = pd.DataFrame({"customer_id": [1, 2, 3, 4], "churned": [0, 0, 0, 1]})
    if with_value:
        customers["monthly_value"] = [1000.0, 500.0, 2000.0, 9999.0]
    return Dataset(
        customers=customers,
        events=None,
        mapping=RoleMapping(customer_id="id", churn_label="churned"),
        attributes=[],
        categorical=[],
        leakage=[],
        as_of=pd.Timestamp("2026-10-31"),
        churn_definition=CHURN_FROM_LABEL,
    )


#: The model's view of the three active customers: features indexed by id as text.
SCORES = Scores(
    features=pd.DataFrame({"x": [0.0, 1.0, 2.0]}, index=pd.Index(["1", "2", "3"], name="customer_id")),
    probability=np.array([0.2, 0.8, 0.55]),
)


def test_score_table_by_hand():
    """value_at_risk = p × 12 × monthly value:
    customer 2: 0.80 × 12 × 500 = 4,800 (high, 0.80 ≥ 0.70);
    customer 3: 0.55 × 12 × 2,000 = 13,200 (medium, 0.50 ≤ 0.55 < 0.70);
    customer 1: 0.20 × 12 × 1,000 = 2,400 (none, below 0.30).
    Riskiest first, so 2, 3, 1; customer 4 has left and is not in the scores."""
    table = score_table(SCORES, three_customers())
    assert table.columns.tolist() == COLUMNS
    assert table["customer_id"].tolist() == ["2", "3", "1"]
    assert table["probability"].tolist() == pytest.approx([0.8, 0.55, 0.2], abs=1e-12)
    assert table["tier"].tolist() == ["high", "medium", "none"]
    assert table["monthly_value"].tolist() == pytest.approx([500.0, 2000.0, 1000.0], abs=1e-9)
    assert table["value_at_risk"].tolist() == pytest.approx([4800.0, 13200.0, 2400.0], abs=1e-6)
    assert table["action_personal"].tolist() == [
        "Executive conversation within 48 hours",
        "Call from the key account manager",
        "",
    ]
    assert table["action_auto"].tolist() == [
        "Alert the team immediately",
        "Event invitations, discount offer",
        "",
    ]
    assert table.index.tolist() == [0, 1, 2]


def test_score_table_follows_the_tier_bounds_and_language():
    """With low from 10 % and high from 60 %: 0.80 high, 0.55 medium (0.50 ≤ 0.55 < 0.60), 0.20 low."""
    table = score_table(SCORES, three_customers(), tiers={"low": 0.1, "high": 0.6}, lang="nb")
    assert table["tier"].tolist() == ["high", "medium", "low"]
    assert table["action_personal"].tolist() == [
        "Ledersamtale innen 48 timer",
        "Telefon fra kundeansvarlig",
        "Kvartalsvis oppfølging fra kundekontakt",
    ]


def test_without_a_monthly_value_the_value_at_risk_is_unknown_not_zero():
    table = score_table(SCORES, three_customers(with_value=False))
    assert table["monthly_value"].isna().all()
    assert table["value_at_risk"].isna().all()
    assert table["tier"].tolist() == ["high", "medium", "none"]


def test_equal_probabilities_keep_the_order_of_the_scores():
    scores = Scores(features=SCORES.features, probability=np.array([0.5, 0.5, 0.9]))
    assert score_table(scores, three_customers())["customer_id"].tolist() == ["3", "1", "2"]


def test_score_table_does_not_change_its_input():
    data = three_customers()
    before = data.customers.copy()
    score_table(SCORES, data)
    pd.testing.assert_frame_equal(data.customers, before)


@pytest.mark.parametrize(
    "mapping,lang,value_header",
    [
        (RoleMapping(value="MonthlyCharges"), "en", "MonthlyCharges"),
        (RoleMapping(value="Customer Value"), "nb", "Customer Value"),
        (RoleMapping(event_amount="amount"), "nb", "Månedsverdi"),  # value from events: the glossary word
    ],
)
def test_the_download_holds_words_not_internal_names(mapping, lang, value_header):
    """Risk 0.8 -> 80.0 under "Risk (%)"; tiers in words; value and value at risk (4,800) whole units."""
    readable = readable_score_table(score_table(SCORES, three_customers(), lang=lang), lang, mapping)
    headers = score_headers(lang, mapping)
    headers["probability"] += " (%)"
    assert list(readable.columns) == [headers[c] for c in COLUMNS]
    assert not set(readable.columns) & set(COLUMNS)  # no internal name left
    assert readable[value_header].tolist() == [500.0, 2000.0, 1000.0]
    first = readable.iloc[0]
    assert first[headers["probability"]] == pytest.approx(80.0)
    assert first[headers["tier"]] == ("High" if lang == "en" else "Høy")
    assert first[headers["value_at_risk"]] == pytest.approx(4800.0)


# ---------------------------------------------------------------- with a model


@pytest.fixture(scope="module")
def sample_scores(tiny_model, sample_dataset) -> Scores:
    return score_active(tiny_model, sample_dataset)


def test_every_active_customer_is_scored_once(sample_scores, sample_dataset):
    active = sample_dataset.active_customers()["customer_id"].astype(str)
    ids = sample_scores.features.index
    assert ids.is_unique
    assert set(ids) == set(active) and len(ids) == len(active)
    assert len(sample_scores.probability) == len(ids)
    assert ((sample_scores.probability >= 0) & (sample_scores.probability <= 1)).all()


def test_score_active_probabilities_are_the_models_on_those_features(sample_scores, tiny_model):
    np.testing.assert_allclose(
        sample_scores.probability, tiny_model.predict_proba(sample_scores.features), rtol=0, atol=1e-12
    )


def test_score_customers_is_score_active_then_score_table(tiny_model, sample_dataset, sample_scores):
    bounds = {"low": 0.2, "medium": 0.4, "high": 0.6}
    direct = score_customers(tiny_model, sample_dataset, tiers=bounds, lang="nb")
    pd.testing.assert_frame_equal(direct, score_table(sample_scores, sample_dataset, bounds, "nb"))


def test_sample_scores_are_sorted_priced_and_tiered(sample_scores, sample_dataset):
    table = score_table(sample_scores, sample_dataset)
    assert table["probability"].is_monotonic_decreasing
    np.testing.assert_allclose(
        table["value_at_risk"], table["probability"] * 12 * table["monthly_value"], rtol=1e-12
    )
    values = sample_dataset.customers.assign(customer_id=sample_dataset.customers["customer_id"].astype(str))
    expected = values.set_index("customer_id")["monthly_value"].reindex(table["customer_id"])
    np.testing.assert_allclose(table["monthly_value"], expected.to_numpy(), rtol=0)
    p, tier = table["probability"], table["tier"]
    assert (tier[p >= 0.7] == "high").all() and (tier[p < 0.3] == "none").all()
    assert (tier[(p >= 0.5) & (p < 0.7)] == "medium").all() and (tier[(p >= 0.3) & (p < 0.5)] == "low").all()
