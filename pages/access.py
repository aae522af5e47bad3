"""The login gate of the hosted app: Streamlit's OIDC login or a shared workshop password.

With neither configured in ``st.secrets`` the app runs open (local use). Password
guesses are slowed down by :mod:`churn.workspace.throttle`.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets

import streamlit as st

from churn.workspace import throttle
from pages import state
from pages.common import tr

log = logging.getLogger(__name__)


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
    if not password or state.ACCESS_GRANTED.get():
        return
    st.title(tr("app.title"))
    with st.form("password_form"):
        typed = st.text_input(tr("common.password"), type="password")
        submitted = st.form_submit_button(tr("common.login"), type="primary")
    if submitted:
        _check_password(typed, str(password))
    st.stop()


def _check_password(typed: str, password: str) -> None:
    """Grant access for the right password, unless this session or address is locked out.

    While locked, no guess is compared at all (even the right one waits); each
    failure past the free ones doubles the lock (see :mod:`churn.workspace.throttle`).
    Failures are logged with a short session tag and the address, never the guess.
    """
    session = state.PASSWORD_SESSION.set_default(secrets.token_hex(8))
    address = st.context.ip_address
    address = address if isinstance(address, str) and address else "local"  # None on localhost
    wait = max(throttle.SESSIONS.wait_seconds(session), throttle.ADDRESSES.wait_seconds(address))
    if wait > 0:
        st.error(tr("common.password_locked", seconds=math.ceil(wait)), icon=":material/lock_clock:")
        return
    if hmac.compare_digest(typed.encode("utf-8"), password.encode("utf-8")):
        throttle.SESSIONS.succeeded(session)
        state.ACCESS_GRANTED.set(True)
        st.rerun()
    locked = max(throttle.SESSIONS.failed(session), throttle.ADDRESSES.failed(address))
    log.warning(
        "wrong shared password: session %s, address %s, %d in a row, locked %.0f s",
        session[:6],
        address,
        throttle.SESSIONS.failures(session),
        locked,
    )
    if locked:
        st.error(tr("common.password_locked", seconds=math.ceil(locked)), icon=":material/lock_clock:")
    else:
        st.error(tr("common.wrong_password"))
