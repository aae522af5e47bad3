"""When do customers leave: monthly churn and CRR, cohorts, survival curves, churn peaks."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from churn.analysis import survival, timing
from churn.analysis.peaks import (
    detect_peaks,
    explain_peaks,
    no_peak_sentence,
    peak_method_sentence,
    peak_sentences,
)
from churn.core.dataset import CHURN_FROM_INACTIVITY, START_DATE, Dataset
from churn.core.errors import ChurnError
from churn.core.formatting import fmt_number, fmt_pct
from churn.ingest import intake
from pages import common, state

common.ensure_router(__file__)

tr = common.tr
TTL = 3600


@st.cache_resource(ttl=TTL, max_entries=8, show_spinner=False)
def _with_inactivity(version, days: int, _dataset: Dataset) -> Dataset:
    return intake.with_inactivity(_dataset, days)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def _default_days(version, _dataset: Dataset) -> int:
    return int(intake.default_inactivity_days(_dataset.events))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _analyse(version, segment: str | None, values: tuple, period: tuple, _dataset: Dataset) -> dict:
    """Everything the page draws, computed once per (dataset, filters)."""
    in_segment = _dataset.evolve(customers=timing.select_customers(_dataset, segment, list(values)))
    kept = timing.select_customers(in_segment, None, None, *period)
    sub = _dataset.evolve(customers=kept)
    out = {"customers": len(kept), "dated": timing.has_dates(sub) and len(kept) > 0}
    if not len(kept):
        return out
    if out["dated"]:
        monthly = timing.monthly_churn(in_segment)
        if period[0] is not None:
            in_period = (monthly["month"] >= period[0]) & (monthly["month"] <= period[1])
            monthly = monthly[in_period].reset_index(drop=True)
        out["monthly"] = timing.with_trend(monthly)
        out["trend"] = timing.churn_trend(monthly)
        out["cohorts"] = timing.cohort_retention(sub)
    out["km"] = survival.km_curves(sub, segment)
    out["overall"] = survival.median_lifetimes(sub)
    out["medians"] = survival.median_lifetimes(sub, segment)
    out["logrank"] = survival.logrank(sub, segment) if segment and out["medians"].shape[0] > 1 else None
    flagged, peaks = detect_peaks(survival.monthly_hazard(sub))
    out["hazard"], out["peaks"] = flagged, explain_peaks(peaks, sub)
    return out


_MONTH_FORMAT = {"en": "%Y-%m", "nb": "%m.%Y"}


def _month_label(stamp) -> str:
    return pd.Timestamp(stamp).strftime(_MONTH_FORMAT[common.lang()])


def _filters(data: Dataset) -> tuple[str | None, tuple, tuple]:
    segments = timing.segment_columns(data)
    left, mid, right = st.columns([1, 1, 2])
    none = tr("when.segment_none")  # bound now: Streamlit may format options after the run
    segment = left.selectbox(
        tr("when.segment"),
        [None, *segments],
        format_func=lambda c: none if c is None else c,
        help=tr("when.segment_help"),
        key=state.Widget.WHEN_SEGMENT,
    )
    values: tuple = ()
    if segment:
        options = sorted(data.customers[segment].dropna().astype(str).unique())
        values = tuple(
            mid.multiselect(
                tr("when.segment_values"),
                options,
                help=tr("when.segment_values_help"),
                placeholder=tr("when.segment_values_placeholder"),
                key=state.Widget.WHEN_VALUES,
            )
        )
    period: tuple = (None, None)
    if data.has_dates:
        months = pd.period_range(
            data.customers[START_DATE].min().to_period("M"), data.customers[START_DATE].max().to_period("M")
        )
        if len(months) > 1:
            first, last = right.select_slider(
                tr("when.period"),
                options=list(months),
                value=(months[0], months[-1]),
                format_func=lambda p: _month_label(p.to_timestamp()),
                help=tr("when.period_help"),
                key=state.Widget.WHEN_PERIOD,
            )
            if (first, last) != (months[0], months[-1]):
                period = (first.to_timestamp(), (last + 1).to_timestamp() - pd.Timedelta(seconds=1))
    return segment, values, period


def _metrics(result: dict) -> None:
    lang = common.lang()
    overall = result["overall"].iloc[0]
    median = overall["median_months"]
    median_text = (
        tr("when.not_reached")
        if pd.isna(median)
        else tr("when.months_value", count=fmt_number(median, lang, 1))
    )
    cols = st.columns(4 if result["dated"] else 1)
    if result["dated"]:
        trend = result["trend"]
        cols[0].metric(
            tr("when.metric_recent"),
            fmt_pct(trend["recent_average"], lang),
            help=tr("when.metric_recent_help"),
        )
        crr = fmt_pct(trend["recent_crr"] / 100, lang, 1)  # CRR is computed × 100
        cols[1].metric(tr("when.metric_crr"), crr, help=tr("when.metric_crr_help"))
        revenue = fmt_pct(trend["recent_revenue_churn"], lang)
        cols[2].metric(tr("when.metric_revenue"), revenue, help=tr("when.metric_revenue_help"))
    cols[-1].metric(tr("when.metric_median"), median_text, help=tr("when.metric_median_help"))


def _peaks(result: dict) -> None:
    lang = common.lang()
    st.subheader(tr("when.peaks_header"))
    peaks = result["peaks"]
    if len(peaks):
        for sentence in peak_sentences(peaks, lang):
            st.markdown(f"- {common.plain(sentence)}")
    else:
        st.markdown(common.plain(no_peak_sentence(result["hazard"], lang)))
    st.caption(common.plain(peak_method_sentence(result["hazard"], lang=lang)))


def _tooltip(field: str, key: str, fmt: str | None = None, kind: str = "Q") -> alt.Tooltip:
    return (
        alt.Tooltip(f"{field}:{kind}", title=tr(key), format=fmt)
        if fmt
        else alt.Tooltip(f"{field}:{kind}", title=tr(key))
    )


def _monthly_view(result: dict, data: Dataset) -> None:
    """Monthly churn: the rate chart and its notes, revenue churn when there is value, the table."""
    monthly, trend = result["monthly"], result["trend"]
    frame = monthly.assign(label=monthly["month"].map(_month_label))
    common.altair_chart(_monthly_chart(frame, trend), width="stretch")
    _monthly_notes(frame, trend, data)
    if frame["revenue_churn"].notna().any():
        common.altair_chart(_revenue_chart(frame), width="stretch")
    with st.expander(tr("when.monthly_table")):
        st.dataframe(_monthly_table(frame), hide_index=True)


def _month_axis(frame: pd.DataFrame) -> alt.Chart:
    """A chart of ``frame`` with months on the x axis, in the reader's date format."""
    return alt.Chart(frame).encode(
        x=alt.X("month:T", title=tr("when.axis_month"), axis=alt.Axis(format=_MONTH_FORMAT[common.lang()]))
    )


