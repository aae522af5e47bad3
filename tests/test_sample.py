"""Tests for churn.ingest.sample: determinism, the raw-file schema and the planted churn truths.

The truths are checked on aggregates with generous tolerances derived by hand from the
constants in ``churn/ingest/sample.py`` (see each docstring), not on exact draws.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.errors import InputError
from churn.ingest import sample

ROOT = Path(__file__).resolve().parent.parent
AS_OF = pd.Timestamp("2026-10-31")
DAY = pd.Timedelta(days=1)
CUSTOMER_COLUMNS = [
    "customer_id", "signup_date", "cancel_date", "industry", "region", "plan", "contract_type",
    "acquisition_channel", "monthly_value", "discount_end_date", "churn_reason",
]  # fmt: skip
EVENT_COLUMNS = ["customer_id", "timestamp", "event_type", "amount", "days_late"]


@pytest.fixture(scope="module")
def small():
    """300 customers: enough for schema and per-row rules."""
    return sample.generate_sample(300, seed=11)


@pytest.fixture(scope="module")
def medium():
    """2,000 customers (about 0.2 s): enough churners for the aggregate truths to stand out of the noise."""
    return sample.generate_sample(2000, seed=3)


def _tenure_month(customers: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Tenure in months (30.4375 days) to cancel or as-of, and the 1-based tenure month ceil(tenure)."""
    end = customers["cancel_date"].fillna(AS_OF)
    tenure = (end - customers["signup_date"]).dt.days / 30.4375
    return tenure, np.ceil(tenure).astype(int)


def _hazard(customers: pd.DataFrame) -> pd.Series:
    """Churned in tenure month k / customers still there at the start of month k."""
    tenure, month = _tenure_month(customers)
    churned = customers["cancel_date"].notna()
    return pd.Series({k: (churned & (month == k)).sum() / (tenure > k - 1).sum() for k in range(1, 25)})


