"""Workspaces in SQLite, rows in shared Parquet frames: exact round trips, sharing, isolation, crashes, migration."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from churn.core.dataset import CANONICAL_EVENT_COLUMNS, Dataset, RoleMapping
from churn.core.errors import WorkspaceError
from churn.engine.connection import connect as engine_connect
from churn.engine.connection import event_view
from churn.ingest.intake import build_dataset
from churn.workspace import frames, store

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_NAMES = [
    '"; drop table x; --',
    "![x](http://h/a.png)",
    "[brackets] and ]]",
    'it\'s "quoted"',
    "Månedsbeløp æøå – 客户",
    "c0",
    "Ønsket?",
    "1st date",
    "a.b",
]


def small_dataset(name="kunder.csv") -> Dataset:
    customers = pd.DataFrame(
        {
            "customer_id": ["K1", "K2", "K3"],
            "start_date": pd.to_datetime(["2024-01-05", "2024-02-01", None]),
            "end_date": pd.to_datetime([None, "2024-06-30", None]),
            "churned": [0, 1, 0],
            "tenure_months": [10.5, 4.9, None],
            "monthly_value": [1200.5, 800.0, None],
            "Bransje": ["Bygg og anlegg", "Helse", np.nan],
            "Antall ansatte": pd.array([12, None, 3], dtype="Int64"),
        }
    )
    events = pd.DataFrame(
        {
            "customer_id": ["K1", "K2"],
            "timestamp": pd.to_datetime(["2024-03-01 08:30", "2024-05-02 12:00"]),
            "event_type": ["order", "payment"],
            "event_type_raw": ["Ordre", "Betaling æøå"],
            "amount": [100.0, None],
            "days_late": [None, 7.0],
        }
    )
    return Dataset(
        customers=customers,
        events=events,
        mapping=RoleMapping(customer_id="Kundenr", segments=("Bransje",), event_type_map={"Ordre": "order"}),
        attributes=["Bransje", "Antall ansatte"],
        categorical=["Bransje"],
        leakage=[],
        as_of=pd.Timestamp("2024-10-31"),
        churn_definition="end_date",
        name=name,
    )


def mixed_dataset(names: list[str] = HOSTILE_NAMES) -> Dataset:
    """The small dataset plus a bool, a categorical and one text column per (odd) name."""
    base = small_dataset()
    customers = base.customers.assign(
        active=[True, False, True],
        plan=pd.Categorical(["pluss", None, "basis"], categories=["basis", "pluss", "premium"]),
    )
    extra = pd.DataFrame({name: ["a", np.nan, "c"] for name in names})
    customers = pd.concat([customers, extra], axis=1)
    return base.evolve(customers=customers, attributes=[*base.attributes, "active", "plan", *names])


def stored_files(db_file: Path) -> set[str]:
    return frames.stored_hashes(store.rows_folder(db_file))


def test_dataset_round_trip_keeps_names_dtypes_values_and_mapping(tmp_db):
    token = store.create_workspace()
    original = mixed_dataset()
    loaded = store.load_dataset(token, store.save_dataset(token, original))
    pd.testing.assert_frame_equal(loaded.customers, original.customers, check_exact=True)
    pd.testing.assert_frame_equal(loaded.events, original.events, check_exact=True)
    assert list(loaded.customers["plan"].cat.categories) == ["basis", "pluss", "premium"]
    assert loaded.mapping == original.mapping
    assert (loaded.as_of, loaded.attributes, loaded.categorical, loaded.name) == (
        original.as_of,
        original.attributes,
        original.categorical,
        "kunder.csv",
    )


def test_the_event_file_holds_exactly_the_canonical_columns_and_the_engine_reads_it(tmp_db):
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, small_dataset())
    lazy = store.load_dataset(token, dataset_id, with_events=False)
    assert lazy.events is None and lazy.has_events
    assert lazy.event_path.parent == store.rows_folder() and lazy.event_path.exists()
    assert pq.read_schema(lazy.event_path).names == list(CANONICAL_EVENT_COLUMNS)
    with engine_connect(threads=1) as con:
        assert event_view(con, lazy) == 2
        assert con.sql("select sum(amount), sum(days_late) from events").fetchone() == (100.0, 7.0)
    assert store.load_dataset(token, dataset_id).event_path == lazy.event_path


def test_a_dataset_without_events_loads_without_events(tmp_db):
    token = store.create_workspace()
    loaded = store.load_dataset(token, store.save_dataset(token, small_dataset().evolve(events=None)))
    assert loaded.events is None and loaded.event_path is None and not loaded.has_events


def test_events_kept_on_disk_are_stored_by_their_bytes_and_shared(tmp_db):
    """A dataset loaded without its events saves again without a copy of the file."""
    token = store.create_workspace()
    lazy = store.load_dataset(token, store.save_dataset(token, small_dataset()), with_events=False)
    before = stored_files(tmp_db)
    again = store.load_dataset(token, store.save_dataset(token, lazy.evolve(name="again")))
    assert stored_files(tmp_db) == before and again.event_path == lazy.event_path
    pd.testing.assert_frame_equal(again.events, small_dataset().events)


def test_an_event_file_with_other_columns_is_refused(tmp_db, tmp_path):
    log = tmp_path / "log.parquet"
    pq.write_table(pa.table({"kunde": ["K1"], "tid": ["2024-01-01"]}), log)
    token = store.create_workspace()
    with pytest.raises(
        WorkspaceError, match="log.parquet has the columns kunde, tid; it needs exactly customer_id"
    ):
        store.save_dataset(token, small_dataset().evolve(events=None, event_path=log))


def test_workspaces_are_isolated(tmp_db):
    mine, theirs = store.create_workspace(), store.create_workspace()
    dataset_id = store.save_dataset(mine, small_dataset())
    store.save_scenario(mine, "Base", {"customers": 380})
    assert store.list_datasets(theirs) == [] and store.list_scenarios(theirs) == []
    with pytest.raises(WorkspaceError, match="not in this workspace"):
        store.load_dataset(theirs, dataset_id)
    with pytest.raises(WorkspaceError, match="not in this workspace"):
        store.delete_dataset(theirs, dataset_id)
    assert store.load_dataset(mine, dataset_id).name == "kunder.csv"


def test_the_sample_saved_by_two_workspaces_is_one_file_each_for_customers_and_events(tmp_db, sample_dataset):
    mine, theirs = store.create_workspace(), store.create_workspace()
    my_id, their_id = store.save_dataset(mine, sample_dataset), store.save_dataset(theirs, sample_dataset)
    (my_row,), (their_row,) = store.list_datasets(mine), store.list_datasets(theirs)
    assert (my_row["customer_frame"], my_row["event_frame"]) == (
        their_row["customer_frame"],
        their_row["event_frame"],
    )
    assert stored_files(tmp_db) == {my_row["customer_frame"], my_row["event_frame"]}
    with store.connect() as db:
        assert db.execute("select hash, rows from frames order by rows").fetchall() == [
            (my_row["customer_frame"], 3000),
            (my_row["event_frame"], len(sample_dataset.events)),
        ]
    theirs_loaded = store.load_dataset(theirs, their_id)
    pd.testing.assert_frame_equal(theirs_loaded.customers, sample_dataset.customers, check_exact=True)
    pd.testing.assert_frame_equal(theirs_loaded.events, sample_dataset.events, check_exact=True)

    store.delete_dataset(mine, my_id)
    assert store.list_datasets(theirs)[0]["id"] == their_id and len(stored_files(tmp_db)) == 2
    pd.testing.assert_frame_equal(store.load_dataset(theirs, their_id).events, sample_dataset.events)

    store.delete_dataset(theirs, their_id)
    assert stored_files(tmp_db) == set()
    with store.connect() as db:
        assert db.execute("select count(*) from frames").fetchone() == (0,)


def test_workspaces_on_the_shared_sample_share_one_stored_copy_and_stay_isolated(tmp_db, sample_dataset):
    """The sample is stored once for everyone; what one workspace saves on it, the other never sees."""
    sample = store.save_shared_dataset(sample_dataset)
    assert store.save_shared_dataset(sample_dataset) == sample  # found by content: nothing written
    mine, theirs = store.new_token(), store.new_token()
    assert not store.workspace_exists(mine)  # a token alone writes nothing
    for token in (mine, theirs):
        (row,) = store.list_datasets(token, shared=[sample])
        assert row["id"] == sample and row["shared"] and row["customers"] == 3000
        pd.testing.assert_frame_equal(store.load_dataset(token, sample).events, sample_dataset.events)
    assert not store.workspace_exists(mine) and not store.workspace_exists(theirs)  # looking writes nothing
    with store.connect() as db:
        assert db.execute("select count(*) from datasets").fetchone() == (1,)
    assert len(stored_files(tmp_db)) == 2

    model = store.save_model(mine, sample, b"cbm", {}, {"auc": 0.9}, [])
    store.save_scenario(mine, "Base", {"customers": 380})
    own = store.save_dataset(mine, small_dataset())
    assert store.workspace_exists(mine) and not store.workspace_exists(theirs)
    assert store.latest_model_id(mine, sample) == model and store.latest_model_id(theirs, sample) is None
    assert (
        store.list_scenarios(theirs) == [] and store.list_datasets(theirs, shared=[sample])[0]["id"] == sample
    )
    with pytest.raises(WorkspaceError, match="not in this workspace"):
        store.load_dataset(theirs, own)
    with pytest.raises(WorkspaceError, match="not in this workspace"):
        store.delete_dataset(mine, sample)  # shared means read-only, for its users too
    with pytest.raises(WorkspaceError, match="not in this workspace"):
        store.save_model(theirs, own, b"cbm", {}, {}, [])


def test_content_names_the_data_not_the_workspace_or_the_name(tmp_db):
    """Same rows and mapping: one content, whoever saved it under whatever name; another mapping: another."""
    mine, theirs = store.create_workspace(), store.create_workspace()
    store.save_dataset(mine, small_dataset("kunder.csv"))
    store.save_dataset(theirs, small_dataset("customers.csv"))
    other = small_dataset().evolve(mapping=RoleMapping(customer_id="customer_id"))
    store.save_dataset(theirs, other)
    (a,), (c, b) = store.list_datasets(mine), store.list_datasets(theirs)
    assert a["content"] == b["content"] != c["content"]
    assert store.dataset_row(theirs, b["id"]) == b


def test_a_missing_file_is_a_plain_sentence(tmp_db):
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, small_dataset())
    (row,) = store.list_datasets(token)
    frames.remove_frame(store.rows_folder(), row["event_frame"])
    for with_events in (True, False):
        with pytest.raises(
            WorkspaceError, match="^The stored rows of dataset 'kunder.csv' are missing; load the file"
        ):
            store.load_dataset(token, dataset_id, with_events=with_events)


def _fail_on_events(monkeypatch) -> None:
    """Make the frame writer fail ('disk full') when it reaches the event log."""
    real_write = frames.write_frame

    def failing_write(folder, frame):
        if "event_type" in frame:
            raise OSError("disk full")
        return real_write(folder, frame)

    monkeypatch.setattr(frames, "write_frame", failing_write)


def test_a_failed_save_leaves_nothing_behind(tmp_db, monkeypatch):
    """The disk 'fills up' while the event log is written: no dataset, and its customer file is gone."""
    token = store.create_workspace()
    store.save_dataset(token, small_dataset("first.csv"))
    kept = stored_files(tmp_db)
    _fail_on_events(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        store.save_dataset(token, mixed_dataset())
    assert [d["name"] for d in store.list_datasets(token)] == ["first.csv"]
    assert stored_files(tmp_db) == kept
    with store.connect() as db:
        assert {h for (h,) in db.execute("select hash from frames")} == kept


def test_a_file_deleted_between_write_and_commit_is_written_again(tmp_db, monkeypatch):
    """As when another workspace deletes the last dataset using the same rows at that moment."""
    real_write, written = frames.write_frame, []

    def write_then_lose(folder, frame):
        digest = real_write(folder, frame)
        if not written:
            frames.remove_frame(folder, digest)
        written.append(digest)
        return digest

    monkeypatch.setattr(frames, "write_frame", write_then_lose)
    token = store.create_workspace()
    loaded = store.load_dataset(token, store.save_dataset(token, small_dataset()))
    assert len(written) == 4 and written[:2] == written[2:]
    pd.testing.assert_frame_equal(loaded.customers, small_dataset().customers)


@pytest.mark.parametrize(
    "token", ["", "short", "../../etc/passwd", "x" * 65, "<script>alert(1)</script>", None]
)
def test_hostile_tokens_are_rejected_not_crashing(tmp_db, token):
    assert not store.workspace_exists(token)
    with pytest.raises(WorkspaceError, match="not valid"):
        store.list_datasets(token)
    with pytest.raises(WorkspaceError, match="not valid"):
        store.save_dataset(token, small_dataset())
    assert not store.rows_folder().exists()


def test_models_scenarios_and_settings(tmp_db):
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, small_dataset())
    assert store.latest_model(token, dataset_id) is None
    assert store.latest_model_id(token, dataset_id) is None
    store.save_model(token, dataset_id, b"cbm-1", {"horizon": 90}, {"auc": 0.8}, ["a"])
    store.save_model(token, dataset_id, b"cbm-2", {"horizon": 60}, {"auc": 0.9}, ["a", "b"])
    latest = store.latest_model(token, dataset_id)
    assert (latest["model"], latest["metrics"], latest["features"]) == (b"cbm-2", {"auc": 0.9}, ["a", "b"])
    assert store.latest_model_id(token, dataset_id) == latest["id"]
    store.save_scenario(token, "Base", {"c": 1})
    store.save_scenario(token, "Base", {"c": 2})
    assert store.list_scenarios(token)[0]["params"] == {"c": 2}
    store.delete_scenario(token, "Base")
    assert store.list_scenarios(token) == []
    assert store.update_settings(token, lang="nb") == {"lang": "nb"}
    assert store.get_settings(token) == {"lang": "nb"}
    store.delete_dataset(token, dataset_id)
    assert store.list_datasets(token) == [] and store.latest_model(token, dataset_id) is None


# ---------------------------------------------------------------- wide frames


def wide_customers(columns: int = 5000, rows: int = 30) -> pd.DataFrame:
    """A seeded customer table: an id, a 0/1 churn column and ``columns - 2`` numbers."""
    rng = np.random.default_rng(5000)
    numbers = rng.normal(100, 15, size=(rows, columns - 2)).round(2)
    numbers[rng.random(size=numbers.shape) < 0.01] = np.nan
    return pd.concat(
        [
            pd.DataFrame(
                {"customer_id": [f"K{i:03d}" for i in range(rows)], "churned": [i % 2 for i in range(rows)]}
            ),
            pd.DataFrame(numbers, columns=[f"f{j:04d}" for j in range(1, columns - 1)]),
        ],
        axis=1,
    )


@pytest.mark.slow
def test_a_5000_column_table_goes_through_build_save_and_load(tmp_db):
    """5,000 columns is past SQLite's 2,000-column limit; a Parquet file has none."""
    raw = wide_customers()
    dataset = build_dataset(
        raw, None, RoleMapping(customer_id="customer_id", churn_label="churned"), name="wide"
    )
    token = store.create_workspace()
    loaded = store.load_dataset(token, store.save_dataset(token, dataset))
    pd.testing.assert_frame_equal(loaded.customers, dataset.customers, check_exact=True)
    assert loaded.customers.shape == (30, 5001) and loaded.attributes == dataset.attributes
    with store.connect() as db:
        assert db.execute("select rows, columns from frames").fetchall() == [(30, 5001)]


