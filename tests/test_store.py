"""Workspaces in SQLite: round trips (narrow tables and wide Parquet frames), isolation, atomic writes, hostile tokens."""

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import WorkspaceError
from churn.ingest.intake import build_dataset
from churn.workspace import store

HOSTILE_NAMES = [
    '"; drop table x; --',
    "![x](http://h/a.png)",
    "[brackets] and ]]",
    'it\'s "quoted"',
    "Månedsbeløp æøå – 客户",
    "c0",
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
            "Bransje": ["Bygg og anlegg", "Helse", None],
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


def test_dataset_round_trip_keeps_values_types_and_mapping(tmp_db):
    token = store.create_workspace()
    original = small_dataset()
    loaded = store.load_dataset(token, store.save_dataset(token, original))
    pd.testing.assert_frame_equal(
        loaded.customers.astype(object).where(loaded.customers.notna(), None),
        original.customers.astype(object).where(original.customers.notna(), None),
    )
    pd.testing.assert_frame_equal(loaded.events, original.events, check_dtype=False)
    assert loaded.customers["start_date"].dtype.kind == "M"
    assert loaded.customers["churned"].dtype.kind == "i"
    assert loaded.mapping == original.mapping
    assert (loaded.as_of, loaded.attributes, loaded.name) == (
        original.as_of,
        original.attributes,
        "kunder.csv",
    )


def test_workspaces_are_isolated(tmp_db):
    mine, theirs = store.create_workspace(), store.create_workspace()
    dataset_id = store.save_dataset(mine, small_dataset())
    store.save_scenario(mine, "Base", {"customers": 380})
    assert store.list_datasets(theirs) == [] and store.list_scenarios(theirs) == []
    with pytest.raises(WorkspaceError, match="not in this workspace"):
        store.load_dataset(theirs, dataset_id)


def _fail_on_events(monkeypatch) -> None:
    """Make the store's frame writer fail ('disk full') when it reaches the event table."""
    real_write = store._write_frame

    def failing_write(db, dataset_id, part, frame):
        if part == "events":
            raise OSError("disk full")
        return real_write(db, dataset_id, part, frame)

    monkeypatch.setattr(store, "_write_frame", failing_write)


def test_a_failed_save_leaves_nothing_behind(tmp_db, monkeypatch):
    """The disk 'fills up' while the event table is written: the whole dataset rolls back."""
    token = store.create_workspace()
    store.save_dataset(token, small_dataset("first.csv"))
    _fail_on_events(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        store.save_dataset(token, small_dataset("broken.csv"))
    assert [d["name"] for d in store.list_datasets(token)] == ["first.csv"]
    with store.connect() as db:
        assert not [t for t in db.table_names() if t.startswith("ds2_")]


@pytest.mark.parametrize(
    "token", ["", "short", "../../etc/passwd", "x" * 65, "<script>alert(1)</script>", None]
)
def test_hostile_tokens_are_rejected_not_crashing(tmp_db, token):
    assert not store.workspace_exists(token)
    with pytest.raises(WorkspaceError, match="not valid"):
        store.list_datasets(token)


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


# ---------------------------------------------------------------- wide frames (Parquet)


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


def mixed_dataset(names: list[str]) -> Dataset:
    """One column of every stored kind (date, int, nullable int, bool, float, text) per name group."""
    base = small_dataset()
    customers = base.customers.assign(active=[True, False, True])
    extra = pd.DataFrame({name: ["a", None, "c"] for name in names})
    customers = pd.concat([customers, extra], axis=1)
    return base.evolve(customers=customers, attributes=[*base.attributes, *names])


@pytest.mark.slow
def test_a_5000_column_table_goes_through_build_save_and_load(tmp_db):
    """5,000 columns is past SQLite's 2,000-column limit: stored as Parquet, read back equal."""
    raw = wide_customers()
    dataset = build_dataset(
        raw, None, RoleMapping(customer_id="customer_id", churn_label="churned"), name="wide"
    )
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, dataset)
    loaded = store.load_dataset(token, dataset_id)
    pd.testing.assert_frame_equal(loaded.customers, dataset.customers)
    assert loaded.customers.shape == (30, 5001) and loaded.attributes == dataset.attributes
    with store.connect() as db:
        assert db.execute("select part from dataset_frames").fetchall() == [("customers",)]
        assert f"ds{dataset_id}_customers" not in db.table_names()


@pytest.mark.parametrize("wide", [False, True], ids=["table", "parquet"])
def test_both_storages_read_back_the_same_names_values_and_dtypes(tmp_db, monkeypatch, wide):
    """A frame stored as a table and the same frame stored as Parquet load identically."""
    original = mixed_dataset(HOSTILE_NAMES)
    token = store.create_workspace()
    narrow = store.load_dataset(token, store.save_dataset(token, original))
    if wide:
        monkeypatch.setattr(store, "WIDE_COLUMNS", 3)
    loaded = store.load_dataset(token, store.save_dataset(token, original))
    with store.connect() as db:
        blobs = db.execute("select count(*) from dataset_frames").fetchone()[0]
    assert blobs == (2 if wide else 0)  # customers and events of the second save
    pd.testing.assert_frame_equal(loaded.customers, narrow.customers)
    pd.testing.assert_frame_equal(loaded.events, narrow.events)
    assert list(loaded.customers.columns[-len(HOSTILE_NAMES) :]) == HOSTILE_NAMES
    assert loaded.customers["active"].tolist() == [1, 0, 1]
    assert loaded.customers["Antall ansatte"].dtype == "Int64"
    assert loaded.customers[HOSTILE_NAMES[0]].fillna("<missing>").tolist() == ["a", "<missing>", "c"]
    assert loaded.attributes[-len(HOSTILE_NAMES) :] == HOSTILE_NAMES


def test_a_wide_table_keeps_hostile_column_names(tmp_db):
    """Quotes, brackets, SQL, markdown and non-ASCII in headers survive build, save and load."""
    names = dict(zip([f"f{j:04d}" for j in range(1, len(HOSTILE_NAMES) + 1)], HOSTILE_NAMES, strict=True))
    customers = wide_customers(columns=1200, rows=4).rename(columns=names)
    dataset = build_dataset(customers, None, RoleMapping(customer_id="customer_id", churn_label="churned"))
    token = store.create_workspace()
    loaded = store.load_dataset(token, store.save_dataset(token, dataset))
    pd.testing.assert_frame_equal(loaded.customers, dataset.customers)
    assert [c for c in loaded.customers.columns if c in HOSTILE_NAMES] == HOSTILE_NAMES
    assert loaded.customers[HOSTILE_NAMES[0]].tolist() == customers[HOSTILE_NAMES[0]].tolist()
    with store.connect() as db:
        assert (
            "x" not in db.table_names()
            and db.execute("select count(*) from dataset_frames").fetchone()[0] == 1
        )


def test_deleting_a_wide_dataset_deletes_its_parquet(tmp_db, monkeypatch):
    monkeypatch.setattr(store, "WIDE_COLUMNS", 3)
    token = store.create_workspace()
    kept, gone = (
        store.save_dataset(token, small_dataset("kept.csv")),
        store.save_dataset(token, small_dataset()),
    )
    store.delete_dataset(token, gone)
    with store.connect() as db:
        assert db.execute("select distinct dataset_id from dataset_frames").fetchall() == [(kept,)]
    assert store.load_dataset(token, kept).name == "kept.csv"


def test_a_failed_wide_save_leaves_no_parquet_behind(tmp_db, monkeypatch):
    """The customers' Parquet is written, then the events fail: the blob rolls back with the rest."""
    monkeypatch.setattr(store, "WIDE_COLUMNS", 3)
    token = store.create_workspace()
    _fail_on_events(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        store.save_dataset(token, small_dataset("broken.csv"))
    assert store.list_datasets(token) == []
    with store.connect() as db:
        assert db.execute("select count(*) from dataset_frames").fetchone()[0] == 0
