"""Shared UI plumbing for every page: workspace, language, dataset, model, errors.

Pages import this module and :mod:`pages.state` besides streamlit and ``churn``.
Session state holds small things (token, language, dataset id; see ``pages/state.py``);
the loaded dataset lives in ``st.cache_resource`` keyed by its content hash, the trained
model and its scores by (token, dataset id, model id), shared by every page and session.
The login gate is :mod:`pages.access`.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from churn.act.explained import Explained, explain_active, reasons_of_everyone
from churn.act.scoring import score_table
from churn.act.tiers import TIERS, saved_tiers
from churn.core.dataset import Dataset
from churn.core.errors import ChurnError, message
from churn.core.formatting import chart_locale
from churn.core.i18n import LANGUAGES, normalise_language, t
from churn.model.churn_model import ChurnModel
from churn.model.persistence import model_from_record
from churn.workspace import jobs, store
from pages import state

log = logging.getLogger(__name__)

WS_PARAM = "ws"
LANG_PARAM = "lang"


def init_session() -> None:
    """Resolve workspace and language from the URL once per session; keep them in the URL.

    A new visitor gets a new token and nothing is written: the workspace row appears
    with its first save. A well-formed token from a link is taken as it is (a
    workspace that never saved anything opens empty, as it was); a malformed one
    gets a new workspace and a notice.
    """
    if not state.WORKSPACE.is_set():
        token = st.query_params.get(WS_PARAM)
        if not store.is_valid_token(token):
            if token:
                state.WORKSPACE_NOTICE.set(True)
            token = store.new_token()
        state.WORKSPACE.set(token)
        settings = store.get_settings(token)
        raw_lang = st.query_params.get(LANG_PARAM) or settings.get("lang")
        state.LANGUAGE.set(normalise_language(raw_lang))
        datasets = workspace_datasets()
        ids = {d["id"] for d in datasets}
        last = settings.get("dataset_id")
        state.DATASET_ID.set(last if last in ids else (datasets[0]["id"] if datasets else None))
    if st.query_params.get(WS_PARAM) != state.WORKSPACE.get():
        st.query_params[WS_PARAM] = state.WORKSPACE.get()
    if st.query_params.get(LANG_PARAM) != state.LANGUAGE.get():
        st.query_params[LANG_PARAM] = state.LANGUAGE.get()


def autoload_sample() -> bool:
    """True when every workspace starts with the bundled sample.

    Set by ``streamlit run app.py -- --sample`` or ``CHURN_SAMPLE=1``.
    """
    return "--sample" in sys.argv[1:] or os.environ.get("CHURN_SAMPLE") == "1"


@st.cache_resource(max_entries=4, show_spinner=False)
def _sample_id(database: str) -> int:
    from churn.ingest.intake import load_sample

    return store.save_shared_dataset(load_sample(), database)


def sample_dataset_id() -> int:
    """Id of the bundled sample, stored once per store and shared read-only by every workspace."""
    return _sample_id(str(store.db_path()))


def _shared_ids(settings: dict | None = None) -> list[int]:
    settings = store.get_settings(workspace()) if settings is None else settings
    shared = [int(i) for i in settings.get("shared", [])]
    return [*shared, sample_dataset_id()] if autoload_sample() else shared


def workspace_datasets() -> list[dict]:
    """The datasets this workspace sees: its own, newest first, then the shared ones it uses."""
    return store.list_datasets(workspace(), shared=_shared_ids())


def use_sample() -> None:
    """Make the shared sample this workspace's current dataset (and keep it in its list)."""
    sample = sample_dataset_id()
    settings = store.get_settings(workspace())
    shared = sorted({*settings.get("shared", []), sample})
    store.update_settings(workspace(), shared=shared, dataset_id=sample)
    state.DATASET_ID.set(sample)


def lang() -> str:
    """The UI language of this session ('en' or 'nb')."""
    return state.LANGUAGE.get() or normalise_language(st.query_params.get(LANG_PARAM))


