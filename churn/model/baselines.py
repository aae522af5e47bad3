"""The baselines a churn model must beat, fitted and judged on the same split as CatBoost.

* :class:`RuleBaseline`: seed 004's warning-signal score turned into a
  probability (or, without an event log, the churn rate of the strongest
  single segment column or tenure band);
* :class:`LogisticBaseline`: a logistic regression on the same features
  (one-hot categoricals, scaled and imputed numbers, scikit-learn).

Both are deliberately honest competitors: they see exactly the model's
feature columns and training rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from churn.core.sampling import capped_rows

#: Pseudo-count pulling small groups' churn rates toward the overall rate.
SMOOTHING = 10.0
LOGISTIC_MAX_ROWS = 30_000
#: A number with at most this many distinct values is also tried as a segment (products held).
MAX_SEGMENT_VALUES = 12
#: Numbers tried in five quantile bands rather than value by value.
BANDED = ("tenure_months", "monthly_value")
#: A category column with more groups than this is not tried as a segment.
MAX_SEGMENTS = 60


def _smoothed_rates(keys: np.ndarray, y: np.ndarray) -> tuple[dict, float]:
    base = float(y.mean()) if len(y) else 0.0
    grouped = pd.DataFrame({"k": keys, "y": y}).groupby("k")["y"].agg(["sum", "count"])
    rates = (grouped["sum"] + SMOOTHING * base) / (grouped["count"] + SMOOTHING)
    return {str(k): float(v) for k, v in rates.items()}, base


class RuleBaseline:
    """A rule-based score turned into a probability on the training rows.

    With an event log it is seed 004's warning-signal score
    (:func:`churn.analysis.signals.rule_score` on the flags); without one, the churn
    rate of the customer's group in the single strongest segment column (or
    tenure band). Each distinct score or group gets its smoothed observed churn rate.
    """

    def __init__(self):
        self.kind: str | None = None
        self.column: str | None = None
        self.edges: list[float] | None = None
        self.rates: dict[str, float] = {}
        self.base_rate: float = float("nan")

    def _keys(self, X: pd.DataFrame, signals: pd.DataFrame | None) -> np.ndarray:
        if self.kind == "signals":
            from churn.analysis.signals import rule_score

            if signals is None:
                raise ValueError("the signal rule needs the signal flags")
            return rule_score(signals).round(3).astype(str).to_numpy()
        values = X[self.column] if self.column in X else pd.Series(np.nan, index=X.index)
        if self.edges is not None:
            return np.searchsorted(self.edges, values.astype(float).fillna(-1).to_numpy()).astype(str)
        return values.astype(str).to_numpy()

    def fit(self, X: pd.DataFrame, y, signals: pd.DataFrame | None = None, cat_features=()) -> RuleBaseline:
        """Learn the rates from the training rows ``X``/``y`` (and their signal flags)."""
        y = np.asarray(y, dtype=float)
        if signals is not None:
            self.kind = "signals"
            self.rates, self.base_rate = _smoothed_rates(self._keys(X, signals), y)
            return self
        self.kind = "segment"
        # a segment with thousands of values (a surname) only memorises the training rows
        candidates = [(c, None) for c in cat_features if c in X and X[c].nunique() <= MAX_SEGMENTS]
        candidates += [
            (c, None)
            for c in X.columns
            if c not in cat_features and c not in BANDED and X[c].nunique() <= MAX_SEGMENT_VALUES
        ]
        for column in BANDED:
            if column in X and X[column].notna().any():
                edges = np.unique(np.nanquantile(X[column].astype(float), [0.2, 0.4, 0.6, 0.8])).tolist()
                candidates.append((column, edges))
        best = (-1.0, None, None, {}, float(y.mean()) if len(y) else 0.0)
        for column, edges in candidates:
            self.column, self.edges = column, edges
            keys = self._keys(X, None)
            rates, base = _smoothed_rates(keys, y)
            score = np.array([rates[k] for k in keys])
            auc = roc_auc_score(y, score) if len(np.unique(y)) == 2 and np.unique(score).size > 1 else 0.5
            if auc > best[0]:
                best = (auc, column, edges, rates, base)
        _, self.column, self.edges, self.rates, self.base_rate = best
        return self

    def predict(self, X: pd.DataFrame, signals: pd.DataFrame | None = None) -> np.ndarray:
        """Probability of churn per row (the overall rate for unseen groups)."""
        if self.kind is None or (self.kind == "segment" and self.column is None):
            return np.full(len(X), self.base_rate)
        keys = pd.Series(self._keys(X, signals))
        return keys.map(self.rates).fillna(self.base_rate).to_numpy(dtype=float)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "column": self.column,
            "edges": self.edges,
            "rates": self.rates,
            "base_rate": self.base_rate,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RuleBaseline:
        rule = cls()
        rule.kind, rule.column, rule.edges = data.get("kind"), data.get("column"), data.get("edges")
        rule.rates = {str(k): float(v) for k, v in (data.get("rates") or {}).items()}
        rule.base_rate = float(data.get("base_rate") or 0.0)
        return rule


class LogisticBaseline:
    """Logistic regression with one-hot categoricals and scaled, imputed numbers (scikit-learn)."""

    def __init__(self, random_seed: int = 0):
        self.random_seed = random_seed

    def fit(self, X: pd.DataFrame, y, cat_features=()) -> LogisticBaseline:
        import warnings

        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        cats = [c for c in cat_features if c in X]
        numbers = [c for c in X.columns if c not in cats]
        prep = ColumnTransformer(
            [
                (
                    "num",
                    make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
                    numbers,
                ),
                (
                    "cat",
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10, max_categories=30),
                    cats,
                ),
            ]
        )
        self.pipeline_ = make_pipeline(prep, LogisticRegression(max_iter=200, C=1.0))
        rows = capped_rows(len(X), LOGISTIC_MAX_ROWS, self.random_seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.pipeline_.fit(X.iloc[rows], np.asarray(y)[rows])
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of churn per row."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.pipeline_.predict_proba(X)[:, 1]
