"""Scoring every active customer: probabilities once, then tiers, actions and value at risk.

:func:`score_active` is the expensive step (point-in-time features of every active
customer and the model's probabilities); the pages cache its :class:`Scores` once per
dataset and model, and the Model and Explain pages both draw from it.
:func:`score_table` turns it into the scored list for any tier bounds and language, and
:func:`readable_score_table` into what a person reads and downloads (headers in words,
the value column under the client's own header).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.act.tiers import NO_TIER, TIERS, assign_tiers, tier_actions, tier_label
from churn.core.dataset import CUSTOMER_ID, VALUE, Dataset
from churn.core.display import HeaderSource, column_label
from churn.core.formatting import risk_percent
from churn.core.i18n import t
from churn.model.churn_model import ChurnModel

#: Columns of :func:`score_table` -> the key of their header (the value column is the client's own).
SCORE_HEADERS = {
    CUSTOMER_ID: "model.col_customer",
    "probability": "model.col_probability",
    "tier": "model.col_tier",
    "action_auto": "model.col_action_auto",
    "action_personal": "model.col_action_personal",
    "value_at_risk": "model.col_value_at_risk",
}


@dataclass(frozen=True)
class Scores:
    """Features and churn probabilities of the active customers "today".

    Attributes
    ----------
    features : pd.DataFrame
        The model's columns, indexed by customer id (as text), one row per active customer.
    probability : np.ndarray
        Probability of churn within the model's horizon, in the rows' order.
    """

    features: pd.DataFrame
    probability: np.ndarray


def score_active(model: ChurnModel, dataset: Dataset) -> Scores:
    """Features and probabilities of all active customers on the day after ``dataset.as_of``."""
    X = model.scoring_features(dataset)
    return Scores(features=X, probability=model.predict_proba(X))


def score_table(
    scores: Scores, dataset: Dataset, tiers: dict | None = None, lang: str = "en"
) -> pd.DataFrame:
    """The scored list: probability, tier, seed 004's actions and value at risk, riskiest first.

    Returns
    -------
    pd.DataFrame
        ``customer_id, probability, tier, action_auto, action_personal,
        monthly_value, value_at_risk`` (probability × 12 × monthly value).
    """
    X, probability = scores.features, scores.probability
    tier = assign_tiers(probability, tiers)
    pairs = {code: tier_actions(code, lang) for code in (NO_TIER, *TIERS)}
    customers = dataset.customers.assign(**{CUSTOMER_ID: dataset.customers[CUSTOMER_ID].astype(str)})
    value = (
        customers.set_index(CUSTOMER_ID)[VALUE].reindex(X.index).to_numpy(dtype=float)
        if VALUE in customers
        else np.full(len(X), np.nan)
    )
    table = pd.DataFrame(
        {
            CUSTOMER_ID: X.index.to_numpy(),
            "probability": probability,
            "tier": tier,
            "action_auto": [pairs[c][0] for c in tier],
            "action_personal": [pairs[c][1] for c in tier],
            VALUE: value,
            "value_at_risk": probability * 12 * value,
        }
    )
    return table.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)


def score_headers(lang: str = "en", mapping: HeaderSource = None) -> dict[str, str]:
    """Header in ``lang`` of every :func:`score_table` column; the monthly value keeps the client's header.

    Example
    -------
    >>> from churn.core.dataset import RoleMapping
    >>> score_headers("en", RoleMapping(value="MonthlyCharges"))["monthly_value"]
    'MonthlyCharges'
    """
    headers = {column: t(key, lang) for column, key in SCORE_HEADERS.items()}
    headers[VALUE] = column_label(mapping, VALUE, lang)
    return headers


def readable_score_table(
    table: pd.DataFrame, lang: str = "en", mapping: HeaderSource = None, currency: str | None = None
) -> pd.DataFrame:
    """The scored list as a person reads it (the CSV / Excel download): words, not internal names.

    Risk becomes a percentage (0.715 -> 71.5, headed "%"), tiers their names in ``lang``,
    money whole units (the value at risk headed with ``currency`` when given), and the
    headers those of :func:`score_headers`.
    """
    out = table.copy()
    if "probability" in out:
        out["probability"] = risk_percent(out["probability"])
    if "tier" in out:
        out["tier"] = out["tier"].map(
            lambda code: tier_label(code, lang) if code in (*TIERS, NO_TIER) else code
        )
    for column in (VALUE, "value_at_risk"):
        if column in out:
            out[column] = out[column].round(0)
    headers = score_headers(lang, mapping)
    headers["probability"] = f"{headers['probability']} (%)"
    if currency:
        headers["value_at_risk"] = f"{headers['value_at_risk']}, {currency}"
    return out.rename(columns=headers)


def score_customers(
    model: ChurnModel, dataset: Dataset, tiers: dict | None = None, lang: str = "en"
) -> pd.DataFrame:
    """:func:`score_active` then :func:`score_table`, in one call (CLI, report, notebooks).

    Example
    -------
    >>> table = score_customers(model, dataset, lang="nb")  # doctest: +SKIP
    >>> table.columns[:3].tolist()  # doctest: +SKIP
    ['customer_id', 'probability', 'tier']
    """
    return score_table(score_active(model, dataset), dataset, tiers, lang)
