"""Workspaces in one embedded SQLite file (through sqlite-utils), their rows in Parquet files beside it.

A workspace is addressed by an unguessable token (it travels in the app's URL
as ``?ws=...``). It holds its datasets, the confirmed column mapping, trained
models (CatBoost model bytes, never pickles), ROI scenarios and small settings
such as the language. Nothing is written for a workspace until someone saves
something in it: a token nobody saved under reads as an empty workspace, and
its row is created by the first write.

A dataset's rows (the customer table, the event log) are Parquet files named by
the hash of their content, in the folder ``<db stem>.rows`` next to the SQLite
file (:mod:`churn.workspace.frames`); the ``frames`` table lists them and a
dataset refers to its frames by hash. A dataset is addressed by ``content``, the
hash of its frames, mapping and metadata (:func:`churn.workspace.schema.content_hash`):
identical data is stored once, and callers key their caches by it, so twenty
workspaces on the same file share one computation. A dataset without a workspace
is shared read-only by every workspace that asks for it (the bundled sample:
:func:`save_shared_dataset`); workspaces keep their own mappings, models and
scenarios.

Concurrency is :mod:`churn.workspace.database`'s: migrations once per process,
readers never blocked, one writer at a time with a busy timeout and retries.
A dataset row is written only after its files are on disk, in one short
transaction, so a reader never sees half a dataset and a crash leaves at most
an unreferenced file. Files are removed only while the write lock is held and
no dataset refers to them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from churn.core.dataset import CANONICAL_EVENT_COLUMNS, Dataset, RoleMapping
from churn.core.errors import WorkspaceError
from churn.workspace import database, frames, schema

log = logging.getLogger(__name__)

DB_ENV = "CHURN_DB"
DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "workspaces.db"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: how often a save writes its files again when a concurrent delete removed them meanwhile
_SAVE_ATTEMPTS = 3


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The SQLite file in use: ``path``, else ``$CHURN_DB``, else ``data/workspaces.db``."""
    return Path(path or os.environ.get(DB_ENV) or DEFAULT_DB)


def rows_folder(path: str | os.PathLike | None = None) -> Path:
    """The folder of the store's Parquet frames: ``workspaces.rows`` beside ``workspaces.db``."""
    return frames.folder_beside(db_path(path))


@contextmanager
def connect(path: str | os.PathLike | None = None) -> Iterator[Database]:
    """Open the workspace database (created and migrated on first use in this process) for reads."""
    with database.reading(db_path(path)) as db:
        yield db


def _write(path, work, *args):
    """Run ``work(db, *args)`` as one short write transaction (see :func:`churn.workspace.database.write`)."""
    return database.write(db_path(path), work, *args)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_valid_token(token: str | None) -> bool:
    """True when ``token`` has the shape of a workspace token (hostile input is False)."""
    return bool(token) and bool(_TOKEN.match(token))


def _check_token(token: str | None) -> None:
    if not is_valid_token(token):
        raise WorkspaceError("errors.workspace_link")


def new_token() -> str:
    """A new unguessable workspace token; nothing is written until the workspace saves something."""
    return secrets.token_urlsafe(18)


def _ensure_workspace(db: Database, token: str) -> None:
    """Create the workspace row on its first write (inside that write's transaction)."""
    _check_token(token)
    db.execute(
        "insert or ignore into workspaces (token, created, settings) values (?, ?, '{}')", [token, _now()]
    )


def create_workspace(path=None) -> str:
    """Create an empty workspace now (rather than on its first save) and return its token."""
    token = new_token()
    _write(path, lambda db: _ensure_workspace(db, token))
    return token


def workspace_exists(token: str | None, path=None) -> bool:
    """True when ``token`` names a workspace that has saved something."""
    if not is_valid_token(token):
        return False
    with connect(path) as db:
        return db.execute("select 1 from workspaces where token = ?", [token]).fetchone() is not None


def get_settings(token: str, path=None) -> dict:
    """The workspace's small settings (language, last dataset, ...); empty before its first save."""
    _check_token(token)
    with connect(path) as db:
        row = db.execute("select settings from workspaces where token = ?", [token]).fetchone()
    return json.loads((row and row[0]) or "{}")


