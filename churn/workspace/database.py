"""The workspace SQLite file under concurrency: migrated once, readers never blocked, one writer at a time.

A hosted link serves a whole workshop room from one process (and, now and then,
a ``python -m churn`` command beside it). SQLite handles that well when it is
used as it is meant to be:

- **WAL journal**: readers see the last committed state and are never blocked
  by a writer (set once, it stays with the file).
- **Migrations once**: :func:`migrate` applies :mod:`churn.workspace.schema`'s
  migrations the first time a process opens a file, not on every connection.
- **One writer at a time, in line**: :func:`write` queues this process's writers
  on a lock (threads wait their turn in Python instead of spinning in SQLite),
  then opens the transaction with ``BEGIN IMMEDIATE``, so the write lock is held
  from the first statement and a transaction never fails half-way on a lock
  another connection took meanwhile. Callers keep the work inside short: bulk rows
  (Parquet frames) are written to disk before, outside the lock.
- **A busy timeout, then retries**: another process holding the lock is waited
  for (:data:`BUSY_TIMEOUT` seconds, longer than the driver's default of 5), and
  the transaction is tried again up to :data:`WRITE_ATTEMPTS` times; at worst it
  ends in one plain sentence (:class:`~churn.core.errors.WorkspaceError`), never a
  traceback.

Every call opens its own connection (Streamlit sessions run on different
threads); opening one costs a fraction of a millisecond.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from churn.core.errors import WorkspaceError
from churn.workspace import schema

log = logging.getLogger(__name__)

T = TypeVar("T")

#: seconds a connection waits for another connection's lock before SQLite reports it busy
BUSY_TIMEOUT = 10.0
#: how often a write (or the migration) is tried when the lock stays taken
WRITE_ATTEMPTS = 3
#: pause before the second attempt; it doubles for each further one
RETRY_PAUSE = 0.5

_migrated: set[tuple] = set()
_migrating = threading.Lock()
_writers: dict[str, threading.Lock] = {}
_writers_guard = threading.Lock()


def _key(file: Path) -> str:
    return str(file.resolve())


def _identity(file: Path) -> tuple | None:
    """The file as the operating system knows it: a file deleted and made again is a new one."""
    try:
        found = file.stat()
    except FileNotFoundError:
        return None
    return (_key(file), found.st_dev, found.st_ino)


def open_database(file: str | Path) -> Database:
    """A new connection to ``file`` with the store's settings (busy timeout, foreign keys)."""
    connection = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT)
    db = Database(connection, execute_plugins=False)
    db.execute("PRAGMA foreign_keys=ON")
    return db


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "the lock is taken" errors (worth waiting for), False for real faults."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def migrate(file: str | Path) -> None:
    """Bring ``file`` to the current schema (creating it), once per process.

    Later calls for the same file return at once. A second process migrating the
    same file at the same moment is waited for and its work taken as done.
    """
    file = Path(file)
    if _identity(file) in _migrated:
        return
    with _migrating:
        if _identity(file) in _migrated:
            return
        file.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(WRITE_ATTEMPTS):
            db = open_database(file)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                schema.migrations.apply(db)
                break
            except sqlite3.OperationalError as error:
                # busy, or "already exists" when another process applied the same step first
                if attempt + 1 == WRITE_ATTEMPTS:
                    log.error("migrating %s failed: %s", file, error)
                    raise WorkspaceError("errors.store_busy") from None
                time.sleep(RETRY_PAUSE * 2**attempt)
            finally:
                db.close()
        _migrated.add(_identity(file))


@contextmanager
def reading(file: str | Path) -> Iterator[Database]:
    """A connection for reads (a writer never blocks it); closed when the block ends."""
    migrate(file)
    db = open_database(file)
    try:
        yield db
    finally:
        db.close()


def _writer(file: Path) -> threading.Lock:
    with _writers_guard:
        return _writers.setdefault(_key(file), threading.Lock())


def write(file: str | Path, work: Callable[..., T], *args) -> T:
    """Run ``work(db, *args)`` in one write transaction and return what it returns.

    Writers of this process wait in line; the transaction starts with ``BEGIN
    IMMEDIATE`` and commits when ``work`` returns, or rolls back when it raises.
    When another process holds the lock past :data:`BUSY_TIMEOUT`, the whole
    transaction is tried again (``work`` must not have effects outside the
    database before it can fail on the lock; it runs only once the lock is held).

    Raises
    ------
    WorkspaceError
        When the lock stayed taken through every attempt.
    """
    file = Path(file)
    migrate(file)
    with _writer(file):
        attempt = 1
        while True:
            db = open_database(file)
            try:
                if _begin_immediate(db, attempt):
                    try:
                        result = work(db, *args)
                        db.execute("COMMIT")
                    except BaseException:
                        if db.conn.in_transaction:
                            db.conn.rollback()
                        raise
                    return result
            finally:
                db.close()
            time.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
            attempt += 1


def _begin_immediate(db: Database, attempt: int) -> bool:
    """Take the write lock: True once held, False to try again, WorkspaceError after the last attempt."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if not is_busy(error):
            raise
        log.warning("store busy (attempt %d of %d): %s", attempt, WRITE_ATTEMPTS, error)
        if attempt >= WRITE_ATTEMPTS:
            raise WorkspaceError("errors.store_busy") from None
        return False
    return True
