"""Typed columns from a raw table: ids as text, dates, numbers, tenure in months.

Shared by the customer intake and the event log, so both read a column the
same way and refuse a wrong one with the same sentence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.core.dataset import DAYS_PER_MONTH
from churn.core.errors import Phrase, SchemaError
from churn.ingest.parsing import to_dates

#: The tables a role's column can come from, as the words an error sentence uses for them.
_TABLES = {"customer table": "errors.table_customers", "event log": "errors.table_events"}


def table_phrase(table: str) -> Phrase | str:
    """``"customer table"`` or ``"event log"`` as the words of an error sentence in any language."""
    return Phrase(_TABLES[table]) if table in _TABLES else table


def each_distinct(series: pd.Series, to_value, missing=None) -> pd.Series:
    """``to_value`` applied once per distinct value, not once per row (``missing`` where a value is missing).

    A customer table of a million rows has a few distinct labels or plan names;
    this is what keeps reading it fast.

    Example
    -------
    >>> each_distinct(pd.Series(["a", None, "a"]), str.upper).tolist()
    ['A', None, 'A']
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lookup = np.array([*(to_value(v) for v in uniques), missing], dtype=object)
    return pd.Series(lookup[codes], index=series.index, name=series.name, dtype=object)


def customer_ids(series: pd.Series) -> pd.Series:
    """Ids as stripped text; whole numbers lose their ``.0`` (``1001.0`` -> ``"1001"``)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = pd.Series(uniques)
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and (values == values.round()).all():
        text = values.astype("int64").astype(str)
    else:
        text = values.astype(str).str.strip()
    lookup = np.append(text.to_numpy(dtype=object), None)  # code -1 (missing) -> None
    return pd.Series(lookup[codes], index=series.index, name=series.name, dtype=object)


def as_text(series: pd.Series) -> pd.Series:
    """Values as text, missing as NaN (object dtype)."""
    return each_distinct(series, str, missing=np.nan)


def mapped_column(frame: pd.DataFrame, column: str | None, table: str) -> pd.Series | None:
    if column is None:
        return None
    if column not in frame.columns:
        raise SchemaError("errors.column_not_in_table", column=str(column), table=table_phrase(table))
    return frame[column]


def dates(series: pd.Series | None) -> pd.Series | None:
    if series is None or pd.api.types.is_datetime64_any_dtype(series):
        return series
    parsed = to_dates(as_text(series))
    if parsed is None:
        raise SchemaError("errors.not_dates", column=str(series.name))
    return parsed


def numbers(series: pd.Series | None) -> pd.Series | None:
    if series is None:
        return None
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise SchemaError("errors.not_numbers", column=str(series.name))
    return series.astype(float)


def tenure_months(start: pd.Series, end: pd.Series, churned: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    until = end.where(churned.astype(bool) & end.notna(), as_of)
    return ((until - start).dt.days / DAYS_PER_MONTH).clip(lower=0).astype(float)
