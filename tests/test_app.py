"""Every page opens without an exception: with the sample, with no data, in Norwegian."""

import re

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
        "Workshop om kundeavgang" in m.value for m in at.sidebar.markdown
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


def test_visitors_on_a_sample_server_share_one_copy_and_write_nothing_until_they_save(tmp_db, monkeypatch):
    """Started with ``-- --sample``: three visitors open When, the store holds one sample and no workspace.

    The first thing worth keeping (a saved ROI scenario) creates that visitor's
    workspace only; the others stay unwritten and never see it.
    """
    from streamlit.testing.v1 import AppTest

    from churn.workspace import store

    monkeypatch.setenv("CHURN_SAMPLE", "1")
    visitors = []
    for _ in range(3):
        at = AppTest.from_file("../app.py", default_timeout=60)
        at.switch_page("pages/when.py").run()
        assert not at.exception
        assert at.session_state["dataset_id"] is not None
        visitors.append(at)
    tokens = {at.session_state["ws"] for at in visitors}
    assert len(tokens) == 3 and len({at.session_state["dataset_id"] for at in visitors}) == 1
    with store.connect() as db:
        assert db.execute("select count(*), count(workspace) from datasets").fetchone() == (1, 0)
        assert db.execute("select count(*) from workspaces").fetchone() == (0,)

    first = visitors[0].session_state["ws"]
    store.save_scenario(first, "Base", {"customers": 380})
    assert [store.workspace_exists(token) for token in sorted(tokens)].count(True) == 1
    assert all(store.list_scenarios(token) == [] for token in tokens - {first})


def hostile_dataset():
    """120 customers whose segment values and a column name carry markdown/HTML payloads."""
    import pandas as pd

    from churn.ingest.intake import build_dataset, guess_roles

    evil = ["![pixel](http://tracker.example/p.png)", "<img src=x onerror=alert(1)>", "[click](javascript:x)"]
    raw = pd.DataFrame(
        {
            "customer_id": [f"K{i:03d}" for i in range(120)],
            "tenure": [(i % 30) + 1 for i in range(120)],
            "**Segment**": [evil[i % 3] for i in range(120)],
            "Churn": ["Yes" if (i % 3 == 0 and i % 2 == 0) or i % 10 == 1 else "No" for i in range(120)],
        }
    )
    return build_dataset(raw, None, guess_roles(raw, None), name="<b>evil</b>.csv")


@pytest.mark.parametrize("page", ["data", "when", "why"])
def test_text_from_the_file_is_never_rendered_as_markdown_or_html(app_test, page):
    at = app_test(dataset=hostile_dataset())
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception
    shown = [m.value for m in [*at.markdown, *at.caption, *at.warning, *at.info, *at.success]]
    for text in shown:
        live = re.sub(r"\\.", "", text)  # what markdown would still interpret after escapes
        assert "![" not in live and "<img" not in live and "](" not in live, text
    if page == "why":  # the findings quote the segment values, escaped
        assert any("pixel" in text for text in shown)


def test_two_sessions_in_different_workspaces_never_see_each_others_data(app_test):
    """Session A holds the sample; session B, opened without a link, gets its own empty workspace
    and cannot open A's dataset by guessing its id."""
    mine = app_test()
    mine.run()
    theirs = app_test(dataset=None)
    theirs.session_state["dataset_id"] = mine.session_state["dataset_id"]  # a guessed id
    theirs.switch_page("pages/when.py")
    theirs.run()
    assert not theirs.exception
    assert theirs.session_state["ws"] != mine.session_state["ws"]
    assert any("Data page" in info.value for info in theirs.info)
    offered = [box for box in theirs.sidebar.selectbox if box.label == "Dataset"]
    assert not offered, "no dataset of another workspace is offered"
    assert mine.sidebar.selectbox[0].options[0].startswith("Sample data")
