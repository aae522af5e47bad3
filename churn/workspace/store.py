"""Workspaces in one embedded SQLite file (through sqlite-utils).

A workspace is addressed by an unguessable token (it travels in the app's URL
as ``?ws=...``). It holds datasets (stored as tables; a table wider than
:data:`WIDE_COLUMNS` columns, past SQLite's column limit, as Parquet bytes in
``dataset_frames``), the confirmed column mapping, trained models (CatBoost model bytes, never pickles), ROI scenarios
and small settings such as the language.

Every public function opens its own connection (Streamlit sessions run on
different threads) and wraps multi-row writes in ``db.atomic()`` so that a
failure never leaves half a dataset behind.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import WorkspaceError

DB_ENV = "CHURN_DB"
DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "workspaces.db"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: frames with more columns than this are stored as Parquet (SQLite allows 2000 per table)
WIDE_COLUMNS = 1000

migrations = Migrations("churn")


@migrations()
def m001_initial(db: Database) -> None:
    db["workspaces"].create({"token": str, "created": str, "settings": str}, pk="token")
    db["datasets"].create(
        {
            "id": int,
            "workspace": str,
            "name": str,
            "created": str,
            "mapping": str,
            "meta": str,
            "customer_schema": str,
            "event_schema": str,
        },
        pk="id",
        foreign_keys=[("workspace", "workspaces", "token")],
    )
    db["datasets"].create_index(["workspace"])
    db["models"].create(
        {
            "id": int,
            "workspace": str,
            "dataset_id": int,
            "created": str,
            "model": bytes,
            "settings": str,
            "metrics": str,
            "features": str,
        },
        pk="id",
        foreign_keys=[("workspace", "workspaces", "token"), ("dataset_id", "datasets", "id")],
    )
    db["models"].create_index(["workspace", "dataset_id"])
    db["scenarios"].create(
        {"id": int, "workspace": str, "name": str, "created": str, "params": str},
        pk="id",
        foreign_keys=[("workspace", "workspaces", "token")],
    )
    db["scenarios"].create_index(["workspace", "name"], unique=True)


@migrations()
def m002_dataset_frames(db: Database) -> None:
    # one Parquet blob per wide frame: part is "customers" or "events"
    db["dataset_frames"].create(
        {"dataset_id": int, "part": str, "parquet": bytes},
        pk=("dataset_id", "part"),
        foreign_keys=[("dataset_id", "datasets", "id")],
    )


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The SQLite file in use: ``path``, else ``$CHURN_DB``, else ``data/workspaces.db``."""
    return Path(path or os.environ.get(DB_ENV) or DEFAULT_DB)


@contextmanager
def connect(path: str | os.PathLike | None = None) -> Iterator[Database]:
    """Open the workspace database (creating and migrating it) for one call."""
    file = db_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    db = Database(file)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrations.apply(db)
        yield db
    finally:
        db.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_valid_token(token: str | None) -> bool:
    """True when ``token`` has the shape of a workspace token (hostile input is False)."""
    return bool(token) and bool(_TOKEN.match(token))


def create_workspace(path=None) -> str:
    """Create an empty workspace and return its new unguessable token."""
    token = secrets.token_urlsafe(18)
    with connect(path) as db:
        db["workspaces"].insert({"token": token, "created": _now(), "settings": "{}"})
    return token


def workspace_exists(token: str | None, path=None) -> bool:
    """True when ``token`` names an existing workspace."""
    if not is_valid_token(token):
        return False
    with connect(path) as db:
        return db.execute("select 1 from workspaces where token = ?", [token]).fetchone() is not None


def _require_workspace(db: Database, token: str) -> None:
    if (
        not is_valid_token(token)
        or not db.execute("select 1 from workspaces where token = ?", [token]).fetchone()
    ):
        raise WorkspaceError(
            "This workspace link is not valid; open the app without a link to start a new one."
        )


def get_settings(token: str, path=None) -> dict:
    """The workspace's small settings (language, last dataset, ...)."""
    with connect(path) as db:
        _require_workspace(db, token)
        row = db.execute("select settings from workspaces where token = ?", [token]).fetchone()
    return json.loads(row[0] or "{}")


def update_settings(token: str, path=None, **values) -> dict:
    """Merge ``values`` into the workspace settings and return them."""
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            row = db.execute("select settings from workspaces where token = ?", [token]).fetchone()
            settings = {**json.loads(row[0] or "{}"), **values}
            db["workspaces"].update(token, {"settings": json.dumps(settings, default=str)})
    return settings


# ---------------------------------------------------------------- frames as tables


