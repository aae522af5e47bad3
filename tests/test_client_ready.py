"""Is the app ready for a client? Every page, in Norwegian and English, in Chromium at 1280×720.

Two workspaces are made before the server starts (see :mod:`tests.client_ready`): the
sample with a trained model, and a Telco-like customer table without any dates with a
trained model. Every page (the start page at the root, then data, when, why, model,
explain, roi, report) is opened with ``?ws=<token>&lang=<nb|en>``; once it has settled,
every tab is opened and every expander unfolded, and the page is checked for:

1. our sources' names ("seed 004");
2. in Norwegian, English words (the client's own column names and values are allowed);
3. in Norwegian, a decimal point or a comma between thousands;
4. "None", "nan", "null", "undefined" and the like;
5. internal column names (snake_case that is not one of the client's columns);
6. metric labels and values that are cut off;
7. the first metric and the first chart below a projector's 720 px;
8. a Streamlit exception box.

Dataframes are canvases (glide-data-grid): their text is read from the grid's
accessibility table, which holds the header and the cells drawn so far. Help tooltips
are not opened. The very first load of the fresh server must never show the page files'
raw names in the sidebar. Each run collects every violation of a page before failing.

Screenshots of the sample's pages (viewport only) go to ``docs/screenshots/<lang>-<page>.png``,
the Telco table's and the violation lists to ``artifacts/client_ready/``.

Run::

    .venv/bin/python -m pytest tests/test_client_ready.py -m browser -v
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from tests import client_ready as ready
from tests.browser_server import (
    ROOT,
    launched_chromium,
    running_app,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "artifacts" / "client_ready"
VIEWPORT = {"width": 1280, "height": 720}
#: Model and Explain wait for scores, SHAP values and reasons computed in the background.
SLOW_PAGES = ("model", "explain")


@dataclass(frozen=True)
class App:
    """The running app, its prepared workspaces, and the sidebar labels its first load showed."""

    url: str
    workspaces: dict[str, ready.Workspace]
    cold_start_labels: list[str]


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory):
    """Both workspaces made through the Python API, then one fresh server; its first load is watched."""
    folder = tmp_path_factory.mktemp("client_ready")
    db = folder / "workspaces.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHURN_DB", str(db))
        workspaces = {ws.key: ws for ws in (ready.sample_workspace(db), ready.telco_workspace(db, folder))}
    with running_app(db, timeout=120) as url:
        yield App(url, workspaces, _first_load_labels(browser, url, workspaces["sample"].token))


def _first_load_labels(browser, url: str, token: str) -> list[str]:
    """Every sidebar link label the very first page load of the server showed, polled from its first byte."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(ready.WATCH_NAV)
    try:
        page = context.new_page()
        page.goto(f"{url}/?ws={token}&lang=nb")
        settle(page, timeout_ms=180_000)
        labels = page.evaluate("() => window.__navSeen")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "first-load-sidebar-labels.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")
        return labels
    finally:
        context.close()


