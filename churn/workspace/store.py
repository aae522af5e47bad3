"""Workspaces in one embedded SQLite file (through sqlite-utils), their rows in Parquet files beside it.

A workspace is addressed by an unguessable token (it travels in the app's URL
as ``?ws=...``). It holds datasets, the confirmed column mapping, trained
models (CatBoost model bytes, never pickles), ROI scenarios and small settings
such as the language.

A dataset's rows (the customer table, the event log) are Parquet files named by
the hash of their content, in the folder ``<db stem>.rows`` next to the SQLite
file (:mod:`churn.workspace.frames`); the ``frames`` table lists them and a
dataset refers to its frames by hash. Identical rows are stored once and shared
read-only by every dataset that uses them: twenty workspaces on the sample hold
one copy. Metadata, mappings, models and scenarios stay in SQLite.

The tables and their history are :mod:`churn.workspace.schema`'s migrations,
applied by :func:`connect`. Every public function opens its own connection
(Streamlit sessions run on different threads). A dataset row is written only after its files are on disk,
in one ``db.atomic()`` transaction, so a reader never sees half a dataset and a
crash leaves at most an unreferenced file. Files are removed only while the
database's write lock is held and no dataset refers to them.
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
from churn.workspace import frames, schema

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
    """Open the workspace database (creating and migrating it) for one call."""
    file = db_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    db = Database(file)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        schema.migrations.apply(db)
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
            f"The event file {Path(dataset.event_path).name} has the columns {', '.join(columns)}; "
            f"it needs exactly {', '.join(CANONICAL_EVENT_COLUMNS)}. Load the event log again."
        )
    return frames.store_file(folder, dataset.event_path)


def save_dataset(token: str, dataset: Dataset, path=None) -> int:
    """Store ``dataset`` in the workspace and return its id.

    The frames are written first (or found: identical rows are stored once), then
    the dataset row in one transaction; a save that fails or is killed leaves no
    dataset behind.
    """
    folder = rows_folder(path)
    with connect(path) as db:
        _require_workspace(db, token)
        written: list[str] = []
        try:
            for _ in range(_SAVE_ATTEMPTS):
                customers = frames.write_frame(folder, dataset.customers)
                written.append(customers)
                events = _write_events(folder, dataset)
                written += [events] if events else []
                try:
                    return _insert_dataset(db, folder, token, dataset, customers, events)
                except _RowsVanished:
                    continue
            raise WorkspaceError(
                "The dataset could not be saved while others were being deleted; save it again."
            )
        except BaseException:
            _drop_unreferenced(db, folder, written)
            raise


def _insert_dataset(db: Database, folder: Path, token: str, dataset: Dataset, customers: str, events) -> int:
    hashes = [customers, *([events] if events else [])]
    with db.atomic():
        try:
            # the first statement writes: from here to the commit this connection holds the write
            # lock, and files are deleted only under that lock, so the check below stays true
            rows = [schema.register_frame(db, folder, digest).rows for digest in hashes]
        except FileNotFoundError:
            raise _RowsVanished from None
        if not all(frames.frame_path(folder, digest).exists() for digest in hashes):
            raise _RowsVanished
        meta = {
            "attributes": dataset.attributes,
            "categorical": dataset.categorical,
            "leakage": dataset.leakage,
            "as_of": None if dataset.as_of is None else dataset.as_of.isoformat(),
            "churn_definition": dataset.churn_definition,
            "customers": rows[0],
            "events": rows[1] if events else 0,
        }
        record = {"workspace": token, "name": dataset.name, "created": _now(), "meta": json.dumps(meta)}
        record |= {"mapping": json.dumps(dataset.mapping.to_dict()), "customer_frame": customers}
        return int(db["datasets"].insert({**record, "event_frame": events}).last_pk)


def _drop_unreferenced(db: Database, folder: Path, written: Iterable[str] = ()) -> None:
    """Delete the frames no dataset refers to: their rows in ``frames`` and their files.

    Runs under the write lock (its first statement writes), so no save can start
    referring to a file between the check and the unlink. ``written`` are files this
    process wrote but never registered; other stray files go once they are old.
    """
    with db.atomic():
        gone = db.execute(
            "delete from frames where not exists (select 1 from datasets "
            "where customer_frame = frames.hash or event_frame = frames.hash) returning hash"
        ).fetchall()
        referenced = {digest for (digest,) in db.execute("select hash from frames").fetchall()}
        for digest in {digest for (digest,) in gone} | set(written):
            if digest not in referenced:
                frames.remove_frame(folder, digest)
        frames.remove_unreferenced(folder, referenced, older_than=frames.STALE_SECONDS)


def list_datasets(token: str, path=None) -> list[dict]:
    """The workspace's datasets, newest first: id, name, created, customers, events and frame hashes."""
    with connect(path) as db:
        _require_workspace(db, token)
        rows = db.execute(
            "select id, name, created, meta, customer_frame, event_frame from datasets "
            "where workspace = ? order by id desc",
            [token],
        ).fetchall()
    keys = ("id", "name", "created", "meta", "customer_frame", "event_frame")
    out = [dict(zip(keys, row, strict=True)) for row in rows]
    for row in out:
        meta = json.loads(row.pop("meta"))
        row |= {"customers": meta.get("customers"), "events": meta.get("events")}
    return out


def load_dataset(token: str, dataset_id: int, path=None, *, with_events: bool = True) -> Dataset:
    """Load one dataset of the workspace (only of that workspace).

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
    folder = rows_folder(path)
    with connect(path) as db:
        _require_workspace(db, token)
        row = db.execute(
            "select name, mapping, meta, customer_frame, event_frame from datasets where id = ? and workspace = ?",
            [int(dataset_id), token],
        ).fetchone()
    if row is None:
        raise WorkspaceError("That dataset is not in this workspace; load data on the Data page.")
    name, mapping, meta, customer_frame, event_frame = row
    event_path = None if event_frame is None else frames.frame_path(folder, event_frame)
    try:
        if event_path is not None and not event_path.exists():
            raise FileNotFoundError(event_path)
        customers = frames.read_frame(folder, customer_frame)
        events = frames.read_frame(folder, event_frame) if event_path is not None and with_events else None
    except FileNotFoundError as missing:
        log.error("dataset %s: stored rows missing (%s)", dataset_id, missing)
        raise WorkspaceError(
            f"The stored rows of dataset '{name}' are missing; load the file again on the Data page."
        ) from None
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
    """Remove a dataset and its models; its files go when no other dataset shares them."""
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            found = db.execute(
                "select 1 from datasets where id = ? and workspace = ?", [int(dataset_id), token]
            ).fetchone()
            if not found:
                raise WorkspaceError("That dataset is not in this workspace.")
            db.execute("delete from models where dataset_id = ?", [int(dataset_id)])
            db.execute("delete from datasets where id = ?", [int(dataset_id)])
        # only after the commit: a crash in between leaves an unreferenced file, never a dangling row
        _drop_unreferenced(db, rows_folder(path))


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
    record = {"workspace": token, "dataset_id": int(dataset_id), "created": _now(), "model": model_bytes}
    record |= {
        k: json.dumps(v, default=str)
        for k, v in (("settings", settings), ("metrics", metrics), ("features", features))
    }
    with connect(path) as db:
        _require_workspace(db, token)
        with db.atomic():
            model_id = db["models"].insert(record).last_pk
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
    record = {"id": model_id, "created": created, "model": bytes(blob)}
    return record | {
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
