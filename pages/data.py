"""Data page: upload a customer table and/or an event log (or the sample), confirm roles, see data quality.

The role choices are live widgets, not a form: the label-value editor follows the
chosen churn column, and a trial build (cached per mapping) shows the customers and
leavers those choices give and the leakage suspects to bring back, before the user
confirms. The helpers that draw the evidence live in :mod:`pages.data_roles`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os

import pandas as pd
import streamlit as st

from churn.core.dataset import CHURNED, EVENT_KINDS, RoleMapping
from churn.core.errors import ChurnError
from churn.core.formatting import fmt_date, fmt_number, fmt_pct
from churn.ingest.confirm import confirm_upload
from churn.ingest.intake import build_dataset, read_table
from churn.ingest.labels import classes_of, label_value_counts, label_value_map
from churn.ingest.quality import leak_report, profile
from churn.ingest.roles import event_kind, explain_roles, notes_still_true
from churn.workspace import jobs
from pages import common, data_roles, state

common.ensure_router(__file__)

tr = common.tr
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet"]
CUSTOMER_ROLES = ("customer_id", "churn_label", "end_date", "start_date", "tenure", "value")
EVENT_ROLES = (
    "event_customer_id",
    "event_timestamp",
    "event_type",
    "event_amount",
    "event_quantity",
    "event_unit_price",
    "event_reference",
    "event_days_late",
)
ICONS = {"pass": ":material/check_circle:", "warn": ":material/warning:", "fail": ":material/cancel:"}
COLOURS = {"pass": "green", "warn": "orange", "fail": "red"}
PREVIEW_ROWS = 20
#: uploads bigger than this (the files together; MB in ``$CHURN_HEAVY_UPLOAD_MB``, default 16) are
#: read and saved off the page thread, one at a time per server
HEAVY_BYTES = int(float(os.environ.get("CHURN_HEAVY_UPLOAD_MB", "16")) * (1 << 20))


def _read_file(data: bytes, name: str, file_version: str, sheet: str | None = None) -> pd.DataFrame:
    frame = read_table(data, name, sheet=sheet)
    frame.attrs["file_version"] = file_version
    return frame


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _read_small(_data: bytes, name: str, file_version: str, sheet: str | None = None) -> pd.DataFrame:
    """The upload read once per file content and sheet (the bytes are keyed by their hash, not rehashed)."""
    return _read_file(_data, name, file_version, sheet)


def _read(data: bytes, name: str, file_version: str, sheet: str | None = None) -> pd.DataFrame:
    """The upload as a typed table; a big file is read in the background while the page shows progress.

    The big file's table is shared (never copied) by the reruns that follow: treat it as read-only.
    """
    if len(data) <= HEAVY_BYTES:
        return _read_small(data, name, file_version, sheet)
    frame, job = common.in_background(
        "read", f"{file_version}/{sheet}", _read_file, data, name, file_version, sheet
    )
    if job is not None:
        common.background_progress(job.id, "data.reading_big")
        st.stop()
    return frame


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _evidence(_customers: pd.DataFrame | None, _events: pd.DataFrame | None, version: str):
    return explain_roles(_customers, _events)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _trial(_customers, _events, version: str, mapping: str, lang: str) -> dict | None:
    """Customers, leavers and leakage suspects the mapping (JSON) gives; None when it does not build yet."""
    try:
        dataset = build_dataset(_customers, _events, RoleMapping.from_dict(json.loads(mapping)))
    except ChurnError:
        return None
    return {
        "customers": len(dataset.customers),
        "churned": int(dataset.customers[CHURNED].sum()),
        "leaks": leak_report(dataset, lang),
    }


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _label_table(_customers: pd.DataFrame, version: str, column: str) -> tuple[dict, dict]:
    """Rows per value of the label column and what the words say each means (once per upload and column)."""
    series = _customers[column]
    return label_value_counts(series), label_value_map(series)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _profile(_dataset, key: str, lang: str) -> dict:
    return profile(_dataset, lang)


def _adopt(saved: dict) -> None:
    """Make a saved upload (:func:`churn.ingest.confirm.confirm_upload`) current, with its fresh report."""
    common.select_dataset(saved["id"])
    state.UPLOAD_REPORT.set({"id": saved["id"], "lang": common.lang(), "report": saved["report"]})
    st.success(tr("data.saved", name=saved["name"], customers=fmt_number(saved["customers"], common.lang())))


def _saving_in_background() -> bool:
    """While a big upload is saved in the background, show its progress (True); adopt it when done."""
    saving = state.INTAKE_JOB.get()
    job = None if saving is None else jobs.get(saving["job"])
    if job is not None and job.active:
        common.background_progress(job.id, "data.saving_big")
        return True
    state.INTAKE_JOB.pop()
    if job is not None and job.state == jobs.FAILED:
        common.show_error(job.error_message(common.lang()))
    elif job is not None:
        _adopt(job.result)
    return False


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
    # the upload limit is the server's setting; above it the command line or Parquet helps
    st.caption(tr("data.upload_limit", mb=int(st.get_option("server.maxUploadSize"))))
    return customers, events


def _file_version(upload) -> str:
    return hashlib.sha1(upload.name.encode() + b"\0" + upload.getvalue()).hexdigest()[:12]


def _read_upload(upload, table: str) -> pd.DataFrame | None:
    """Parse one upload (cached); a workbook with several sheets gets a sheet picker first.

    Raises ChurnError for a file that cannot be read (the caller shows it).
    """
    if upload is None:
        return None
    data, version = upload.getvalue(), _file_version(upload)
    frame = _read(data, upload.name, version)
    sheets = [str(s) for s in frame.attrs.get("sheets") or []]
    if len(sheets) > 1:
        read = str(frame.attrs.get("sheet") or sheets[0])
        choice = st.selectbox(
            tr("data.sheet", file=upload.name),
            sheets,
            index=sheets.index(read) if read in sheets else 0,
            key=state.sheet_widget(table, version),
            help=tr("data.sheet_help"),
        )
        if choice != read:
            frame = _read(data, upload.name, version, choice)
    return frame


def _read_uploads(customers_file, events_file) -> tuple[pd.DataFrame | None, pd.DataFrame | None] | None:
    """Parse the uploads; one st.error sentence and None on bad input."""
    try:
        with st.spinner(tr("data.reading")):
            customers = _read_upload(customers_file, "customers")
            events = _read_upload(events_file, "events")
    except ChurnError as error:
        common.show_error(error)
        return None
    return customers, events


def _select(
    label: str,
    columns: list[str],
    guess: str | None,
    key: str,
    help: str | None = None,
    none: str | None = None,
) -> str | None:
    options = [None, *columns]
    index = options.index(guess) if guess in options else 0
    none = none or tr("data.none")  # bound now: Streamlit may format options after the run
    return st.selectbox(
        label,
        options,
        index=index,
        key=key,
        help=help,
        format_func=lambda c: none if c is None else c,
    )


def _role_picker(role: str, columns: list[str], evidence, version: str, **kwargs) -> str | None:
    """One role's picker, starting at the guess, with the guess's reason and confidence beneath."""
    chosen = _select(
        tr(f"data.role_{role}"),
        columns,
        getattr(evidence.mapping, role),
        state.role_widget(role, version),
        **kwargs,
    )
    caption = data_roles.evidence_caption(evidence.guesses.get(role))
    if caption:
        st.caption(caption)
    return chosen


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


def _grid(cells: int, per_row: int = 3) -> list:
    """``cells`` columns, ``per_row`` to a row, so pickers with captions of different length stay aligned."""
    out: list = []
    while len(out) < cells:
        out.extend(st.columns(per_row))
    return out[:cells]


def _customer_roles(customers: pd.DataFrame, evidence, version: str) -> tuple[dict, bool]:
    """Pickers of the customer table's roles, segments, grain and label values; (roles, values changed)."""
    st.markdown(f"**{tr('data.customer_roles')}**")
    columns = [str(c) for c in customers.columns]
    roles: dict = {}
    for role, cell in zip(CUSTOMER_ROLES, _grid(len(CUSTOMER_ROLES)), strict=True):
        with cell:
            roles[role] = _role_picker(
                role,
                columns,
                evidence,
                version,
                help=tr("data.role_churn_help") if role in ("churn_label", "end_date") else None,
                none=tr("data.none_row_numbers") if role == "customer_id" else None,
            )
    taken = set(roles.values())
    roles["segments"] = tuple(
        st.multiselect(
            tr("data.role_segments"),
            [c for c in columns if c not in taken],
            default=[c for c in evidence.mapping.segments if c not in taken],
            key=state.role_widget("segments", version),
            placeholder=common.tr_text("common.choose"),
        )
    )
    roles["grain_key"] = data_roles.grain_choice(evidence.notes, state.grain_widget(version))
    changed = False
    label = roles["churn_label"]
    if label is not None and label in customers.columns:
        guessed = evidence.mapping
        saved = classes_of(guessed) if label == guessed.churn_label else {}
        counts, defaults = _label_table(customers, version, label)
        edited = data_roles.label_editor(
            str(label), counts, defaults, saved, state.label_values_widget(version, label)
        )
        if edited is not None:
            lists, changed = edited
            roles.update(lists)
    return roles, changed