def _monthly_chart(frame: pd.DataFrame, trend: dict) -> alt.LayerChart:
    """Churn rate bars (incomplete months faded), the trend line and the recent average."""
    base = _month_axis(frame)
    tips = [
        _tooltip("label", "when.axis_month", kind="N"),
        _tooltip("churn_rate", "when.tt_rate", ".2%"),
        _tooltip("start_customers", "when.tt_start", ",d"),
        _tooltip("new_customers", "when.tt_new", ",d"),
        _tooltip("lost_customers", "when.tt_lost", ",d"),
        _tooltip("end_customers", "when.tt_end", ",d"),
        _tooltip("crr", "when.tt_crr", ".1f"),
    ]
    bars = base.mark_bar(opacity=0.85).encode(
        y=alt.Y("churn_rate:Q", title=tr("when.axis_churn_pct"), axis=alt.Axis(format="%")),
        opacity=alt.condition("datum.complete", alt.value(0.85), alt.value(0.35)),
        tooltip=tips,
    )
    line = base.mark_line(color="#d62728").encode(
        y="trend:Q", tooltip=[_tooltip("trend", "when.tt_trend", ".2%")]
    )
    layers = [bars, line]
    if pd.notna(trend["recent_average"]):
        avg = pd.DataFrame({"avg": [trend["recent_average"]]})
        layers.append(alt.Chart(avg).mark_rule(strokeDash=[6, 4], color="#555").encode(y="avg:Q"))
    return alt.layer(*layers).properties(title=tr("when.monthly_title"), height=320)


