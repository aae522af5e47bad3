"""The sections of the workshop report: what each one shows, as plain blocks for the template.

Each ``*_section(ctx)`` calls the analysis modules' public functions and
returns ``{"key", "title", "lead", "blocks"}``. A block is a small dict
(``text``, ``list``, ``note``, ``h3``, ``figures``, ``chart``, ``table``) holding
plain strings; the template escapes every one of them. Only chart SVG is
marked safe, and Vega escapes the text it draws. Numbers are formatted here,
in the report's language, with :mod:`churn.core.formatting`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from churn.analysis import drivers, signals, survival, timing
from churn.analysis.peaks import (
    detect_peaks,
    explain_peaks,
    no_peak_sentence,
    peak_method_sentence,
    peak_sentences,
)
from churn.core.dataset import CHURNED, Dataset
from churn.core.formatting import fmt_date, fmt_money, fmt_number, fmt_pct
from churn.core.i18n import t
from churn.report import charts as report_charts
from churn.value.roi import compare_scenarios
from churn.value.scenarios import decode_query

log = logging.getLogger(__name__)

TOP_GROUPS = 10
TOP_CUSTOMERS = 15
SIGNAL_HORIZON_DAYS = 60


@dataclass
class Context:
    """What every section needs; sections add their headline figures to ``key_numbers``."""

    dataset: Dataset
    lang: str
    model: object | None = None
    scenarios: list[dict] = field(default_factory=list)
    secret: str | None = None
    currency: str = "EUR"
    key_numbers: list[tuple[str, str]] = field(default_factory=list)
    charts: int = 0
    evaluation: signals.SignalEvaluation | None = None

    def tr(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def svg(self, chart) -> Markup:
        """Render a chart to inline SVG with ids unique in the document."""
        self.charts += 1
        return Markup(report_charts.to_svg(chart, self.lang, prefix=f"c{self.charts}"))


# ---------------------------------------------------------------- blocks


def section(key: str, lang: str, blocks: list[dict], lead: str | None = None) -> dict:
    """A section dict with its translated heading."""
    return {"key": key, "title": t(f"report.section_{key}", lang), "lead": lead, "blocks": blocks}


def note(text: str) -> dict:
    """A muted sentence: the part does not apply, or the data did not allow it."""
    return {"type": "note", "text": text}


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def h3(value: str) -> dict:
    return {"type": "h3", "text": value}


def bullets(items: list[str]) -> dict:
    return {"type": "list", "items": list(items)}


def figures(items: list[tuple[str, str]]) -> dict:
    """Headline figures shown as cards: (label, formatted value)."""
    return {"type": "figures", "items": list(items)}


def chart(svg: Markup, caption: str | None = None) -> dict:
    return {"type": "chart", "svg": svg, "caption": caption}


def table(columns: list[str], rows: list[list[str]], numeric: list[bool] | None = None, caption=None) -> dict:
    """A table of already formatted strings; ``numeric`` columns are right-aligned."""
    return {
        "type": "table",
        "columns": list(columns),
        "rows": [[str(cell) for cell in row] for row in rows],
        "numeric": list(numeric or [False] * len(columns)),
        "caption": caption,
    }


# ---------------------------------------------------------------- data


def _mapping_facts(mapping, tr) -> list[str]:
    """How the file was read: the label's values, rows numbered for want of an id, rows combined."""
    facts = []
    if mapping.churn_label and (mapping.churned_values or mapping.active_values) and not mapping.grain_key:
        facts.append(
            tr(
                "report.fact_label_values",
                column=mapping.churn_label,
                left=", ".join(mapping.churned_values) or "–",
                active=", ".join(mapping.active_values) or "–",
                excluded=", ".join(mapping.excluded_values) or "–",
            )
        )
    if mapping.grain_key:
        facts.append(tr("report.fact_grain", column=mapping.grain_key))
    elif mapping.customer_id is None and mapping.churn_label is not None:
        facts.append(tr("report.fact_row_numbers"))
    return facts


