"""Explain: why the model rates customers as it does, what-if, and the action list."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from churn.act import explain
from churn.act.reasons import ACTION_COLUMNS, action_list, export_action_list, feature_label
from churn.act.tiers import NO_TIER, TIERS, tier_label
from churn.core.errors import ChurnError
from churn.core.formatting import fmt_number, fmt_risk, sortable_texts
from pages import common, display, state

common.ensure_router(__file__)

tr = common.tr
TTL, ENTRIES = 3600, 4
TOP = 15
LABEL_LIMIT = 320
#: The customer picker lists the riskiest this many; any other id can be typed.
PICK_LIMIT = 1000
#: Tables longer than this send the browser only the rows in view (reruns stay fast at 100 k customers).
LAZY_ROWS = 2000
#: A what-if slider offers at most this many positions (a coarser step beyond).
MAX_STEPS = 400
_KIND_COLOURS = alt.Scale(
    domain=["base", "raises", "lowers", "prediction"], range=["#878787", "#d62728", "#2ca02c", "#1f77b4"]
)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _globals(key, model_key, lang: str, _X, _shap, _dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        explain.global_importance(_shap, lang, _dataset),
        explain.strip_data(_shap, _X, top=10, lang=lang, mapping=_dataset),
    )


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _drivers_specs(key, model_key, lang: str, _X, _shap, _dataset) -> tuple[dict, dict, list[str]]:
    """The importance and strip charts as Vega-Lite specs, and the features by importance."""
    importance, strip = _globals(key, model_key, lang, _X, _shap, _dataset)
    return (
        common.chart_spec(_importance_chart(importance)),
        common.chart_spec(_strip_chart(strip, list(importance["label"].head(10)))),
        list(importance["feature"]),
    )


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _dependence_spec(key, model_key, lang: str, feature: str, _X, _shap, _dataset) -> dict:
    data = explain.dependence_data(_shap, _X, feature)
    return common.chart_spec(_dependence_chart(data, feature_label(feature, lang, _dataset)))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _customer_labels(key, model_key, lang: str, _scores) -> dict[str, str]:
    """ "id · risk" of the :data:`PICK_LIMIT` riskiest customers, riskiest first (the picker's options)."""
    top = _scores.head(PICK_LIMIT)
    return {
        c: f"{c} · {fmt_risk(p, lang)}" for c, p in zip(top["customer_id"], top["probability"], strict=True)
    }


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _one_customer(key, model_key, lang: str, customer: str, _model, _X, _shap, base: float, _dataset) -> dict:
    """:func:`churn.act.explain.explain_customer` from the cached SHAP row, with the waterfall's spec."""
    row = _X.loc[customer]
    result = explain.explain_customer(
        _model, row, lang, n=5, shap_row=_shap.loc[customer], base=base, mapping=_dataset
    )
    return {**result, "waterfall_spec": common.chart_spec(_waterfall_chart(result["waterfall"]))}


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _domain(key, model_key, feature: str, _X) -> dict:
    return explain.feature_domain(_X, feature)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _what_if_answer(key, model_key, lang: str, customer: str, changes: tuple, _model, _X, _dataset) -> dict:
    """:func:`churn.act.explain.what_if` for one customer and one set of changes (a rerun asks again)."""
    return explain.what_if(_model, _X.loc[customer], dict(changes), lang, mapping=_dataset)


@st.cache_resource(ttl=TTL, max_entries=16, show_spinner=False)
def _action_view(
    key, model_key, lang: str, currency: str, bounds: tuple, filters: tuple, _scores, _reasons, _dataset
):
    """(action list, the same as shown) for one set of filters; shared and read-only, never copied.

    The shown list is an Arrow table: Streamlit sends a frame as Arrow, and turning 100 k
    rows of pandas into Arrow on every rerun was most of the page's script time.
    """
    segment, tiers, values, min_value = filters
    table = action_list(
        _scores, _reasons, _dataset.customers, segment, None if tiers is None else list(tiers),
        None if values is None else list(values), min_value,
    )  # fmt: skip
    view = table.assign(  # texts in the reader's language that still sort by size
        probability=sortable_texts(table["probability"], "risk", lang),
        tier=table["tier"].map(lambda code: tier_label(code, lang)),
        annual_value=sortable_texts(table["annual_value"].round(0), "money", lang, currency),
        value_at_risk=sortable_texts(table["value_at_risk"].round(0), "money", lang, currency),
    )
    return table, pa.Table.from_pandas(view, preserve_index=False)


def _importance_chart(importance: pd.DataFrame) -> alt.Chart:
    data = importance.head(TOP)
    return (
        alt.Chart(
            data,
            title=alt.TitleParams(tr("explain.importance_title"), subtitle=tr("explain.importance_subtitle")),
        )
        .mark_bar()
        .encode(
            x=alt.X("mean_abs_shap:Q", title=tr("explain.importance_x")),
            y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[
                alt.Tooltip("label:N", title=tr("explain.feature")),
                alt.Tooltip("mean_abs_shap:Q", title=tr("explain.importance_x"), format=".3f"),
                alt.Tooltip("share:Q", title=tr("explain.importance_share"), format=".0%"),
            ],
        )
        .properties(height=alt.Step(24))
    )


def _strip_chart(strip: pd.DataFrame, order: list[str]) -> alt.LayerChart:
    """Dots per customer and feature; numbers coloured by their percentile, categories grey."""
    base = alt.Chart(strip).encode(
        x=alt.X("shap:Q", title=tr("explain.strip_x")),
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1.6, 1.6])),
        tooltip=[
            alt.Tooltip("label:N", title=tr("explain.feature")),
            alt.Tooltip("value:N", title=tr("explain.value")),
            alt.Tooltip("shap:Q", title=tr("explain.strip_x"), format="+.3f"),
        ],
    )
    numbers = (
        base.transform_filter("isValid(datum.value_rank)")
        .mark_circle(size=22, opacity=0.75)
        .encode(
            color=alt.Color(
                "value_rank:Q",
                title=tr("explain.strip_colour"),
                scale=alt.Scale(scheme="blueorange", domain=[0, 1]),
                legend=alt.Legend(format=".0%"),
            )
        )
    )
    categories = base.transform_filter("!isValid(datum.value_rank)").mark_circle(
        size=22, opacity=0.6, color="#8c8c8c"
    )
    title = alt.TitleParams(tr("explain.strip_title"), subtitle=tr("explain.strip_subtitle"))
    return alt.layer(categories, numbers, title=title).properties(height=alt.Step(40))


