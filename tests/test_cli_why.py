"""``python -m churn why`` (churn/commands/why.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from churn.commands.cli import main
from churn.commands.common import Loaded
from churn.core.dataset import Dataset, RoleMapping

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


def _hand_dataset() -> Dataset:
    """100 monthly customers (60 left) and 100 annual (20 left); no event log."""
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(200)],
            "churned": [1] * 60 + [0] * 40 + [1] * 20 + [0] * 80,
            "contract": ["monthly"] * 100 + ["annual"] * 100,
        }
    )
    return Dataset(customers, None, RoleMapping(), ["contract"], ["contract"], [], None, "label", "hand")


@pytest.fixture
def fake_intake(monkeypatch):
    """Let the command load a hand-made dataset, whatever the paths say."""
    monkeypatch.setattr("churn.commands.why.load", lambda args: Loaded(_hand_dataset(), None, None))


def test_text_output_names_the_top_driver_and_says_events_are_missing(fake_intake, capsys):
    assert main(["why", "customers.csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Customers with contract “monthly” churn 3.0× as often as those with “annual” (60% vs 20%, n=100)."
    )
    assert "2. contract = monthly: 60.0% [50.2%–69.1%], 1.50×, n=100" in out
    assert "warning signals need --events" in out


def test_json_output_has_drivers_in_rank_order(fake_intake, capsys):
    """Overall 80/200 = 0.4. Monthly: lift 0.6/0.4 = 1.5, excess 60 − 100·0.4 = +20, beyond chance
    (0.50200 − 0.4)·100 = 10.20. Annual: Wilson high for 20/100 = 0.21110 + 0.07773 = 0.28883, beyond
    chance (0.4 − 0.28883)·100 = 11.12, so annual ranks first."""
    assert main(["why", "customers.csv", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["overall_churn_rate"] == pytest.approx(0.4)
    assert [(row["value"], row["rank"]) for row in result["drivers"]] == [("annual", 1), ("monthly", 2)]
    monthly = result["drivers"][1]
    assert monthly["lift"] == pytest.approx(1.5) and monthly["excess_churners"] == pytest.approx(20)
    assert result["drivers"][0]["excess_churners"] == pytest.approx(-20)
    assert result["signals"] is None


def test_norwegian_sentences(fake_intake, capsys):
    assert main(["why", "customers.csv", "--lang", "nb"]) == 0
    assert "ganger så ofte" in capsys.readouterr().out


@pytest.mark.slow
def test_sample_files_give_drivers_and_signal_lifts(capsys):
    if not (SAMPLE / "customers.csv").exists():
        pytest.skip("sample data not written yet")
    code = main(["why", str(SAMPLE / "customers.csv"), "--events", str(SAMPLE / "events.csv"), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["drivers"][0]["attribute"] == "contract_type"
    lifts = {row["signal"]: row for row in result["signals"]}
    assert set(lifts) == {
        "fewer_orders",
        "fewer_emails",
        "fewer_logins",
        "later_payments",
        "more_support_tickets",
        "contact_change",
    }
    assert all(row["lift_low"] > 1 for row in lifts.values())


def test_missing_file_is_one_error_line(capsys):
    assert main(["why", str(ROOT / "no_such_file.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
