"""Honest churn prediction: CatBoost on point-in-time features, judged out of time against baselines.

:class:`ChurnModel` is fitter-style: ``__init__`` stores settings, :meth:`ChurnModel.fit`
learns everything (attributes ending in ``_``).

How it stays honest:

* event data: snapshots at monthly cutoffs (:mod:`churn.model.features`); the latest
  cutoff is the test set, training uses only cutoffs whose horizon had passed by
  then (``cutoff <= test - horizon``), and early stopping watches the latest
  training cutoff (:func:`churn.model.evaluation.validation_split`). Without end
  dates: stratified k-fold on the customer table.
* leakage suspects (intake's, plus columns filled only for churners or that
  alone give the label away) are left out and listed;
* the same split scores two baselines (:mod:`churn.model.baselines`): the rule
  score on the warning signals (a segment rule without events) and a logistic
  regression on the same features;
* the AUC is the mean over the folds (one fold out of time), with a 95 %
  bootstrap interval by customer and paired gains over each baseline
  (:mod:`churn.model.intervals`); :mod:`churn.model.verdict` says which score
  to use, and "no signal" when the interval reaches 0.5 or a baseline is as
  good and both are weak;
* held-out probabilities are Platt-scaled when that lowers the Brier score on
  rows the scaling did not see (:mod:`churn.model.calibration`);
* after evaluation the scoring model is refit on every labelled snapshot with
  the number of trees the evaluation chose.

Settings by size (measured in ``bench/bench_corpus.py``): customer tables up to
:data:`QUALITY_MAX_ROWS` rows get CatBoost's own categorical handling, 64 borders and
an automatic learning rate; early stopping on a fifth of each training fold
picks the tree count, and the fold model is then refit on the whole fold with
:data:`REFIT_FACTOR` times that many trees (a small table cannot spare a fifth).
Larger tables and snapshot frames take the fast path (32 borders, one-hot up to
10 values, simpler category combinations, no second fit): on the event-log sample
the quality settings gained 0.005 AUC for three and a half times the training
time. Plain boosting in both: ordered boosting scored lower on the corpus tables
and took three times as long.

Models are stored as CatBoost's own ``cbm`` bytes plus JSON, never pickles
(:mod:`churn.model.persistence`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from churn.core.dataset import CHURNED, CUSTOMER_ID, VALUE, Dataset
from churn.core.display import HeaderSource, column_label
from churn.core.errors import ModelError
from churn.core.i18n import t
from churn.core.sampling import capped_rows
from churn.model import calibration, evaluation, event_features, features, intervals, verdict
from churn.model.baselines import LogisticBaseline, RuleBaseline

log = logging.getLogger(__name__)

#: Training rows up to which the quality settings are used (see the module docstring).
QUALITY_MAX_ROWS = 100_000
#: Trees of a fold model refit on its whole fold, per tree early stopping chose on four fifths.
REFIT_FACTOR = 1.2
#: Rows used to train one CatBoost model at most (seeded uniform sample beyond it).
MAX_ROWS = 80_000
#: Snapshot rows built at most; beyond it a seeded sample of customers is used for training
#: (every active customer is still scored).
MAX_FRAME_ROWS = 600_000
SPEEDS = {"fast": 150, "balanced": 400, "thorough": 1000}
#: Small tables get this many times the speed's trees at most (more, slower-learning trees).
QUALITY_TREES = 1.25

Progress = Callable[[float, str], None]


class _CatBoostProgress:
    """CatBoost callback mapping iterations onto a slice of the overall progress."""

    def __init__(self, report: Progress, start: float, end: float, total: int, message: str):
        self.report, self.start, self.end, self.total, self.message = report, start, end, total, message

    def after_iteration(self, info) -> bool:
        if info.iteration % 10 == 0:
            share = min(info.iteration / max(self.total, 1), 1.0)
            self.report(self.start + (self.end - self.start) * share, self.message)
        return True


def _no_progress(fraction: float, message: str) -> None:
    return None


class ChurnModel:
    """Predicts who leaves within ``horizon_days``; see the module docstring.

    Parameters
    ----------
    horizon_days : int
        Days after a cutoff in which leaving counts as churn.
    iterations, depth, learning_rate, thread_count, random_seed
        CatBoost settings (``learning_rate=None`` lets CatBoost choose).
    exclude : list of str, optional
        Columns to leave out; None means intake's leakage suspects plus the automatic checks.
    n_cutoffs : int, optional
        Monthly snapshots to build; None picks 6–18 depending on data size.
    windows : tuple of int
        Feature windows in days.
    """

    def __init__(
        self,
        horizon_days: int = 90,
        iterations: int = 400,
        depth: int = 6,
        learning_rate: float | None = None,
        thread_count: int = 2,
        random_seed: int = 0,
        *,
        exclude: list[str] | None = None,
        n_cutoffs: int | None = None,
        windows: tuple[int, ...] = features.WINDOWS,
    ):
        self.horizon_days = horizon_days
        self.iterations = iterations
        self.depth = depth
        self.learning_rate = learning_rate
        self.thread_count = thread_count
        self.random_seed = random_seed
        self.exclude = exclude
        self.n_cutoffs = n_cutoffs
        self.windows = tuple(windows)

    # ------------------------------------------------------------ settings

    def get_params(self) -> dict:
        """The constructor settings as a JSON-ready dict."""
        return {
            "horizon_days": int(self.horizon_days),
            "iterations": int(self.iterations),
            "depth": int(self.depth),
            "learning_rate": self.learning_rate,
            "thread_count": int(self.thread_count),
            "random_seed": int(self.random_seed),
            "exclude": None if self.exclude is None else list(self.exclude),
            "n_cutoffs": self.n_cutoffs,
            "windows": list(self.windows),
        }

    def catboost_classifier(self, iterations: int, learning_rate: float | None = None) -> CatBoostClassifier:
        """An unfitted CatBoost classifier with this model's settings (also for benchmarks).

        The settings by size are the ones :meth:`fit` chose (before a fit: the fast path);
        see the module docstring.
        """
        if getattr(self, "quality_", False):
            by_size = {"border_count": 64}
        else:
            by_size = {"border_count": 32, "one_hot_max_size": 10, "max_ctr_complexity": 2}
        return CatBoostClassifier(
            iterations=int(iterations),
            depth=self.depth,
            learning_rate=self.learning_rate if learning_rate is None else learning_rate,
            boosting_type="Plain",
            thread_count=self.thread_count,
            random_seed=self.random_seed,
            verbose=False,
            allow_writing_files=False,
            **by_size,
        )

    # ------------------------------------------------------------ fit

    def fit(self, dataset: Dataset, progress: Progress | None = None) -> ChurnModel:
        """Build features, evaluate against baselines, refit for scoring; returns self."""
        report = progress or _no_progress
        started = time.perf_counter()
        report(0.02, "features")
        self.mode_ = features.training_mode(dataset)
        attributes = list(dataset.attributes)
        X, y, cutoffs, signals = self._training_rows(dataset, attributes)
        report(0.15, "checks")
        X = self._choose_columns(dataset, X, y, attributes)
        self._check_labels(y)
        self.quality_ = self.mode_ == features.MODE_TABLE and len(X) <= QUALITY_MAX_ROWS

        split = evaluation.validation_split(y, cutoffs, self.horizon_days, self.random_seed)
        self.validation_ = split["validation"]
        test_p, best_iterations, rates = self._evaluate_catboost(X, y, split, report)
        report(0.6, "baselines")
        rule_p, logistic_p = self._baseline_scores(X, y, split, signals)
        self.test_frame_ = self._held_out_frame(X, y, split["test_rows"], test_p, rule_p, logistic_p)
        judgement = self._judge(len(X), split)
        money = evaluation.default_money(dataset.customers.get(VALUE, None))
        y_test, scores = self.test_frame_["y_true"].to_numpy(), self.test_frame_["catboost"]
        threshold = evaluation.best_threshold(
            y_test, scores, money["value"], money["cost"], money["success_rate"]
        )
        self.baselines_ = {
            name: _rounded(
                evaluation.evaluate(y_test, self.test_frame_[name], threshold) | _judged(judgement, name)
            )
            for name in ("rule", "logistic")
        }

        report(0.7, "refit")
        final_iterations = self._refit(X, y, best_iterations, rates, report)
        self.cutoff_ = (
            (dataset.as_of.normalize() + pd.Timedelta(days=1)) if dataset.as_of is not None else None
        )
        metrics = evaluation.evaluate(y_test, scores, threshold) | _judged(judgement, "catboost")
        metrics.update(
            {
                "brier_raw": self.brier_raw_,
                "brier_base": metrics["base_rate"] * (1 - metrics["base_rate"]),
                "calibration": "platt" if self.calibration_ != calibration.IDENTITY else "none",
                "settings": "quality" if self.quality_ else "fast",
                "n_train": int(split["n_train"]),
                "n_test": int(len(split["test_rows"])),
                "validation": self.validation_,
                "test_cutoffs": split.get("test_cutoffs"),
                "horizon_days": int(self.horizon_days),
                "iterations_used": final_iterations,
                "learning_rate": self.learning_rate_,
                "rows": int(len(X)),
                "money": money,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
        self.metrics_ = _rounded(metrics)
        self.recommendation_ = self._recommend(dataset)
        report(1.0, "done")
        return self

    def _training_rows(self, dataset: Dataset, attributes: list[str]):
        """(X, y, cutoff per row or None, signal flags or None): snapshots, else the customer table."""
        if self.mode_ != features.MODE_SNAPSHOT:
            X, y = features.table_features(dataset, attributes=attributes)
            return X, y, None, None
        sample, n_cut = self.training_sample(dataset)
        return features.labelled_snapshots(sample, self.horizon_days, n_cut, self.windows, attributes)

    def training_sample(self, dataset: Dataset) -> tuple[Dataset, int]:
        """The customers the snapshots are taken of and how many cutoffs, as :meth:`fit` uses them.

        More cutoffs when few customers are active (each adds a snapshot per
        customer), between 6 and 18; the customers are a seeded sample when
        the snapshots would pass :data:`MAX_FRAME_ROWS` rows.

        Returns
        -------
        (Dataset, int)
            The dataset cut to the sampled customers (itself when small enough) and the cutoff count.
        """
        active_now = int((dataset.customers[CHURNED] == 0).sum()) or 1
        n_cut = self.n_cutoffs or int(np.clip(round(MAX_ROWS * 3 / active_now), 6, 18))
        return _customer_sample(dataset, MAX_FRAME_ROWS // n_cut, self.random_seed), n_cut

    def _baseline_scores(
        self, X: pd.DataFrame, y: pd.Series, split: dict, signals
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rule and logistic scores on the held-out rows of each fold; also fits ``rule_`` on all rows."""
        rule_p, logistic_p = np.full(len(X), np.nan), np.full(len(X), np.nan)
        for train_rows, rows in split["folds"]:
            flags = (None, None) if signals is None else (signals.iloc[train_rows], signals.iloc[rows])
            rule = RuleBaseline().fit(X.iloc[train_rows], y.iloc[train_rows], flags[0], self.cat_features_)
            rule_p[rows] = rule.predict(X.iloc[rows], flags[1])
            logistic = LogisticBaseline(self.random_seed).fit(
                X.iloc[train_rows], y.iloc[train_rows], self.cat_features_
            )
            logistic_p[rows] = logistic.predict(X.iloc[rows])
        self.rule_ = RuleBaseline().fit(X, y, signals, self.cat_features_)
        return rule_p, logistic_p

    @staticmethod
    def _held_out_frame(X, y, test_index, test_p, rule_p, logistic_p) -> pd.DataFrame:
        """The test rows with the truth and the three scores (and the value, when known)."""
        frame = pd.DataFrame(
            {
                CUSTOMER_ID: X.index.to_numpy()[test_index],
                "y_true": y.to_numpy()[test_index],
                "catboost": test_p[test_index],
                "rule": rule_p[test_index],
                "logistic": logistic_p[test_index],
            }
        )
        if VALUE in X:
            frame[VALUE] = X[VALUE].to_numpy()[test_index]
        return frame

    def _judge(self, n_rows: int, split: dict) -> dict:
        """Fold AUCs, intervals and paired gains of the held-out scores; calibrates the model's.

        Sets ``calibration_`` (Platt slope and intercept, or the identity) and
        ``brier_raw_``, and replaces the held-out CatBoost column by calibrated
        probabilities (cross-fitted, so each row's scaling never saw it).
        """
        frame = self.test_frame_
        position = np.full(n_rows, -1)
        position[split["test_rows"]] = np.arange(len(split["test_rows"]))
        folds = [position[rows] for _, rows in split["folds"]]
        folds = [rows[rows >= 0] for rows in folds]
        groups = frame[CUSTOMER_ID].to_numpy()
        y = frame["y_true"].to_numpy()
        scaled = calibration.calibrate(
            y, frame["catboost"].to_numpy(), calibration.parts_by_group(groups, seed=self.random_seed)
        )
        self.calibration_ = tuple(float(v) for v in scaled["calibration"])
        self.brier_raw_ = scaled["brier_raw"]
        frame["catboost"] = scaled["probability"]
        scores = {name: frame[name].to_numpy() for name in ("catboost", "rule", "logistic")}
        return intervals.judge_scores(y, scores, folds, groups, seed=self.random_seed)

    def _refit(self, X, y, best_iterations: list[int], rates: list[float], report: Progress) -> int:
        """Fit the scoring model on every row with the evaluated trees and rate; returns the tree count."""
        final_iterations = max(int(np.median(best_iterations)) + (0 if self.quality_ else 1), 20)
        # CatBoost picks its learning rate from the number of trees: pin the evaluated one,
        # or fewer trees would get a larger rate and the scoring model would not be the one judged
        self.learning_rate_ = float(np.median(rates))
        rows = capped_rows(len(X), MAX_ROWS, self.random_seed)
        model = self.catboost_classifier(final_iterations, self.learning_rate_)
        model.fit(
            X.iloc[rows],
            y.iloc[rows],
            cat_features=self.cat_features_,
            callbacks=[_CatBoostProgress(report, 0.7, 0.97, final_iterations, "refit")],
        )
        self.model_ = model
        return final_iterations

    def _choose_columns(self, dataset: Dataset, X: pd.DataFrame, y: pd.Series, attributes: list[str]):
        """Drop leakage suspects and useless columns; set features_, cat_features_, excluded_."""
        if self.exclude is None:
            excluded = _auto_exclusions(dataset, X, y, attributes)
        else:
            found = _auto_exclusions(dataset, X, y, attributes)  # the app's own reason, where it has one
            excluded = {column: found.get(column, "user") for column in self.exclude}
        keep = []
        for column in X.columns:
            source = features.attribute_source(column, attributes) or column
            if source in excluded:
                continue
            if X[column].nunique(dropna=False) < 2:
                if source in attributes:
                    excluded.setdefault(source, "constant")
                continue
            keep.append(column)
        if not keep:
            raise ModelError("errors.no_features_left")
        self.excluded_ = excluded
        self.features_ = keep
        self.cat_features_ = [c for c in keep if X[c].dtype == object]
        return X[keep]

    @staticmethod
    def _check_labels(y: pd.Series) -> None:
        positives, negatives = int(y.sum()), int((y == 0).sum())
        if positives < 2 or negatives < 2:
            raise ModelError("errors.too_few_labels", left=positives, stayed=negatives)

    def _evaluate_catboost(self, X, y, split, report: Progress) -> tuple[np.ndarray, list[int], list[float]]:
        """Out-of-sample CatBoost probabilities for the test rows, trees and learning rate per fold.

        With the quality settings each fold's model is refit on its whole
        training fold with :data:`REFIT_FACTOR` times the trees early stopping
        chose; the trees per fold are then that refit's count.
        """
        predictions = np.full(len(X), np.nan)
        best, rates = [], []
        n_folds = len(split["folds"])
        budget = int(round(self.iterations * QUALITY_TREES)) if self.quality_ else self.iterations
        for i, ((_, test_rows), (fit_rows, stop_rows)) in enumerate(
            zip(split["folds"], split["stopping"], strict=True)
        ):
            start, end = 0.2 + 0.4 * i / n_folds, 0.2 + 0.4 * (i + 1) / n_folds
            fit_rows = fit_rows[capped_rows(len(fit_rows), MAX_ROWS, self.random_seed)]
            model = self.catboost_classifier(budget)
            model.fit(
                X.iloc[fit_rows],
                y.iloc[fit_rows],
                cat_features=self.cat_features_,
                eval_set=(X.iloc[stop_rows], y.iloc[stop_rows]),
                early_stopping_rounds=max(30, budget // (10 if self.quality_ else 8)),
                use_best_model=True,
                callbacks=[_CatBoostProgress(report, start, end, budget, "training")],
            )
            trees = int(model.get_best_iteration() or budget - 1)
            rate = float(model.get_all_params()["learning_rate"])
            if self.quality_:
                trees = max(int(round(REFIT_FACTOR * (trees + 1))), 20)
                train_rows = np.concatenate([fit_rows, stop_rows])
                model = self.catboost_classifier(trees, rate)
                model.fit(X.iloc[train_rows], y.iloc[train_rows], cat_features=self.cat_features_)
            best.append(trees)
            rates.append(rate)
            predictions[test_rows] = model.predict_proba(X.iloc[test_rows])[:, 1]
        return predictions, best, rates

    def _recommend(self, dataset: Dataset) -> dict:
        customers = dataset.customers
        return verdict.recommend(
            self.metrics_, self.baselines_, len(customers), int(customers[CHURNED].sum())
        )

    @property
    def period_days(self) -> int | None:
        """The horizon a risk is about, in days, or None for a table without dates (no period)."""
        if getattr(self, "mode_", features.MODE_SNAPSHOT) != features.MODE_SNAPSHOT:
            return None
        return int((getattr(self, "metrics_", None) or {}).get("horizon_days") or self.horizon_days)

    @property
    def has_signal(self) -> bool:
        """False when the verdict is "no signal": scores, tiers and reasons are then not findings."""
        return (getattr(self, "recommendation_", None) or {}).get("reason") != "no_signal"

    # ------------------------------------------------------------ use

    def check_fitted(self) -> None:
        """Raise :class:`ModelError` unless :meth:`fit` (or loading a saved model) has run."""
        if not hasattr(self, "model_"):
            raise ModelError("errors.model_not_trained")

    def prepare(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` reduced to ``features_`` with the training dtypes (categoricals as strings)."""
        self.check_fitted()
        missing = [c for c in self.features_ if c not in X.columns]
        if len(missing) > len(self.features_) // 2:
            raise ModelError("errors.model_columns_missing", column=str(missing[0]), others=len(missing) - 1)
        frame = X.reindex(columns=self.features_)
        for column in self.features_:
            if column in self.cat_features_:
                values = frame[column]
                if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
                    values = values.astype("Int64")  # a model saved when few-valued numbers were categories
                frame[column] = (
                    values.astype(object).where(values.notna(), features.MISSING_CATEGORY).astype(str)
                )
            elif column in missing and event_features.is_count_feature(column):
                frame[column] = 0.0
            else:
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        if missing:
            log.warning("scoring without %d model columns (filled in): %s", len(missing), missing[:5])
        return frame

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of churn within the horizon for each row of ``X``."""
        frame = self.prepare(X)
        if frame.empty:
            return np.zeros(0)
        return calibration.apply(
            self.model_.predict(frame, prediction_type="RawFormulaVal"), self.calibration_
        )

    def scoring_features(self, dataset: Dataset) -> pd.DataFrame:
        """Features of all active customers "today" (the day after ``dataset.as_of``), columns ``features_``."""
        self.check_fitted()
        attributes = list(dataset.attributes)
        if self.mode_ == features.MODE_SNAPSHOT and dataset.as_of is not None:
            cutoff = dataset.as_of.normalize() + pd.Timedelta(days=1)
            X, _ = features.active_snapshot(dataset, cutoff, self.windows, None, attributes)
        else:
            X, _ = features.table_features(dataset, active_only=True, attributes=attributes)
        return self.prepare(X)


# ------------------------------------------------------------ exclusions


def _auto_exclusions(dataset: Dataset, X: pd.DataFrame, y: pd.Series, attributes: list[str]) -> dict:
    excluded = dict.fromkeys(dataset.leakage, "intake_leakage")
    static = [c for c in X.columns if features.attribute_source(c, attributes) or c == VALUE]
    static = [c for c in static if features.attribute_source(c, attributes) not in excluded]
    cats = [c for c in static if X[c].dtype == object]
    for column, reason in features.snapshot_leakage(X, y, static, cats).items():
        excluded[features.attribute_source(column, attributes) or column] = reason
    return excluded


def suggested_exclusions(dataset: Dataset, horizon_days: int = 90) -> dict[str, str]:
    """Columns left out by default, with reason codes: intake's suspects plus the automatic checks.

    Uses one snapshot (or the customer table), so it is quick enough for a page.
    """
    attributes = list(dataset.attributes)
    if features.training_mode(dataset) == features.MODE_SNAPSHOT:
        X, y, _, _ = features.labelled_snapshots(dataset, horizon_days, 1, features.WINDOWS[:1], attributes)
    else:
        X, y = features.table_features(dataset, attributes=attributes)
    return _auto_exclusions(dataset, X, y, attributes)


def exclusion_sentences(
    excluded: dict[str, str], lang: str = "en", mapping: HeaderSource = None
) -> list[str]:
    """``"churn_reason: filled almost only for customers who left …"`` per left-out column.

    Columns are named as the client's file names them (``mapping``: the dataset or its
    RoleMapping; see :func:`churn.core.display.column_label`).
    """
    return [
        t(
            "model.excluded_reason",
            lang,
            column=column_label(mapping, column, lang),
            reason=t(f"model.reason_{reason}", lang),
        )
        for column, reason in excluded.items()
    ]


def _customer_sample(dataset: Dataset, limit: int, seed: int) -> Dataset:
    """The dataset restricted to a seeded sample of ``limit`` customers (itself when small enough).

    Only the customer table is cut: the engine reads the events (in memory or on
    disk) of the listed customers alone, so the event log is never copied.
    """
    customers = dataset.customers
    if len(customers) * 0.8 <= limit:
        return dataset
    chosen = customers.iloc[capped_rows(len(customers), limit, seed)]
    log.info("training on a sample of %d of %d customers", limit, len(customers))
    return dataset.evolve(customers=chosen)


def _judged(judgement: dict, name: str) -> dict:
    """The AUC (mean over folds), its interval and fold values and, for a baseline, the model's gain over it."""
    own = judgement[name]
    out = {"auc": own["auc"], "auc_low": own["low"], "auc_high": own["high"], "fold_aucs": own["folds"]}
    gain = judgement.get(f"gain_over_{name}")
    if gain is not None:
        out.update(gain=gain["gain"], gain_low=gain["low"], gain_high=gain["high"])
    return out


def _rounded(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, float | np.floating):
            out[key] = None if not np.isfinite(value) else round(float(value), 6)
        elif isinstance(value, list) and value and isinstance(value[0], float | np.floating):
            out[key] = [None if not np.isfinite(v) else round(float(v), 6) for v in value]
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out
