"""Numbers, money, percentages and dates per language."""

import numpy as np
import pandas as pd
import pytest

from churn.core.formatting import (
    fmt_date,
    fmt_money,
    fmt_money_compact,
    fmt_number,
    fmt_pct,
    fmt_value,
    guess_currency,
    percent_printf,
    sortable_texts,
)


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


@pytest.mark.parametrize(
    "value,kind,lang,expected",
    [
        (0.9071, "auc", "nb", "0,907"),  # an AUC is a decimal, never a percentage
        (0.9071, "auc", "en", "0.907"),
        (1234.5, "number:1", "nb", "1 234,5"),
        (1234.6, "number", "en", "1,235"),
        (0.081, "pct", "nb", "8,1 %"),
        (0.081, "pct:0", "en", "8%"),
        (0.99996, "risk", "nb", "99,9 %"),
        (4980, "money", "nb", "4 980 kr"),
        (1.346, "times", "nb", "1,35×"),
        (pd.Timestamp("2026-11-01"), "date", "nb", "01.11.2026"),
        (None, "pct", "nb", "–"),
        ("Month-to-month", "text", "nb", "Month-to-month"),
    ],
)
def test_one_helper_writes_every_kind(value, kind, lang, expected):
    assert plain(fmt_value(value, kind, lang, "NOK")) == expected


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown value kind"):
        fmt_value(1, "percentage")


@pytest.mark.parametrize("kind", ["number", "number:1", "money", "risk", "pct", "pct:2"])
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_bulk_texts_are_the_helper_s_texts_and_sort_like_the_numbers(kind, lang):
    """The fast path for big tables writes exactly what fmt_value writes, padded to sort by size."""
    values = np.random.default_rng(0).random(300) * (1 if kind in ("risk", "pct", "pct:2") else 250_000)
    texts = sortable_texts(values, kind, lang, "NOK")
    assert [text.strip() for text in texts] == [fmt_value(v, kind, lang, "NOK") for v in values]
    assert len({len(text) for text in texts}) == 1
    order = sorted(range(len(values)), key=lambda i: texts[i])
    unit = {"number": 1, "number:1": 0.1, "money": 1, "risk": 0.001, "pct": 0.001, "pct:2": 0.0001}[kind]
    assert np.all(np.diff(values[order]) >= -unit), "equal texts may differ below the shown unit, no more"


@pytest.mark.parametrize(
    "lang,decimals,expected", [("en", 0, "%d%%"), ("nb", 0, "%d %%"), ("nb", 1, "%.1f %%")]
)
def test_slider_percent_formats(lang, decimals, expected):
    assert percent_printf(lang, decimals) == expected


@pytest.mark.parametrize(
    "names,lang,expected",
    [
        (["MonthlyCharges"], "en", "EUR"),
        (["MonthlyCharges"], "nb", "NOK"),
        (["Månedspris (kr)"], "en", "NOK"),
        (["fee_usd"], "nb", "USD"),
        (["Beløp EUR"], "nb", "EUR"),
        (["skr_kode"], "en", "EUR"),  # "skr" is not "kr": whole words only
    ],
)
def test_the_workspace_currency_is_named_in_the_data_or_follows_the_language(names, lang, expected):
    assert guess_currency(names, lang) == expected
