"""Golden tests for churn.analysis.survival: Kaplan–Meier, censoring, log-rank, hazard and peak detection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.analysis import survival, timing
from churn.analysis.peaks import detect_peaks, explain_peaks
from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError
from churn.ingest import intake


def _tenure_table(durations, events, **columns) -> pd.DataFrame:
    """A tenure-only customer table (no dates), as a Telco-style export gives."""
    n = len(durations)
    return pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(n)], "tenure_months": durations, "churned": events, **columns}
    )


def test_kaplan_meier_points_by_hand():
    """Tenures 1 (churned), 2 (still a customer), 3 (churned), 4 (still a customer).

    S(1) = 1 - 1/4 = 0.75; at 2 nobody churns (one is censored) → 0.75;
    at 3 two are at risk, one churns → 0.75 · (1 - 1/2) = 0.375; S(4) = 0.375.
    Median: first time S <= 0.5 → 3 months.
    """
    frame = _tenure_table([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 0])
    curve = survival.km_curves(frame, step=0.5).set_index("months")
    np.testing.assert_allclose(
        curve.loc[[0.0, 1.0, 1.5, 2.0, 3.0, 4.0], "survival"], [1, 0.75, 0.75, 0.75, 0.375, 0.375]
    )
    assert (curve["lower"] <= curve["survival"] + 1e-12).all() and (
        curve["survival"] <= curve["upper"] + 1e-12
    ).all()
    assert list(curve.loc[[0.0, 1.0, 2.0, 3.0, 4.0], "at_risk"]) == [4, 4, 3, 2, 1]
    medians = survival.median_lifetimes(frame)
    assert medians.loc[0, "median_months"] == pytest.approx(3.0)


def test_censored_customers_are_not_counted_as_churned():
    """Naive counting would be wrong here.

    Ten customers: 2 churned at month 1, the 8 others are current customers who joined 0.5 months
    ago (censored at 0.5). Naive "share churned by month 1" = 2/10 → 80 % still here.
    Kaplan–Meier: at month 1 only the 2 churners are still observed, both churn → S(1) = 0.
    The 8 recent customers say nothing about month 1, so they must not inflate survival;
    and they must not count as churned either: S(0.5) = 1.
    """
    frame = _tenure_table([1.0, 1.0] + [0.5] * 8, [1, 1] + [0] * 8)
    curve = survival.km_curves(frame, step=0.5).set_index("months")
    assert curve.loc[0.5, "survival"] == pytest.approx(1.0)
    assert curve.loc[1.0, "survival"] == pytest.approx(0.0)
    naive = 1 - frame["churned"].mean()
    assert naive == pytest.approx(0.8)  # what a simple count would (wrongly) report


def test_monthly_hazard_by_hand():
    """Tenures 0.5 (churned), 1.5 (censored), 2.0 (churned), 3.0 (censored), 2.5 (churned).

    Month k covers (k-1, k]. Exposure = customer-months lived in the month:
      month 1: 0.5 + 1 + 1 + 1 + 1 = 4.5, churned: the 0.5 one → 1/4.5
      month 2: 0.5 + 1 + 1 + 1 = 3.5, churned: the 2.0 one → 1/3.5
      month 3: 1 (3.0) + 0.5 (2.5) = 1.5, churned: the 2.5 one → 1/1.5
    At risk (entering the month): 5, 4, 2.
    """
    frame = _tenure_table([0.5, 1.5, 2.0, 3.0, 2.5], [1, 0, 1, 0, 1])
    hazard = survival.monthly_hazard(frame)
    assert list(hazard["tenure_month"]) == [1, 2, 3]
    assert list(hazard["at_risk"]) == [5, 4, 2]
    assert list(hazard["churned"]) == [1, 1, 1]
    np.testing.assert_allclose(hazard["exposure"], [4.5, 3.5, 1.5])
    np.testing.assert_allclose(hazard["hazard"], [1 / 4.5, 1 / 3.5, 1 / 1.5])


def test_logrank_separates_different_groups():
    """Group A churns in months 1–3, group B survives 10+ months: the log-rank test must say they differ;
    two identical groups must not."""
    durations = [1.0, 2.0, 3.0, 1.5, 2.5, 12.0, 11.0, 10.0, 14.0, 13.0]
    frame = _tenure_table(durations, [1, 1, 1, 1, 1, 0, 1, 0, 0, 0], contract=list("AAAAABBBBB"))
    result = survival.logrank(frame, "contract")
    assert result["significant"] and result["groups"] == 2 and result["degrees_of_freedom"] == 1
    same = _tenure_table(durations[:5] * 2, [1] * 10, contract=list("AAAAABBBBB"))
    assert survival.logrank(same, "contract")["p_value"] == pytest.approx(1.0)
    sentence = survival.logrank_sentence(result, "contract", "en")
    assert sentence.startswith("The groups of 'contract' really differ") and "p " in sentence


def test_segment_groups_pool_small_values_and_medians_per_group():
    frame = _tenure_table([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1, 1, 1, 0, 0, 0], plan=list("aaabbc"))
    labels = survival.segment_labels(frame, "plan", max_groups=2)
    assert list(labels) == ["a", "a", "a", "b", "b", survival.OTHER]
    medians = survival.median_lifetimes(frame, "plan").set_index("group")
    assert medians.loc["a", "median_months"] == pytest.approx(2.0)  # S(1)=2/3, S(2)=1/3
    assert np.isnan(medians.loc["b", "median_months"])  # nobody left: not reached


def test_errors_name_the_column():
    frame = _tenure_table([1.0, 2.0], [1, 0], plan=["a", "a"])
    with pytest.raises(SchemaError, match="'plan' has only one value"):
        survival.logrank(frame, "plan")
    with pytest.raises(SchemaError, match="'region'"):
        survival.km_curves(frame, "region")
    # a missing canonical column is named in words, never by its internal name
    with pytest.raises(SchemaError, match="'Months as a customer' is missing"):
        survival.monthly_hazard(frame.drop(columns="tenure_months"))


def test_sample_peaks_and_segment_differences(sample_dataset):
    """The generator plants peaks at months 2–3 (onboarding) and 12 (discount / contract end), and
    contract types with clearly different churn: all must be found."""
    flagged, peaks = detect_peaks(survival.monthly_hazard(sample_dataset))
    peak_months = set(flagged.loc[flagged["is_peak"], "tenure_month"])
    assert {2, 3, 12} <= peak_months
    assert not peak_months & {6, 7, 8, 9}
    explained = explain_peaks(peaks, sample_dataset)
    reasons = dict(zip(explained["top_month"], explained["reason"], strict=True))
    assert reasons[2] == "onboarding"
    assert reasons[12] in ("period_end", "anniversary")
    contract = next(c for c in sample_dataset.attributes if "contract" in c.lower())
    assert survival.logrank(sample_dataset, contract)["p_value"] < 0.001


def _event_log_dataset():
    """An event log without cancel dates; as of 2025-06-30 (the latest event).

    A: orders 2025-01-01 and 2025-02-01 (last event 149 days before as-of)
    B: orders 2025-01-01 and 2025-05-15 (46 days before)
    C: orders 2025-03-01 and 2025-06-10 (20 days before)
    Z: orders 2025-01-01 and 2025-06-30 (0 days before)
    """
    rows = [
        ("A", "2025-01-01"),
        ("A", "2025-02-01"),
        ("B", "2025-01-01"),
        ("B", "2025-05-15"),
        ("C", "2025-03-01"),
        ("C", "2025-06-10"),
        ("Z", "2025-01-01"),
        ("Z", "2025-06-30"),
    ]
    raw = pd.DataFrame(rows, columns=["kunde", "dato"]).assign(type="ordre", belop=100.0)
    raw["dato"] = pd.to_datetime(raw["dato"])
    mapping = RoleMapping(
        event_customer_id="kunde",
        event_timestamp="dato",
        event_type="type",
        event_amount="belop",
        event_type_map={"ordre": "order"},
        inactivity_days=30,
    )
    return intake.build_dataset(None, raw, mapping, name="events")


def test_inactivity_churn_censors_customers_inside_the_window():
    """With a 60-day window only A (149 days quiet) has churned; B (46 days quiet) is still inside
    the window and must count as a customer observed up to as-of, not as churned and not as ending
    at its last order. Naive "no order in the last 30 days = gone" would call A and B churned.

    Tenures (days / 30.4375): A churned at 31 d = 1.02 months; B censored at 180 d = 5.91 months.
    Kaplan–Meier: one churn among 4 at risk at 1.02 months → S = 3/4 from then on, also at 5 months.
    Monthly hazard: A's churn falls in tenure month 2. Calendar months: churn is only knowable up to
    2025-05-01 (as-of minus 60 days), so May and June are provisional, April is complete.
    """
    naive = intake.with_inactivity(_event_log_dataset(), 30).customers.set_index("customer_id")
    assert set(naive.index[naive["churned"] == 1]) == {"A", "B"}

    data = intake.with_inactivity(_event_log_dataset(), 60)
    customers = data.customers.set_index("customer_id")
    assert set(customers.index[customers["churned"] == 1]) == {"A"}
    assert customers.loc["B", "tenure_months"] == pytest.approx(180 / 30.4375)
    curve = survival.km_curves(data, step=0.5).set_index("months")
    assert curve.loc[0.5, "survival"] == pytest.approx(1.0)
    assert curve.loc[5.0, "survival"] == pytest.approx(0.75)
    hazard = survival.monthly_hazard(data).set_index("tenure_month")
    assert hazard["churned"].to_dict()[2] == 1 and hazard["churned"].sum() == 1
    complete = timing.monthly_churn(data).set_index("month")["complete"]
    assert complete[pd.Timestamp("2025-04-01")]
    assert not complete[pd.Timestamp("2025-05-01")] and not complete[pd.Timestamp("2025-06-01")]
