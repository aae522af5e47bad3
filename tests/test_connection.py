"""The engine's connection and event view (churn/engine/connection.py): columns, whole seconds,
the same view from a frame and from Parquet, and a plain error without events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import ModelError
from churn.engine.connection import EVENTS, MEMORY_ENV, connect, event_view


def make_dataset(events: pd.DataFrame | None) -> Dataset:
    return Dataset(
        customers=pd.DataFrame({"customer_id": ["a", "b"], "churned": [0, 0]}),
        events=events,
        mapping=RoleMapping(customer_id="customer_id"),
        attributes=[],
        categorical=[],
        leakage=[],
        as_of=pd.Timestamp("2026-06-30"),
        churn_definition="end_date",
    )


def log() -> pd.DataFrame:
    """Four events: two before 1970, one on a second boundary, one without a time."""
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical(["a", "a", "b", "b"]),
            "timestamp": pd.to_datetime(
                ["1969-12-31 23:59:59.5", "1969-12-31 23:59:58", "2026-04-01 00:00:00", None],
                format="ISO8601",
            ),
            "event_type": ["order", "login", "payment", "order"],
            "event_type_raw": ["o", "l", "p", "o"],
            "amount": [10.0, np.nan, np.nan, 5.0],
            "days_late": [np.nan, np.nan, 4.0, np.nan],
        }
    )


def view_rows(dataset: Dataset) -> tuple[int, pd.DataFrame, dict[str, str]]:
    with connect() as con:
        count = event_view(con, dataset)
        rows = con.execute(f"SELECT * FROM {EVENTS} ORDER BY ts_s").df()
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {EVENTS})").fetchall())
    return count, rows, types


def test_the_view_has_the_canonical_columns_and_leaves_out_rows_without_time():
    count, rows, types = view_rows(make_dataset(log()))
    assert types == {
        "customer_id": "VARCHAR",
        "kind": "VARCHAR",
        "ts_s": "BIGINT",
        "amount": "DOUBLE",
        "days_late": "DOUBLE",
    }
    assert count == 3 and len(rows) == 3  # b's order has no timestamp
    assert rows["customer_id"].tolist() == ["a", "a", "b"]  # a categorical id is read as its text


def test_seconds_are_floored_like_numpy_even_before_1970():
    """23:59:59.5 on 1969-12-31 is -0.5 s: floored to -1 (numpy's datetime64[s]), not truncated to 0;
    23:59:58 is -2; 2026-04-01 is 20 544 days × 86 400 s."""
    _, rows, _ = view_rows(make_dataset(log()))
    assert rows["ts_s"].tolist() == [-2, -1, 20_544 * 86_400]
    stamps = log()["timestamp"].dropna().to_numpy().astype("datetime64[s]").astype(np.int64)
    assert sorted(stamps.tolist()) == rows["ts_s"].tolist()


def test_parquet_on_disk_gives_the_same_view_as_the_frame(tmp_path):
    frame = log()
    path = tmp_path / "events.parquet"
    frame.assign(customer_id=frame["customer_id"].astype(str)).to_parquet(path, index=False)
    in_memory = view_rows(make_dataset(frame))
    on_disk = view_rows(make_dataset(None).evolve(event_path=path))
    assert in_memory[0] == on_disk[0] == 3
    pd.testing.assert_frame_equal(in_memory[1], on_disk[1])


def test_missing_amount_and_days_late_columns_read_as_null():
    frame = log().drop(columns=["amount", "days_late"])
    _, rows, types = view_rows(make_dataset(frame))
    assert types["amount"] == types["days_late"] == "DOUBLE"
    assert rows["amount"].isna().all() and rows["days_late"].isna().all()


def test_missing_values_are_null_not_nan():
    """NaN in the frame arrives as NULL, so SQL's COUNT and CASE treat it as unknown."""
    with connect() as con:
        event_view(con, make_dataset(log()))
        nulls = con.execute(f"SELECT COUNT(*) - COUNT(amount) FROM {EVENTS}").fetchone()[0]
    assert nulls == 2


def test_a_dataset_without_events_is_refused():
    with connect() as con, pytest.raises(ModelError, match="no event log; event features need one"):
        event_view(con, make_dataset(None))


def test_connect_takes_the_memory_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv(MEMORY_ENV, "1GB")
    with connect(threads=1) as con:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() "
                "WHERE name IN ('threads', 'memory_limit', 'enable_progress_bar')"
            ).fetchall()
        )
    assert settings["threads"] == "1" and settings["enable_progress_bar"] == "false"
    assert settings["memory_limit"].startswith(("953", "1.0"))  # 1 GB shown in GiB
