"""AppTest of the Report page: generate gives download buttons and a preview; empty state; Norwegian."""

from __future__ import annotations

import pytest

from churn.core.i18n import t

PAGE = "pages/report.py"


@pytest.fixture(scope="module")
def small_sample(sample_dataset):
    """The first 300 customers of the sample and their events: a report in about a second."""
    customers = sample_dataset.customers.head(300).reset_index(drop=True)
    events = sample_dataset.events[sample_dataset.events["customer_id"].isin(customers["customer_id"])]
    return sample_dataset.evolve(customers=customers, events=events.reset_index(drop=True), name="sample-300")


def _open(at):
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


@pytest.mark.slow
def test_generate_gives_downloads_and_a_preview(app_test, small_sample):
    at = _open(app_test(dataset=small_sample))
    assert at.title[0].value == t("report.page_title", "en")
    assert not at.get("download_button")  # nothing to download before Generate
    assert t("report.page_no_model", "en") in _texts(at)

    _button(at, t("report.page_generate", "en")).click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("report.page_download_html", "en") in labels
    preview = at.dataframe[0].value
    figures = dict(zip(preview.iloc[:, 0], preview.iloc[:, 1], strict=True))
    assert figures[t("report.fig_customers", "en")] == "300"
    contents = _texts(at)
    for key in ("data", "when", "why", "model", "customers", "roi", "settings"):
        assert t(f"report.section_{key}", "en") in contents


def test_norwegian_sections_and_pseudonyms(app_test, small_sample):
    at = _open(app_test(dataset=small_sample, lang="nb"))
    at.multiselect(key="report_sections").set_value(["when", "roi"])
    at.toggle(key="report_pseudo").set_value(True)
    _button(at, t("report.page_generate", "nb")).click().run()
    assert not at.exception, at.exception
    contents = _texts(at)
    assert t("report.section_when", "nb") in contents and t("report.section_settings", "nb") in contents
    assert t("report.section_why", "nb") not in contents
    assert t("report.page_download_html", "nb") in [b.proto.label for b in at.get("download_button")]
    # The pseudonym key is kept in the workspace so ids match the action-list export.
    from churn.workspace import store

    assert store.get_settings(at.session_state["ws"]).get("pseudonym_secret")


def test_empty_workspace_says_what_to_do(app_test):
    at = _open(app_test(dataset=None))
    assert t("common.no_dataset", "en") in _texts(at)
    assert not at.get("download_button")
