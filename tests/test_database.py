"""The store's SQLite under concurrency: migrated once, readers never blocked, writers in line, busy retried."""

import logging
import sqlite3
import threading
import time

import pytest

from churn.core.errors import WorkspaceError
from churn.workspace import database, schema, store


def hold_write_lock(db_file, seconds: float) -> tuple[threading.Thread, threading.Event]:
    """Another connection takes the write lock (``BEGIN IMMEDIATE``) and keeps it for ``seconds``.

    Returns the thread and an event set once the lock is held.
    """
    held = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(db_file, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "insert into workspaces (token, created, settings) values ('held-by-another-1', 'x', '{}')"
        )
        held.set()
        time.sleep(seconds)
        other.rollback()
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(5)
    return thread, held


def test_migrations_run_once_per_process_not_per_connection(tmp_db, monkeypatch):
    applied = []
    real_apply = schema.migrations.apply
    monkeypatch.setattr(schema.migrations, "apply", lambda db: applied.append(1) or real_apply(db))
    token = store.create_workspace()
    for _ in range(5):
        store.get_settings(token)
        store.update_settings(token, lang="nb")
    assert applied == [1]
    with store.connect() as db:
        assert db.execute("pragma journal_mode").fetchone() == ("wal",)


def test_a_database_made_again_at_the_same_path_is_migrated_again(tmp_db):
    store.create_workspace()
    for suffix in ("", "-wal", "-shm"):
        tmp_db.with_name(tmp_db.name + suffix).unlink(missing_ok=True)
    token = store.create_workspace()  # would fail on a missing table if the first migration were remembered
    assert store.workspace_exists(token)


def test_a_lock_held_longer_than_the_drivers_default_timeout_is_waited_for_not_an_error(tmp_db):
    """Python's sqlite3 gives up after 5 s by default; the store waits (BUSY_TIMEOUT) and saves."""
    token = store.create_workspace()
    assert database.BUSY_TIMEOUT > 5.0
    thread, _ = hold_write_lock(tmp_db, 5.5)
    started = time.monotonic()
    store.save_scenario(token, "Base", {"customers": 380})
    waited = time.monotonic() - started
    thread.join()
    assert waited >= 5.0
    assert [s["name"] for s in store.list_scenarios(token)] == ["Base"]


def test_a_write_that_cannot_get_the_lock_is_retried_then_saved(tmp_db, monkeypatch, caplog):
    """Busy timeout 0.2 s, lock held 0.6 s: the first attempt gives up, a retry saves."""
    token = store.create_workspace()
    monkeypatch.setattr(database, "BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr(database, "RETRY_PAUSE", 0.3)
    thread, _ = hold_write_lock(tmp_db, 0.6)
    with caplog.at_level(logging.WARNING, logger="churn.workspace.database"):
        store.save_scenario(token, "Base", {"customers": 380})
    thread.join()
    assert "store busy (attempt 1 of 3)" in caplog.text
    assert [s["params"] for s in store.list_scenarios(token)] == [{"customers": 380}]


def test_a_lock_that_never_comes_free_ends_in_one_plain_sentence(tmp_db, monkeypatch):
    token = store.create_workspace()
    monkeypatch.setattr(database, "BUSY_TIMEOUT", 0.1)
    monkeypatch.setattr(database, "RETRY_PAUSE", 0.05)
    thread, _ = hold_write_lock(tmp_db, 1.5)
    with pytest.raises(WorkspaceError, match="^The workspace store is busy .*nothing was lost, try again"):
        store.save_scenario(token, "Base", {"customers": 380})
    thread.join()
    assert store.list_scenarios(token) == []


def test_readers_are_not_blocked_by_a_writer(tmp_db):
    """While another connection holds the write lock, reads answer at once with the last committed state."""
    token = store.create_workspace()
    store.save_scenario(token, "Base", {"customers": 380})
    thread, _ = hold_write_lock(tmp_db, 2.0)
    started = time.monotonic()
    names = [s["name"] for s in store.list_scenarios(token)]
    exists = store.workspace_exists("held-by-another-1")
    assert time.monotonic() - started < 1.0
    thread.join()
    assert names == ["Base"] and not exists  # the other connection's insert was never committed


def test_many_threads_writing_at_once_all_land(tmp_db):
    """Eight threads save ten scenarios each into one workspace: no lock error, nothing lost."""
    token = store.create_workspace()
    errors = []

    def save(worker: int) -> None:
        try:
            for i in range(10):
                store.save_scenario(token, f"w{worker}-{i}", {"i": i})
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.list_scenarios(token)) == 80
