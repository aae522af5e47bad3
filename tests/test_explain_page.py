"""AppTest of the Explain page: empty state, drivers, one customer, what-if, action list."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from churn.act import explain
from churn.act.reasons import feature_label
from churn.act.tiers import tier_label
from churn.core.dataset import Dataset
from churn.core.formatting import fmt_number, fmt_pct
from churn.workspace import jobs

PAGE = "pages/explain.py"


@pytest.fixture(scope="session")
def sample_scores(tiny_model, sample_dataset):
    from churn.act.scoring import score_customers

    return score_customers(tiny_model, sample_dataset)


def _chart_titles(at) -> list[str]:
    titles = []
    for node in at.get("vega_lite_chart"):
        title = json.loads(node.proto.spec).get("title")
        titles.append(title if isinstance(title, str) else (title or {}).get("text", ""))
    return titles


def global_order(model, at) -> list[str]:
    """The model's features by mean |SHAP| over the scored sample (what the page ranks by)."""
    from churn.ingest import intake

    X = model.scoring_features(intake.load_sample())
    shap, _ = explain.shap_frame(model, X)
    return list(explain.global_importance(shap)["feature"])


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def settle(at, timeout: float = 120):
    """Run the page until its background jobs (scores and SHAP values, then reasons) are done.

    In a browser the progress fragment reruns the page when a job ends; here the test does.
    """
    at.run()
    while active := [job for job in jobs.RUNNER.jobs() if job.active]:
        for job in active:
            assert jobs.RUNNER.wait(job.id, timeout=timeout).finished_ok, job.id
        at.run()
    assert not at.exception, at.exception
    return at


def _with_model(app_test, model, lang: str = "en"):
    at = app_test(lang=lang, model=model)
    at.switch_page(PAGE)
    return settle(at)


