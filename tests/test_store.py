"""Workspaces in SQLite: round trips, isolation, atomic writes, hostile tokens."""

import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import WorkspaceError
from churn.workspace import store


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


def test_a_failed_save_leaves_nothing_behind(tmp_db, monkeypatch):
    """The disk 'fills up' while the event table is written: the whole dataset rolls back."""
    token = store.create_workspace()
    store.save_dataset(token, small_dataset("first.csv"))
    real_write = store._write_frame

    def failing_write(db, table, frame):
        if table.endswith("_events"):
            raise OSError("disk full")
        return real_write(db, table, frame)

    monkeypatch.setattr(store, "_write_frame", failing_write)
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