def tr(key: str, /, **values) -> str:
    """Translate ``key`` into the session's language, for a place that renders markdown.

    Text values (a dataset name, a column, a segment value) are escaped with
    :func:`plain`, so they show as written; numbers pass as they are. For plain-text
    places (chart titles and axes, file names) use :func:`tr_text`.
    """
    return t(key, lang(), **{name: plain(v) if isinstance(v, str) else v for name, v in values.items()})


def tr_text(key: str, **values) -> str:
    """Translate ``key`` for a place that shows plain text (Altair titles, file names): no escaping."""
    return t(key, lang(), **values)


def workspace() -> str:
    """The session's workspace token."""
    return state.WORKSPACE.get()


def set_language(code: str) -> None:
    """Switch language for this session, the URL and the workspace."""
    code = normalise_language(code)
    state.LANGUAGE.set(code)
    st.query_params[LANG_PARAM] = code
    store.update_settings(workspace(), create=False, lang=code)


def select_dataset(dataset_id: int | None) -> None:
    """Make ``dataset_id`` the session's current dataset and remember it in the workspace."""
    state.DATASET_ID.set(dataset_id)
    store.update_settings(workspace(), create=False, dataset_id=dataset_id)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _load_content(content: str, _token: str, _dataset_id: int) -> Dataset:
    """A dataset's rows, once per content for every session (the first caller's ids fetch them)."""
    return store.load_dataset(_token, _dataset_id)


def current_row() -> dict | None:
    """The current dataset as the store lists it (id, name, content, ...), or None.

    One indexed look-up per call; a dataset that is gone (or not this workspace's)
    clears the session's choice.
    """
    dataset_id = state.DATASET_ID.get()
    if dataset_id is None:
        return None
    try:
        return store.dataset_row(workspace(), int(dataset_id))
    except ChurnError:
        state.DATASET_ID.set(None)
        return None


def dataset_id() -> int | None:
    """Id of the session's current dataset (for saving models with it), or None."""
    dataset_id = state.DATASET_ID.get()
    return None if dataset_id is None else int(dataset_id)


def dataset_key() -> str | None:
    """The content hash of the current dataset: pass it to caches as the version.

    Identical data has one key whoever loaded it, so twenty sessions on the sample
    share one computation.
    """
    row = current_row()
    return None if row is None else row["content"]


def current_dataset() -> Dataset | None:
    """The session's dataset (shared, cached, treat as read-only), or None."""
    row = current_row()
    if row is None:
        return None
    try:
        data = _load_content(row["content"], workspace(), row["id"])
    except ChurnError:
        state.DATASET_ID.set(None)
        return None
    return data if data.name == row["name"] else data.evolve(name=row["name"])


#: The name the bundled sample is stored under; the pages call it by its name in the reader's language.
SAMPLE_NAME = "sample"


def dataset_name(name: str | None) -> str:
    """A dataset's name as the pages show it: the bundled sample in the reader's language, others as given."""
    return tr_text("common.sample_name") if name == SAMPLE_NAME else str(name or "")


def require_dataset() -> Dataset:
    """Return the current dataset, or show the 'load data first' empty state and stop."""
    data = current_dataset()
    if data is None:
        st.info(tr("common.no_dataset"), icon=":material/upload_file:")
        st.page_link("pages/data.py", label=tr("common.go_to_data"), icon=":material/arrow_forward:")
        st.stop()
    return data


def show_error(error: Exception | str) -> None:
    """Show a user-caused error as one plain sentence in the session's language (never a traceback)."""
    text = error if isinstance(error, str) else message(error, lang())
    st.error(plain(text), icon=":material/error:")


def language_options() -> tuple[str, ...]:
    """Supported language codes, in display order."""
    return LANGUAGES


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _load_model(token: str, dataset_id: int, model_id: int) -> ChurnModel | None:
    record = store.latest_model(token, dataset_id)
    return None if record is None or record["id"] != model_id else model_from_record(record)