def data_section(ctx: Context) -> dict:
    """Data summary (size, period, churn definition, attributes) and the quality checks."""
    from churn.ingest import quality

    d, lang, tr = ctx.dataset, ctx.lang, ctx.tr
    info = quality.profile(d, lang)
    ctx.key_numbers.append((tr("report.fig_customers"), fmt_number(info["customers"], lang)))
    ctx.key_numbers.append((tr("report.fig_churned_share"), fmt_pct(info["churn_rate"], lang)))
    items = [
        (tr("report.fig_customers"), fmt_number(info["customers"], lang)),
        (tr("report.fig_churned"), fmt_number(info["churned"], lang)),
        (tr("report.fig_churned_share"), fmt_pct(info["churn_rate"], lang)),
        (tr("report.fig_events"), fmt_number(info["events"], lang) if info["events"] else tr("report.none")),
        (
            tr("report.fig_history"),
            tr("report.months_value", count=fmt_number(info["history_months"], lang, 0)),
        ),
        (tr("report.fig_missing"), fmt_pct(info["missing_share"], lang)),
    ]
    facts = [
        tr("report.fact_as_of", date=fmt_date(d.as_of, lang)),
        tr(f"report.definition_{d.churn_definition}", days=d.mapping.inactivity_days or 0),
        tr("report.fact_tenure", count=fmt_number(timing.tenure_summary(d)["mean_tenure_months"], lang, 1)),
    ]
    if d.has_dates:
        first = fmt_date(d.customers["start_date"].min(), lang)
        facts.insert(0, tr("report.fact_period", first=first, last=fmt_date(d.as_of, lang)))
    facts += _mapping_facts(d.mapping, tr)
    if d.attributes:
        facts.append(tr("report.fact_attributes", columns=", ".join(map(str, d.attributes))))
    if d.leakage:
        facts.append(tr("report.fact_leakage", columns=", ".join(map(str, d.leakage))))
    blocks = [figures(items), bullets(facts), h3(tr("report.quality_title"))]
    blocks.append(text(t(f"quality.verdict_{info['verdict']}", lang)))
    rows = [
        [t(f"quality.name_{c['name']}", lang), tr(f"report.status_{c['status']}"), c["message"]]
        for c in info["checks"]
    ]
    columns = [tr("report.col_check"), tr("report.col_status"), tr("report.col_finding")]
    blocks.append(table(columns, rows) if rows else note(tr("report.quality_clean")))
    return section("data", lang, blocks, lead=tr("report.lead_data"))


# ---------------------------------------------------------------- when


def when_section(ctx: Context) -> dict:
    """Churn trend, cohorts, survival curve, risk by tenure and the peak sentences."""
    d, lang, tr = ctx.dataset, ctx.lang, ctx.tr
    blocks: list[dict] = []
    medians = survival.median_lifetimes(d)
    median = medians["median_months"].iloc[0] if len(medians) else float("nan")
    lifetime = (
        tr("report.not_reached")
        if pd.isna(median)
        else tr("report.months_value", count=fmt_number(median, lang, 1))
    )
    headline = [(tr("report.fig_median_lifetime"), lifetime)]
    if d.has_dates:
        monthly = timing.with_trend(timing.monthly_churn(d))
        trend = timing.churn_trend(monthly)
        recent = fmt_pct(trend["recent_average"], lang)
        ctx.key_numbers.append((tr("report.fig_recent_churn"), recent))
        headline = [
            (tr("report.fig_recent_churn"), recent),
            (tr("report.fig_crr"), fmt_number(trend["recent_crr"], lang, 1)),
            (tr("report.fig_revenue_churn"), fmt_pct(trend["recent_revenue_churn"], lang)),
            *headline,
        ]
        blocks.append(figures(headline))
        caption = tr("report.caption_trend")
        if pd.notna(trend["slope_per_month"]):
            points = fmt_number(trend["slope_per_month"] * 12 * 100, lang, 2)
            caption += " " + tr("report.slope", change=points)
        blocks.append(chart(ctx.svg(report_charts.churn_trend_chart(monthly, lang)), caption))
        cohorts = timing.cohort_retention(d)
        if len(cohorts):
            heatmap = report_charts.cohort_heatmap(cohorts, lang)
            blocks.append(chart(ctx.svg(heatmap), tr("report.caption_cohorts")))
    else:
        blocks.extend([figures(headline), note(tr("report.needs_dates"))])
    ctx.key_numbers.append((tr("report.fig_median_lifetime"), lifetime))
    blocks.append(
        chart(ctx.svg(report_charts.survival_chart(survival.km_curves(d), lang)), tr("report.caption_km"))
    )
    flagged, peaks = detect_peaks(survival.monthly_hazard(d))
    peaks = explain_peaks(peaks, d)
    blocks.append(h3(tr("report.peaks_title")))
    blocks.append(chart(ctx.svg(report_charts.hazard_chart(flagged, lang))))
    if len(peaks):
        blocks.append(bullets(peak_sentences(peaks, lang)))
    else:
        blocks.append(text(no_peak_sentence(flagged, lang)))
    blocks.append(note(peak_method_sentence(flagged, lang=lang)))
    return section("when", lang, blocks, lead=tr("report.lead_when"))


