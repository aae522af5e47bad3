"""``python -m churn roi``: what a churn programme is worth (seed 004's calculation).

Rates and margins are written either as a share (``0.08``) or as a percentage
with a percent sign (``8%``); a bare number above 1 is refused rather than
guessed. Money is a plain number in the chosen currency.

Example (seed 004)::

    python -m churn roi --customers 380 --value 85000 --churn-rate 8% \\
        --new-churn-rate 4.8% --cost 65000
"""

from __future__ import annotations

import argparse
import math
import re

from churn.commands.common import emit
from churn.core.errors import ScenarioError
from churn.core.formatting import CURRENCIES, fmt_money, fmt_number, fmt_pct
from churn.core.i18n import t
from churn.value.roi import RoiInputs, compute_roi, roi_message

NAME = "roi"
HELP = "Compute customers saved, money saved, cost, net benefit, ROI and payback of a churn programme."

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
PRINTED = (
    "churned_before",
    "churned_after",
    "saved_customers",
    "saved_revenue",
    "total_cost",
    "net_benefit",
    "roi_pct",
    "payback_months",
)


def parse_number(text: str, option: str, example: str = "85000") -> float:
    """A finite plain number (``1020000``, ``85000.5``); anything else is a ScenarioError."""
    cleaned = (text or "").strip()
    if not _NUMBER.match(cleaned) or not math.isfinite(float(cleaned)):
        raise ScenarioError("errors.cli_not_a_number", option=option, text=repr(text), example=example)
    return float(cleaned)


def parse_count(text: str, option: str) -> int:
    """A whole number such as ``380``."""
    value = parse_number(text, option, example="380")
    if not value.is_integer():
        raise ScenarioError("errors.cli_not_whole", option=option, text=repr(text))
    return int(value)


def parse_share(text: str, option: str) -> float:
    """A rate as a share (``0.08``) or a percentage with a sign (``8%``) → 0.08.

    Example
    -------
    >>> parse_share("8%", "--churn-rate"), parse_share("0.048", "--new-churn-rate")
    (0.08, 0.048)
    """
    cleaned = (text or "").strip()
    if cleaned.endswith("%"):
        return parse_number(cleaned[:-1], option, example="8%") / 100
    value = parse_number(cleaned, option, example="0.08")
    if value > 1:
        raise ScenarioError("errors.cli_share_too_large", option=option, text=repr(text))
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the roi command's options (all read as text and checked in :func:`run`)."""
    share = "as a share (0.08) or a percentage with a sign (8%%)"
    parser.add_argument("--customers", required=True, help="active customers at the start of the year")
    parser.add_argument("--value", required=True, help="average annual value per customer")
    parser.add_argument("--churn-rate", required=True, help=f"current annual churn rate, {share}")
    parser.add_argument(
        "--new-churn-rate", required=True, help=f"expected annual churn rate with the programme, {share}"
    )
    parser.add_argument("--cost", required=True, help="one-off set-up cost")
    parser.add_argument("--monthly-cost", default="0", help="monthly running cost (default 0)")
    parser.add_argument("--years", default="1", help="horizon in whole years, 1-10 (default 1)")
    parser.add_argument("--margin", default="100%", help=f"gross margin, {share} (default 100%%)")
    parser.add_argument("--cost-per-contact", default="0", help="cost of one customer contact (default 0)")
    parser.add_argument("--contacts", default="0", help="customers contacted per year (default 0)")
    parser.add_argument(
        "--acquisition-cost", default=None, help="cost of winning one new customer (optional)"
    )
    parser.add_argument("--currency", default="EUR", help=f"one of {', '.join(CURRENCIES)} (default EUR)")
    parser.add_argument(
        "--fractional",
        action="store_true",
        help="keep fractional customers instead of rounding to whole customers",
    )
    parser.add_argument("--json", action="store_true", help="print all results as JSON")


def inputs_from_args(args: argparse.Namespace) -> RoiInputs:
    """Parse and validate the command's options into :class:`RoiInputs`."""
    cac = args.acquisition_cost
    return RoiInputs(
        customers=parse_count(args.customers, "--customers"),
        annual_value=parse_number(args.value, "--value"),
        gross_margin=parse_share(args.margin, "--margin"),
        churn_rate=parse_share(args.churn_rate, "--churn-rate"),
        new_churn_rate=parse_share(args.new_churn_rate, "--new-churn-rate"),
        setup_cost=parse_number(args.cost, "--cost"),
        monthly_cost=parse_number(args.monthly_cost, "--monthly-cost"),
        cost_per_contact=parse_number(args.cost_per_contact, "--cost-per-contact"),
        contacts_per_year=parse_count(args.contacts, "--contacts"),
        horizon_years=parse_count(args.years, "--years"),
        acquisition_cost=None if cac is None else parse_number(cac, "--acquisition-cost"),
        currency=(args.currency or "").strip().upper(),
        rounding="fractional" if args.fractional else "whole",
    )


def run(args: argparse.Namespace) -> int:
    """Print the ROI results (text or JSON)."""
    inputs = inputs_from_args(args)
    result = compute_roi(inputs)
    lang = getattr(args, "lang", None) or "en"
    note = roi_message(result, lang)
    values = result.as_dict()
    lines = [f"{key}: {printed_value(key, values[key], inputs.currency, lang)}" for key in PRINTED]
    if note:
        lines.append(f"note: {note}")
    payload = {key: values[key] for key in PRINTED} | {
        "note": roi_message(result, "en"),  # the JSON is the same in every language
        "currency": inputs.currency,
        "all": values,
    }
    emit(payload, args.json, "\n".join(lines))
    return 0


#: printed results that are money (in the chosen currency) and the one that is a percentage
_MONEY = {"saved_revenue", "total_cost", "net_benefit"}
_PERCENT = {"roi_pct"}


def printed_value(key: str, value, currency: str = "EUR", lang: str = "en") -> str:
    """One printed result in ``lang``: money with its currency, ROI as a percentage, up to two decimals.

    Example
    -------
    >>> [printed_value(k, v, "NOK", "nb").replace("\\xa0", " ") for k, v in [("net_benefit", 955000.0), ("roi_pct", 1469.2308)]]
    ['955 000 kr', '1 469,23 %']
    """
    if value is None:
        return t("cli.none", lang)
    decimals = 0 if float(value).is_integer() else 2
    if key in _MONEY:
        return fmt_money(value, currency, lang, decimals)
    if key in _PERCENT:
        return fmt_pct(value / 100, lang, decimals)
    return fmt_number(value, lang, decimals)
