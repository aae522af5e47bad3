"""ROI: what churn work is worth, as a what-if calculator leaders can share by link.

Every input lives in the URL query string (short keys from ``churn.value.scenarios``),
so a copied link opens the same scenario. The page works without any dataset;
a trained model, when there is one, can set the expected churn rate.
"""

from __future__ import annotations

from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from churn.core.assumptions import RETENTION_SUCCESS_RATE
from churn.core.errors import ChurnError
from churn.core.formatting import fmt_money, fmt_number, fmt_pct, percent_printf
from churn.value.roi import (
    RANGES,
    ROUNDING,
    RoiInputs,
    RoiResult,
    churn_with_programme,
    compare_scenarios,
    compute_roi,
    cumulative_by_month,
    roi_message,
    sensitivity,
)
from churn.value.scenarios import (
    COST_PRESETS,
    QUERY_KEYS,
    VARIANTS,
    apply_cost_preset,
    decode_query,
    encode_query,
    scenario_variants,
    seed004_example,
)
from churn.workspace import store
from pages import common, display, state

common.ensure_router(__file__)

tr = common.tr
SHARES = {"gross_margin", "churn_rate", "new_churn_rate"}
WIDGETS = {name: state.roi_widget(name) for name in QUERY_KEYS}
#: Series colours with at least 3:1 contrast on the white page (Streamlit's default has pale blues).
SERIES = alt.Scale(range=["#1f77b4", "#d62728", "#2ca02c", "#7f7f7f"])


# ---------------------------------------------------------------- state ↔ inputs


def _to_state(inputs: RoiInputs) -> None:
    """Put ``inputs`` into the widgets' session state (shares shown as percentages)."""
    for name, widget in WIDGETS.items():
        value = getattr(inputs, name)
        widget.set(round(value * 100, 10) if name in SHARES else value)


def _from_state() -> RoiInputs:
    values = {name: widget.get() for name, widget in WIDGETS.items()}
    for name in SHARES:
        values[name] = values[name] / 100
    return RoiInputs(**values)


def _sync_from_url() -> None:
    """Load inputs from a link the first time, or the last inputs when coming back."""
    url = {key: values for key in QUERY_KEYS.values() if (values := st.query_params.get_all(key))}
    written = {key: [value] for key, value in (state.ROI_WRITTEN.get() or {}).items()}
    if url and url != written:
        decoded = decode_query(url)
        _to_state(decoded.inputs)
        if decoded.inputs.currency != display.currency():  # a shared scenario brings its currency along
            display.set_currency(decoded.inputs.currency)
            st.rerun()  # the sidebar, drawn before this page, shows the new currency too
        state.ROI_REJECTED.set(decoded.rejected)
    elif not WIDGETS["customers"].is_set():
        _to_state(decode_query(state.ROI_PARAMS.get() or {}).inputs)


def _sync_to_url(inputs: RoiInputs) -> dict[str, str]:
    params = encode_query(inputs)
    for key in QUERY_KEYS.values():
        if key in params and st.query_params.get(key) != params[key]:
            st.query_params[key] = params[key]
        elif key not in params and key in st.query_params:
            del st.query_params[key]
    state.ROI_WRITTEN.set(params)
    state.ROI_PARAMS.set(params)
    return params


def _load_seed() -> None:
    _to_state(seed004_example())


def _load_cost_preset(size: str) -> None:
    _to_state(apply_cost_preset(_from_state(), size))
    if WIDGETS["currency"].get() != "EUR":
        state.ROI_PRESET_NOTICE.set(True)


def _model_recall() -> tuple[float, float | None] | None:
    """(recall, threshold) of the current trained model, or None when there is none."""
    try:
        model = common.current_model()
    except (ImportError, ChurnError):
        return None
    metrics = getattr(model, "metrics_", None) or {}
    recall = metrics.get("recall")
    if not isinstance(recall, int | float) or not 0 <= recall <= 1:
        return None
    return float(recall), getattr(model, "threshold_", None)


# ---------------------------------------------------------------- input widgets


def _money_input(name: str, step: float, where=st, **kwargs) -> None:
    """A money field bounded by RANGES, labelled with the currency."""
    low, high = RANGES[name]
    label = tr(f"roi.{name}", currency=WIDGETS["currency"].get())
    where.number_input(
        label, float(low), float(high), step=step, format="%.0f", key=WIDGETS[name].name, **kwargs
    )


