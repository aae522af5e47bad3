"""Hostile names through every page (AppTest): shown as written, never rendered as markdown.

A dataset name, a column header or a value such as ``![x](http://host/a.png)`` must
not become an image, a link, HTML, inline code or maths anywhere the page renders
markdown (text, captions, alerts, headings, labels, help, tabs, expanders, metrics).
Plain-text places (tables, option lists, chart specs, JSON) may show the raw string.
"""

from __future__ import annotations

import re

import pytest
from google.protobuf.message import Message

from pages.common import plain
from tests.conftest import save_model
from tests.hostile import names

PAGES = ["data", "when", "why", "model", "explain", "roi", "report"]
#: Elements Streamlit shows as plain text (or data), never as markdown (a dataframe column label is
#: plain text; only a column help tooltip is markdown, and no page puts file text there).
PLAIN_ELEMENTS = {
    "arrow_data_frame",
    "dataframe",
    "arrow_vega_lite_chart",
    "vega_lite_chart",
    "json",
    "code",
    "text",
}
#: Widget fields holding option values or typed text, shown as plain text.
PLAIN_FIELDS = {
    "options",
    "default",
    "value",
    "raw_values",
    "raw_value",
    "placeholder",
    "data",
    "id",
    "form_id",
}
ESCAPED = re.compile(r"\\.")  # a backslash-escaped character renders as itself
MARKDOWN_WIDGETS = {"radio", "button_group"}  # their options render markdown


def _strings(message: Message, path: str = ""):
    for field, value in message.ListFields():
        values = [value] if isinstance(value, str | bytes | Message | int | float) else list(value)
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item, f"{path}.{field.name}")
            elif isinstance(item, str):
                yield f"{path}.{field.name}", item


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered_leaks(at) -> list[str]:
    """Markdown-rendered strings of the page that hold a hostile name unescaped."""
    leaks = []
    for node in _nodes(at._tree):
        proto, kind = getattr(node, "proto", None), getattr(node, "type", "")
        if proto is None or kind in PLAIN_ELEMENTS:
            continue
        for path, text in _strings(proto):
            leaf = path.rsplit(".", 1)[-1]
            plain_field = leaf in PLAIN_FIELDS and not (kind in MARKDOWN_WIDGETS and leaf == "options")
            if plain_field and kind not in ("markdown", "heading", "alert", "toast"):
                continue
            if any(marker in ESCAPED.sub("", text) for marker in names.MARKERS):
                leaks.append(f"{kind}{path}: {text[:160]!r}")
    return leaks


@pytest.fixture(scope="module")
def hostile():
    """The hostile dataset and a tiny model fitted on it (once per module)."""
    from churn.model.churn_model import ChurnModel

    dataset = names.hostile_dataset()
    return dataset, ChurnModel(iterations=20, n_cutoffs=2).fit(dataset)


def _hostile(text: str) -> bool:
    return any(marker in str(text) for marker in names.MARKERS)


def _choices(at) -> list[tuple[str, int, int]]:
    """(kind, widget index, option index) picks that reveal more hostile text on a page.

    A selectbox that starts empty gets its first option; one listing hostile options
    (a column, a segment value) gets its first hostile option.
    """
    picks = []
    for i, box in enumerate(at.main.selectbox):
        options = list(box.options)
        hostile = [j for j, option in enumerate(options) if _hostile(option)]
        if hostile:
            picks.append(("selectbox", i, hostile[0]))
        elif box.value is None and len(options) > 1:
            picks.append(("selectbox", i, 1 if options[0] in ("", "–") else 0))
    return picks


def walk(at, page: str) -> list[str]:
    """Open ``page``, then each revealing selectbox choice in turn; every leak found."""
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, (page, at.exception)
    leaks = rendered_leaks(at)
    for kind, index, option in _choices(at):
        widgets = getattr(at.main, kind)
        if index >= len(widgets) or option >= len(widgets[index].options):
            continue
        widgets[index].select_index(option).run()
        assert not at.exception, (page, kind, index, at.exception)
        leaks += rendered_leaks(at)
    return sorted(set(leaks))


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_every_page_shows_hostile_names_as_written(app_test, hostile, lang):
    dataset, model = hostile
    at = app_test(dataset=dataset, lang=lang)
    save_model(at.session_state["ws"], at.session_state["dataset_id"], model)
    found = {}
    for page in PAGES:
        found[page] = walk(at, page)
        if page == "data":  # the name is shown, escaped, not dropped
            assert any(plain(names.DATASET_NAME) in h.value for h in at.subheader)
    next(b for b in at.button if b.key == "report_generate").click().run()  # the preview lists sections
    assert not at.exception
    found["report"] += rendered_leaks(at)
    assert found == dict.fromkeys(PAGES, [])