def model_id() -> int | None:
    """Id of the newest model saved in the workspace for the current dataset, or None.

    Reads no model bytes, so it runs on every rerun: a model trained in another tab, or
    by a job that finished, shows at once, and never one trained on another dataset.
    """
    current = dataset_id()
    return None if current is None else store.latest_model_id(workspace(), current)


def current_model() -> ChurnModel | None:
    """The trained model for the current dataset (shared, cached by model id; read-only), or None."""
    current, newest = dataset_id(), model_id()
    return None if current is None or newest is None else _load_model(workspace(), current, newest)


def _dataset(token: str, dataset_id: int) -> Dataset:
    """A dataset by id, from the content cache (for background jobs started by a page)."""
    row = store.dataset_row(token, dataset_id)
    return _load_content(row["content"], token, dataset_id)


@dataclass
class Background:
    """A background job of the pages and its result once it is done.

    Held in ``st.cache_resource`` (one per model, shared by every page and session);
    ``result`` is filled in by the first rerun that sees the job done, so it stays
    cached after the job runner has forgotten the job.
    """

    job_id: str
    result: object = None


def _outcome(run: Background, again: Callable[[], tuple]) -> tuple[object | None, jobs.Job | None]:
    """``(result, None)`` once ``run`` is done, ``(None, job)`` while it runs; see :func:`explaining`."""
    if run.result is not None:
        return run.result, None
    job = jobs.get(run.job_id)
    if job is None:  # the runner forgot the job before a page saw it finish: start it again
        return again()
    if job.state == jobs.FAILED:
        raise job.failure if job.failure is not None else ChurnError(job.error)
    if job.state == jobs.DONE:
        run.result = job.result
        return run.result, None
    return None, job


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def _explaining(token: str, dataset_id: int, model_id: int) -> Background:
    model, data = _load_model(token, dataset_id, model_id), _dataset(token, dataset_id)
    return Background(jobs.submit(explain_active, model, data))


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _writing_reasons(
    token: str, dataset_id: int, model_id: int, lang: str, _explained: Explained
) -> Background:
    model, data = _load_model(token, dataset_id, model_id), _dataset(token, dataset_id)
    return Background(jobs.submit(reasons_of_everyone, model, _explained, lang, data))


def explaining() -> tuple[Explained | None, jobs.Job | None]:
    """(result, job) of scoring and explaining today's active customers under the current model.

    The first call for a saved model starts :func:`churn.act.explained.explain_active`
    (features, probabilities, SHAP values of every active customer) in a background
    job, once per (dataset, model) for every session; later calls cost a look-up.
    Returns ``(result, None)`` once it is done, ``(None, job)`` while it runs (draw
    :func:`explaining_progress`), and ``(None, None)`` without a model.

    Raises
    ------
    ChurnError
        When the job failed (e.g. the model cannot score this dataset). The failure
        stays with that model; a new model (training again) starts afresh.
    """
    current, newest = dataset_id(), model_id()
    if current is None or newest is None or current_model() is None:
        return None, None
    token = workspace()

    def again():
        _explaining.clear(token, current, newest)
        return explaining()

    return _outcome(_explaining(token, current, newest), again)


def current_explained() -> Explained | None:
    """Today's scored and explained customers under the current model, or None while they are computed."""
    return explaining()[0]


def reasons_explaining() -> tuple[pd.DataFrame | None, jobs.Job | None]:
    """(reasons, job) of every active customer in the session's language; like :func:`explaining`.

    Started (:func:`churn.act.explained.reasons_of_everyone`) once :func:`explaining`
    is done, once per (dataset, model, language). ``(None, job)`` while either runs.
    """
    explained, job = explaining()
    if explained is None:
        return None, job
    token, current = workspace(), dataset_id()
    newest, code = model_id(), lang()

    def again():
        _writing_reasons.clear(token, current, newest, code)
        return reasons_explaining()

    return _outcome(_writing_reasons(token, current, newest, code, explained), again)