def _column_kind(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "int"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "text"


_SQL_TYPES = {"date": str, "int": int, "float": float, "text": str}


def _stored_values(series: pd.Series, kind: str) -> list:
    """The column as plain Python values (ISO text for dates, None for missing)."""
    if kind == "date":
        values = series.dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
        values = values.where(series.notna(), None)
    elif kind == "text":
        values = series.astype(object).where(series.notna(), None).map(lambda v: v if v is None else str(v))
    elif kind == "int":
        values = series.astype("Int64").astype(object).where(series.notna(), None)
    else:
        values = series.astype(float).astype(object).where(series.notna(), None)
    return values.tolist()


def _arrow_values(series: pd.Series, kind: str) -> pa.Array:
    """The values :func:`_stored_values` gives, as an Arrow array (numbers without a Python detour)."""
    if kind == "int":
        return pa.array(series.astype("Int64"), type=pa.int64())
    if kind == "float":
        return pa.array(series.astype(float), type=pa.float64(), from_pandas=True)
    return pa.array(_stored_values(series, kind), type=pa.string())


def _write_frame(db: Database, dataset_id: int, part: str, frame: pd.DataFrame) -> list[list[str]]:
    """Store ``frame`` with positional column names; return its schema ``[[name, kind], ...]``.

    Up to :data:`WIDE_COLUMNS` columns it becomes the table ``ds{id}_{part}``;
    a wider frame becomes one Parquet blob in ``dataset_frames`` holding the
    same stored values, so both read back alike.
    """
    schema = [[str(name), _column_kind(frame.iloc[:, i])] for i, name in enumerate(frame.columns)]
    if len(schema) > WIDE_COLUMNS:
        arrays = [_arrow_values(frame.iloc[:, i], kind) for i, (_, kind) in enumerate(schema)]
        buffer = io.BytesIO()
        pq.write_table(pa.table(arrays, names=[f"c{i}" for i in range(len(schema))]), buffer)
        db.execute(
            "insert into dataset_frames (dataset_id, part, parquet) values (?, ?, ?)",
            [int(dataset_id), part, buffer.getvalue()],
        )
        return schema
    columns = [_stored_values(frame.iloc[:, i], kind) for i, (_, kind) in enumerate(schema)]
    table = f"ds{int(dataset_id)}_{part}"
    db[table].create({f"c{i}": _SQL_TYPES[kind] for i, (_, kind) in enumerate(schema)})
    placeholders = ", ".join("?" for _ in schema)
    db.conn.executemany(f"insert into [{table}] values ({placeholders})", zip(*columns, strict=True))
    return schema


def _typed(values: pd.Series, kind: str) -> pd.Series:
    """A stored column back in the type its kind promises."""
    if kind == "date":
        return pd.to_datetime(values)
    if kind == "int":
        values = pd.to_numeric(values)
        return values.astype("int64") if values.notna().all() else values.astype("Int64")
    if kind == "float":
        return pd.to_numeric(values).astype(float)
    return values.astype(object).where(values.notna(), np.nan)


def _read_frame(db: Database, dataset_id: int, part: str, schema: list[list[str]]) -> pd.DataFrame:
    """The frame :func:`_write_frame` stored, with its original column names."""
    row = db.execute(
        "select parquet from dataset_frames where dataset_id = ? and part = ?", [int(dataset_id), part]
    ).fetchone()
    if row is None:
        cursor = db.execute(f"select * from [ds{int(dataset_id)}_{part}]")
        stored = pd.DataFrame.from_records(cursor.fetchall(), columns=range(len(schema)))
        columns = [stored[i] for i in range(len(schema))]
    else:
        table = pq.read_table(io.BytesIO(row[0]))
        columns = [table.column(i).to_pandas() for i in range(len(schema))]
    # all columns at once (a wide frame built column by column fragments)
    frame = pd.concat(
        [_typed(values, kind) for values, (_, kind) in zip(columns, schema, strict=True)], axis=1
    )
    frame.columns = [name for name, _ in schema]
    return frame


# ---------------------------------------------------------------- datasets


def save_dataset(token: str, dataset: Dataset, path=None) -> int:
    """Store ``dataset`` in the workspace atomically and return its id."""
    meta = {
        "attributes": dataset.attributes,
        "categorical": dataset.categorical,
        "leakage": dataset.leakage,
        "as_of": None if dataset.as_of is None else dataset.as_of.isoformat(),
        "churn_definition": dataset.churn_definition,
        "customers": int(len(dataset.customers)),
        "events": int(len(dataset.events)) if dataset.events is not None else 0,
    }
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            dataset_id = (
                db["datasets"]
                .insert(
                    {
                        "workspace": token,
                        "name": dataset.name,
                        "created": _now(),
                        "mapping": json.dumps(dataset.mapping.to_dict()),
                        "meta": json.dumps(meta),
                        "customer_schema": "[]",
                        "event_schema": "[]",
                    }
                )
                .last_pk
            )
            customer_schema = _write_frame(db, dataset_id, "customers", dataset.customers)
            event_schema = (
                _write_frame(db, dataset_id, "events", dataset.events) if dataset.has_events else []
            )
            db["datasets"].update(
                dataset_id,
                {"customer_schema": json.dumps(customer_schema), "event_schema": json.dumps(event_schema)},
            )
    return int(dataset_id)


def list_datasets(token: str, path=None) -> list[dict]:
    """The workspace's datasets, newest first: id, name, created, customers, events."""
    with connect(path) as db:
        _require_workspace(db, token)
        rows = db.execute(
            "select id, name, created, meta from datasets where workspace = ? order by id desc", [token]
        ).fetchall()
    out = []
    for dataset_id, name, created, meta in rows:
        info = json.loads(meta)
        out.append(
            {
                "id": dataset_id,
                "name": name,
                "created": created,
                "customers": info.get("customers"),
                "events": info.get("events"),
            }
        )
    return out


def load_dataset(token: str, dataset_id: int, path=None) -> Dataset:
    """Load one dataset of the workspace (only of that workspace)."""
    with connect(path) as db:
        _require_workspace(db, token)
        row = db.execute(
            "select name, mapping, meta, customer_schema, event_schema from datasets "
            "where id = ? and workspace = ?",
            [int(dataset_id), token],
        ).fetchone()
        if row is None:
            raise WorkspaceError("That dataset is not in this workspace; load data on the Data page.")
        name, mapping, meta, customer_schema, event_schema = row
        customers = _read_frame(db, dataset_id, "customers", json.loads(customer_schema))
        event_schema = json.loads(event_schema)
        events = _read_frame(db, dataset_id, "events", event_schema) if event_schema else None
    info = json.loads(meta)
    return Dataset(
        customers=customers,
        events=events,
        mapping=RoleMapping.from_dict(json.loads(mapping)),
        attributes=info["attributes"],
        categorical=info["categorical"],
        leakage=info["leakage"],
        as_of=pd.Timestamp(info["as_of"]) if info.get("as_of") else None,
        churn_definition=info["churn_definition"],
        name=name,
    )


def delete_dataset(token: str, dataset_id: int, path=None) -> None:
    """Remove a dataset, its tables (or Parquet blobs) and its models from the workspace."""
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            found = db.execute(
                "select 1 from datasets where id = ? and workspace = ?", [int(dataset_id), token]
            ).fetchone()
            if not found:
                raise WorkspaceError("That dataset is not in this workspace.")
            db.execute("delete from models where dataset_id = ?", [int(dataset_id)])
            db.execute("delete from dataset_frames where dataset_id = ?", [int(dataset_id)])
            db.execute("delete from datasets where id = ?", [int(dataset_id)])
            for suffix in ("customers", "events"):
                db.execute(f"drop table if exists [ds{int(dataset_id)}_{suffix}]")


# ---------------------------------------------------------------- models


def save_model(
    token: str,
    dataset_id: int,
    model_bytes: bytes,
    settings: dict,
    metrics: dict,
    features: list | dict,
    path=None,
) -> int:
    """Store a trained model (CatBoost ``.cbm`` bytes plus JSON metadata); return its id."""
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            model_id = (
                db["models"]
                .insert(
                    {
                        "workspace": token,
                        "dataset_id": int(dataset_id),
                        "created": _now(),
                        "model": model_bytes,
                        "settings": json.dumps(settings, default=str),
                        "metrics": json.dumps(metrics, default=str),
                        "features": json.dumps(features, default=str),
                    }
                )
                .last_pk
            )
    return int(model_id)


def latest_model_id(token: str, dataset_id: int, path=None) -> int | None:
    """The id of the newest model for a dataset (a cheap check that reads no model bytes)."""
    with connect(path) as db:
        _require_workspace(db, token)
        row = db.execute(
            "select max(id) from models where workspace = ? and dataset_id = ?", [token, int(dataset_id)]
        ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def latest_model(token: str, dataset_id: int, path=None) -> dict | None:
    """The newest model for a dataset as a dict (id, created, model, settings, metrics, features)."""
    with connect(path) as db:
        _require_workspace(db, token)
        row = db.execute(
            "select id, created, model, settings, metrics, features from models "
            "where workspace = ? and dataset_id = ? order by id desc limit 1",
            [token, int(dataset_id)],
        ).fetchone()
    if row is None:
        return None
    model_id, created, blob, settings, metrics, features = row
    return {
        "id": model_id,
        "created": created,
        "model": bytes(blob),
        "settings": json.loads(settings),
        "metrics": json.loads(metrics),
        "features": json.loads(features),
    }


# ---------------------------------------------------------------- ROI scenarios


def save_scenario(token: str, name: str, params: dict, path=None) -> None:
    """Save (or overwrite) a named ROI scenario."""
    name = (name or "").strip()[:80]
    if not name:
        raise WorkspaceError("Give the scenario a name before saving it.")
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            db.execute("delete from scenarios where workspace = ? and name = ?", [token, name])
            db["scenarios"].insert(
                {"workspace": token, "name": name, "created": _now(), "params": json.dumps(params)}
            )


def list_scenarios(token: str, path=None) -> list[dict]:
    """Saved scenarios of the workspace, oldest first: name, created, params."""
    with connect(path) as db:
        _require_workspace(db, token)
        rows = db.execute(
            "select name, created, params from scenarios where workspace = ? order by id", [token]
        ).fetchall()
    return [{"name": n, "created": c, "params": json.loads(p)} for n, c, p in rows]


def delete_scenario(token: str, name: str, path=None) -> None:
    """Delete a named scenario (no error when it is already gone)."""
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            db.execute("delete from scenarios where workspace = ? and name = ?", [token, name])
