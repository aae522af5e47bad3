"""What churn work is worth: customers saved, money saved, cost, ROI and payback.

Pure functions over a frozen :class:`RoiInputs`; no streamlit, no I/O. The
reference case is seed 004's worked example (380 customers at 85,000 € a
year, churn 8 % → 4.8 %, 65,000 € for set-up and twelve months):
30 → 18 customers lost, 1,020,000 € saved, ROI ≈ 1,469 % in the first year.

Assumptions, stated once so the page and the CLI can repeat them:

- A saved customer counts with a full year of value in the year it is saved
  (as in seed 004); a customer kept in year one who stays on is not counted
  again in year two, so longer horizons are conservative.
- Benefit accrues evenly over the months of a year; the set-up cost is paid
  in month 0, running and contact costs every month.
- Customer retention rate (seed 002) is ``(E − N) / S × 100``. New customers
  ``N`` are added to ``E`` and subtracted again, so they cancel out:
  ``CRR = (S − lost) / S × 100`` whatever the number of new customers.
- Lifetime value is ``annual value × gross margin / annual churn rate``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace

import pandas as pd

from churn.core.errors import ScenarioError
from churn.core.formatting import CURRENCIES
from churn.core.i18n import t

ROUNDING = ("whole", "fractional")

#: Accepted range of every numeric input: (lowest, highest).
RANGES: dict[str, tuple[float, float]] = {
    "customers": (1, 10_000_000),
    "annual_value": (0, 1e9),
    "gross_margin": (0, 1),
    "churn_rate": (0, 1),
    "new_churn_rate": (0, 1),
    "setup_cost": (0, 1e10),
    "monthly_cost": (0, 1e9),
    "cost_per_contact": (0, 1e7),
    "contacts_per_year": (0, 1e8),
    "horizon_years": (1, 10),
    "acquisition_cost": (0, 1e9),
}
INTEGER_FIELDS = ("customers", "contacts_per_year", "horizon_years")
SHARE_FIELDS = ("gross_margin", "churn_rate", "new_churn_rate")
MONEY_FIELDS = ("annual_value", "setup_cost", "monthly_cost", "cost_per_contact", "acquisition_cost")


@dataclass(frozen=True)
class RoiInputs:
    """Everything the calculator needs; shares are fractions (0.08 = 8 %).

    The defaults are seed 004's worked example, with the 65,000 € investment
    (set-up plus twelve months, the article gives only the total) as set-up cost.

    Raises
    ------
    ScenarioError
        When a value is not a finite number inside :data:`RANGES`, or the
        currency or rounding mode is unknown.
    """

    customers: int = 380
    annual_value: float = 85_000.0
    gross_margin: float = 1.0
    churn_rate: float = 0.08
    new_churn_rate: float = 0.048
    setup_cost: float = 65_000.0
    monthly_cost: float = 0.0
    cost_per_contact: float = 0.0
    contacts_per_year: int = 0
    horizon_years: int = 1
    acquisition_cost: float | None = None
    currency: str = "EUR"
    rounding: str = "whole"

    def __post_init__(self) -> None:
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if value is None and name == "acquisition_cost":
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ScenarioError("errors.roi_not_a_number", name=name, got=repr(value))
            if not low <= value <= high:
                raise ScenarioError("errors.roi_out_of_range", name=name, got=value, low=low, high=high)
            if name in INTEGER_FIELDS and value != int(value):
                raise ScenarioError("errors.roi_not_whole", name=name, got=value)
        if self.currency not in CURRENCIES:
            raise ScenarioError("errors.unknown_currency", currency=str(self.currency), currencies=CURRENCIES)
        if self.rounding not in ROUNDING:
            raise ScenarioError("errors.unknown_rounding", rounding=str(self.rounding))


@dataclass(frozen=True)
class RoiResult:
    """What :func:`compute_roi` returns. Per-year figures say so; the rest cover the horizon.

    ``roi_pct`` is None when there is no cost (``roi_note == "no_cost"``);
    ``payback_months`` is None when the benefit never covers the cost
    (``payback_note == "never"``) or there is no cost. Lifetime values are None
    at a churn rate of 0, replacement costs when no acquisition cost is given.
    """

    churned_before: float
    churned_after: float
    saved_customers: float
    revenue_lost_before: float
    revenue_lost_after: float
    saved_revenue_per_year: float
    saved_margin_per_year: float
    saved_revenue: float
    saved_margin: float
    setup_cost: float
    running_cost: float
    contact_cost: float
    total_cost: float
    net_benefit: float
    roi_pct: float | None
    roi_note: str | None
    payback_months: float | None
    payback_note: str | None
    crr_before: float
    crr_after: float
    clv_before: float | None
    clv_after: float | None
    replacement_cost_before: float | None
    replacement_cost_after: float | None
    replacement_cost_saved: float | None
    cost_per_saved_customer: float | None
    horizon_years: int

    def as_dict(self) -> dict:
        """All fields as a plain dict (for JSON and tables)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _round_half_up(value: float) -> float:
    # Python's round() rounds half to even (round(18.5) == 18); a workshop expects 19.
    return float(math.floor(value + 0.5))