def test_a_wide_table_keeps_hostile_column_names(tmp_db):
    """Quotes, brackets, SQL, markdown and non-ASCII in headers survive build, save and load."""
    names = dict(zip([f"f{j:04d}" for j in range(1, len(HOSTILE_NAMES) + 1)], HOSTILE_NAMES, strict=True))
    customers = wide_customers(columns=1200, rows=4).rename(columns=names)
    dataset = build_dataset(customers, None, RoleMapping(customer_id="customer_id", churn_label="churned"))
    token = store.create_workspace()
    loaded = store.load_dataset(token, store.save_dataset(token, dataset))
    pd.testing.assert_frame_equal(loaded.customers, dataset.customers, check_exact=True)
    assert [c for c in loaded.customers.columns if c in HOSTILE_NAMES] == HOSTILE_NAMES
    with store.connect() as db:
        assert "x" not in db.table_names()


# ---------------------------------------------------------------- crash safety

SAVE_FOREVER = """
import sys
import numpy as np, pandas as pd
from churn.core.dataset import Dataset, RoleMapping
from churn.workspace import store

db, token = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
n, m = 3000, 250_000
ids = np.array([f"C{i:05d}" for i in range(n)], dtype=object)
customers = pd.DataFrame({"customer_id": ids, "churned": rng.integers(0, 2, n), "monthly_value": rng.normal(500, 50, n)})
events = pd.DataFrame({
    "customer_id": ids[rng.integers(0, n, m)],
    "timestamp": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 3e7, m), unit="s"),
    "event_type": np.array(["order", "login", "payment"], dtype=object)[rng.integers(0, 3, m)],
    "event_type_raw": "raw",
    "amount": rng.normal(100, 10, m),
    "days_late": np.nan,
})
for i in range(10_000):
    dataset = Dataset(customers.assign(monthly_value=customers["monthly_value"] + i), events.assign(amount=events["amount"] + i),
                      RoleMapping(customer_id="customer_id"), [], [], [], None, "label", name=f"save {i}")
    store.save_dataset(token, dataset, db)
    print(i, flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.15, 0.3, 0.45])
def test_a_save_killed_at_any_moment_leaves_a_sound_store(tmp_path, delay):
    """SIGKILL while a child saves 250,000-event datasets in a loop: the store stays whole.

    ``integrity_check`` is ok, no foreign key dangles, every listed dataset loads with
    all its rows (no half-written dataset is visible), the store takes new saves, and
    what the killed save left (an unreferenced file) goes once it is a day old.
    """
    db_file = tmp_path / "workspaces.db"
    token = store.create_workspace(db_file)
    child = subprocess.Popen(
        [sys.executable, "-c", SAVE_FOREVER, str(db_file), token], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "0"  # one save done: the next one is under way
        time.sleep(delay)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    with store.connect(db_file) as db:
        assert db.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert db.execute("pragma foreign_key_check").fetchall() == []
    listed = store.list_datasets(token, db_file)
    assert listed
    for row in listed:
        loaded = store.load_dataset(token, row["id"], db_file)
        assert (len(loaded.customers), len(loaded.events)) == (3000, 250_000)
    referenced = {row[key] for row in listed for key in ("customer_frame", "event_frame")}
    strays = [p for p in store.rows_folder(db_file).iterdir() if p.stem not in referenced]
    assert len(strays) <= 2  # at most the killed save's own files (or its temporary file)
    store.save_dataset(token, small_dataset(), db_file)
    day_ago = time.time() - frames.STALE_SECONDS - 60
    for path in strays:
        os.utime(path, (day_ago, day_ago))
    for row in store.list_datasets(token, db_file):
        store.delete_dataset(token, row["id"], db_file)
    assert list(store.rows_folder(db_file).iterdir()) == []
