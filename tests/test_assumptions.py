"""The published retention success rate: one share, used by the model's money defaults and the ROI page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from churn.core.assumptions import RETENTION_SUCCESS_RATE
from churn.model.evaluation import default_money
from churn.value.roi import churn_with_programme

ROOT = Path(__file__).resolve().parent.parent


def test_the_success_rate_is_a_share_strictly_between_0_and_1():
    assert 0 < RETENTION_SUCCESS_RATE < 1


@pytest.mark.parametrize("monthly_values", [None, [], [1000.0, 2000.0], [50.0]])
def test_the_model_money_defaults_start_from_the_published_rate(monthly_values):
    """Whatever the customers are worth, the success rate default is the published one."""
    assert default_money(monthly_values)["success_rate"] == RETENTION_SUCCESS_RATE


def test_the_roi_page_uses_the_constant_not_a_copy_of_its_value():
    """pages/roi.py imports RETENTION_SUCCESS_RATE, uses it, and holds no literal 0.67 or 67."""
    tree = ast.parse((ROOT / "pages" / "roi.py").read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in ("churn.core.assumptions", "churn.core")
        for alias in node.names
    }
    assert "RETENTION_SUCCESS_RATE" in imported
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "RETENTION_SUCCESS_RATE"]
    assert uses, "the page imports the rate but never uses it"
    literals = {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, int | float)
    }
    assert not literals & {RETENTION_SUCCESS_RATE, round(RETENTION_SUCCESS_RATE * 100)}


@pytest.mark.parametrize(
    "churn_rate,recall,expected",
    [
        (0.08, 0.6, 0.04784),  # 0.08 × (1 − 0.6 × 0.67) = 0.08 × 0.598 = 0.04784
        (0.08, 1.0, 0.0264),  # 0.08 × (1 − 0.67) = 0.08 × 0.33 = 0.0264
        (0.08, 0.0, 0.08),  # a model that flags nobody changes nothing
        (0.20, 0.5, 0.133),  # 0.20 × (1 − 0.5 × 0.67) = 0.20 × 0.665 = 0.133
    ],
)
def test_expected_churn_with_a_programme_at_the_published_rate(churn_rate, recall, expected):
    """Golden: churn falls by recall × 0.67 (8 % churn, recall 0.6 → about 4.8 %)."""
    assert churn_with_programme(churn_rate, recall, RETENTION_SUCCESS_RATE) == pytest.approx(
        expected, abs=1e-12
    )
