"""Every active customer scored and explained under one model.

This is the expensive work behind the Model page's scored list and the whole Explain
page, in two plain steps:

* :func:`explain_active`: the point-in-time features of every active customer "today",
  their churn probabilities and CatBoost's SHAP values for each of them, as an
  :class:`Explained` (no language in it);
* :func:`reasons_of_everyone`: the strongest reasons per customer as sentences in one
  language (the action list's reason columns), from those SHAP values.

:func:`explain_everyone` runs both, for every language (the command line, notebooks).
Everything else the pages show (tiers for the bounds in force, the action list,
charts) is cheap arithmetic on the result. The app runs each step once per saved model
in a background job (:mod:`churn.workspace.jobs`) and caches what it returns, so the
scores and SHAP values are shown while the sentences are still being written.

Each step takes a ``progress(fraction, step)`` callback. SHAP values and reasons are
made in chunks of :data:`CHUNK` customers so the progress moves on big customer bases;
CatBoost's ShapValues work row by row, so the chunks give the same values as one call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from churn.act import explain
from churn.act.scoring import Scores
from churn.core.dataset import Dataset
from churn.core.display import HeaderSource
from churn.core.errors import ModelError, Phrase
from churn.core.i18n import LANGUAGES
from churn.model.churn_model import ChurnModel

#: Customers per SHAP / reasons call: small enough for the progress to move, big enough to stay fast.
CHUNK = 10_000
#: Reasons per customer (the action list's three columns).
REASONS = 3
#: The steps of :func:`explain_active`, each with the share of its work done when it starts
#: (features take about two thirds of the time on the sample and at 100 k customers).
STEPS = {"features": 0.0, "scores": 0.6, "shap": 0.65}
#: The one step of :func:`reasons_of_everyone`.
REASONS_STEP = "reasons"

Progress = Callable[[float, str], None]


def _no_progress(fraction: float, step: str) -> None:
    return None


@dataclass(frozen=True)
class Explained:
    """Today's active customers under one model: their scores, SHAP values and reasons.

    Attributes
    ----------
    scores : Scores
        Features and churn probabilities (:class:`churn.act.scoring.Scores`), what
        :func:`churn.act.scoring.score_table` needs; ``features`` and ``probability``
        read through to it.
    shap : pd.DataFrame
        SHAP values in log-odds, same index and columns as ``features``.
    base : float
        The base log-odds: ``base + shap.sum(axis=1)`` is each customer's raw prediction.
    reasons : dict[str, pd.DataFrame]
        Language code -> ``reason_1 .. reason_3`` per customer (indexed by ``customer_id``):
        the contributions that raise the risk most, as sentences. Empty until
        :meth:`with_reasons` adds a language.
    """

    scores: Scores
    shap: pd.DataFrame
    base: float
    reasons: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def features(self) -> pd.DataFrame:
        """The model's columns, indexed by customer id (as text), one row per active customer."""
        return self.scores.features

    @property
    def probability(self) -> np.ndarray:
        """Probability of churn within the model's horizon, in the rows' order."""
        return self.scores.probability

    def with_reasons(self, lang: str, reasons: pd.DataFrame) -> Explained:
        """A copy that also holds ``reasons`` (from :func:`reasons_of_everyone`) in ``lang``."""
        return replace(self, reasons={**self.reasons, lang: reasons})

    def reasons_in(self, lang: str) -> pd.DataFrame:
        """The reason sentences in ``lang``.

        Raises
        ------
        ModelError
            When the reasons were written in other languages only.
        """
        if lang not in self.reasons:
            made = tuple(sorted(self.reasons)) or Phrase("errors.no_language")
            raise ModelError("errors.reasons_language", made=made, lang=str(lang))
        return self.reasons[lang]


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(start, min(start + size, n)) for start in range(0, n, max(int(size), 1))]