@st.fragment(run_every=1.0)
def explaining_progress(reasons: bool = False) -> None:
    """A progress bar and a sentence while customers are explained; a full rerun once they are.

    ``reasons``: follow the reason sentences (:func:`reasons_explaining`) rather than
    the scores and SHAP values (:func:`explaining`).
    """
    try:
        _, job = reasons_explaining() if reasons else explaining()
    except ChurnError:
        job = None  # the page shows the error on the full rerun
    if job is None:
        st.rerun(scope="app")
    if job.state == jobs.QUEUED:
        st.progress(0.0, text=tr("explain.explaining_queued", ahead=job.ahead))
        return
    step = tr(f"explain.step_{job.message}") if job.message else ""
    if job.remaining is not None:
        text = tr("explain.explaining_eta", step=step, seconds=int(job.remaining) + 1)
    else:
        text = tr("explain.explaining", step=step)
    st.progress(job.progress, text=text)


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def _intake(kind: str, key: str, _fn: Callable, _args: tuple) -> Background:
    return Background(jobs.submit_intake(_fn, *_args))


def in_background(kind: str, key: str, fn: Callable, *args) -> tuple[object | None, jobs.Job | None]:
    """Run heavy intake work (reading a big upload) off the page thread, once per ``(kind, key)``.

    ``key`` names the input (a file's content hash). Returns ``(result, None)`` once
    the job is done, ``(None, job)`` while it runs or waits (draw
    :func:`background_progress`); a second session with the same file shares the job.

    Raises
    ------
    ChurnError
        When the work failed (one sentence for the user).
    """

    def again():
        _intake.clear(kind, key, fn, args)
        return in_background(kind, key, fn, *args)

    return _outcome(_intake(kind, key, fn, args), again)


@st.fragment(run_every=1.0)
def background_progress(job_id: str, text_key: str) -> None:
    """A progress bar (with the place in line while waiting) for a job; a full rerun once it ends."""
    job = jobs.get(job_id)
    if job is None or not job.active:
        st.rerun(scope="app")
    if job.state == jobs.QUEUED:
        st.progress(0.0, text=tr("common.background_queued", ahead=job.ahead))
        return
    step = tr(f"data.step_{job.message}") if job.message else ""
    st.progress(max(job.progress, 0.02), text=tr(text_key, step=step))


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)  # shared and read-only: never copied
def _score_table(
    token: str, dataset_id: int, model_id: int, tiers: tuple, lang: str, _explained: Explained
) -> pd.DataFrame:
    bounds = dict(zip(TIERS, tiers, strict=True))
    return score_table(_explained.scores, _dataset(token, dataset_id), bounds, lang)


def current_score_table(tiers: dict) -> pd.DataFrame | None:
    """Today's scored list (probability, tier, actions, value at risk) for ``tiers``, or None.

    None without a model and while :func:`explaining` runs. Cached per (dataset, model,
    tiers, language); the Model and Explain pages share it.

    Raises
    ------
    ChurnError
        When scoring failed (see :func:`explaining`).
    """
    current, newest, explained = dataset_id(), model_id(), current_explained()
    if explained is None:
        return None
    bounds = tuple(tiers[code] for code in TIERS)
    return _score_table(workspace(), current, newest, bounds, lang(), explained)


def tiers_in_force() -> dict:
    """The risk-tier bounds of this session: chosen on the Model page, else saved, else the defaults."""
    return state.TIERS.set_default(saved_tiers(store.get_settings(workspace()).get("tiers")))


def save_tiers(tiers: dict) -> None:
    """Make ``tiers`` (already validated) the session's bounds and remember them in the workspace."""
    state.TIERS.set(dict(tiers))
    store.update_settings(workspace(), tiers=dict(tiers))


def altair_chart(chart, **kwargs) -> None:
    """``st.altair_chart`` with number and date formats in the session's language.

    Norwegian charts group thousands with a space and use a decimal comma (d3 locale in
    the Vega-Lite config), so axes read like the rest of the page.
    """
    st.altair_chart(_localised(chart), **kwargs)


#: Colours of a chart's groups when it names none: all at least 3:1 against the white page
#: (WCAG 1.4.11), unlike Streamlit's default with its pale blues.
CATEGORY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#c2418f", "#7f7f7f", "#0e7f8c"]


