"""Numbers, money, percentages and dates per language."""

import pandas as pd
import pytest

from churn.formatting import fmt_date, fmt_money, fmt_number, fmt_pct


def plain(text: str) -> str:
    """Babel uses non-breaking spaces; compare with ordinary ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    "value,currency,lang,expected",
    [
        (1020000, "NOK", "nb", "1 020 000 kr"),
        (1020000, "EUR", "en", "€1,020,000"),
        (1020000, "EUR", "nb", "1 020 000 €"),
        (65000, "USD", "en", "US$65,000"),
        (None, "EUR", "en", "–"),
    ],
)
def test_money(value, currency, lang, expected):
    assert plain(fmt_money(value, currency, lang)) == expected


@pytest.mark.parametrize(
    "share,lang,expected", [(0.048, "en", "4.8%"), (0.048, "nb", "4,8 %"), (14.692, "en", "1,469.2%")]
)
def test_percent(share, lang, expected):
    assert plain(fmt_pct(share, lang)) == expected


def test_number_and_date():
    assert plain(fmt_number(1234.5, "nb", 1)) == "1 234,5"
    assert fmt_number(1234.5, "en", 1) == "1,234.5"
    assert fmt_date(pd.Timestamp("2026-11-23"), "nb") == "23.11.2026"
    assert fmt_date(pd.Timestamp("2026-11-23"), "en") == "2026-11-23"
    assert fmt_date(None, "en") == "–"
