"""Model: train CatBoost honestly, compare with baselines, pick a threshold by money, score customers."""

from __future__ import annotations

import contextlib
import os

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from churn.act.scoring import readable_score_table, score_headers
from churn.act.tiers import NO_TIER, TIERS, action_table, tier_label, validate_tiers
from churn.core.dataset import VALUE
from churn.core.display import column_label
from churn.core.errors import ChurnError, message
from churn.core.export import to_csv_bytes, to_excel_bytes
from churn.core.formatting import fmt_date, fmt_money, fmt_number, fmt_pct, percent_printf, sortable_texts
from churn.model import evaluation, features
from churn.model.churn_model import SPEEDS, exclusion_sentences, suggested_exclusions
from churn.model.persistence import train_and_save
from churn.model.verdict import recommendation_text
from churn.workspace import jobs
from pages import common, display, state

common.ensure_router(__file__)

tr = common.tr
TTL, ENTRIES = 3600, 8
MODELS = ("catboost", "rule", "logistic")
THRESHOLDS = np.round(np.arange(1, 100) / 100, 2)
#: Tables longer than this send the browser only the rows in view.
LAZY_ROWS = 2000

#: a training on the server leaves one core to everyone else's pages (one training runs at a time)
TRAINING_THREADS = max(1, (os.cpu_count() or 2) - 1)


@st.cache_resource(ttl=TTL, max_entries=ENTRIES, show_spinner=False)  # shared and read-only: never copied
def _shown_scores(
    key, model_id: int, bounds: tuple, lang: str, currency: str, _table: pd.DataFrame
) -> pd.DataFrame:
    """The scored list as the table shows it: risk, value and value at risk written in the reader's
    language (texts that sort by size), tiers in words; once per tiers, language and currency."""
    return _table.assign(
        probability=sortable_texts(_table["probability"], "risk", lang),
        tier=_table["tier"].map(lambda c: tier_label(c, lang)),
        **{
            column: sortable_texts(_table[column].round(0), "money", lang, currency)
            for column in (VALUE, "value_at_risk")
        },
    )


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _profit(
    key, model_id: int, value: float, cost: float, success: float, _fitted
) -> tuple[pd.DataFrame, float]:
    """Expected profit per threshold on the test period and the best threshold, per money inputs."""
    frame = _fitted.test_frame_
    y, p = frame["y_true"].to_numpy(), frame["catboost"].to_numpy()
    return (
        evaluation.profit_by_threshold(y, p, value, cost, success, THRESHOLDS),
        evaluation.best_threshold(y, p, value, cost, success, THRESHOLDS),
    )


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _metric_values(
    key, model_id: int, threshold: float, lang: str, _fitted
) -> tuple[dict, dict, pd.DataFrame, str]:
    """(metrics, their sentences, the comparison with the baselines, the gains sentence) at ``threshold``."""
    frame = _fitted.test_frame_
    y, p = frame["y_true"].to_numpy(), frame["catboost"].to_numpy()
    days = _fitted.period_days
    values = evaluation.evaluate(y, p, threshold)
    rows = {tr(f"model.name_{name}"): evaluation.evaluate(y, frame[name], threshold) for name in MODELS}
    table = pd.DataFrame(rows).loc[list(evaluation.METRIC_NAMES)].astype(float)
    table = table.map(lambda v: fmt_number(v, lang, 3))  # a small table read, not sorted: the page's numbers
    table.index = [tr(f"model.metric_{n}") for n in evaluation.METRIC_NAMES]
    return (
        values,
        evaluation.explain_metrics(values, lang, days),
        table,
        evaluation.gains_sentence(y, p, lang, 0.1, days),
    )


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _profit_spec(
    key, model_id: int, lang: str, money: tuple, threshold: float, currency: str, _profit
) -> dict:
    return common.chart_spec(_profit_chart(_profit, threshold, currency))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _quality_specs(key, model_id: int, lang: str, _fitted) -> tuple[dict, dict]:
    """Specs of the calibration and gains charts (they depend on the model only)."""
    frame = _fitted.test_frame_
    y, p = frame["y_true"].to_numpy(), frame["catboost"].to_numpy()
    return common.chart_spec(_calibration_chart(y, p)), common.chart_spec(_gains_chart(_fitted, y))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _suggested(key, horizon: int, _dataset) -> dict[str, str]:
    return suggested_exclusions(_dataset, horizon)


# ------------------------------------------------------------ training


