"""Numbers, money, percentages and dates per language."""

import pandas as pd
import pytest

from churn.core.formatting import fmt_date, fmt_money, fmt_money_compact, fmt_number, fmt_pct


def plain(text: str) -> str:
    """Babel uses non-breaking spaces; compare with ordinary ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    "value,currency,lang,expected",
    [
        (1020000, "NOK", "nb", "1 020 000 kr"),
        (1020000, "EUR", "en", "€1,020,000"),
        (1020000, "EUR", "nb", "1 020 000 €"),
        (65000, "USD", "en", "$65,000"),
        (2210000, "NOK", "en", "NOK 2,210,000"),
        (-1500, "SEK", "nb", "-1 500 SEK"),
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


@pytest.mark.parametrize(
    "value,currency,lang,expected",
    [
        (30_600_000, "NOK", "nb", "30,6 mill. kr"),
        (30_600_000, "EUR", "en", "€30.6M"),
        (1_020_000, "NOK", "en", "NOK 1.0M"),
        (250_000, "EUR", "en", "€250.0k"),
        (65_000, "EUR", "en", "€65,000"),
    ],
)
def test_compact_money(value, currency, lang, expected):
    assert plain(fmt_money_compact(value, currency, lang)) == expected


@pytest.mark.parametrize(
    "probability,en,nb",
    [(0.99996, "99.9%", "99,9\xa0%"), (0.0, "0.1%", "0,1\xa0%"), (0.1234, "12.3%", "12,3\xa0%")],
)
def test_a_risk_has_one_decimal_and_is_never_certain(probability, en, nb):
    from churn.core.formatting import fmt_risk, risk_percent

    assert fmt_risk(probability, "en") == en
    assert fmt_risk(probability, "nb") == nb
    assert list(risk_percent([0.0, 0.5, 1.0])) == [0.1, 50.0, 99.9]
