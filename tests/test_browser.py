"""The whole workshop journey in a real browser: Debian's Chromium driven by Playwright.

Starts the app on a free local port, loads the sample, walks When → Why → Model (trains) →
Explain → ROI, opens the ROI share link in a fresh browser context, switches to Norwegian.
Screenshots of each page land in ``artifacts/browser/`` (kept by CI as test artifacts).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_server import (
    ROOT,
    chromium_or_skip,
    launched_chromium,
    running_app,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = ROOT / "artifacts" / "browser"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    chromium_or_skip()
    with running_app(tmp_path_factory.mktemp("browser") / "workspaces.db") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def settle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'Running…' widget)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_timeout(1000)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=timeout
    )
    page.wait_for_timeout(300)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


#: The page links app.py draws in the sidebar.
NAV_LINK = "[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']"


def go(page, label: str) -> None:
    """Click a page in the sidebar navigation."""
    page.locator(NAV_LINK, has_text=label).first.click()
    settle(page)


def expect_text(page, text: str | re.Pattern, timeout: float = 60_000) -> None:
    page.get_by_text(text).first.wait_for(state="visible", timeout=timeout)


def test_the_whole_workshop_journey(app_url, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_url)
    settle(page)
    expect_text(page, "Seven steps")  # the start page
    go(page, "Data")
    expect_text(page, "Use the sample data")
    shot(page, "01_data_empty")

    page.get_by_role("button", name="Use the sample data").click()
    expect_text(page, "The sample data is loaded")
    settle(page)
    shot(page, "02_data_sample")

    go(page, "When")
    expect_text(page, re.compile(r"Churn peaks in month 12"))
    shot(page, "03_when")

    go(page, "Why")
    expect_text(page, re.compile(r"monthly", re.I))
    shot(page, "04_why")

    go(page, "Model")
    page.get_by_role("button", name=re.compile("Train")).first.click()
    expect_text(page, re.compile(r"ROC-AUC|AUC"), timeout=240_000)
    settle(page, timeout=240_000)
    shot(page, "05_model")

    go(page, "Explain")
    expect_text(page, "What drives risk", timeout=120_000)
    page.get_by_role("tab", name="One customer").click()
    expect_text(page, re.compile(r"(raises|lowers) risk by"), timeout=60_000)
    shot(page, "06_explain")
    page.get_by_role("tab", name="Action list").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download CSV").first.click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert exported.count("\n") > 100 and "C0" in exported, "the action list downloads as CSV"

    go(page, "ROI")
    expect_text(page, "Share this scenario")
    customers = page.get_by_role("spinbutton", name="Active customers")
    customers.fill("512")
    customers.press("Enter")
    settle(page)
    code = page.locator("[data-testid='stCode']").last
    expect(code).to_contain_text("n=512", timeout=30_000)
    share = code.inner_text().strip()
    assert "ws=" not in share, "the share link must not carry the workspace token"
    shot(page, "07_roi")

    colleague = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = colleague.new_page()
    other.goto(share)
    settle(other)
    expect(other.get_by_role("spinbutton", name="Active customers")).to_have_value("512", timeout=30_000)
    shot(other, "08_roi_shared")
    colleague.close()

    page.locator("[data-testid='stSidebar']").get_by_text("Norsk bokmål").click()
    settle(page)
    expect_text(page, "ROI: hva er arbeidet mot kundeavgang verdt?")
    assert page.locator(NAV_LINK, has_text="Når").count() == 1
    shot(page, "09_roi_norwegian")
    context.close()


def test_a_deep_link_is_the_first_visit_of_a_fresh_server(browser, tmp_path):
    """Before app.py has run once, Streamlit routes /roi to pages/roi.py directly; the
    page must send it through the router and keep the page, its inputs and the language."""
    from playwright.sync_api import expect

    with running_app(tmp_path / "workspaces.db") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/roi?n=512&cur=NOK&lang=nb")
        settle(page)
        expect_text(page, "ROI: hva er arbeidet mot kundeavgang verdt?")
        expect(page.get_by_role("spinbutton", name="Aktive kunder")).to_have_value("512", timeout=30_000)
        assert page.locator(NAV_LINK, has_text="common").count() == 0
        assert page.locator("[data-testid='stSidebarNavLink']").count() == 0, "Streamlit's own file list"
        assert page.locator("[data-testid='stException']").count() == 0
        shot(page, "10_deep_link_fresh_server")
        context.close()


def test_the_report_opens_offline_in_chromium_with_every_section(browser, sample_dataset, tmp_path):
    """The HTML report renders from a file with the network cut off: every section, every chart."""
    from churn.core.i18n import t
    from churn.report.builder import SECTIONS, build_report

    customers = sample_dataset.customers.head(400)
    events = sample_dataset.events[sample_dataset.events["customer_id"].isin(customers["customer_id"])]
    small = sample_dataset.evolve(
        customers=customers, events=events.reset_index(drop=True), name="sample-400"
    )
    path = tmp_path / "report.html"
    path.write_text(build_report(small, lang="nb"), encoding="utf-8")

    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 1600})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    for key in (*SECTIONS, "settings"):
        heading = t(f"report.section_{key}", "nb")
        assert page.get_by_role("heading", name=heading).count() >= 1, heading
    charts = page.locator("svg")
    assert charts.count() >= 5
    assert charts.first.bounding_box()["width"] > 200, "charts are drawn, not empty"
    assert [url for url in requests if not url.startswith("file:")] == []
    shot(page, "11_report_offline")
    context.close()


def test_hostile_names_render_as_text_and_fetch_nothing(browser, tmp_path):
    """A dataset whose names are markdown images, links, HTML, code and maths, in Chromium:
    no image or link to the named host, no maths, no request to it; the names read as written.
    The metrics endpoint Streamlit keeps open says nothing of the workspace either."""
    import urllib.request

    from churn.workspace import store
    from tests.hostile import names

    db = tmp_path / "workspaces.db"
    token = store.create_workspace(db)
    store.update_settings(token, dataset_id=store.save_dataset(token, names.hostile_dataset(), db), path=db)
    with running_app(db) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        visits = (
            ("", "Seven steps", names.DATASET_NAME),  # the start page names the dataset
            ("/data", "Data quality:", names.DATASET_NAME),
            ("/why", "Customers with", names.COLUMNS["plan"]),
        )
        for path, ready, written in visits:
            page.goto(f"{url}{path}?ws={token}&lang=en")
            settle(page)
            expect_text(page, ready)
            shown = page.evaluate("() => document.body.innerText.replaceAll('\\u2060', '')")
            assert written in shown  # read as written (the word joiner is invisible)
            found = page.locator(f"img[src*='{names.HOST}'], a[href*='{names.HOST}']")
            assert found.count() == 0, [
                found.nth(i).evaluate("e => e.outerHTML") for i in range(found.count())
            ]
            assert page.locator(".katex, [data-testid='stException']").count() == 0
            assert page.locator("img[src='x']").count() == 0  # the HTML name is text, not an element
        shot(page, "12_hostile_names_why")
        assert not [r for r in requests if names.HOST in r]
        with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as answer:
            metrics = answer.read().decode()
        assert token not in metrics and "127.0.0.1:9" not in metrics and "Bransje" not in metrics
        context.close()
