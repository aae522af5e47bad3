"""Dataset rows as Parquet files named by the SHA-256 of their bytes, in one folder.

A frame (the customer table, the event log) is written once as a Parquet file
``<sha256>.parquet``. The bytes come from fixed writer settings, so the same
frame gives the same file, and the same name, in any process; identical data
saved by two workspaces is one file that both refer to. A file is never
changed once it has its name: it is written to a temporary file in the same
folder, flushed to disk and only then renamed (``os.replace``), so a reader
sees a whole file or none.

What a frame round-trips: column names as given (``'Ønsket?'``, ``'1st date'``,
``'a.b'``), column order, dtypes (text, categoricals with their categories and
order, datetimes with NaT, floats with NaN, ints, nullable ``Int64``, bools)
and values. Missing text reads back as NaN, the pandas convention of every
reader in ``churn.ingest``; a text column that also holds other things (numbers
among words) is stored as text. The row index is not kept.

This module knows files, not datasets: :mod:`churn.workspace.store` decides
which hashes are still referenced, and removes files only while it holds the
database's write lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churn.core.errors import WorkspaceError

SUFFIX = ".parquet"
#: the frames of database ``workspaces.db`` live in the folder ``workspaces.rows`` beside it
FOLDER_SUFFIX = ".rows"
TEMP_PREFIX = ".tmp-"
#: a temporary file older than this was left by a writer that died (a live write ends sooner)
STALE_SECONDS = 24 * 3600
#: fixed writer settings: part of the canonical form, so changing one renames every new file
WRITE_OPTIONS = {
    "compression": "zstd",
    "row_group_size": 1_000_000,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
}
#: schema metadata key holding each categorical column's categories (Parquet keeps only the used ones)
CATEGORIES_KEY = b"churn.categories"
_HASH = re.compile(r"^[0-9a-f]{64}$")
_COPY_CHUNK = 8 << 20


@dataclass(frozen=True)
class FrameInfo:
    """What a stored frame holds, read from its file's footer."""

    rows: int
    columns: int
    bytes: int


def folder_beside(database: str | os.PathLike) -> Path:
    """The folder of frames that belongs to the database file ``database`` (``x.db`` -> ``x.rows``)."""
    database = Path(database)
    return database.with_name(database.stem + FOLDER_SUFFIX)


