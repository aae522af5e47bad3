"""How good is a churn score, in numbers a client can check and in money.

Every function takes held-out truth ``y`` (1 = left within the horizon) and
predicted probabilities ``p`` and returns plain numbers or small tables:

* :func:`evaluate`: ROC-AUC, PR-AUC, Brier score and, at a threshold, accuracy,
  precision, recall and false-positive rate; :func:`explain_metrics` says what
  each number means in one sentence in the UI language.
* :func:`calibration_table`: predicted vs observed churn per risk band.
* :func:`gains_table` and :func:`gains_sentence`: "the riskiest 10% hold 38%
  of the churners".
* :func:`profit_by_threshold` and :func:`best_threshold`: contacting everyone
  above a threshold costs ``cost`` per contact and saves ``success × value``
  for every contacted customer who would really have left.
* :func:`validation_split`: which rows train, stop early and test (out of
  time when snapshots exist, else grouped stratified k-fold).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from churn.core.assumptions import RETENTION_SUCCESS_RATE
from churn.core.errors import ScenarioError
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import t

#: Default share of contacted would-be churners an intervention keeps (a cautious guess;
#: seed 004 reports 67% in good programmes).
#: Default cost of one contact as a share of a customer's yearly value.
DEFAULT_COST_SHARE = 0.05
#: Yearly value used when the data holds no value column.
DEFAULT_VALUE = 10_000.0
METRIC_NAMES = ("auc", "pr_auc", "accuracy", "precision", "recall", "fpr", "brier")


def _arrays(y, p) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ScenarioError("errors.lengths_differ")
    return y, p


def threshold_metrics(y, p, threshold: float) -> dict:
    """Counts and rates when everyone with ``p >= threshold`` is flagged.

    Example
    -------
    >>> threshold_metrics([1, 0, 1, 0], [0.9, 0.8, 0.2, 0.1], 0.5)["precision"]
    0.5
    """
    y, p = _arrays(y, p)
    flagged = p >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    tn = int(np.sum(~flagged & (y == 0)))
    n = tp + fp + fn + tn

    def share(a: int, b: int) -> float:
        return a / b if b else float("nan")

    return {
        "threshold": float(threshold),
        "flagged": tp + fp,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "accuracy": share(tp + tn, n),
        "precision": share(tp, tp + fp),
        "recall": share(tp, tp + fn),
        "fpr": share(fp, fp + tn),
    }


def evaluate(y, p, threshold: float = 0.5) -> dict:
    """Ranking quality (AUC, PR-AUC), calibration (Brier) and the threshold metrics.

    AUC and PR-AUC are NaN when ``y`` holds only one class.
    """
    y, p = _arrays(y, p)
    both = len(np.unique(y)) == 2
    out = {
        "auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "brier": float(np.mean((p - y) ** 2)) if len(y) else float("nan"),
        "base_rate": float(y.mean()) if len(y) else float("nan"),
        "n": int(len(y)),
        "positives": int(y.sum()),
    }
    out.update(threshold_metrics(y, p, threshold))
    return out


def explain_metrics(metrics: dict, lang: str = "en", horizon_days: int | None = 90) -> dict[str, str]:
    """One plain sentence per metric, filled with this model's numbers.

    ``horizon_days=None`` is a table without dates: the sentences then name no period.

    Returns
    -------
    dict
        ``metric name -> sentence`` for :data:`METRIC_NAMES`.
    """
    per_100 = {
        "precision": metrics.get("precision"),
        "recall": metrics.get("recall"),
        "fpr": metrics.get("fpr"),
        "accuracy": metrics.get("accuracy"),
    }
    values = {
        name: fmt_number(100 * v, lang) if v is not None and np.isfinite(v) else "–"
        for name, v in per_100.items()
    }
    period = "" if horizon_days else "_table"
    return {
        "auc": t(
            "model.explain_auc",
            lang,
            auc=fmt_number(metrics.get("auc"), lang, 3),
            value=fmt_pct(metrics.get("auc"), lang),
        ),
        "pr_auc": t(
            "model.explain_pr_auc",
            lang,
            value=fmt_number(metrics.get("pr_auc"), lang, 2),
            base=fmt_pct(metrics.get("base_rate"), lang),
        ),
        "accuracy": t("model.explain_accuracy", lang, n=values["accuracy"]),
        "precision": t(f"model.explain_precision{period}", lang, n=values["precision"], days=horizon_days),
        "recall": t(f"model.explain_recall{period}", lang, count=values["recall"], days=horizon_days),
        "fpr": t("model.explain_fpr", lang, count=values["fpr"]),
        "brier": t("model.explain_brier", lang, value=fmt_number(metrics.get("brier"), lang, 3)),
    }


def calibration_table(y, p, bins: int = 10) -> pd.DataFrame:
    """Mean predicted vs observed churn in equal-sized risk bands (riskiest last).

    Returns
    -------
    pd.DataFrame
        ``band`` (1 = lowest risk), ``predicted``, ``observed``, ``customers``.
    """
    y, p = _arrays(y, p)
    if len(y) == 0:
        return pd.DataFrame(columns=["band", "predicted", "observed", "customers"])
    order = np.argsort(p, kind="stable")
    bands = np.empty(len(p), dtype=int)
    bands[order] = np.arange(len(p)) * min(bins, len(p)) // len(p) + 1
    frame = pd.DataFrame({"band": bands, "p": p, "y": y})
    table = frame.groupby("band").agg(
        predicted=("p", "mean"), observed=("y", "mean"), customers=("y", "size")
    )
    return table.reset_index()


def gains_table(y, p, steps: int = 20) -> pd.DataFrame:
    """Share of all churners found when contacting the riskiest x% of customers.

    Returns
    -------
    pd.DataFrame
        ``share_contacted`` (0..1 in ``steps`` steps, starting at 0),
        ``share_of_churners``, ``lift`` (churners found vs contacting at random),
        ``customers``, ``threshold`` (lowest probability contacted).

    Example
    -------
    >>> gains_table([1, 0, 0, 1], [0.9, 0.8, 0.1, 0.05], steps=4)["share_of_churners"].tolist()
    [0.0, 0.5, 0.5, 0.5, 1.0]
    """
    y, p = _arrays(y, p)
    order = np.argsort(-p, kind="stable")
    found = np.concatenate([[0.0], np.cumsum(y[order])])
    total = max(float(y.sum()), 1.0)
    shares = np.linspace(0, 1, steps + 1)
    counts = np.round(shares * len(y)).astype(int)
    share_found = found[counts] / total
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(shares > 0, share_found / shares, np.nan)
    lowest = np.concatenate([[np.nan], p[order]])[counts]
    return pd.DataFrame(
        {
            "share_contacted": shares,
            "share_of_churners": share_found,
            "lift": lift,
            "customers": counts,
            "threshold": lowest,
        }
    )


def share_of_churners_in_top(y, p, share: float = 0.1) -> float:
    """Share of all churners among the riskiest ``share`` of customers."""
    y, p = _arrays(y, p)
    n_top = int(round(share * len(y)))
    order = np.argsort(-p, kind="stable")
    return float(y[order[:n_top]].sum() / max(y.sum(), 1.0))


def gains_sentence(y, p, lang: str = "en", share: float = 0.1, horizon_days: int | None = 90) -> str:
    """``"The riskiest 10% of customers hold 38% of those who left within 90 days."`` (no period when None)."""
    found = share_of_churners_in_top(y, p, share)
    return t(
        "model.gains_sentence" if horizon_days else "model.gains_sentence_table",
        lang,
        share=fmt_pct(share, lang, 0),
        found=fmt_pct(found, lang, 0),
        days=horizon_days,
    )


def _money(value, cost: float, success_rate: float, n: int) -> np.ndarray:
    if cost < 0 or not 0 <= success_rate <= 1:
        raise ScenarioError("errors.money_inputs")
    value = np.broadcast_to(np.asarray(value, dtype=float), (n,))
    if np.any(value < 0):
        raise ScenarioError("errors.customer_value_negative")
    return value


def profit_by_threshold(y, p, value, cost: float, success_rate: float, thresholds=None) -> pd.DataFrame:
    """Realised profit of contacting everyone with ``p >= threshold``, for each threshold.

    profit = Σ over contacted customers of ``y × success_rate × value − cost``.

    Parameters
    ----------
    y, p : array-like
        Held-out truth and predicted probabilities.
    value : float or array-like
        Value of keeping a customer (one number, or one per customer).
    cost : float
        Cost of one contact.
    success_rate : float
        Share of contacted would-be churners the intervention keeps (0..1).
    thresholds : array-like, optional
        Thresholds to try; default 0.00, 0.01, …, 1.00.

    Returns
    -------
    pd.DataFrame
        ``threshold, contacted, churners_reached, saved_value, contact_cost, profit``.
    """
    y, p = _arrays(y, p)
    value = _money(value, cost, success_rate, len(y))
    grid = np.round(np.linspace(0, 1, 101), 2) if thresholds is None else np.asarray(thresholds, float)
    order = np.argsort(-p, kind="stable")
    p_sorted = p[order]
    gain_sorted = y[order] * value[order] * success_rate
    cum_gain = np.concatenate([[0.0], np.cumsum(gain_sorted)])
    cum_churn = np.concatenate([[0.0], np.cumsum(y[order])])
    # number contacted at threshold t = count of p >= t (p_sorted is descending)
    contacted = np.searchsorted(-p_sorted, -grid, side="right")
    saved = cum_gain[contacted]
    costs = contacted * float(cost)
    return pd.DataFrame(
        {
            "threshold": grid,
            "contacted": contacted,
            "churners_reached": cum_churn[contacted].astype(int),
            "saved_value": saved,
            "contact_cost": costs,
            "profit": saved - costs,
        }
    )


def best_threshold(y, p, value, cost: float, success_rate: float, thresholds=None) -> float:
    """The threshold with the highest realised profit.

    Realised profit is flat between observed probabilities, so among tied
    thresholds the middle one is returned (the least sensitive to noise).

    Example
    -------
    >>> best_threshold([1, 0, 0], [0.9, 0.6, 0.2], value=1000, cost=100, success_rate=0.5)
    0.76
    """
    table = profit_by_threshold(y, p, value, cost, success_rate, thresholds)
    ties = table.loc[np.isclose(table["profit"], table["profit"].max()), "threshold"].to_numpy()
    return float(ties[len(ties) // 2])


def default_money(monthly_values=None) -> dict:
    """Money defaults: a year of the mean monthly value, 5% of it per contact, the published retention success rate."""
    values = pd.Series(monthly_values, dtype=float).dropna() if monthly_values is not None else pd.Series([])
    yearly = float(12 * values.mean()) if len(values) and values.mean() > 0 else DEFAULT_VALUE
    yearly = float(fmt_round(yearly))
    return {
        "value": yearly,
        "cost": float(fmt_round(yearly * DEFAULT_COST_SHARE)),
        "success_rate": RETENTION_SUCCESS_RATE,
    }


def fmt_round(amount: float) -> float:
    """Round an amount to two significant digits (48 372 -> 48 000) for friendly defaults."""
    if amount <= 0:
        return 0.0
    digits = int(np.floor(np.log10(amount))) - 1
    return float(round(amount, -digits))


# ------------------------------------------------------------ how the data is split for judging

#: Latest monthly cutoffs held out as the out-of-time test: one when it holds enough
#: leavers for a stable AUC, else up to three (fewer when history is short).
TEST_CUTOFFS = 3
MIN_TEST_POSITIVES = 300


def validation_split(y: pd.Series, cutoffs: pd.Series | None, horizon_days: int, seed: int = 0) -> dict:
    """Rows to train, stop early and test on: out of time when snapshots allow it, else k-fold.

    Out of time: the latest cutoff (or the latest :data:`TEST_CUTOFFS` when the
    latest holds fewer than :data:`MIN_TEST_POSITIVES` leavers) is the test;
    training uses only cutoffs whose horizon had passed by the first test cutoff
    (``cutoff <= test - horizon``, so no training label peeks into the test
    period), and early stopping watches the latest of them. Otherwise a
    stratified k-fold grouped by customer (``y``'s index).

    Parameters
    ----------
    y : pd.Series
        Labels indexed by customer id (one row per customer and cutoff).
    cutoffs : pd.Series or None
        The cutoff of each row (None for a customer table).
    horizon_days : int
        The label horizon.
    seed : int
        Seed of the k-fold shuffle and the early-stopping holdout.

    Returns
    -------
    dict
        ``validation`` (``out_of_time`` or ``stratified_kfold``), ``folds``
        (list of (train rows, test rows)), ``stopping`` (list of (fit rows,
        early-stopping rows)), ``train_rows``, ``test_rows``, ``n_train`` and,
        out of time, ``test_cutoffs`` (ISO dates).
    """
    if cutoffs is not None:
        split = _out_of_time_split(y.to_numpy(), cutoffs.to_numpy(), horizon_days, seed)
        if split is not None:
            return split
    return _kfold_split(y, seed)


def _out_of_time_split(y_all: np.ndarray, stamps: np.ndarray, horizon_days: int, seed: int) -> dict | None:
    """The out-of-time split (latest cutoff, else the latest few, as test), or None when neither is usable."""
    unique = np.unique(stamps)
    horizon = np.timedelta64(horizon_days, "D")
    enough = y_all[stamps == unique[-1]].sum() >= MIN_TEST_POSITIVES
    for n_test in (1,) if enough else (TEST_CUTOFFS, 1):
        test_cuts = unique[-n_test:]
        train_cuts = unique[unique <= test_cuts[0] - horizon]
        test_rows = np.flatnonzero(np.isin(stamps, test_cuts))
        train_rows = np.flatnonzero(np.isin(stamps, train_cuts))
        usable = len(np.unique(y_all[test_rows])) == 2 and y_all[train_rows].sum() >= 2
        if not usable or len(train_cuts) < min(n_test, 2):
            continue
        if len(train_cuts) >= 2:
            fit_rows = np.flatnonzero(np.isin(stamps, train_cuts[:-1]))
            stop_rows = np.flatnonzero(stamps == train_cuts[-1])
        else:
            fit_rows, stop_rows = stratified_holdout(y_all[train_rows], seed)
            fit_rows, stop_rows = train_rows[fit_rows], train_rows[stop_rows]
        return {
            "validation": "out_of_time",
            "folds": [(train_rows, test_rows)],
            "stopping": [(fit_rows, stop_rows)],
            "train_rows": train_rows,
            "test_rows": test_rows,
            "n_train": len(train_rows),
            "test_cutoffs": [pd.Timestamp(c).date().isoformat() for c in test_cuts],
        }
    return None


def _kfold_split(y: pd.Series, seed: int) -> dict:
    """Stratified k-fold grouped by customer (``y``'s index), each fold with a seeded early-stopping holdout."""
    from sklearn.model_selection import StratifiedGroupKFold

    n = len(y)
    y_all = y.to_numpy()
    k = int(min(5, y_all.sum(), (y_all == 0).sum()))
    groups = pd.factorize(y.index)[0]
    splitter = StratifiedGroupKFold(n_splits=max(k, 2), shuffle=True, random_state=seed)
    folds, stopping = [], []
    for train_rows, test_rows in splitter.split(np.zeros(n), y_all, groups):
        folds.append((train_rows, test_rows))
        fit, stop = stratified_holdout(y_all[train_rows], seed)
        stopping.append((train_rows[fit], train_rows[stop]))
    return {
        "validation": "stratified_kfold",
        "folds": folds,
        "stopping": stopping,
        "train_rows": np.arange(n),
        "test_rows": np.arange(n),
        "n_train": int(np.mean([len(f[0]) for f in folds])),
    }


def stratified_holdout(y, seed: int, share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a seeded stratified (fit, holdout) split of ``y``.

    Example
    -------
    >>> fit, holdout = stratified_holdout([0] * 8 + [1] * 2, seed=0)
    >>> len(fit), len(holdout)
    (8, 2)
    """
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    holdout = np.zeros(len(y), dtype=bool)
    for value in np.unique(y):
        where = np.flatnonzero(y == value)
        take = max(1, int(round(share * len(where)))) if len(where) > 1 else 0
        holdout[rng.choice(where, size=take, replace=False)] = True
    return np.flatnonzero(~holdout), np.flatnonzero(holdout)