def _dependence_chart(data: pd.DataFrame, label: str) -> alt.Chart:
    categorical = bool(data["categorical"].iloc[0]) if len(data) else False
    value_type = "N" if categorical else "Q"
    points = (
        alt.Chart(data)
        .mark_circle(size=28, opacity=0.55)
        .encode(
            x=alt.X(f"value:{value_type}", title=label),
            y=alt.Y("shap:Q", title=tr("explain.dependence_y")),
            tooltip=[
                alt.Tooltip(f"value:{value_type}", title=label),
                alt.Tooltip("shap:Q", title=tr("explain.dependence_y"), format="+.3f"),
            ],
        )
    )
    if categorical:
        points = points.encode(xOffset=alt.XOffset("jitter:Q", scale=alt.Scale(domain=[-1.6, 1.6])))
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(strokeDash=[4, 4], color="gray").encode(y="y:Q")
    title = alt.TitleParams(common.tr_text("explain.dependence_title", feature=label), offset=8)
    return (points + zero).properties(title=title, padding={"top": 12, "left": 5, "right": 5, "bottom": 5})


def _waterfall_chart(fall: pd.DataFrame) -> alt.Chart:
    data = fall.assign(
        start_pct=fall["start"] * 100,
        end_pct=fall["end"] * 100,
        points_pct=fall["points"] * 100,
        kind_text=fall["kind"].map(lambda k: tr(f"explain.kind_bar_{k}")),
    )
    return (
        alt.Chart(data, title=tr("explain.waterfall_title"))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            x=alt.X("start_pct:Q", title=tr("explain.waterfall_x")),
            x2="end_pct:Q",
            color=alt.Color("kind:N", scale=_KIND_COLOURS, legend=None),
            tooltip=[
                alt.Tooltip("label:N", title=tr("explain.feature")),
                alt.Tooltip("kind_text:N", title=tr("explain.effect")),
                alt.Tooltip("points_pct:Q", title=tr("explain.waterfall_points"), format="+.1f"),
                alt.Tooltip("end_pct:Q", title=tr("explain.waterfall_x"), format=".1f"),
            ],
        )
        .properties(height=alt.Step(30))
    )


