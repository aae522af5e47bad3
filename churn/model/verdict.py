"""Which score to use, said plainly: CatBoost, a simpler baseline, the rule (too little data) or nothing.

:func:`recommend` turns a model's held-out judgement into a verdict, and
:func:`recommendation_text` into one sentence in the UI language:

* ``small_data``: fewer than :data:`MIN_CUSTOMERS` customers or
  :data:`MIN_CHURNED` leavers (practitioners' rule of thumb) — use the rule-based score;
* ``no_signal``: the model's 95 % AUC interval reaches 0.5 (``why = "chance"``), or a
  baseline does as well and both stay below :data:`WEAK_AUC` (``why = "weak"``) — the
  tiers and reasons are not findings, and the sentence names the data that would help;
* ``baseline_wins``: a baseline is as good (within :data:`MIN_GAIN`, or the paired
  gain's interval reaches 0) — use the simpler score;
* ``beats_baselines``: CatBoost is clearly better.
"""

from __future__ import annotations

import math

from churn.core.formatting import fmt_number
from churn.core.i18n import t

#: Below these counts a rule-based score beats machine learning.
MIN_CUSTOMERS, MIN_CHURNED = 100, 20
#: CatBoost must beat the best baseline's AUC by this much to be recommended.
MIN_GAIN = 0.01
#: Below this AUC discrimination is poor (Hosmer & Lemeshow, Applied Logistic Regression);
#: a model this weak that a baseline matches has found nothing to act on.
WEAK_AUC = 0.7
CHANCE = 0.5


def _finite(value) -> float:
    return float(value) if value is not None and math.isfinite(value) else 0.0


def recommend(metrics: dict, baselines: dict[str, dict], customers: int, churned: int) -> dict:
    """The verdict on a fitted model (see the module docstring).

    Parameters
    ----------
    metrics : dict
        The model's held-out metrics: ``auc`` and its interval ``auc_low``, ``auc_high``.
    baselines : dict
        ``name -> metrics`` of each baseline, with ``auc`` and the model's paired ``gain_low`` over it.
    customers, churned : int
        Customers in the data and how many of them left.

    Returns
    -------
    dict
        ``model`` (the score to use: ``catboost``, a baseline's name, ``rule`` or ``none``),
        ``reason``, and the numbers the sentence needs.

    Example
    -------
    >>> recommend({"auc": 0.56, "auc_low": 0.47, "auc_high": 0.64},
    ...           {"rule": {"auc": 0.52, "gain_low": -0.05}}, 800, 200)["reason"]
    'no_signal'
    """
    if customers < MIN_CUSTOMERS or churned < MIN_CHURNED:
        return {"model": "rule", "reason": "small_data", "customers": customers, "churned": churned}
    auc = _finite(metrics["auc"])
    best_name = max(baselines, key=lambda k: _finite(baselines[k]["auc"]))
    best = baselines[best_name]
    found = {"baseline": best_name, "auc": auc, "baseline_auc": best["auc"],
             "low": metrics.get("auc_low"), "high": metrics.get("auc_high")}  # fmt: skip
    gain_low = best.get("gain_low")
    as_good = _finite(best["auc"]) + MIN_GAIN > auc or (gain_low is not None and gain_low <= 0)
    chance = metrics.get("auc_low") is None or metrics["auc_low"] <= CHANCE
    if chance or (as_good and max(auc, _finite(best["auc"])) < WEAK_AUC):
        return {"model": "none", "reason": "no_signal", "why": "chance" if chance else "weak", **found}
    if as_good:
        return {"model": best_name, "reason": "baseline_wins", **found}
    return {"model": "catboost", "reason": "beats_baselines", **found}


def recommendation_text(model, lang: str = "en") -> str:
    """The plain-language verdict on a fitted model (its ``recommendation_``): which score to use and why."""
    rec = model.recommendation_ or {}
    reason = rec.get("reason", "beats_baselines")
    values = {k: v for k, v in rec.items() if k not in ("model", "reason", "why")}
    for key in ("auc", "baseline_auc", "low", "high"):
        if key in values:
            values[key] = fmt_number(values[key], lang, 3)
    values["chance"] = fmt_number(CHANCE, lang, 1)
    values["weak"] = fmt_number(WEAK_AUC, lang, 1)
    if "baseline" in values:
        values["baseline"] = t(f"model.name_{values['baseline']}", lang)
    key = f"model.recommend_{reason}" + ("_weak" if rec.get("why") == "weak" else "")
    if reason in ("beats_baselines", "baseline_wins") and rec.get("low") is None:
        key += "_point"  # a model saved before intervals were kept
    return t(key, lang, **values)