def _pct_slider(name: str, step: float) -> None:
    display.pct_slider(tr(f"roi.{name}"), WIDGETS[name].name, step)


def _expected_churn() -> None:
    """The churn rate with the programme: entered, or derived from the trained model when there is one."""
    model, lang = _model_recall(), common.lang()
    source = "direct"
    if model is not None:
        labels = {code: tr(f"roi.source_{code}") for code in ("direct", "model")}
        source = st.radio(
            tr("roi.source"),
            tuple(labels),
            format_func=labels.get,
            horizontal=True,
            key=state.Widget.ROI_SOURCE,
        )
    if source == "direct":
        _pct_slider("new_churn_rate", 0.1)
        return
    recall, threshold = model
    success = st.slider(
        tr("roi.success_rate"),
        0,
        100,
        int(round(RETENTION_SUCCESS_RATE * 100)),
        1,
        format=percent_printf(lang),
        help=tr("roi.success_help"),
    )
    derived = churn_with_programme(WIDGETS["churn_rate"].get() / 100, recall, success / 100)
    # The new-churn slider is not drawn in this mode, so its state may be set here.
    WIDGETS["new_churn_rate"].set(round(derived * 100, 10))
    threshold_text = "–" if threshold is None else fmt_pct(threshold, lang, 0)
    st.caption(
        tr(
            "roi.model_derived",
            recall=fmt_pct(recall, lang),
            threshold=threshold_text,
            success=fmt_pct(success / 100, lang, 0),
            rate=fmt_pct(derived, lang, 2),
        )
    )


def _inputs_panel() -> RoiInputs:
    WIDGETS["currency"].set(display.currency())  # one currency per workspace, chosen in the sidebar
    with st.container(border=True):
        st.markdown(f"**{tr('roi.section_customers')}**")
        st.number_input(
            tr("roi.customers"), 1, int(RANGES["customers"][1]), step=10, key=WIDGETS["customers"].name
        )
        _money_input("annual_value", 1000.0)
        _pct_slider("gross_margin", 1.0)
        _pct_slider("churn_rate", 0.1)
        _expected_churn()
    with st.container(border=True):
        st.markdown(f"**{tr('roi.section_costs')}**")
        _money_input("setup_cost", 1000.0)
        _money_input("monthly_cost", 100.0)
        left, right = st.columns(2)
        _money_input("cost_per_contact", 10.0, where=left)
        high = int(RANGES["contacts_per_year"][1])
        right.number_input(
            tr("roi.contacts_per_year"), 0, high, step=10, key=WIDGETS["contacts_per_year"].name
        )
        _money_input(
            "acquisition_cost", 1000.0, placeholder=tr("roi.optional"), help=tr("roi.acquisition_help")
        )
    with st.container(border=True):
        st.markdown(f"**{tr('roi.section_settings')}**")
        st.slider(tr("roi.horizon_years"), 1, 10, step=1, key=WIDGETS["horizon_years"].name)
        st.radio(
            tr("roi.rounding"),
            ROUNDING,
            format_func={code: tr(f"roi.rounding_{code}") for code in ROUNDING}.get,
            horizontal=True,
            key=WIDGETS["rounding"].name,
        )
    return _from_state()


# ---------------------------------------------------------------- results


def _money(value: float | None, inputs: RoiInputs) -> str:
    return fmt_money(value, inputs.currency, common.lang())


def _count(value: float) -> str:
    return fmt_number(value, common.lang(), 0 if float(value).is_integer() else 1)


def _results(inputs: RoiInputs) -> None:
    """The scenario's outcome: headline metrics, warnings, before/after table, and the fine print."""
    result = compute_roi(inputs)
    _headline_metrics(result, inputs)
    common.altair_chart(_cumulative(inputs), width="stretch")  # in view with the figures on a projector
    _warnings(result, inputs)
    st.table(_before_after(result, inputs))
    st.caption("  \n".join(_result_notes(result, inputs)))
    common.altair_chart(_tornado(inputs), width="stretch")
    st.caption(tr("roi.tornado_note"))


