"""Golden tests for churn.analysis.timing: monthly churn rate, CRR, revenue churn, cohorts, filters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.analysis import timing
from churn.core.dataset import (
    CHURN_FROM_END_DATE,
    CHURN_FROM_INACTIVITY,
    DAYS_PER_MONTH,
    Dataset,
    RoleMapping,
)
from churn.core.errors import SchemaError

AS_OF = pd.Timestamp("2025-03-31")


def _customers() -> pd.DataFrame:
    """Eight customers over Nov 2024 – Mar 2025 (as of 2025-03-31).

    ====  ==========  ==========  =====
    id    start       end         value
    ====  ==========  ==========  =====
    H     2024-11-30  –           100
    A     2024-12-15  –           200
    B     2024-12-20  2025-01-10   50
    C     2024-12-01  2025-02-01  300   (leaves on the first day of February)
    G     2024-12-10  2025-03-15  150
    D     2025-01-05  2025-01-25   10   (new and lost in the same month)
    E     2025-01-31  –            40
    F     2025-02-01  –            60   (starts on the first day: new in February)
    ====  ==========  ==========  =====
    """
    rows = [
        ("H", "2024-11-30", None, 100),
        ("A", "2024-12-15", None, 200),
        ("B", "2024-12-20", "2025-01-10", 50),
        ("C", "2024-12-01", "2025-02-01", 300),
        ("G", "2024-12-10", "2025-03-15", 150),
        ("D", "2025-01-05", "2025-01-25", 10),
        ("E", "2025-01-31", None, 40),
        ("F", "2025-02-01", None, 60),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "start_date", "end_date", "monthly_value"])
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    frame["churned"] = frame["end_date"].notna().astype(int)
    frame["tenure_months"] = (frame["end_date"].fillna(AS_OF) - frame["start_date"]).dt.days / DAYS_PER_MONTH
    frame["monthly_value"] = frame["monthly_value"].astype(float)
    frame["plan"] = ["Basis", "Pro", "Basis", "Pro", "Basis", "Pro", "Basis", "Pro"]
    return frame


def _dataset(
    frame: pd.DataFrame | None = None, definition: str = CHURN_FROM_END_DATE, days: int | None = None
):
    return Dataset(
        customers=_customers() if frame is None else frame,
        events=None,
        mapping=RoleMapping(segments=("plan",), inactivity_days=days),
        attributes=["plan"],
        categorical=["plan"],
        leakage=[],
        as_of=AS_OF,
        churn_definition=definition,
        name="golden",
    )


def test_monthly_churn_golden():
    """Counts, churn rate and CRR by hand.

    Nov: S=0 (H signs up Nov 30) → rate undefined.
    Dec: S=1 (H), N=4 (A, B, C, G), lost 0, E=5; rate 0/1 = 0; CRR (5-4)/1·100 = 100.
    Jan: S=5 (H A B C G), N=2 (D, E), lost B, D new-and-lost → E = 5+2-1-1 = 5;
         rate 1/5 = 0.20; CRR (5-2)/5·100 = 60 (CRR also charges D, who came and went).
    Feb: S=5 (H A C G E), N=1 (F), lost C (leaves Feb 1) → E=5; rate 1/5; CRR (5-1)/5·100 = 80.
    Mar: S=5 (H A G E F), N=0, lost G → E=4; rate 1/5; CRR (4-0)/5·100 = 80.
    """
    monthly = timing.monthly_churn(_dataset()).set_index("month")
    expected = {
        "2024-11-01": (0, 1, 0, 0, 1, np.nan, np.nan),
        "2024-12-01": (1, 4, 0, 0, 5, 0.0, 100.0),
        "2025-01-01": (5, 2, 1, 1, 5, 0.2, 60.0),
        "2025-02-01": (5, 1, 1, 0, 5, 0.2, 80.0),
        "2025-03-01": (5, 0, 1, 0, 4, 0.2, 80.0),
    }
    assert list(monthly.index) == [pd.Timestamp(m) for m in expected]
    for month, (s, n, lost, lost_new, e, rate, crr) in expected.items():
        row = monthly.loc[pd.Timestamp(month)]
        assert (
            row.start_customers,
            row.new_customers,
            row.lost_customers,
            row.lost_new,
            row.end_customers,
        ) == (
            s,
            n,
            lost,
            lost_new,
            e,
        )
        np.testing.assert_allclose([row.churn_rate, row.crr], [rate, crr], atol=1e-12)
    assert monthly["complete"].all()


def test_seed_003_example():
    """Seed 003: 100 customers at the start of the month, 10 cancel → churn 10 %, CRR (90-0)/100·100 = 90."""
    start = pd.Timestamp("2024-12-15")
    ends = [pd.Timestamp("2025-01-20")] * 10 + [pd.NaT] * 90
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(100)],
            "start_date": start,
            "end_date": ends,
            "churned": [1] * 10 + [0] * 90,
            "tenure_months": 1.0,
        }
    )
    jan = timing.monthly_churn(frame, as_of="2025-01-31").set_index("month").loc[pd.Timestamp("2025-01-01")]
    assert jan.start_customers == 100 and jan.lost_customers == 10
    assert jan.churn_rate == pytest.approx(0.10)
    assert jan.crr == pytest.approx(90.0)


def test_revenue_churn_golden():
    """Lost monthly value / monthly value at the start of the month.

    Jan: start value H100 + A200 + B50 + C300 + G150 = 800, lost B 50 → 0.0625.
    Feb: start H100 + A200 + C300 + G150 + E40 = 790, lost C 300 → 300/790.
    Mar: start H100 + A200 + G150 + E40 + F60 = 550, lost G 150 → 150/550.
    """
    monthly = timing.monthly_churn(_dataset()).set_index("month")
    got = monthly.loc[pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]), "revenue_churn"]
    np.testing.assert_allclose(got.to_numpy(), [50 / 800, 300 / 790, 150 / 550], rtol=1e-12)


def test_revenue_churn_is_missing_without_values():
    frame = _customers().drop(columns="monthly_value")
    assert timing.monthly_churn(frame, as_of=AS_OF)["revenue_churn"].isna().all()


def test_inactivity_months_inside_the_window_are_provisional():
    """Inactivity churn with a 60-day window, as of 2025-03-31: churn is known up to 2025-01-30.

    December (last day Dec 31) is complete; January (Jan 31 > Jan 30), February and March are
    provisional, so the trend and 12-month average must ignore them.
    """
    data = _dataset(definition=CHURN_FROM_INACTIVITY, days=60)
    monthly = timing.monthly_churn(data).set_index("month")
    assert monthly["complete"].to_dict() == {
        pd.Timestamp("2024-11-01"): True,
        pd.Timestamp("2024-12-01"): True,
        pd.Timestamp("2025-01-01"): False,
        pd.Timestamp("2025-02-01"): False,
        pd.Timestamp("2025-03-01"): False,
    }
    trend = timing.churn_trend(monthly.reset_index())
    assert trend["recent_months"] == 1 and trend["recent_average"] == pytest.approx(0.0)


def test_trend_and_recent_average():
    """Rates 0.01, 0.02, ..., 0.15 over 15 months: slope 0.01/month, last-12 mean (0.04+...+0.15)/12 = 0.095."""
    months = pd.date_range("2024-01-01", periods=15, freq="MS")
    monthly = pd.DataFrame(
        {
            "month": months,
            "churn_rate": np.arange(1, 16) / 100,
            "crr": 100 - np.arange(1, 16),
            "revenue_churn": np.nan,
            "complete": True,
        }
    )
    trend = timing.churn_trend(monthly)
    assert trend["recent_average"] == pytest.approx(0.095)
    assert trend["slope_per_month"] == pytest.approx(0.01)
    assert trend["recent_crr"] == pytest.approx(100 - 9.5)
    np.testing.assert_allclose(timing.with_trend(monthly)["trend"], monthly["churn_rate"], atol=1e-12)


def test_cohort_retention_golden():
    """Share of each signup cohort still a customer k months after signup (as of 2025-03-31).

    Dec 2024 cohort (A, B, C, G): observed floor((Mar 31 - Dec 31) = 90 d / 30.4375) = 2 months.
      tenures: A active, B 21 d = 0.69 m, C 62 d = 2.04 m, G 95 d = 3.12 m.
      k=0: 4/4; k=1: A, C, G = 3/4; k=2: A, C (2.04 > 2), G = 3/4.
      value: 700 in total; k=1 keeps 200 + 300 + 150 = 650 → 650/700.
    Jan 2025 cohort (D, E): observed floor(59 d / 30.4375) = 1; D left after 20 d = 0.66 m:
      k=0: 2/2; k=1: 1/2.
    Feb 2025 cohort (F): observed floor(31 / 30.4375) = 1 → k=0,1 both 1/1. Nov (H): k=0..3, all 1.
    """
    cohorts = timing.cohort_retention(_dataset())
    matrix = timing.retention_matrix(cohorts)
    dec, jan, feb, nov = (pd.Timestamp(d) for d in ("2024-12-01", "2025-01-01", "2025-02-01", "2024-11-01"))
    np.testing.assert_allclose(matrix.loc[dec, [0, 1, 2]], [1.0, 0.75, 0.75])
    assert pd.isna(matrix.loc[dec, 3])  # not yet observed for the whole cohort
    np.testing.assert_allclose(matrix.loc[jan, [0, 1]], [1.0, 0.5])
    np.testing.assert_allclose(matrix.loc[feb, [0, 1]], [1.0, 1.0])
    np.testing.assert_allclose(matrix.loc[nov, [0, 1, 2, 3]], 1.0)
    revenue = timing.retention_matrix(cohorts, "revenue_retention")
    assert revenue.loc[dec, 1] == pytest.approx(650 / 700)
    cell = cohorts[(cohorts["cohort"] == dec) & (cohorts["months_since_signup"] == 1)].iloc[0]
    assert (cell.cohort_size, cell.retained) == (4, 3)


def test_functions_do_not_change_their_input():
    data = _dataset()
    before = data.customers.copy()
    timing.monthly_churn(data)
    timing.cohort_retention(data)
    timing.select_customers(data, "plan", ["Pro"], "2024-12-01", "2025-01-31")
    pd.testing.assert_frame_equal(data.customers, before)


@pytest.mark.parametrize(
    "segment,values,start,end,expected",
    [
        (None, None, None, None, list("HABCGDEF")),
        ("plan", ["Pro"], None, None, list("ACDF")),
        ("plan", [], None, None, list("HABCGDEF")),
        (None, None, "2024-12-01", "2024-12-31", list("ABCG")),
        ("plan", ["Basis"], "2025-01-01", None, ["E"]),
    ],
)
def test_select_customers(segment, values, start, end, expected):
    kept = timing.select_customers(_dataset(), segment, values, start, end)
    assert list(kept["customer_id"]) == expected


def test_segment_columns_skip_leakage_and_constants():
    frame = _customers().assign(reason=["x", "y"] * 4, constant="same")
    data = _dataset(frame).evolve(
        attributes=["plan", "reason", "constant"], categorical=["plan", "reason", "constant"]
    )
    data = data.evolve(leakage=["reason"])
    assert timing.segment_columns(data) == ["plan"]


def test_tenure_only_table_is_refused_with_a_plain_message():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "churned": [1, 0], "tenure_months": [3.0, 5.0]})
    assert not timing.has_dates(frame)
    with pytest.raises(SchemaError, match="start_date"):
        timing.monthly_churn(frame)
    with pytest.raises(SchemaError, match="start_date"):
        timing.cohort_retention(frame)
