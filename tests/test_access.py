"""Optional access control for a hosted link: a shared password from secrets."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def password_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["password"] = "fjord-2026"
    return at


def test_without_secrets_the_app_is_open(tmp_db):
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert not at.text_input and at.title[0].value == "Data"


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
    assert at.title[0].value == "Data" and "ws" in at.session_state


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
