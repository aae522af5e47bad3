"""Data page: upload a customer table and/or an event log (or the sample), confirm roles, see data quality."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from churn.core.dataset import EVENT_KINDS, RoleMapping
from churn.core.errors import ChurnError
from churn.core.formatting import fmt_date, fmt_number, fmt_pct
from churn.ingest.intake import build_dataset, guess_roles, load_sample, read_table
from churn.ingest.quality import profile
from churn.ingest.roles import event_kind
from churn.workspace import store
from pages import common, state

common.ensure_router(__file__)

tr = common.tr
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet"]
CUSTOMER_ROLES = ("customer_id", "churn_label", "end_date", "start_date", "tenure", "value")
EVENT_ROLES = ("event_customer_id", "event_timestamp", "event_type", "event_amount", "event_days_late")
ICONS = {"pass": ":material/check_circle:", "warn": ":material/warning:", "fail": ":material/cancel:"}
COLOURS = {"pass": "green", "warn": "orange", "fail": "red"}
PREVIEW_ROWS = 20


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _read(data: bytes, name: str) -> pd.DataFrame:
    return read_table(data, name)


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _guess(_customers: pd.DataFrame | None, _events: pd.DataFrame | None, version: str) -> dict:
    return guess_roles(_customers, _events).to_dict()


@st.cache_resource(max_entries=1, ttl=3600, show_spinner=False)
def _sample():
    return load_sample()


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _profile(_dataset, key: tuple, lang: str) -> dict:
    return profile(_dataset, lang)


def _save(dataset, report: dict | None = None) -> None:
    """Store the dataset in the workspace, make it current, remember the fresh report."""
    dataset_id = store.save_dataset(common.workspace(), dataset)
    common.select_dataset(dataset_id)
    if report is not None:
        state.UPLOAD_REPORT.set({"id": dataset_id, "lang": common.lang(), "report": report})


def _uploads() -> tuple:
    left, right = st.columns(2)
    customers = left.file_uploader(
        tr("data.customers_upload"),
        type=FILE_TYPES,
        help=tr("data.customers_upload_help"),
        key=state.Widget.UPLOAD_CUSTOMERS,
    )
    events = right.file_uploader(
        tr("data.events_upload"),
        type=FILE_TYPES,
        help=tr("data.events_upload_help"),
        key=state.Widget.UPLOAD_EVENTS,
    )
    return customers, events


def _read_uploads(customers_file, events_file) -> tuple[pd.DataFrame | None, pd.DataFrame | None] | None:
    """Parse the uploads (cached); one st.error sentence and None on bad input."""
    try:
        with st.spinner(tr("data.reading")):
            customers = _read(customers_file.getvalue(), customers_file.name) if customers_file else None
            events = _read(events_file.getvalue(), events_file.name) if events_file else None
    except ChurnError as error:
        common.show_error(error)
        return None
    return customers, events


def _select(
    label: str, columns: list[str], guess: str | None, key: str, help: str | None = None
) -> str | None:
    options = [None, *columns]
    index = options.index(guess) if guess in options else 0
    none = tr("data.none")  # bound now: Streamlit may format options after the run
    return st.selectbox(
        label,
        options,
        index=index,
        key=key,
        help=help,
        format_func=lambda c: none if c is None else c,
    )


def _event_map_editor(events: pd.DataFrame, column: str | None, guess: dict, key: str) -> dict[str, str]:
    if column is None or column not in events:
        return {}
    st.markdown(f"**{tr('data.event_map_title')}**")
    st.caption(tr("data.event_map_help"))
    labels = {kind: tr(f"data.kind_{kind}") for kind in EVENT_KINDS}
    back = {label: kind for kind, label in labels.items()}
    raw = sorted(events[column].dropna().astype(str).unique())[:200]
    table = pd.DataFrame({"raw": raw, "kind": [labels[guess.get(v) or event_kind(v)] for v in raw]})
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=["raw"],
        key=key,
        column_config={
            "raw": st.column_config.TextColumn(tr("data.col_raw")),
            "kind": st.column_config.SelectboxColumn(tr("data.col_kind"), options=list(back), required=True),
        },
    )
    return {str(r): back.get(k, "other") for r, k in zip(edited["raw"], edited["kind"], strict=True)}


def _role_form(customers, events, guess: dict, version: str) -> RoleMapping:
    st.subheader(tr("data.roles_title"))
    st.caption(tr("data.roles_help"))
    roles: dict = {}
    if customers is not None:
        st.markdown(f"**{tr('data.customer_roles')}**")
        columns = list(customers.columns)
        cells = st.columns(3)
        for i, role in enumerate(CUSTOMER_ROLES):
            with cells[i % 3]:
                help_text = tr("data.role_churn_help") if role in ("churn_label", "end_date") else None
                roles[role] = _select(
                    tr(f"data.role_{role}"),
                    columns,
                    guess.get(role),
                    state.role_widget(role, version),
                    help_text,
                )
        chosen = set(roles.values())
        roles["segments"] = tuple(
            st.multiselect(
                tr("data.role_segments"),
                [c for c in columns if c not in chosen],
                default=[c for c in guess.get("segments", []) if c not in chosen],
                key=state.role_widget("segments", version),
            )
        )
    if events is not None:
        st.markdown(f"**{tr('data.event_roles')}**")
        columns = list(events.columns)
        cells = st.columns(3)
        for i, role in enumerate(EVENT_ROLES):
            with cells[i % 3]:
                roles[role] = _select(
                    tr(f"data.role_{role}"), columns, guess.get(role), state.role_widget(role, version)
                )
        roles["event_type_map"] = _event_map_editor(
            events, roles["event_type"], guess.get("event_type_map", {}), state.event_map_widget(version)
        )
    return RoleMapping(**roles)


def _preview(frame: pd.DataFrame | None, key: str) -> None:
    if frame is None:
        return
    with st.expander(tr(key, rows=fmt_number(len(frame), common.lang()), columns=len(frame.columns))):
        st.dataframe(frame.head(PREVIEW_ROWS), hide_index=True)


def _definition(dataset) -> str:
    lang = common.lang()
    as_of = fmt_date(dataset.as_of, lang) if dataset.as_of is not None else tr("data.as_of_unknown")
    mapping = dataset.mapping
    if dataset.churn_definition == "label":
        return tr("data.definition_label", column=mapping.churn_label)
    if dataset.churn_definition == "end_date":
        return tr("data.definition_end_date", column=mapping.end_date, as_of=as_of)
    return tr("data.definition_inactivity", days=mapping.inactivity_days, as_of=as_of)


def _report(dataset) -> None:
    """Summary metrics, the verdict and one line per check for the current dataset."""
    lang = common.lang()
    fresh = state.UPLOAD_REPORT.get()
    key = common.dataset_key()
    if fresh and key and fresh["id"] == key[1] and fresh["lang"] == lang:
        report = fresh["report"]
    else:
        report = _profile(dataset, key, lang)
    st.subheader(tr("data.report_title", name=dataset.name))
    cells = st.columns(5)
    history = report["history_months"]
    cells[0].metric(tr("data.metric_customers"), fmt_number(report["customers"], lang))
    cells[1].metric(tr("data.metric_churned"), fmt_number(report["churned"], lang))
    cells[2].metric(tr("data.metric_churn_rate"), fmt_pct(report["churn_rate"], lang))
    cells[3].metric(tr("data.metric_history"), "–" if history is None else fmt_number(history, lang))
    cells[4].metric(tr("data.metric_events"), fmt_number(report["events"], lang))
    st.caption(_definition(dataset))
    verdict = report["verdict"]
    message = f"**{tr('data.verdict_' + verdict)}.** {tr('quality.verdict_' + verdict)}"
    {"pass": st.success, "warn": st.warning, "fail": st.error}[verdict](message, icon=ICONS[verdict])
    for check in report["checks"]:
        status = check["status"]
        st.markdown(
            f":{COLOURS[status]}[{ICONS[status]}] **{tr('quality.name_' + check['name'])}:** "
            + common.plain(check["message"])
        )
    with st.expander(tr("data.roles_saved")):
        st.json(report["roles"])


def main() -> None:
    st.title(tr("data.title"))
    st.caption(tr("data.intro"))
    dataset = common.current_dataset()
    with st.container(border=True):
        customers_file, events_file = _uploads()
        if st.button(tr("data.use_sample"), help=tr("data.sample_help"), icon=":material/dataset:"):
            _save(_sample())
            state.UPLOAD_REPORT.pop()
            st.toast(tr("data.sample_loaded"), icon=":material/check:")
            dataset = common.current_dataset()
    if customers_file or events_file:
        parsed = _read_uploads(customers_file, events_file)
        if parsed is not None:
            _confirm_flow(*parsed, customers_file, events_file)
            dataset = common.current_dataset()
    elif dataset is None:
        st.info(tr("data.empty_state"), icon=":material/upload_file:")
    if dataset is not None:
        _report(dataset)


def _confirm_flow(customers, events, customers_file, events_file) -> None:
    names = [f.name for f in (customers_file, events_file) if f is not None]
    digest = hashlib.sha1()
    for upload in (customers_file, events_file):
        digest.update(b"-" if upload is None else upload.name.encode() + upload.getvalue())
    version = digest.hexdigest()[:12]
    _preview(customers, "data.preview_customers")
    _preview(events, "data.preview_events")
    guess = _guess(customers, events, version)
    with st.form(state.role_form(version), border=False):
        mapping = _role_form(customers, events, guess, version)
        name = st.text_input(
            tr("data.name"),
            value=" + ".join(n.rsplit(".", 1)[0] for n in names),
            key=state.dataset_name_widget(version),
        )
        confirmed = st.form_submit_button(tr("data.confirm"), type="primary", icon=":material/check:")
    if not confirmed:
        return
    try:
        dataset = build_dataset(customers, events, mapping, name=name.strip() or "dataset")
        report = profile(dataset, common.lang(), raw_customers=customers, raw_events=events)
    except ChurnError as error:
        common.show_error(error)
        return
    _save(dataset, report)
    st.success(
        tr("data.saved", name=dataset.name, customers=fmt_number(len(dataset.customers), common.lang()))
    )


main()
