"""``python -m churn sample``: the seeded synthetic sample written as two CSV files (churn/commands/sample.py)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from churn.commands.cli import main


def sample(out, *options) -> int:
    return main(["sample", "--out", str(out), *options])


def test_cli_writes_and_reports_rows(tmp_path, capsys):
    assert sample(tmp_path, "--customers", "120", "--seed", "4") == 0
    out = capsys.readouterr().out
    found = re.fullmatch(
        rf"Wrote 120 customers \((\d+) churned\) and ([\d,]+) events to {re.escape(str(tmp_path))} \(seed 4\)\.\n",
        out,
    )
    assert found, out
    customers = pd.read_csv(tmp_path / "customers.csv")
    events = pd.read_csv(tmp_path / "events.csv")
    assert len(customers) == 120 and customers["customer_id"].is_unique
    assert int(found.group(1)) == customers["cancel_date"].notna().sum()
    assert int(found.group(2).replace(",", "")) == len(events)
    assert set(events["customer_id"]) <= set(customers["customer_id"])


@pytest.mark.parametrize("customers", ["1", "37", "150"])
def test_the_asked_number_of_customers_is_written(tmp_path, capsys, customers):
    assert sample(tmp_path, "--customers", customers, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["customers"] == int(customers) == len(pd.read_csv(tmp_path / "customers.csv"))
    assert result["events"] == len(pd.read_csv(tmp_path / "events.csv"))
    assert result["seed"] == 7  # the default, the one data/sample is made with
    assert {path: size for path, size in result["files"].items()} == {
        str(tmp_path / "customers.csv"): (tmp_path / "customers.csv").stat().st_size,
        str(tmp_path / "events.csv"): (tmp_path / "events.csv").stat().st_size,
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, capsys):
    for folder, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert sample(tmp_path / folder, "--customers", "100", "--seed", seed) == 0
    capsys.readouterr()
    for name in ("customers.csv", "events.csv"):
        a, b, c = ((tmp_path / f / name).read_bytes() for f in "abc")
        assert a == b, name
        assert a != c, name


def test_as_of_months_and_event_rate_shape_the_data(tmp_path, capsys):
    """Signups fall in the 12 months before 2025-06-30; a tenth of the event volume gives fewer events."""
    options = ["--customers", "150", "--seed", "3", "--as-of", "2025-06-30", "--months", "12"]
    assert sample(tmp_path / "full", *options, "--json") == 0
    full = json.loads(capsys.readouterr().out)
    assert sample(tmp_path / "tenth", *options, "--event-rate", "0.1", "--json") == 0
    tenth = json.loads(capsys.readouterr().out)
    customers = pd.read_csv(tmp_path / "full" / "customers.csv", parse_dates=["signup_date", "cancel_date"])
    assert customers["signup_date"].max() <= pd.Timestamp("2025-06-30")
    assert customers["signup_date"].min() >= pd.Timestamp("2025-06-30") - pd.DateOffset(months=12)
    assert customers["cancel_date"].dropna().max() <= pd.Timestamp("2025-06-30")
    assert 0 < tenth["events"] < full["events"]


@pytest.mark.parametrize(
    "options,message",
    [
        (["--customers", "-5"], "error: The number of customers must be between 1 and 5,000,000; got -5."),
        (["--customers", "0"], "error: The number of customers must be between 1 and 5,000,000; got 0."),
    ],
)
def test_bad_sizes_are_one_plain_sentence(tmp_path, capsys, options, message):
    assert sample(tmp_path, *options) == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "customers.csv").exists()


def test_out_is_required(capsys):
    assert main(["sample"]) == 2
    assert "the following arguments are required: --out" in capsys.readouterr().err
