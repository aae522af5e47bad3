"""Charts of the workshop report, drawn with Altair and rendered offline to inline SVG.

Every chart is built from an aggregated frame (never raw rows) and turned into
SVG with ``vl_convert`` (Vega-Lite in an embedded JavaScript engine: no browser,
no network). Vega escapes the text it draws, so column names and segment values
from the data cannot turn into markup. Each SVG gets its own prefix for its
internal ids so several charts can live in one HTML document without their
clip paths colliding.
"""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from churn.core.i18n import t

WIDTH = 560
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK, MUTED, ACCENT, RISK, GOOD = "#1f2d3d", "#6b7785", "#1f5f8b", "#c0392b", "#2e7d5b"

#: d3 number and date conventions per language (d3 ships no Norwegian number locale).
_NUMBER_LOCALE = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
    "nb": {
        "decimal": ",",
        "thousands": "\u00a0",
        "grouping": [3],
        "currency": ["", "\u00a0kr"],
        "percent": "\u00a0%",
    },
}
_TIME_LOCALE = {"en": "en-GB", "nb": "nb-NO"}
_MONTH_FORMAT = {"en": "%b %Y", "nb": "%b %Y"}  # d3 month names follow the time locale

_CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelColor": INK,
        "titleColor": INK,
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "gridColor": "#e6e9ed",
        "domainColor": "#9aa5b1",
        "tickColor": "#9aa5b1",
    },
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal"},
    "title": {"fontSize": 13, "anchor": "start", "color": INK, "fontWeight": "bold", "offset": 10},
}

_ID = re.compile(r'\bid="([^"]+)"')


def to_svg(chart: alt.TopLevelMixin, lang: str = "en", prefix: str = "c") -> str:
    """Render an Altair chart to an SVG string for inlining in HTML.

    Parameters
    ----------
    chart : altair chart
        Any top-level Altair chart.
    lang : str
        Number and month-name conventions of the axes.
    prefix : str
        Prepended to every id inside the SVG (and the references to it) so
        that charts in one document stay independent.

    Returns
    -------
    str
        The ``<svg>`` element, without the XML namespace declarations
        (HTML5 does not need them) and scaled to the width of its container.
    """
    svg = vl_convert.vegalite_to_svg(
        chart.to_json(),
        config=_CONFIG,
        format_locale=_NUMBER_LOCALE.get(lang, _NUMBER_LOCALE["en"]),
        time_format_locale=_TIME_LOCALE.get(lang, "en-GB"),
    )
    for name in set(_ID.findall(svg)):
        new = f"{prefix}-{name}"
        svg = svg.replace(f'id="{name}"', f'id="{new}"').replace(f"url(#{name})", f"url(#{new})")
        svg = svg.replace(f'href="#{name}"', f'href="#{new}"')
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg)
    style = f' style="max-width:{width.group(1)}px"' if width else ""
    return svg.replace("<svg ", f'<svg role="img"{style} ', 1)


def _pct_axis(title: str) -> alt.Axis:
    return alt.Axis(format=".0%", title=title)


def churn_trend_chart(monthly: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Monthly churn rate (bars; pale for incomplete months) with its straight-line trend.

    ``monthly`` is :func:`churn.analysis.timing.with_trend` output.
    """
    frame = monthly[["month", "churn_rate", "trend", "complete"]].copy()
    frame["complete"] = frame["complete"].astype(bool)
    axis = alt.Axis(format=_MONTH_FORMAT[lang], labelAngle=0, tickCount={"interval": "month", "step": 6})
    x = alt.X("yearmonth(month):T", title=t("report.axis_month", lang), axis=axis)
    base = alt.Chart(frame).encode(x=x)
    bars = base.mark_bar(color=ACCENT, width={"band": 0.75}).encode(
        y=alt.Y("churn_rate:Q", axis=_pct_axis(t("report.axis_churn_pct", lang))),
        opacity=alt.condition("datum.complete", alt.value(0.85), alt.value(0.3)),
    )
    line = base.mark_line(color=RISK, strokeWidth=2).encode(y="trend:Q")
    return (bars + line).properties(width=WIDTH, height=200, title=t("report.chart_trend", lang))


def cohort_heatmap(cohorts: pd.DataFrame, lang: str = "en", max_cohorts: int = 24) -> alt.Chart:
    """Retention of the latest ``max_cohorts`` signup-month cohorts by months since signup."""
    recent = sorted(cohorts["cohort"].unique())[-max_cohorts:]
    frame = cohorts[cohorts["cohort"].isin(recent)][["cohort", "months_since_signup", "retention"]].copy()
    frame["cohort"] = pd.to_datetime(frame["cohort"]).dt.strftime("%Y-%m" if lang == "en" else "%m.%Y")
    order = [pd.Timestamp(c).strftime("%Y-%m" if lang == "en" else "%m.%Y") for c in recent]
    months = max(int(frame["months_since_signup"].max()) + 1, 1) if len(frame) else 1
    # Start the colour scale at the lowest tenth seen so that differences between cohorts show.
    floor = float(np.floor(frame["retention"].min() * 10) / 10) if len(frame) else 0.0
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(
                "months_since_signup:O",
                title=t("report.axis_months_since", lang),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("cohort:O", title=t("report.axis_cohort", lang), sort=order),
            color=alt.Color(
                "retention:Q",
                title=t("report.legend_retention", lang),
                scale=alt.Scale(scheme="blues", domain=[floor, 1]),
                legend=alt.Legend(
                    format=".0%", orient="bottom", gradientLength=240, values=[floor, (floor + 1) / 2, 1.0]
                ),
            ),
        )
        .properties(
            width=min(WIDTH - 60, months * 18), height=len(order) * 13, title=t("report.chart_cohorts", lang)
        )
    )


def survival_chart(km: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Kaplan–Meier curve(s) with 95 % bands and a dotted rule at 50 %."""
    frame = km[["group", "months", "survival", "lower", "upper"]]
    x = alt.X("months:Q", title=t("report.axis_tenure", lang))
    groups = frame["group"].nunique()
    color = (
        alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom"))
        if groups > 1
        else alt.value(ACCENT)
    )
    base = alt.Chart(frame).encode(x=x, color=color)
    band = base.mark_area(opacity=0.18).encode(y="lower:Q", y2="upper:Q")
    line = base.mark_line(strokeWidth=2, interpolate="step-after").encode(
        y=alt.Y("survival:Q", axis=_pct_axis(t("report.axis_survival", lang)), scale=alt.Scale(domain=[0, 1]))
    )
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[2, 3], color=MUTED).encode(y="y:Q")
    return (band + line + half).properties(width=WIDTH, height=220, title=t("report.chart_survival", lang))


