"""Workshop report: pick options, generate once, download HTML (and PDF); preview the contents."""

from __future__ import annotations

import json
import re

import pandas as pd
import streamlit as st

from churn.core.errors import ChurnError
from churn.core.i18n import LANGUAGE_NAMES, LANGUAGES, t
from churn.report.builder import SECTIONS, make_report, pdf_available, report_pdf
from churn.workspace import store
from pages import common, display, state

common.ensure_router(__file__)

tr = common.tr
TTL, ENTRIES = 1800, 6


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _build(
    version,
    model_key,
    lang: str,
    pseudonymise: bool,
    sections: tuple,
    scenarios: str,
    currency: str,
    _dataset,
    _model,
    _secret,
) -> dict:
    """The report for one (dataset, model, options); the cache keeps a few per server."""
    report = make_report(
        _dataset,
        lang=lang,
        model=_model,
        scenarios=json.loads(scenarios),
        pseudonymise_ids=pseudonymise,
        secret=_secret,
        sections=sections,
        currency=currency,
    )
    return {"html": report.html, "sections": report.sections, "key_numbers": report.key_numbers}


def _scenarios() -> list[dict]:
    """The saved ROI scenarios, and the one on the ROI page when it is none of them (marked unsaved)."""
    saved = store.list_scenarios(common.workspace())
    on_screen = state.ROI_PARAMS.get()
    if on_screen and all((s.get("params") or {}) != on_screen for s in saved):
        saved = [*saved, {"name": "", "params": dict(on_screen), "unsaved": True}]
    return saved


@st.cache_data(ttl=3600, show_spinner=False)
def _pdf_ok() -> bool:
    return pdf_available()


def _file_stem(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "dataset"
    return f"churn-report-{slug}"


def _options() -> dict:
    ui = common.lang()  # bound now: format functions may be called outside this script run
    left, mid, right = st.columns([1, 1.2, 2], vertical_alignment="bottom")
    language = left.selectbox(
        tr("report.page_language"),
        LANGUAGES,
        index=LANGUAGES.index(common.lang()),
        format_func=LANGUAGE_NAMES.get,
        key=state.Widget.REPORT_LANG,
    )
    pseudonymise = mid.toggle(
        tr("report.page_pseudonymise"),
        value=False,
        help=tr("report.page_pseudonymise_help"),
        key=state.Widget.REPORT_PSEUDO,
    )
    sections = right.multiselect(
        tr("report.page_sections"),
        SECTIONS,
        default=list(SECTIONS),
        format_func=lambda key: t(f"report.section_{key}", ui),
        help=tr("report.page_sections_help"),
        key=state.Widget.REPORT_SECTIONS,
        placeholder=common.tr_text("common.choose"),
    )
    return {"lang": language, "pseudonymise": bool(pseudonymise), "sections": tuple(sections)}


def _preview(result: dict) -> None:
    st.subheader(tr("report.page_preview"))
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"**{tr('report.contents')}**")
        st.markdown(
            "\n".join(
                f"{i}. {common.plain(title)}" for i, (_, title) in enumerate(result["sections"], start=1)
            )
        )
    with right:
        # Labels may hold scenario names from the workspace: shown as plain table cells, never markdown.
        figures = pd.DataFrame(
            result["key_numbers"], columns=[tr("report.col_measure"), tr("report.col_value")]
        )
        st.dataframe(figures, hide_index=True, width="stretch")


st.title(tr("report.page_title"))
st.caption(tr("report.page_intro"))
dataset = common.require_dataset()
model = common.current_model()
options = _options()
if model is None:
    st.info(tr("report.page_no_model"), icon=":material/info:")

if st.button(
    tr("report.page_generate"),
    type="primary",
    icon=":material/description:",
    key=state.Widget.REPORT_GENERATE,
):
    if not options["sections"]:
        st.warning(tr("report.page_pick_sections"))
    else:
        state.REPORT_OPTIONS.set(options)

chosen = state.REPORT_OPTIONS.get()
if chosen and chosen["sections"]:
    scenarios = _scenarios() if "roi" in chosen["sections"] else []
    secret = common.pseudonym_secret() if chosen["pseudonymise"] else None
    try:
        with st.spinner(tr("report.page_building")):
            result = _build(
                common.dataset_key(),
                common.model_key(model),
                chosen["lang"],
                chosen["pseudonymise"],
                chosen["sections"],
                json.dumps(scenarios, sort_keys=True, default=str),
                display.currency(),
                dataset,
                model,
                secret,
            )
    except ChurnError as error:
        common.show_error(error)
        st.stop()
    if chosen != options:
        st.caption(tr("report.page_stale"))
    stem = _file_stem(dataset.name)
    html = result["html"]
    buttons = st.container(horizontal=True)
    buttons.download_button(
        tr("report.page_download_html"),
        data=html.encode("utf-8"),
        file_name=f"{stem}.html",
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key=state.Widget.REPORT_DOWNLOAD_HTML,
    )
    if _pdf_ok():
        buttons.download_button(
            tr("report.page_download_pdf"),
            data=lambda: report_pdf(html),  # made only when clicked: printing takes a few seconds
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            key=state.Widget.REPORT_DOWNLOAD_PDF,
        )
    else:
        buttons.caption(tr("report.page_no_pdf"))
    st.caption(tr("report.page_offline"))
    _preview(result)
