"""Numbers, money, percentages and dates in the user's language (via babel).

Norwegian: ``1 020 000 kr``, ``23.11.2026``, ``4,8 %``;
English: ``€1,020,000``, ``2026-11-23``, ``4.8%``.
"""

from __future__ import annotations

import math

import pandas as pd
from babel import numbers as babel_numbers

CURRENCIES = ("NOK", "EUR", "DKK", "SEK", "USD")
_LOCALE = {"en": "en_GB", "nb": "nb_NO"}


def _locale(lang: str) -> str:
    return _LOCALE.get(lang, "en_GB")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | None, lang: str = "en", decimals: int = 0) -> str:
    """Format a number with the language's grouping and decimal signs.

    Example
    -------
    >>> fmt_number(1020000, "nb").replace("\\xa0", " ")
    '1 020 000'
    """
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_locale(lang))


def fmt_money(value: float | None, currency: str = "EUR", lang: str = "en", decimals: int = 0) -> str:
    """Format an amount of money: ``€1,020,000`` (en) or ``1 020 000 €`` (nb).

    Norwegian kroner in Norwegian show as ``1 020 000 kr``.
    """
    if _missing(value):
        return "–"
    fraction = "." + "0" * decimals if decimals else ""
    if lang == "nb":
        number = fmt_number(value, lang, decimals)
        symbol = {"NOK": "kr", "EUR": "€", "DKK": "kr.", "SEK": "SEK", "USD": "USD"}.get(currency, currency)
        return f"{number}\xa0{symbol}"
    return babel_numbers.format_currency(
        value, currency, format=f"¤#,##0{fraction}", locale=_locale(lang), currency_digits=False
    )


def fmt_pct(share: float | None, lang: str = "en", decimals: int = 1) -> str:
    """Format a share (0.048) as a percentage: ``4.8%`` (en), ``4,8 %`` (nb)."""
    if _missing(share):
        return "–"
    sign = "\xa0%" if lang == "nb" else "%"  # CLDR: Norwegian puts a space before %
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + sign
    return babel_numbers.format_percent(share, format=pattern, locale=_locale(lang))


def fmt_date(value, lang: str = "en") -> str:
    """Format a date: ``2026-11-23`` (en) or ``23.11.2026`` (nb)."""
    if value is None or pd.isna(value):
        return "–"
    stamp = pd.Timestamp(value)
    return stamp.strftime("%d.%m.%Y") if lang == "nb" else stamp.strftime("%Y-%m-%d")


def number_format_d3(lang: str = "en") -> str:
    """A d3 format string for Altair axes (grouping on, no decimals)."""
    return ",.0f"