def _settings_form(data, mode: str, fitted) -> None:
    with st.expander(tr("model.settings"), expanded=fitted is None):
        left, right = st.columns(2)
        horizon = 90
        if mode == features.MODE_SNAPSHOT:
            horizon = left.select_slider(
                tr("model.horizon"),
                options=[30, 60, 90, 120, 180, 270, 365],
                value=90,
                help=tr("model.horizon_help"),
            )
        speed = right.segmented_control(
            tr("model.speed"),
            options=list(SPEEDS),
            format_func={s: tr(f"model.speed_{s}") for s in SPEEDS}.get,
            default="balanced",
            help=tr("model.speed_help"),
        )
        try:
            suggested = _suggested(common.dataset_key(), horizon, data)
        except ChurnError as error:
            common.show_error(error)
            suggested = dict.fromkeys(data.leakage, "intake_leakage")
        options = list(dict.fromkeys([*data.attributes, *suggested]))
        lang = common.lang()  # bound now: Streamlit may format options after the run
        excluded = st.multiselect(
            tr("model.excluded"),
            options,
            default=[c for c in suggested if c in options],
            format_func=lambda column: column_label(data, column, lang),
            help=tr("model.excluded_help"),
            placeholder=common.tr_text("common.choose"),
        )
        for sentence in exclusion_sentences(suggested, lang, data) or [tr("model.excluded_none")]:
            st.caption(common.plain(sentence))
        running = (job := _training_job()) is not None and job.active
        label = tr("model.train_again") if fitted is not None else tr("model.train")
        if st.button(label, type="primary", disabled=running, icon=":material/model_training:"):
            settings = {
                "horizon_days": int(horizon),
                "iterations": SPEEDS[speed or "balanced"],
                "thread_count": TRAINING_THREADS,
                "exclude": list(excluded),
            }
            current = common.dataset_id()
            job_id = jobs.submit(train_and_save, data, common.workspace(), current, settings)
            state.TRAINING_JOB.set({"job": job_id, "dataset_id": current, "name": data.name})
            st.rerun()


def _training_job():
    """The session's training job, or None."""
    training = state.TRAINING_JOB.get()
    return None if training is None else jobs.get(training["job"])


@st.fragment(run_every=1.0)
def _training_progress() -> None:
    """Progress of the session's training; once it ends, a toast (or the error) and a full rerun.

    The job trains the dataset it was started on. When the sidebar has moved to another
    dataset meanwhile, the page says so, and the finished model stays with its own dataset.
    """
    training, job = state.TRAINING_JOB.get(), _training_job()
    if job is None:
        state.TRAINING_JOB.pop()
        return
    here = training["dataset_id"] == common.dataset_id()
    if job.active:
        if not here:
            st.info(tr("model.training_other", name=training["name"]), icon=":material/sync:")
        step = tr(f"model.step_{job.message}") if job.message else ""
        if job.state == jobs.QUEUED:
            st.progress(0.0, text=tr("model.queued", ahead=job.ahead))
        elif job.remaining is not None:
            st.progress(
                job.progress, text=tr("model.training_eta", step=step, seconds=int(job.remaining) + 1)
            )
        else:
            st.progress(job.progress, text=tr("model.training", step=step))
        return
    state.TRAINING_JOB.pop()
    if job.state == jobs.FAILED:
        failure = job.error_message(common.lang())
        state.TRAINING_ERROR.set(failure if here else f"{training['name']}: {failure}")
    else:  # the job saved the model with its dataset; common.current_model() finds it by id
        state.TRAINED.set({"seconds": job.elapsed, "name": training["name"], "here": here})
    st.rerun(scope="app")


# ------------------------------------------------------------ results


def _verdict(fitted, data) -> None:
    text = recommendation_text(fitted, common.lang())
    choice = (fitted.recommendation_ or {}).get("model", "catboost")
    (st.success if choice == "catboost" else st.warning)(common.plain(text), icon=":material/gavel:")
    metrics = fitted.metrics_
    folds = [a for a in metrics.get("fold_aucs") or [] if a is not None]
    if len(folds) > 1:
        shown = ", ".join(fmt_number(a, common.lang(), 3) for a in folds)
        st.caption(tr("model.fold_spread", folds=shown, auc=fmt_number(metrics["auc"], common.lang(), 3)))
    validation = tr(f"model.validation_{fitted.validation_}") if fitted.validation_ else ""
    st.caption(
        tr(
            "model.model_info" if fitted.period_days else "model.model_info_table",
            created=fmt_date(data.as_of, common.lang()),
            validation=validation,
            n_train=fmt_number(metrics.get("n_train"), common.lang()),
            n_test=fmt_number(metrics.get("n_test"), common.lang()),
            days=fitted.period_days,
        )
    )


