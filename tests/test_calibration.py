"""Platt scaling on held-out probabilities (churn.model.calibration)."""

from __future__ import annotations

import numpy as np
import pytest

from churn.model.calibration import IDENTITY, apply, brier, calibrate, fit_platt, logit, parts_by_group


def _outcomes(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_p = 1 / (1 + np.exp(-rng.normal(-1.0, 1.2, n)))
    return true_p, (rng.random(n) < true_p).astype(int)


def test_platt_scaling_recovers_a_known_distortion():
    """Scores made overconfident by doubling the true log-odds and shifting them by +1 are mapped
    back by slope 1/2 and intercept −1/2: sigmoid(½ × (2z + 1) − ½) = sigmoid(z)."""
    true_p, y = _outcomes(20_000)
    distorted = apply(2 * logit(true_p) + 1)
    slope, intercept = fit_platt(y, distorted)
    assert slope == pytest.approx(0.5, abs=0.05)
    assert intercept == pytest.approx(-0.5, abs=0.08)


def test_off_scores_are_rescaled_and_good_ones_kept():
    true_p, y = _outcomes(8_000, seed=1)
    parts = parts_by_group(np.arange(len(y)), seed=0)
    off = calibrate(y, apply(2 * logit(true_p) + 1), parts)
    assert off["calibration"] != IDENTITY
    assert off["brier"] < off["brier_raw"]
    assert off["brier"] == pytest.approx(brier(y, true_p), abs=0.002)
    good = calibrate(y, true_p, parts)
    assert good["brier"] <= good["brier_raw"]


def test_scaling_never_changes_the_ranking_and_never_says_certain():
    raw = np.array([-30.0, -1.0, 0.0, 2.0, 40.0])
    p = apply(raw, (0.7, -0.2))
    assert (np.diff(p) > 0).all()
    assert p.min() > 0 and p.max() < 1


def test_parts_keep_a_customers_rows_together():
    groups = np.repeat(np.arange(100), 3)
    parts = parts_by_group(groups, n_parts=5, seed=0)
    assert sorted(np.concatenate(parts)) == list(range(300))
    for rows in parts:
        assert set(groups[rows]).isdisjoint(set(groups[np.setdiff1d(np.arange(300), rows)]))
