"""Golden tests for metrics, calibration, gains, profit and thresholds (baselines: test_baselines.py, tiers: test_tiers.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.assumptions import RETENTION_SUCCESS_RATE
from churn.core.errors import ScenarioError
from churn.model import evaluation

Y = [1, 0, 1, 0, 0]
P = [0.9, 0.8, 0.4, 0.3, 0.1]


def test_threshold_metrics_by_hand():
    """At 0.35: flagged 0.9 (tp), 0.8 (fp), 0.4 (tp); 0.3 and 0.1 are tn.

    accuracy = (2 + 2) / 5 = 0.8; precision = 2 / 3; recall = 2 / 2 = 1; fpr = 1 / 3.
    """
    m = evaluation.threshold_metrics(Y, P, 0.35)
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 0, 2)
    assert m["accuracy"] == pytest.approx(0.8)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(1.0)
    assert m["fpr"] == pytest.approx(1 / 3)


def test_auc_pr_auc_and_brier_by_hand():
    """Pairs (leaver, stayer): 0.9 beats all 3; 0.4 beats 0.3 and 0.1 but not 0.8 -> AUC = 5/6.

    PR-AUC (average precision): ranks 1 (p=1/1) and 3 (p=2/3) -> (1 + 2/3) / 2 = 5/6.
    Brier = (0.01 + 0.64 + 0.36 + 0.09 + 0.01) / 5 = 1.11 / 5 = 0.222.
    """
    m = evaluation.evaluate(Y, P, 0.5)
    assert m["auc"] == pytest.approx(5 / 6)
    assert m["pr_auc"] == pytest.approx(5 / 6)
    assert m["brier"] == pytest.approx(0.222)
    assert m["base_rate"] == pytest.approx(0.4)


def test_one_class_truth_gives_nan_auc_not_an_error():
    assert np.isnan(evaluation.evaluate([0, 0], [0.1, 0.2])["auc"])


def test_calibration_bands_by_hand():
    """Two bands of 2 and 3 rows (sorted by p): low band p=(0.1, 0.3) y=(0, 0); high (0.4, 0.8, 0.9) y=(1, 0, 1)."""
    table = evaluation.calibration_table(Y, P, bins=2)
    assert table["customers"].tolist() == [3, 2] or table["customers"].tolist() == [2, 3]
    low, high = table.iloc[0], table.iloc[-1]
    assert low["observed"] <= high["observed"]
    assert table["customers"].sum() == 5


def test_gains_table_by_hand():
    """Riskiest 40% (2 of 5: 0.9, 0.8) hold 1 of 2 leavers; 60% hold both."""
    table = evaluation.gains_table(Y, P, steps=5)
    assert table["share_of_churners"].round(2).tolist() == [0.0, 0.5, 0.5, 1.0, 1.0, 1.0]
    assert table.loc[1, "lift"] == pytest.approx(0.5 / 0.2)


def test_gains_sentence_in_both_languages():
    y = [1] * 4 + [0] * 36
    p = list(np.linspace(1, 0, 40))
    assert evaluation.gains_sentence(y, p, "en", 0.1, 90) == (
        "The riskiest 10% of customers hold 100% of those who left within 90 days."
    )
    assert "10" in evaluation.gains_sentence(y, p, "nb", 0.1, 90)


def test_profit_by_threshold_by_hand():
    """value 1000, cost 100, success 0.5: each reached leaver is worth 500.

    t=0.85: contact 0.9 (leaver)            -> 500 - 100 = 400
    t=0.35: contact 0.9, 0.8, 0.4 (2 leavers) -> 1000 - 300 = 700
    t=0.05: contact all five                 -> 1000 - 500 = 500
    """
    table = evaluation.profit_by_threshold(Y, P, 1000, 100, 0.5, thresholds=[0.85, 0.35, 0.05])
    assert table["contacted"].tolist() == [1, 3, 5]
    assert table["profit"].tolist() == [400.0, 700.0, 500.0]
    assert table["churners_reached"].tolist() == [1, 2, 2]


def test_profit_with_a_value_per_customer():
    """Leavers worth 2000 (p=0.9) and 100 (p=0.4); cost 50, success 1: t=0.85 -> 2000 - 50 = 1950."""
    value = [2000, 500, 100, 500, 500]
    table = evaluation.profit_by_threshold(Y, P, value, 50, 1.0, thresholds=[0.85])
    assert table["profit"].iloc[0] == pytest.approx(1950)


def test_best_threshold_is_the_middle_of_the_best_plateau():
    """Profit 700 holds for thresholds in (0.30, 0.40] = 0.31 … 0.40 on the 0.01 grid; middle is 0.36."""
    assert evaluation.best_threshold(Y, P, 1000, 100, 0.5) == pytest.approx(0.36)


@pytest.mark.parametrize("cost,success", [(-1, 0.5), (10, 1.5), (10, -0.1)])
def test_absurd_money_inputs_are_refused(cost, success):
    with pytest.raises(ScenarioError, match="money inputs"):
        evaluation.profit_by_threshold(Y, P, 1000, cost, success)


def test_default_money_rounds_friendly():
    """Mean monthly value 4031 -> 12 × 4031 = 48 372 -> 48 000; cost 5% = 2 400."""
    money = evaluation.default_money(pd.Series([4031.0]))
    assert money == {"value": 48000.0, "cost": 2400.0, "success_rate": RETENTION_SUCCESS_RATE}


def test_explanations_carry_the_numbers():
    m = evaluation.evaluate(Y, P, 0.35)
    en = evaluation.explain_metrics(m, "en", 90)
    nb = evaluation.explain_metrics(m, "nb", 90)
    assert "67" in en["precision"] and "90 days" in en["precision"]
    assert "67" in nb["precision"] and "90 dager" in nb["precision"]
    assert set(en) == set(evaluation.METRIC_NAMES)


# ------------------------------------------------------------ validation split


def _stacked(n_customers: int, cutoffs: list[str], seed: int = 0) -> tuple[pd.Series, pd.Series]:
    """Every customer at every monthly cutoff, with a seeded 0/1 label (about 30% ones)."""
    stamps = pd.to_datetime(cutoffs)
    ids = [f"C{i}" for i in range(n_customers)]
    index = pd.Index(ids * len(stamps), name="customer_id")
    rng = np.random.default_rng(seed)
    y = pd.Series((rng.random(len(index)) < 0.3).astype(int), index=index)
    return y, pd.Series(np.repeat(stamps, n_customers), index=index)


def test_out_of_time_split_leaves_a_full_horizon_between_training_labels_and_the_test():
    """Cutoffs on the 1st of Jan..Aug, horizon 90 days, few leavers -> the 3 latest (Jun, Jul, Aug)
    are the test; training may only use cutoffs on or before 2026-06-01 - 90 days = 2026-03-03,
    i.e. Jan, Feb, Mar; early stopping watches Mar, the latest of them."""
    y, cutoffs = _stacked(50, [f"2026-0{m}-01" for m in range(1, 9)])
    split = evaluation.validation_split(y, cutoffs, horizon_days=90, seed=0)
    assert split["validation"] == "out_of_time"
    assert split["test_cutoffs"] == ["2026-06-01", "2026-07-01", "2026-08-01"]
    stamps = cutoffs.to_numpy()
    assert set(pd.to_datetime(stamps[split["train_rows"]]).month) == {1, 2, 3}
    (fit, stop) = split["stopping"][0]
    assert set(pd.to_datetime(stamps[stop]).month) == {3}
    assert set(pd.to_datetime(stamps[fit]).month) == {1, 2}


def test_kfold_split_keeps_each_customer_on_one_side():
    y, _ = _stacked(60, ["2026-01-01", "2026-02-01"])
    split = evaluation.validation_split(y, None, horizon_days=90, seed=0)
    assert split["validation"] == "stratified_kfold"
    ids = y.index.to_numpy()
    for train_rows, test_rows in split["folds"]:
        assert not set(ids[train_rows]) & set(ids[test_rows])
