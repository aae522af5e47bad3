"""Golden tests for churn peaks by tenure month (churn/analysis/peaks.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from churn.analysis.peaks import detect_peaks, explain_peaks, peak_sentences


def _hand_hazard(churned: dict[int, int], months: int = 24, per_month: int = 10) -> pd.DataFrame:
    """24 tenure months, 1,000 customer-months each, 10 churners a month unless overridden."""
    counts = np.array([churned.get(k, per_month) for k in range(1, months + 1)])
    return pd.DataFrame(
        {
            "tenure_month": np.arange(1, months + 1),
            "at_risk": 1000,
            "churned": counts,
            "exposure": 1000.0,
            "hazard": counts / 1000.0,
        }
    )


def test_a_real_spike_is_found_and_a_noise_bump_is_not():
    """Typical risk = median hazard = 10/1000 = 1 %, so 10 churners are expected in each month.

    Month 6 has 40: P(X >= 40 | Poisson(10)) ≈ 3e-12, times 24 (Holm) is still ≈ 1e-10 → a peak,
    4.0× the typical risk. Month 15 has 16: P(X >= 16 | 10) ≈ 0.049, which would pass an
    uncorrected 5 % test but not after Holm's correction for 24 months (≥ 23 × 0.049 > 1) →
    not a peak, although it is the second-largest bar and 1.6× the typical risk.
    """
    flagged, peaks = detect_peaks(_hand_hazard({6: 40, 15: 16}))
    assert poisson.sf(15, 10) == pytest.approx(0.0487, abs=1e-3)
    assert list(flagged.loc[flagged["is_peak"], "tenure_month"]) == [6]
    assert flagged.loc[flagged["tenure_month"] == 15, "p_value"].iloc[0] < 0.05
    assert not flagged.loc[flagged["tenure_month"] == 15, "is_peak"].iloc[0]
    assert len(peaks) == 1
    peak = peaks.iloc[0]
    assert (peak.first_month, peak.last_month, peak.top_month) == (6, 6, 6)
    assert peak.ratio == pytest.approx(4.0)
    assert peak.baseline == pytest.approx(0.01)


def test_adjacent_peak_months_merge_into_one_peak():
    """Months 2 (50) and 3 (40) are both significant: one peak, months 2–3, top month 2 (5.0×),
    pooled ratio (50 + 40) / 2000 / 0.01 = 4.5. Month 12 (45) is a separate peak."""
    _, peaks = detect_peaks(_hand_hazard({2: 50, 3: 40, 12: 45}))
    assert peaks[["first_month", "last_month", "top_month"]].values.tolist() == [[2, 3, 2], [12, 12, 12]]
    assert peaks.loc[0, "ratio"] == pytest.approx(4.5)
    assert peaks.loc[0, "top_ratio"] == pytest.approx(5.0)


def test_months_with_little_exposure_are_not_tested():
    """A month with 5 customer-months and 3 churners (60 % risk) is too thin to call a peak."""
    hazard = _hand_hazard({})
    hazard.loc[23, ["exposure", "churned"]] = [5.0, 3]
    hazard["hazard"] = hazard["churned"] / hazard["exposure"]
    flagged, peaks = detect_peaks(hazard)
    assert not flagged.loc[23, "tested"] and peaks.empty


def _peaks(*runs):
    return pd.DataFrame(
        [{"first_month": a, "last_month": b, "top_month": a, "top_ratio": 3.0, "ratio": 3.0} for a, b in runs]
    )


def test_peak_reasons_and_sentences():
    """A discount end 12 months after signup explains a month-12 peak; early peaks are onboarding;
    month 24 without a date column is the two-year mark; month 7 has no stock explanation."""
    start = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    customers = pd.DataFrame(
        {
            "start_date": start,
            "discount_end_date": start + pd.DateOffset(months=12),
            "churned": [0, 0, 0],
            "tenure_months": [1.0, 1.0, 1.0],
        }
    )
    explained = explain_peaks(_peaks((2, 3), (12, 12), (7, 7), (24, 24)), customers)
    assert list(explained["reason"]) == ["onboarding", "period_end", "", "anniversary"]
    assert explained.loc[1, "reason_column"] == "discount_end_date"
    en = peak_sentences(explained, "en")
    assert en[0] == (
        "Churn peaks in months 2–3 after signup, highest in month 2: 3.0× the typical monthly risk"
        " — around the end of onboarding."
    )
    assert "discount_end_date" in en[1] and "12 months" in en[1]
    assert en[2] == "Churn peaks in month 7 after signup: 3.0× the typical monthly risk."
    assert "2-year" in en[3]
    nb = peak_sentences(explained, "nb")
    assert (
        nb[0].startswith("Kundeavgangen topper seg i månedene 2–3 etter oppstart") and "3,0 ganger" in nb[0]
    )
    assert "oppstartsfasen" in nb[0]
