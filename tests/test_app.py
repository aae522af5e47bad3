"""Every page opens without an exception: with the sample, with no data, in Norwegian."""

import pytest

PAGES = ["data", "when", "why", "model", "explain", "roi", "report"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_with_the_sample(app_test, page):
    at = app_test()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title or at.header, f"{page} has no title"


@pytest.mark.parametrize("page", ["when", "why", "model", "explain"])
def test_pages_without_data_say_what_to_do(app_test, page):
    at = app_test(dataset=None)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception
    assert any("Data page" in info.value for info in at.info), [i.value for i in at.info]


def test_norwegian_sidebar_and_navigation(app_test):
    at = app_test(lang="nb")
    at.run()
    assert not at.exception
    assert "Språk" in [w.label for w in at.sidebar.get("segmented_control")] or any(
        "Churn-verksted" in m.value for m in at.sidebar.markdown
    )


def test_a_hostile_workspace_link_opens_a_fresh_workspace(tmp_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=30)
    at.query_params["ws"] = "<script>alert(1)</script>"
    at.query_params["lang"] = "'; drop table workspaces; --"
    at.run()
    assert not at.exception
    assert at.session_state["ws"] != "<script>alert(1)</script>"
    assert at.session_state["lang"] == "en"
    assert any("not valid" in w.value for w in at.sidebar.warning)