def explain_active(
    model: ChurnModel, dataset: Dataset, progress: Progress | None = None, chunk: int = CHUNK
) -> Explained:
    """Features, probabilities and SHAP values of every active customer "today".

    Parameters
    ----------
    model : ChurnModel
        A fitted (or loaded) model.
    dataset : Dataset
        The dataset the model scores: its active customers on the day after ``as_of``.
    progress : callable, optional
        ``progress(fraction, step)``, ``step`` one of :data:`STEPS` ("features",
        "scores", "shap"); ``fraction`` rises from 0 to 1.
    chunk : int
        Customers per SHAP call.

    Returns
    -------
    Explained
        Without reasons (see :func:`reasons_of_everyone`). With no active customer
        the frames are empty and ``base`` is NaN.

    Raises
    ------
    ModelError
        When the model cannot score this dataset (e.g. most of its columns are missing).
    """
    report = progress or _no_progress
    report(STEPS["features"], "features")
    X = model.scoring_features(dataset)
    report(STEPS["scores"], "scores")
    probability = model.predict_proba(X)
    if X.empty:
        report(1.0, "shap")
        empty = pd.DataFrame(index=X.index, columns=X.columns, dtype=float)
        return Explained(Scores(features=X, probability=probability), shap=empty, base=float("nan"))
    parts, frames, base = _chunks(len(X), chunk), [], float("nan")
    start = STEPS["shap"]
    for i, part in enumerate(parts):
        report(start + (1.0 - start) * i / len(parts), "shap")
        values, base = explain.shap_frame(model, X.iloc[part])
        frames.append(values)
    report(1.0, "shap")
    return Explained(Scores(features=X, probability=probability), shap=pd.concat(frames), base=base)


def reasons_of_everyone(
    model: ChurnModel,
    explained: Explained,
    lang: str = "en",
    mapping: HeaderSource = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> pd.DataFrame:
    """The :data:`REASONS` contributions that raise each customer's risk most, as sentences.

    :func:`churn.act.explain.top_reasons` (``raising_only``) on the SHAP values already
    in ``explained``, one chunk of customers at a time.

    Parameters
    ----------
    model : ChurnModel
        The model ``explained`` was made with.
    explained : Explained
        From :func:`explain_active`.
    lang : str
        Language of the sentences.
    mapping : Dataset | RoleMapping, optional
        Where the client's headers for tenure and value are read.
    progress : callable, optional
        ``progress(fraction, "reasons")``.
    chunk : int
        Customers per call.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id`` with columns ``reason_1`` .. ``reason_3`` ("" when fewer).
    """
    report = progress or _no_progress
    X, shap = explained.features, explained.shap
    columns = [f"reason_{k}" for k in range(1, REASONS + 1)]
    if X.empty:
        report(1.0, REASONS_STEP)
        return pd.DataFrame(columns=columns, index=X.index.rename("customer_id"), dtype=object)
    parts, tables = _chunks(len(X), chunk), []
    for i, part in enumerate(parts):
        report(i / len(parts), REASONS_STEP)
        tables.append(
            explain.top_reasons(
                model,
                X.iloc[part],
                n=REASONS,
                lang=lang,
                shap=shap.iloc[part],
                base=explained.base,
                raising_only=True,
                mapping=mapping,
            )
        )
    report(1.0, REASONS_STEP)
    return pd.concat(tables)


def explain_everyone(
    model: ChurnModel,
    dataset: Dataset,
    progress: Progress | None = None,
    langs: tuple[str, ...] = LANGUAGES,
    chunk: int = CHUNK,
) -> Explained:
    """:func:`explain_active`, then :func:`reasons_of_everyone` in each of ``langs``, in one call.

    ``progress(fraction, step)`` rises from 0 to 1 over all of it (half for the scores
    and SHAP values, half for the sentences).

    Example
    -------
    >>> explained = explain_everyone(model, dataset, langs=("en",))  # doctest: +SKIP
    >>> explained.reasons_in("en").loc["C00042", "reason_1"]  # doctest: +SKIP
    'Orders last 90 days: 0, down 100% from the 90 days before — raises risk by 12 points'
    """
    report = progress or _no_progress
    explained = explain_active(model, dataset, lambda f, step: report(0.5 * f, step), chunk)
    width = 0.5 / max(len(langs), 1)
    for k, lang in enumerate(langs):
        start = 0.5 + k * width

        def share(fraction: float, step: str, start: float = start) -> None:
            report(start + width * fraction, step)

        explained = explained.with_reasons(
            lang, reasons_of_everyone(model, explained, lang, dataset, share, chunk)
        )
    return explained
