"""Every active customer scored and explained in one call (churn/act/explained.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.act import explain
from churn.act.explained import (
    REASONS_STEP,
    STEPS,
    Explained,
    explain_active,
    explain_everyone,
    reasons_of_everyone,
)
from churn.act.scoring import score_active
from churn.core.errors import ModelError


@pytest.fixture(scope="module")
def everyone(tiny_model, sample_dataset) -> tuple[Explained, list[tuple[float, str]]]:
    """The sample explained in chunks of 500 customers (so several chunks), with its progress calls."""
    calls = []
    explained = explain_everyone(
        tiny_model, sample_dataset, progress=lambda f, s: calls.append((f, s)), chunk=500
    )
    return explained, calls


def test_every_active_customer_is_scored_as_score_active_does(everyone, tiny_model, sample_dataset):
    explained, _ = everyone
    scores = score_active(tiny_model, sample_dataset)
    pd.testing.assert_frame_equal(explained.features, scores.features)
    np.testing.assert_allclose(explained.probability, scores.probability, rtol=0, atol=1e-12)
    assert explained.scores.features is explained.features


def test_shap_rows_plus_base_reproduce_the_models_raw_output(everyone, tiny_model):
    """The property SHAP promises, on every customer: base + sum(shap) == log-odds (RawFormulaVal),
    and sigmoid of that is the probability the page shows."""
    explained, _ = everyone
    raw = explain.raw_prediction(tiny_model, explained.features)
    total = explained.base + explained.shap.sum(axis=1).to_numpy()
    np.testing.assert_allclose(total, raw, rtol=0, atol=1e-9)
    np.testing.assert_allclose(1 / (1 + np.exp(-total)), explained.probability, rtol=0, atol=1e-9)


def test_chunks_give_the_values_of_one_call(everyone, tiny_model):
    """ShapValues work row by row: six chunks of 500 equal one call on all rows."""
    explained, _ = everyone
    shap, base = explain.shap_frame(tiny_model, explained.features)
    assert explained.base == pytest.approx(base, abs=1e-12)
    pd.testing.assert_frame_equal(explained.shap, shap, check_exact=False, atol=1e-12, rtol=0)


def test_reasons_are_the_raising_top_three_in_every_language(everyone, tiny_model, sample_dataset):
    explained, _ = everyone
    X = explained.features
    for lang in ("en", "nb"):
        expected = explain.top_reasons(
            tiny_model, X, 3, lang, explained.shap, explained.base, raising_only=True, mapping=sample_dataset
        )
        pd.testing.assert_frame_equal(explained.reasons_in(lang), expected)
    assert "raises risk by" in explained.reasons_in("en")["reason_1"].str.cat()
    assert "øker risikoen med" in explained.reasons_in("nb")["reason_1"].str.cat()


def test_progress_rises_from_zero_to_one_through_the_steps(everyone):
    _, calls = everyone
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    steps = list(dict.fromkeys(s for _, s in calls))
    assert steps == [*STEPS, REASONS_STEP]
    assert max(f for f, s in calls if s != REASONS_STEP) == 0.5, "scores and SHAP values are the first half"


def test_the_two_steps_are_what_explain_everyone_does(everyone, tiny_model, sample_dataset):
    """The app runs the steps in two jobs (scores and SHAP values first, sentences per language)."""
    explained, _ = everyone
    first = explain_active(tiny_model, sample_dataset)
    assert first.reasons == {}
    pd.testing.assert_frame_equal(first.shap, explained.shap, check_exact=False, atol=1e-12, rtol=0)
    calls = []
    nb = reasons_of_everyone(
        tiny_model, first, "nb", sample_dataset, lambda f, s: calls.append(f), chunk=1000
    )
    pd.testing.assert_frame_equal(nb, explained.reasons_in("nb"))
    assert calls[0] == 0.0 and calls[-1] == 1.0 and len(calls) == 4  # three chunks of ≤ 1,000, then done
    assert set(first.with_reasons("nb", nb).reasons) == {"nb"} and first.reasons == {}


def test_asking_for_a_language_that_was_not_made_names_it(tiny_model, sample_dataset):
    explained = explain_everyone(tiny_model, sample_dataset, langs=("en",))
    assert set(explained.reasons) == {"en"}
    with pytest.raises(ModelError, match="not 'nb'"):
        explained.reasons_in("nb")


def test_no_active_customers_give_empty_frames(tiny_model, sample_dataset):
    """Everybody has left: nothing to score, nothing to explain, no error."""
    from churn.core.dataset import CHURNED

    gone = sample_dataset.evolve(customers=sample_dataset.customers.assign(**{CHURNED: 1}))
    explained = explain_everyone(tiny_model, gone)
    assert explained.features.empty and explained.shap.empty and len(explained.probability) == 0
    assert list(explained.reasons_in("en").columns) == ["reason_1", "reason_2", "reason_3"]
