"""SHAP values add up, sentences follow them, what-if agrees with the model (churn/act/explain.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier, Pool

from churn.act import explain
from churn.act.reasons import feature_label
from churn.core.errors import ModelError, ScenarioError


class TinyModel:
    """The slice of the ChurnModel contract that churn.act.explain uses."""

    def __init__(self, model, features, cat_features):
        self.model_, self.features_, self.cat_features_ = model, features, cat_features

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        pool = Pool(X[self.features_], cat_features=self.cat_features_)
        return self.model_.predict_proba(pool)[:, 1]


def tiny_frame(n: int = 400) -> tuple[pd.DataFrame, pd.Series]:
    """Hand-made customers: fewer orders, later payments and the 'Basis' plan raise churn."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "orders_90d": rng.integers(0, 12, n),
            "orders_90d_change": rng.uniform(-1, 1, n).round(2),
            "days_late_recent": rng.uniform(0, 20, n).round(1),
            "days_late_before": rng.uniform(0, 10, n).round(1),
            "tenure_months": rng.uniform(1, 60, n).round(1),
            "plan": rng.choice(["Basis", "Pro", "Enterprise"], n),
        },
        index=pd.Index([f"C{i:04d}" for i in range(n)], name="customer_id"),
    )
    logit = (
        -0.25 * X.orders_90d
        - 1.2 * X.orders_90d_change
        + 0.15 * X.days_late_recent
        - 0.03 * X.tenure_months
        + np.where(X.plan == "Basis", 1.0, 0.0)
    )
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, pd.Series(y, index=X.index)


@pytest.fixture(scope="session")
def tiny():
    """A 40-tree CatBoost model on :func:`tiny_frame` and its customers."""
    X, y = tiny_frame()
    features, cats = list(X.columns), ["plan"]
    cb = CatBoostClassifier(iterations=40, depth=4, thread_count=2, random_seed=0, verbose=0)
    cb.fit(Pool(X, y, cat_features=cats))
    return TinyModel(cb, features, cats), X


def test_base_plus_shap_equals_raw_prediction_for_every_row(tiny):
    model, X = tiny
    shap, base = explain.shap_frame(model, X)
    raw = model.model_.predict(Pool(X, cat_features=["plan"]), prediction_type="RawFormulaVal")
    assert list(shap.columns) == model.features_  # the categorical plan stays one feature
    assert shap.index.equals(X.index)
    np.testing.assert_allclose(base + shap.sum(axis=1).to_numpy(), raw, atol=1e-9)


def test_our_shap_values_equal_shap_tree_explainers(tiny):
    """Golden cross-check: ``shap.TreeExplainer`` on the same booster and rows gives our values.

    shap reaches CatBoost's own tree SHAP for a CatBoost model, so equal numbers show our
    wiring is right: column order, the categorical column passed as a category, base value.
    """
    import shap as shap_library

    model, X = tiny
    ours, base = explain.shap_frame(model, X)
    theirs = shap_library.TreeExplainer(model.model_).shap_values(Pool(X, cat_features=["plan"]))
    np.testing.assert_allclose(ours.to_numpy(), np.asarray(theirs), atol=1e-9)
    assert base == pytest.approx(float(np.ravel(shap_library.TreeExplainer(model.model_).expected_value)[0]))


def test_shap_explanation_holds_the_values_and_the_customers_data(tiny):
    model, X = tiny
    explanation = explain.shap_explanation(model, X)
    ours, base = explain.shap_frame(model, X)
    np.testing.assert_allclose(explanation.values, ours.to_numpy())
    np.testing.assert_allclose(explanation.base_values, base)
    assert list(explanation.feature_names) == model.features_
    assert explanation[0].data[list(X.columns).index("plan")] == X.iloc[0]["plan"]
    np.testing.assert_allclose(
        explanation.base_values + explanation.values.sum(axis=1),
        model.model_.predict(Pool(X, cat_features=["plan"]), prediction_type="RawFormulaVal"),
        atol=1e-9,
    )


def test_probability_points_add_up_to_the_predicted_probability(tiny):
    model, X = tiny
    shap, base = explain.shap_frame(model, X)
    points, p_base = explain.probability_points(shap, base)
    np.testing.assert_allclose(p_base + points.sum(axis=1).to_numpy(), model.predict_proba(X), atol=1e-12)
    assert (np.sign(points.to_numpy()) == np.sign(shap.to_numpy())).all()


def test_probability_points_golden():
    """Base log-odds 0 (p = 0.5). Row 1: +1 and +1 -> p = sigmoid(2) = 0.880797, the change
    0.380797 split equally: 0.190399 each. Row 2: +2 and -2 cancel (L = 0): slope is
    sigmoid'(0) = 0.25, so the points are +0.5 and -0.5 and still sum to 0."""
    shap = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, -2.0]})
    points, p_base = explain.probability_points(shap, 0.0)
    assert p_base == pytest.approx(0.5)
    assert points.loc[0].tolist() == pytest.approx([0.190399, 0.190399], abs=1e-6)
    assert points.loc[1].tolist() == pytest.approx([0.5, -0.5], abs=1e-12)


