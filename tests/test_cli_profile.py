"""``python -m churn profile``: text and JSON output, roles on unseen files, errors as one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from churn.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
SAMPLE = ROOT / "data" / "sample"


def _json(capsys, *argv) -> dict:
    assert main(["profile", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_profile_of_the_sample_as_json(capsys):
    result = _json(capsys, SAMPLE / "customers.csv", "--events", SAMPLE / "events.csv")
    assert result["customers"] == 3000 or result["customers"] > 2000
    assert result["roles"]["customer_id"] == "customer_id" and result["roles"]["end_date"] == "cancel_date"
    assert result["as_of"] == "2026-10-31"
    assert result["leakage"] == ["churn_reason"]
    assert result["events"] > 100_000
    assert {"name", "status", "message"} == set(result["checks"][0])


def test_norwegian_cp1252_file_roles_and_types(capsys):
    """8 customers, 4 with an 'Oppsagt dato' on or before as_of (2024-03-31): churn rate 4 / 8 = 0.5."""
    result = _json(capsys, FILES / "norsk_cp1252.csv")
    assert result["roles"] == {
        "customer_id": "Kundenr",
        "start_date": "Startdato",
        "end_date": "Oppsagt dato",
        "value": "Månedsbeløp",
        "segments": ["Bransje", "Fylke"],
    }
    assert (result["customers"], result["churned"], result["churn_rate"]) == (8, 4, 0.5)
    assert result["as_of"] == "2024-03-31"
    assert result["churn_definition"] == "end_date"


def test_danish_file_roles(capsys):
    result = _json(capsys, FILES / "dansk_bom.tsv")
    assert result["roles"]["churn_label"] == "Opsagt"
    assert result["roles"]["start_date"] == "Oprettet"
    assert result["roles"]["value"] == "Månedsværdi"
    assert (result["customers"], result["churned"]) == (6, 2)


def test_telco_like_file_roles(capsys):
    result = _json(capsys, FILES / "telco.csv")
    assert result["roles"]["customer_id"] == "customerID"
    assert result["roles"]["churn_label"] == "Churn"
    assert result["roles"]["tenure"] == "tenure"
    assert result["roles"]["value"] == "MonthlyCharges"
    assert result["churned"] == 11
    assert result["history_months"] is None


def test_text_output_lists_roles_and_checks(capsys):
    assert main(["profile", str(FILES / "norsk_cp1252.csv"), "--lang", "nb"]) == 0
    out = capsys.readouterr().out
    assert "Oppsagt dato" in out and "[WARN] customers" in out
    assert "Bare 8 kunder" in out


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "is empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"customerID,Churn\na,No\nb,No\n", "only one value ('No')"),
        (b"name;city;churn\nAnne;Oslo;Ja\nAnne;Oslo;Nei\n", "No customer id column"),
    ],
)
def test_errors_are_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main(["profile", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]


def test_size_limit_option(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes(b"id,x\n" + b"1,2\n" * 400_000)
    assert main(["profile", str(path), "--max-mb", "1"]) == 2
    assert "larger than the 1 MB limit" in capsys.readouterr().err


def test_subprocess_exit_code_and_no_traceback(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "churn", "profile", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "error: The file 'empty.csv' is empty; export the table again with its rows."
    )