def _money_inputs(fitted, where) -> tuple[float, float, float, str]:
    """Value of a kept customer, cost of a contact and success rate, in the workspace currency."""
    currency = display.currency()
    money = fitted.metrics_.get("money") or evaluation.default_money()
    value = where.number_input(
        tr("model.value", currency=currency),
        min_value=0.0,
        value=float(money["value"]),
        step=1000.0,
        format="%.0f",
        help=tr("model.value_help"),
    )
    left, right = where.columns(2)
    cost = left.number_input(
        tr("model.cost", currency=currency),
        min_value=0.0,
        value=float(money["cost"]),
        step=100.0,
        format="%.0f",
        help=tr("model.cost_help"),
    )
    success = right.number_input(
        tr("model.success"),
        min_value=0.0,
        max_value=100.0,
        value=float(money["success_rate"]) * 100,
        step=5.0,
        format="%.0f",
        help=tr("model.success_help"),
    )
    return value, cost, success / 100, currency


def _metrics(fitted, threshold: float, tiles) -> None:
    """The measures at ``threshold``: tiles in ``tiles`` (under the verdict), their meaning and the comparison here."""
    lang = common.lang()
    values, sentences, table, gains = _metric_values(
        common.dataset_key(), fitted.record_id_, threshold, lang, fitted
    )
    tiles.markdown(f"**{tr('model.metrics')}**")
    names = evaluation.METRIC_NAMES
    half = (len(names) + 1) // 2  # two rows, so no label is cut on a projector
    cols = tiles.columns(half) + tiles.columns(half)
    for col, name in zip(cols, names, strict=False):
        decimal = name in ("auc", "brier", "pr_auc")  # measures on a 0–1 scale, not shares of customers
        shown = fmt_number(values[name], lang, 3) if decimal else fmt_pct(values[name], lang)
        col.metric(tr(f"model.metric_{name}"), shown, help=sentences[name])
    st.markdown(
        "\n".join(f"- **{tr(f'model.metric_{n}')}**: {sentences[n]}" for n in evaluation.METRIC_NAMES)
    )
    st.info(gains, icon=":material/target:")

    st.markdown(f"**{tr('model.compare')}**")
    st.dataframe(table, column_config={"_index": tr("model.compare_metric")})


def _calibration_note(fitted, where) -> None:
    """Brier score beside the base-rate predictor's, and whether the risks were rescaled."""
    metrics, lang = fitted.metrics_, common.lang()
    if metrics.get("brier_base") is None:  # a model trained before calibration was judged
        return
    where.caption(
        tr(
            "model.calibration_note",
            brier=fmt_number(metrics["brier"], lang, 3),
            base=fmt_number(metrics["brier_base"], lang, 3),
            rate=fmt_pct(metrics.get("base_rate"), lang),
        )
        + " "
        + tr(f"model.calibration_{metrics.get('calibration', 'none')}")
    )


def _calibration_chart(y, p) -> alt.Chart:
    table = evaluation.calibration_table(y, p, bins=10)
    table = table.assign(predicted=table["predicted"] * 100, observed=table["observed"] * 100)
    top = float(max(table["predicted"].max(), table["observed"].max(), 1.0))
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, top], "y": [0.0, top]}))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x="x:Q", y="y:Q")
    )
    points = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("predicted:Q", title=tr("model.chart_calibration_x")),
            y=alt.Y("observed:Q", title=tr("model.chart_calibration_y")),
            tooltip=[
                alt.Tooltip("predicted:Q", title=tr("model.chart_calibration_x"), format=".1f"),
                alt.Tooltip("observed:Q", title=tr("model.chart_calibration_y"), format=".1f"),
                alt.Tooltip("customers:Q", title=tr("model.chart_customers"), format=",d"),
            ],
        )
    )
    return (diagonal + points).properties(title=tr("model.chart_calibration"), height=320)


