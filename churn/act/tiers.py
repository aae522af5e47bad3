"""Seed 004's risk tiers and the action table: what to do for whom.

=========  ===========  ==========================================  ===============================
Tier       Probability  Automated action                            Personal action
=========  ===========  ==========================================  ===============================
low        30–50%       personal newsletters, product tips          quarterly check-in
medium     50–70%       event invitations, discount offer           call from the key account manager
high       70%+         alert the team at once                      executive conversation within 48 h
=========  ===========  ==========================================  ===============================

Below the low tier a customer gets no action (``"none"``). Thresholds are
editable; the texts are localised in ``locales/<lang>/model.json``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.core.errors import ScenarioError
from churn.core.formatting import fmt_pct
from churn.core.i18n import t

TIERS = ("low", "medium", "high")
NO_TIER = "none"
#: Lower bound of each tier (seed 004: low 30–50%, medium 50–70%, high 70%+).
DEFAULT_TIERS = {"low": 0.30, "medium": 0.50, "high": 0.70}


def validate_tiers(tiers: dict | None) -> dict:
    """Return complete, checked tier bounds (defaults where ``tiers`` is silent).

    Raises
    ------
    ScenarioError
        When a bound lies outside 0–100% or the bounds do not rise from low to high.
    """
    bounds = {**DEFAULT_TIERS, **(tiers or {})}
    values = [float(bounds[name]) for name in TIERS]
    if any(not 0 < v <= 1 for v in values):
        raise ScenarioError("errors.tiers_range")
    if not values[0] < values[1] < values[2]:
        raise ScenarioError("errors.tiers_order")
    return dict(zip(TIERS, values, strict=True))


def saved_tiers(saved: dict | None) -> dict:
    """Tier bounds from stored workspace settings, or seed 004's defaults when absent or invalid.

    The Model page stores the chosen bounds as ``settings["tiers"]``
    (``{"low": 0.3, "medium": 0.5, "high": 0.7}``); a damaged value must not
    break a page, so it falls back to the defaults.

    Example
    -------
    >>> saved_tiers({"low": 0.2, "medium": 0.4, "high": 0.6})["low"], saved_tiers({"low": "x"})["low"]
    (0.2, 0.3)
    """
    try:
        return validate_tiers({k: v for k, v in (saved or {}).items() if k in TIERS})
    except (ScenarioError, TypeError, ValueError, AttributeError):
        return dict(DEFAULT_TIERS)


def assign_tiers(probability, tiers: dict | None = None) -> np.ndarray:
    """Tier code per probability: ``none``, ``low``, ``medium`` or ``high``.

    Example
    -------
    >>> assign_tiers([0.1, 0.3, 0.69, 0.7]).tolist()
    ['none', 'low', 'medium', 'high']
    """
    bounds = validate_tiers(tiers)
    p = np.asarray(probability, dtype=float)
    edges = [bounds[name] for name in TIERS]
    position = np.searchsorted(edges, p, side="right")
    return np.array((NO_TIER, *TIERS), dtype=object)[position]


def tier_label(code: str, lang: str = "en") -> str:
    """The tier's name in ``lang`` ("High" / "Høy")."""
    return t(f"model.tier_{code}", lang)


def tier_actions(code: str, lang: str = "en") -> tuple[str, str]:
    """(automated action, personal action) for a tier in ``lang``; empty for ``none``."""
    if code not in TIERS:
        return "", ""
    return t(f"model.action_{code}_auto", lang), t(f"model.action_{code}_personal", lang)


def action_table(tiers: dict | None = None, lang: str = "en") -> pd.DataFrame:
    """Seed 004's action table with the current bounds, for display."""
    bounds = validate_tiers(tiers)
    rows = []
    for i, code in enumerate(TIERS):
        upper = bounds[TIERS[i + 1]] if i + 1 < len(TIERS) else None
        span = fmt_pct(bounds[code], lang, 0) + ("–" + fmt_pct(upper, lang, 0) if upper else "+")
        auto, personal = tier_actions(code, lang)
        rows.append(
            {
                t("model.col_tier", lang): tier_label(code, lang),
                t("model.col_range", lang): span,
                t("model.col_action_auto", lang): auto,
                t("model.col_action_personal", lang): personal,
            }
        )
    return pd.DataFrame(rows)