def update_settings(token: str, path=None, *, create: bool = True, **values) -> dict:
    """Merge ``values`` into the workspace settings and return them.

    ``create=False`` stores them only in a workspace that has saved something
    already (a language switch alone is not worth a workspace of its own); the
    merged settings are returned either way.
    """
    _check_token(token)

    def merge(db: Database) -> dict:
        row = db.execute("select settings from workspaces where token = ?", [token]).fetchone()
        settings = {**json.loads((row and row[0]) or "{}"), **values}
        _ensure_workspace(db, token)
        db.execute(
            "update workspaces set settings = ? where token = ?", [json.dumps(settings, default=str), token]
        )
        return settings

    if not create and not workspace_exists(token, path):
        return {**get_settings(token, path), **values}
    return _write(path, merge)


# ---------------------------------------------------------------- datasets


class _RowsVanished(Exception):
    """A concurrent delete removed a file this save had just written (it is written again)."""


def _write_events(folder: Path, dataset: Dataset) -> str | None:
    """Store the dataset's events: the frame, else the Parquet file of a log kept on disk."""
    if dataset.events is not None:
        return frames.write_frame(folder, dataset.events) if len(dataset.events) else None
    if dataset.event_path is None:
        return None
    columns = frames.frame_columns(dataset.event_path)
    if sorted(columns) != sorted(CANONICAL_EVENT_COLUMNS):
        raise WorkspaceError(
            "errors.event_file_columns",
            file=Path(dataset.event_path).name,
            columns=tuple(columns),
            needed=tuple(CANONICAL_EVENT_COLUMNS),
        )
    return frames.store_file(folder, dataset.event_path)


def save_dataset(token: str, dataset: Dataset, path=None) -> int:
    """Store ``dataset`` in the workspace (creating the workspace on its first save); return its id.

    The frames are written first, outside the write lock (or found: identical rows
    are stored once), then the dataset row in one short transaction; a save that
    fails or is killed leaves no dataset behind.
    """
    _check_token(token)
    return _save(token, dataset, path)


def save_shared_dataset(dataset: Dataset, path=None) -> int:
    """Store ``dataset`` once for every workspace, read-only (the bundled sample); return its id.

    When a shared dataset with the same content is stored already, its id is
    returned and nothing is written. Any workspace may load it, list it (see
    :func:`list_datasets`) and train on it; none can delete it.
    """
    return _save(None, dataset, path)


def _save(token: str | None, dataset: Dataset, path) -> int:
    folder = rows_folder(path)
    written: list[str] = []
    try:
        for _ in range(_SAVE_ATTEMPTS):
            customers = frames.write_frame(folder, dataset.customers)
            written.append(customers)
            events = _write_events(folder, dataset)
            written += [events] if events else []
            try:
                return _write(path, _insert_dataset, folder, token, dataset, customers, events)
            except _RowsVanished:
                continue
        raise WorkspaceError("errors.save_raced")
    except BaseException:
        try:
            _write(path, _drop_unreferenced, folder, written)
        except WorkspaceError:  # still busy: the files stay until the next clean-up finds them old
            log.warning("left %d unreferenced frame files after a failed save", len(written))
        raise


def _meta(dataset: Dataset) -> dict:
    return {
        "attributes": dataset.attributes,
        "categorical": dataset.categorical,
        "leakage": dataset.leakage,
        "as_of": None if dataset.as_of is None else dataset.as_of.isoformat(),
        "churn_definition": dataset.churn_definition,
    }


def _insert_dataset(db: Database, folder: Path, token, dataset: Dataset, customers: str, events) -> int:
    # runs under the write lock, and files are deleted only under that lock: the check below stays true
    hashes = [customers, *([events] if events else [])]
    try:
        rows = [schema.register_frame(db, folder, digest).rows for digest in hashes]
    except FileNotFoundError:
        raise _RowsVanished from None
    if not all(frames.frame_path(folder, digest).exists() for digest in hashes):
        raise _RowsVanished
    mapping, meta = dataset.mapping.to_dict(), _meta(dataset)
    content = schema.content_hash(customers, events, mapping, meta)
    if token is None:
        found = db.execute(
            "select id from datasets where workspace is null and content = ? order by id limit 1", [content]
        ).fetchone()
        if found:
            return int(found[0])
    else:
        _ensure_workspace(db, token)
    meta |= {"customers": rows[0], "events": rows[1] if events else 0}
    record = {"workspace": token, "name": dataset.name, "created": _now(), "meta": json.dumps(meta)}
    record |= {"mapping": json.dumps(mapping), "customer_frame": customers, "event_frame": events}
    return int(db["datasets"].insert({**record, "content": content}).last_pk)


