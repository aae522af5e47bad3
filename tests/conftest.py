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


@pytest.fixture
def app_test(tmp_db, sample_dataset):
    """Factory for an AppTest of app.py on a temp workspace holding the sample dataset.

    ``at = app_test()`` returns an AppTest whose session already has the workspace token
    (``at.session_state["ws"]``), language ``"en"`` and the sample as current dataset;
    ``app_test(dataset=None)`` gives an empty workspace; ``app_test(lang="nb")`` Norwegian;
    ``app_test(dataset=other)`` any Dataset. Call ``at.switch_page("pages/x.py")`` then
    ``at.run()``. Put extra small things (e.g. a tiny trained model) in ``at.session_state``.
    """
    from streamlit.testing.v1 import AppTest

    from churn.workspace import store

    def make(dataset="sample", lang: str = "en", timeout: float = 60):
        token = store.create_workspace()
        data = sample_dataset if isinstance(dataset, str) else dataset
        dataset_id = store.save_dataset(token, data) if data is not None else None
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.session_state["ws"] = token
        at.session_state["lang"] = lang
        at.session_state["dataset_id"] = dataset_id
        return at

    os.chdir(ROOT)
    return make
