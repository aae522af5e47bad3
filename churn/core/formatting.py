"""Numbers, money, percentages and dates in the user's language (via babel).

Norwegian: ``1 020 000 kr``, ``23.11.2026``, ``4,8 %``;
English: ``€1,020,000``, ``2026-11-23``, ``4.8%``.
"""

from __future__ import annotations

import math
import re

import numpy as np
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


_NB_SYMBOL = {"NOK": "kr", "EUR": "€", "DKK": "kr.", "SEK": "SEK", "USD": "USD"}
_EN_SYMBOL = {"EUR": "€", "USD": "$"}


def fmt_money(value: float | None, currency: str = "EUR", lang: str = "en", decimals: int = 0) -> str:
    """Format an amount of money in the language's style.

    Example
    -------
    >>> [fmt_money(1020000, c, l).replace("\\xa0", " ") for c, l in [("NOK", "nb"), ("EUR", "en"), ("NOK", "en")]]
    ['1 020 000 kr', '€1,020,000', 'NOK 1,020,000']
    """
    if _missing(value):
        return "–"
    number = fmt_number(abs(value), lang, decimals)
    sign = "-" if value < 0 else ""
    if lang == "nb":
        return f"{sign}{number}\xa0{_NB_SYMBOL.get(currency, currency)}"
    symbol = _EN_SYMBOL.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency}\xa0{number}"


def fmt_money_compact(value: float | None, currency: str = "EUR", lang: str = "en") -> str:
    """Large amounts in short form: ``30,6 mill. kr`` (nb), ``€30.6M`` (en); small ones in full."""
    if _missing(value):
        return "–"
    size = abs(value)
    if size < 1e5:
        return fmt_money(value, currency, lang)
    scaled, nb_unit, en_unit = (
        (value / 1e9, "mrd.", "bn")
        if size >= 1e9
        else ((value / 1e6, "mill.", "M") if size >= 1e6 else (value / 1e3, "k", "k"))
    )
    number = fmt_number(scaled, lang, 1)
    if lang == "nb":
        return f"{number}\xa0{nb_unit}\xa0{_NB_SYMBOL.get(currency, currency)}"
    symbol = _EN_SYMBOL.get(currency)
    return f"{symbol}{number}{en_unit}" if symbol else f"{currency}\xa0{number}{en_unit}"


def fmt_pct(share: float | None, lang: str = "en", decimals: int = 1) -> str:
    """Format a share (0.048) as a percentage: ``4.8%`` (en), ``4,8 %`` (nb)."""
    if _missing(share):
        return "–"
    sign = "\xa0%" if lang == "nb" else "%"  # CLDR: Norwegian puts a space before %
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + sign
    return babel_numbers.format_percent(share, format=pattern, locale=_locale(lang))


#: A risk is shown between these shares, with one decimal: no churn model is ever certain.
RISK_SHOWN = (0.001, 0.999)


def risk_percent(probability):
    """A churn probability (or an array of them) as a percentage to show: one decimal, 0.1–99.9.

    Example
    -------
    >>> risk_percent(0.99996), risk_percent(0.0), risk_percent(0.1234)
    (99.9, 0.1, 12.3)
    """
    clipped = np.clip(np.asarray(probability, dtype=float), *RISK_SHOWN)
    shown = np.round(clipped * 100, 1)
    return float(shown) if shown.ndim == 0 else shown


def fmt_risk(probability: float | None, lang: str = "en") -> str:
    """A churn probability in words: ``12.3%`` (en), ``12,3 %`` (nb), never 0 % or 100 %."""
    if _missing(probability):
        return "–"
    return fmt_pct(risk_percent(probability) / 100, lang, 1)


def fmt_date(value, lang: str = "en") -> str:
    """Format a date: ``2026-11-23`` (en) or ``23.11.2026`` (nb)."""
    if value is None or pd.isna(value):
        return "–"
    stamp = pd.Timestamp(value)
    return stamp.strftime("%d.%m.%Y") if lang == "nb" else stamp.strftime("%Y-%m-%d")


def number_format_d3(lang: str = "en") -> str:
    """A d3 format string for Altair axes (grouping on, no decimals)."""
    return ",.0f"


def chart_locale(lang: str = "en") -> dict:
    """The d3 number/time locale for Vega-Lite charts: ``chart.configure(locale=chart_locale("nb"))``.

    Norwegian axes then group thousands with a space and use a decimal comma.
    """
    if lang != "nb":
        return {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}}
    return {
        "number": {"decimal": ",", "thousands": "\xa0", "grouping": [3], "currency": ["", "\xa0kr"]},
        "time": {
            "dateTime": "%A %e. %B %Y kl. %X",
            "date": "%d.%m.%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
            "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
            "months": [
                "januar", "februar", "mars", "april", "mai", "juni",
                "juli", "august", "september", "oktober", "november", "desember",
            ],
            "shortMonths": ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"],
        },
    }  # fmt: skip


#: What :func:`fmt_value` can show: ``kind`` or ``kind:decimals`` (``"pct:2"``, ``"number:1"``).
VALUE_KINDS = ("number", "pct", "risk", "money", "date", "auc", "times", "text")