def _drop_unreferenced(db: Database, folder: Path, written: Iterable[str] = ()) -> None:
    """Delete the frames no dataset refers to: their rows in ``frames`` and their files.

    Runs under the write lock, so no save can start referring to a file between the
    check and the unlink. ``written`` are files this process wrote but never
    registered; other stray files go once they are old.
    """
    gone = db.execute(
        "delete from frames where not exists (select 1 from datasets "
        "where customer_frame = frames.hash or event_frame = frames.hash) returning hash"
    ).fetchall()
    referenced = {digest for (digest,) in db.execute("select hash from frames").fetchall()}
    for digest in {digest for (digest,) in gone} | set(written):
        if digest not in referenced:
            frames.remove_frame(folder, digest)
    frames.remove_unreferenced(folder, referenced, older_than=frames.STALE_SECONDS)


_LISTED = ("id", "name", "created", "meta", "customer_frame", "event_frame", "content", "workspace")


def _described(db: Database, where: str, params: list) -> list[dict]:
    rows = db.execute(f"select {', '.join(_LISTED)} from datasets where {where}", params).fetchall()
    out = [dict(zip(_LISTED, row, strict=True)) for row in rows]
    for row in out:
        meta = json.loads(row.pop("meta"))
        row |= {"customers": meta.get("customers"), "events": meta.get("events")}
        row["shared"] = row.pop("workspace") is None
    return out


def list_datasets(token: str, path=None, *, shared: Iterable[int] = ()) -> list[dict]:
    """The workspace's datasets, newest first, then the shared ones asked for by id.

    Each row: id, name, created, customers, events, the frame hashes, ``content``
    (the key for caches: equal for identical data) and ``shared`` (True for a
    read-only shared dataset).
    """
    _check_token(token)
    wanted = sorted({int(i) for i in shared})
    with connect(path) as db:
        return _described(
            db,
            f"workspace = ? or (workspace is null and id in ({', '.join('?' * len(wanted))})) "
            "order by workspace is null, id desc",
            [token, *wanted],
        )


def dataset_row(token: str, dataset_id: int, path=None) -> dict:
    """One dataset this workspace may read (its own or a shared one), described as :func:`list_datasets` does.

    Raises
    ------
    WorkspaceError
        When the dataset is neither.
    """
    _check_token(token)
    with connect(path) as db:
        found = _described(db, "id = ? and (workspace = ? or workspace is null)", [int(dataset_id), token])
    if not found:
        raise WorkspaceError("errors.dataset_not_here")
    return found[0]


def load_dataset(token: str, dataset_id: int, path=None, *, with_events: bool = True) -> Dataset:
    """Load one dataset of the workspace (only of that workspace, or a shared one).

    Parameters
    ----------
    with_events : bool
        False leaves the events on disk (``events`` None) for logs too big for memory;
        ``event_path`` names the stored events Parquet file either way.

    Returns
    -------
    Dataset
        Frames with the dtypes, values and column names they were saved with.
    """
    _check_token(token)
    folder = rows_folder(path)
    with connect(path) as db:
        row = db.execute(
            "select name, mapping, meta, customer_frame, event_frame from datasets "
            "where id = ? and (workspace = ? or workspace is null)",
            [int(dataset_id), token],
        ).fetchone()
    if row is None:
        raise WorkspaceError("errors.dataset_not_here")
    name, mapping, meta, customer_frame, event_frame = row
    event_path = None if event_frame is None else frames.frame_path(folder, event_frame)
    try:
        if event_path is not None and not event_path.exists():
            raise FileNotFoundError(event_path)
        customers = frames.read_frame(folder, customer_frame)
        events = frames.read_frame(folder, event_frame) if event_path is not None and with_events else None
    except FileNotFoundError as missing:
        log.error("dataset %s: stored rows missing (%s)", dataset_id, missing)
        raise WorkspaceError("errors.stored_rows_missing", name=str(name)) from None
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
        event_path=event_path,
    )


