"""Fold AUCs, bootstrap intervals and paired gains (churn.model.intervals)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from churn.model.intervals import draw_weights, fold_aucs, judge_scores, weighted_auc


def test_weighted_auc_counts_pairs_and_ties_by_hand():
    """Leavers score 0.35 and 0.8, stayers 0.1 and 0.4: of the 4 leaver-stayer pairs the leaver
    ranks higher in 3 (0.35 > 0.1, 0.8 > 0.1, 0.8 > 0.4), so AUC = 3/4. A tie counts half:
    with scores 0.4 and 0.4 for a leaver and a stayer the pair gives 0.5."""
    assert weighted_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])[0] == pytest.approx(0.75)
    assert weighted_auc([0, 1], [0.4, 0.4])[0] == pytest.approx(0.5)


def test_weighted_auc_matches_scikit_learn_with_weights_and_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.round(rng.random(500) + 0.3 * y, 1)  # rounded: many ties
    w = rng.integers(0, 4, 500)
    assert weighted_auc(y, p, w)[0] == pytest.approx(roc_auc_score(y, p, sample_weight=w))
    assert np.isnan(weighted_auc([1, 1], [0.2, 0.3])[0])


def test_a_draw_keeps_every_row_of_a_customer_together():
    weights = draw_weights(["a", "a", "b", "c", "c"], draws=50, seed=1)
    assert weights.shape == (50, 5)
    assert (weights[:, 0] == weights[:, 1]).all() and (weights[:, 3] == weights[:, 4]).all()
    assert (weights[:, [0, 2, 3]].sum(axis=1) == 3).all()  # three customers drawn per draw


def test_the_model_auc_is_the_mean_over_folds_with_an_interval_and_paired_gains():
    rng = np.random.default_rng(2)
    n = 2000
    y = rng.integers(0, 2, n)
    strong = y + rng.normal(0, 1.0, n)
    weak = y + rng.normal(0, 3.0, n)
    folds = np.array_split(rng.permutation(n), 4)
    judged = judge_scores(y, {"model": strong, "weak": weak, "same": strong}, folds, np.arange(n))
    model = judged["model"]
    assert model["folds"] == pytest.approx(fold_aucs(y, strong, folds))
    assert model["auc"] == pytest.approx(np.mean(model["folds"]))
    assert model["low"] < model["auc"] < model["high"]
    gain = judged["gain_over_weak"]
    assert gain["low"] > 0  # clearly better, on the same draws
    same = judged["gain_over_same"]
    assert same["gain"] == same["low"] == same["high"] == 0  # paired: a score against itself gains exactly 0
