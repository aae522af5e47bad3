"""Model quality on plain tables: the no-signal verdict and probabilities that match what happens.

Settings by size and the corpus tables against their reference AUCs: bench/bench_corpus.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.model.churn_model import ChurnModel
from churn.model.verdict import recommendation_text


def _table(features: pd.DataFrame, churned: np.ndarray) -> Dataset:
    customers = pd.concat(
        [pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(churned))], "churned": churned}), features],
        axis=1,
    )
    categorical = [c for c in features if features[c].dtype == object]
    return Dataset(
        customers=customers,
        events=None,
        mapping=RoleMapping(customer_id="customer_id", churn_label="churned"),
        attributes=list(features.columns),
        categorical=categorical,
        leakage=[],
        as_of=None,
        churn_definition="label",
    )


def _known_world(n: int, seed: int) -> tuple[Dataset, np.ndarray]:
    """Churn probability sigmoid(−1.2 + 1.4·usage_drop − 0.9·satisfaction + 0.6·[plan = monthly])."""
    rng = np.random.default_rng(seed)
    drop, satisfaction = rng.normal(0, 1, n), rng.normal(0, 1, n)
    plan = rng.choice(["monthly", "annual"], n)
    true_p = 1 / (1 + np.exp(-(-1.2 + 1.4 * drop - 0.9 * satisfaction + 0.6 * (plan == "monthly"))))
    churned = (rng.random(n) < true_p).astype(int)
    frame = pd.DataFrame({"usage_drop": drop.round(3), "satisfaction": satisfaction.round(3), "plan": plan})
    return _table(frame, churned), true_p


def noise_dataset(n: int = 800, seed: int = 7) -> Dataset:
    """Two numbers and a region drawn independently of who left (a quarter of the customers)."""
    rng = np.random.default_rng(seed)
    noise = pd.DataFrame(
        {
            "a": rng.normal(size=n).round(3),
            "b": rng.uniform(0, 100, n).round(1),
            "region": rng.choice(["north", "south", "east", "west"], n),
        }
    )
    return _table(noise, (rng.random(n) < 0.25).astype(int))


def test_pure_noise_gets_the_no_signal_verdict_in_both_languages():
    model = ChurnModel(iterations=150).fit(noise_dataset())
    assert model.recommendation_["reason"] == "no_signal"
    assert model.recommendation_["model"] == "none"
    assert not model.has_signal
    assert model.metrics_["auc_low"] <= 0.5 or model.metrics_["auc"] < 0.7
    assert "Nothing in this data predicts" in recommendation_text(model, "en")
    assert "hendelseslogg" in recommendation_text(model, "nb")


@pytest.mark.slow
def test_held_out_and_scored_risks_match_known_probabilities_within_three_points_per_decile():
    """Deciles of predicted risk: the mean prediction and the mean true probability of the same
    customers differ by at most 0.03, on the held-out folds and for new customers of the same world."""
    data, true_p = _known_world(6000, seed=11)
    model = ChurnModel(iterations=150).fit(data)
    held_out = model.test_frame_.set_index("customer_id")
    truth = pd.Series(true_p, index=data.customers["customer_id"])
    frames = {"held out": pd.DataFrame({"p": held_out["catboost"], "true": truth.loc[held_out.index]})}
    fresh, fresh_p = _known_world(4000, seed=12)
    X = fresh.customers[list(fresh.attributes)]
    frames["new customers"] = pd.DataFrame({"p": model.predict_proba(X), "true": fresh_p})
    for name, frame in frames.items():
        deciles = pd.qcut(frame["p"].rank(method="first"), 10, labels=False)
        gaps = frame.groupby(deciles).mean().eval("p - true").abs()
        assert gaps.max() <= 0.03, (name, gaps.round(3).tolist())
    assert model.metrics_["brier"] < model.metrics_["brier_base"]
    assert model.recommendation_["reason"] != "no_signal"