def test_global_importance_golden():
    """mean|a| = (1 + 3) / 2 = 2, mean|b| = (0.5 + 0.5) / 2 = 0.5; shares 2/2.5 = 0.8 and 0.2."""
    shap = pd.DataFrame({"b": [0.5, -0.5], "a": [1.0, -3.0]})
    out = explain.global_importance(shap)
    assert out["feature"].tolist() == ["a", "b"]
    assert out["mean_abs_shap"].tolist() == pytest.approx([2.0, 0.5])
    assert out["share"].tolist() == pytest.approx([0.8, 0.2])


def test_sentences_follow_the_sign_and_order_of_the_shap_values(tiny):
    model, X = tiny
    shap, _ = explain.shap_frame(model, X)
    for customer in X.index[:25]:
        result = explain.explain_customer(model, X.loc[customer], "en", n=4)
        expected = shap.loc[customer].abs().sort_values(ascending=False, kind="stable").index[:4]
        labels = [feature_label(f, "en") for f in expected]
        assert len(result["reasons"]) == 4
        for sentence, feature, label in zip(result["reasons"], expected, labels, strict=True):
            assert sentence.startswith(label + ":"), (sentence, feature)
            word = "raises risk" if shap.loc[customer, feature] > 0 else "lowers risk"
            assert word in sentence, (sentence, shap.loc[customer, feature])


def test_norwegian_sentences_use_norwegian_words(tiny):
    model, X = tiny
    result = explain.explain_customer(model, X.iloc[0], "nb", n=3)
    assert all(("øker risikoen" in s) != ("senker risikoen" in s) for s in result["reasons"])


def test_waterfall_runs_from_the_base_rate_to_the_prediction(tiny):
    model, X = tiny
    result = explain.explain_customer(model, X.iloc[[3]], "en", steps=3)
    fall = result["waterfall"]
    assert fall["kind"].tolist() == ["base", *fall["kind"].iloc[1:-1], "prediction"]
    assert len(fall) == 1 + 3 + 1 + 1  # base, three features, "other features", prediction
    assert fall["end"].iloc[0] == pytest.approx(result["base_probability"])
    assert fall["end"].iloc[-2] == pytest.approx(result["probability"], abs=1e-12)
    assert fall["end"].iloc[-1] == pytest.approx(float(model.predict_proba(X.iloc[[3]])[0]), abs=1e-12)
    steps = fall.iloc[1:-1]
    np.testing.assert_allclose(steps["end"] - steps["start"], steps["points"], atol=1e-12)


def test_explanation_from_cached_shap_equals_fresh_one(tiny):
    model, X = tiny
    shap, base = explain.shap_frame(model, X)
    cached = explain.explain_customer(model, X.loc["C0007"], shap_row=shap.loc["C0007"], base=base)
    fresh = explain.explain_customer(model, X.loc["C0007"])
    assert cached["reasons"] == fresh["reasons"]
    assert cached["probability"] == pytest.approx(fresh["probability"], abs=1e-12)


@pytest.mark.parametrize(
    "changes",
    [
        {"orders_90d": 0},
        {"orders_90d": 11, "orders_90d_change": 0.5},
        {"plan": "Enterprise"},
        {"days_late_recent": 19},
    ],
)
def test_what_if_agrees_with_the_models_own_prediction_on_the_changed_row(tiny, changes):
    model, X = tiny
    row = X.loc["C0011"]
    result = explain.what_if(model, row, changes)
    changed = X.loc[["C0011"]].copy()
    for feature, value in changes.items():
        changed[feature] = value
    assert result["probability_before"] == pytest.approx(
        float(model.predict_proba(X.loc[["C0011"]])[0]), abs=1e-12
    )
    assert result["probability_after"] == pytest.approx(float(model.predict_proba(changed)[0]), abs=1e-12)
    assert result["delta"] == pytest.approx(result["probability_after"] - result["probability_before"])
    moved = result["changed"]
    assert (abs(moved["points_after"] - moved["points_before"]) >= explain.CHANGED_POINTS).all()


def test_what_if_with_no_change_changes_nothing(tiny):
    model, X = tiny
    result = explain.what_if(model, X.iloc[0], {"orders_90d": X.iloc[0]["orders_90d"]})
    assert result["delta"] == 0
    assert result["changed"].empty
    assert result["reasons_before"] == result["reasons_after"]


def test_what_if_names_the_bad_input(tiny):
    model, X = tiny
    with pytest.raises(ScenarioError, match="'colour' is not one of the model's features"):
        explain.what_if(model, X.iloc[0], {"colour": "red"})
    with pytest.raises(ScenarioError, match="'orders_90d' needs a number"):
        explain.what_if(model, X.iloc[0], {"orders_90d": "many"})


def test_missing_feature_column_is_a_model_error(tiny):
    model, X = tiny
    with pytest.raises(ModelError, match="Column 'plan'"):
        explain.shap_frame(model, X.drop(columns="plan"))


