"""Scores that are probabilities: Platt scaling on held-out predictions, judged cross-fitted.

CatBoost's log-loss probabilities are usually close to observed churn, but not
always (a base rate that drifts between the training months and the test, a
small table). :func:`calibrate` fits ``p' = sigmoid(slope × logit(p) + intercept)``
on held-out predictions and keeps it only when it lowers the Brier score on
rows the fit did not see (each fold's rows scaled by a fit on the others). The
map is strictly increasing, so the ranking and the AUC do not change.
"""

from __future__ import annotations

import numpy as np

#: Probabilities are kept inside [FLOOR, 1 − FLOOR] (finite log-odds); screens show at most 99.9 %.
FLOOR = 1e-6
IDENTITY = (1.0, 0.0)


def logit(p) -> np.ndarray:
    """Log-odds of ``p``, with ``p`` kept inside [:data:`FLOOR`, 1 − FLOOR]."""
    p = np.clip(np.asarray(p, dtype=float), FLOOR, 1 - FLOOR)
    return np.log(p / (1 - p))


def sigmoid(x) -> np.ndarray:
    """The inverse of :func:`logit`."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def scale(raw, calibration: tuple[float, float] = IDENTITY) -> np.ndarray:
    """Calibrated log-odds from CatBoost's log-odds ``raw``: ``slope × raw + intercept``."""
    slope, intercept = calibration
    return float(slope) * np.asarray(raw, dtype=float) + float(intercept)


def apply(raw, calibration: tuple[float, float] = IDENTITY) -> np.ndarray:
    """Calibrated probabilities from CatBoost's log-odds ``raw``, inside [FLOOR, 1 − FLOOR]."""
    return np.clip(sigmoid(scale(raw, calibration)), FLOOR, 1 - FLOOR)


def fit_platt(y, p) -> tuple[float, float]:
    """(slope, intercept) of the logistic regression of ``y`` on ``logit(p)``; identity when ``y`` has one class."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y, dtype=int)
    if len(np.unique(y)) < 2:
        return IDENTITY
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(logit(p).reshape(-1, 1), y)
    slope = float(fit.coef_[0, 0])
    return (slope, float(fit.intercept_[0])) if slope > 0 else IDENTITY


def brier(y, p) -> float:
    """Mean squared difference between the truth and the probabilities."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(y) else float("nan")


def calibrate(y, p, parts: list[np.ndarray]) -> dict:
    """Decide whether held-out probabilities ``p`` need Platt scaling.

    Parameters
    ----------
    y, p : array-like
        Held-out truth and probabilities.
    parts : list of arrays
        Row positions of disjoint parts (the folds); each part is scaled by a fit on the others.

    Returns
    -------
    dict
        ``calibration`` (slope, intercept) fitted on every row, or the identity when
        scaling does not lower the Brier score on unseen rows; ``probability``: the
        held-out probabilities after that choice (cross-fitted when scaled);
        ``brier_raw`` and ``brier``.
    """
    y, p = np.asarray(y, dtype=float), np.clip(np.asarray(p, dtype=float), FLOOR, 1 - FLOOR)
    crossed = p.copy()
    for rows in parts:
        rest = np.setdiff1d(np.arange(len(y)), rows)
        crossed[rows] = apply(logit(p[rows]), fit_platt(y[rest], p[rest]))
    raw_brier, scaled_brier = brier(y, p), brier(y, crossed)
    if len(parts) >= 2 and scaled_brier < raw_brier:
        return {"calibration": fit_platt(y, p), "probability": crossed, "brier_raw": raw_brier,
                "brier": scaled_brier}  # fmt: skip
    return {"calibration": IDENTITY, "probability": p, "brier_raw": raw_brier, "brier": raw_brier}


def parts_by_group(groups, n_parts: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Row positions of ``n_parts`` disjoint parts, each customer's rows in one part."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(groups), sort=False)
    rng = np.random.default_rng(seed)
    part_of = rng.permutation(len(uniques)) % n_parts
    return [np.flatnonzero(part_of[codes] == k) for k in range(n_parts)]
