"""``python -m churn roi``: seed 004 from the command line, JSON output, one-line errors."""

from __future__ import annotations

import json

import pytest

from churn.commands.cli import main
from churn.commands.roi import parse_share

SEED = [
    "roi",
    "--customers",
    "380",
    "--value",
    "85000",
    "--churn-rate",
    "8%",
    "--new-churn-rate",
    "0.048",
    "--cost",
    "65000",
]


def test_seed_004_as_text(capsys):
    """30 → 18 lost, 12 × 85,000 = 1,020,000 saved, (1,020,000 − 65,000) / 65,000 = 1,469.23 %;
    payback 65,000 / (1,020,000 / 12) = 0.76 months. Money in euros, the default currency."""
    assert main(SEED) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.strip().splitlines())
    assert lines == {
        "churned_before": "30",
        "churned_after": "18",
        "saved_customers": "12",
        "saved_revenue": "€1,020,000",
        "total_cost": "€65,000",
        "net_benefit": "€955,000",
        "roi_pct": "1,469.23%",
        "payback_months": "0.76",
    }


def test_seed_004_as_norwegian_text(capsys):
    """The same numbers as above, written the Norwegian way: a space between thousands, a decimal
    comma, kroner after the amount and a space before the percent sign."""
    assert main(["--lang", "nb", *SEED, "--currency", "NOK"]) == 0
    out = capsys.readouterr().out.replace("\xa0", " ")
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert lines == {
        "churned_before": "30",
        "churned_after": "18",
        "saved_customers": "12",
        "saved_revenue": "1 020 000 kr",
        "total_cost": "65 000 kr",
        "net_benefit": "955 000 kr",
        "roi_pct": "1 469,23 %",
        "payback_months": "0,76",
    }
    assert "0.76" not in out and "1,469" not in out


def test_the_json_does_not_depend_on_the_language(capsys):
    assert main([*SEED, "--json"]) == 0
    english = capsys.readouterr().out
    assert main(["--lang", "nb", *SEED, "--json"]) == 0
    assert capsys.readouterr().out == english


def test_seed_004_as_json_with_monthly_cost_and_years(capsys):
    """Set-up 17,000 + 4,000 × 12 = 65,000 over one year gives the same ROI; two years:
    benefit 2,040,000, cost 17,000 + 96,000 = 113,000, net 1,927,000."""
    argv = [*SEED[:-1], "17000", "--monthly-cost", "4000", "--json"]
    assert main(argv) == 0
    one_year = json.loads(capsys.readouterr().out)
    assert one_year["roi_pct"] == pytest.approx(1469.2308, abs=1e-4)
    assert main([*argv, "--years", "2"]) == 0
    two_years = json.loads(capsys.readouterr().out)
    assert two_years["total_cost"] == 113_000
    assert two_years["net_benefit"] == 1_927_000
    assert {"churned_before", "churned_after", "saved_customers", "payback_months"} <= two_years.keys()


def test_zero_cost_prints_a_note_not_a_division_error(capsys):
    assert main([*SEED[:-1], "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["roi_pct"] is None
    assert out["note"].startswith("The programme has no cost")


@pytest.mark.parametrize(
    "option,value,message",
    [
        ("--churn-rate", "8", "above 1; write a share such as 0.08 or a percentage such as 8%"),
        ("--customers", "abc", "--customers 'abc' is not a number"),
        ("--customers", "10.5", "not a whole number"),
        ("--cost", "nan", "--cost 'nan' is not a number"),
        ("--cost", "-5", "setup_cost"),
        ("--value", "1e400", "not a number"),
        ("--new-churn-rate", "150%", "new_churn_rate"),
    ],
)
def test_bad_values_give_one_error_line_and_exit_2(capsys, option, value, message):
    argv = list(SEED)
    argv[argv.index(option) + 1] = value
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


@pytest.mark.parametrize(
    "raw,expected", [("8%", 0.08), ("0.08", 0.08), (" 4.8 % ", 0.048), ("1", 1.0), ("0", 0.0)]
)
def test_rates_accept_a_share_or_a_percentage_with_a_sign(raw, expected):
    assert parse_share(raw, "--churn-rate") == pytest.approx(expected)