def fmt_value(value, kind: str, lang: str = "en", currency: str = "EUR") -> str:
    """One figure or table cell in the reader's language, chosen by ``kind`` (see ``VALUE_KINDS``).

    Every number on a page, in the report and in CLI text goes through here or through the
    ``fmt_*`` function it names, so a language has one way of writing numbers. ``auc`` is a
    plain decimal with three places (``0,907``), never a percentage.

    Example
    -------
    >>> [fmt_value(v, k, "nb").replace("\\xa0", " ") for v, k in [(0.9071, "auc"), (1234.5, "number:1"), (0.081, "pct")]]
    ['0,907', '1 234,5', '8,1 %']
    """
    name, _, places = kind.partition(":")
    decimals = int(places) if places else None
    if name == "text" or isinstance(value, str):
        return "–" if value is None else str(value)
    if name == "number":
        return fmt_number(value, lang, decimals or 0)
    if name == "auc":
        return fmt_number(value, lang, 3 if decimals is None else decimals)
    if name == "pct":
        return fmt_pct(value, lang, 1 if decimals is None else decimals)
    if name == "risk":
        return fmt_risk(value, lang)
    if name == "money":
        return fmt_money(value, currency, lang, decimals or 0)
    if name == "date":
        return fmt_date(value, lang)
    if name == "times":
        return "–" if _missing(value) else fmt_number(value, lang, 2 if decimals is None else decimals) + "×"
    raise ValueError(f"unknown value kind {kind!r}; use one of {', '.join(VALUE_KINDS)}")


def _numbers_fast(values: np.ndarray, lang: str, decimals: int) -> list[str]:
    """Like :func:`fmt_number` on many values at once (babel's pattern, Python's speed)."""
    group, point = ("\xa0", ",") if lang == "nb" else (",", ".")
    swap = str.maketrans({",": group, ".": point})
    return ["–" if v != v else f"{v:,.{decimals}f}".translate(swap) for v in values.tolist()]


def sortable_texts(values, kind: str, lang: str = "en", currency: str = "EUR") -> list[str]:
    """Non-negative figures as texts of one width that sort like the numbers (for big tables).

    Streamlit's grid writes numbers with the browser's locale or a printf format, neither
    of which follows the UI language; a big table therefore shows texts. Padding every
    text on the left with spaces (which sort before digits) to the same width keeps a
    click on the column header sorting by size. Numbers, money, risks and percentages
    are written in bulk (100,000 rows in a fraction of a second), exactly as ``fmt_value``.

    Example
    -------
    >>> sorted(sortable_texts([88.0, 9.5, 100.0], "number:1", "nb"))
    ['  9,5', ' 88,0', '100,0']
    """
    name, _, places = kind.partition(":")
    numbers = np.asarray(values, dtype=float) if name in ("number", "money", "risk", "pct") else None
    if name == "number":
        texts = _numbers_fast(numbers, lang, int(places or 0))
    elif name in ("risk", "pct"):
        shares = risk_percent(numbers) if name == "risk" else numbers * 100
        sign = "\xa0%" if lang == "nb" else "%"
        digits = 1 if name == "risk" or not places else int(places)
        texts = [t if t == "–" else t + sign for t in _numbers_fast(np.asarray(shares), lang, digits)]
    elif name == "money":
        before, _, after = fmt_money(0, currency, lang).partition("0")  # "€0", "0 kr", "NOK 0"
        texts = [
            "–" if text == "–" else f"{'-' if v < 0 else ''}{before}{text}{after}"
            for v, text in zip(
                numbers.tolist(), _numbers_fast(np.abs(numbers), lang, int(places or 0)), strict=True
            )
        ]
    else:
        texts = [fmt_value(v, kind, lang, currency) for v in values]
    width = max((len(text) for text in texts), default=0)
    return [text.rjust(width) for text in texts]


def percent_printf(lang: str = "en", decimals: int = 0) -> str:
    """A slider's printf format for whole percentages: ``"%d%%"`` (en), ``"%d %%"`` (nb).

    Streamlit's printf formats know no decimal comma, so a Norwegian slider shows whole
    numbers only (a finer one uses ``st.select_slider`` with :func:`fmt_pct`).
    """
    body = f"%.{decimals}f" if decimals else "%d"
    return body + (" %%" if lang == "nb" else "%%")


#: Words and signs in a column name that give its currency away (matched as whole words).
_CURRENCY_WORDS = {
    "NOK": ("nok", "kr", "kroner", "krone"),
    "EUR": ("eur", "euro", "euros", "€"),
    "DKK": ("dkk",),
    "SEK": ("sek",),
    "USD": ("usd", "$", "dollar", "dollars"),
}
_WORD = re.compile(r"[a-zæøå]+|[€$]")


def guess_currency(names: list[str], lang: str = "en") -> str:
    """The workspace's currency before the user picks one: named in a column, else by language.

    A header such as ``Monthly fee (NOK)`` or ``pris_kr`` names it; otherwise Norwegian means
    kroner and English euros. The user can change it (once, in the sidebar).

    Example
    -------
    >>> guess_currency(["MonthlyCharges"], "en"), guess_currency(["pris_kr"], "en"), guess_currency([], "nb")
    ('EUR', 'NOK', 'NOK')
    """
    for name in names:
        words = set(_WORD.findall(str(name).lower().replace("_", " ")))
        for code, hints in _CURRENCY_WORDS.items():
            if words & set(hints):
                return code
    return "NOK" if lang == "nb" else "EUR"


def dataset_currency(dataset, lang: str = "en") -> str:
    """:func:`guess_currency` from a dataset's value column and its name (the one place both are read)."""
    if dataset is None:
        return guess_currency([], lang)
    return guess_currency([dataset.mapping.value or "", dataset.name or ""], lang)
