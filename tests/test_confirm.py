"""Confirming an upload in one step (the Data page's background job): build, profile, save."""

import pandas as pd
import pytest

from churn.core.dataset import RoleMapping
from churn.core.errors import ChurnError
from churn.ingest.confirm import confirm_upload
from churn.workspace import store


def customers() -> pd.DataFrame:
    """Four customers, two of whom left: a churn rate of 2 / 4 = 50 %."""
    return pd.DataFrame(
        {"kunde": ["K1", "K2", "K3", "K4"], "sluttet": ["ja", "nei", "ja", "nei"], "pris": [1, 2, 3, 4]}
    )


def test_an_upload_is_built_profiled_and_saved_with_its_steps_reported(tmp_db):
    token, steps = store.new_token(), []
    saved = confirm_upload(
        token,
        customers(),
        None,
        RoleMapping(customer_id="kunde", churn_label="sluttet"),
        "kunder.csv",
        "nb",
        progress=lambda fraction, step: steps.append((fraction, step)),
    )
    assert [step for _, step in steps] == ["build", "profile", "save"]
    assert [fraction for fraction, _ in steps] == sorted(fraction for fraction, _ in steps)
    assert (saved["name"], saved["customers"]) == ("kunder.csv", 4)
    assert saved["report"]["churn_rate"] == pytest.approx(0.5)
    (row,) = store.list_datasets(token)
    assert row["id"] == saved["id"] and row["customers"] == 4
    assert store.load_dataset(token, saved["id"]).mapping.churn_label == "sluttet"


def test_a_mapping_that_does_not_build_saves_nothing(tmp_db):
    token = store.new_token()
    with pytest.raises(ChurnError, match="'pris'"):
        confirm_upload(
            token, customers(), None, RoleMapping(customer_id="kunde", churn_label="pris"), "x.csv"
        )
    assert store.list_datasets(token) == [] and not store.workspace_exists(token)
