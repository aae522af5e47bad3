"""The Model page with a tiny pre-trained model saved in the workspace (no training in UI tests)."""

from __future__ import annotations

import re

import pytest

from churn.model.churn_model import ChurnModel
from churn.workspace import jobs
from tests.conftest import save_model


@pytest.fixture(scope="session")
def sample_model(sample_dataset) -> ChurnModel:
    """A tiny model on the sample (20 trees, 6 cutoffs), trained once per session."""
    return ChurnModel(iterations=20, n_cutoffs=6).fit(sample_dataset)


def settle(at, timeout: float = 120):
    """Run the page until its background jobs are done (the progress fragment's reruns, by hand)."""
    at.run()
    while active := [job for job in jobs.RUNNER.jobs() if job.active]:
        for job in active:
            assert jobs.RUNNER.wait(job.id, timeout=timeout).finished_ok, job.id
        at.run()
    return at


def _with_model(at, model):
    save_model(at.session_state["ws"], at.session_state["dataset_id"], model)
    at.switch_page("pages/model.py")
    return settle(at)


def test_page_shows_verdict_metrics_and_scored_customers(app_test, sample_model, sample_dataset):
    at = _with_model(app_test(), sample_model)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert {"ROC-AUC", "PR-AUC", "Precision", "Recall", "False alarms", "Brier score"} <= set(labels)
    assert any("CatBoost" in s.value and "AUC" in s.value for s in [*at.success, *at.warning])
    scored = at.dataframe[-1].value
    assert len(scored) == len(sample_dataset.active_customers())
    assert scored["probability"].is_monotonic_decreasing
    assert any("riskiest 10%" in i.value for i in at.info)


def test_moving_the_threshold_changes_the_metrics(app_test, sample_model):
    at = _with_model(app_test(), sample_model)
    recall_before = next(m.value for m in at.metric if m.label == "Recall")
    at.slider[0].set_value(95).run()
    assert not at.exception
    recall_after = next(m.value for m in at.metric if m.label == "Recall")
    assert recall_after != recall_before


def test_tiers_are_shared_with_explain_and_saved_in_the_workspace(app_test, sample_model):
    """Changing "Low from" to 20% puts the tiers in session state and the workspace settings."""
    from churn.workspace import store

    at = _with_model(app_test(), sample_model)
    assert at.session_state["tiers"] == {"low": 0.3, "medium": 0.5, "high": 0.7}
    at.number_input(key="tier_low_from").set_value(20).run()
    assert not at.exception
    expected = {"low": 0.2, "medium": 0.5, "high": 0.7}
    assert at.session_state["tiers"] == expected
    assert store.get_settings(at.session_state["ws"])["tiers"] == expected
    assert "20" in at.dataframe[-2].value.iloc[0].tolist()[1]  # the action table shows the new range


def test_saved_tiers_are_loaded_on_the_next_visit(app_test, sample_model):
    from churn.workspace import store

    at = app_test()
    store.update_settings(at.session_state["ws"], tiers={"low": 0.25, "medium": 0.45, "high": 0.8})
    at = _with_model(at, sample_model)
    assert not at.exception
    assert at.number_input(key="tier_high_from").value == 80
    scored = at.dataframe[-1].value
    risk = scored["probability"].str.rstrip("%").astype(float)  # "  80.3%": a text that sorts like the number
    assert (scored.loc[risk >= 80, "tier"] == "High").all()


def test_tiers_that_do_not_rise_are_refused_with_a_sentence(app_test, sample_model):
    at = _with_model(app_test(), sample_model)
    at.number_input(key="tier_medium_from").set_value(20).run()
    assert not at.exception
    assert any("rise from low" in e.value for e in at.error)
    assert at.session_state["tiers"] == {"low": 0.3, "medium": 0.5, "high": 0.7}


def test_norwegian_page_speaks_norwegian(app_test, sample_model):
    at = _with_model(app_test(lang="nb"), sample_model)
    assert not at.exception
    assert at.title[0].value.startswith("Modell")
    assert "Presisjon" in [m.label for m in at.metric]


@pytest.mark.parametrize("lang,number", [("en", r"\d\.\d{3}"), ("nb", r"\d,\d{3}")])
def test_the_page_reads_in_its_language_and_never_cites_our_sources(app_test, sample_model, lang, number):
    """The comparison with the baselines shows 0.907 in English and 0,907 in Norwegian, like the
    metrics above it; no sentence on the screen names our seed articles."""
    at = _with_model(app_test(lang=lang), sample_model)
    compare = at.dataframe[0].value
    assert compare.shape == (7, 3)
    assert compare.stack().str.fullmatch(number).all(), compare
    texts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.success, *at.warning)]
    texts += [e.label for e in at.expander] + [m.help or "" for m in at.metric]
    assert not [text for text in texts if "seed 00" in text.lower()]


def test_without_a_model_the_page_says_what_to_do(app_test):
    at = app_test()
    at.switch_page("pages/model.py")
    at.run()
    assert not at.exception
    assert any("No model yet" in i.value for i in at.info)
    assert any(b.label == "Train model" for b in at.button)
    multiselect = at.multiselect[0]
    assert "churn_reason" in multiselect.value


