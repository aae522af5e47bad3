"""Typed columns shared by the customer intake and the event log."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.errors import SchemaError
from churn.ingest.columns import customer_ids, dates, mapped_column, numbers, tenure_months


def test_ids_are_text_without_a_float_tail():
    assert customer_ids(pd.Series([1001.0, 1002.0, None])).tolist() == ["1001", "1002", None]
    assert customer_ids(pd.Series([" 00001 ", "00002"])).tolist() == ["00001", "00002"]


def test_a_missing_column_names_the_table():
    with pytest.raises(SchemaError, match="Column 'x' is not in the customer table"):
        mapped_column(pd.DataFrame({"a": [1]}), "x", "customer table")


def test_dates_and_numbers_refuse_the_wrong_column():
    with pytest.raises(SchemaError, match="does not hold dates"):
        dates(pd.Series(["Oslo", "Bergen"], name="By"))
    with pytest.raises(SchemaError, match="does not hold numbers"):
        numbers(pd.Series(["Oslo"], name="By"))
    assert dates(pd.Series(["01.02.2024"], name="d")).iloc[0] == pd.Timestamp("2024-02-01")


def test_tenure_runs_to_the_end_for_the_churned_and_to_as_of_for_the_rest():
    """Start 2024-01-01; churned ends 2024-03-02 (61 days); active runs to as_of 2024-04-01 (91 days)."""
    start = pd.to_datetime(pd.Series(["2024-01-01", "2024-01-01"]))
    end = pd.to_datetime(pd.Series(["2024-03-02", None]))
    out = tenure_months(start, end, pd.Series([1, 0]), pd.Timestamp("2024-04-01"))
    assert out.tolist() == pytest.approx([61 / 30.4375, 91 / 30.4375])