def test_without_a_model_the_page_sends_you_to_the_model_page(app_test):
    at = app_test()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert any("Train one on the Model page" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


@pytest.mark.slow
def test_drivers_customer_and_action_list_are_shown(app_test, tiny_model, sample_scores, sample_dataset):
    at = _with_model(app_test, tiny_model)
    titles = _chart_titles(at)
    dependence = at.selectbox(key="explain_dependence_feature")
    # the sample's file calls its value column 'monthly_value'; tenure comes from dates (the glossary word)
    order = global_order(tiny_model, at)
    assert dependence.options == [feature_label(f, "en", sample_dataset) for f in order]
    assert "monthly_value" in dependence.options and "Months as a customer" in dependence.options
    assert titles == [
        "Strongest drivers of churn risk",
        "How each feature pushes individual customers",
        f"How {dependence.options[0]} changes the risk",
        "From the starting point to this customer's risk",
    ]
    # the riskiest customer comes first, with its risk and seed 004's tier
    top = sample_scores.iloc[0]
    assert at.selectbox(key="explain_customer").value == top["customer_id"]
    assert _metric(at, "Churn risk") == fmt_pct(top["probability"], "en")
    assert _metric(at, "Risk tier") == tier_label(top["tier"], "en")
    reasons = next(m.value for m in at.markdown if m.value.startswith("1. "))
    assert "raises risk by" in reasons
    everyone = fmt_number(len(sample_scores), "en")  # grouped as the page's other numbers: "2,141"
    in_tiers = fmt_number(int((sample_scores["tier"] != "none").sum()), "en")  # the list starts with them
    assert any(f"**{in_tiers}** of {everyone} active customers" in m.value for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == ["Download Excel", "Download CSV"]


@pytest.mark.slow
def test_picking_a_customer_and_changing_a_value_updates_the_risk(
    app_test, tiny_model, sample_scores, sample_dataset
):
    at = _with_model(app_test, tiny_model)
    chosen = sample_scores.iloc[10]
    at.selectbox(key="explain_customer").set_value(chosen["customer_id"]).run()
    assert not at.exception
    assert _metric(at, "Churn risk") == fmt_pct(chosen["probability"], "en")

    X = tiny_model.scoring_features(sample_dataset)
    slider = next(s for s in at.slider if s.key.startswith(f"whatif_{chosen['customer_id']}_"))
    feature = slider.key.removeprefix(f"whatif_{chosen['customer_id']}_")
    new_value = slider.min if slider.value != slider.min else slider.max
    slider.set_value(new_value).run()
    assert not at.exception
    changed = X.loc[[chosen["customer_id"]]].copy()
    changed[feature] = new_value
    expected = float(tiny_model.predict_proba(changed)[0])
    assert _metric(at, "Risk with these values") == fmt_pct(expected, "en")


@pytest.mark.slow
def test_tier_filter_narrows_the_action_list(app_test, tiny_model, sample_scores):
    at = _with_model(app_test, tiny_model)
    at.pills(key="actions_tiers").set_value(["high"]).run()
    assert not at.exception
    high = int((sample_scores["tier"] == "high").sum())
    everyone = fmt_number(len(sample_scores), "en")
    assert any(f"**{fmt_number(high, 'en')}** of {everyone} active customers" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert len(table) == high and set(table["tier"]) <= {"High"}


@pytest.mark.slow
def test_norwegian_page(app_test, tiny_model):
    at = _with_model(app_test, tiny_model, lang="nb")
    assert at.title[0].value == "Forklaring"  # as the page is named in the sidebar
    reasons = next(m.value for m in at.markdown if m.value.startswith("1. "))
    assert "prosentpoeng" in reasons
    assert "Fra utgangspunktet til denne kundens risiko" in _chart_titles(at)
    assert isinstance(at.dataframe[0].value, pd.DataFrame)


def test_every_string_the_page_and_churn_explain_use_is_translated():
    """Each literal ``"explain.*"`` key in the page and in churn/act/explain.py, churn/act/reasons.py exists in both languages."""
    import re
    from pathlib import Path

    from churn.core.i18n import catalogue

    root = Path(__file__).resolve().parent.parent
    used = set()
    for path in ("pages/explain.py", "churn/act/explain.py", "churn/act/reasons.py"):
        used |= set(re.findall(r'"(explain\.[a-z_0-9]+)"', (root / path).read_text(encoding="utf-8")))
    used |= {f"explain.col_{c}" for c in ("customer_id", "probability", "tier", "value_at_risk")}
    for lang in ("en", "nb"):
        known = catalogue(lang).keys()
        assert not {key for key in used if key not in known and f"{key}_other" not in known}, lang


# ---------------------------------------------------------------- the client's words

#: Canonical names a reader must never see.
INTERNAL = ("tenure_months", "monthly_value", "customer_id", "churned", "start_date", "end_date")


def telco_like(n: int = 300) -> Dataset:
    """A Telco-style customer table (no dates, no events) under the client's own headers.

    Seeded: month-to-month contracts, short tenure and high charges raise churn.
    """
    from churn.core.dataset import CHURN_FROM_LABEL, RoleMapping

    rng = np.random.default_rng(0)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n)
    tenure = rng.integers(1, 72, n).astype(float)
    charges = rng.uniform(20, 110, n).round(2)
    logit = -0.5 + 1.5 * (contract == "Month-to-month") - 0.05 * tenure + 0.02 * (charges - 60)
    churned = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    customers = pd.DataFrame(
        {
            "customer_id": [f"{i:04d}-TLCO" for i in range(n)],
            "churned": churned,
            "tenure_months": tenure,
            "monthly_value": charges,
            "Contract": contract,
            "PaymentMethod": rng.choice(["Electronic check", "Mailed check", "Credit card"], n),
        }
    )
    mapping = RoleMapping(
        customer_id="customerID",
        churn_label="Churn",
        tenure="tenure",
        value="MonthlyCharges",
        segments=("Contract", "PaymentMethod"),
    )
    attributes = ["Contract", "PaymentMethod"]
    return Dataset(customers, None, mapping, attributes, attributes, [], None, CHURN_FROM_LABEL, "telco.csv")


@pytest.fixture(scope="module")
def telco():
    """The Telco-style table and a 20-tree model on it (a customer table trains in a second)."""
    from churn.model.churn_model import ChurnModel

    data = telco_like()
    return data, ChurnModel(iterations=20).fit(data)


def _headers(frame_node) -> list[str]:
    """What a reader sees above each column of an ``st.dataframe``: its configured label, else its name."""
    config = json.loads(frame_node.proto.columns or "{}")
    return [str((config.get(str(c)) or {}).get("label") or c) for c in frame_node.value.columns]


def reader_texts(at) -> list[str]:
    """Every piece of text a reader sees on the page: prose, labels, options, headers, cells, chart words."""
    texts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "success", "title")
        for e in at.get(kind)
    ]
    for kind in ("selectbox", "multiselect", "slider", "number_input", "toggle"):
        for widget in at.get(kind):
            texts.append(widget.label)
            texts.extend(str(o) for o in getattr(widget, "options", []) or [])
    texts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        texts += _headers(frame)
        texts += [str(v) for v in frame.value.select_dtypes(exclude="number").to_numpy().ravel()]
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        texts.append(json.dumps(spec.get("title"), ensure_ascii=False))
        for data in (spec.get("datasets") or {}).values():
            texts += [str(row.get("label", "")) for row in data]
    return texts