def settle(page, timeout_ms: float = 120_000) -> None:
    """Wait until the page is shown (:data:`tests.client_ready.SHOWN`) and still is a second later.

    A page whose background job just finished reruns itself, so one moment of quiet is not enough.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left = max(1000, (deadline - time.monotonic()) * 1000)
        page.wait_for_function(ready.SHOWN, timeout=left, polling=100)
        page.wait_for_timeout(1000)
        if page.evaluate(ready.SHOWN):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} kept rerunning for {timeout_ms / 1000:.0f} s")


def _screenshot(page, workspace: str, lang: str, name: str) -> None:
    folder = SCREENSHOTS if workspace == "sample" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    prefix = "" if workspace == "sample" else f"{workspace}-"
    page.screenshot(path=str(folder / f"{prefix}{lang}-{name}.png"))


def _layout_violations(page) -> list[str]:
    """Check 7 on the page as it opens: the first metric and the first chart start on the screen."""
    found = []
    first = page.evaluate(ready.FIRST_METRIC_AND_CHART)
    if first["metric"] is not None and first["metric"] >= first["height"]:
        found.append(
            f"projector: the first metric («{first['metric_label']}») starts at {first['metric']} px, "
            f"below the {first['height']} px screen"
        )
    if first["chart"] is not None and first["chart"] >= first["height"]:
        found.append(
            f"projector: the first chart starts at {first['chart']} px, below the {first['height']} px screen"
        )
    return found


def _view(page) -> dict:
    """The texts of :data:`tests.client_ready.PAGE_TEXT` and the cut-off metrics, as the page is now."""
    return page.evaluate(ready.PAGE_TEXT) | {"cut": page.evaluate(ready.CUT_OFF_METRICS)}


#: Unfolds every closed expander in view (a click on its summary, as a reader would); how many.
UNFOLD = """() => {
  const closed = [...document.querySelectorAll(
    "[data-testid='stMain'] [data-testid='stExpander'] details:not([open]) > summary")]
    .filter((summary) => summary.checkVisibility());
  closed.forEach((summary) => summary.click());
  return closed.length;
}"""


def _unfolded_view(page) -> dict:
    """:func:`_view` once every expander in view is open."""
    if page.evaluate(UNFOLD):
        page.wait_for_timeout(400)
    return _view(page)


def _every_view(page) -> list[tuple[str, dict]]:
    """(where, view) as the page opens, then with each main-area tab open; expanders unfolded."""
    tabs = page.locator("[data-testid='stMain'] [role='tab']")
    views = [("", _view(page)), ("expanders unfolded", _unfolded_view(page))]
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        if not tab.is_visible():
            continue  # a tab inside another tab that is closed: opened with its parent
        name = " ".join(tab.inner_text().split())
        tab.click()
        settle(page)
        views.append((f"tab «{name}»", _unfolded_view(page)))
    return views


AREAS = ("main", "sidebar", "headers", "cells")


def _keep_texts(views: list[tuple[str, dict]], file_name: str) -> None:
    """The texts the checks read, in ``artifacts/client_ready/``, to see what a check saw."""
    parts = [
        f"##### {view or 'as opened'} · {area}\n{texts[area]}" for view, texts in views for area in AREAS
    ]
    parts += [f"##### {view or 'as opened'} · widgets\n" + "\n".join(f"{label}: {value}" for label, value in texts["widgets"])
              for view, texts in views]  # fmt: skip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / file_name).write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def page_violations(page, ws: ready.Workspace, lang: str, name: str) -> list[str]:
    """Every check on the page just opened; each line says where (main, sidebar, table) and what.

    The texts read are kept in ``artifacts/client_ready/text-<workspace>-<lang>-<name>.txt``.
    """
    found = _layout_violations(page)
    for box in page.locator("[data-testid='stException']").all():
        found.append(f"exception box: {' '.join(box.inner_text().split())[:300]}")
    seen = set()
    views = _every_view(page)
    _keep_texts(views, f"text-{ws.key}-{lang}-{name}.txt")
    for view, texts in views:
        problems = [("main", f"cut-off {cut}") for cut in texts["cut"]]
        for area in AREAS:
            checked = ready.text_violations(texts[area], lang, ws.vocabulary, raw=area == "cells")
            problems += [(f"table {area}" if area in ("headers", "cells") else area, p) for p in checked]
        for label, value in texts["widgets"]:
            problems += [(f"widget «{label}»", p) for p in ready.text_violations(value, lang, ws.vocabulary)]
        for area, problem in problems:
            if problem not in seen:  # the same text in the next view is the same problem
                seen.add(problem)
                found.append(f"[{area}{', ' + view if view and area != 'sidebar' else ''}] {problem}")
    return found


def test_the_first_load_of_a_fresh_server_never_shows_the_page_files(app):
    """Streamlit names pages after their files until app.py has run once; the sidebar must not show that."""
    raw = [label for label in app.cold_start_labels if label in ready.RAW_PAGE_NAMES]
    assert not raw, f"the sidebar showed raw page file names during the first load: {raw}"
    assert app.cold_start_labels, "the first load showed no sidebar links at all"


@pytest.mark.parametrize("lang", ready.LANGUAGES)
@pytest.mark.parametrize("workspace", ["sample", "telco"])
def test_every_page_is_client_ready(app, browser, workspace, lang):
    ws = app.workspaces[workspace]
    context = browser.new_context(viewport=VIEWPORT, locale="nb-NO" if lang == "nb" else "en-GB")
    page = context.new_page()
    report: dict[str, list[str]] = {}
    try:
        for path in ready.PAGES:
            name = path or "home"
            page.goto(f"{app.url}/{path}?ws={ws.token}&lang={lang}")
            settle(page, timeout_ms=300_000 if path in SLOW_PAGES else 120_000)
            _screenshot(page, workspace, lang, name)
            found = page_violations(page, ws, lang, name)
            if found:
                report[name] = found
    finally:
        context.close()
    text = "\n".join(
        f"== {workspace} · {lang} · /{'' if name == 'home' else name}\n"
        + "\n".join(f"  {line}" for line in lines)
        for name, lines in report.items()
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"violations-{workspace}-{lang}.txt").write_text(text + "\n", encoding="utf-8")
    assert not report, f"{sum(map(len, report.values()))} problems on {len(report)} pages:\n{text}"