def _gains_chart(fitted, y) -> alt.Chart:
    parts = []
    for name in MODELS:
        table = evaluation.gains_table(y, fitted.test_frame_[name], steps=20)
        parts.append(table.assign(score=tr(f"model.name_{name}")))
    random = evaluation.gains_table(y, np.zeros(len(y)), steps=20)
    random["share_of_churners"] = random["share_contacted"]
    parts.append(random.assign(score=tr("model.name_random")))
    frame = pd.concat(parts)[["share_contacted", "share_of_churners", "score"]]
    frame = frame.assign(
        share_contacted=frame["share_contacted"] * 100, share_of_churners=frame["share_of_churners"] * 100
    )
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("share_contacted:Q", title=tr("model.chart_gains_x")),
            y=alt.Y("share_of_churners:Q", title=tr("model.chart_gains_y")),
            # inside the plot, in the empty corner under the random line: a legend below a half-width
            # chart is wider than the chart and cut off, and squeezes its title out of view
            color=alt.Color(
                "score:N",
                title=tr("model.chart_model"),
                legend=alt.Legend(orient="bottom-right", fillColor="white", padding=6, labelLimit=220),
            ),
            tooltip=[
                alt.Tooltip("score:N", title=tr("model.chart_model")),
                alt.Tooltip("share_contacted:Q", title=tr("model.chart_gains_x"), format=".0f"),
                alt.Tooltip("share_of_churners:Q", title=tr("model.chart_gains_y"), format=".1f"),
            ],
        )
        .properties(title=tr("model.chart_gains"), height=320)
    )


def _profit_chart(profit: pd.DataFrame, threshold: float, currency: str) -> alt.Chart:
    frame = profit.assign(threshold=profit["threshold"] * 100)
    y_title = common.tr_text("model.chart_profit_y", currency=currency)
    line = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("threshold:Q", title=tr("model.chart_profit_x")),
            y=alt.Y("profit:Q", title=y_title),
            tooltip=[
                alt.Tooltip("threshold:Q", title=tr("model.chart_profit_x"), format=".0f"),
                alt.Tooltip("profit:Q", title=y_title, format=",.0f"),
                alt.Tooltip("contacted:Q", title=tr("model.chart_contacted"), format=",d"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"t": [threshold * 100]})).mark_rule(color="red").encode(x="t:Q")
    return (line + rule).properties(title=tr("model.chart_profit"), height=320)


def _save_tiers() -> None:
    """Keep valid tier bounds for this session (the Explain page reads them) and in the workspace."""
    chosen = {code: state.tier_widget(code).get() / 100 for code in TIERS}
    try:
        common.save_tiers(validate_tiers(chosen))
    except ChurnError as error:
        state.TIERS_ERROR.set(message(error, common.lang()))


def _tier_inputs() -> dict:
    """Three keyed percentage inputs; returns the tiers in force (the last valid ones)."""
    bounds = common.tiers_in_force()
    cols = st.columns(3)
    for col, code in zip(cols, TIERS, strict=True):
        widget = state.tier_widget(code)
        widget.set_default(int(round(bounds[code] * 100)))
        col.number_input(
            tr(f"model.tier_{code}_from"),
            min_value=1,
            max_value=99,
            step=5,
            key=widget.name,
            on_change=_save_tiers,
        )
    if error := state.TIERS_ERROR.pop():
        common.show_error(error)
    return dict(common.tiers_in_force())


def _scored(fitted, data) -> None:
    lang = common.lang()
    st.subheader(tr("model.scored"))
    days = fitted.period_days
    intro = "model.scored_intro" if days else "model.scored_intro_table"
    st.caption(tr(intro, date=fmt_date(data.as_of, lang), days=days))
    if not fitted.has_signal:
        st.warning(tr("model.no_signal_notice"), icon=":material/help:")
    with st.expander(tr("model.tiers")):
        bounds = _tier_inputs()
        st.dataframe(action_table(bounds, lang), hide_index=True)
    try:
        table = common.current_score_table(bounds)
    except ChurnError as error:
        common.show_error(error)
        return
    if table is None:  # scored once per model in the background; the rest of the page stays usable
        common.explaining_progress()
        st.caption(tr("model.scored_wait"))
        return
    with contextlib.suppress(
        ChurnError
    ):  # the Explain page's reason sentences start now (it shows a failure)
        common.reasons_explaining()
    counts = table["tier"].value_counts()
    if not any(counts.get(code, 0) for code in TIERS):
        st.info(
            tr(
                "model.none_in_tiers",
                low=fmt_pct(bounds["low"], lang, 0),
                customers=fmt_number(len(table), lang),
            ),
            icon=":material/info:",
        )
    at_risk = table.loc[table["tier"] != NO_TIER, "value_at_risk"].sum()
    st.markdown(
        tr(
            "model.tier_counts",
            high=fmt_number(counts.get("high", 0), lang),
            medium=fmt_number(counts.get("medium", 0), lang),
            low=fmt_number(counts.get("low", 0), lang),
            value=fmt_money(at_risk, display.currency(), lang),
        )
    )
    shown = _shown_scores(
        common.dataset_key(),
        fitted.record_id_,
        tuple(bounds[c] for c in TIERS),
        lang,
        display.currency(),
        table,
    )
    headers = score_headers(lang, data)  # column labels are plain text: no markdown escaping
    st.dataframe(
        shown,
        hide_index=True,
        column_config={  # narrow numbers, so the whole table fits a projector's width
            "customer_id": st.column_config.TextColumn(headers["customer_id"], width="small"),
            "probability": st.column_config.TextColumn(headers["probability"], width="small"),
            "tier": st.column_config.TextColumn(headers["tier"], width="small"),
            "action_auto": st.column_config.TextColumn(headers["action_auto"], width=170),
            "action_personal": st.column_config.TextColumn(headers["action_personal"], width=170),
            VALUE: st.column_config.TextColumn(headers[VALUE], width=110),
            "value_at_risk": st.column_config.TextColumn(headers["value_at_risk"], width=150),
        },
        lazy=len(shown) > LAZY_ROWS,  # a big base sends only the rows in view
    )
    downloads, link = st.columns([2, 1])
    # exports are made only when clicked, so reruns stay fast; they hold words, not internal names
    readable = lambda: readable_score_table(table, lang, data, display.currency())  # noqa: E731
    sheet = common.tr_text("model.sheet_scores")
    display.export_buttons(
        common.tr_text("model.file_scores"),
        excel=lambda: to_excel_bytes(readable(), sheet),
        csv=lambda: to_csv_bytes(readable(), lang),
        where=downloads,
    )
    link.page_link("pages/explain.py", label=tr("model.explain_link"), icon=":material/lightbulb:")