@pytest.mark.slow
def test_a_client_file_reads_in_the_clients_words(app_test, telco):
    """Telco's headers ('tenure', 'MonthlyCharges') show wherever a column is read; no internal name does."""
    data, model = telco
    at = app_test(dataset=data, model=model)
    at.switch_page(PAGE)
    settle(at)
    texts = reader_texts(at)
    assert "tenure" in at.selectbox(key="explain_dependence_feature").options
    assert "MonthlyCharges" in at.selectbox(key="explain_dependence_feature").options
    reasons = next(m.value for m in at.markdown if m.value.startswith("1. ")).replace("\\", "")
    assert "tenure: " in reasons or "MonthlyCharges: " in reasons
    leaked = sorted({name for name in INTERNAL for text in texts if name in text})
    assert leaked == [], leaked


# ---------------------------------------------------------------- computed once per model, in the background


@pytest.fixture
def counted(monkeypatch):
    """Calls of the expensive churn functions behind the pages, counted through wrappers."""
    import functools

    from churn.model.churn_model import ChurnModel
    from pages import common

    calls = {"explain_active": 0, "reasons_of_everyone": 0, "scoring_features": 0}

    def counting(name, fn):
        @functools.wraps(fn)  # keeps the signature, so the job runner still passes ``progress``
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    for name in ("explain_active", "reasons_of_everyone"):
        monkeypatch.setattr(common, name, counting(name, getattr(common, name)))
    monkeypatch.setattr(
        ChurnModel, "scoring_features", counting("scoring_features", ChurnModel.scoring_features)
    )
    return calls


def _explained_result():
    """The cached result the page draws from: the finished explain job's Explained."""
    from churn.act.explained import Explained

    done = [job.result for job in jobs.RUNNER.jobs() if isinstance(job.result, Explained)]
    return done[-1]


@pytest.mark.slow
def test_reruns_and_other_customers_never_compute_again(app_test, tiny_model, counted, sample_scores):
    """Scores, SHAP values and reasons are made once per model; touching widgets only looks them up."""
    at = _with_model(app_test, tiny_model)
    assert counted == {"explain_active": 1, "reasons_of_everyone": 1, "scoring_features": 1}
    at.run()
    at.selectbox(key="explain_customer").set_value(sample_scores.iloc[5]["customer_id"]).run()
    at.selectbox(key="explain_dependence_feature").select_index(1).run()
    at.pills(key="actions_tiers").set_value(["high"]).run()
    at.switch_page("pages/model.py").run()  # the Model page draws from the same results
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert counted == {"explain_active": 1, "reasons_of_everyone": 1, "scoring_features": 1}
    assert not [job for job in jobs.RUNNER.jobs() if job.active], "no job was started again"


@pytest.mark.slow
def test_the_page_shows_progress_then_fills_in(app_test, tiny_model, counted):
    """While another job holds the single worker the page says it waits, with a progress bar;
    once the work is done the tabs appear. The work ran off the page thread, in the job."""
    import threading

    at = app_test(model=tiny_model)
    at.switch_page(PAGE)
    gate = threading.Event()
    blocker = jobs.submit(gate.wait, 120)
    try:
        at.run()
        assert not at.exception, at.exception
        bars = at.get("progress")
        assert len(bars) == 1 and re.match(r"In line: [1-9]\d* ahead of this one", bars[0].proto.text)
        assert any("once per model, in the background" in c.value for c in at.caption)
        assert not at.tabs and not at.get("vega_lite_chart")
        assert counted["explain_active"] == 0, "nothing was computed on the page thread"
    finally:
        gate.set()
    assert jobs.RUNNER.wait(blocker, timeout=30).finished_ok
    settle(at)
    assert not at.get("progress")
    assert [tab.label for tab in at.tabs] == ["What drives risk", "One customer", "Action list"]
    assert counted == {"explain_active": 1, "reasons_of_everyone": 1, "scoring_features": 1}


@pytest.mark.slow
def test_cached_shap_rows_and_base_give_the_shown_customers_risk(app_test, tiny_model):
    """For the customer on screen: base + sum of the cached SHAP row is the model's own log-odds
    (CatBoost's RawFormulaVal on that customer's features), and its sigmoid the risk shown."""
    at = _with_model(app_test, tiny_model)
    customer = at.selectbox(key="explain_customer").value
    explained = _explained_result()
    row = explained.features.loc[[customer]]
    raw = float(explain.raw_prediction(tiny_model, row)[0])
    cached = explained.base + float(explained.shap.loc[customer].sum())
    assert cached == pytest.approx(raw, abs=1e-9)
    assert _metric(at, "Churn risk") == fmt_pct(1 / (1 + np.exp(-cached)), "en")
    assert _metric(at, "Churn risk") == fmt_pct(float(tiny_model.predict_proba(row)[0]), "en")
