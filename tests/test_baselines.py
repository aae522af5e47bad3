"""The baselines a churn model must beat: golden rule rates, round trips, a planted effect, the row cap."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from churn.core.sampling import capped_rows
from churn.model import baselines
from churn.model.baselines import SMOOTHING, LogisticBaseline, RuleBaseline

# ---------------------------------------------------------------- the rule


def test_segment_rule_uses_smoothed_group_rates():
    """Group x: 3 of 4 left; y: 0 of 4. Base rate 3/8. Smoothing 10:

    x = (3 + 10 × 0.375) / (4 + 10) = 6.75 / 14; y = (0 + 3.75) / 14.
    """
    X = pd.DataFrame({"plan": ["x"] * 4 + ["y"] * 4})
    y = [1, 1, 1, 0, 0, 0, 0, 0]
    rule = RuleBaseline().fit(X, y, None, ["plan"])
    assert rule.column == "plan"
    p = rule.predict(pd.DataFrame({"plan": ["x", "y", "z"]}))
    assert p.tolist() == pytest.approx([6.75 / 14, 3.75 / 14, 0.375])
    again = RuleBaseline.from_dict(rule.to_dict())
    assert again.predict(X).tolist() == rule.predict(X).tolist()


def test_the_smoothing_is_ten_pseudo_customers():
    assert SMOOTHING == 10.0


def test_the_strongest_segment_column_wins():
    """plan separates leavers (x: 3 of 4) from stayers (y: 0 of 4); region alternates and says nothing."""
    X = pd.DataFrame({"region": ["north", "south"] * 4, "plan": ["x"] * 4 + ["y"] * 4})
    rule = RuleBaseline().fit(X, [1, 1, 1, 0, 0, 0, 0, 0], None, ["region", "plan"])
    assert (rule.kind, rule.column, rule.edges) == ("segment", "plan", None)


def test_tenure_bands_golden():
    """Tenure 1..10, the four shortest left. Band edges are the 20/40/60/80 % quantiles of 1..10:
    1 + 0.2 × 9 = 2.8, 4.6, 6.4, 8.2, so the bands are {1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}.
    Base rate 4/10 = 0.4; smoothed: band {1, 2} (2 of 2 left) = (2 + 10 × 0.4) / (2 + 10) = 0.5;
    band {9, 10} (0 of 2) = (0 + 4) / 12 = 1/3.
    """
    X = pd.DataFrame({"tenure_months": np.arange(1.0, 11.0)})
    rule = RuleBaseline().fit(X, [1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert rule.column == "tenure_months"
    assert rule.edges == pytest.approx([2.8, 4.6, 6.4, 8.2])
    p = rule.predict(pd.DataFrame({"tenure_months": [1.5, 4.0, 9.5]}))
    assert p.tolist() == pytest.approx([0.5, 0.5, 1 / 3], abs=1e-12)


def test_signal_rule_golden():
    """Rule scores: no flag 0.0, one flag 0.2, two flags 0.5 (s² / (s² + 4) with s = 0, 1, 2).

    No flag: 0 of 4 left; one flag: 1 of 3; two flags: 3 of 3. Base rate 4/10 = 0.4, smoothing 10:
    no flag (0 + 4) / 14 = 2/7; one flag (1 + 4) / 13 = 5/13; two flags (3 + 4) / 13 = 7/13.
    """
    flags = pd.DataFrame(
        {
            "fewer_orders": [False] * 4 + [True] * 3 + [True] * 3,
            "fewer_emails": [False] * 4 + [False] * 3 + [True] * 3,
        }
    )
    X = pd.DataFrame(index=flags.index)
    rule = RuleBaseline().fit(X, [0, 0, 0, 0, 1, 0, 0, 1, 1, 1], signals=flags)
    assert rule.kind == "signals"
    p = rule.predict(X.iloc[[0, 4, 7]], signals=flags.iloc[[0, 4, 7]])
    assert p.tolist() == pytest.approx([2 / 7, 5 / 13, 7 / 13], abs=1e-12)
    with pytest.raises(ValueError, match="signal flags"):
        rule.predict(X)


def test_unseen_groups_get_the_overall_rate():
    """Base rate 3/8 = 0.375 for a plan the rule never saw, and for a missing column."""
    X = pd.DataFrame({"plan": ["x"] * 4 + ["y"] * 4})
    rule = RuleBaseline().fit(X, [1, 1, 1, 0, 0, 0, 0, 0], None, ["plan"])
    assert rule.predict(pd.DataFrame({"plan": ["new"]})).tolist() == pytest.approx([0.375])
    assert rule.predict(pd.DataFrame({"other": [1, 2]})).tolist() == pytest.approx([0.375, 0.375])


@pytest.mark.parametrize(
    "X,cat_features",
    [
        (pd.DataFrame({"plan": ["x"] * 4 + ["y"] * 4}), ["plan"]),
        (pd.DataFrame({"tenure_months": np.arange(1.0, 9.0)}), []),
        (pd.DataFrame({"monthly_value": [100.0, 200, 300, 400, 500, 600, 700, np.nan]}), []),
    ],
    ids=["segment", "tenure", "value-with-gap"],
)
def test_a_rule_survives_a_json_round_trip_with_the_same_scores(X, cat_features):
    rule = RuleBaseline().fit(X, [1, 1, 1, 0, 0, 0, 0, 1], None, cat_features)
    again = RuleBaseline.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert again.to_dict() == rule.to_dict()
    np.testing.assert_array_equal(again.predict(X), rule.predict(X))


# ---------------------------------------------------------------- logistic regression


def planted(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Seeded data where short tenure and the monthly plan raise churn; noise is unrelated."""
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(1, 48, n)
    plan = rng.choice(["monthly", "annual"], n)
    logit = 1.5 - 0.12 * tenure + np.where(plan == "monthly", 1.5, -1.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"tenure_months": tenure, "plan": plan, "noise": rng.normal(size=n)})
    X.loc[X.index[::17], "tenure_months"] = np.nan  # the imputer fills gaps
    return X, y


def test_logistic_finds_a_planted_effect_on_held_out_rows():
    X, y = planted()
    model = LogisticBaseline().fit(X.iloc[:300], y[:300], cat_features=["plan"])
    p = model.predict(X.iloc[300:])
    assert p.min() >= 0 and p.max() <= 1
    assert roc_auc_score(y[300:], p) > 0.8


def test_logistic_rows_above_the_cap_are_drawn_through_capped_rows(monkeypatch):
    """With a cap of 50, fitting on all 400 rows equals fitting on exactly capped_rows(400, 50, seed)."""
    X, y = planted()
    monkeypatch.setattr(baselines, "LOGISTIC_MAX_ROWS", 50)
    capped = LogisticBaseline(random_seed=3).fit(X, y, cat_features=["plan"])
    again = LogisticBaseline(random_seed=3).fit(X, y, cat_features=["plan"])
    other = LogisticBaseline(random_seed=4).fit(X, y, cat_features=["plan"])
    rows = capped_rows(len(X), 50, seed=3)
    by_hand = LogisticBaseline(random_seed=99).fit(X.iloc[rows], y[rows], cat_features=["plan"])
    np.testing.assert_array_equal(capped.predict(X), again.predict(X))
    np.testing.assert_allclose(capped.predict(X), by_hand.predict(X), rtol=0, atol=1e-12)
    assert not np.allclose(capped.predict(X), other.predict(X))