def _event_roles(events: pd.DataFrame, evidence, version: str) -> dict:
    st.markdown(f"**{tr('data.event_roles')}**")
    columns = [str(c) for c in events.columns]
    roles: dict = {}
    for role, cell in zip(EVENT_ROLES, _grid(len(EVENT_ROLES)), strict=True):
        with cell:
            roles[role] = _role_picker(role, columns, evidence, version)
    roles["event_type_map"] = _event_map_editor(
        events, roles["event_type"], evidence.mapping.event_type_map, state.event_map_widget(version)
    )
    return roles


def _role_form(customers, events, evidence, version: str) -> RoleMapping:
    """Every role choice with its evidence, the trial build's counts and leaks; the mapping chosen."""
    st.subheader(tr("data.roles_title"))
    st.caption(tr("data.roles_help"))
    notes_box, asks_box = st.container(), st.container()
    roles: dict = {}
    values_changed = False
    if customers is not None:
        found, values_changed = _customer_roles(customers, evidence, version)
        roles.update(found)
    if events is not None:
        roles.update(_event_roles(events, evidence, version))
    taken = {v for k, v in roles.items() if k != "segments" and isinstance(v, str)}
    roles["segments"] = tuple(s for s in roles.get("segments", ()) if s not in taken)
    mapping = RoleMapping(**roles)
    data_roles.draw_asks(asks_box, evidence, roles)
    notes = notes_still_true(evidence.notes, mapping, values_changed)
    data_roles.draw_notes(notes_box, notes)
    key = json.dumps(mapping.to_dict(), sort_keys=True, default=str)
    trial = _trial(customers, events, version, key, common.lang())
    caption = data_roles.trial_caption(trial)
    if caption:
        st.caption(caption)
    kept = data_roles.leak_choice(trial["leaks"] if trial else [], state.kept_suspects_widget(version))
    return dataclasses.replace(mapping, kept_suspects=kept)


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
        text = tr("data.definition_label", column=mapping.churn_label)
        if mapping.churned_values and not mapping.grain_key:
            text += " " + tr(
                "data.definition_values",
                left=_listed(mapping.churned_values),
                active=_listed(mapping.active_values) or "–",
            )
            if mapping.excluded_values:
                text += " " + tr("data.definition_excluded", values=_listed(mapping.excluded_values))
        return text
    if dataset.churn_definition == "end_date":
        return tr("data.definition_end_date", column=mapping.end_date, as_of=as_of)
    return tr("data.definition_inactivity", days=mapping.inactivity_days, as_of=as_of)


