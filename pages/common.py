"""Shared UI plumbing for every page: workspace, language, dataset, errors.

This is the only UI module pages import besides streamlit and ``churn``.
Session state holds small things (token, language, dataset id); the loaded
dataset lives in ``st.cache_resource`` keyed by (token, dataset id).
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import sys

import streamlit as st

from churn.core.dataset import Dataset
from churn.core.errors import ChurnError
from churn.core.formatting import chart_locale
from churn.core.i18n import LANGUAGES, normalise_language, t
from churn.workspace import store

WS_PARAM = "ws"
LANG_PARAM = "lang"


def init_session() -> None:
    """Resolve workspace and language from the URL once per session; keep them in the URL."""
    state = st.session_state
    if "ws" not in state:
        token = st.query_params.get(WS_PARAM)
        if token and store.workspace_exists(token):
            state.ws = token
        else:
            if token:
                state.ws_notice = "common.ws_invalid"
            state.ws = store.create_workspace()
            if autoload_sample():
                _add_sample(state.ws)
        settings = store.get_settings(state.ws)
        raw_lang = st.query_params.get(LANG_PARAM) or settings.get("lang")
        state.lang = normalise_language(raw_lang)
        datasets = store.list_datasets(state.ws)
        ids = {d["id"] for d in datasets}
        last = settings.get("dataset_id")
        state.dataset_id = last if last in ids else (datasets[0]["id"] if datasets else None)
    if st.query_params.get(WS_PARAM) != state.ws:
        st.query_params[WS_PARAM] = state.ws
    if st.query_params.get(LANG_PARAM) != state.lang:
        st.query_params[LANG_PARAM] = state.lang


def autoload_sample() -> bool:
    """True when new workspaces start with the bundled sample.

    Set by ``streamlit run app.py -- --sample`` or ``CHURN_SAMPLE=1``.
    """
    return "--sample" in sys.argv[1:] or os.environ.get("CHURN_SAMPLE") == "1"


def _add_sample(token: str) -> None:
    from churn.ingest.intake import load_sample

    dataset_id = store.save_dataset(token, load_sample())
    store.update_settings(token, dataset_id=dataset_id)


def _secrets_section(name: str):
    """A section or value of ``st.secrets``, or None when there are no secrets at all."""
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml anywhere: the app runs open (local use)
        return None


def check_access() -> None:
    """Gate the app behind OIDC login or a shared password when secrets configure one.

    ``[auth]`` in secrets (Streamlit's built-in OIDC) wins; else a ``password`` secret
    asks for a shared password once per session; with neither the app is open.
    """
    if _secrets_section("auth"):
        if not getattr(st.user, "is_logged_in", False):
            st.title(tr("app.title"))
            st.info(tr("common.login_needed"), icon=":material/lock:")
            st.button(tr("common.login"), on_click=st.login, type="primary")
            st.stop()
        with st.sidebar:
            st.button(tr("common.logout"), on_click=st.logout)
        return
    password = _secrets_section("password")
    if not password or st.session_state.get("access_granted"):
        return
    st.title(tr("app.title"))
    with st.form("password_form"):
        typed = st.text_input(tr("common.password"), type="password")
        submitted = st.form_submit_button(tr("common.login"), type="primary")
    if submitted and hmac.compare_digest(typed.encode("utf-8"), str(password).encode("utf-8")):
        st.session_state.access_granted = True
        st.rerun()
    if submitted:
        st.error(tr("common.wrong_password"))
    st.stop()


def lang() -> str:
    """The UI language of this session ('en' or 'nb')."""
    return st.session_state.get("lang") or normalise_language(st.query_params.get(LANG_PARAM))


def tr(key: str, **values) -> str:
    """Translate ``key`` into the session's language."""
    return t(key, lang(), **values)


def workspace() -> str:
    """The session's workspace token."""
    return st.session_state.ws


def set_language(code: str) -> None:
    """Switch language for this session, the URL and the workspace."""
    code = normalise_language(code)
    st.session_state.lang = code
    st.query_params[LANG_PARAM] = code
    store.update_settings(workspace(), lang=code)


def select_dataset(dataset_id: int | None) -> None:
    """Make ``dataset_id`` the session's current dataset and remember it in the workspace."""
    st.session_state.dataset_id = dataset_id
    store.update_settings(workspace(), dataset_id=dataset_id)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _load_dataset(token: str, dataset_id: int) -> Dataset:
    return store.load_dataset(token, dataset_id)


def dataset_key() -> tuple[str, int] | None:
    """(token, dataset id) of the current dataset: pass it to caches as the version."""
    dataset_id = st.session_state.get("dataset_id")
    return None if dataset_id is None else (workspace(), int(dataset_id))


def current_dataset() -> Dataset | None:
    """The session's dataset (shared, cached, treat as read-only), or None."""
    key = dataset_key()
    if key is None:
        return None
    try:
        return _load_dataset(*key)
    except ChurnError:
        st.session_state.dataset_id = None
        return None


def require_dataset() -> Dataset:
    """Return the current dataset, or show the 'load data first' empty state and stop."""
    data = current_dataset()
    if data is None:
        st.info(tr("common.no_dataset"), icon=":material/upload_file:")
        st.page_link("pages/data.py", label=tr("common.go_to_data"), icon=":material/arrow_forward:")
        st.stop()
    return data


def show_error(error: Exception) -> None:
    """Show a user-caused error as one plain sentence (never a traceback)."""
    st.error(str(error), icon=":material/error:")


def language_options() -> tuple[str, ...]:
    """Supported language codes, in display order."""
    return LANGUAGES


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _load_model(token: str, dataset_id: int, model_id: int):
    from churn.model.churn_model import ChurnModel

    record = store.latest_model(token, dataset_id)
    return None if record is None or record["id"] != model_id else ChurnModel.from_record(record)


def current_model():
    """The trained ChurnModel for the current dataset, or None.

    A model trained in this session (``st.session_state["model"]``, set by the Model
    page together with ``st.session_state["model_dataset_id"]``) wins; otherwise the
    newest model saved in the workspace for this dataset is loaded once and cached.
    """
    key = dataset_key()
    if key is None:
        return None
    state = st.session_state
    if state.get("model") is not None and state.get("model_dataset_id") == key[1]:
        return state["model"]
    model_id = store.latest_model_id(*key)  # reads no model bytes: runs on every rerun
    return None if model_id is None else _load_model(key[0], key[1], model_id)


def altair_chart(chart, **kwargs) -> None:
    """``st.altair_chart`` with number and date formats in the session's language.

    Norwegian charts group thousands with a space and use a decimal comma (d3 locale in
    the Vega-Lite config), so axes read like the rest of the page.
    """
    if lang() == "nb":
        import altair as alt

        chart = chart.copy(deep=False)
        config = chart.config if isinstance(chart.config, alt.Config) else alt.Config()
        chart.config = config.copy(deep=False)
        chart.config.locale = chart_locale("nb")
    st.altair_chart(chart, **kwargs)


ROUTED = "_routed"
_DEEP_LINK = "_deep_link"


def ensure_router(page_file: str) -> None:
    """Send a deep link that bypassed ``app.py`` through the router, keeping page and query.

    Until ``app.py`` has called ``st.navigation`` once in this server process, Streamlit
    still treats ``pages/`` as an old-style page folder, so the very first visit to e.g.
    ``/roi?...`` would run the page without the app's frame (no workspace, no sidebar).
    Every page calls this first; ``app.py`` finishes the trip with :func:`follow_deep_link`.
    """
    if st.session_state.get(ROUTED):
        return
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    st.session_state[_DEEP_LINK] = {"page": f"pages/{os.path.basename(page_file)}", "query": query}
    st.switch_page("app.py", query_params=query)


def follow_deep_link() -> None:
    """In ``app.py``, after ``st.navigation``: mark the frame as run and finish a deep link."""
    st.session_state[ROUTED] = True
    target = st.session_state.pop(_DEEP_LINK, None)
    if target:
        st.switch_page(target["page"], query_params=target["query"])


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-!|~$])")


def plain(text) -> str:
    """Escape markdown so text from the user's file is shown as written.

    Streamlit renders markdown in ``st.markdown``, alerts and captions; a segment value
    such as ``![x](http://tracker)`` must not become an image or a link.
    """
    return _MARKDOWN.sub(r"\\\1", str(text))


def model_key(model) -> tuple | None:
    """Identifies a trained model for the caches (saved id and cutoff, else the object)."""
    if model is None:
        return None
    return (getattr(model, "record_id_", None), str(getattr(model, "cutoff_", "")), id(model))


def pseudonym_secret() -> str:
    """The workspace's pseudonym key, made once, so every export pseudonymises ids alike."""
    settings = store.get_settings(workspace())
    secret = settings.get("pseudonym_secret")
    if not secret:
        secret = secrets.token_urlsafe(24)
        store.update_settings(workspace(), pseudonym_secret=secret)
    return secret