def hazard_chart(flagged: pd.DataFrame, lang: str = "en", max_month: int = 48) -> alt.LayerChart:
    """Churn risk per tenure month (from :func:`churn.analysis.peaks.detect_peaks`); peaks in red."""
    shown = flagged["tested"].astype(bool) & (flagged["tenure_month"] <= max_month)
    frame = flagged[shown][["tenure_month", "hazard", "is_peak"]].copy()
    frame["kind"] = np.where(frame["is_peak"], t("report.legend_peak", lang), t("report.legend_normal", lang))
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("tenure_month:O", title=t("report.axis_tenure_month", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("hazard:Q", axis=alt.Axis(format=".1%", title=t("report.axis_hazard", lang))),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(
                    domain=[t("report.legend_normal", lang), t("report.legend_peak", lang)],
                    range=["#9bb7cf", RISK],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    return bars.properties(width=WIDTH, height=180, title=t("report.chart_hazard", lang))


def drivers_chart(drivers: pd.DataFrame, overall: float, lang: str = "en", top: int = 10) -> alt.LayerChart:
    """Churn rate with 95 % interval of the ``top`` strongest groups, against the overall rate."""
    names = "label" if "label" in drivers else "attribute"  # the client's header when the table has it
    frame = drivers.head(top)[[names, "value", "churn_rate", "ci_low", "ci_high"]].copy()
    frame["label"] = frame[names].astype(str) + " = " + frame["value"].astype(str)
    order = list(frame["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(color=ACCENT, opacity=0.85, height=12).encode(
        x=alt.X("churn_rate:Q", axis=_pct_axis(t("report.axis_churn_share", lang)))
    )
    errors = base.mark_rule(color=INK).encode(x="ci_low:Q", x2="ci_high:Q")
    rule = alt.Chart(pd.DataFrame({"x": [overall]})).mark_rule(strokeDash=[4, 3], color=RISK).encode(x="x:Q")
    return (bars + errors + rule).properties(
        width=WIDTH - 240, height=len(order) * 20, title=t("report.chart_drivers", lang)
    )


def signals_chart(lifts: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """How many times more often customers showing each signal left (risk ratio, 95 % interval)."""
    frame = (
        lifts[["signal", "lift", "lift_low", "lift_high"]].replace([np.inf, -np.inf], np.nan).dropna().copy()
    )
    frame["label"] = frame["signal"].map(lambda s: t(f"why.signal_{s}", lang))
    order = list(frame["label"])
    base = alt.Chart(frame).encode(y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)))
    # A log scale shows "2× as often" and "half as often" as equal distances; bars cannot start at 0 there.
    errors = base.mark_rule(color=INK, strokeWidth=1.5).encode(
        x=alt.X("lift_low:Q", title=t("report.axis_lift", lang), scale=alt.Scale(type="log")),
        x2="lift_high:Q",
    )
    points = base.mark_circle(color=RISK, size=70, opacity=1).encode(x="lift:Q")
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color=MUTED, strokeDash=[4, 3]).encode(x="x:Q")
    return (one + errors + points).properties(
        width=WIDTH - 220, height=len(order) * 22, title=t("report.chart_signals", lang)
    )


def model_chart(rows: pd.DataFrame, metric_label: str, lang: str = "en") -> alt.Chart:
    """One bar per approach (the model and its baselines) for a single quality measure.

    ``rows`` has ``approach`` (display name), ``value`` and ``is_model``.
    """
    frame = rows[["approach", "value", "is_model"]].copy()
    frame["is_model"] = frame["is_model"].astype(bool)
    return (
        alt.Chart(frame)
        .mark_bar(height=14)
        .encode(
            y=alt.Y("approach:N", sort=list(frame["approach"]), title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("value:Q", title=metric_label, scale=alt.Scale(domain=[0, 1])),
            color=alt.condition("datum.is_model", alt.value(ACCENT), alt.value("#b8c4cf")),
        )
        .properties(width=WIDTH - 220, height=len(frame) * 24, title=t("report.chart_model", lang))
    )
