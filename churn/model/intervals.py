"""How sure are we of an AUC: per-fold values, a 95 % interval and paired differences.

The model and its baselines are judged on the same held-out rows, so their
AUCs are compared *paired*: one bootstrap draws customers (all rows of a drawn
customer together, since a customer appears once per snapshot), and on every
draw each score's AUC is computed on the same rows. The AUC reported is the
mean of the folds' AUCs (as k-fold cross-validation reports it; one fold out of
time), and so is every bootstrap value.

:func:`weighted_auc` is the Mann–Whitney statistic with row weights (a
bootstrap draw is a weight per row: how often its customer was drawn), so the
scores are sorted once and each draw costs a few vector sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Bootstrap draws behind every interval.
DRAWS = 300
#: Two-sided level of the intervals.
LEVEL = 0.95
#: Draws × rows handled at once (about 16 MB per array).
CHUNK_CELLS = 2_000_000


def _sorted_groups(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order of ``p`` ascending and the start of each run of tied values in that order."""
    order = np.argsort(p, kind="stable")
    sorted_p = p[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_p[1:] != sorted_p[:-1]]))
    return order, starts


def weighted_auc(y, p, weights=None) -> np.ndarray:
    """ROC-AUC with row weights; ``weights`` may be one vector or a matrix of draws × rows.

    AUC = Σ over tied groups g of W⁺_g × (W⁻ below g + ½ W⁻_g) / (W⁺ × W⁻),
    the probability that a weighted leaver outranks a weighted stayer (ties count half).

    Returns
    -------
    np.ndarray
        One AUC per row of ``weights`` (NaN where a draw holds only one class).

    Example
    -------
    >>> float(weighted_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])[0])
    0.75
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    w = np.ones((1, len(y))) if weights is None else np.atleast_2d(np.asarray(weights, dtype=float))
    order, starts = _sorted_groups(p)
    w = w[:, order]
    positive = y[order] == 1
    pos = np.add.reduceat(w * positive, starts, axis=1)
    neg = np.add.reduceat(w * ~positive, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    total_pos, total_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = (pos * (below + 0.5 * neg)).sum(axis=1) / (total_pos * total_neg)
    return np.where((total_pos > 0) & (total_neg > 0), auc, np.nan)


def fold_aucs(y, p, folds: list[np.ndarray]) -> list[float]:
    """The AUC of ``p`` on each fold's rows (NaN for a fold with one class)."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return [float(weighted_auc(y[rows], p[rows])[0]) for rows in folds]


def draw_weights(groups, draws: int = DRAWS, seed: int = 0) -> np.ndarray:
    """Bootstrap weights (draws × rows): each draw resamples the groups (customers) with replacement."""
    codes, uniques = pd.factorize(pd.Series(groups), sort=False)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(uniques), np.full(len(uniques), 1 / len(uniques)), size=draws)
    return counts[:, codes].astype(np.float32)


def judge_scores(y, scores: dict[str, np.ndarray], folds: list[np.ndarray], groups, seed: int = 0) -> dict:
    """Mean fold AUC with a 95 % interval per score, and paired differences to the first score.

    Parameters
    ----------
    y : array-like
        Held-out truth (1 = left within the horizon), one per row.
    scores : dict
        ``name -> probabilities`` on the same rows; the first is the model.
    folds : list of arrays
        Row positions of each fold (one array out of time).
    groups : array-like
        The customer of each row; a bootstrap draw keeps a customer's rows together.
    seed : int
        Seed of the draws.

    Returns
    -------
    dict
        ``name -> {"auc", "low", "high", "folds"}`` and, for every other score,
        ``"gain_over_<name>" -> {"gain", "low", "high"}`` (model minus that score).
    """
    y = np.asarray(y, dtype=float)
    weights = draw_weights(groups, seed=seed)
    chunk = max(1, CHUNK_CELLS // max(len(y), 1))  # draws per pass, to bound the memory
    tail = (1 - LEVEL) / 2
    draws, out = {}, {}
    for name, p in scores.items():
        p = np.asarray(p, dtype=float)
        per_fold = np.column_stack(
            [
                np.concatenate(
                    [
                        weighted_auc(y[rows], p[rows], weights[start : start + chunk, rows])
                        for start in range(0, len(weights), chunk)
                    ]
                )
                for rows in folds
            ]
        )
        draws[name] = np.nanmean(per_fold, axis=1)
        point = fold_aucs(y, p, folds)
        low, high = np.nanquantile(draws[name], [tail, 1 - tail])
        out[name] = {"auc": float(np.nanmean(point)), "low": float(low), "high": float(high),
                     "folds": point}  # fmt: skip
    first, *others = scores
    for name in others:
        gain = draws[first] - draws[name]
        low, high = np.nanquantile(gain, [tail, 1 - tail])
        out[f"gain_over_{name}"] = {"gain": out[first]["auc"] - out[name]["auc"], "low": float(low),
                                    "high": float(high)}  # fmt: skip
    return out
