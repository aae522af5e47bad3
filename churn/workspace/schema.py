"""The workspace database's tables and their history, as sqlite-utils migrations.

:data:`migrations` is applied by :func:`churn.workspace.store.connect`. Each
migration runs once per database file, in order, inside a transaction (the last
one, which only reclaims space, outside):

``m001_initial``
    workspaces, datasets, models, scenarios.
``m002_dataset_frames``
    Parquet blobs for frames wider than SQLite's column limit.
``m003_rows_as_parquet``
    every dataset's rows move from SQLite (tables ``ds{id}_customers`` /
    ``ds{id}_events`` and the blobs) to Parquet frames named by content hash in
    the folder beside the database (:mod:`churn.workspace.frames`), listed in
    ``frames``; datasets refer to them by hash; the old tables are dropped.
``m004_reclaim_space``
    ``VACUUM``, so the file shrinks by what the old tables held.
``m005_dataset_content``
    each dataset gets ``content``, the hash of its frames, mapping and metadata
    (:func:`content_hash`), so identical data is recognised (and computed once)
    whoever saved it; a dataset with no workspace is shared read-only by every
    workspace (the bundled sample).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from churn.workspace import frames

log = logging.getLogger(__name__)

_LEGACY_TABLE = re.compile(r"^ds\d+_(customers|events)$")

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
    # one Parquet blob per wide frame: part is "customers" or "events" (moved to files by m003)
    db["dataset_frames"].create(
        {"dataset_id": int, "part": str, "parquet": bytes},
        pk=("dataset_id", "part"),
        foreign_keys=[("dataset_id", "datasets", "id")],
    )


@migrations()
def m003_rows_as_parquet(db: Database) -> None:
    """Move every dataset's rows (tables ``ds{id}_*``, blobs in ``dataset_frames``) to Parquet frames."""
    db["frames"].create({"hash": str, "rows": int, "columns": int, "bytes": int, "created": str}, pk="hash")
    for column in ("customer_frame", "event_frame"):
        db.execute(f"alter table datasets add column {column} text references frames(hash)")
        db["datasets"].create_index([column])
    stored = db.execute("select id, customer_schema, event_schema from datasets").fetchall()
    folder = frames.folder_beside(db.execute("pragma database_list").fetchone()[2]) if stored else None
    for dataset_id, customer_schema, event_schema in stored:
        hashes = []
        for part, kinds in (("customers", customer_schema), ("events", event_schema)):
            kinds = json.loads(kinds or "[]")
            frame = _legacy_frame(db, dataset_id, part, kinds) if kinds else None
            hashes.append(None if frame is None else frames.write_frame(folder, frame))
        for digest in filter(None, hashes):
            register_frame(db, folder, digest)
        db.execute(
            "update datasets set customer_frame = ?, event_frame = ? where id = ?", [*hashes, dataset_id]
        )
    for table in db.table_names():
        if _LEGACY_TABLE.match(table):
            db[table].drop()
    db["dataset_frames"].drop(ignore=True)
    for column in ("customer_schema", "event_schema"):
        db.execute(f"alter table datasets drop column {column}")
    log.info("moved the rows of %d datasets to Parquet files", len(stored))


@migrations(transactional=False)
def m004_reclaim_space(db: Database) -> None:
    db.vacuum()


@migrations()
def m005_dataset_content(db: Database) -> None:
    db.execute("alter table datasets add column content text")
    rows = db.execute("select id, customer_frame, event_frame, mapping, meta from datasets").fetchall()
    for dataset_id, customers, events, mapping, meta in rows:
        digest = content_hash(customers, events, json.loads(mapping), json.loads(meta))
        db.execute("update datasets set content = ? where id = ?", [digest, dataset_id])
    db["datasets"].create_index(["content"])


def content_hash(customer_frame: str, event_frame: str | None, mapping: dict, meta: dict) -> str:
    """The SHA-256 (hex) that names a dataset's content: its frames, mapping and metadata.

    The name a workspace gave it and the row counts (read from the frames) are left
    out, so two uploads of the same file confirmed alike have the same content.
    """
    described = {key: value for key, value in meta.items() if key not in ("customers", "events")}
    text = json.dumps(
        {"customers": customer_frame, "events": event_frame, "mapping": mapping, "meta": described},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_frame(db: Database, folder: Path, digest: str) -> frames.FrameInfo:
    """List the frame file ``digest`` in the ``frames`` table (once) and return what it holds."""
    info = frames.frame_info(folder, digest)
    db.execute(
        "insert or ignore into frames (hash, rows, columns, bytes, created) values (?, ?, ?, ?, ?)",
        [digest, info.rows, info.columns, info.bytes, datetime.now(UTC).isoformat(timespec="seconds")],
    )
    return info


def _legacy_frame(db: Database, dataset_id: int, part: str, schema: list[list[str]]) -> pd.DataFrame:
    """A frame as the store kept it before m003, typed as the store then read it back.

    Up to 1,000 columns it was the table ``ds{id}_{part}`` with columns ``c0, c1, ...``;
    wider, one Parquet blob in ``dataset_frames``. ``schema`` is ``[[name, kind], ...]``
    with kind one of date, int, float, text.
    """
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
    typed = []
    for values, (_, kind) in zip(columns, schema, strict=True):
        if kind == "date":
            values = pd.to_datetime(values)
        elif kind == "int":
            values = pd.to_numeric(values)
            values = values.astype("int64") if values.notna().all() else values.astype("Int64")
        elif kind == "float":
            values = pd.to_numeric(values).astype(float)
        else:
            values = values.astype(object).where(values.notna(), np.nan)
        typed.append(values)
    frame = pd.concat(typed, axis=1)
    frame.columns = [name for name, _ in schema]
    return frame
