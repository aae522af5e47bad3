"""Why the model says what it says: SHAP values, reasons, what-if and the action list.

SHAP values come from CatBoost's own ``ShapValues`` (exact TreeSHAP on the
model's oblivious trees; categorical features stay one feature). They are in
log-odds: for every customer ``base + sum(shap) == raw prediction``.

People read probabilities, not log-odds, so every customer's contributions are
also given in *probability points* that add up exactly::

    p_base = sigmoid(base)        p = sigmoid(base + L),  L = sum_i shap_i
    points_i = shap_i * (p - p_base) / L

Each feature gets the share of the probability change ``p - p_base`` that its
log-odds contribution has of ``L`` (the secant slope of the sigmoid between
the base and the customer's log-odds). Signs and order are kept, and
``p_base + sum(points) == p`` exactly. When ``L`` is 0 the slope is the
sigmoid's derivative at the base, ``p_base * (1 - p_base)``.

Everything here works on a fitted model object exposing ``model_``
(a ``catboost.CatBoostClassifier``), ``features_`` and ``cat_features_``
(the contract of :class:`churn.model.ChurnModel`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from catboost import Pool

from churn.act import reasons
from churn.core.display import HeaderSource
from churn.core.errors import ModelError, ScenarioError, Words
from churn.core.i18n import LANGUAGES, t
from churn.core.sampling import capped_rows
from churn.model.calibration import IDENTITY, scale, sigmoid

THREADS = 2
#: A what-if reason counts as changed when its contribution moves by at least one point.
CHANGED_POINTS = 0.01
#: The strip chart never sends more than this many customers per feature to the browser.
STRIP_POINTS = 300
DEPENDENCE_POINTS = 1000


def _as_frame(model, X: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """The model's feature columns of ``X`` (a Series becomes a one-row frame)."""
    if isinstance(X, pd.Series):
        X = X.to_frame().T
    features = list(model.features_)
    missing = [f for f in features if f not in X.columns]
    if missing:
        label = Words({lang: reasons.feature_label(missing[0], lang) for lang in LANGUAGES})
        raise ModelError("errors.feature_missing", column=label)
    if X.empty:
        raise ModelError("errors.nobody_to_explain")
    if hasattr(model, "prepare"):  # ChurnModel: exactly the dtypes it was trained and predicts with
        return model.prepare(X)
    frame = X[features].copy()
    for column in features:
        if column in model.cat_features_:
            frame[column] = frame[column].astype(str)
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _pool(model, frame: pd.DataFrame) -> Pool:
    return Pool(frame, cat_features=[c for c in model.cat_features_ if c in frame.columns])


def _scaling(model) -> tuple[float, float]:
    """The model's Platt scaling of CatBoost's log-odds (slope, intercept); the identity when it has none."""
    return getattr(model, "calibration_", None) or IDENTITY


def raw_prediction(model, X: pd.DataFrame) -> np.ndarray:
    """The model's calibrated log-odds for every row of ``X`` (CatBoost's ``RawFormulaVal``, Platt-scaled)."""
    frame = _as_frame(model, X)
    raw = model.model_.predict(_pool(model, frame), prediction_type="RawFormulaVal")
    return scale(raw, _scaling(model))


