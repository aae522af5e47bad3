"""``python -m churn train`` and ``score`` on files they have never seen."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from churn.commands.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small generated sample written as plain CSV files."""
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
    for key in (
        "auc",
        "pr_auc",
        "accuracy",
        "precision",
        "recall",
        "fpr",
        "brier",
        "n_train",
        "n_test",
        "seconds",
    ):
        assert key in result
    assert result["validation"] == "out_of_time"
    assert set(result["baselines"]) == {"rule", "logistic"}
    assert {
        "column": "churn_reason",
        "reason": "flagged as a leakage suspect when the data was loaded",
    } in result["excluded_columns"]
    assert 0.5 < result["auc"] <= 1
    assert out.exists()

    scores = tmp_path / "scores.csv"
    code = main(["score", str(customers), "--events", str(events), "--model", str(out), "--out", str(scores)])
    assert code == 0
    table = pd.read_csv(scores, encoding="utf-8-sig")
    assert list(table.columns[:4]) == ["customer_id", "probability", "tier", "action"]
    raw = pd.read_csv(customers)
    assert len(table) == raw["cancel_date"].isna().sum()
    assert table["probability"].between(0, 1).all()
    assert "scored" in capsys.readouterr().out


def test_text_output_lists_the_numbers(files, capsys):
    customers, events = files
    assert main(["train", str(customers), "--events", str(events), "--speed", "fast"]) == 0
    text = capsys.readouterr().out
    assert "baseline_logistic_auc" in text and "excluded_columns:" in text and "verdict:" in text


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train"], "Give a customer table"),
        (["train", "{customers}", "--target", "nope"], "Column 'nope' is not in the customer table"),
        (["score", "{customers}", "--model", "{customers}", "--out", "x.csv"], "is not a model file"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(files, capsys, argv, message):
    customers, _ = files
    argv = [a.format(customers=customers) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