def customers_lost(customers: int, churn_rate: float, rounding: str = "whole") -> float:
    """Customers lost in a year: ``customers × churn_rate``, whole or fractional.

    Example
    -------
    >>> customers_lost(380, 0.08), customers_lost(380, 0.048, "fractional")
    (30.0, 18.240000000000002)
    """
    lost = customers * churn_rate
    return _round_half_up(lost) if rounding == "whole" else lost


def churn_with_programme(churn_rate: float, recall: float, success_rate: float) -> float:
    """Expected churn rate when the model flags churners and the team saves some of them.

    The programme reaches the share ``recall`` of would-be churners (recall of the
    model at its threshold) and keeps ``success_rate`` of those, so the churn rate
    falls by ``recall × success_rate``.

    Example
    -------
    >>> round(churn_with_programme(0.08, 0.6, 0.67), 5)
    0.04784
    """
    for name, value in (("churn_rate", churn_rate), ("recall", recall), ("success_rate", success_rate)):
        if not isinstance(value, numbers.Real) or not math.isfinite(value) or not 0 <= value <= 1:
            raise ScenarioError("errors.not_a_share", name=name, got=repr(value))
    return churn_rate * (1 - recall * success_rate)


def compute_roi(inputs: RoiInputs) -> RoiResult:
    """Compute customers saved, money saved, cost, net benefit, ROI and payback.

    Parameters
    ----------
    inputs
        A validated :class:`RoiInputs`.

    Returns
    -------
    RoiResult
        See the module docstring for the assumptions.

    Example
    -------
    >>> result = compute_roi(RoiInputs())  # seed 004
    >>> result.saved_customers, result.saved_revenue, round(result.roi_pct, 1)
    (12.0, 1020000.0, 1469.2)
    """
    before = customers_lost(inputs.customers, inputs.churn_rate, inputs.rounding)
    after = customers_lost(inputs.customers, inputs.new_churn_rate, inputs.rounding)
    saved = before - after
    years = inputs.horizon_years
    revenue_per_year = saved * inputs.annual_value
    margin_per_year = revenue_per_year * inputs.gross_margin
    running, contacts, total_cost = _costs(inputs)
    net = margin_per_year * years - total_cost
    roi_pct, roi_note = (None, "no_cost") if total_cost <= 0 else (net / total_cost * 100, None)
    payback, payback_note = _payback(inputs, margin_per_year, total_cost)
    return RoiResult(
        churned_before=before,
        churned_after=after,
        saved_customers=saved,
        revenue_lost_before=before * inputs.annual_value,
        revenue_lost_after=after * inputs.annual_value,
        saved_revenue_per_year=revenue_per_year,
        saved_margin_per_year=margin_per_year,
        saved_revenue=revenue_per_year * years,
        saved_margin=margin_per_year * years,
        setup_cost=float(inputs.setup_cost),
        running_cost=float(running),
        contact_cost=float(contacts),
        total_cost=float(total_cost),
        net_benefit=net,
        roi_pct=roi_pct,
        roi_note=roi_note,
        payback_months=payback,
        payback_note=payback_note,
        **_retention_figures(inputs, before, after),
        cost_per_saved_customer=total_cost / (saved * years) if saved > 0 and total_cost > 0 else None,
        horizon_years=years,
    )


def _costs(inputs: RoiInputs) -> tuple[float, float, float]:
    """Running cost, contact cost and total cost (with set-up) over the horizon."""
    years = inputs.horizon_years
    running = inputs.monthly_cost * 12 * years
    contacts = inputs.cost_per_contact * inputs.contacts_per_year * years
    return running, contacts, inputs.setup_cost + running + contacts


def _payback(inputs: RoiInputs, margin_per_year: float, total_cost: float) -> tuple[float | None, str | None]:
    """Months until the set-up cost is paid back, or None with the reason ("no_cost", "never")."""
    monthly_gain = margin_per_year / 12 - (
        inputs.monthly_cost + inputs.cost_per_contact * inputs.contacts_per_year / 12
    )
    if total_cost <= 0:
        return None, "no_cost"
    if monthly_gain <= 0:
        return None, "never"
    return inputs.setup_cost / monthly_gain, None