@st.fragment
def _drivers_tab(dataset, X: pd.DataFrame, shap: pd.DataFrame, key, model_key) -> None:
    lang = common.lang()
    importance_spec, strip_spec, features = _drivers_specs(key, model_key, lang, X, shap, dataset)
    st.caption(tr("explain.logodds_note"))
    st.vega_lite_chart(spec=importance_spec, width="stretch")
    st.vega_lite_chart(spec=strip_spec, width="stretch")
    chosen = st.selectbox(
        tr("explain.dependence_pick"),
        features,
        format_func=lambda f: feature_label(f, lang, dataset),
        key=state.Widget.EXPLAIN_DEPENDENCE_FEATURE,
    )
    st.vega_lite_chart(spec=_dependence_spec(key, model_key, lang, chosen, X, shap, dataset), width="stretch")


@st.fragment
def _customer_tab(dataset, model, X, shap, base, scores: pd.DataFrame, key, model_key) -> None:
    """One customer: risk, tier, waterfall, reasons and what-if; every answer cached per customer."""
    lang = common.lang()
    labels = _customer_labels(key, model_key, lang, scores)
    many = len(scores) > len(labels)
    customer = st.selectbox(
        tr("explain.pick_customer"),
        list(labels),
        format_func=lambda c: labels.get(c, c),
        help=tr("explain.pick_help_many", n=len(labels), total=len(scores))
        if many
        else tr("explain.pick_help"),
        accept_new_options=many,  # any other active customer by typing the id
        key=state.Widget.EXPLAIN_CUSTOMER,
    )
    if customer is None:
        return
    customer = str(customer).strip()
    if customer not in X.index:
        st.info(tr("explain.no_such_customer", customer=customer), icon=":material/person_search:")
        return
    result = _one_customer(key, model_key, lang, customer, model, X, shap, base, dataset)
    cols = st.columns(3)
    cols[0].metric(tr("explain.risk"), fmt_risk(result["probability"], lang))
    cols[1].metric(
        tr("explain.base_rate_metric"),
        fmt_risk(result["base_probability"], lang),
        help=tr("explain.base_help"),
    )
    tier = scores["tier"].to_numpy()[scores["customer_id"].to_numpy() == customer]
    tier = tier[0] if len(tier) else None
    cols[2].metric(tr("explain.tier"), tier_label(tier, lang) if tier in (*TIERS, NO_TIER) else "–")
    st.vega_lite_chart(spec=result["waterfall_spec"], width="stretch")
    st.markdown(f"**{tr('explain.reasons_title')}**")
    st.markdown("\n".join(f"1. {common.plain(s)}" for s in result["reasons"]) or tr("explain.no_reasons"))
    st.caption(tr("explain.method_note"))
    _what_if(dataset, model, X, X.loc[customer], result, customer, key, model_key)


def _what_if(
    dataset, model, X: pd.DataFrame, row: pd.Series, result: dict, customer: str, key, model_key
) -> None:
    """What-if for one customer: pick features, move them, show the new risk."""
    st.subheader(tr("explain.whatif_title"))
    st.caption(tr("explain.whatif_help"))
    chosen = _what_if_features(dataset, model, result, customer)
    changes = _what_if_changes(dataset, X, row, chosen, customer, key, model_key)
    try:
        moved = tuple(sorted(changes.items()))
        outcome = _what_if_answer(key, model_key, common.lang(), customer, moved, model, X, dataset)
    except ChurnError as error:
        common.show_error(error)
        return
    _what_if_outcome(outcome)


def _what_if_features(dataset, model, result: dict, customer: str) -> list[str]:
    """The features to play with, starting from the customer's four strongest reasons."""
    lang = common.lang()
    return st.multiselect(
        tr("explain.whatif_pick"),
        list(model.features_),
        default=list(result["contributions"]["feature"].head(4)),
        format_func=lambda f: feature_label(f, lang, dataset),
        key=state.what_if_features_widget(customer),
        placeholder=common.tr_text("common.choose"),
    )