def shap_frame(model, X: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """SHAP values in log-odds per customer and feature, and the base value.

    Parameters
    ----------
    model
        A fitted model with ``model_``, ``features_`` and ``cat_features_``.
    X : pd.DataFrame
        One row per customer (index = customer id) holding at least the model's features.

    Returns
    -------
    (shap, base) : tuple[pd.DataFrame, float]
        ``shap`` has X's index and the columns ``features_``; ``base`` is the
        expected log-odds. ``base + shap.sum(axis=1)`` equals the raw prediction.
    """
    frame = _as_frame(model, X)
    values = model.model_.get_feature_importance(
        type="ShapValues", data=_pool(model, frame), thread_count=THREADS
    )
    # Platt scaling is linear in log-odds: scaling each value and the base keeps them additive
    slope, _ = _scaling(model)
    values = np.asarray(values, dtype=float)
    shap = pd.DataFrame(slope * values[:, :-1], index=frame.index, columns=frame.columns)
    return shap, float(scale(values[0, -1], _scaling(model)))


def shap_explanation(model, X: pd.DataFrame):
    """The SHAP values of :func:`shap_frame` as a ``shap.Explanation``, for notebook users.

    ``shap.plots.waterfall(explanation[0])`` or ``shap.plots.beeswarm(explanation)``
    then draw the model's own values, with the customers' feature values as data.

    Example
    -------
    >>> explanation = shap_explanation(model, model.scoring_features(dataset))  # doctest: +SKIP
    >>> shap.plots.beeswarm(explanation)  # doctest: +SKIP
    """
    import shap as shap_library

    values, base = shap_frame(model, X)
    frame = _as_frame(model, X)
    return shap_library.Explanation(
        values=values.to_numpy(),
        base_values=np.full(len(values), base),
        data=frame.to_numpy(dtype=object),
        feature_names=list(frame.columns),
        instance_names=[str(i) for i in frame.index],
        output_names="log-odds of churn",
    )


def probability_points(shap: pd.DataFrame, base: float) -> tuple[pd.DataFrame, float]:
    """Turn log-odds contributions into probability contributions that add up exactly.

    Parameters
    ----------
    shap : pd.DataFrame
        Log-odds SHAP values (from :func:`shap_frame`).
    base : float
        The base log-odds.

    Returns
    -------
    (points, base_probability) : tuple[pd.DataFrame, float]
        Contributions as probabilities (0.14 = 14 percentage points);
        ``base_probability + points.sum(axis=1)`` is each customer's probability.

    Example
    -------
    Base 0 (50%), contributions 1 and 1: the customer's probability is
    sigmoid(2) = 0.8808, so each feature gets half of the 0.3808 change.

    >>> pts, p0 = probability_points(pd.DataFrame({"a": [1.0], "b": [1.0]}), 0.0)
    >>> round(p0, 4), round(float(pts.loc[0, "a"]), 4)
    (0.5, 0.1904)
    """
    total = shap.sum(axis=1).to_numpy()
    p_base = float(sigmoid(base))
    p = sigmoid(base + total)
    flat = np.abs(total) < 1e-12
    slope = np.where(flat, p_base * (1 - p_base), (p - p_base) / np.where(flat, 1.0, total))
    return shap.mul(slope, axis=0), p_base


def global_importance(shap: pd.DataFrame, lang: str = "en", mapping: HeaderSource = None) -> pd.DataFrame:
    """Mean absolute SHAP value per feature, largest first.

    ``mapping`` (the dataset or its :class:`~churn.core.dataset.RoleMapping`) gives the
    client's headers for tenure and value in ``label``; see :func:`churn.act.reasons.feature_label`.

    Returns
    -------
    pd.DataFrame
        Columns ``feature``, ``label`` (readable, in ``lang``), ``mean_abs_shap``
        (log-odds) and ``share`` (of the total, sums to 1).
    """
    mean_abs = shap.abs().mean(axis=0).sort_values(ascending=False, kind="stable")
    total = float(mean_abs.sum()) or 1.0
    return pd.DataFrame(
        {
            "feature": mean_abs.index,
            "label": [reasons.feature_label(f, lang, mapping) for f in mean_abs.index],
            "mean_abs_shap": mean_abs.to_numpy(),
            "share": mean_abs.to_numpy() / total,
        }
    ).reset_index(drop=True)


def _sample_index(index: pd.Index, limit: int) -> pd.Index:
    """A fixed (seeded) sample of at most ``limit`` labels, in their original order."""
    return index[capped_rows(len(index), limit, seed=0)]


def strip_data(
    shap: pd.DataFrame,
    X: pd.DataFrame,
    top: int = 10,
    max_points: int = STRIP_POINTS,
    lang: str = "en",
    mapping: HeaderSource = None,
) -> pd.DataFrame:
    """Long data for a beeswarm-style strip chart of the ``top`` features.

    At most ``max_points`` customers (a fixed sample) per feature. ``value_rank``
    is the customer's percentile of the feature's value (0 = lowest) for
    colouring; it is NaN for categorical features. ``jitter`` spreads the dots
    vertically (seeded, so the chart is the same every time).
    """
    features = global_importance(shap, lang, mapping).head(top)
    rows = _sample_index(shap.index, max_points)
    rng = np.random.default_rng(0)
    parts = []
    for feature, label in zip(features["feature"], features["label"], strict=True):
        values = X.loc[rows, feature]
        numeric = pd.api.types.is_numeric_dtype(X[feature])
        rank = X[feature].rank(pct=True).loc[rows] if numeric else pd.Series(np.nan, index=rows)
        parts.append(
            pd.DataFrame(
                {
                    "feature": feature,
                    "label": label,
                    "shap": shap.loc[rows, feature].to_numpy(),
                    "value": [reasons.format_value(feature, v, lang) for v in values],
                    "value_rank": rank.to_numpy(dtype=float),
                    "jitter": rng.uniform(-1, 1, size=len(rows)),
                }
            )
        )
    columns = ["feature", "label", "shap", "value", "value_rank", "jitter"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def dependence_data(
    shap: pd.DataFrame, X: pd.DataFrame, feature: str, max_points: int = DEPENDENCE_POINTS
) -> pd.DataFrame:
    """Feature value against its SHAP value for one feature (a fixed sample of customers).

    Returns
    -------
    pd.DataFrame
        Columns ``value`` (the raw value: number or category), ``shap`` (log-odds),
        ``categorical`` (bool, the same on every row) and ``jitter`` (seeded, in -1..1,
        to spread dots of one category).
    """
    if feature not in shap.columns:
        raise ModelError("errors.unknown_feature", feature=str(feature))
    rows = _sample_index(shap.index, max_points)
    categorical = not pd.api.types.is_numeric_dtype(X[feature])
    values = X.loc[rows, feature]
    return pd.DataFrame(
        {
            "value": values.astype(str).to_numpy() if categorical else values.to_numpy(dtype=float),
            "shap": shap.loc[rows, feature].to_numpy(),
            "categorical": categorical,
            "jitter": np.random.default_rng(0).uniform(-1, 1, size=len(rows)),
        }
    )


def waterfall_data(
    contributions: pd.DataFrame, base_probability: float, lang: str, steps: int = 8
) -> pd.DataFrame:
    """Bars from the base rate to the customer's probability (in probability, 0–1).

    The ``steps`` largest contributions get a bar each; the rest are summed into
    one "other features" bar, so the bars still add up to the prediction.
    Columns: ``label``, ``points``, ``start``, ``end``, ``kind``
    (``base``/``raises``/``lowers``/``prediction``), ``order``.
    """
    head = contributions.head(steps)
    rest = contributions.iloc[steps:]
    labels = [f"{lbl} = {val}" for lbl, val in zip(head["label"], head["value"], strict=True)]
    points = list(head["points"])
    if len(rest):
        labels.append(t("explain.other_features", lang, count=len(rest)))
        points.append(float(rest["points"].sum()))
    ends = base_probability + np.cumsum(points)
    starts = np.concatenate([[base_probability], ends[:-1]]) if len(points) else np.array([])
    final = float(ends[-1]) if len(points) else base_probability
    frame = pd.DataFrame(
        {
            "label": [t("explain.base_rate", lang)] + labels + [t("explain.prediction", lang)],
            "points": [base_probability] + points + [final],
            "start": [0.0] + list(starts) + [0.0],
            "end": [base_probability] + list(ends) + [final],
            "kind": ["base"] + ["raises" if p > 0 else "lowers" for p in points] + ["prediction"],
        }
    )
    frame["order"] = range(len(frame))
    return frame


def explain_customer(
    model,
    X_row: pd.Series | pd.DataFrame,
    lang: str = "en",
    n: int = 3,
    shap_row: pd.Series | None = None,
    base: float | None = None,
    steps: int = 8,
    mapping: HeaderSource = None,
) -> dict:
    """Explain one customer: waterfall data and the top reasons as sentences.

    Parameters
    ----------
    model
        The fitted model.
    X_row : pd.Series | pd.DataFrame
        The customer's features (a Series named by the customer id, or a one-row frame).
    lang : str
        Language of labels and sentences.
    n : int
        Number of reason sentences.
    shap_row, base : optional
        Precomputed SHAP values of this customer and the base log-odds (from a
        cached :func:`shap_frame`); computed when not given.
    steps : int
        Bars in the waterfall before the rest is grouped.
    mapping : Dataset | RoleMapping, optional
        Where the client's headers for tenure and value are read (labels and sentences).

    Returns
    -------
    dict
        ``customer_id``, ``probability``, ``base_probability``, ``raw``, ``base_raw``,
        ``contributions`` (frame: feature, label, value, shap, points; largest |shap| first),
        ``waterfall`` (see :func:`waterfall_data`) and ``reasons`` (list of sentences
        in the order and with the signs of the SHAP values).
    """
    frame = _as_frame(model, X_row)
    row = frame.iloc[0]
    if shap_row is None or base is None:
        shap, base = shap_frame(model, frame)
        shap_row = shap.iloc[0]
    shap_row = shap_row[list(model.features_)].astype(float)
    points, p_base = probability_points(shap_row.to_frame().T, base)
    contributions = reasons.contribution_table(row, shap_row, points.iloc[0], lang, mapping)
    raw = float(base + shap_row.sum())
    return {
        "customer_id": frame.index[0],
        "probability": float(sigmoid(raw)),
        "base_probability": p_base,
        "raw": raw,
        "base_raw": float(base),
        "contributions": contributions,
        "waterfall": waterfall_data(contributions, p_base, lang, steps),
        "reasons": reasons.top_sentences(row, contributions, n, lang, mapping=mapping),
    }


def what_if(
    model,
    X_row: pd.Series | pd.DataFrame,
    changes: dict,
    lang: str = "en",
    n: int = 3,
    mapping: HeaderSource = None,
) -> dict:
    """The customer's new risk after changing some feature values, and which reasons changed.

    Parameters
    ----------
    model
        The fitted model.
    X_row : pd.Series | pd.DataFrame
        The customer's current features.
    changes : dict
        ``{feature: new value}``; numbers for numeric features, text for categorical ones.
    lang, n
        Language and number of reason sentences.
    mapping : Dataset | RoleMapping, optional
        Where the client's headers for tenure and value are read (labels and sentences).

    Returns
    -------
    dict
        ``probability_before``, ``probability_after``, ``delta``, ``reasons_before``,
        ``reasons_after`` (sentences), ``changed`` (frame: feature, label, value_before,
        value_after, points_before, points_after, sentence; features whose contribution
        moved by at least one point, largest move first) and ``row_after`` (the changed row).
    """
    before = _as_frame(model, X_row).iloc[[0]]
    after = _apply_changes(model, before, changes)
    both = pd.concat([before, after])
    shap, base = shap_frame(model, both)
    points, p_base = probability_points(shap, base)
    raws = base + shap.sum(axis=1).to_numpy()
    rows = [both.iloc[i] for i in range(2)]
    contributions = [
        reasons.contribution_table(rows[i], shap.iloc[i], points.iloc[i], lang, mapping) for i in range(2)
    ]
    return {
        "probability_before": float(sigmoid(raws[0])),
        "probability_after": float(sigmoid(raws[1])),
        "delta": float(sigmoid(raws[1]) - sigmoid(raws[0])),
        "reasons_before": reasons.top_sentences(rows[0], contributions[0], n, lang, mapping=mapping),
        "reasons_after": reasons.top_sentences(rows[1], contributions[1], n, lang, mapping=mapping),
        "changed": _changed_reasons(rows, points, lang, mapping),
        "row_after": after.iloc[0],
    }


def _apply_changes(model, before: pd.DataFrame, changes: dict) -> pd.DataFrame:
    """A copy of the one-row frame ``before`` with the what-if ``changes`` applied."""
    after = before.copy()
    for feature, value in changes.items():
        if feature not in after.columns:
            raise ScenarioError("errors.what_if_unknown_feature", feature=str(feature))
        if feature in model.cat_features_:
            after[feature] = after[feature].astype(object)
            after.iloc[0, after.columns.get_loc(feature)] = str(value)
        else:
            try:
                after.iloc[0, after.columns.get_loc(feature)] = float(value)
            except (TypeError, ValueError):
                raise ScenarioError(
                    "errors.what_if_not_a_number", value=str(value), feature=str(feature)
                ) from None
    return after


def _changed_reasons(
    rows: list[pd.Series], points: pd.DataFrame, lang: str, mapping: HeaderSource
) -> pd.DataFrame:
    """The reasons whose contribution moved by at least one point, largest move first."""
    moved = (points.iloc[1] - points.iloc[0]).abs()
    changed = moved[moved >= CHANGED_POINTS].sort_values(ascending=False, kind="stable").index
    return pd.DataFrame(
        {
            "feature": changed,
            "label": [reasons.feature_label(f, lang, mapping) for f in changed],
            "value_before": [reasons.format_value(f, rows[0][f], lang) for f in changed],
            "value_after": [reasons.format_value(f, rows[1][f], lang) for f in changed],
            "points_before": points.iloc[0][changed].to_numpy(),
            "points_after": points.iloc[1][changed].to_numpy(),
            "sentence": [
                reasons.reason_sentence(f, rows[1], points.iloc[1][f], lang, mapping)
                + t("explain.was", lang, effect=reasons.effect_text(points.iloc[0][f], lang))
                for f in changed
            ],
        }
    )


def top_reasons(
    model,
    X: pd.DataFrame,
    n: int = 3,
    lang: str = "en",
    shap: pd.DataFrame | None = None,
    base: float | None = None,
    raising_only: bool = False,
    mapping: HeaderSource = None,
) -> pd.DataFrame:
    """The ``n`` strongest reasons per customer as sentences.

    Parameters
    ----------
    model, X
        The fitted model and the customers' features (index = customer id).
    n : int
        Reasons per customer; missing ones (fewer contributions than ``n``) are "".
    lang : str
        Language of the sentences.
    shap, base : optional
        Precomputed :func:`shap_frame` output for ``X``.
    raising_only : bool
        Keep only reasons that raise the risk (for an action list: "why at risk").
    mapping : Dataset | RoleMapping, optional
        Where the client's headers for tenure and value are read, so sentences say
        "Lifetime: 14 months" rather than an internal name.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id`` with columns ``reason_1`` .. ``reason_n``.
    """
    frame = _as_frame(model, X)
    if shap is None or base is None:
        shap, base = shap_frame(model, frame)
    shap = shap.loc[frame.index, list(model.features_)]
    points, _ = probability_points(shap, base)
    return reasons.reason_table(frame, shap, points, n, lang, raising_only, mapping)


def feature_domain(X: pd.DataFrame, feature: str) -> dict:
    """What a what-if widget for ``feature`` may offer, from the scored customers.

    Returns
    -------
    dict
        ``{"kind": "category", "options": [...]}`` or ``{"kind": "number", "min", "max",
        "step", "integer"}`` (range from the 1st to the 99th percentile, widened to
        include 0 for counts).
    """
    values = X[feature]
    if not pd.api.types.is_numeric_dtype(values):
        return {"kind": "category", "options": sorted(values.dropna().astype(str).unique().tolist())}
    clean = values.dropna().astype(float)
    if clean.empty:
        return {"kind": "number", "min": 0.0, "max": 1.0, "step": 0.1, "integer": False}
    integer = bool(np.all(np.equal(np.mod(clean, 1), 0)))
    low, high = float(clean.quantile(0.01)), float(clean.quantile(0.99))
    low, high = min(low, float(clean.min()) if clean.min() >= 0 else low), max(high, low + 1)
    if integer:
        low, high = float(np.floor(low)), float(np.ceil(high))
    step = 1.0 if integer else float(10 ** np.floor(np.log10(max(high - low, 1e-9) / 100)))
    return {"kind": "number", "min": low, "max": high, "step": step, "integer": integer}
