"""Shared fixtures: a temporary workspace database, the sample dataset, an AppTest factory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tmp_db(tmp_path, monkeypatch) -> Path:
    """A fresh, empty workspace database used by churn.workspace.store for this test."""
    path = tmp_path / "workspaces.db"
    monkeypatch.setenv("CHURN_DB", str(path))
    return path


@pytest.fixture(scope="session")
def sample_dataset():
    """The committed sample (data/sample), loaded once per test session. Read-only."""
    from churn.ingest.intake import load_sample

    return load_sample()


@pytest.fixture(scope="session")
def tiny_model(sample_dataset):
    """A 20-tree ChurnModel on two snapshots of the sample, fitted once per session."""
    from churn.model.churn_model import ChurnModel

    return ChurnModel(iterations=20, n_cutoffs=2).fit(sample_dataset)


@pytest.fixture
def app_test(tmp_db, sample_dataset):
    """Factory for an AppTest of app.py on a temp workspace holding the sample dataset.

    ``at = app_test()`` returns an AppTest whose session already has the workspace token
    (``at.session_state["ws"]``), language ``"en"`` and the sample as current dataset;
    ``app_test(dataset=None)`` gives an empty workspace; ``app_test(lang="nb")`` Norwegian;
    ``app_test(dataset=other)`` any Dataset; ``app_test(model=fitted)`` also saves a
    (tiny, pre-trained) model for the dataset in the workspace, where the pages find it,
    as they would after training. Call ``at.switch_page("pages/x.py")`` then ``at.run()``.
    """
    from streamlit.testing.v1 import AppTest

    from churn.workspace import store

    def make(dataset="sample", lang: str = "en", timeout: float = 60, model=None):
        token = store.create_workspace()
        data = sample_dataset if isinstance(dataset, str) else dataset
        dataset_id = store.save_dataset(token, data) if data is not None else None
        if model is not None:
            save_model(token, dataset_id, model)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.session_state["ws"] = token
        at.session_state["lang"] = lang
        at.session_state["dataset_id"] = dataset_id
        return at

    os.chdir(ROOT)
    return make


def save_model(token: str, dataset_id: int, model) -> int:
    """Store a fitted model for a dataset, as a finished training job does; returns its id."""
    from churn.model.persistence import model_record
    from churn.workspace import store

    record = model_record(model)
    return store.save_model(
        token, dataset_id, record["model_bytes"], record["settings"], record["metrics"], record["features"]
    )