def _what_if_changes(
    dataset, X: pd.DataFrame, row: pd.Series, chosen: list[str], customer: str, key, model_key
) -> dict:
    """One widget per chosen feature, two columns; returns only the values the user moved."""
    changes = {}
    columns = st.columns(2)
    for i, feature in enumerate(chosen):
        with columns[i % 2]:
            value, start_value = _what_if_input(
                dataset, _domain(key, model_key, feature, X), row, feature, customer
            )
        if value != start_value:  # untouched widgets leave the customer's value (even a missing one) alone
            changes[feature] = value
    return changes


def _what_if_input(dataset, domain: dict, row: pd.Series, feature: str, customer: str) -> tuple:
    """A select box (category) or slider (number) for one feature; returns (value, start value)."""
    label = common.plain(feature_label(feature, common.lang(), dataset))
    widget_key = state.what_if_widget(customer, feature)
    missing = pd.isna(row[feature])
    help_text = tr("explain.whatif_missing") if missing else None
    if domain["kind"] == "category":
        start_value = str(row[feature])
        options = domain["options"]
        options = options if start_value in options else [start_value, *options]
        return st.selectbox(label, options, index=options.index(start_value), key=widget_key), start_value
    current = domain["min"] if missing else float(row[feature])
    low, high = min(domain["min"], current), max(domain["max"], current)
    if domain["integer"]:
        start_value = int(round(current))
        value = st.slider(label, int(low), int(high), start_value, 1, key=widget_key, help=help_text)
        return value, start_value
    # as many decimals as the step has ("7,0" for a step of 0.1), written by the reader's language:
    # a select slider over the steps, because st.slider's printf formats know no decimal comma
    step = float(domain["step"])
    step *= max(1, int(np.ceil((high - low) / step / MAX_STEPS)))
    decimals = max(0, -int(np.floor(np.log10(step))))
    options = [round(low + i * step, decimals) for i in range(int(round((high - low) / step)) + 1)]
    start_value = min(options, key=lambda option: abs(option - current))
    lang = common.lang()
    value = st.select_slider(
        label,
        options,
        value=start_value,
        format_func=lambda v: fmt_number(v, lang, decimals),
        key=widget_key,
        help=help_text,
    )
    return value, start_value


def _what_if_outcome(outcome: dict) -> None:
    """The risk after the changes, its change in points, and what moved it."""
    delta_points = outcome["delta"] * 100
    st.metric(
        tr("explain.whatif_new_risk"),
        fmt_risk(outcome["probability_after"], common.lang()),
        delta=tr("explain.points_delta", points=f"{delta_points:+.1f}")
        if abs(delta_points) >= 0.05
        else None,
        delta_color="inverse",
    )
    if outcome["changed"].empty:
        st.caption(tr("explain.whatif_no_change"))
    else:
        st.markdown(f"**{tr('explain.whatif_changed')}**")
        st.markdown("\n".join(f"- {common.plain(s)}" for s in outcome["changed"]["sentence"]))


@st.fragment
def _actions_tab(dataset, scores: pd.DataFrame, reasons: pd.DataFrame, key, model_key, bounds: tuple) -> None:
    """The action list: filters, the filtered table (cached per filters), and its exports."""
    st.caption(tr("explain.actions_help"))
    segment, tiers, values, min_value = _action_filters(dataset, scores)
    filters = (segment, tuple(tiers), None if values is None else tuple(values), min_value)
    try:
        table, view = _action_view(
            key, model_key, common.lang(), display.currency(), bounds, filters, scores, reasons, dataset
        )
    except ChurnError as error:
        common.show_error(error)
        return
    lang = common.lang()
    st.markdown(
        tr("explain.actions_count", n=fmt_number(len(table), lang), total=fmt_number(len(scores), lang))
    )
    _action_table(view)
    _action_exports(table)


