"""The report's charts: offline SVG, titles in the reader's language, data text escaped (churn/report/charts.py).

Each chart is drawn from a few hand-written rows of the aggregated frame it is given in the report.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from churn.core.i18n import t
from churn.report import charts


def monthly() -> pd.DataFrame:
    """Three months of churn rates, the last one still running."""
    return pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "churn_rate": [0.02, 0.03, 0.025],
            "trend": [0.021, 0.024, 0.027],
            "complete": [True, True, False],
        }
    )


def cohorts() -> pd.DataFrame:
    """Three signup cohorts, two months each."""
    return pd.DataFrame(
        {
            "cohort": pd.to_datetime(["2026-01-01"] * 2 + ["2026-02-01"] * 2 + ["2026-03-01"] * 2),
            "months_since_signup": [0, 1] * 3,
            "retention": [1.0, 0.9, 1.0, 0.85, 1.0, 0.8],
        }
    )


def km() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["all"] * 3,
            "months": [0.0, 6.0, 12.0],
            "survival": [1.0, 0.8, 0.6],
            "lower": [1.0, 0.75, 0.52],
            "upper": [1.0, 0.85, 0.68],
        }
    )


def flagged() -> pd.DataFrame:
    """Tenure months 1–5; month 5 was not tested (too few customers), month 2 is a peak."""
    return pd.DataFrame(
        {
            "tenure_month": [1, 2, 3, 4, 5],
            "hazard": [0.02, 0.06, 0.02, 0.015, 0.01],
            "is_peak": [False, True, False, False, False],
            "tested": [True, True, True, True, False],
        }
    )


def drivers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "attribute": ["plan", "plan"],
            "value": ["Basis", "Pro"],
            "churn_rate": [0.4, 0.1],
            "ci_low": [0.3, 0.05],
            "ci_high": [0.5, 0.15],
        }
    )


def lifts() -> pd.DataFrame:
    """Two usable signals and one whose lift is infinite (nobody without it left), which is dropped."""
    return pd.DataFrame(
        {
            "signal": ["fewer_orders", "contact_change", "fewer_logins"],
            "lift": [2.5, 1.8, np.inf],
            "lift_low": [1.9, 1.2, np.nan],
            "lift_high": [3.2, 2.6, np.nan],
        }
    )


def approaches() -> pd.DataFrame:
    return pd.DataFrame({"approach": ["Model", "Rule"], "value": [0.81, 0.66], "is_model": [True, False]})


#: chart name → (build the chart in a language, the i18n keys of its title and axis titles).
CHARTS = {
    "trend": (
        lambda lang: charts.churn_trend_chart(monthly(), lang),
        ["chart_trend", "axis_month", "axis_churn_pct"],
    ),
    "cohorts": (
        lambda lang: charts.cohort_heatmap(cohorts(), lang),
        ["chart_cohorts", "axis_months_since", "axis_cohort", "legend_retention"],
    ),
    "survival": (
        lambda lang: charts.survival_chart(km(), lang),
        ["chart_survival", "axis_tenure", "axis_survival"],
    ),
    "hazard": (
        lambda lang: charts.hazard_chart(flagged(), lang),
        ["chart_hazard", "axis_tenure_month", "axis_hazard", "legend_peak", "legend_normal"],
    ),
    "drivers": (
        lambda lang: charts.drivers_chart(drivers(), 0.25, lang),
        ["chart_drivers", "axis_churn_share"],
    ),
    "signals": (lambda lang: charts.signals_chart(lifts(), lang), ["chart_signals", "axis_lift"]),
    "model": (
        lambda lang: charts.model_chart(approaches(), t("report.axis_auc", lang), lang),
        ["chart_model", "axis_auc"],
    ),
}


def texts(svg: str) -> list[str]:
    """The text the SVG draws, unescaped."""
    return [html.unescape(s) for s in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_is_offline_svg_titled_in_the_language(name, lang):
    build, keys = CHARTS[name]
    svg = charts.to_svg(build(lang), lang, prefix=name)
    assert svg.startswith('<svg role="img" style="max-width:') and svg.rstrip().endswith("</svg>")
    drawn = texts(svg)
    for key in keys:
        assert t(f"report.{key}", lang) in drawn, key
    other = "nb" if lang == "en" else "en"
    assert t(f"report.{keys[0]}", other) not in drawn  # the other language's title is not there
    assert not re.search(r"https?://|<script|<image|<foreignObject|xmlns", svg)


@pytest.mark.parametrize(
    "lang,month,percent",
    [("en", "Jan 2026", "2%"), ("nb", "jan 2026", "2\xa0%")],
)
def test_trend_axes_use_the_languages_months_and_percent_signs(lang, month, percent):
    drawn = texts(charts.to_svg(charts.churn_trend_chart(monthly(), lang), lang))
    assert month in drawn and percent in drawn


@pytest.mark.parametrize("lang,labels", [("en", ["2026-02", "2026-03"]), ("nb", ["02.2026", "03.2026"])])
def test_cohort_heatmap_shows_only_the_latest_cohorts(lang, labels):
    drawn = texts(charts.to_svg(charts.cohort_heatmap(cohorts(), lang, max_cohorts=2), lang))
    assert [s for s in drawn if re.fullmatch(r"\d{2,4}[-.]\d{2,4}", s)] == labels


def test_hazard_chart_leaves_out_untested_and_late_months():
    """Month 5 is untested and month 4 lies beyond ``max_month=3``: ticks 1, 2, 3 remain."""
    drawn = texts(charts.to_svg(charts.hazard_chart(flagged(), "en", max_month=3)))
    assert [s for s in drawn if s.isdigit()] == ["1", "2", "3"]


def test_signals_chart_names_signals_in_words_and_drops_infinite_lifts():
    drawn = texts(charts.to_svg(charts.signals_chart(lifts(), "nb"), "nb"))
    assert {"Færre ordrer (−40 % eller mer)", "Ny kontaktperson"} <= set(drawn)
    assert t("why.signal_fewer_logins", "nb") not in drawn
    assert "fewer_orders" not in drawn


def test_markup_from_the_data_is_drawn_as_text():
    """Column names and values come from the client's file; Vega escapes them as SVG text."""
    evil = drivers().assign(attribute="<b>plan</b>", value=["<script>x</script>", "A&B"])
    svg = charts.to_svg(charts.drivers_chart(evil, 0.25))
    assert "<b>" not in svg and "<script" not in svg
    assert {"<b>plan</b> = <script>x</script>", "<b>plan</b> = A&B"} <= set(texts(svg))


def test_prefixes_keep_the_ids_of_two_charts_apart():
    """The cohort legend's gradient has an id; each chart's ids and references carry its own prefix."""
    first = charts.to_svg(charts.cohort_heatmap(cohorts()), prefix="c1")
    second = charts.to_svg(charts.cohort_heatmap(cohorts()), prefix="c2")
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in (first, second)]
    assert ids[0] and all(i.startswith("c1-") for i in ids[0]) and all(i.startswith("c2-") for i in ids[1])
    assert not set(ids[0]) & set(ids[1])
    for svg, own in zip((first, second), ids, strict=True):
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= set(own)
