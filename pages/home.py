"""Start: what the workshop does, its seven steps, how far this workspace has come, what comes next."""

from __future__ import annotations

import streamlit as st

from churn.core.formatting import fmt_number
from churn.workspace import store
from pages import common

common.ensure_router(__file__)

tr = common.tr

#: (step, page file, icon), in the order a workshop walks them.
STEPS = (
    ("data", "pages/data.py", ":material/upload_file:"),
    ("when", "pages/when.py", ":material/calendar_month:"),
    ("why", "pages/why.py", ":material/troubleshoot:"),
    ("model", "pages/model.py", ":material/model_training:"),
    ("explain", "pages/explain.py", ":material/lightbulb:"),
    ("roi", "pages/roi.py", ":material/savings:"),
    ("report", "pages/report.py", ":material/description:"),
)
#: How a step stands in this workspace: done, ready to open, or waiting for an earlier step.
DONE, READY, WAITING, NOT_APPLICABLE = "done", "ready", "waiting", "not_applicable"
_MARK = {DONE: ":material/check_circle:", READY: ":material/radio_button_unchecked:",
         WAITING: ":material/schedule:", NOT_APPLICABLE: ":material/block:"}  # fmt: skip


def step_states() -> dict[str, tuple[str, str]]:
    """``{step: (state, sentence)}`` for this workspace: what is done and what each step needs."""
    data = common.current_dataset()
    if data is None:
        need = tr("home.needs_data")
        return {"data": (READY, tr("home.data_ready"))} | {
            step: (READY if step == "roi" else WAITING, tr("home.roi_ready") if step == "roi" else need)
            for step, _, _ in STEPS[1:]
        }
    customers = fmt_number(len(data.customers), common.lang())
    model = common.current_model()
    scenarios = store.list_scenarios(common.workspace())
    states = {"data": (DONE, tr("home.data_done", name=common.dataset_name(data.name), customers=customers))}
    states["when"] = (
        (READY, tr("home.when_ready")) if data.has_dates else (NOT_APPLICABLE, tr("home.when_no_dates"))
    )
    states["why"] = (READY, tr("home.why_ready"))
    if model is None:
        states["model"] = (READY, tr("home.model_ready"))
        states["explain"] = (WAITING, tr("home.needs_model"))
    else:
        auc = fmt_number(model.metrics_.get("auc"), common.lang(), 3)
        verdict = "home.model_done" if model.has_signal else "home.model_no_signal"
        states["model"] = (DONE, tr(verdict, auc=auc))
        states["explain"] = (READY, tr("home.explain_ready"))
    states["roi"] = (
        (DONE, tr("home.roi_done", count=fmt_number(len(scenarios), common.lang())))
        if scenarios
        else (READY, tr("home.roi_ready"))
    )
    states["report"] = (READY, tr("home.report_ready"))
    return states


def next_step(states: dict[str, tuple[str, str]]) -> str | None:
    """The first step that can be done now and is not done yet (the report last of all)."""
    for step, _, _ in STEPS:
        if states[step][0] == READY:
            return step
    return None


# ------------------------------------------------------------ page

st.title(tr("home.title"))
st.markdown(tr("home.intro"))
states = step_states()
upcoming = next_step(states)

if common.current_dataset() is None:
    left, right = st.columns(2)
    if left.button(tr("home.use_sample"), type="primary", icon=":material/science:", width="stretch"):
        common.use_sample()
        st.rerun()
    right.page_link("pages/data.py", label=tr("home.upload"), icon=":material/upload_file:")
elif upcoming is not None:
    page = {step: path for step, path, _ in STEPS}[upcoming]
    if st.button(
        tr("home.next", step=tr(f"nav.{upcoming}")), type="primary", icon=":material/arrow_forward:"
    ):
        st.switch_page(page)

st.subheader(tr("home.steps"))
rows = (STEPS[:4], STEPS[4:])
for row in rows:
    cols = st.columns(4)
    for col, (number, (step, path, icon)) in zip(
        cols, enumerate(row, start=1 + STEPS.index(row[0])), strict=False
    ):
        status, sentence = states[step]
        with col.container(border=True, height="stretch"):
            st.page_link(path, label=f"{number} · {tr(f'nav.{step}')}", icon=icon)
            st.caption(tr(f"home.what_{step}"))
            st.markdown(f"{_MARK[status]} {tr(f'home.state_{status}')}: {sentence}")
