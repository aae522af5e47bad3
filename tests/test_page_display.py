"""pages/display.py and app.py's frame: the start page, one currency per workspace, colours that read."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from churn.core.i18n import t

ROOT = Path(__file__).resolve().parent.parent


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio: (lighter + 0.05) / (darker + 0.05); white on black is 21."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_ratio_by_hand():
    """White on black: (1 + 0.05) / (0 + 0.05) = 21; #767676 on white is the known AA edge, 4.54."""
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_chart_colour_and_the_theme_pass_wcag_aa_on_the_background():
    """Marks, lines and legend symbols need 3:1 against the page (WCAG 1.4.11), text 4.5:1 (1.4.3)."""
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    background = theme["backgroundColor"]
    assert contrast(theme["textColor"], background) >= 4.5
    assert contrast(theme["textColor"], theme["secondaryBackgroundColor"]) >= 4.5  # the sidebar
    assert contrast("#ffffff", theme["primaryColor"]) >= 4.5  # text on a primary button
    used = {
        (path.name, colour)
        for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
        for colour in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text())
    }
    assert used, "the pages name their chart colours"
    faint = sorted((name, colour) for name, colour in used if contrast(colour, background) < 3.0)
    assert faint == [], f"colours under 3:1 against {background}: {faint}"


@pytest.mark.parametrize("lang,currency", [("en", "EUR"), ("nb", "NOK")])
def test_the_start_page_shows_the_seven_steps_and_the_currency_follows_the_language(app_test, lang, currency):
    at = app_test(lang=lang)
    at.run()
    assert not at.exception
    assert at.title[0].value == t("home.title", lang)
    done = [m.value for m in at.markdown if t("home.state_done", lang) in m.value]
    assert len(done) == 1 and t("common.sample_name", lang) in done[0], "the data step is done, with its name"
    links = [link.label for link in at.get("page_link")]
    numbered = [label for label in links if re.match(r"^\d · ", label)]
    assert len(numbered) == 7, links
    assert [box.value for box in at.sidebar.selectbox if box.label == t("app.currency", lang)] == [currency]


def test_one_currency_chosen_in_the_sidebar_is_used_by_the_model_and_roi_pages(app_test, tiny_model):
    from churn.workspace import store

    at = app_test(lang="nb", model=tiny_model)
    store.update_settings(at.session_state["ws"], currency="SEK")  # as the sidebar's picker stores it
    at.run()
    assert [b.value for b in at.sidebar.selectbox if b.label == "Valuta"] == ["SEK"]
    at.switch_page("pages/model.py").run()
    assert any("(SEK per år)" in n.label for n in at.number_input)
    at.switch_page("pages/roi.py").run()
    assert any("(SEK)" in n.label for n in at.number_input)
    assert not [b for b in at.selectbox if b.label == t("roi.currency", "nb")], "no second currency picker"


def test_a_norwegian_percentage_slider_writes_a_decimal_comma(app_test):
    at = app_test(lang="nb", dataset=None)
    at.switch_page("pages/roi.py").run()
    slider = at.select_slider(key="roi_churn_rate")
    assert slider.value == pytest.approx(8.0)
    assert "8,0 %" in [option.replace("\xa0", " ") for option in slider.options]
