"""Leakage suspects: each reason on a hand-made table, strong real features left alone, and the corpus."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import CHURNED, CUSTOMER_ID, END_DATE, START_DATE, RoleMapping
from churn.core.errors import SchemaError
from churn.ingest.intake import build_dataset, read_table
from churn.ingest.leaks import (
    AFTER_END,
    AT_EXPORT,
    LABEL_COPY,
    MODEL_OUTPUT,
    ONLY_FILLED,
    PREDICTS,
    RECENCY,
    Leak,
    chance_auc,
    leak_evidence,
    leakage_reasons,
    leakage_suspects,
    single_column_auc,
)

LEFT, STAYED = 40, 160
AS_OF = pd.Timestamp("2024-12-31")


def _customers(**columns) -> pd.DataFrame:
    """40 customers who left (rows 0-39) and 160 who stayed (rows 40-199), with the given columns."""
    churned = np.r_[np.ones(LEFT, dtype=int), np.zeros(STAYED, dtype=int)]
    frame = pd.DataFrame({CUSTOMER_ID: [f"C{i}" for i in range(LEFT + STAYED)], CHURNED: churned})
    return frame.assign(**columns)


def _separating(above: int, scale: float = 1.0) -> np.ndarray:
    """Scores where ``above`` of the 40 leavers lie above every stayer and the rest below all of them.

    Leavers: 0.60, 0.61, ... (above), then 0.001, 0.002, ... (below); stayers 0.100 ... 0.4975
    (step 0.0025). AUC = above x 160 / (40 x 160) = above / 40.
    """
    high = 0.60 + 0.01 * np.arange(above)
    low = 0.001 * np.arange(1, LEFT - above + 1)
    stayers = 0.10 + 0.0025 * np.arange(STAYED)
    return np.r_[high, low, stayers] * scale


def _reasons(frame: pd.DataFrame) -> dict[str, str]:
    attributes = [c for c in frame.columns if c not in (CUSTOMER_ID, CHURNED, START_DATE, END_DATE)]
    return leakage_reasons(frame, attributes)


# ---------------------------------------------------------------- the AUC helper


def test_single_column_auc_golden():
    """38 of 40 leavers above every stayer: 38 x 160 / 6,400 = 0.95; reversed it is still 0.95."""
    frame = _customers(score=_separating(38))
    assert single_column_auc(frame["score"], frame[CHURNED]) == pytest.approx(0.95)
    assert single_column_auc(-frame["score"], frame[CHURNED]) == pytest.approx(0.95)


def test_single_column_auc_of_a_two_valued_code():
    """Status 2 for 30 of 40 leavers and 20 of 160 stayers.

    Pairs won: 30 leavers with 2 x 140 stayers with 1 = 4,200; tied: 30 x 20 + 10 x 140 = 2,000 count half.
    AUC = (4,200 + 1,000) / 6,400 = 0.8125.
    """
    status = np.r_[np.full(30, 2), np.full(10, 1), np.full(20, 2), np.full(140, 1)]
    frame = _customers(Status=status)
    assert single_column_auc(frame["Status"], frame[CHURNED]) == pytest.approx(0.8125)


@pytest.mark.parametrize(
    "left,stayed,expected",
    [(10, 10, 0.5 + 4 * (21 / 1200) ** 0.5), (40, 160, 0.5 + 4 * (201 / 76800) ** 0.5)],
)
def test_chance_auc_golden(left, stayed, expected):
    """0.5 + 4 x sqrt((n1 + n2 + 1) / (12 n1 n2)): 10/10 -> 1.029 (nothing can show), 40/160 -> 0.705."""
    assert chance_auc(left, stayed) == pytest.approx(expected)


def test_random_columns_of_a_tiny_table_are_not_suspects():
    """20 rows, 10 leavers: 2,000 seeded random columns; some reach AUC 0.9 by chance, none is flagged."""
    rng = np.random.default_rng(0)
    churned = np.r_[np.ones(10, dtype=int), np.zeros(10, dtype=int)]
    noise = pd.DataFrame(rng.integers(0, 100, size=(20, 2000)), columns=[f"f{i}" for i in range(2000)])
    frame = pd.concat([pd.DataFrame({CHURNED: churned}), noise], axis=1)
    best = max(single_column_auc(frame[c], frame[CHURNED]) for c in noise.columns)
    assert best >= 0.9
    assert leakage_suspects(frame, list(noise.columns)) == []


# ---------------------------------------------------------------- model output


@pytest.mark.parametrize(
    "column",
    [
        "churn_probability",
        "score",
        "Naive_Bayes_Classifier_Attrition_Flag_1",
        "Sannsynlighet for oppsigelse",
        "Abwanderungswahrscheinlichkeit",
        "Predicción",
    ],
)
def test_another_models_output_is_named_with_its_auc(column):
    """38 of 40 leavers above every stayer: AUC 0.95, values 0.001 ... 0.97 on a 0..1 scale."""
    frame = _customers(**{column: _separating(38)})
    leak = leak_evidence(frame, [column])[column]
    assert leak.reason == MODEL_OUTPUT
    assert leak.evidence["auc"] == pytest.approx(0.95)
    assert leak.text("en") == (
        f"'{column}' alone separates who left with AUC 0.95; with its name and values from 0.00 to 0.97 "
        "it is probably another model's output (a score or a probability)."
    )
    assert f"«{column}» skiller alene dem som sluttet fra dem som ble, med AUC 0,95" in leak.text("nb")


def test_a_churn_score_on_a_0_to_100_scale_is_model_output():
    """The same scores x 100 (0.1 ... 97) under 'Churn Score': AUC 0.95, values from 0.1 to 97."""
    frame = _customers(**{"Churn Score": _separating(38, 100)})
    leak = leak_evidence(frame, ["Churn Score"])["Churn Score"]
    assert leak.reason == MODEL_OUTPUT and "values from 0.1 to 97" in leak.text()


@pytest.mark.parametrize(
    "column,values",
    [
        ("support_calls", _separating(34, 20)),  # AUC 34 / 40 = 0.85: a strong real feature
        ("CreditScore", 350 + _separating(34, 500)),  # 'score', AUC 0.85, but on a 350..850 scale
        ("engagement_score", _separating(30, 100)),  # 'score' on 0..100, AUC 0.75 < 0.8
        ("predicted_upsell", _separating(22)),  # a prediction of something else: AUC 0.55 < 0.65
    ],
)
def test_strong_real_features_and_other_scores_are_not_suspects(column, values):
    frame = _customers(**{column: values})
    assert _reasons(frame) == {}


# ---------------------------------------------------------------- label copies


def test_a_recoded_label_is_a_copy():
    """'Exited_flag' 2 for all 40 leavers and 1 stayer, 1 for the other 159 stayers.

    Right for 199 / 200 = 99.5 % (>= 99 %); leavers in '2' 40 / 40, rows of '2' that left 40 / 41 = 97.6 %,
    stayers in '1' 159 / 160 = 99.4 %, rows of '1' that stayed 159 / 159 (all >= 95 %).
    """
    flag = np.r_[np.full(LEFT, 2), 2, np.full(STAYED - 1, 1)]
    frame = _customers(Exited_flag=flag)
    leak = leak_evidence(frame, ["Exited_flag"])["Exited_flag"]
    assert leak.reason == LABEL_COPY
    assert leak.evidence == {"left": ("2",), "stayed": ("1",), "share": pytest.approx(0.995)}
    assert leak.text() == (
        "'Exited_flag' recodes the churn column: '2' for those who left and '1' for those who stayed, "
        "true for 99.5% of the customers."
    )
    assert "«2» for dem som sluttet og «1» for dem som ble" in leak.text("nb")


def test_a_text_status_copy_names_its_values():
    """'Status' Closed / Lost for the leavers, Open for the stayers: a copy with two 'left' values."""
    status = np.r_[np.full(20, "Closed"), np.full(20, "Lost"), np.full(STAYED, "Open")]
    leak = leak_evidence(_customers(Status=status), ["Status"])["Status"]
    assert leak.reason == LABEL_COPY and leak.evidence["left"] == ("Closed", "Lost")


def test_a_status_that_is_not_a_recoding_is_not_a_suspect():
    """Status 2 for 30 of 40 leavers and 20 of 160 stayers (like Customer_Churn.csv): right for
    (30 + 140) / 200 = 85 %, AUC 0.8125 (< 0.9) -> nothing."""
    status = np.r_[np.full(30, 2), np.full(10, 1), np.full(20, 2), np.full(140, 1)]
    assert _reasons(_customers(Status=status)) == {}


def test_a_rare_label_does_not_make_a_lopsided_column_a_copy():
    """10 leavers among 1,000; 'vip' is 1 for them and for 9 stayers: right for 99.1 % of the rows,
    but only 10 / 19 = 53 % of its 1s left -> not a copy (and AUC 0.995 -> predicts)."""
    churned = np.r_[np.ones(10, dtype=int), np.zeros(990, dtype=int)]
    vip = np.r_[np.ones(19, dtype=int), np.zeros(981, dtype=int)]
    frame = pd.DataFrame({CHURNED: churned, "vip": vip})
    assert leakage_reasons(frame, ["vip"]) == {"vip": PREDICTS}


# ---------------------------------------------------------------- dates after the end, at export, recency


def _dated(**columns) -> pd.DataFrame:
    """Starts 2022-01-01 + 3 days x row; the 40 leavers end 200 days after their start; as_of 2024-12-31."""
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(3 * np.arange(LEFT + STAYED), unit="D")
    end = pd.Series(start + pd.Timedelta(days=200)).where(np.arange(LEFT + STAYED) < LEFT)
    frame = _customers(**{START_DATE: start, END_DATE: end.astype("datetime64[ns]")})
    frame.loc[len(frame) - 1, START_DATE] = AS_OF  # the latest start pins "today"
    return frame.assign(**columns)


def test_a_date_stamped_when_the_customer_left_is_after_end():
    """'updated_at' = the end date for every leaver (on the day counts), a recent date for the stayers."""
    frame = _dated()
    updated = frame[END_DATE].where(frame[CHURNED] == 1, AS_OF - pd.Timedelta(days=5))
    frame["updated_at"] = updated
    leak = leak_evidence(frame, ["updated_at"])["updated_at"]
    assert leak.reason == AFTER_END and leak.evidence == {"share": 1.0}
    assert leak.text() == (
        "For 100% of the customers who left, 'updated_at' falls on or after the day they left; "
        "it was written after the outcome was known."
    )


def test_activity_that_goes_on_after_the_end_is_after_end():
    """'last_login' within 20 days of the export for everyone, leavers too, whose end lies years before."""
    frame = _dated(last_login=AS_OF - pd.to_timedelta(np.arange(LEFT + STAYED) % 20, unit="D"))
    assert _reasons(frame) == {"last_login": AFTER_END}


def test_a_last_purchase_measured_at_export_is_at_export():
    """Label only (no dates): stayers' last purchase 0..9 days before 2024-12-31 (16 each), leavers'
    300, 310, ..., 690 days before.

    Latest = 99th percentile = 2024-12-31. Stayers' gaps: 90th percentile at position 0.9 x 159 = 143.1
    of the sorted gaps (16 of each 0..9) -> 8 + 0.1 = 8.1 -> 8 days. Leavers' median (490 + 500) / 2 = 495.
    Span: latest - 1st percentile (position 1.99: 680 - 0.99 x 10 = 670.1 days); 8.1 <= 5 % x 670.1 and
    495 >= 5 x 8.1 -> measured at export.
    """
    gaps = np.r_[300 + 10 * np.arange(LEFT), np.arange(STAYED) % 10]
    frame = _customers(last_purchase=AS_OF - pd.to_timedelta(gaps, unit="D"))
    leak = leak_evidence(frame, ["last_purchase"])["last_purchase"]
    assert leak.reason == AT_EXPORT and leak.evidence == {"active_days": 8, "churned_days": 495}
    assert leak.text() == (
        "'last_purchase' was measured when the file was exported: for 90% of the customers who stayed "
        "it lies at most 8 days before its latest date; for those who left, a median of 495 days before it."
    )


def test_a_signup_date_of_recent_customers_is_not_at_export():
    """Stayers joined in the last 10 days, leavers long ago; the column equals the start date -> not a stamp."""
    frame = _dated()
    frame.loc[LEFT:, START_DATE] = AS_OF - pd.to_timedelta(np.arange(STAYED) % 10, unit="D")
    frame["first_order"] = frame[START_DATE]
    assert AT_EXPORT not in _reasons(frame).values()


@pytest.mark.parametrize(
    "column", ["recency", "days_since_last_order", "Dager siden siste kjøp", "Tage seit letztem Kauf"]
)
def test_a_recency_count_is_recency(column):
    """Leavers 100, 110, ..., 490 (median 295); stayers 1..30 repeating (1..10 six times, 11..30 five):
    the 80th and 81st of 160 are 14 and 15 -> median 14.5. Every leaver above every stayer: AUC 1.0."""
    values = np.r_[100 + 10 * np.arange(LEFT), np.arange(STAYED) % 30 + 1]
    leak = leak_evidence(_customers(**{column: values}), [column])[column]
    assert leak.reason == RECENCY
    assert leak.evidence == {"churned": 295.0, "active": 14.5, "auc": 1.0}
    assert leak.text() == (
        f"'{column}' counts the time since the last activity up to the export: a median of 295 for the "
        "customers who left against 14.5 for those who stayed (AUC 1.00). For those who left it kept "
        "counting after they had gone."
    )


def test_the_same_count_without_the_name_still_predicts():
    values = np.r_[100 + 10 * np.arange(LEFT), np.arange(STAYED) % 30 + 1]
    assert _reasons(_customers(x=values)) == {"x": PREDICTS}


def test_inactive_months_that_only_lean_towards_leaving_are_kept():
    """'Months_Inactive_12_mon' 26 of 40 leavers above every stayer: AUC 0.65 < 0.8 -> not recency."""
    assert _reasons(_customers(Months_Inactive_12_mon=_separating(26, 12))) == {}


# ---------------------------------------------------------------- order, filled only, the API


def test_only_filled_comes_first_and_says_the_shares():
    """A reason filled for the 40 leavers and none of the stayers: 100 % against 0 %."""
    reason = np.r_[np.full(LEFT, "price"), np.full(STAYED, None)]
    leak = leak_evidence(_customers(churn_reason=reason), ["churn_reason"])["churn_reason"]
    assert leak == Leak("churn_reason", ONLY_FILLED, {"filled_churned": 1.0, "filled_active": 0.0})
    assert "filled in for 100% of the customers who left and 0% of those who stayed" in leak.text()


def test_a_prediction_that_copies_the_label_is_model_output_first():
    """'predicted_churn' 0/1 equal to the label: both a copy and a prediction; the name makes it model output."""
    frame = _customers(predicted_churn=np.r_[np.ones(LEFT), np.zeros(STAYED)])
    assert _reasons(frame) == {"predicted_churn": MODEL_OUTPUT}


def test_suspects_keep_column_order_and_short_reasons_are_localised():
    frame = _customers(b=_separating(38), a=np.r_[np.full(LEFT, "x"), np.full(STAYED, None)])
    assert leakage_suspects(frame, ["b", "a"]) == ["b", "a"]
    leaks = leak_evidence(frame, ["b", "a"])
    assert leaks["b"].short("en") == "alone predicts churn, AUC 0.95"
    assert leaks["b"].short("nb") == "forutsier kundeavgang alene, AUC 0,95"
    assert leaks["a"].to_dict()["reason"] == ONLY_FILLED


def test_one_group_only_gives_no_suspects():
    frame = _customers(x=_separating(38))
    frame[CHURNED] = 0
    assert leak_evidence(frame, ["x"]) == {}


# ---------------------------------------------------------------- the corpus

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
EXPECTED = json.loads((CORPUS / "EXPECTED.json").read_text()) if (CORPUS / "EXPECTED.json").exists() else {}
CUSTOMER_TABLES = [
    name for name, spec in EXPECTED.items() if not name.startswith("_") and spec["shape"] == "customers"
]


def _corpus_dataset(name: str):
    """The dataset of a corpus customer table built from the roles in EXPECTED.json.

    Until intake numbers rows without an id and reads text labels through
    ``churned_values``, fall back to doing both here (a row-number id column,
    the label as 1/0); the attribute columns are the same either way.
    """
    spec = EXPECTED[name]
    roles = {
        role: column[0] if isinstance(column, list) else column for role, column in spec["roles"].items()
    }
    mapping = RoleMapping(
        **roles,
        churned_values=tuple(spec.get("churned_values", ())),
        active_values=tuple(spec.get("active_values", ())),
    )
    raw = read_table(CORPUS / name)
    try:
        return build_dataset(raw, None, mapping, name=name)
    except SchemaError:
        raw = raw.copy()
        if mapping.customer_id is None:
            raw.insert(0, "(row)", range(1, len(raw) + 1))
            mapping = replace(mapping, customer_id="(row)")
        label = raw[mapping.churn_label].astype(str).str.strip()
        raw[mapping.churn_label] = label.isin(mapping.churned_values).astype(int)
        return build_dataset(raw, None, mapping, name=name)


@pytest.mark.skipif(not CUSTOMER_TABLES, reason="../shared/corpus is not here")
@pytest.mark.parametrize("name", CUSTOMER_TABLES)
def test_the_corpus_leaks_are_the_expected_ones(name):
    """EXPECTED.json's leaks, no more: e.g. data-test-analytics.csv's recency, last_date_purchase and
    updated_at, and no real feature of the five tables without leaks (their strongest single column is
    Customer_Churn.csv's 'Status', AUC 0.80)."""
    data = _corpus_dataset(name)
    leaks = leak_evidence(data.customers, data.attributes)
    assert sorted(leaks) == sorted(EXPECTED[name]["leaks"])
    assert sorted(data.leakage) == sorted(EXPECTED[name]["leaks"])
    for column, leak in leaks.items():
        assert f"'{column}'" in leak.text("en") and f"«{column}»" in leak.text("nb")