def test_top_reasons_match_the_single_customer_explanation(tiny):
    model, X = tiny
    table = explain.top_reasons(model, X.head(20), n=3, lang="en")
    assert table.index.name == "customer_id"
    assert list(table.columns) == ["reason_1", "reason_2", "reason_3"]
    assert table.index.equals(X.head(20).index)
    for customer in ["C0000", "C0013"]:
        assert (
            table.loc[customer].tolist() == explain.explain_customer(model, X.loc[customer], n=3)["reasons"]
        )
    raising = explain.top_reasons(model, X.head(20), n=3, raising_only=True)
    texts = [s for s in raising.to_numpy().ravel() if s]
    assert texts and all("raises risk" in s for s in texts)


def test_every_reader_facing_label_uses_the_clients_header(tiny):
    """tiny's tenure came from the client's 'Lifetime' column: importance, strip chart,
    waterfall, sentences and what-if all say 'Lifetime', never 'tenure_months'."""
    from churn.core.dataset import RoleMapping

    model, X = tiny
    gym = RoleMapping(tenure="Lifetime")
    shap, _ = explain.shap_frame(model, X)
    assert "Lifetime" in explain.global_importance(shap, "en", gym)["label"].tolist()
    assert "Lifetime" in set(explain.strip_data(shap, X, top=6, max_points=20, mapping=gym)["label"])
    one = explain.explain_customer(model, X.iloc[0], "nb", n=6, mapping=gym)
    assert "Lifetime" in one["contributions"]["label"].tolist()
    assert any(label.startswith("Lifetime = ") for label in one["waterfall"]["label"])
    assert any(s.startswith("Lifetime: ") for s in one["reasons"])
    moved = explain.what_if(model, X.iloc[0], {"tenure_months": 2.0}, mapping=gym)["changed"]
    tenure = moved[moved["feature"] == "tenure_months"]
    assert tenure["label"].tolist() == ["Lifetime"] and tenure["sentence"].iloc[0].startswith(
        "Lifetime: 2 months"
    )
    table = explain.top_reasons(model, X.head(20), n=6, mapping=gym)
    texts = " ".join(table.to_numpy().ravel())
    assert "Lifetime: " in texts and "tenure_months" not in texts
    # without the client's header (tenure from dates) the glossary word, in the reader's language
    derived = explain.global_importance(shap, "nb", RoleMapping(start_date="signup"))
    assert "Måneder som kunde" in derived["label"].tolist()


def test_strip_and_dependence_data_stay_small_and_fixed(tiny):
    model, X = tiny
    shap, _ = explain.shap_frame(model, X)
    strip = explain.strip_data(shap, X, top=3, max_points=50)
    assert len(strip) == 3 * 50
    assert strip.equals(explain.strip_data(shap, X, top=3, max_points=50))  # seeded, not random
    assert strip.loc[strip.feature == "plan", "value_rank"].isna().all()
    dep = explain.dependence_data(shap, X, "plan", max_points=30)
    assert len(dep) == 30 and dep["categorical"].all() and set(dep["value"]) <= {"Basis", "Pro", "Enterprise"}
    num = explain.dependence_data(shap, X, "orders_90d")
    assert len(num) == len(X) and not num["categorical"].any()


@pytest.mark.parametrize(
    "feature,kind,low,high,integer",
    [("orders_90d", "number", 0.0, 11.0, True), ("plan", "category", None, None, None)],
)
def test_feature_domain(tiny, feature, kind, low, high, integer):
    _, X = tiny
    domain = explain.feature_domain(X, feature)
    assert domain["kind"] == kind
    if kind == "number":
        assert (domain["min"], domain["max"], domain["integer"]) == (low, high, integer)
    else:
        assert domain["options"] == ["Basis", "Enterprise", "Pro"]


#: Seed 004's planted warning signals -> the feature names (churn/model/features.py) that carry them.
SIGNAL_FAMILIES = {
    "fewer orders": r"^orders_|_order$",
    "fewer e-mails": r"^emails_|_email$",
    "later payments": r"^days_late_",
    "more support tickets": r"support_ticket",
    "new contact person": r"contact_change",
}


@pytest.mark.slow
def test_sample_drivers_include_the_planted_warning_signals(sample_dataset):
    """On the sample, every planted signal family weighs more than region (a planted null:
    region has no effect on churn), and the payment delay family is among the three
    strongest groups of features (each attribute counts as its own group)."""
    import re

    from churn.model.churn_model import ChurnModel

    model = ChurnModel(iterations=150).fit(sample_dataset)
    shap, _ = explain.shap_frame(model, model.scoring_features(sample_dataset))
    importance = explain.global_importance(shap).set_index("feature")["mean_abs_shap"]

    def family(feature: str) -> str:
        return next((name for name, p in SIGNAL_FAMILIES.items() if re.search(p, feature)), feature)

    groups = importance.groupby(importance.index.map(family)).sum().sort_values(ascending=False)
    for name in SIGNAL_FAMILIES:
        assert groups[name] > groups["region"], (name, groups.round(3).to_dict())
    assert "later payments" in groups.index[:3], groups.round(3).to_dict()