def _with_dates(customers: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    frame = events.assign(customer_id=events["customer_id"].astype(str))
    return frame.merge(customers[["customer_id", "signup_date", "cancel_date"]], on="customer_id")


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    first = sample.write_sample(tmp_path / "a", 150, seed=5)
    sample.write_sample(tmp_path / "b", 150, seed=5)
    sample.write_sample(tmp_path / "c", 150, seed=6)
    for name in ("customers.csv", "events.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    assert first["customers"] == 150
    assert first["events"] == len((tmp_path / "a" / "events.csv").read_text("utf-8").splitlines()) - 1


def test_written_files_are_utf8_comma_iso_with_blanks(tmp_path):
    sample.write_sample(tmp_path, 200, seed=2)
    customers = (tmp_path / "customers.csv").read_text("utf-8").splitlines()
    events = (tmp_path / "events.csv").read_text("utf-8").splitlines()
    assert customers[0] == ",".join(CUSTOMER_COLUMNS)
    assert events[0] == ",".join(EVENT_COLUMNS)
    assert re.fullmatch(r"C\d{5},\d{4}-\d\d-\d\d,(\d{4}-\d\d-\d\d)?,.*", customers[1])
    assert all(re.fullmatch(r"C\d{5},\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,[a-z_]+,\d*,\d*", r) for r in events[1:])
    # an active customer's cancel date and churn reason are empty fields, not "NaT"/"None"
    text = (tmp_path / "customers.csv").read_text("utf-8")
    assert "NaT" not in text and "None" not in text and "nan" not in text


def test_customer_schema_and_values(small):
    customers, _ = small
    assert list(customers.columns) == CUSTOMER_COLUMNS
    assert customers["customer_id"].is_unique and customers["customer_id"].str.fullmatch(r"C\d{5}").all()
    assert set(customers["industry"]) <= set(sample.INDUSTRIES)
    assert set(customers["region"]) <= set(sample.REGIONS)
    assert set(customers["acquisition_channel"]) <= set(sample.CHANNELS)
    assert set(customers["contract_type"]) <= set(sample.CONTRACTS)
    medians = customers.groupby("plan")["monthly_value"].median()
    # plan medians 1,490 / 4,490 / 14,900 NOK with log-sd <= 0.35: sample medians within +-25 %
    for plan, (_, _, median, _) in sample.PLANS.items():
        assert medians[plan] == pytest.approx(median, rel=0.25)
    has_discount = customers["discount_end_date"].notna()
    assert 0.3 < has_discount.mean() < 0.6
    expected_end = customers.loc[has_discount, "signup_date"] + pd.DateOffset(years=1)
    assert (customers.loc[has_discount, "discount_end_date"] == expected_end).all()


def test_dates_and_churn_reason_only_for_churned(small):
    customers, _ = small
    churned = customers["cancel_date"].notna()
    assert (customers["churn_reason"].notna() == churned).all()
    assert set(customers.loc[churned, "churn_reason"]) <= set(sample.REASONS)
    assert (customers.loc[churned, "cancel_date"] > customers.loc[churned, "signup_date"]).all()
    assert (customers["cancel_date"].dropna() <= AS_OF).all()
    assert customers["signup_date"].between(AS_OF - pd.DateOffset(months=36), AS_OF).all()


def test_event_schema_and_events_inside_each_customers_lifetime(small):
    customers, events = small
    assert list(events.columns) == EVENT_COLUMNS
    assert set(events["event_type"]) == set(sample.EVENT_TYPES)
    money = events["event_type"].isin(["order", "payment"])
    assert (events["amount"].notna() == money).all() and (events.loc[money, "amount"] > 0).all()
    assert (events["days_late"].notna() == (events["event_type"] == "payment")).all()
    frame = _with_dates(customers, events)
    assert len(frame) == len(events)
    assert (frame["timestamp"] >= frame["signup_date"]).all()
    assert (frame["timestamp"] < frame["cancel_date"].fillna(AS_OF + DAY)).all()
    assert events["timestamp"].is_monotonic_increasing


def test_signups_grow_and_overall_churn_is_realistic(medium):
    """Signup density rises linearly from 1 to 2.5, so the share signed up by fraction t of the
    36 months is F(t) = (t + 0.75 t^2) / 1.75: first 12 months F(1/3) = 0.4167/1.75 = 0.238,
    last 12 months 1 - F(2/3) = 1 - 1/1.75 = 0.429. Churned share planned at 25-35 %."""
    customers, _ = medium
    signup = customers["signup_date"]
    first = (signup <= AS_OF - pd.DateOffset(months=24)).mean()
    last = (signup > AS_OF - pd.DateOffset(months=12)).mean()
    assert first == pytest.approx(0.238, abs=0.04)
    assert last == pytest.approx(0.429, abs=0.04)
    assert 0.22 < customers["cancel_date"].notna().mean() < 0.38


def test_hazard_peaks_in_months_2_3_and_12(medium):
    """Planted hazards: base 0.009 x contract factor; onboarding adds 0.055/0.050 in months 2/3
    (about 7x the base); month 12 adds 0.12 for annual contracts and 0.09 for a discount end.
    So months 2-3 and month 12 must each be several times the months 5-10 average."""
    hazard = _hazard(medium[0])
    quiet = hazard.loc[5:10].mean()
    assert hazard.loc[2:3].mean() > 4 * quiet
    assert hazard.loc[12] > 6 * quiet
    assert hazard.loc[12] > 4 * hazard.loc[[9, 10, 11, 13, 14]].mean()


@pytest.mark.parametrize(
    "column,high,low",
    [
        ("contract_type", "monthly", "two_year"),  # hazard factor 1.70 vs 0.25 (+0.14 at month 24)
        ("contract_type", "monthly", "annual"),  # 1.70 vs 0.35 (+0.12 at renewals)
        ("acquisition_channel", "web", "partner"),  # 1.50 vs 0.60
        ("industry", "Reiseliv og servering", "Helse"),  # 1.50 vs 0.65
        ("plan", "Basis", "Enterprise"),  # 1.20 vs 0.70, and Basis has more monthly contracts
    ],
)
def test_segments_churn_differently(medium, column, high, low):
    customers, _ = medium
    share = customers["cancel_date"].notna().groupby(customers[column]).mean()
    assert share[high] > 1.5 * share[low]


def test_region_is_a_planted_null(medium):
    customers, _ = medium
    share = customers["cancel_date"].notna().groupby(customers["region"]).mean()
    big = customers["region"].value_counts().loc[lambda s: s >= 150].index
    assert share[big].max() - share[big].min() < 0.12


def _last_vs_previous_90_days(customers, events):
    """Per event type: counts in the 90 days before cancel and the 90 days before that,
    over churners with at least 180 days of tenure; plus mean days late in each period."""
    frame = _with_dates(customers, events)
    long_churners = (frame["cancel_date"] - frame["signup_date"]).dt.days >= 180
    frame = frame[long_churners]
    before = (frame["cancel_date"] - frame["timestamp"]) / DAY
    last, previous = frame[before <= 90], frame[(before > 90) & (before <= 180)]
    counts = pd.DataFrame(
        {"last": last["event_type"].value_counts(), "previous": previous["event_type"].value_counts()}
    )
    late = {
        "last": last.loc[last["event_type"] == "payment", "days_late"].astype(float).mean(),
        "previous": previous.loc[previous["event_type"] == "payment", "days_late"].astype(float).mean(),
    }
    return counts, late


def test_warning_signals_before_cancel(medium):
    """In a 2-4 month window before cancel (90 % of churners): orders and emails x0.60, logins
    x0.55, tickets x2.5, payments 5-10 days later. The window covers 61-91 of the last 90 days and
    up to 31 of the 90 before, so the last/previous order ratio is about 0.6-0.75 (x1 for the 10 %
    without signals) and the days-late gap about 0.9 x 7.5 x ~0.85 = 5.7 days minus censoring."""
    counts, late = _last_vs_previous_90_days(*medium)
    ratio = counts["last"] / counts["previous"]
    assert 0.5 < ratio["order"] < 0.82
    assert 0.5 < ratio["email"] < 0.82
    assert ratio["login"] < 0.82
    assert ratio["support_ticket"] > 1.4
    assert late["last"] - late["previous"] > 3.0


def test_new_contact_person_before_cancel_but_rarely_otherwise(medium):
    """70 % of signalled churners (90 %) get a contact change in the window: about 63 %, plus the
    0.01/month baseline. Active customers in their last 4 months: 4 % baseline + a few noise episodes."""
    customers, events = medium
    frame = _with_dates(customers, events.loc[events["event_type"] == "contact_change"])
    end = frame["cancel_date"].fillna(AS_OF + DAY)
    recent = frame[(end - frame["timestamp"]) <= pd.Timedelta(days=122)]
    churned = customers["cancel_date"].notna()
    churner_share = recent.loc[recent["cancel_date"].notna(), "customer_id"].nunique() / churned.sum()
    active_share = recent.loc[recent["cancel_date"].isna(), "customer_id"].nunique() / (~churned).sum()
    assert churner_share > 0.45
    assert active_share < 0.12


def test_bad_number_of_customers_is_one_plain_sentence():
    with pytest.raises(InputError, match=r"between 1 and 5,000,000; got 0\."):
        sample.generate_sample(0)
    with pytest.raises(InputError, match="whole number"):
        sample.generate_sample(2.5)


def test_committed_sample_is_what_the_generator_makes(tmp_path):
    """data/sample must be regenerated whenever the generator changes (README numbers too)."""
    sample.write_sample(tmp_path, 3000, seed=7)
    for name in ("customers.csv", "events.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / "sample" / name).read_bytes(), name


def test_churn_windows_show_several_signals_and_noise_episodes_one_or_two():
    """Seed 004: one signal alone is common among customers who stay; the combination precedes
    churn. Of 20,000 stayers with long histories, NOISE_SHARE = 30 % get an episode with one
    signal (two for NOISE_SECOND_SIGNAL = 25 % of them), each of the six equally likely: about
    30 % x (1 + 0.25) / 6 = 6.3 % per signal. Churners' windows (SIGNAL_SHARE = 90 %) show all
    five rate/payment signals and a new contact with probability 0.70."""
    n = 40_000
    churned = np.arange(n) < n // 2
    c = {
        "churned": churned,
        "soon": np.zeros(n, dtype=bool),
        "soon_cancel": np.full(n, -1),
    }
    start, end = np.zeros(n), np.full(n, 600.0)
    kind, ws, we, shows = sample._windows(np.random.default_rng(0), c, start, end)
    assert ((ws >= start) & (ws <= we) & (we <= end)).all()
    assert (we[kind == 1] == end[kind == 1]).all()  # a churn warning ends at the cancel date
    stay, warn = shows[~churned], shows[churned & (kind == 1)]
    n_shown = stay.sum(axis=1)
    assert set(np.unique(n_shown)) == {0, 1, 2}
    assert (n_shown > 0).mean() == pytest.approx(sample.NOISE_SHARE, abs=0.015)
    assert (n_shown[n_shown > 0] == 2).mean() == pytest.approx(sample.NOISE_SECOND_SIGNAL, abs=0.03)
    np.testing.assert_allclose(stay.mean(axis=0), 0.30 * 1.25 / 6, atol=0.01)
    contact = sample.WINDOW_SIGNALS.index("contact_change")
    assert np.delete(warn, contact, axis=1).all()
    assert warn[:, contact].mean() == pytest.approx(sample.CONTACT_CHANGE_CHANCE, abs=0.02)
    assert (kind[churned] == 1).mean() == pytest.approx(sample.SIGNAL_SHARE, abs=0.01)