def _results(fitted, data) -> None:
    _verdict(fitted, data)
    tiles = st.container()  # the measures, filled once the money inputs have chosen the threshold
    frame = fitted.test_frame_
    if frame.empty:
        return
    key, lang = common.dataset_key(), common.lang()
    st.subheader(tr("model.money"))
    inputs, chart = st.columns([2, 3])
    inputs.caption(tr("model.money_intro"))
    value, cost, success, currency = _money_inputs(fitted, inputs)
    try:
        profit, best = _profit(key, fitted.record_id_, value, cost, success, fitted)
    except ChurnError as error:
        common.show_error(error)
        return
    best_row = profit.loc[np.isclose(profit["threshold"], best)].iloc[0]
    if best_row["contacted"] == 0 or best_row["profit"] <= 0:  # no call list pays at these amounts
        inputs.warning(tr("model.no_profitable_list"), icon=":material/money_off:")
    else:
        inputs.markdown(
            tr(
                "model.best_threshold",
                threshold=fmt_pct(best, lang, 0),
                contacted=fmt_number(best_row["contacted"], lang),
                customers=fmt_number(len(frame), lang),
                profit=fmt_money(best_row["profit"], currency, lang),
            )
        )
    chosen = inputs.slider(
        tr("model.threshold"),
        min_value=1,
        max_value=99,
        value=int(round(best * 100)) or 1,
        format=percent_printf(lang),
        help=tr("model.threshold_help"),
        key=state.threshold_widget(fitted.record_id_, value, cost, success),
    )
    threshold = chosen / 100
    money = (value, cost, success)
    chart.vega_lite_chart(
        spec=_profit_spec(key, fitted.record_id_, lang, money, threshold, currency, profit), width="stretch"
    )
    _metrics(fitted, threshold, tiles)
    calibration, gains = _quality_specs(key, fitted.record_id_, lang, fitted)
    left, right = st.columns(2)
    left.vega_lite_chart(spec=calibration, width="stretch")
    right.vega_lite_chart(spec=gains, width="stretch")
    _calibration_note(fitted, left)
    if fitted.excluded_:
        st.caption(common.plain(" · ".join(exclusion_sentences(fitted.excluded_, common.lang(), data))))
    _scored(fitted, data)


# ------------------------------------------------------------ page

data = common.require_dataset()
mode = features.training_mode(data)
st.title(tr("model.title"))
st.caption(tr("model.intro", days=90) if mode == features.MODE_SNAPSHOT else tr("model.intro_table"))
_settings_form(data, mode, common.current_model())
if state.TRAINING_JOB.get():
    _training_progress()
if error := state.TRAINING_ERROR.pop():
    st.error(tr("model.failed", error=error), icon=":material/error:")
if trained := state.TRAINED.pop():
    seconds = fmt_number(trained["seconds"], common.lang(), 1)
    if trained["here"]:
        st.toast(tr("model.trained", seconds=seconds), icon=":material/check:")
    else:
        st.toast(tr("model.trained_other", name=trained["name"], seconds=seconds), icon=":material/check:")
fitted = common.current_model()
if fitted is None:
    st.info(tr("model.no_model"), icon=":material/model_training:")
else:
    _results(fitted, data)