def _headline_metrics(result: RoiResult, inputs: RoiInputs) -> None:
    """Net benefit, ROI, saved margin, cost, saved customers and payback, two metrics a row."""
    lang = common.lang()
    years = inputs.horizon_years
    roi = "–" if result.roi_pct is None else fmt_pct(result.roi_pct / 100, lang, 0)
    payback = "–" if result.payback_months is None else fmt_number(result.payback_months, lang, 1)
    # Two metrics a row: amounts in kroner run to 13 characters and must not be cut off.
    for (label, value, help_text), column in zip(
        [
            (tr("roi.net_benefit", years=years), _money(result.net_benefit, inputs), None),
            (tr("roi.roi_pct"), roi, None),
            (tr("roi.saved_margin", years=years), _money(result.saved_margin, inputs), None),
            (tr("roi.total_cost", years=years), _money(result.total_cost, inputs), None),
            (tr("roi.saved_customers"), _count(result.saved_customers), tr("roi.saved_customers_help")),
            (tr("roi.payback_months"), payback, None),
        ],
        st.columns(2) + st.columns(2) + st.columns(2),
        strict=True,
    ):
        column.metric(label, value, help=help_text)


def _warnings(result: RoiResult, inputs: RoiInputs) -> None:
    """What the numbers mean in a sentence, and a warning when the programme makes churn worse."""
    message = roi_message(result, common.lang())
    if message:
        st.info(message, icon=":material/info:")
    if inputs.new_churn_rate > inputs.churn_rate:
        st.warning(tr("roi.worse_than_before"), icon=":material/warning:")


def _before_after(result: RoiResult, inputs: RoiInputs) -> pd.DataFrame:
    """Lost customers, lost revenue, CRR, CLV and (when known) replacement cost, before and after."""
    lang = common.lang()

    def pair(before, after, fmt):
        return [fmt(before), fmt(after)]

    def clv(value):
        return tr("roi.no_churn_no_clv") if value is None else _money(value, inputs)

    rows = {
        tr("roi.row_lost"): pair(result.churned_before, result.churned_after, _count),
        tr("roi.row_revenue_lost"): pair(
            result.revenue_lost_before, result.revenue_lost_after, lambda v: _money(v, inputs)
        ),
        tr("roi.row_crr"): pair(
            result.crr_before / 100, result.crr_after / 100, lambda v: fmt_pct(v, lang, 1)
        ),
        tr("roi.row_clv"): pair(result.clv_before, result.clv_after, clv),
    }
    if result.replacement_cost_before is not None:
        rows[tr("roi.row_replacement")] = pair(
            result.replacement_cost_before, result.replacement_cost_after, lambda v: _money(v, inputs)
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=[tr("roi.before"), tr("roi.after")])


def _result_notes(result: RoiResult, inputs: RoiInputs) -> list[str]:
    """The fine print under the table: rounding, CRR, horizon, and what the result does not claim."""
    lang = common.lang()
    notes = [tr(f"roi.rounding_note_{inputs.rounding}"), tr("roi.crr_note"), tr("roi.horizon_note")]
    if result.crr_after > result.crr_before:
        notes.append(tr("roi.crr_claim", points=fmt_number(result.crr_after - result.crr_before, lang, 1)))
    if result.replacement_cost_saved is not None:
        notes.append(tr("roi.replacement_note", amount=_money(result.replacement_cost_saved, inputs)))
    else:
        notes.append(tr("roi.acquisition_claim"))
    if result.cost_per_saved_customer is not None:
        notes.append(tr("roi.cost_per_saved", amount=_money(result.cost_per_saved_customer, inputs)))
    return notes


BOTTOM = alt.Legend(orient="bottom", labelLimit=0)


