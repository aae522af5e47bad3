"""The risk parts of the workshop report: model quality against baselines and the at-risk list.

With a trained :class:`churn.model.ChurnModel` everything is read from the model
(``metrics_``, ``baselines_``, ``recommendation_``, ``test_frame_``) or computed by
:func:`churn.act.scoring.score_customers` and :func:`churn.act.explain.top_reasons`;
without one, customers are ranked by :func:`churn.analysis.signals.rule_score`. Nothing is
re-estimated here.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from churn.act import explain, tiers
from churn.act.scoring import score_customers
from churn.analysis import signals
from churn.core.dataset import CUSTOMER_ID
from churn.core.export import pseudonymise
from churn.core.formatting import fmt_money, fmt_number, fmt_pct, fmt_risk
from churn.model import evaluation
from churn.model.verdict import recommendation_text
from churn.report import charts
from churn.report.sections import (
    Context,
    bullets,
    chart,
    figures,
    note,
    section,
    signal_evaluation,
    table,
    text,
)

TOP_CUSTOMERS = 15

log = logging.getLogger(__name__)

#: Approaches compared, in table order (``catboost`` is the trained model).
APPROACHES = ("catboost", "logistic", "rule")
#: Quality measures shown: name → number format.
MEASURES = {
    "auc": "num3",  # a decimal (0,907), as on the Model page
    "pr_auc": "num",
    "precision": "pct",
    "recall": "pct",
    "brier": "num3",
}


def _metrics(model) -> dict[str, dict]:
    """Metrics per approach: the model's own and its baselines'."""
    out = {"catboost": dict(model.metrics_ or {})}
    for name, values in (model.baselines_ or {}).items():
        out[name] = dict(values or {})
    return {name: out[name] for name in APPROACHES if name in out}


def _fmt(value, kind: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if kind == "pct":
        return fmt_pct(value, lang)
    return fmt_number(value, lang, 3 if kind == "num3" else 2)


def model_section(ctx: Context) -> dict:
    """Model quality against the simple baselines, or a sentence that none was trained."""
    if ctx.model is None:
        return section("model", ctx.lang, [note(ctx.tr("report.no_model"))])
    return section("model", ctx.lang, model_blocks(ctx), lead=ctx.tr("report.lead_model"))


def model_blocks(ctx: Context) -> list[dict]:
    """Blocks of the model section: verdict, table and chart of the measures, what they mean."""
    model, lang, tr = ctx.model, ctx.lang, ctx.tr
    metrics = _metrics(model)
    own = metrics.get("catboost", {})
    horizon = getattr(
        model, "period_days", int(own.get("horizon_days") or getattr(model, "horizon_days", 90))
    )
    ctx.key_numbers.append((tr("report.fig_auc"), _fmt(own.get("auc"), "num3", lang)))
    return [
        *_verdict_blocks(ctx, own),
        *_comparison_blocks(ctx, metrics),
        *_meaning_blocks(ctx, own, horizon),
    ]


def _verdict_blocks(ctx: Context, own: dict) -> list[dict]:
    """The model's recommendation and its headline measures."""
    lang, tr = ctx.lang, ctx.tr
    return [
        text(recommendation_text(ctx.model, lang)),
        figures(
            [
                (tr("report.fig_auc"), _fmt(own.get("auc"), "num3", lang)),
                (tr("report.fig_precision"), _fmt(own.get("precision"), "pct", lang)),
                (tr("report.fig_recall"), _fmt(own.get("recall"), "pct", lang)),
            ]
        ),
    ]


def _comparison_blocks(ctx: Context, metrics: dict[str, dict]) -> list[dict]:
    """The measures of every approach as a table, and their AUC as a chart when there is one."""
    lang, tr = ctx.lang, ctx.tr
    names = [tr(f"report.approach_{name}") for name in metrics]
    rows = [
        [
            tr(f"report.measure_{measure}"),
            *[_fmt(values.get(measure), kind, lang) for values in metrics.values()],
        ]
        for measure, kind in MEASURES.items()
    ]
    blocks = [table([tr("report.col_measure"), *names], rows, [False] + [True] * len(names))]
    auc = pd.DataFrame(
        {
            "approach": names,
            "value": [values.get("auc") for values in metrics.values()],
            "is_model": [name == "catboost" for name in metrics],
        }
    ).dropna(subset=["value"])
    if len(auc):
        svg = ctx.svg(charts.model_chart(auc, tr("report.axis_auc"), lang))
        blocks.append(chart(svg, tr("report.caption_model")))
    return blocks


def _meaning_blocks(ctx: Context, own: dict, horizon: int | None) -> list[dict]:
    """What the measures mean in words, and how the model was validated."""
    model, lang, tr = ctx.model, ctx.lang, ctx.tr
    sentences = evaluation.explain_metrics(own, lang, horizon)
    explained = [sentences[name] for name in ("auc", "precision", "recall") if name in sentences]
    test = getattr(model, "test_frame_", None)
    if test is not None and len(test) and {"y_true", "catboost"} <= set(test.columns):
        explained.append(
            evaluation.gains_sentence(test["y_true"], test["catboost"], lang, horizon_days=horizon)
        )
    validation = own.get("validation") or getattr(model, "validation_", None) or "unknown"
    return [
        bullets(explained),
        note(
            tr(
                f"report.validation_{validation}"
                if validation in ("out_of_time", "stratified_kfold")
                else "report.validation_unknown",
                train=fmt_number(own.get("n_train"), lang),
                test=fmt_number(own.get("n_test"), lang),
                days=horizon,
            )
        ),
    ]


