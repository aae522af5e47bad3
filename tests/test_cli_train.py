"""``python -m churn train`` on files it has never seen (churn/commands/train.py)."""

from __future__ import annotations

import json

import pytest

from churn.commands import train
from churn.commands.cli import main
from churn.model.persistence import load_bundle


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small generated sample (600 customers, seed 11) written as plain CSV files."""
    from churn.ingest.sample import write_sample

    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder, n_customers=600, seed=11)
    return folder / "customers.csv", folder / "events.csv"


def test_train_prints_metrics_and_writes_one_model_file(files, tmp_path, capsys):
    customers, events = files
    out = tmp_path / "model.zip"
    code = main(
        ["train", str(customers), "--events", str(events), "--model", str(out), "--speed", "fast", "--json"]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    for key in (*train.METRICS, "n_train", "n_test", "seconds", "features", "recommendation"):
        assert key in result, key
    assert result["validation"] == "out_of_time"
    assert result["horizon_days"] == 90
    assert set(result["baselines"]) == {"rule", "logistic"}
    assert {
        "column": "churn_reason",
        "reason": "flagged as a leakage suspect when the data was loaded",
    } in result["excluded_columns"]
    assert 0.5 < result["auc"] <= 1
    assert result["model_file"] == str(out)
    assert [p.name for p in tmp_path.iterdir()] == ["model.zip"]  # one file, nothing beside it
    model = load_bundle(out)
    assert model.metrics_["auc"] == pytest.approx(result["auc"], abs=1e-12)
    assert len(model.features_) == result["features"]
    assert model.horizon_days == 90


def test_text_output_lists_the_numbers(files, tmp_path, capsys):
    customers, events = files
    out = tmp_path / "m.zip"
    argv = ["train", str(customers), "--events", str(events), "--speed", "fast", "--horizon", "60"]
    assert main([*argv, "--model", str(out), "--lang", "nb"]) == 0
    lines = capsys.readouterr().out.splitlines()
    keys = [
        line.split()[0]
        for line in lines
        if line and not line.startswith((" ", "excluded", "model", "verdict"))
    ]
    assert keys[: len(train.METRICS)] == list(train.METRICS)
    assert "horizon_days" in keys and "baseline_logistic_auc" in keys and "baseline_rule_auc" in keys
    assert [line for line in lines if line.startswith("horizon_days")][0].split() == ["horizon_days", "60"]
    assert "excluded_columns:" in lines and f"modellen er skrevet til {out}" in lines
    assert lines[-1].startswith("verdict: ") and "CatBoost" in lines[-1]
    assert load_bundle(out).horizon_days == 60


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train"], "Give a customer table"),
        (["train", "{customers}", "--target", "nope"], "Column 'nope' is not in the customer table"),
        (["train", "{customers}", "--speed", "ludicrous"], "invalid choice: 'ludicrous'"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(files, capsys, argv, message):
    customers, _ = files
    argv = [a.format(customers=customers) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    if not message.startswith("invalid choice"):  # argparse's own errors carry a usage line
        assert err.startswith("error: ") and err.count("\n") == 1


def test_an_unwritable_model_path_is_one_line(files, tmp_path, capsys):
    customers, events = files
    out = tmp_path / "no" / "such" / "folder" / "model.zip"
    argv = ["train", str(customers), "--events", str(events), "--speed", "fast", "--model", str(out)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: Cannot write the model file '{out}' (")
    assert captured.err.endswith("; choose a writable path.\n") and captured.err.count("\n") == 1
    assert captured.out == "" and not out.exists()