def delete_dataset(token: str, dataset_id: int, path=None) -> None:
    """Remove a dataset of the workspace and its models; its files go when no other dataset shares them."""
    _check_token(token)

    def delete(db: Database) -> None:
        found = db.execute(
            "select 1 from datasets where id = ? and workspace = ?", [int(dataset_id), token]
        ).fetchone()
        if not found:
            raise WorkspaceError("errors.cannot_delete_dataset")
        db.execute("delete from models where dataset_id = ? and workspace = ?", [int(dataset_id), token])
        db.execute("delete from datasets where id = ?", [int(dataset_id)])

    _write(path, delete)
    # only after the commit: a crash in between leaves an unreferenced file, never a dangling row
    _write(path, _drop_unreferenced, rows_folder(path))


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
    _check_token(token)
    record = {"workspace": token, "dataset_id": int(dataset_id), "created": _now(), "model": model_bytes}
    record |= {
        k: json.dumps(v, default=str)
        for k, v in (("settings", settings), ("metrics", metrics), ("features", features))
    }

    def insert(db: Database) -> int:
        readable = db.execute(
            "select 1 from datasets where id = ? and (workspace = ? or workspace is null)",
            [int(dataset_id), token],
        ).fetchone()
        if not readable:
            raise WorkspaceError("errors.dataset_not_here")
        _ensure_workspace(db, token)
        return int(db["models"].insert(record).last_pk)

    return _write(path, insert)


def latest_model_id(token: str, dataset_id: int, path=None) -> int | None:
    """The id of the newest model for a dataset (a cheap check that reads no model bytes)."""
    _check_token(token)
    with connect(path) as db:
        row = db.execute(
            "select max(id) from models where workspace = ? and dataset_id = ?", [token, int(dataset_id)]
        ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def latest_model(token: str, dataset_id: int, path=None) -> dict | None:
    """The newest model for a dataset as a dict (id, created, model, settings, metrics, features)."""
    _check_token(token)
    with connect(path) as db:
        row = db.execute(
            "select id, created, model, settings, metrics, features from models "
            "where workspace = ? and dataset_id = ? order by id desc limit 1",
            [token, int(dataset_id)],
        ).fetchone()
    if row is None:
        return None
    model_id, created, blob, settings, metrics, features = row
    record = {"id": model_id, "created": created, "model": bytes(blob)}
    return record | {
        "settings": json.loads(settings),
        "metrics": json.loads(metrics),
        "features": json.loads(features),
    }


# ---------------------------------------------------------------- ROI scenarios


def save_scenario(token: str, name: str, params: dict, path=None) -> None:
    """Save (or overwrite) a named ROI scenario."""
    _check_token(token)
    name = (name or "").strip()[:80]
    if not name:
        raise WorkspaceError("errors.scenario_name")

    def replace(db: Database) -> None:
        _ensure_workspace(db, token)
        db.execute("delete from scenarios where workspace = ? and name = ?", [token, name])
        db["scenarios"].insert(
            {"workspace": token, "name": name, "created": _now(), "params": json.dumps(params)}
        )

    _write(path, replace)


def list_scenarios(token: str, path=None) -> list[dict]:
    """Saved scenarios of the workspace, oldest first: name, created, params."""
    _check_token(token)
    with connect(path) as db:
        rows = db.execute(
            "select name, created, params from scenarios where workspace = ? order by id", [token]
        ).fetchall()
    return [{"name": n, "created": c, "params": json.loads(p)} for n, c, p in rows]


def delete_scenario(token: str, name: str, path=None) -> None:
    """Delete a named scenario (no error when it is already gone)."""
    _check_token(token)
    _write(
        path, lambda db: db.execute("delete from scenarios where workspace = ? and name = ?", [token, name])
    )