def _monthly_notes(frame: pd.DataFrame, trend: dict, data: Dataset) -> None:
    """The chart caption, the yearly trend, and a warning when recent months are still provisional."""
    st.caption(tr("when.monthly_caption"))
    lang = common.lang()
    if pd.notna(trend["slope_per_month"]):
        st.caption(tr("when.slope", change=fmt_number(trend["slope_per_month"] * 1200, lang, 2)))
    if not frame["complete"].all() and data.churn_definition == CHURN_FROM_INACTIVITY:
        last_complete = frame.loc[frame["complete"], "month"].max()
        st.info(
            tr("when.provisional", date=_month_label(last_complete), days=data.mapping.inactivity_days or 0)
        )


def _revenue_chart(frame: pd.DataFrame) -> alt.Chart:
    """Revenue churn per month as a line with points."""
    revenue = (
        _month_axis(frame)
        .mark_line(point=True)
        .encode(
            y=alt.Y("revenue_churn:Q", title=tr("when.axis_revenue_pct"), axis=alt.Axis(format="%")),
            tooltip=[
                _tooltip("label", "when.axis_month", kind="N"),
                _tooltip("revenue_churn", "when.tt_revenue", ".2%"),
                _tooltip("lost_value", "when.tt_lost_value", ",.0f"),
            ],
        )
    )
    return revenue.properties(title=tr("when.revenue_title"), height=220)


def _monthly_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The monthly figures with translated headings and numbers in the reader's language."""
    lang = common.lang()
    return pd.DataFrame(
        {
            tr("when.col_month"): frame["label"],
            tr("when.col_start"): frame["start_customers"],
            tr("when.col_new"): frame["new_customers"],
            tr("when.col_lost"): frame["lost_customers"],
            tr("when.col_end"): frame["end_customers"],
            tr("when.col_rate"): [fmt_pct(v, lang, 2) for v in frame["churn_rate"]],
            tr("when.col_crr"): [fmt_number(v, lang, 1) for v in frame["crr"]],
            tr("when.col_revenue"): [fmt_pct(v, lang, 2) for v in frame["revenue_churn"]],
        }
    )


def _cohort_view(result: dict) -> None:
    cohorts = result["cohorts"]
    has_value = cohorts["revenue_retention"].notna().any()
    measure = "retention"
    if has_value:
        picked = st.segmented_control(
            tr("when.cohort_measure"),
            ["retention", "revenue_retention"],
            format_func={
                "retention": tr("when.cohort_customers"),
                "revenue_retention": tr("when.cohort_revenue"),
            }.get,
            default="retention",
            key=state.Widget.WHEN_COHORT_MEASURE,
        )
        measure = picked or "retention"
    frame = cohorts.assign(cohort_label=cohorts["cohort"].map(_month_label))
    low = max(0.0, float(np.floor(frame[measure].min() * 10) / 10)) if len(frame) else 0.0
    order = list(dict.fromkeys(frame.sort_values("cohort")["cohort_label"]))
    tips = [
        _tooltip("cohort_label", "when.axis_cohort", kind="N"),
        _tooltip("months_since_signup", "when.axis_months_since", "d"),
        _tooltip("cohort_size", "when.tt_cohort_size", ",d"),
        _tooltip("retained", "when.tt_retained", ",d"),
        _tooltip("retention", "when.tt_retention", ".1%"),
    ]
    if has_value:
        tips += [
            _tooltip("cohort_value", "when.tt_cohort_value", ",.0f"),
            _tooltip("retained_value", "when.tt_retained_value", ",.0f"),
        ]
    heat = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("months_since_signup:O", title=tr("when.axis_months_since")),
            y=alt.Y("cohort_label:O", title=tr("when.axis_cohort"), sort=order),
            color=alt.Color(
                f"{measure}:Q",
                title=tr("when.legend_retention"),
                scale=alt.Scale(scheme="blues", domain=[low, 1]),
                legend=alt.Legend(format="%"),
            ),
            tooltip=tips,
        )
    )
    title = tr("when.cohort_title" if measure == "retention" else "when.cohort_value_title")
    common.altair_chart(heat.properties(title=title, height=max(240, 14 * len(order))), width="stretch")
    st.caption(tr("when.cohort_caption"))


