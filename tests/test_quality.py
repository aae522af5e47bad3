"""Data-quality checks: seed 004's thresholds, duplicates, constant columns and leakage suspects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.ingest.intake import build_dataset
from churn.ingest.quality import (
    FAIL,
    PASS,
    WARN,
    Check,
    history_months,
    leakage_reasons,
    missing_share,
    profile,
    quality_checks,
    verdict,
)


def _dataset(n: int = 200, churned: int = 40, months: int = 24, extra: dict | None = None) -> Dataset:
    """n customers starting evenly over ``months`` months; ``churned`` of them, spread out, leave after 30 days."""
    start = pd.Timestamp("2022-01-01")
    as_of = start + pd.DateOffset(months=months)
    starts = pd.Series(pd.date_range(start, as_of, periods=n))  # the last start pins as_of
    ends = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    lost = np.arange(n)[:: max(1, n // max(churned, 1))][:churned]  # spread over signup dates
    ends[lost] = starts[lost] + pd.Timedelta(days=30)
    frame = pd.DataFrame(
        {
            "id": [f"C{i}" for i in range(n)],
            "start": starts,
            "end": ends,
            "segment": np.where(np.arange(n) % 2 == 0, "A", "B"),
            **(extra or {}),
        }
    )
    return build_dataset(frame, None, RoleMapping(customer_id="id", start_date="start", end_date="end"))


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_a_healthy_dataset_passes():
    checks = _by_name(quality_checks(_dataset()))
    assert {name: c.status for name, c in checks.items()} == {
        "history": PASS,
        "missing": PASS,
        "customers": PASS,
        "churned": PASS,
        "duplicates": PASS,
        "constant": PASS,
        "leakage": PASS,
    }


@pytest.mark.parametrize(
    "kwargs,name,status",
    [
        ({"months": 12}, "history", WARN),
        ({"n": 60, "churned": 10}, "customers", WARN),
        ({"churned": 5}, "churned", WARN),
        ({"churned": 0}, "churned", FAIL),
    ],
)
def test_seed_004_thresholds(kwargs, name, status):
    assert _by_name(quality_checks(_dataset(**kwargs)))[name].status == status


def test_history_months_golden():
    """2022-01-01 -> 2024-01-01 = 730 days / 30.4375 = 23.98 months."""
    assert history_months(_dataset(months=24, churned=0)) == pytest.approx(730 / 30.4375)


def test_missing_share_golden_and_limits():
    """Columns checked: start date, tenure, segment, score (half empty): (0 + 0 + 0 + 0.5) / 4 = 0.125 -> pass.

    Two more columns 90 % empty: (0 + 0 + 0 + 0.5 + 0.9 + 0.9) / 6 = 0.3833 -> warn (>= 0.20, < 0.50).
    """
    half = np.where(np.arange(200) % 2 == 1, 1.0, np.nan)
    data = _dataset(extra={"score": half})
    assert missing_share(data) == pytest.approx(0.5 / 4)
    assert _by_name(quality_checks(data))["missing"].status == PASS
    sparse = np.where(np.arange(200) % 10 == 1, 1.0, np.nan)  # not aligned with the churners
    worse = _dataset(extra={"score": half, "x": sparse, "y": sparse})
    assert missing_share(worse) == pytest.approx((0.5 + 0.9 + 0.9) / 6)
    check = _by_name(quality_checks(worse))["missing"]
    assert check.status == WARN and "'x'" in check.message


def test_constant_columns_are_named():
    check = _by_name(quality_checks(_dataset(extra={"country": "NO"})))["constant"]
    assert check.status == WARN and "'country'" in check.message


def test_leakage_suspects_and_message():
    n, churned = 200, 40
    lost = np.zeros(n, dtype=bool)
    lost[np.arange(n)[:: n // churned][:churned]] = True
    reason = np.where(lost, "price", None)
    data = _dataset(extra={"churn_reason": reason, "flag": lost.astype(float)})
    assert leakage_reasons(data.customers, data.attributes) == {
        "churn_reason": "only_filled",
        "flag": "predicts",
    }
    assert data.leakage == ["churn_reason", "flag"]
    assert data.model_attributes == ["segment"]
    check = _by_name(quality_checks(data))["leakage"]
    assert check.status == WARN and "excluded from modelling by default" in check.message


def test_dates_after_the_churn_date_are_suspects_but_planned_dates_are_not():
    base = _dataset()
    end = base.customers["end_date"]
    start = base.customers["start_date"]
    final_invoice = (end + pd.Timedelta(days=20)).where(end.notna(), start + pd.Timedelta(days=10))
    discount_end = start + pd.Timedelta(days=365)  # planned: in the future for recent customers
    data = _dataset(
        extra={"final_invoice": final_invoice.to_numpy(), "discount_end": discount_end.to_numpy()}
    )
    reasons = leakage_reasons(data.customers, data.attributes)
    assert reasons.get("final_invoice") == "after_end"
    assert "discount_end" not in reasons


def test_events_left_out_and_duplicates_are_reported():
    customers = pd.DataFrame({"id": ["a", "b"], "churn": ["Ja", "Nei"], "plan": ["x", "y"]})
    events = pd.DataFrame(
        {
            "id": ["a", "a", "a", "zz"],
            "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"]),
            "type": ["Ordre", "Ordre", "Ordre", "Ordre"],
        }
    )
    mapping = RoleMapping(
        customer_id="id", churn_label="churn", event_customer_id="id", event_timestamp="ts", event_type="type"
    )
    data = build_dataset(customers, events, mapping)
    checks = _by_name(quality_checks(data, customers, events))
    assert checks["events"].status == WARN and checks["events"].message.startswith("1 of 4 events")
    assert checks["duplicates"].status == WARN and "1 events appear twice" in checks["duplicates"].message


def test_messages_are_localised():
    en = _by_name(quality_checks(_dataset(months=12), lang="en"))["history"].message
    nb = _by_name(quality_checks(_dataset(months=12), lang="nb"))["history"].message
    assert "months of history" in en and "måneder med historikk" in nb


def test_verdict_is_the_worst_status():
    assert verdict([Check("a", PASS, ""), Check("b", WARN, "")]) == WARN
    assert verdict([Check("a", FAIL, ""), Check("b", WARN, "")]) == FAIL
    assert verdict([Check("a", PASS, "")]) == PASS


def test_profile_of_the_sample(sample_dataset):
    result = profile(sample_dataset)
    assert result["customers"] == len(sample_dataset.customers)
    assert result["churn_rate"] == pytest.approx(result["churned"] / result["customers"], abs=1e-4)
    assert result["history_months"] >= 30
    assert result["roles"]["end_date"] == "cancel_date"
    assert result["leakage"] == ["churn_reason"]
    assert {c["name"] for c in result["checks"]} >= {"history", "missing", "customers", "churned", "leakage"}
    assert result["verdict"] == WARN  # the churn_reason leakage trap is flagged
