"""Optional access control for a hosted link: a shared password from secrets."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from churn.core.i18n import t
from tests.test_throttle import Clock

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def password_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["password"] = "fjord-2026"
    return at


def test_without_secrets_the_app_is_open(tmp_db):
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert not at.text_input and at.title[0].value == t("home.title", "en")


def test_a_shared_password_guards_every_page(tmp_db):
    at = password_app()
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Password"]
    assert "ws" not in at.session_state, "no workspace is created before the password is given"

    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["That password is not right. Try again or ask the workshop host."]
    assert "ws" not in at.session_state

    at.text_input[0].input("fjord-2026")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["access_granted"] is True
    assert at.title[0].value == t("home.title", "en") and "ws" in at.session_state


def test_oidc_configured_asks_for_login_first(tmp_db):
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "workshop",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert "This workshop app is private" in at.info[0].value
    assert "ws" not in at.session_state


@pytest.fixture
def throttles(monkeypatch):
    """Fresh session and address throttles on a hand-moved clock (the app's are process-wide)."""
    from churn.workspace import throttle

    clock = Clock()
    monkeypatch.setattr(throttle, "SESSIONS", throttle.Throttle(free_attempts=3, clock=clock))
    monkeypatch.setattr(throttle, "ADDRESSES", throttle.Throttle(free_attempts=10, clock=clock))
    return clock


def _guess(at: AppTest, text: str) -> str:
    at.text_input[0].input(text)
    at.button[0].click().run()
    assert not at.exception
    return at.error[0].value if at.error else ""


def test_wrong_passwords_lock_the_session_out_even_for_the_right_one(tmp_db, throttles, caplog):
    at = password_app()
    at.run()
    messages = [_guess(at, f"guess-{i}") for i in range(4)]
    assert messages[:3] == ["That password is not right. Try again or ask the workshop host."] * 3
    assert messages[3] == "Too many wrong passwords. Wait 2 seconds, then try again."
    assert _guess(at, "fjord-2026").startswith("Too many wrong passwords")  # not even checked
    assert "access_granted" not in at.session_state
    assert not any("guess-" in record.getMessage() for record in caplog.records)  # never log a guess
    assert any("wrong shared password" in record.getMessage() for record in caplog.records)

    throttles.now = 2.0
    assert _guess(at, "wrong again") == "Too many wrong passwords. Wait 4 seconds, then try again."
    throttles.now = 6.0
    _guess(at, "fjord-2026")
    assert at.session_state["access_granted"] is True and at.title[0].value == t("home.title", "en")


def test_new_sessions_from_one_address_are_locked_out_too(tmp_db, throttles):
    """A guesser who opens a fresh session after every three tries still meets the address limit."""
    for _ in range(4):  # 4 sessions x 3 free tries = 12 failures from one address (10 are free)
        at = password_app()
        at.run()
        last = [_guess(at, "nope") for _ in range(3)][-1]
    assert last.startswith("Too many wrong passwords")
    fresh = password_app()
    fresh.run()
    assert _guess(fresh, "fjord-2026").startswith("Too many wrong passwords")
    assert "access_granted" not in fresh.session_state


def test_the_password_lock_out_speaks_norwegian(tmp_db, throttles):
    at = password_app()
    at.query_params["lang"] = "nb"
    at.run()
    messages = [_guess(at, "feil") for _ in range(4)]
    assert messages[0] == "Passordet stemmer ikke. Prøv igjen eller spør den som leder workshopen."
    assert messages[3] == "For mange feil passord. Vent 2 sekunder, og prøv igjen."