def test_without_data_the_page_points_to_the_data_page(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/model.py")
    at.run()
    assert not at.exception
    assert any("No dataset yet" in i.value for i in at.info)


def test_a_training_started_on_one_dataset_never_shows_as_another(app_test, sample_dataset, monkeypatch):
    """Train on A, switch the sidebar to B before it finishes: B shows no model of A's, ever.

    A first job holds the single training worker, so A's training is still waiting when
    the sidebar moves to B; then the worker is freed and the real (20-tree) training runs.
    """
    import threading

    from churn.model import churn_model
    from churn.workspace import jobs, store

    monkeypatch.setitem(churn_model.SPEEDS, "balanced", 20)
    at = app_test(dataset=sample_dataset.evolve(name="Dataset A"))
    token, a_id = at.session_state["ws"], at.session_state["dataset_id"]
    b_id = store.save_dataset(token, sample_dataset.evolve(name="Dataset B"))
    at.switch_page("pages/model.py").run()
    gate = threading.Event()
    blocker = jobs.submit(gate.wait, 120)
    try:
        next(b for b in at.button if b.label == "Train model").click().run()
        training = at.session_state["model_job"]
        assert training["dataset_id"] == a_id
        at.session_state["dataset_id"] = b_id  # as the sidebar's dataset picker does
        at.run()
        assert not at.exception
        assert any("Training a model for “Dataset A”" in i.value for i in at.info)
        assert not at.metric and not at.success, "nothing of A's is shown as B's"
    finally:
        gate.set()
    assert jobs.RUNNER.wait(blocker, timeout=30).finished_ok
    assert jobs.RUNNER.wait(training["job"], timeout=180).finished_ok
    at.run()
    assert not at.exception
    assert any("The model for “Dataset A” was trained" in t.value for t in at.toast)
    assert store.latest_model_id(token, b_id) is None and store.latest_model_id(token, a_id) is not None
    assert not at.metric and at.info[-1].value.startswith("No model")

    at.session_state["dataset_id"] = a_id
    at.run()
    assert not at.exception
    assert any("CatBoost" in s.value for s in [*at.success, *at.warning])


# ---------------------------------------------------------------- scores once per model, in the background


def test_scores_come_from_one_background_job_and_a_rerun_never_scores_again(
    app_test, sample_model, monkeypatch
):
    """While the single worker is busy the scored list says it waits, and the rest of the page
    (verdict, metrics, threshold) is already there; then the list appears. Reruns, a new
    threshold and new tier bounds look the scores up: features are built once."""
    import functools
    import threading

    calls = []
    original = ChurnModel.scoring_features

    @functools.wraps(original)
    def counting(self, dataset):
        calls.append(threading.current_thread().name)
        return original(self, dataset)

    monkeypatch.setattr(ChurnModel, "scoring_features", counting)
    gate = threading.Event()
    blocker = jobs.submit(gate.wait, 120)
    try:
        at = app_test()
        save_model(at.session_state["ws"], at.session_state["dataset_id"], sample_model)
        at.switch_page("pages/model.py").run()
        assert not at.exception, at.exception
        assert "Recall" in [m.label for m in at.metric], "the rest of the page is usable meanwhile"
        bars = at.get("progress")
        assert len(bars) == 1 and re.match(r"In line: [1-9]\d* ahead of this one", bars[0].proto.text)
        assert any("as soon as every active customer is scored" in c.value for c in at.caption)
        assert calls == []
    finally:
        gate.set()
    assert jobs.RUNNER.wait(blocker, timeout=30).finished_ok
    settle(at)
    assert not at.get("progress")
    assert at.dataframe[-1].value["probability"].is_monotonic_decreasing
    at.slider[0].set_value(95).run()
    at.number_input(key="tier_low_from").set_value(20).run()
    at.run()
    assert not at.exception, at.exception
    assert len(calls) == 1 and calls[0].startswith("churn-job"), "scored once, off the page thread"


def test_no_signal_is_said_plainly_and_the_tiers_are_not_findings(app_test):
    """Pure noise: the verdict says nothing predicts leaving and what would help; the scored list
    and the Explain page carry the notice that their tiers are not findings (Norwegian UI)."""
    from churn.core.i18n import t
    from tests.test_model_quality import noise_dataset

    data = noise_dataset()
    model = ChurnModel(iterations=30).fit(data)
    assert model.recommendation_["reason"] == "no_signal"
    at = app_test(dataset=data, model=model, lang="nb")
    at.switch_page("pages/model.py")
    settle(at)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Ingenting i disse dataene forutsier") and "hendelseslogg" in w for w in warnings)
    assert t("model.no_signal_notice", "nb") in warnings
    assert not at.success  # nothing is presented as a success
    at.switch_page("pages/explain.py")
    settle(at)
    assert t("explain.no_signal_notice", "nb") in [w.value for w in at.warning]
