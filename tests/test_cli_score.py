"""``python -m churn score``: every active customer of a file scored with a saved model (churn/commands/score.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from churn.act.scoring import score_customers
from churn.commands.cli import main
from churn.ingest.intake import load_files
from churn.model.persistence import load_bundle, save_bundle

COLUMNS = ["customer_id", "probability", "tier", "action", "action_auto", "value_at_risk"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small generated sample (600 customers, seed 11) written as plain CSV files."""
    from churn.ingest.sample import write_sample

    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder, n_customers=600, seed=11)
    return folder / "customers.csv", folder / "events.csv"


@pytest.fixture(scope="module")
def bundle(files, tmp_path_factory):
    """A 20-tree model trained on the files and saved as a model file, as ``train --model`` does."""
    from churn.model.churn_model import ChurnModel

    model = ChurnModel(iterations=20, n_cutoffs=2).fit(load_files(*files))
    path = tmp_path_factory.mktemp("model") / "model.zip"
    save_bundle(model, path)
    return path


def run_score(files, bundle, out, *options) -> int:
    customers, events = files
    return main(
        [
            "score",
            str(customers),
            "--events",
            str(events),
            "--model",
            str(bundle),
            "--out",
            str(out),
            *options,
        ]
    )


def read(out) -> pd.DataFrame:
    return pd.read_csv(out, encoding="utf-8-sig", dtype={"customer_id": str})


def test_score_writes_one_row_per_active_customer(files, bundle, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert run_score(files, bundle, out) == 0
    table = read(out)
    assert table.columns.tolist() == COLUMNS
    raw = pd.read_csv(files[0])
    active = raw.loc[raw["cancel_date"].isna(), "customer_id"]
    assert sorted(table["customer_id"]) == sorted(active) and table["customer_id"].is_unique
    assert table["probability"].between(0, 1).all() and table["probability"].is_monotonic_decreasing
    p, tier = table["probability"], table["tier"]
    assert (tier[p >= 0.7] == "high").all() and (tier[p < 0.3] == "none").all()
    assert set(table.loc[tier == "high", "action"]) <= {"Executive conversation within 48 hours"}
    counts = tier.value_counts()
    assert capsys.readouterr().out.splitlines() == [
        f"scored {len(table):,} active customers -> {out}",
        f"high {counts.get('high', 0):,} · medium {counts.get('medium', 0):,} · low {counts.get('low', 0):,}",
    ]


def test_the_file_holds_what_score_customers_computes(files, bundle, tmp_path):
    """Probabilities rounded to 4 decimals and value at risk (p × 12 × monthly value) to whole numbers."""
    out = tmp_path / "scores.csv"
    assert run_score(files, bundle, out) == 0
    expected = score_customers(load_bundle(bundle), load_files(*files))
    table = read(out)
    assert table["customer_id"].tolist() == expected["customer_id"].astype(str).tolist()
    np.testing.assert_allclose(table["probability"], expected["probability"], rtol=0, atol=5e-5)
    np.testing.assert_allclose(table["value_at_risk"], expected["value_at_risk"], rtol=0, atol=0.5)
    assert table["tier"].tolist() == expected["tier"].tolist()


def test_reasons_and_norwegian_actions(files, bundle, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert run_score(files, bundle, out, "--reasons", "2", "--lang", "nb", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    table = read(out)
    assert table.columns.tolist() == [*COLUMNS, "reason_1", "reason_2"]
    assert table["reason_1"].notna().all()
    assert set(table.loc[table["tier"] == "high", "action"]) <= {"Ledersamtale innen 48 timer"}
    counts = table["tier"].value_counts()
    assert summary == {
        "out": str(out),
        "customers": len(table),
        "high": int(counts.get("high", 0)),
        "medium": int(counts.get("medium", 0)),
        "low": int(counts.get("low", 0)),
    }


@pytest.mark.parametrize(
    "options,message",
    [
        (["--model", "{customers}"], "is not a model file"),
        (["--reasons", "11"], "--reasons must be between 0 and 10."),
        (["--reasons", "-1"], "--reasons must be between 0 and 10."),
        (["--out", "{tmp}/no/such/folder/scores.csv"], "Cannot write '"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(files, bundle, tmp_path, capsys, options, message):
    customers, events = files
    argv = [
        "score",
        str(customers),
        "--events",
        str(events),
        "--model",
        str(bundle),
        "--out",
        str(tmp_path / "scores.csv"),
    ]
    argv = [a.format(customers=customers, tmp=tmp_path) for a in [*argv, *options]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "scores.csv").exists()


def test_data_without_the_models_columns_is_refused(files, bundle, tmp_path, capsys):
    """The model learnt from the event log too; the customer table alone lacks the event features."""
    out = tmp_path / "scores.csv"
    assert main(["score", str(files[0]), "--model", str(bundle), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Column '") and "other model columns are missing" in err
    assert err.count("\n") == 1 and not out.exists()


def test_model_and_out_are_required(files, capsys):
    assert main(["score", str(files[0])]) == 2
    assert "the following arguments are required: --model, --out" in capsys.readouterr().err