# ---------------------------------------------------------------- why


def why_section(ctx: Context) -> dict:
    """The strongest segment drivers (sentences, chart, table) and the warning signals."""
    d, lang, tr = ctx.dataset, ctx.lang, ctx.tr
    blocks: list[dict] = [h3(tr("report.drivers_title"))]
    attributes = drivers.driver_attributes(d)
    table_ = (
        drivers.segment_drivers(d.customers, attributes, lang, mapping=d) if attributes else pd.DataFrame()
    )
    if table_.empty or "effect" not in table_:
        blocks.append(note(tr("report.no_drivers")))
    else:
        findings = drivers.top_findings(table_, lang)
        blocks.append(bullets(findings) if findings else text(tr("report.no_findings")))
        if findings:
            ctx.key_numbers.append((tr("report.fig_top_driver"), str(table_["label"].iloc[0])))
        overall = float(table_.attrs.get("overall_rate", d.customers[CHURNED].mean()))
        svg = ctx.svg(report_charts.drivers_chart(table_, overall, lang, TOP_GROUPS))
        blocks.append(chart(svg, tr("report.caption_drivers", rate=fmt_pct(overall, lang))))
        blocks.append(_drivers_table(table_.head(TOP_GROUPS), ctx))
    blocks.append(h3(tr("report.signals_title")))
    blocks.extend(_signal_blocks(ctx))
    return section("why", lang, blocks, lead=tr("report.lead_why"))


def _drivers_table(top: pd.DataFrame, ctx: Context) -> dict:
    lang, tr = ctx.lang, ctx.tr
    rows = []
    for row in top.itertuples(index=False):
        if row.small:
            status = tr("report.status_small")
        elif not row.significant:
            status = tr("report.status_chance")
        else:
            status = tr("report.status_higher" if row.lift > 1 else "report.status_lower")
        rows.append(
            [
                row.label,
                row.value,
                fmt_number(row.customers, lang),
                fmt_pct(row.churn_rate, lang),
                fmt_number(row.lift, lang, 2) + "×",
                status,
            ]
        )
    columns = [
        tr(f"report.col_{c}") for c in ("attribute", "group", "customers", "churn_rate", "lift", "note")
    ]
    return table(columns, rows, [False, False, True, True, True, False])


def signal_evaluation(ctx: Context) -> signals.SignalEvaluation:
    """Signals now and their lifts, computed once per report (why and customers share it)."""
    if ctx.evaluation is None:
        d = ctx.dataset
        # The day after the last date seen, so that events of the last day count.
        as_of = pd.Timestamp(d.as_of).normalize() + pd.Timedelta(days=1)
        ctx.evaluation = signals.evaluate_signals(
            d.events, d.customers, as_of, horizon_days=SIGNAL_HORIZON_DAYS
        )
    return ctx.evaluation


def _signal_blocks(ctx: Context) -> list[dict]:
    d, lang, tr = ctx.dataset, ctx.lang, ctx.tr
    if not d.has_events:
        return [note(tr("report.no_events"))]
    evaluation = signal_evaluation(ctx)
    now = evaluation.now
    blocks = [
        figures(
            [
                (tr("report.fig_active"), fmt_number(len(now), lang)),
                (tr("report.fig_any_signal"), fmt_number(int((now["n_signals"] >= 1).sum()), lang)),
                (tr("report.fig_two_signals"), fmt_number(int((now["n_signals"] >= 2).sum()), lang)),
            ]
        )
    ]
    lifts = evaluation.lifts
    if lifts is None or lifts.empty:
        return [*blocks, note(tr("report.no_end_dates"))]
    method = tr(
        "report.caption_signals",
        periods=evaluation.periods,
        date=fmt_date(evaluation.evaluated_at, lang),
        days=evaluation.horizon_days,
        rate=fmt_pct(evaluation.base_rate, lang),
    )
    blocks.append(chart(ctx.svg(report_charts.signals_chart(lifts, lang)), method))
    rows = [
        [
            tr(f"why.signal_{row.signal}"),
            fmt_number(row.showing_now, lang),
            fmt_pct(row.churn_rate, lang),
            fmt_pct(row.baseline_rate, lang),
            fmt_number(row.lift, lang, 1) + "×",
        ]
        for row in lifts.itertuples(index=False)
    ]
    columns = [tr(f"report.col_{c}") for c in ("signal", "showing_now", "rate_with", "rate_without", "lift")]
    blocks.append(table(columns, rows, [False, True, True, True, True]))
    return blocks