def _tornado(inputs: RoiInputs) -> alt.Chart:
    frame = sensitivity(inputs, 0.2)
    lang, x_title = common.lang(), common.tr_text("roi.tornado_x", currency=inputs.currency)

    def shown(name: str, value: float) -> str:
        if name in SHARES:
            return fmt_pct(value, lang, 1)
        return (
            fmt_number(value, lang) if name in ("customers", "contacts_per_year") else _money(value, inputs)
        )

    rows = [
        {
            "input": tr(f"roi.field_{row.input}"),
            "change": tr(f"roi.change_{direction}"),
            "value": shown(row.input, value),
            "net": net,
            "base": row.net_base,
            "net_text": _money(net, inputs),
        }
        for row in frame.itertuples()
        for direction, value, net in (
            ("down", row.low_value, row.net_low),
            ("up", row.high_value, row.net_high),
        )
    ]
    bars = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            y=alt.Y("input:N", sort=None, title=tr("roi.tornado_y"), axis=alt.Axis(labelLimit=220)),
            x=alt.X("net:Q", title=x_title, axis=alt.Axis(format=",.0f")),
            x2="base:Q",
            color=alt.Color("change:N", title=tr("roi.tornado_change"), legend=BOTTOM, scale=SERIES),
            tooltip=[
                alt.Tooltip("input:N", title=tr("roi.tornado_y")),
                alt.Tooltip("change:N", title=tr("roi.tornado_change")),
                alt.Tooltip("value:N", title=tr("roi.tornado_value")),
                alt.Tooltip("net_text:N", title=x_title),
            ],
        )
    )
    base = (
        alt.Chart(pd.DataFrame({"base": [frame["net_base"].iloc[0]]}))
        .mark_rule(strokeDash=[4, 3])
        .encode(x="base:Q")
    )
    return (bars + base).properties(title=tr("roi.tornado_title"))


def _bars_or_lines(
    frame: pd.DataFrame, x: tuple[str, str], title: str, currency: str, mark: str
) -> alt.Chart:
    """Amounts (``amount``, ``amount_text``) by ``series`` over ``x`` = (field, axis title).

    Draws the cumulative chart (lines) and the scenario comparison (grouped bars)."""
    y_title = common.tr_text("roi.cumulative_y", currency=currency)
    chart = alt.Chart(frame, title=title)
    chart = chart.mark_line(point=True) if mark == "line" else chart.mark_bar()
    encoding = {"xOffset": "series:N"} if mark == "bar" else {}
    return chart.encode(
        x=alt.X(x[0], title=x[1], sort=None, axis=alt.Axis(labelAngle=0), scale=alt.Scale(nice=False)),
        y=alt.Y("amount:Q", title=y_title, axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, legend=BOTTOM, scale=SERIES),
        tooltip=[
            alt.Tooltip(x[0], title=x[1]),
            alt.Tooltip("series:N", title=tr("roi.series")),
            alt.Tooltip("amount_text:N", title=y_title),
        ],
        **encoding,
    )


def _cumulative(inputs: RoiInputs) -> alt.Chart:
    frame = cumulative_by_month(inputs)
    long = frame.melt(id_vars="month", value_vars=["benefit", "cost"], var_name="series", value_name="amount")
    long["series"] = long["series"].map({"benefit": tr("roi.series_benefit"), "cost": tr("roi.series_cost")})
    long["amount_text"] = long["amount"].map(lambda v: _money(v, inputs))
    x = ("month:Q", tr("roi.cumulative_x"))
    return _bars_or_lines(long, x, tr("roi.cumulative_title"), inputs.currency, "line")


# ---------------------------------------------------------------- scenarios and sharing


def _save(name: str, inputs: RoiInputs) -> None:
    try:
        store.save_scenario(common.workspace(), name, encode_query(inputs))
        st.toast(tr("roi.saved", name=name.strip()[:80]), icon=":material/bookmark_added:")
    except ChurnError as error:
        common.show_error(error)


def _scenarios(inputs: RoiInputs) -> None:
    st.subheader(tr("roi.scenarios"))
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    name = left.text_input(tr("roi.scenario_name"), max_chars=80, key=state.Widget.ROI_SCENARIO_NAME)
    if right.button(tr("roi.save"), icon=":material/bookmark_add:", width="stretch"):
        _save(name, inputs)
    if st.button(tr("roi.save_variants"), help=tr("roi.save_variants_help")):
        for variant, variant_inputs in scenario_variants(inputs).items():
            _save(tr(f"roi.variant_{variant}"), variant_inputs)
    saved = {
        row["name"]: decode_query(row["params"]).inputs for row in store.list_scenarios(common.workspace())
    }
    if not saved:
        st.caption(tr("roi.no_scenarios"))
        return
    left, middle, right = st.columns([4, 1, 1], vertical_alignment="bottom")
    picked = left.selectbox(tr("roi.saved_scenarios"), list(saved), key=state.Widget.ROI_PICKED)
    # Callbacks run before the widgets are drawn, so they may set the widgets' state.
    middle.button(tr("roi.open"), on_click=_to_state, args=(saved[picked],), width="stretch")
    right.button(
        tr("roi.delete"), on_click=store.delete_scenario, args=(common.workspace(), picked), width="stretch"
    )
    variants = [tr(f"roi.variant_{v}") for v in VARIANTS]
    defaults = [name for name in variants if name in saved] or list(saved)[:2]
    chosen = st.multiselect(
        tr("roi.compare"),
        list(saved),
        default=defaults,
        max_selections=4,
        placeholder=common.tr_text("common.choose"),
    )
    if len(chosen) < 2:
        st.caption(tr("roi.compare_hint"))
        return
    _compare({name: saved[name] for name in chosen})


