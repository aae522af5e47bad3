"""``python -m churn profile``: text and JSON output, roles on unseen files, errors as one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
HOSTILE = Path(__file__).parent / "hostile"
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
        (b"name;city;churn\nAnne;Oslo;Ja\nPer;Oslo;Ja\n", "only one value ('Ja')"),
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


# ---------------------------------------------------------------- hostile files


def wide_5000_columns_csv() -> str:
    """tests/hostile/wide_5000_columns.csv: 20 customers C001 ... C020, ``churned`` 0/1 (10 each,
    shuffled) and 4,998 whole numbers f0001 ... f4998 in 0 ... 99, all from seed 5000."""
    rng = np.random.default_rng(5000)
    churned = np.array([0, 1] * 10)
    rng.shuffle(churned)
    numbers = rng.integers(0, 100, size=(20, 4998))
    header = ["customer_id", "churned", *(f"f{j:04d}" for j in range(1, 4999))]
    rows = [[f"C{r + 1:03d}", str(churned[r]), *map(str, numbers[r])] for r in range(20)]
    return "".join(",".join(row) + "\n" for row in [header, *rows])


def test_the_wide_file_is_the_seeded_one():
    assert (HOSTILE / "wide_5000_columns.csv").read_text() == wide_5000_columns_csv()


@pytest.mark.slow
def test_profile_of_5000_columns_without_fragmentation_warnings(capsys):
    """No PerformanceWarning ("DataFrame is highly fragmented") while 4,998 attributes are built.

    20 customers, 10 churned: churn rate 10 / 20 = 0.5.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _json(capsys, HOSTILE / "wide_5000_columns.csv")
    fragmented = [w for w in caught if issubclass(w.category, pd.errors.PerformanceWarning)]
    assert fragmented == []
    assert (result["customers"], result["churned"], result["churn_rate"]) == (20, 10, 0.5)
    assert result["roles"] == {"customer_id": "customer_id", "churn_label": "churned"}
    assert result["verdict"] == "warn"


def test_an_id_column_with_repeats_is_named_in_one_error_line(capsys):
    """tests/hostile/ids_repeated.csv: customers 17 ... 26 in 6 monthly snapshots = 60 rows,
    10 distinct ids, so 60 - 10 = 50 repeated ids; the first repeat is 17 (February)."""
    assert main(["profile", str(HOSTILE / "ids_repeated.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: Column 'customer_id' looks like the customer id but has 50 repeated ids (e.g. '17'); "
        "keep one row per customer, or pass the file with --events if each row is an event "
        "(an order, a visit, a payment)."
    ]


# ---------------------------------------------------------------- roles with their evidence


@pytest.fixture
def status_file(tmp_path) -> Path:
    """40 customers: ``Status`` Churned for rows 0, 4, ..., 36 (10), Stayed for the 20 odd rows,
    Joined for the other 10;
    ``Married`` Yes/No on alternate rows; ``Cancel reason`` filled only for the 10 who left."""
    rows = []
    for i in range(40):
        status = "Churned" if i % 4 == 0 else ("Stayed" if i % 2 else "Joined")
        reason = "price" if status == "Churned" else ""
        rows.append(f"C{i:03d},{'Yes' if i % 2 else 'No'},{status},{reason},{10 + i}")
    path = tmp_path / "status.csv"
    path.write_text("Customer ID,Married,Status,Cancel reason,Monthly fee\n" + "\n".join(rows) + "\n")
    return path


def test_profile_json_has_roles_with_confidence_label_values_notes_and_leaks(capsys, status_file):
    """Churned = rows 0, 4, ..., 36: 10 of 40 left; Stayed and Joined (20 + 10) are still customers."""
    result = _json(capsys, status_file)
    assert {"evidence", "label_values", "notes", "leaks", "roles", "leakage", "checks"} <= set(result)
    label = result["evidence"]["churn_label"]
    assert label["column"] == "Status" and label["flag"] is None
    assert label["confidence"] in ("high", "medium")
    assert label["reason"] == label["candidates"][0]["reason"] and "Status" in label["reason"]
    assert {"column", "score", "reason"} == set(label["candidates"][0])
    values = result["label_values"]
    assert (values["column"], values["churned"], values["excluded"]) == ("Status", ["Churned"], [])
    assert set(values["active"]) == {"Stayed", "Joined"}
    assert (result["customers"], result["churned"]) == (40, 10)
    assert all({"key", "values", "text"} == set(note) for note in result["notes"]) and result["notes"]
    assert [(leak["column"], leak["reason"], leak["kept"]) for leak in result["leaks"]] == [
        ("Cancel reason", "only_filled", False)
    ]
    assert result["leaks"][0]["text"]


def test_a_role_given_with_a_flag_is_shown_as_given(capsys, status_file):
    """Churned and Joined mean left: 10 + 10 = 20 of 40; Stayed (20) is still a customer."""
    result = _json(capsys, status_file, "--label", "Status", "--churned-values", "Churned,Joined")
    assert result["evidence"]["churn_label"]["confidence"] == "given"
    assert result["evidence"]["churn_label"]["reason"] == "given with --label"
    assert result["evidence"]["churn_label"]["flag"] == "--label"
    assert set(result["label_values"]["churned"]) == {"Churned", "Joined"}
    assert result["label_values"]["active"] == ["Stayed"]
    assert result["churned"] == 20


def test_text_profile_prints_each_role_with_confidence_and_reason(capsys, status_file):
    assert main(["profile", str(status_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    label = next(line for line in lines if line.strip().startswith("churn_label"))
    assert label.split()[1] == "Status"
    assert label.split("  (")[1].split(":")[0] in ("high", "medium")
    assert "'Status'" not in label  # the reason does not repeat the column
    assert any(line.startswith("  label values") and "left: Churned" in line for line in lines)
    assert "leakage (kept out of the model):" in lines
    assert any(line.startswith("  Cancel reason: ") for line in lines)
    assert "notes:" in lines


def test_an_unsure_label_is_one_error_line_naming_the_candidates(tmp_path, capsys):
    """Two Yes/No columns, neither named like a churn label: the CLI asks instead of guessing."""
    path = tmp_path / "ambiguous.csv"
    path.write_text("id,Married,Partner,age\n1,Yes,No,30\n2,No,Yes,40\n3,Yes,Yes,50\n4,No,No,20\n")
    assert main(["profile", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: Not sure which column says who left: 'Married' (")
    assert "'Partner' (" in err[0] and err[0].endswith("; pass --label COLUMN.")
    assert main(["profile", str(path), "--label", "Married"]) == 0
    assert "churn_label        Married  (given with --label)" in capsys.readouterr().out