def _action_filters(dataset, scores: pd.DataFrame) -> tuple[str | None, list[str], list[str] | None, int]:
    """Tier, segment, segment values and minimum value in one row; returns them for ``action_list``."""
    lang = common.lang()
    present = set(scores["tier"].dropna())
    tier_options = [code for code in (*reversed(TIERS), NO_TIER) if code in present]
    cols = st.columns([4, 2, 3, 2])
    tiers = cols[0].pills(  # chips, all in view; the list starts with the customers in a tier
        tr("explain.filter_tier"),
        tier_options,
        selection_mode="multi",
        default=[code for code in tier_options if code != NO_TIER] or tier_options,
        format_func=lambda code: tier_label(code, lang),
        key=state.Widget.ACTIONS_TIERS,
    )
    segments = [c for c in dataset.categorical if c in dataset.customers and c not in dataset.leakage]
    everyone = tr("explain.all")
    segment = cols[1].selectbox(
        tr("explain.filter_segment"),
        [None, *segments],
        key=state.Widget.ACTIONS_SEGMENT,
        format_func=lambda s: everyone if s is None else s,
    )
    values = []
    if segment:
        levels = sorted(dataset.customers[segment].dropna().astype(str).unique().tolist())
        values = cols[2].multiselect(
            tr("explain.filter_segment_values", segment=segment),
            levels,
            key=state.Widget.ACTIONS_LEVELS,
            placeholder=common.tr_text("common.choose"),
        )
    min_value = cols[3].number_input(
        tr("explain.filter_min_value"),
        min_value=0,
        value=0,
        step=1000,
        format="%d",
        key=state.Widget.ACTIONS_MIN_VALUE,
    )
    return segment, tiers, values or None, min_value


def _action_table(view: pa.Table) -> None:
    """The action list as shown (see :func:`_action_view`): risk as a bar, tiers in words, whole money."""
    config = {c: tr(f"explain.col_{c}") for c in ACTION_COLUMNS}
    # narrow ids and tiers leave the width to the reasons
    config["customer_id"] = st.column_config.TextColumn(tr("explain.col_customer_id"), width="small")
    config["tier"] = st.column_config.TextColumn(tr("explain.col_tier"), width="small")
    config["probability"] = st.column_config.TextColumn(tr("explain.col_probability"), width="small")
    st.dataframe(
        view,
        hide_index=True,
        column_config=config,
        height=420,
        key=state.Widget.ACTIONS_TABLE,
        lazy=view.num_rows > LAZY_ROWS,
    )


def _action_exports(table: pd.DataFrame) -> None:
    """CSV and Excel downloads of the action list, pseudonymised when the toggle is on."""
    lang = common.lang()
    pseudo = st.toggle(
        tr("explain.pseudonymise"), help=tr("explain.pseudonymise_help"), key=state.Widget.ACTIONS_PSEUDO
    )
    secret = common.pseudonym_secret() if pseudo else None
    display.export_buttons(
        common.tr_text("explain.file_name"),
        excel=lambda: export_action_list(table, lang, "xlsx", secret),  # made only when clicked
        csv=lambda: export_action_list(table, lang, "csv", secret),
    )


st.title(tr("explain.title"))
st.caption(tr("explain.intro"))
dataset = common.require_dataset()
model = common.current_model()
if model is None:
    st.info(tr("explain.no_model"), icon=":material/model_training:")
    st.page_link("pages/model.py", label=tr("explain.go_to_model"), icon=":material/arrow_forward:")
    st.stop()

key, model_key, lang = common.dataset_key(), common.model_key(model), common.lang()
try:  # computed once per model, in background jobs: a rerun only looks the results up
    explained, _ = common.explaining()
    scores = common.current_score_table(common.tiers_in_force())
    reasons, _ = common.reasons_explaining()
except ChurnError as error:
    common.show_error(error)
    st.stop()
if explained is None:
    common.explaining_progress()
    st.caption(tr("explain.explaining_note"))
    st.stop()
if explained.features.empty:
    st.info(tr("explain.no_active"), icon=":material/group_off:")
    st.stop()

X, shap, base = explained.features, explained.shap, explained.base
if not model.has_signal:
    st.warning(tr("explain.no_signal_notice"), icon=":material/help:")
drivers_tab, customer_tab, actions_tab = st.tabs(
    [tr("explain.tab_drivers"), tr("explain.tab_customer"), tr("explain.tab_actions")]
)
with drivers_tab:
    _drivers_tab(dataset, X, shap, key, model_key)
with customer_tab:
    _customer_tab(dataset, model, X, shap, base, scores, key, model_key)
with actions_tab:
    if reasons is None:  # the sentences come a little later than the scores
        common.explaining_progress(reasons=True)
    else:
        bounds = tuple(common.tiers_in_force()[code] for code in TIERS)
        _actions_tab(dataset, scores, reasons, key, model_key, bounds)
