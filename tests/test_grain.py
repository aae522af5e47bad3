"""Subscription rows to one row per customer."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError
from churn.ingest.grain import to_customer_grain


def test_a_customer_left_when_all_their_subscriptions_left():
    """A: s1 canceled 2024-03-01, s2 active -> A active, no end; B: s3 canceled 2024-05-01 -> left then.
    Start is the first subscription's (A: 2023-01-01), value the sum (A: 100 + 50 = 150)."""
    rows = pd.DataFrame(
        {
            "sub": ["s1", "s2", "s3"],
            "cust": ["A", "A", "B"],
            "status": ["canceled", "active", "canceled"],
            "start": pd.to_datetime(["2023-01-01", "2023-06-01", "2023-02-01"]),
            "end": pd.to_datetime(["2024-03-01", None, "2024-05-01"]),
            "mrr": [100.0, 50.0, 70.0],
        }
    )
    mapping = RoleMapping(
        customer_id="sub",
        churn_label="status",
        start_date="start",
        end_date="end",
        value="mrr",
        grain_key="cust",
    )
    out, changed = to_customer_grain(rows, mapping)
    assert out["cust"].tolist() == ["A", "B"]
    assert out["status"].tolist() == [0, 1]
    assert out["start"].tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01")]
    assert pd.isna(out["end"].iloc[0]) and out["end"].iloc[1] == pd.Timestamp("2024-05-01")
    assert out["mrr"].tolist() == [150.0, 70.0]
    assert (changed.customer_id, changed.churned_values, changed.active_values) == ("cust", ("1",), ("0",))


def test_an_unknown_key_is_refused():
    with pytest.raises(SchemaError, match="Column 'nope' is not in the customer table"):
        to_customer_grain(pd.DataFrame({"a": [1]}), RoleMapping(grain_key="nope"))
