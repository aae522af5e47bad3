"""``python -m churn when``: output on the sample, on a tenure-only file, and the error paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from churn.commands import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "customers.csv"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["when", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _telco_csv(path: Path) -> Path:
    """A Telco-style export: tenure in months and a Yes/No churn label, no dates.

    60 customers churn at tenure 3, 24 at tenure 1..24 spread out, 156 stay (tenure 1..36).
    """
    lines = ["customerID,tenure,Contract,Churn"]
    for i in range(240):
        contract = ("Month-to-month", "One year", "Two year")[i % 3]
        if i % 4 == 0:
            lines.append(f"T{i:04d},3,{contract},Yes")
        elif i % 10 == 1:
            lines.append(f"T{i:04d},{i % 24 + 1},{contract},Yes")
        else:
            lines.append(f"T{i:04d},{i % 36 + 1},{contract},No")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sample_json_has_rates_crr_median_and_peaks(capsys):
    code, out, _ = _run(capsys, str(SAMPLE), "--json", "--segment", "contract_type")
    assert code == 0
    result = json.loads(out)
    assert result["customers"] == 3000 and result["has_dates"]
    last = result["monthly"][-1]
    assert last["month"] == "2026-10-01"
    assert last["churn_rate"] == pytest.approx(last["lost_customers"] / last["start_customers"])
    assert last["crr"] == pytest.approx(
        (last["end_customers"] - last["new_customers"]) / last["start_customers"] * 100
    )
    assert len(result["monthly"]) == 12
    tops = {p["top_month"] for p in result["peaks"]}
    assert {2, 12} <= tops
    assert all(p["sentence"].startswith("Churn peaks in month") for p in result["peaks"])
    assert result["logrank"]["p_value"] < 0.001
    assert {row["group"] for row in result["medians"]} == {"monthly", "annual", "two_year"}


def test_sample_text_in_norwegian(capsys):
    code, out, _ = _run(capsys, str(SAMPLE), "--lang", "nb", "--months", "3")
    assert code == 0
    assert "Kundeavgangen topper seg i måned 12 etter oppstart" in out
    assert "Median kundelevetid" in out
    assert out.count("2026-") == 3  # three calendar months printed


def test_tenure_only_file_gets_survival_and_peaks(tmp_path, capsys):
    code, out, _ = _run(capsys, str(_telco_csv(tmp_path / "telco.csv")), "--json")
    assert code == 0
    result = json.loads(out)
    assert not result["has_dates"] and result["monthly"] == []
    assert result["customers"] == 240
    assert [p["top_month"] for p in result["peaks"]] == [3]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["missing.csv"], "error: "),
        ([str(SAMPLE), "--segment", "nope"], "error: Column 'nope'"),
        ([str(SAMPLE), "--inactivity-days", "60"], "error: --inactivity-days only applies"),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1
    assert "Traceback" not in err


def test_module_entry_point(tmp_path):
    """The real ``python -m churn when`` process prints the text report."""
    path = _telco_csv(tmp_path / "telco.csv")
    done = subprocess.run(
        [sys.executable, "-m", "churn", "when", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Churn peaks in month 3 after signup" in done.stdout
    assert "need a start (signup) date" in done.stdout