def _compare(scenarios: dict[str, RoiInputs]) -> None:
    """Key results of 2–4 scenarios side by side, each in its own currency, plus a bar chart."""
    frame = compare_scenarios(scenarios)
    lang = common.lang()
    money = {name: (lambda v, i=inputs: _money(v, i)) for name, inputs in scenarios.items()}
    table = {
        tr("roi.field_horizon_years"): {n: str(i.horizon_years) for n, i in scenarios.items()},
        tr("roi.saved_customers"): {n: _count(v) for n, v in frame["saved_customers"].items()},
        tr("roi.cmp_margin"): {n: money[n](v) for n, v in frame["saved_margin"].items()},
        tr("roi.cmp_cost"): {n: money[n](v) for n, v in frame["total_cost"].items()},
        tr("roi.cmp_net"): {n: money[n](v) for n, v in frame["net_benefit"].items()},
        tr("roi.roi_pct"): {
            n: "–" if pd.isna(v) else fmt_pct(v / 100, lang, 0) for n, v in frame["roi_pct"].items()
        },
        tr("roi.payback_months"): {n: fmt_number(v, lang, 1) for n, v in frame["payback_months"].items()},
    }
    st.table(pd.DataFrame.from_dict(table, orient="index", columns=list(scenarios)))
    long = frame[["net_benefit", "total_cost"]].rename_axis("scenario").reset_index()
    long = long.melt(id_vars="scenario", var_name="series", value_name="amount")
    long["series"] = long["series"].map({"net_benefit": tr("roi.cmp_net"), "total_cost": tr("roi.cmp_cost")})
    long["amount_text"] = [money[n](v) for n, v in zip(long["scenario"], long["amount"], strict=True)]
    currency = "/".join(sorted({inputs.currency for inputs in scenarios.values()}))
    x = ("scenario:N", tr("roi.scenario"))
    common.altair_chart(_bars_or_lines(long, x, tr("roi.compare_title"), currency, "bar"), width="stretch")
    st.caption(tr("roi.compare_note"))


def _share(params: dict[str, str]) -> None:
    st.subheader(tr("roi.share"))
    query = urlencode({**params, "lang": common.lang()})
    st.code(f"{st.context.url or ''}?{query}", language=None, wrap_lines=True)
    st.caption(tr("roi.share_note"))


# ---------------------------------------------------------------- page

st.title(tr("roi.title"))
st.caption(tr("roi.intro"))

_sync_from_url()
if rejected := state.ROI_REJECTED.pop(()):
    fields = ", ".join(tr(f"roi.field_{name}") for name in rejected)
    st.warning(tr("roi.url_notice", fields=fields), icon=":material/link_off:")

presets = st.columns([3, 2, 2, 2])
presets[0].button(
    tr("roi.preset_seed"), help=tr("roi.preset_seed_help"), on_click=_load_seed, width="stretch"
)
for column, (size, preset) in zip(presets[1:], COST_PRESETS.items(), strict=True):
    column.button(
        tr("roi.preset_cost", employees=preset.employees),
        help=tr(
            "roi.preset_cost_help",
            **{
                f"{part}_{end}": fmt_money(value, "EUR", common.lang())
                for part, bounds in (("setup", preset.setup_range), ("monthly", preset.monthly_range))
                for end, value in zip(("low", "high"), bounds, strict=True)
            },
            roi_low=preset.expected_roi[0],
            roi_high=preset.expected_roi[1],
        ),
        on_click=_load_cost_preset,
        args=(size,),
        width="stretch",
    )
if state.ROI_PRESET_NOTICE.pop(False):
    st.info(tr("roi.preset_in_euro"), icon=":material/euro:")

inputs_column, results_column = st.columns([1, 2], gap="large")
with inputs_column:
    current = _inputs_panel()
params = _sync_to_url(current)
with results_column:
    _results(current)

_scenarios(current)
_share(params)