def customers_section(ctx: Context) -> dict:
    """The top at-risk active customers: by the model when there is one, else by warning signals."""
    lang, tr = ctx.lang, ctx.tr
    if ctx.model is not None:
        frame, columns, lead = at_risk(ctx, TOP_CUSTOMERS)
    elif ctx.dataset.has_events:
        frame, columns, lead = _by_signals(ctx, TOP_CUSTOMERS)
    else:
        return section("customers", lang, [note(tr("report.no_customers"))])
    if frame.empty:
        return section("customers", lang, [note(tr("report.no_at_risk"))], lead=lead)
    ids = frame["id"].astype(str)
    if ctx.secret:
        ids = pseudonymise(ids, ctx.secret)
    frame = frame.assign(id=ids.to_numpy())
    rows = [[str(v) for v in row] for row in frame[[c for c, _ in columns]].itertuples(index=False)]
    numeric = [c in ("score", "n_signals", "probability", "value_at_risk") for c, _ in columns]
    caption = tr("report.ids_pseudonymised") if ctx.secret else None
    headers = [tr(f"report.{key}") for _, key in columns]
    blocks = [table(headers, rows, numeric, caption)]
    if ctx.model is not None and not ctx.model.has_signal:
        blocks.insert(0, note(tr("model.no_signal_notice")))
    return section("customers", lang, blocks, lead=lead)


def _by_signals(ctx: Context, top: int) -> tuple[pd.DataFrame, list[tuple[str, str]], str]:
    """Active customers with the highest warning score (no model trained)."""
    lang, tr = ctx.lang, ctx.tr
    now = signal_evaluation(ctx).now
    frame = now.assign(rule_score=signals.rule_score(now)).reset_index()
    frame = frame[frame["n_signals"] > 0].sort_values(["rule_score", "n_signals"], ascending=False).head(top)
    shown = pd.DataFrame(
        {
            "id": frame[CUSTOMER_ID].astype(str).to_numpy(),
            "score": [fmt_number(v, lang, 2) for v in frame["rule_score"]],
            "n_signals": [fmt_number(v, lang) for v in frame["n_signals"]],
            "signals": [
                "; ".join(tr(f"why.signal_{s}") for s in signals.SIGNALS if bool(row[s]))
                for _, row in frame.iterrows()
            ],
        }
    )
    columns = [
        ("id", "col_customer"),
        ("score", "col_rule_score"),
        ("n_signals", "col_n_signals"),
        ("signals", "col_signals"),
    ]
    return shown, columns, tr("report.lead_customers_signals")


def at_risk(ctx: Context, top: int) -> tuple[pd.DataFrame, list[tuple[str, str]], str]:
    """The ``top`` riskiest active customers with tier, value at risk, main reasons and action.

    Returns
    -------
    (pd.DataFrame, list, str)
        Display frame (column ``id`` first, formatted strings), the (column,
        i18n key) pairs to show, and the section's lead sentence.
    """
    model, lang, tr = ctx.model, ctx.lang, ctx.tr
    scores = score_customers(model, ctx.dataset, lang=lang).head(top)
    if scores.empty:
        return pd.DataFrame(columns=["id"]), [], tr("report.lead_customers_model")
    X = model.scoring_features(ctx.dataset)
    ids = scores[CUSTOMER_ID].astype(str)
    X = X[X.index.astype(str).isin(set(ids))]
    reasons = explain.top_reasons(model, X, n=2, lang=lang, raising_only=True, mapping=ctx.dataset)
    reasons.index = reasons.index.astype(str)
    joined = reasons.reindex(ids).fillna("").apply(lambda r: " · ".join(v for v in r if v), axis=1)
    frame = pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "probability": [fmt_risk(p, lang) for p in scores["probability"]],
            "tier": [tiers.tier_label(code, lang) for code in scores["tier"]],
            "value_at_risk": [fmt_money(v, ctx.currency, lang) for v in scores["value_at_risk"]],
            "reasons": joined.to_numpy(),
            "action": scores["action_personal"].fillna("").to_numpy(),
        }
    )
    columns = [
        ("id", "col_customer"),
        ("probability", "col_probability"),
        ("tier", "col_tier"),
        ("value_at_risk", "col_value_at_risk"),
        ("reasons", "col_reasons"),
        ("action", "col_action"),
    ]
    days = getattr(model, "period_days", model.horizon_days)
    lead = "report.lead_customers_model" if days else "report.lead_customers_model_table"
    return frame, columns, tr(lead, days=days)


def settings_text(ctx: Context) -> str:
    """The model's settings in one line for the settings section."""
    model, tr = ctx.model, ctx.tr
    own = dict(model.metrics_ or {})
    days = getattr(model, "period_days", model.horizon_days)
    return tr(
        "report.model_settings" if days else "report.model_settings_table",
        days=days,
        features=len(getattr(model, "features_", []) or []),
        trees=own.get("iterations_used") or model.iterations,
        validation=tr(f"report.validation_name_{own.get('validation') or 'unknown'}"),
    )