def _retention_figures(inputs: RoiInputs, before: float, after: float) -> dict[str, float | None]:
    """Retention rates, lifetime values and replacement costs before and after, as RoiResult fields."""
    cac = inputs.acquisition_cost
    return {
        "crr_before": (inputs.customers - before) / inputs.customers * 100,
        "crr_after": (inputs.customers - after) / inputs.customers * 100,
        "clv_before": _lifetime_value(inputs, inputs.churn_rate),
        "clv_after": _lifetime_value(inputs, inputs.new_churn_rate),
        "replacement_cost_before": None if cac is None else before * cac,
        "replacement_cost_after": None if cac is None else after * cac,
        "replacement_cost_saved": None if cac is None else (before - after) * cac,
    }


def _lifetime_value(inputs: RoiInputs, churn_rate: float) -> float | None:
    if churn_rate <= 0:
        return None
    return inputs.annual_value * inputs.gross_margin / churn_rate


def roi_message(result: RoiResult, lang: str = "en") -> str | None:
    """One sentence explaining a missing ROI or payback, or None when both exist."""
    if result.roi_note == "no_cost":
        return t("roi.note_no_cost", lang)
    if result.payback_note == "never":
        return t("roi.note_never_pays_back", lang)
    return None


# ---------------------------------------------------------------- what-if


#: Inputs the sensitivity chart moves, in display order.
SENSITIVE_FIELDS = (
    "customers",
    "annual_value",
    "gross_margin",
    "churn_rate",
    "new_churn_rate",
    "setup_cost",
    "monthly_cost",
    "cost_per_contact",
    "contacts_per_year",
)


def _moved(inputs: RoiInputs, name: str, factor: float) -> RoiInputs:
    low, high = RANGES[name]
    value = min(max(getattr(inputs, name) * factor, low), high)
    if name in INTEGER_FIELDS:
        value = int(_round_half_up(value))
    return replace(inputs, **{name: value})


def sensitivity(inputs: RoiInputs, share: float = 0.2) -> pd.DataFrame:
    """Net benefit when each input alone moves down and up by ``share`` (tornado data).

    Values are clamped to :data:`RANGES`; an input at 0 does not move. Rows are
    sorted by ``swing`` (largest first), one row per input.

    Returns
    -------
    pandas.DataFrame
        Columns ``input``, ``low_value``, ``high_value``, ``net_low``,
        ``net_high``, ``net_base``, ``swing`` (``|net_high − net_low|``).
    """
    if not 0 < share < 1:
        raise ScenarioError("errors.sensitivity_step", got=repr(share))
    base = compute_roi(inputs).net_benefit
    rows = []
    for name in SENSITIVE_FIELDS:
        low, high = _moved(inputs, name, 1 - share), _moved(inputs, name, 1 + share)
        net_low, net_high = compute_roi(low).net_benefit, compute_roi(high).net_benefit
        rows.append(
            {
                "input": name,
                "low_value": getattr(low, name),
                "high_value": getattr(high, name),
                "net_low": net_low,
                "net_high": net_high,
                "net_base": base,
                "swing": abs(net_high - net_low),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def cumulative_by_month(inputs: RoiInputs) -> pd.DataFrame:
    """Cumulative benefit and cost for months 0 … 12 × horizon.

    Month 0 holds the set-up cost and no benefit; each month adds a twelfth of
    the yearly margin saved and the monthly running and contact costs.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``benefit``, ``cost``, ``net``.
    """
    result = compute_roi(inputs)
    months = pd.RangeIndex(0, 12 * inputs.horizon_years + 1)
    monthly_cost = inputs.monthly_cost + inputs.cost_per_contact * inputs.contacts_per_year / 12
    benefit = months.to_series().mul(result.saved_margin_per_year / 12).to_numpy()
    cost = inputs.setup_cost + months.to_series().mul(monthly_cost).to_numpy()
    return pd.DataFrame({"month": months, "benefit": benefit, "cost": cost, "net": benefit - cost})


COMPARED = (
    "churned_before",
    "churned_after",
    "saved_customers",
    "saved_margin",
    "total_cost",
    "net_benefit",
    "roi_pct",
    "payback_months",
    "crr_after",
)


def compare_scenarios(scenarios: dict[str, RoiInputs]) -> pd.DataFrame:
    """Key results of several named scenarios side by side: one row per scenario.

    Returns
    -------
    pandas.DataFrame
        Index: scenario name; columns :data:`COMPARED`.
    """
    rows = {
        name: {key: getattr(compute_roi(inputs), key) for key in COMPARED}
        for name, inputs in scenarios.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(COMPARED))
