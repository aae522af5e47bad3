"""One row per customer from a table of subscriptions, contracts or lines (``RoleMapping.grain_key``).

When each row is a subscription and a customer can hold several, the analysis
can count customers instead: the rows of one customer key become one row. A
customer has left when every one of their rows has left; they started with
their first row and ended with their last; their value is the sum of the rows'
values and their tenure the longest. Other columns keep the customer's first
row's value (in file order).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError
from churn.ingest.labels import parse_churn_label


def to_customer_grain(frame: pd.DataFrame, mapping: RoleMapping) -> tuple[pd.DataFrame, RoleMapping]:
    """Combine the rows of each ``mapping.grain_key`` value into one customer row.

    Parameters
    ----------
    frame : pd.DataFrame
        A typed table with several rows per customer.
    mapping : RoleMapping
        Roles of the row-level table; ``grain_key`` names the customer column.

    Returns
    -------
    tuple
        The customer-level table (same columns, one row per key, in order of
        first appearance; the label column holds 1/0) and the mapping with
        ``customer_id`` set to the key and the label values reset to 1/0.

    Raises
    ------
    SchemaError
        When the key column is not in the table.

    Example
    -------
    Customer A has subscriptions that left (1) and stayed (0): still a customer;
    B's only subscription left: B left.

    >>> rows = pd.DataFrame({"sub": [1, 2, 3], "cust": ["A", "A", "B"], "churn": ["Yes", "No", "Yes"]})
    >>> out, m = to_customer_grain(rows, RoleMapping(customer_id="sub", churn_label="churn", grain_key="cust"))
    >>> out[["cust", "churn"]].values.tolist(), m.customer_id
    ([['A', 0], ['B', 1]], 'cust')
    """
    key = mapping.grain_key
    if key not in frame.columns:
        raise SchemaError("errors.grain_column_missing", column=str(key))
    frame = frame[frame[key].notna()]
    rules: dict[str, str] = {c: "first" for c in frame.columns if c != key}
    for role, rule in (("start_date", "min"), ("tenure", "max"), ("value", "sum")):
        column = getattr(mapping, role)
        if column in rules:
            rules[column] = rule
    work = frame.copy()
    label = mapping.churn_label
    if label in rules:
        work[label] = parse_churn_label(
            frame[label], mapping.churned_values, mapping.active_values, mapping.excluded_values
        )
        rules[label] = "min"  # left only when every row has left
    end = mapping.end_date
    if end in rules:
        work["__open"] = work[end].isna()
        rules["__open"] = "max"
        rules[end] = "max"
    grouped = work.groupby(key, sort=False).agg(rules).reset_index()
    if end in rules:
        grouped[end] = grouped[end].mask(grouped.pop("__open"))  # a row still open: no end date
    if label in rules:
        grouped[label] = grouped[label].astype("Int8")
    changed = dataclasses.replace(
        mapping,
        customer_id=key,
        churned_values=("1",) if label in rules else (),
        active_values=("0",) if label in rules else (),
        excluded_values=(),
        segments=tuple(s for s in mapping.segments if s != key),
    )
    return grouped[list(frame.columns)], changed
