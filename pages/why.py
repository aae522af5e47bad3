"""Why do customers leave? Segment drivers, acquisition check, warning signals, reasons, call list."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from churn.analysis import drivers, signals
from churn.core.dataset import VALUE
from churn.core.display import column_label
from churn.core.errors import ChurnError
from churn.core.export import to_csv_bytes, to_excel_bytes
from churn.core.formatting import fmt_date, fmt_number, fmt_pct, percent_printf
from pages import common, display, state

common.ensure_router(__file__)

tr = common.tr
TTL, ENTRIES = 3600, 8
#: How a table column is written (``fmt_value`` kinds); percentage columns hold shares × 100.
PCT, INT, RATIO, MONEY = "pct:1", "number", "times", "money"


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _drivers(key, lang: str, _dataset) -> tuple[pd.DataFrame, list[str], float]:
    table = drivers.segment_drivers(
        _dataset.customers, drivers.driver_attributes(_dataset), lang, mapping=_dataset
    )
    return table, drivers.top_findings(table, lang), float(_dataset.customers["churned"].mean())


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _segments_view(key, lang: str, attribute: str | None, _dataset) -> tuple[pd.DataFrame, dict]:
    """The segment rows shown for ``attribute`` (None: the 20 strongest) and their chart's spec.

    Cached per (dataset, language, attribute): building and validating the chart is most
    of a rerun otherwise.
    """
    table, _, overall = _drivers(key, lang, _dataset)
    view = (
        table.head(20)
        if attribute is None
        else table[table["attribute"] == attribute].sort_values("value_order")
    )
    view = _pct(view, "churn_rate", "ci_low", "ci_high").assign(
        status=view.apply(_status, axis=1, overall=overall),
        group=view["label"] + " · " + view["value"],
        attribute=view["label"],
    )
    tips = [
        ("group", "why.col_group", ""),
        ("churn_rate", "why.col_churn_rate", ".1f"),
        ("ci_low", "why.col_ci_low", ".1f"),
        ("ci_high", "why.col_ci_high", ".1f"),
        ("customers", "why.col_customers", ",.0f"),
        ("lift", "why.col_lift", ".2f"),
        ("excess_churners", "why.col_excess", ",.0f"),
    ]
    chart = _interval_chart(
        view.assign(value=view["churn_rate"]), "group", tr("why.axis_churn_rate"), overall * 100,
        tr("why.chart_segments"), tips,
    )  # fmt: skip
    return view, common.chart_spec(chart)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _acquisition(key, channel: str, cost_column: str | None, cost: float | None, _dataset) -> pd.DataFrame:
    return drivers.acquisition_check(_dataset.customers, channel, cost_column, cost)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _signals(key, as_of: dt.date, horizon: int, window: int, _dataset) -> signals.SignalEvaluation:
    return signals.evaluate_signals(
        _dataset.events, _dataset.customers, pd.Timestamp(as_of), horizon_days=horizon, window_days=window
    )


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _call_list(key, as_of: dt.date, threshold: float, lang: str, _dataset) -> pd.DataFrame:
    table = signals.low_activity_list(
        _dataset.events, _dataset.customers, pd.Timestamp(as_of), threshold=threshold
    )
    return signals.call_list_frame(table, lang, mapping=_dataset)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _clv_spec(key, lang: str, channel: str, cost_column, cost, _acq_view: pd.DataFrame) -> dict:
    """Lifetime value per channel with its acquisition cost as a tick (cached like the table)."""
    tips = [
        ("channel", "why.col_channel", ""),
        ("lifetime_value", "why.col_clv", ",.0f"),
        ("churn_rate", "why.col_churn_rate", ".1f"),
        ("acquisition_cost", "why.col_cac", ",.0f"),
    ]
    y = alt.Y("channel:N", sort="-x", title=None)
    bars = (
        alt.Chart(_acq_view)
        .mark_bar()
        .encode(
            x=alt.X("lifetime_value:Q", title=tr("why.axis_clv")),
            y=y,
            color=alt.condition("datum.cost_exceeds_value", alt.value("#c0392b"), alt.value("#2e86c1")),
            tooltip=_tooltips(tips),
        )
    )
    ticks = (
        alt.Chart(_acq_view)
        .mark_tick(color="black", thickness=3, size=22)
        .encode(x="acquisition_cost:Q", y=y)
    )
    return common.chart_spec((bars + ticks).properties(title=tr("why.chart_clv")))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _signal_specs(
    key, lang: str, as_of: dt.date, horizon: int, window: int, _lifts: pd.DataFrame, _result
) -> tuple[dict, dict]:
    """Specs of the signal-lift chart and the chart by number of signals, per :func:`_signals` inputs."""
    tips = [
        ("name", "why.col_signal", ""),
        ("value", "why.col_lift", ".2f"),
        ("ci_low", "why.col_ci_low", ".2f"),
        ("ci_high", "why.col_ci_high", ".2f"),
        ("customers", "why.col_with_signal", ",.0f"),
        ("showing_now", "why.col_showing_now", ",.0f"),
    ]
    frame = _lifts.assign(value=_lifts["lift"], ci_low=_lifts["lift_low"], ci_high=_lifts["lift_high"])
    lifts = _interval_chart(frame, "name", tr("why.axis_lift"), 1.0, tr("why.chart_signals"), tips, log=True)
    combos = _pct(_result.combinations, "churn_rate", "ci_low", "ci_high")
    tips = [
        ("label", "why.col_n_signals", ""),
        ("churn_rate", "why.col_churn_rate", ".1f"),
        ("customers", "why.col_customers", ",.0f"),
        ("showing_now", "why.col_showing_now", ",.0f"),
        ("lift", "why.col_lift_vs_none", ".2f"),
    ]
    x = alt.X("label:N", title=tr("why.axis_n_signals"), sort=None, axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(combos).encode(x=x, tooltip=_tooltips(tips))
    chart = bars.mark_bar().encode(y=alt.Y("churn_rate:Q", title=tr("why.axis_churn_rate"))) + bars.mark_rule(
        color="black"
    ).encode(y="ci_low:Q", y2="ci_high:Q")
    combinations = chart.properties(title=tr("why.chart_combinations", days=horizon), height=260)
    return common.chart_spec(lifts), common.chart_spec(combinations)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _reason_specs(key, lang: str, reason: str, segment: str | None, _dataset) -> tuple[dict, dict | None]:
    """Specs of the churn-reason chart and, for ``segment``, the reasons per segment value."""
    tips = [
        ("reason", "why.col_reason", ""),
        ("churned", "why.col_churned", ",.0f"),
        ("share", "why.col_share", ".1f"),
    ]
    counts = _pct(drivers.churn_reasons(_dataset.customers, reason), "share")
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title=tr("why.axis_share_of_churners")),
            y=alt.Y("reason:N", sort="-x", title=None),
            tooltip=_tooltips(tips),
        )
    )
    overall = common.chart_spec(chart.properties(title=tr("why.chart_reasons")))
    if segment is None:
        return overall, None
    by_segment = _pct(drivers.churn_reasons(_dataset.customers, reason, segment), "share")
    chart = (
        alt.Chart(by_segment)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title=tr("why.axis_share_of_churners"), stack="zero"),
            y=alt.Y("segment:N", title=None),
            color=alt.Color("reason:N", title=tr("why.col_reason")),
            tooltip=[alt.Tooltip("segment:N", title=segment), *_tooltips(tips)],
        )
    )
    title = common.tr_text("why.chart_reasons_by_segment", segment=segment)
    return overall, common.chart_spec(chart.properties(title=title))


def _pct(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    return frame.assign(**{c: frame[c] * 100 for c in columns})


def _table(frame: pd.DataFrame, spec: list[tuple], headers: dict[str, str] | None = None) -> None:
    """Show ``frame`` with columns ``(name, label key, kind or None[, help key])``, numbers in the reader's language.

    ``headers`` gives ready headers for some columns instead (e.g. built on the client's own header).
    Percentage columns arrive as shares × 100 (as the charts use them) and are written as percentages.
    """
    config, kinds = {}, {}
    for name, key, kind, *help_key in spec:
        helptext = tr(help_key[0]) if help_key else None
        label = (headers or {}).get(name) or tr(key)
        config[name] = st.column_config.Column(label, help=helptext)
        if kind:
            kinds[name] = kind
    shown = frame[[s[0] for s in spec]]
    shown = shown.assign(**{name: shown[name] / 100 for name, kind in kinds.items() if kind == PCT})
    display.show_table(shown, kinds, hide_index=True, column_config=config)


def _tooltips(spec: list[tuple]) -> list[alt.Tooltip]:
    return [alt.Tooltip(name, title=tr(key), format=fmt) for name, key, fmt in spec]


def _status(row: pd.Series, overall: float) -> str:
    """Mark, never hide: small groups and groups whose interval holds the overall rate."""
    if row["small"]:
        return tr("why.status_small")
    if not row["significant"]:
        return tr("why.status_not_significant")
    return tr("why.status_higher") if row["churn_rate"] > overall else tr("why.status_lower")


def _interval_chart(frame: pd.DataFrame, y: str, x_title: str, rule_at: float, title: str, tips, log=False):
    """Points (``value``) with 95% interval whiskers and a dashed reference line; rows in frame order."""
    keys = ("why.status_higher", "why.status_lower", "why.status_not_significant", "why.status_small")
    scale = alt.Scale(domain=[tr(k) for k in keys], range=["#c0392b", "#2e86c1", "#7f8c8d", "#878787"])
    color = alt.Color("status:N", title=None, scale=scale, legend=alt.Legend(orient="bottom"))
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{y}:N", sort=list(frame[y]), title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=_tooltips(tips),
    )
    x_scale = alt.Scale(type="log" if log else "linear")
    whiskers = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title, scale=x_scale), x2="ci_high:Q", color=color
    )
    points = base.mark_point(filled=True, size=80, opacity=1).encode(x="value:Q", color=color)
    rule = (
        alt.Chart(pd.DataFrame({"x": [rule_at]})).mark_rule(strokeDash=[4, 4], color="gray").encode(x="x:Q")
    )
    return (whiskers + points + rule).properties(title=title, height=alt.Step(26))


data = common.require_dataset()
key = common.dataset_key()
lang = common.lang()
today = (
    (pd.Timestamp(data.as_of) + pd.Timedelta(days=1)).date() if data.as_of is not None else dt.date.today()
)

st.title(tr("why.title"))
st.caption(tr("why.intro"))
#: Each view and whether this data has what it needs; a view that does not apply gets no tab.
applies = {
    "segments": True,
    "acquisition": drivers.find_channel_column(data) is not None,
    "signals": data.has_events,
    "reasons": drivers.find_reason_column(data) is not None,
    "calls": data.has_events,
}
missing = [name for name, ok in applies.items() if not ok]
if missing:
    st.caption(
        tr(
            "why.not_shown",
            views="; ".join(tr(f"why.missing_{n}") for n in missing if n != "calls"),  # calls go with signals
        )
    )
shown = [name for name, ok in applies.items() if ok]
tabs = dict(zip(shown, st.tabs([tr(f"why.tab_{n}") for n in shown]), strict=True))

if "segments" in tabs:
    with tabs["segments"]:
        table, findings, overall = _drivers(key, lang, data)
        if table.empty:
            st.info(tr("why.no_attributes"), icon=":material/info:")
        else:
            told, drawn = st.columns([2, 3])  # the findings beside their chart: both in view on a projector
            told.markdown(f"**{tr('why.findings_title')}**")
            for sentence in findings or [tr("why.no_findings")]:
                told.markdown(f"- {common.plain(sentence)}")
            told.caption(tr("why.overall_rate", rate=fmt_pct(overall, lang)))
            ranked = (
                table.groupby("attribute")["attribute_strength"].first().sort_values(ascending=False).index
            )
            shown_as = dict(zip(table["attribute"], table["label"], strict=True))  # the client's headers
            everything = tr("why.all_attributes")
            chosen = drawn.selectbox(
                tr("why.attribute"),
                [everything, *ranked],
                format_func=lambda name: shown_as.get(name, name),
                key=state.Widget.WHY_ATTRIBUTE,
            )
            view, spec = _segments_view(key, lang, None if chosen == everything else chosen, data)
            drawn.vega_lite_chart(spec=spec, width="stretch")
            _table(
                view,
                [
                    ("rank", "why.col_rank", INT),
                    ("attribute", "why.col_attribute", None),
                    ("value", "why.col_value", None),
                    ("customers", "why.col_customers", INT),
                    ("churned", "why.col_churned", INT),
                    ("churn_rate", "why.col_churn_rate", PCT),
                    ("ci_low", "why.col_ci_low", PCT),
                    ("ci_high", "why.col_ci_high", PCT),
                    ("lift", "why.col_lift", RATIO, "why.help_lift"),
                    ("excess_churners", "why.col_excess", INT, "why.help_excess"),
                    ("status", "why.col_status", None),
                ],
            )
            st.caption(tr("why.segments_note", n=drivers.MIN_GROUP_SIZE))

if "acquisition" in tabs:
    with tabs["acquisition"]:
        st.caption(tr("why.acquisition_intro"))
        options = [c for c in data.categorical if c in data.customers and c not in data.leakage]
        found = drivers.find_channel_column(data)
        if not options:
            st.info(tr("why.no_channel"), icon=":material/info:")
        else:
            index = options.index(found) if found in options else 0
            channel = st.selectbox(
                tr("why.channel_column"), options, index=index, key=state.Widget.WHY_CHANNEL
            )
            cost_column, cost = drivers.find_cost_column(data), None
            if cost_column:
                st.caption(tr("why.cost_from_column", column=cost_column))
            else:
                typed = st.number_input(
                    tr("why.cost_input", currency=display.currency()),
                    min_value=0.0,
                    value=0.0,
                    step=500.0,
                    format="%.0f",
                    help=tr("why.cost_help"),
                )
                cost = typed or None
            acq = _acquisition(key, channel, cost_column, cost, data)
            value_header = column_label(data, VALUE, lang)
            acq_view = _pct(acq, "churn_rate").assign(
                verdict=acq["cost_exceeds_value"].map({True: tr("why.verdict_loss"), False: ""})
            )
            spec = [
                ("channel", "why.col_channel", None),
                ("customers", "why.col_customers", INT),
                ("churn_rate", "why.col_churn_rate", PCT),
                ("monthly_value", "why.col_average", MONEY),
                ("expected_lifetime_months", "why.col_lifetime", INT),
                ("lifetime_value", "why.col_clv", MONEY, "why.help_clv"),
            ]
            if acq["acquisition_cost"].notna().any():
                spec += [("acquisition_cost", "why.col_cac", MONEY), ("verdict", "why.col_verdict", None)]
            _table(acq_view, spec, {"monthly_value": common.tr_text("why.col_average", column=value_header)})
            if acq["lifetime_value"].notna().any():
                st.vega_lite_chart(
                    spec=_clv_spec(key, lang, channel, cost_column, cost, acq_view), width="stretch"
                )
            if acq["cost_exceeds_value"].any():
                losing = ", ".join(acq.loc[acq["cost_exceeds_value"], "channel"])
                st.warning(tr("why.channels_losing", channels=losing), icon=":material/warning:")

if "signals" in tabs:
    with tabs["signals"]:
        if not data.has_events:
            st.info(tr("why.no_events"), icon=":material/event_busy:")
            st.page_link("pages/data.py", label=tr("common.go_to_data"), icon=":material/arrow_forward:")
        else:
            first_day = pd.Timestamp(data.events["timestamp"].min()).date()
            left, mid, right = st.columns(3)
            as_of = left.date_input(
                tr("why.as_of"),
                value=today,
                min_value=first_day,
                max_value=today,
                help=tr("why.as_of_help"),
                format="DD.MM.YYYY" if lang == "nb" else "YYYY-MM-DD",
                key=state.Widget.WHY_AS_OF,
            )
            horizon = mid.selectbox(tr("why.horizon"), [30, 60, 90], index=1, key=state.Widget.WHY_HORIZON)
            window = right.selectbox(tr("why.window"), [60, 90, 120], index=1, key=state.Widget.WHY_WINDOW)
            try:
                result = _signals(key, as_of, horizon, window, data)
            except ChurnError as error:
                common.show_error(error)
                result = None
            if result is not None:
                now = result.now
                a, b, c = st.columns(3)
                a.metric(tr("why.metric_active"), fmt_number(len(now), lang))
                b.metric(tr("why.metric_any"), fmt_number(int((now["n_signals"] >= 1).sum()), lang))
                c.metric(tr("why.metric_two"), fmt_number(int((now["n_signals"] >= 2).sum()), lang))
                if result.lifts is None:
                    st.info(tr("why.no_end_dates"), icon=":material/info:")
                elif result.lifts["churned"].sum() == 0:
                    st.info(tr("why.no_history"), icon=":material/info:")
                else:
                    date = fmt_date(result.evaluated_at, lang)
                    rate = fmt_pct(result.base_rate, lang)
                    st.caption(
                        tr("why.signals_method", periods=result.periods, date=date, days=horizon, rate=rate)
                    )
                    lifts = _pct(result.lifts, "churn_rate", "baseline_rate", "share_now").assign(
                        name=result.lifts["signal"].map(lambda s: tr(f"why.signal_{s}")),
                        status=result.lifts["lift_low"]
                        .gt(1)
                        .map({True: tr("why.status_higher"), False: tr("why.status_not_significant")}),
                    )
                    lifts_spec, combinations_spec = _signal_specs(
                        key, lang, as_of, horizon, window, lifts, result
                    )
                    st.vega_lite_chart(spec=lifts_spec, width="stretch")
                    _table(
                        lifts,
                        [
                            ("name", "why.col_signal", None),
                            ("showing_now", "why.col_showing_now", INT),
                            ("share_now", "why.col_share_now", PCT),
                            ("customers", "why.col_with_signal", INT),
                            ("churn_rate", "why.col_rate_with", PCT),
                            ("baseline_rate", "why.col_rate_without", PCT),
                            ("lift", "why.col_lift", RATIO),
                            ("lift_low", "why.col_ci_low", RATIO),
                            ("lift_high", "why.col_ci_high", RATIO),
                        ],
                    )
                    st.subheader(tr("why.combinations_title"))
                    st.caption(tr("why.combinations_intro"))
                    st.vega_lite_chart(spec=combinations_spec, width="stretch")
                    if result.pairs is not None and not result.pairs.empty:
                        pairs = _pct(result.pairs.head(5), "churn_rate")
                        label = pairs["first"].map(lambda s: tr(f"why.signal_{s}")) + " + "
                        pairs = pairs.assign(
                            pair=label + pairs["second"].map(lambda s: tr(f"why.signal_{s}"))
                        )
                        st.markdown(f"**{tr('why.pairs_title')}**")
                        _table(
                            pairs,
                            [
                                ("pair", "why.col_pair", None),
                                ("customers", "why.col_with_signal", INT),
                                ("churn_rate", "why.col_churn_rate", PCT),
                                ("lift", "why.col_lift_vs_none", "times:1"),
                                ("showing_now", "why.col_showing_now", INT),
                            ],
                        )

if "reasons" in tabs:
    with tabs["reasons"]:
        reason = drivers.find_reason_column(data)
        if reason is None:
            st.info(tr("why.no_reasons"), icon=":material/info:")
        else:
            st.warning(tr("why.reasons_after_the_fact", column=reason), icon=":material/history:")
            segments = [
                c for c in data.categorical if c in data.customers and c != reason and c not in data.leakage
            ]
            st.vega_lite_chart(spec=_reason_specs(key, lang, reason, None, data)[0], width="stretch")
            if segments:
                segment = st.selectbox(
                    tr("why.reason_segment"), segments, key=state.Widget.WHY_REASON_SEGMENT
                )
                st.vega_lite_chart(spec=_reason_specs(key, lang, reason, segment, data)[1], width="stretch")

if "calls" in tabs:
    with tabs["calls"]:
        st.caption(tr("why.calls_intro"))
        if not data.has_events:
            st.info(tr("why.no_events"), icon=":material/event_busy:")
        else:
            threshold = (
                st.slider(
                    tr("why.calls_threshold"),
                    10,
                    90,
                    50,
                    10,
                    format=percent_printf(lang),
                    key=state.Widget.WHY_THRESHOLD,
                    help=tr("why.calls_threshold_help"),
                )
                / 100
            )
            calls = _call_list(
                key, state.widget_value(state.Widget.WHY_AS_OF) or today, threshold, lang, data
            )
            if calls.empty:
                st.success(tr("why.calls_empty"), icon=":material/check_circle:")
            else:
                st.markdown(tr("why.calls_count", count=fmt_number(len(calls), lang)))
                display.show_table(calls, display.number_kinds(calls), hide_index=True)
                sheet = tr("why.calls_sheet")
                display.export_buttons(
                    common.tr_text("why.calls_file"),
                    excel=lambda: to_excel_bytes(calls, sheet=sheet),  # made only when clicked
                    csv=lambda: to_csv_bytes(calls, lang),
                )