def _localised(chart):
    """The chart with the session's number and date formats and readable group colours (a shallow copy)."""
    import altair as alt

    chart = chart.copy(deep=False)
    config = chart.config if isinstance(chart.config, alt.Config) else alt.Config()
    chart.config = config.copy(deep=False)
    chart.config.range = alt.RangeConfig(category=CATEGORY_COLOURS)
    if lang() == "nb":
        chart.config.locale = chart_locale("nb")
    return chart


def chart_spec(chart) -> dict:
    """The Vega-Lite spec of an Altair chart, localised like :func:`altair_chart`, to cache.

    Turning a chart into its spec validates it against the Vega-Lite schema, which costs
    tens of milliseconds a chart; a page that caches the spec and draws it with
    ``st.vega_lite_chart(spec=...)`` pays that once. The data travels inside the spec,
    so keep it to the few thousand rows a chart shows.
    """
    spec = _localised(chart).to_dict()
    view = spec.get("config", {}).get("view", {})
    for default in ("continuousWidth", "continuousHeight"):  # Altair's theme; Streamlit sizes charts itself
        view.pop(default, None)
    if "view" in spec.get("config", {}) and not view:
        del spec["config"]["view"]
    if spec.get("config") == {}:
        del spec["config"]
    return spec


def ensure_router(page_file: str) -> None:
    """Send a deep link that bypassed ``app.py`` through the router, keeping page and query.

    Until ``app.py`` has called ``st.navigation`` once in this server process, Streamlit
    still treats ``pages/`` as an old-style page folder, so the very first visit to e.g.
    ``/roi?...`` would run the page without the app's frame (no workspace, no sidebar).
    Every page calls this first; ``app.py`` finishes the trip with :func:`follow_deep_link`.
    """
    if state.ROUTED.get():
        return
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    state.DEEP_LINK.set({"page": f"pages/{os.path.basename(page_file)}", "query": query})
    st.switch_page("app.py", query_params=query)


def follow_deep_link() -> None:
    """In ``app.py``, after ``st.navigation``: mark the frame as run and finish a deep link."""
    state.ROUTED.set(True)
    target = state.DEEP_LINK.pop()
    if target:
        st.switch_page(target["page"], query_params=target["query"])


#: Characters that start markdown Streamlit renders: links and images (``[``, ``]``),
#: HTML, autolinks and quotes (``<``, ``>``), code, maths, emphasis, headings, and the
#: ``:colour[...]``, ``:material/...:`` and emoji directives. Parentheses, ``!``, ``-``,
#: ``+`` and ``.`` do nothing without these, so sentences and numbers keep their look.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#~$:])")
#: GitHub-flavoured markdown turns bare ``http://...`` and ``www....`` in text into links,
#: after escapes are read; an invisible word joiner after the scheme stops that.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|www)(?=[:.])")


def plain(text) -> str:
    r"""Escape markdown so text from the user's file or input is shown as written.

    Every page shows user strings only through this (directly, or through :func:`tr`)
    or in plain-text elements (tables, option lists, charts). Streamlit renders markdown
    in text, captions, alerts, headings, labels, help, tabs, expanders and metrics; a
    column named ``![x](http://tracker)`` must not become an image or a link.

    Example
    -------
    >>> print(plain("![x](http://h/a.png)").replace("\u2060", ""))
    !\[x\](http\://h/a.png)
    """
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub("\\1\u2060", str(text)))


def model_key(model) -> int | None:
    """Identifies a trained model for the caches: its id in the workspace."""
    return None if model is None else model.record_id_


def pseudonym_secret() -> str:
    """The workspace's pseudonym key, made once, so every export pseudonymises ids alike."""
    settings = store.get_settings(workspace())
    secret = settings.get("pseudonym_secret")
    if not secret:
        secret = secrets.token_urlsafe(24)
        store.update_settings(workspace(), pseudonym_secret=secret)
    return secret
