"""The report's risk parts: model quality against baselines, the at-risk list, the model settings line
(churn/report/model_sections.py)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from churn.act.scoring import score_customers
from churn.core.export import pseudonymise
from churn.core.formatting import fmt_number
from churn.core.i18n import t
from churn.report import model_sections as ms
from churn.report.sections import Context, note


def stub_model(**changes) -> SimpleNamespace:
    """A fitted model as the report reads it: hand-written metrics, one baseline, no test frame."""
    fields = {
        "metrics_": {
            "auc": 0.8,
            "pr_auc": 0.456,
            "precision": 0.5,
            "recall": 0.25,
            "brier": 0.1234,
            "horizon_days": 60,
            "n_train": 1200,
            "n_test": 300,
            "validation": "out_of_time",
            "iterations_used": 17,
        },
        "baselines_": {"rule": {"auc": 0.6, "pr_auc": float("nan"), "precision": 0.3}},
        "recommendation_": {
            "model": "catboost",
            "reason": "beats_baselines",
            "auc": 0.8,
            "baseline_auc": 0.6,
            "baseline": "rule",
        },
        "horizon_days": 60,
        "iterations": 20,
        "features_": ["a", "b", "c"],
        "test_frame_": None,
        "validation_": "out_of_time",
    }
    return SimpleNamespace(**{**fields, **changes})


@pytest.fixture(scope="module")
def with_model(sample_dataset, tiny_model) -> dict[str, tuple[Context, dict]]:
    """The model section of the sample with the tiny model, per language, built once."""
    out = {}
    for lang in ("en", "nb"):
        ctx = Context(sample_dataset, lang, model=tiny_model)
        out[lang] = (ctx, ms.model_section(ctx))
    return out


def block(section: dict, kind: str) -> dict:
    return next(b for b in section["blocks"] if b["type"] == kind)


# ---------------------------------------------------------------- without a model


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_without_a_model_the_model_section_is_the_no_model_note(sample_dataset, lang):
    ctx = Context(sample_dataset, lang)
    section = ms.model_section(ctx)
    assert section["key"] == "model" and section["title"] == t("report.section_model", lang)
    assert section["blocks"] == [note(t("report.no_model", lang))]
    assert ctx.key_numbers == [] and ctx.charts == 0


def test_without_a_model_or_events_there_is_nobody_to_rank(sample_dataset):
    ctx = Context(sample_dataset.evolve(events=None), "nb")
    assert ms.customers_section(ctx)["blocks"] == [note(t("report.no_customers", "nb"))]


def test_without_a_model_customers_are_ranked_by_warning_signals(sample_dataset):
    section = ms.customers_section(Context(sample_dataset, "en"))
    assert section["lead"] == t("report.lead_customers_signals", "en")
    (table,) = section["blocks"]
    assert table["columns"] == ["Customer", "Rule-based score (0–1)", "Number of signals", "Signals"]
    assert 0 < len(table["rows"]) <= ms.TOP_CUSTOMERS
    scores = [float(row[1]) for row in table["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert all(int(row[2]) == len(row[3].split("; ")) for row in table["rows"])  # n signals = signals named


# ---------------------------------------------------------------- a hand-written model


def test_model_blocks_by_hand():
    """AUC 0.8 → 0.800 (a decimal, as on the Model page), precision 0.5 → 50.0%, PR-AUC 0.456 → 0.46 (two decimals), Brier 0.1234 → 0.123
    (three); the rule baseline has no recall and a NaN PR-AUC, both shown as "–"."""
    ctx = Context(dataset=None, lang="en", model=stub_model())
    blocks = ms.model_blocks(ctx)
    assert [b["type"] for b in blocks] == ["text", "figures", "table", "chart", "list", "note"]
    assert blocks[1]["items"] == [("Model AUC", "0.800"), ("Precision", "50.0%"), ("Recall", "25.0%")]
    table = blocks[2]
    assert table["columns"] == ["Measure", "Model (CatBoost)", "Rule-based score (warning signals)"]
    assert [row[1:] for row in table["rows"]] == [
        ["0.800", "0.600"],
        ["0.46", "–"],
        ["50.0%", "30.0%"],
        ["25.0%", "–"],
        ["0.123", "–"],
    ]
    assert blocks[-1] == note(t("report.validation_out_of_time", "en", train="1,200", test="300", days=60))
    assert ctx.key_numbers == [("Model AUC", "0.800")] and ctx.charts == 1


def test_model_chart_shows_only_approaches_with_an_auc():
    model = stub_model(baselines_={"rule": {"auc": 0.6}, "logistic": {"pr_auc": 0.3}})
    blocks = ms.model_blocks(Context(dataset=None, lang="en", model=model))
    assert blocks[2]["columns"][1:] == [
        "Model (CatBoost)",
        "Logistic regression",
        "Rule-based score (warning signals)",
    ]
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", str(blocks[3]["svg"]))
    assert "Model (CatBoost)" in drawn and "Rule-based score (warning signals)" in drawn
    assert "Logistic regression" not in drawn


def test_settings_text_by_hand():
    """Horizon 60 days, 3 features, 17 trees used (of 20), out-of-time test."""
    assert ms.settings_text(Context(None, "en", model=stub_model())) == (
        "churn within 60 days, 3 features, 17 trees, out-of-time test"
    )
    no_metrics = stub_model(metrics_=None)
    assert ms.settings_text(Context(None, "en", model=no_metrics)) == (
        "churn within 60 days, 3 features, 20 trees, held-out test"
    )


# ---------------------------------------------------------------- the tiny model


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_with_a_model_the_approaches_table_compares_it_with_both_baselines(with_model, tiny_model, lang):
    ctx, section = with_model[lang]
    assert section["lead"] == t("report.lead_model", lang)
    table = block(section, "table")
    assert table["columns"] == [
        t("report.col_measure", lang),
        *(t(f"report.approach_{name}", lang) for name in ("catboost", "logistic", "rule")),
    ]
    assert [row[0] for row in table["rows"]] == [t(f"report.measure_{m}", lang) for m in ms.MEASURES]
    auc = tiny_model.metrics_["auc"]
    expected = fmt_number(auc, lang, 3)  # 0.880 → "0.880" / "0,880"
    assert table["rows"][0][1] == expected
    assert ctx.key_numbers == [(t("report.fig_auc", lang), expected)]
    assert block(section, "chart")["svg"].startswith("<svg")
    assert t("report.no_model", lang) not in [b.get("text") for b in section["blocks"]]


def test_at_risk_lists_the_riskiest_customers_with_tier_reasons_and_action(sample_dataset, tiny_model):
    ctx = Context(sample_dataset, "en", model=tiny_model)
    frame, columns, lead = ms.at_risk(ctx, 5)
    top = score_customers(tiny_model, sample_dataset).head(5)
    assert frame["id"].tolist() == top["customer_id"].astype(str).tolist()
    assert [c for c, _ in columns] == ["id", "probability", "tier", "value_at_risk", "reasons", "action"]
    assert frame["probability"].tolist() == [f"{p:.1%}" for p in top["probability"]]  # at most one decimal
    assert frame["tier"].tolist() == [t(f"model.tier_{c}", "en") for c in top["tier"]]
    assert frame["action"].tolist() == top["action_personal"].tolist()
    assert frame["reasons"].str.len().gt(0).all()
    assert lead == t("report.lead_customers_model", "en", days=tiny_model.horizon_days)


def test_customers_section_pseudonymises_the_ids(sample_dataset, tiny_model):
    ctx = Context(sample_dataset, "nb", model=tiny_model, secret="workshop-key")
    (table,) = ms.customers_section(ctx)["blocks"]
    top = score_customers(tiny_model, sample_dataset).head(ms.TOP_CUSTOMERS)["customer_id"].astype(str)
    assert [row[0] for row in table["rows"]] == pseudonymise(top, "workshop-key").tolist()
    assert not set(top) & {row[0] for row in table["rows"]}
    assert table["caption"] == t("report.ids_pseudonymised", "nb")
    assert table["numeric"] == [False, True, False, True, False, False]


def test_settings_text_of_the_tiny_model(sample_dataset, tiny_model):
    text = ms.settings_text(Context(sample_dataset, "en", model=tiny_model))
    trees = tiny_model.metrics_["iterations_used"]
    assert text.startswith(
        f"churn within {tiny_model.horizon_days} days, {len(tiny_model.features_)} features, "
    )
    assert f", {trees} trees, " in text
    assert text.rsplit(", ", 1)[1] == t(f"report.validation_name_{tiny_model.validation_}", "en")


def test_at_risk_of_a_dataset_with_nobody_active_is_empty(sample_dataset, tiny_model):
    everyone_left = sample_dataset.evolve(customers=sample_dataset.customers.assign(churned=1))
    ctx = Context(everyone_left, "en", model=tiny_model)
    frame, columns, _ = ms.at_risk(ctx, 5)
    assert frame.empty and columns == []
    assert ms.customers_section(ctx)["blocks"] == [note(t("report.no_at_risk", "en"))]


def test_customers_of_a_no_signal_model_are_marked_as_not_findings():
    from churn.model.churn_model import ChurnModel
    from tests.test_model_quality import noise_dataset

    data = noise_dataset()
    model = ChurnModel(iterations=30).fit(data)
    section = ms.customers_section(Context(data, "nb", model=model))
    assert section["blocks"][0] == note(t("model.no_signal_notice", "nb"))
    assert section["blocks"][1]["type"] == "table"