# ---------------------------------------------------------------- ROI


def roi_section(ctx: Context) -> dict:
    """ROI scenarios side by side, one column each: the saved ones and the one on screen (marked unsaved)."""
    lang, tr = ctx.lang, ctx.tr
    if not ctx.scenarios:
        return section("roi", lang, [note(tr("report.no_scenarios"))])
    inputs = {
        (tr("report.unsaved_scenario") if s.get("unsaved") else str(s["name"])): decode_query(
            s.get("params") or {}
        ).inputs
        for s in ctx.scenarios
    }
    results = compare_scenarios(inputs)
    names = list(inputs)

    def money(name: str, value) -> str:
        return fmt_money(value, inputs[name].currency, lang)

    def inputs_row(label: str, fmt) -> list[str]:
        return [label, *[fmt(name, inputs[name]) for name in names]]

    def result_row(label: str, column: str, fmt) -> list[str]:
        return [label, *[fmt(name, results.loc[name, column]) for name in names]]

    def count(_name, value) -> str:
        return fmt_number(value, lang, 0 if float(value).is_integer() else 1)

    def pct(_name, value) -> str:
        return "–" if pd.isna(value) else fmt_pct(value / 100, lang, 0)

    rows = [
        inputs_row(tr("report.roi_customers"), lambda n, i: fmt_number(i.customers, lang)),
        inputs_row(tr("report.roi_annual_value"), lambda n, i: money(n, i.annual_value)),
        inputs_row(
            tr("report.roi_churn"),
            lambda n, i: f"{fmt_pct(i.churn_rate, lang)} → {fmt_pct(i.new_churn_rate, lang)}",
        ),
        inputs_row(tr("report.roi_horizon"), lambda n, i: tr("report.years_value", years=i.horizon_years)),
        result_row(tr("report.roi_saved_customers"), "saved_customers", count),
        result_row(tr("report.roi_saved_margin"), "saved_margin", money),
        result_row(tr("report.roi_total_cost"), "total_cost", money),
        result_row(tr("report.roi_net_benefit"), "net_benefit", money),
        result_row(tr("report.roi_roi"), "roi_pct", pct),
        result_row(tr("report.roi_payback"), "payback_months", lambda n, v: fmt_number(v, lang, 1)),
    ]
    columns = [tr("report.col_measure"), *names]
    best = results["net_benefit"].idxmax()
    ctx.key_numbers.append(
        (tr("report.fig_best_scenario", name=best), money(best, results.loc[best, "net_benefit"]))
    )
    blocks = [table(columns, rows, [False] + [True] * len(names), tr("report.caption_roi"))]
    return section("roi", lang, blocks, lead=tr("report.lead_roi"))


# ---------------------------------------------------------------- settings


def settings_section(
    ctx: Context, stamp: pd.Timestamp, titles: list[str], pseudonymised: bool, model_settings: str | None
) -> dict:
    """When and how the report was made: date, dataset, language, options, model settings.

    ``model_settings`` is :func:`churn.report.model_sections.settings_text` (None without a model).
    """
    d, lang, tr = ctx.dataset, ctx.lang, ctx.tr
    yes, no = tr("report.yes"), tr("report.no")
    rows = [
        [tr("report.set_generated"), f"{fmt_date(stamp, lang)} {stamp.strftime('%H:%M')}"],
        [tr("report.set_dataset"), d.name],
        [
            tr("report.set_size"),
            tr(
                "report.set_size_value",
                customers=fmt_number(len(d.customers), lang),
                events=fmt_number(len(d.events) if d.has_events else 0, lang),
            ),
        ],
        [tr("report.set_as_of"), fmt_date(d.as_of, lang)],
        [
            tr("report.set_definition"),
            tr(f"report.definition_{d.churn_definition}", days=d.mapping.inactivity_days or 0),
        ],
        [tr("report.set_language"), tr("report.language_name")],
        [tr("report.set_sections"), ", ".join(titles)],
        [tr("report.set_pseudonymised"), yes if pseudonymised else no],
        [tr("report.set_signal_horizon"), tr("report.days_value", days=SIGNAL_HORIZON_DAYS)],
        [tr("report.set_model"), model_settings or tr("report.none")],
    ]
    return section("settings", lang, [table([tr("report.col_setting"), tr("report.col_value")], rows)])