def frame_path(folder: str | os.PathLike, digest: str) -> Path:
    """The file of frame ``digest`` in ``folder`` (it may not exist).

    Raises ``ValueError`` for anything but 64 lowercase hex digits, so a name read
    from the database can never point outside the folder.
    """
    if not isinstance(digest, str) or not _HASH.match(digest):
        raise ValueError(f"'{digest}' is not a frame hash (64 hex digits).")
    return Path(folder) / f"{digest}{SUFFIX}"


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The frame in its canonical Arrow form: what :func:`write_frame` stores.

    Example
    -------
    >>> arrow_table(pd.DataFrame({"a.b": ["x", None]})).schema.names
    ['a.b']
    """
    names = [str(name) for name in frame.columns]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise WorkspaceError("errors.column_repeated", column=repeated[0])
    frame = frame.set_axis(names, axis=1).reset_index(drop=True)
    dtypes = dict(zip(names, frame.dtypes, strict=True))
    text = {
        name: _as_text(frame[name])
        for name, dtype in dtypes.items()
        if pd.api.types.is_object_dtype(dtype) and _mixed(frame[name])
    }
    if text:
        frame = frame.assign(**text)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    categories = {
        name: {
            "categories": dtype.categories.tolist(),
            "dtype": str(dtype.categories.dtype),
            "ordered": bool(dtype.ordered),
        }
        for name, dtype in dtypes.items()
        if isinstance(dtype, pd.CategoricalDtype)
    }
    if categories:
        metadata = {**table.schema.metadata, CATEGORIES_KEY: json.dumps(categories, default=str).encode()}
        table = table.replace_schema_metadata(metadata)
    return table


def _mixed(column: pd.Series) -> bool:
    """True for an object column holding anything besides text (Arrow needs one type per column)."""
    return pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty")


def _as_text(column: pd.Series) -> pd.Series:
    return column.map(lambda value: value if value is None or pd.isna(value) else str(value)).astype(object)


def _parquet_bytes(frame: pd.DataFrame) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table(frame), sink, **WRITE_OPTIONS)
    return sink.getvalue()


def frame_hash(frame: pd.DataFrame) -> str:
    """The name :func:`write_frame` gives ``frame``, without writing anything.

    Returns
    -------
    str
        The SHA-256 (hex) of the frame's canonical Parquet bytes.
    """
    return hashlib.sha256(_parquet_bytes(frame)).hexdigest()


def write_frame(folder: str | os.PathLike, frame: pd.DataFrame) -> str:
    """Store ``frame`` as ``<hash>.parquet`` in ``folder`` (once) and return the hash.

    When a file of that name exists it already holds these bytes and is left
    alone: a stored frame is shared and read-only. Otherwise the bytes go to a
    temporary file in the same folder, are flushed to disk and renamed to the
    final name, so a crash leaves at most a stray temporary file.

    Example
    -------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> write_frame(folder, pd.DataFrame({"x": [1]})) == write_frame(folder, pd.DataFrame({"x": [1]}))
    True
    """
    data = _parquet_bytes(frame)
    digest = hashlib.sha256(data).hexdigest()
    if not frame_path(folder, digest).exists():
        _publish(folder, digest, [memoryview(data)])
    return digest


def store_file(folder: str | os.PathLike, source: str | os.PathLike) -> str:
    """Store an existing Parquet file in ``folder`` by its content hash and return the hash.

    For rows that live only on disk (an event log too big for memory). A file
    that already is a frame of ``folder`` is returned as it is, without a copy.
    """
    folder, source = Path(folder), Path(source)
    if source.parent.resolve() == folder.resolve() and _HASH.match(source.stem) and source.suffix == SUFFIX:
        return source.stem
    pq.read_metadata(source)  # a plain sentence from pyarrow if it is not Parquet
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        while block := handle.read(_COPY_CHUNK):
            digest.update(block)
    name = digest.hexdigest()
    if not frame_path(folder, name).exists():
        _publish(folder, name, _chunks(source))
    return name


def _chunks(source: Path) -> Iterable[bytes]:
    with open(source, "rb") as handle:
        while block := handle.read(_COPY_CHUNK):
            yield block


def _publish(folder: str | os.PathLike, digest: str, chunks: Iterable) -> None:
    """Write ``chunks`` to a temporary file, flush it to disk, then give it its final name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=SUFFIX, dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        # a concurrent writer of the same bytes may have won: replacing its file with equal bytes is harmless
        os.replace(temporary, frame_path(folder, digest))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a folder)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def read_frame(folder: str | os.PathLike, digest: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The frame :func:`write_frame` stored under ``digest`` (only ``columns``, when given).

    Raises ``FileNotFoundError`` when the file is gone (the store turns that into a
    sentence naming the dataset).
    """
    path = frame_path(folder, digest)
    schema = pq.read_schema(path)
    categories = json.loads((schema.metadata or {}).get(CATEGORIES_KEY, b"{}"))
    wanted = set(schema.names if columns is None else columns)
    table = pq.read_table(path, columns=columns, read_dictionary=[c for c in categories if c in wanted])
    frame = table.to_pandas()
    for name, dtype in zip(frame.columns, frame.dtypes, strict=True):
        if name in categories:
            spec = categories[name]
            wanted = pd.CategoricalDtype(pd.Index(spec["categories"]).astype(spec["dtype"]), spec["ordered"])
            frame[name] = frame[name].astype(wanted)
        elif pd.api.types.is_object_dtype(dtype) and frame[name].hasnans:
            frame[name] = frame[name].where(frame[name].notna(), np.nan)
    return frame


def frame_info(folder: str | os.PathLike, digest: str) -> FrameInfo:
    """Rows, columns and file size of a stored frame (from the footer; no rows are read)."""
    path = frame_path(folder, digest)
    metadata = pq.read_metadata(path)
    return FrameInfo(rows=metadata.num_rows, columns=len(metadata.schema.names), bytes=path.stat().st_size)


def frame_columns(path: str | os.PathLike) -> list[str]:
    """The column names of a Parquet file (from its footer)."""
    return list(pq.read_schema(path).names)


def stored_hashes(folder: str | os.PathLike) -> set[str]:
    """The hashes of every frame file in ``folder`` (empty when there is no folder)."""
    folder = Path(folder)
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.glob(f"*{SUFFIX}") if _HASH.match(p.stem)}


def remove_frame(folder: str | os.PathLike, digest: str) -> bool:
    """Delete one frame file; True when there was one. The caller makes sure nothing refers to it."""
    try:
        frame_path(folder, digest).unlink()
    except FileNotFoundError:
        return False
    return True


def remove_unreferenced(
    folder: str | os.PathLike, referenced: Collection[str], older_than: float = 0.0
) -> list[str]:
    """Delete frame files whose hash is not in ``referenced``; return the hashes removed.

    Only files last changed more than ``older_than`` seconds ago go (a writer may be
    about to refer to a fresh one). Temporary files go once they are older than
    :data:`STALE_SECONDS`, however ``older_than`` is set: a younger one may still be
    being written.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now = time.time()
    removed = []
    for digest in sorted(stored_hashes(folder) - set(referenced)):
        path = frame_path(folder, digest)
        if _age(path, now) >= older_than and remove_frame(folder, digest):
            removed.append(digest)
    for temporary in folder.glob(f"{TEMP_PREFIX}*"):
        if _age(temporary, now) >= STALE_SECONDS:
            temporary.unlink(missing_ok=True)
    return removed


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return -1.0
