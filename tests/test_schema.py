"""The store's migrations: an old-format database (rows in SQLite tables and blobs) moves to Parquet frames without loss."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlite_utils import Database

from churn.core.dataset import Dataset
from churn.workspace import frames, schema, store
from tests.test_store import mixed_dataset, small_dataset, stored_files


def old_save(
    db_file: Path, dataset: Dataset, token: str = "old-workspace-token-1", wide_columns: int = 1000
) -> int:
    """Save ``dataset`` as the store did before m003 (a minimal copy of that writer, for this test only).

    Frames went to tables ``ds{id}_{part}`` with positional columns ``c0, c1, ...``, or,
    wider than ``wide_columns``, to one Parquet blob in ``dataset_frames``; dates as ISO
    text, bools as ints, categoricals as text; names and kinds in ``*_schema`` JSON.
    """
    db = Database(db_file)
    schema.migrations.apply(db, stop_before="m003_rows_as_parquet")
    if not db.execute("select 1 from workspaces where token = ?", [token]).fetchone():
        db["workspaces"].insert({"token": token, "created": "2025-01-01T00:00:00", "settings": "{}"})
    meta = {
        "attributes": dataset.attributes,
        "categorical": dataset.categorical,
        "leakage": dataset.leakage,
        "as_of": None if dataset.as_of is None else dataset.as_of.isoformat(),
        "churn_definition": dataset.churn_definition,
        "customers": len(dataset.customers),
        "events": 0 if dataset.events is None else len(dataset.events),
    }
    record = {"workspace": token, "name": dataset.name, "created": "2025-01-01T00:00:00"}
    record |= {"mapping": json.dumps(dataset.mapping.to_dict()), "meta": json.dumps(meta)}
    dataset_id = db["datasets"].insert({**record, "customer_schema": "[]", "event_schema": "[]"}).last_pk
    schemas = {
        "customer_schema": old_write_frame(db, dataset_id, "customers", dataset.customers, wide_columns)
    }
    if dataset.events is not None:
        schemas["event_schema"] = old_write_frame(db, dataset_id, "events", dataset.events, wide_columns)
    db["datasets"].update(dataset_id, {k: json.dumps(v) for k, v in schemas.items()})
    db.close()
    return int(dataset_id)


def old_write_frame(db: Database, dataset_id: int, part: str, frame: pd.DataFrame, wide_columns: int) -> list:
    def kind(series):
        if pd.api.types.is_datetime64_any_dtype(series):
            return "date"
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
            return "int"
        return "float" if pd.api.types.is_float_dtype(series) else "text"

    def values(series, kind):
        if kind == "date":
            out = series.dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
        elif kind == "text":
            out = series.astype(object).map(lambda v: None if pd.isna(v) else str(v))
        else:
            out = series.astype("Int64" if kind == "int" else float).astype(object)
        return out.where(series.notna(), None).tolist()

    schema = [[str(name), kind(frame.iloc[:, i])] for i, name in enumerate(frame.columns)]
    columns = [values(frame.iloc[:, i], k) for i, (_, k) in enumerate(schema)]
    if len(schema) > wide_columns:
        types = {"int": pa.int64(), "float": pa.float64(), "date": pa.string(), "text": pa.string()}
        arrays = [pa.array(c, type=types[k]) for c, (_, k) in zip(columns, schema, strict=True)]
        sink = pa.BufferOutputStream()
        pq.write_table(pa.table(arrays, names=[f"c{i}" for i in range(len(schema))]), sink)
        db["dataset_frames"].insert(
            {"dataset_id": dataset_id, "part": part, "parquet": sink.getvalue().to_pybytes()}
        )
        return schema
    table = f"ds{int(dataset_id)}_{part}"
    sql_types = {"date": str, "int": int, "float": float, "text": str}
    db[table].create({f"c{i}": sql_types[k] for i, (_, k) in enumerate(schema)})
    db.conn.executemany(
        f"insert into [{table}] values ({', '.join('?' for _ in schema)})", zip(*columns, strict=True)
    )
    db.conn.commit()
    return schema


def test_the_migration_moves_old_tables_and_blobs_to_parquet_without_loss(tmp_db):
    token = "old-workspace-token-1"
    narrow = old_save(tmp_db, small_dataset("narrow.csv"), token)
    twin = old_save(tmp_db, small_dataset("twin.csv"), token)
    wide = old_save(tmp_db, mixed_dataset(), token, wide_columns=3)
    no_events = old_save(tmp_db, small_dataset("customers only.csv").evolve(events=None), token)
    old = Database(tmp_db)
    old["models"].insert(
        {"workspace": token, "dataset_id": narrow, "created": "x", "model": b"cbm"}
        | {"settings": "{}", "metrics": "{}", "features": "[]"}
    )
    assert {"ds1_customers", "ds2_events", "dataset_frames"} <= set(old.table_names())
    assert old.execute("select count(*) from dataset_frames").fetchone() == (2,)
    old.close()

    for dataset_id in (narrow, twin):
        loaded = store.load_dataset(token, dataset_id)  # the first connection migrates
        pd.testing.assert_frame_equal(loaded.customers, small_dataset().customers, check_exact=True)
        pd.testing.assert_frame_equal(loaded.events, small_dataset().events, check_exact=True)
    migrated = store.load_dataset(token, wide)
    expected = mixed_dataset().customers.assign(active=[1, 0, 1], plan=["pluss", np.nan, "basis"])
    # what the old store read back: bools as 0/1, categories as text
    pd.testing.assert_frame_equal(migrated.customers, expected, check_exact=True)
    assert migrated.attributes == mixed_dataset().attributes
    assert store.load_dataset(token, no_events).events is None
    assert store.latest_model(token, narrow)["model"] == b"cbm"

    rows = {d["id"]: d for d in store.list_datasets(token)}
    assert (rows[narrow]["customer_frame"], rows[narrow]["event_frame"]) == (
        rows[twin]["customer_frame"],
        rows[twin]["event_frame"],
    )
    # m005: the same rows and mapping under two names are one content; other rows another
    assert rows[narrow]["content"] == rows[twin]["content"] != rows[wide]["content"]
    # one file for the small customers (3 datasets), one for the events (3), one for the wide customers
    assert len(stored_files(tmp_db)) == 3
    with store.connect() as db:
        assert not [t for t in db.table_names() if t.startswith("ds") or t == "dataset_frames"]
        assert "customer_schema" not in db["datasets"].columns_dict
        assert db.execute("pragma foreign_key_check").fetchall() == []


def test_the_migration_gives_back_the_space_the_old_tables_held(tmp_db):
    """20,000 events as SQLite rows take far more room than the same rows compressed in Parquet."""
    rng = np.random.default_rng(20)
    events = pd.DataFrame(
        {
            "customer_id": rng.choice(["K1", "K2", "K3"], 20_000),
            "timestamp": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 10**7, 20_000), unit="s"),
            "event_type": "login",
            "event_type_raw": "Innlogging",
            "amount": np.nan,
            "days_late": np.nan,
        }
    )
    old_save(tmp_db, small_dataset().evolve(events=events))
    before = tmp_db.stat().st_size
    store.list_datasets("old-workspace-token-1")  # migrates
    with store.connect() as db:
        db.execute("pragma wal_checkpoint(truncate)")
    assert tmp_db.stat().st_size < before / 4
    assert len(frames.stored_hashes(store.rows_folder())) == 2


def test_a_new_database_has_every_migration_and_no_old_tables(tmp_db):
    with store.connect() as db:
        assert [m.name for m in schema.migrations.applied(db)] == [
            "m001_initial",
            "m002_dataset_frames",
            "m003_rows_as_parquet",
            "m004_reclaim_space",
            "m005_dataset_content",
        ]
        assert set(db.table_names()) >= {"workspaces", "datasets", "frames", "models", "scenarios"}
        assert "dataset_frames" not in db.table_names()
        assert {"customer_frame", "event_frame"} <= set(db["datasets"].columns_dict)
