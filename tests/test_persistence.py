"""Saving and loading a fitted ChurnModel: workspace records, model files, train-and-store."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import ModelError
from churn.model.churn_model import ChurnModel
from churn.model.persistence import (
    FORMAT_VERSION,
    load_bundle,
    model_from_record,
    model_record,
    save_bundle,
    train_and_save,
)
from churn.workspace import store


def table_dataset(n: int = 200, seed: int = 0) -> Dataset:
    """A seeded customer table without dates or events: the monthly plan leaves more often."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["monthly", "annual"], n)
    customers = pd.DataFrame(
        {
            "customer_id": [f"K{i}" for i in range(n)],
            "churned": (rng.random(n) < np.where(plan == "monthly", 0.45, 0.1)).astype(int),
            "tenure_months": rng.uniform(1, 40, n).round(1),
            "monthly_value": rng.uniform(100, 900, n).round(0),
            "plan": plan,
        }
    )
    return Dataset(
        customers=customers,
        events=None,
        mapping=RoleMapping(customer_id="customer_id", churn_label="churned"),
        attributes=["plan"],
        categorical=["plan"],
        leakage=[],
        as_of=None,
        churn_definition="label",
    )


def stored(record: dict, model_id: int = 7) -> dict:
    """The dict store.latest_model returns for a saved record (bytes under ``model``)."""
    return {
        "id": model_id,
        "created": "2026-06-30T12:00:00",
        "model": record["model_bytes"],
        **{k: record[k] for k in ("settings", "metrics", "features")},
    }


@pytest.fixture(scope="module")
def scoring_rows(tiny_model, sample_dataset) -> pd.DataFrame:
    return tiny_model.scoring_features(sample_dataset)


# ---------------------------------------------------------------- records


def test_a_record_round_trip_predicts_and_reports_the_same(tiny_model, sample_dataset, scoring_rows):
    record = model_record(tiny_model)
    again = model_from_record(stored(record))
    np.testing.assert_allclose(
        again.predict_proba(again.scoring_features(sample_dataset)),
        tiny_model.predict_proba(scoring_rows),
        rtol=0,
        atol=1e-12,
    )
    assert again.record_id_ == 7
    assert again.features_ == tiny_model.features_
    assert again.metrics_ == tiny_model.metrics_
    assert again.baselines_ == tiny_model.baselines_
    assert (again.mode_, again.cutoff_) == (tiny_model.mode_, tiny_model.cutoff_)
    assert again.cat_features_ == list(tiny_model.cat_features_)
    assert again.excluded_ == dict(tiny_model.excluded_)
    assert again.get_params() == tiny_model.get_params()
    pd.testing.assert_frame_equal(again.test_frame_, tiny_model.test_frame_.round(5), check_dtype=False)
    assert again.rule_.to_dict() == json.loads(json.dumps(tiny_model.rule_.to_dict()))
    assert (again.calibration_, again.quality_) == (tiny_model.calibration_, tiny_model.quality_)


def test_a_record_is_json_ready_and_names_its_format(tiny_model):
    """Settings and metrics go to SQLite as JSON: they must survive json without a default."""
    record = model_record(tiny_model)
    assert record["settings"]["format"] == FORMAT_VERSION
    assert json.loads(json.dumps(record["settings"]))["cutoff"] == record["settings"]["cutoff"]
    assert json.loads(json.dumps(record["metrics"])) == record["metrics"]
    assert record["features"] == tiny_model.features_


def test_unreadable_model_bytes_are_a_model_error(tiny_model):
    record = {**model_record(tiny_model), "model_bytes": b"not a catboost model"}
    with pytest.raises(ModelError, match="The saved model cannot be read; train the model again."):
        model_from_record(stored(record))


@pytest.mark.parametrize("write", [model_record, lambda model: save_bundle(model, "never.zip")])
def test_an_unfitted_model_cannot_be_saved(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match="has not been trained yet; train it"):
        write(ChurnModel(iterations=20))
    assert not (tmp_path / "never.zip").exists()


# ---------------------------------------------------------------- model files


def test_a_bundle_round_trip_predicts_the_same(tiny_model, scoring_rows, tmp_path):
    path = tmp_path / "model.zip"
    save_bundle(tiny_model, path)
    with zipfile.ZipFile(path) as bundle:
        assert sorted(bundle.namelist()) == ["model.cbm", "record.json"]  # no pickle inside
    loaded = load_bundle(path)
    np.testing.assert_allclose(
        loaded.predict_proba(scoring_rows), tiny_model.predict_proba(scoring_rows), rtol=0, atol=1e-12
    )
    assert loaded.metrics_ == tiny_model.metrics_ and loaded.features_ == tiny_model.features_


def write_text(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)


@pytest.mark.parametrize(
    "make",
    [
        None,  # the file does not exist
        lambda p: write_text(p, "customer_id,churned\nA,1\n"),  # a CSV, not a zip
        lambda p: write_zip(p, {"customers.csv": b"customer_id\nA\n"}),  # a zip without a model
        lambda p: write_zip(p, {"model.cbm": b"x"}),  # no record.json
        lambda p: write_zip(p, {"model.cbm": b"x", "record.json": b"{not json"}),
    ],
    ids=["missing", "not-a-zip", "wrong-zip", "no-record", "bad-json"],
)
def test_a_file_that_is_not_a_model_bundle_is_a_model_error(make, tmp_path):
    path = tmp_path / "model.zip"
    if make is not None:
        make(path)
    with pytest.raises(
        ModelError, match=r"is not a model file written by 'python -m churn train --model'"
    ) as info:
        load_bundle(path)
    assert str(path) in str(info.value)


def test_a_bundle_with_broken_model_bytes_says_so(tiny_model, tmp_path):
    path = tmp_path / "model.zip"
    save_bundle(tiny_model, path)
    with zipfile.ZipFile(path) as bundle:
        meta = bundle.read("record.json")
    write_zip(path, {"model.cbm": b"garbage", "record.json": meta})
    with pytest.raises(ModelError, match="cannot be read; train the model again"):
        load_bundle(path)


# ---------------------------------------------------------------- the workspace


def test_a_store_round_trip_predicts_the_same(tiny_model, scoring_rows, tmp_db):
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, table_dataset())
    record = model_record(tiny_model)
    model_id = store.save_model(
        token, dataset_id, record["model_bytes"], record["settings"], record["metrics"], record["features"]
    )
    loaded = model_from_record(store.latest_model(token, dataset_id))
    assert loaded.record_id_ == model_id
    np.testing.assert_allclose(
        loaded.predict_proba(scoring_rows), tiny_model.predict_proba(scoring_rows), rtol=0, atol=1e-12
    )


def test_train_and_save_stores_the_model_in_the_workspace(tmp_db):
    data = table_dataset()
    token = store.create_workspace()
    dataset_id = store.save_dataset(token, data)
    assert store.latest_model_id(token, dataset_id) is None
    reports: list[float] = []
    model, model_id = train_and_save(
        data,
        token,
        dataset_id,
        {"iterations": 20, "thread_count": 2, "random_seed": 0},
        progress=lambda fraction, message: reports.append(fraction),
    )
    assert store.latest_model_id(token, dataset_id) == model_id == model.record_id_
    assert reports and all(0.0 <= f <= 1.0 for f in reports)
    loaded = model_from_record(store.latest_model(token, dataset_id))
    X = model.scoring_features(data)
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-12)
    assert loaded.metrics_ == model.metrics_
