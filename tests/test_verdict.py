"""Which score to use (churn.model.verdict): table-driven on hand-made judgements."""

from __future__ import annotations

import pytest

from churn.model.verdict import recommend


def _baselines(rule: float, logistic: float, gain_low: float = 0.05) -> dict:
    return {"rule": {"auc": rule, "gain_low": gain_low}, "logistic": {"auc": logistic, "gain_low": gain_low}}


@pytest.mark.parametrize(
    "metrics,baselines,size,reason,why",
    [
        # interval reaches 0.5: nothing to learn, whatever the baselines do
        (
            {"auc": 0.56, "auc_low": 0.49, "auc_high": 0.63},
            _baselines(0.50, 0.52),
            (800, 200),
            "no_signal",
            "chance",
        ),
        # 0.58 vs a rule at 0.64, paired gain interval below 0, both under 0.7: too weak to act on
        (
            {"auc": 0.58, "auc_low": 0.52, "auc_high": 0.65},
            _baselines(0.64, 0.58, -0.1),
            (10_000, 499),
            "no_signal",
            "weak",
        ),
        # a strong rule the model only matches: use the rule (the data has signal)
        (
            {"auc": 0.80, "auc_low": 0.77, "auc_high": 0.83},
            _baselines(0.795, 0.70, -0.01),
            (5000, 900),
            "baseline_wins",
            None,
        ),
        # gain 0.004 < 0.01 even with its interval above 0: the simpler score is as good
        (
            {"auc": 0.849, "auc_low": 0.84, "auc_high": 0.858},
            _baselines(0.74, 0.845, 0.001),
            (7043, 1869),
            "baseline_wins",
            None,
        ),
        (
            {"auc": 0.92, "auc_low": 0.90, "auc_high": 0.94},
            _baselines(0.61, 0.81),
            (3333, 483),
            "beats_baselines",
            None,
        ),
        (
            {"auc": 0.92, "auc_low": 0.90, "auc_high": 0.94},
            _baselines(0.61, 0.81),
            (90, 30),
            "small_data",
            None,
        ),
    ],
)
def test_the_verdict_by_hand(metrics, baselines, size, reason, why):
    verdict = recommend(metrics, baselines, *size)
    assert verdict["reason"] == reason
    assert verdict.get("why") == why
    if reason == "no_signal":
        assert verdict["model"] == "none"
    if reason == "baseline_wins":
        assert verdict["model"] == max(baselines, key=lambda k: baselines[k]["auc"])