def _listed(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _confirmed_roles(mapping: RoleMapping) -> pd.DataFrame:
    """The confirmed roles as the reader says them: the role in our words, the column in the client's.

    A table (plain text), so the client's names need no escaping.
    """
    say = common.tr_text
    events = say("data.event_roles")
    rows = [(say(f"data.role_{role}"), getattr(mapping, role)) for role in CUSTOMER_ROLES]
    rows += [(f"{events}: {say(f'data.role_{role}')}", getattr(mapping, role)) for role in EVENT_ROLES]
    rows += [
        (say("data.role_segments"), ", ".join(mapping.segments)),
        (say("data.role_grain_key"), mapping.grain_key),
        (say("data.values_left"), ", ".join(mapping.churned_values)),
        (say("data.values_active"), ", ".join(mapping.active_values)),
        (say("data.values_excluded"), ", ".join(mapping.excluded_values)),
        (say("data.role_kept_suspects"), ", ".join(mapping.kept_suspects)),
        (say("data.role_inactivity_days"), mapping.inactivity_days and str(mapping.inactivity_days)),
    ]
    shown = [(role, str(column)) for role, column in rows if column]
    return pd.DataFrame(shown, columns=[say("data.col_role"), say("data.col_column")])


def _report(dataset) -> None:
    """Summary metrics, the verdict and one line per check for the current dataset."""
    lang = common.lang()
    fresh = state.UPLOAD_REPORT.get()
    key = common.dataset_key()
    if fresh and key and fresh["id"] == common.dataset_id() and fresh["lang"] == lang:
        report = fresh["report"]
    else:
        report = _profile(dataset, key, lang)
    st.subheader(tr("data.report_title", name=common.dataset_name(dataset.name)))
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
        st.dataframe(_confirmed_roles(dataset.mapping), hide_index=True)


def main() -> None:
    st.title(tr("data.title"))
    st.caption(tr("data.intro"))
    dataset = common.current_dataset()
    with st.container(border=True):
        customers_file, events_file = _uploads()
        if st.button(tr("data.use_sample"), help=tr("data.sample_help"), icon=":material/dataset:"):
            common.use_sample()
            state.UPLOAD_REPORT.pop()
            st.toast(tr("data.sample_loaded"), icon=":material/check:")
            dataset = common.current_dataset()
    if _saving_in_background():
        return
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
    for frame in (customers, events):  # each file's content hash and the sheet read from it
        attrs = {} if frame is None else frame.attrs
        digest.update(f"{attrs.get('file_version')}/{attrs.get('sheet')}".encode())
    version = digest.hexdigest()[:12]
    _preview(customers, "data.preview_customers")
    _preview(events, "data.preview_events")
    evidence = _evidence(customers, events, version)
    with st.container(key=state.role_form(version)):
        mapping = _role_form(customers, events, evidence, version)
        name = st.text_input(
            tr("data.name"),
            value=" + ".join(n.rsplit(".", 1)[0] for n in names),
            key=state.dataset_name_widget(version),
        )
        confirmed = st.button(tr("data.confirm"), type="primary", icon=":material/check:")
    if not confirmed:
        return
    work = (common.workspace(), customers, events, mapping, name.strip() or "dataset", common.lang())
    if sum(f.size for f in (customers_file, events_file) if f is not None) > HEAVY_BYTES:
        state.INTAKE_JOB.set({"job": jobs.submit_intake(confirm_upload, *work)})
        st.rerun()
    try:
        saved = confirm_upload(*work)
    except ChurnError as error:
        common.show_error(error)
        return
    _adopt(saved)


main()