def _survival_view(result: dict, segment: str | None) -> None:
    """Survival: Kaplan-Meier curves, the log-rank verdict, and median tenure per group."""
    everyone = {survival.ALL: tr("explain.all")}  # the one group without a segment, in the reader's words
    km, medians = result["km"].replace({"group": everyone}), result["medians"].replace({"group": everyone})
    common.altair_chart(_survival_chart(km), width="stretch")
    st.caption(tr("when.survival_caption"))
    _logrank_note(result["logrank"], segment)
    st.markdown(f"**{tr('when.median_table')}**")
    st.dataframe(_median_table(medians), hide_index=True)


def _survival_chart(km: pd.DataFrame) -> alt.LayerChart:
    """Step curves per group with their confidence bands and a rule at 50 %."""
    color = alt.Color("group:N", title=tr("when.legend_group"), legend=alt.Legend(symbolOpacity=1))
    base = alt.Chart(km).encode(
        x=alt.X(
            "months:Q", title=tr("when.axis_tenure"), scale=alt.Scale(domain=[0, float(km["months"].max())])
        ),
        color=color,
    )
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(
        y=alt.Y(
            "lower:Q",
            title=tr("when.axis_survival"),
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        y2="upper:Q",
    )
    line = base.mark_line(interpolate="step-after").encode(
        y="survival:Q",
        tooltip=[
            _tooltip("group", "when.tt_group", kind="N"),
            _tooltip("months", "when.tt_months", ".2f"),
            _tooltip("survival", "when.tt_survival", ".1%"),
            _tooltip("lower", "when.tt_lower", ".1%"),
            _tooltip("upper", "when.tt_upper", ".1%"),
            _tooltip("at_risk", "when.tt_at_risk", ",d"),
        ],
    )
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[2, 3], color="#777").encode(y="y:Q")
    return alt.layer(band, line, half).properties(title=tr("when.survival_title"), height=340)


def _logrank_note(logrank: dict | None, segment: str | None) -> None:
    """Whether the groups' curves differ, or a hint to pick a segment to compare."""
    if logrank is not None:
        sentence = survival.logrank_sentence(logrank, segment, common.lang())
        (st.success if logrank["significant"] else st.info)(common.plain(sentence))
    elif not segment:
        st.caption(tr("when.logrank_pick"))


def _median_interval(row: pd.Series, lang: str) -> str:
    """The confidence interval of one group's median tenure; open-ended when the upper end is not reached."""
    low, high = row["median_lower"], row["median_upper"]
    if pd.isna(low):
        return "–"
    if pd.isna(high):
        return tr("when.ci_open", low=fmt_number(low, lang, 1))
    return f"{fmt_number(low, lang, 1)} – {fmt_number(high, lang, 1)}"


