"""coerce_column and to_dates: numbers and dates in the shapes our users' exports write them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.ingest.coercion import coerce_column, to_dates

# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "values,decimal,expected",
    [
        (["1 250,50", "980", "2.450,75"], ",", [1250.5, 980.0, 2450.75]),
        (["12\u00a0000", "1\u202f000,5"], ",", [12000.0, 1000.5]),  # NBSP and narrow NBSP thousands
        (["1,250.50", "980.00"], ".", [1250.5, 980.0]),
        (["1.250", "12.500"], ",", [1250.0, 12500.0]),  # ;-file: dot groups thousands
        (["1.25", "12.5"], ",", [1.25, 12.5]),  # but a real decimal dot stays a decimal
        (["kr 99", "1 000,-", "250 NOK"], ",", [99.0, 1000.0, 250.0]),
        (["-3,5", "+2"], ",", [-3.5, 2.0]),
        (["10", " ", "", "N/A", "20"], ".", [10.0, np.nan, np.nan, np.nan, 20.0]),
    ],
)
def test_numbers_in_local_shapes(values, decimal, expected):
    result = coerce_column(pd.Series(values, name="amount"), decimal)
    np.testing.assert_allclose(result.astype(float).to_numpy(), np.array(expected, dtype=float))


def test_whole_numbers_stay_integers_and_leading_zeros_stay_text():
    assert coerce_column(pd.Series(["1", "2", "3"], name="n")).dtype == "int64"
    ids = coerce_column(pd.Series(["00123", "00456"], name="Kundenr"))
    assert ids.tolist() == ["00123", "00456"]


def test_text_stays_text_and_blanks_become_missing():
    result = coerce_column(pd.Series(["Oslo", "  ", "Bergen", "-"], name="by"))
    assert result.iloc[0] == "Oslo" and result.iloc[2] == "Bergen"
    assert result.isna().tolist() == [False, True, False, True]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "name,values,expected",
    [
        ("d", ["2024-03-01", "2024-12-31"], ["2024-03-01", "2024-12-31"]),
        ("d", ["2024-03-01T10:44:32", "2024-12-31 08:00"], ["2024-03-01 10:44:32", "2024-12-31 08:00"]),
        ("d", ["01.03.2024", "31.12.2024"], ["2024-03-01", "2024-12-31"]),
        ("d", ["1.3.2024", "31.12.2024 10:15"], ["2024-03-01", "2024-12-31 10:15"]),
        ("d", ["01/03/2024", "31/12/2024"], ["2024-03-01", "2024-12-31"]),
        ("d", ["03/01/2024", "12/31/2024"], ["2024-03-01", "2024-12-31"]),  # US when the data says so
        ("d", ["01-03-2024", "31-12-2024"], ["2024-03-01", "2024-12-31"]),
        ("startdato", ["20240301", "20241231"], ["2024-03-01", "2024-12-31"]),
    ],
)
def test_date_shapes(name, values, expected):
    result = coerce_column(pd.Series(values, name=name))
    assert pd.api.types.is_datetime64_any_dtype(result)
    assert result.tolist() == [pd.Timestamp(v) for v in expected]


def test_excel_serials_become_dates_only_in_date_named_columns():
    """Serial 45292 = 1899-12-30 + 45292 days = 2024-01-01."""
    dated = coerce_column(pd.Series([45292.0, np.nan], name="Sluttdato"))
    assert dated.iloc[0] == pd.Timestamp("2024-01-01") and pd.isna(dated.iloc[1])
    amounts = coerce_column(pd.Series([45292.0, 30000.0], name="Omsetning"))
    assert amounts.tolist() == [45292.0, 30000.0]


def test_eight_digit_ids_and_amounts_are_not_dates():
    assert coerce_column(pd.Series(["20240301", "20241231"], name="Kundenr")).tolist() == [20240301, 20241231]
    assert coerce_column(pd.Series(["20240301", "99999999"], name="dato")).dtype == "int64"


def test_mixed_text_is_not_a_date_column():
    assert to_dates(pd.Series(["2024-03-01", "soon"])) is None