def _median_table(medians: pd.DataFrame) -> pd.DataFrame:
    """Customers, churned, median tenure with its interval, and 12-month survival per group."""
    lang = common.lang()
    return pd.DataFrame(
        {
            tr("when.col_group"): medians["group"],
            tr("when.col_customers"): medians["customers"],
            tr("when.col_churned"): medians["churned"],
            tr("when.col_median"): [
                tr("when.not_reached") if pd.isna(m) else fmt_number(m, lang, 1)
                for m in medians["median_months"]
            ],
            tr("when.col_median_ci"): medians.apply(_median_interval, axis=1, lang=lang),
            tr("when.col_survival_12"): [fmt_pct(v, lang) for v in medians["survival_12"]],
        }
    )


def _hazard_view(result: dict) -> None:
    hazard = result["hazard"]
    kinds = [tr("when.peak_yes"), tr("when.peak_no"), tr("when.peak_untested")]
    kind = hazard["is_peak"].map({True: kinds[0], False: kinds[1]}).where(hazard["tested"], kinds[2])
    frame = hazard.assign(kind=kind)
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("tenure_month:O", title=tr("when.axis_tenure")),
            y=alt.Y("hazard:Q", title=tr("when.axis_hazard_pct"), axis=alt.Axis(format="%")),
            color=alt.Color(
                "kind:N",
                title=tr("when.legend_peak"),
                scale=alt.Scale(domain=kinds, range=["#d62728", "#5b8db8", "#878787"]),
            ),
            tooltip=[
                _tooltip("tenure_month", "when.tt_tenure_month", "d"),
                _tooltip("hazard", "when.tt_hazard", ".2%"),
                _tooltip("ratio", "when.tt_ratio", ".1f"),
                _tooltip("churned", "when.tt_churned", ",d"),
                _tooltip("at_risk", "when.tt_at_risk", ",d"),
                _tooltip("exposure", "when.tt_exposure", ",.0f"),
                _tooltip("p_adjusted", "when.tt_p", ".2g"),
            ],
        )
    )
    base = pd.DataFrame({"baseline": [float(hazard["baseline"].iloc[0])]})
    rule = alt.Chart(base).mark_rule(strokeDash=[6, 4], color="#555").encode(y="baseline:Q")
    common.altair_chart(
        alt.layer(bars, rule).properties(title=tr("when.hazard_title"), height=320), width="stretch"
    )
    st.caption(tr("when.hazard_caption"))


st.title(tr("when.title"))
st.caption(tr("when.intro"))
data = common.require_dataset()
version = common.dataset_key()

try:
    if data.churn_definition == CHURN_FROM_INACTIVITY and data.has_events:
        default = _default_days(version, _dataset=data)
        days = int(
            st.number_input(
                tr("when.inactivity_days"),
                min_value=7,
                max_value=730,
                value=int(data.mapping.inactivity_days or default),
                step=7,
                help=tr("when.inactivity_help"),
                key=state.Widget.WHEN_INACTIVITY_DAYS,
            )
        )
        if days != data.mapping.inactivity_days:
            data = _with_inactivity(version, days, _dataset=data)
        version = (*version, days)
    segment, values, period = _filters(data)
    result = _analyse(version, segment, values, period, _dataset=data)
except ChurnError as error:
    common.show_error(error)
    st.stop()

if not result["customers"]:
    st.info(tr("when.no_customers"), icon=":material/filter_alt_off:")
    st.stop()

if not result["dated"]:  # say first what this data cannot show
    st.info(tr("when.needs_dates"), icon=":material/event_busy:")
_metrics(result)
if not result["dated"]:
    survival_tab, hazard_tab = st.tabs([tr("when.tab_survival"), tr("when.tab_hazard")])
else:
    monthly_tab, cohort_tab, survival_tab, hazard_tab = st.tabs(
        [tr("when.tab_monthly"), tr("when.tab_cohorts"), tr("when.tab_survival"), tr("when.tab_hazard")]
    )
    with monthly_tab:
        _monthly_view(result, data)
    with cohort_tab:
        _cohort_view(result)
with survival_tab:
    _survival_view(result, segment)
with hazard_tab:
    _hazard_view(result)
_peaks(result)  # below the charts, so the first chart is in view on a projector
