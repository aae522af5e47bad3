"""``python -m churn report``: the workshop report written as a file (churn/commands/report.py)."""

from __future__ import annotations

import html as html_lib
import json
import re

import pandas as pd
import pytest

from churn.commands.cli import main
from churn.core.i18n import t
from churn.report.builder import SECTIONS


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> tuple[str, str]:
    """The first 400 customers of the committed sample as CSV files, as a client would bring them."""
    from churn.ingest.intake import SAMPLE_DIR

    folder = tmp_path_factory.mktemp("files")
    customers = pd.read_csv(SAMPLE_DIR / "customers.csv").head(400)
    events = pd.read_csv(SAMPLE_DIR / "events.csv")
    events = events[events["customer_id"].isin(customers["customer_id"])]
    customers.to_csv(folder / "customers.csv", index=False)
    events.to_csv(folder / "events.csv", index=False)
    return str(folder / "customers.csv"), str(folder / "events.csv")


def test_cli_writes_the_report(sample_files, tmp_path, capsys):
    customers, events = sample_files
    out = tmp_path / "report.html"
    code = main(
        ["report", customers, "--events", events, "--out", str(out), "--lang", "nb", "--pseudonymise"]
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert html_lib.escape(t("report.section_why", "nb")) in page and "<svg" in page
    assert not re.search(r">C0\d{4}<", page)  # sample ids only appear pseudonymised
    assert capsys.readouterr().out.startswith(f"skrev {out} (")  # --lang nb: the line is Norwegian too


def test_json_summary_and_a_missing_suffix(sample_files, tmp_path, capsys):
    """``--out report`` gets ``.html``; the summary names every section, settings last."""
    customers, events = sample_files
    assert main(["report", customers, "--events", events, "--out", str(tmp_path / "report"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    written = tmp_path / "report.html"
    assert result["html"] == str(written) and written.exists()
    assert result["bytes"] == len(written.read_bytes())
    assert result["sections"] == [*SECTIONS, "settings"]
    assert (result["pdf"], result["model"], result["pseudonymised"]) == (None, False, False)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["report", "missing.csv", "--out", "{tmp}/r.html"], "missing.csv"),
        (["report", "{customers}", "--out", "{tmp}/no/such/folder/r.html"], "does not exist"),
        (["report", "{customers}", "--out", "{tmp}"], "is a folder; give a file name such as"),
        (["report", "{customers}", "--out", "{tmp}/r.html", "--model", "{customers}"], "not a model file"),
    ],
)
def test_cli_errors_exit_2_with_one_line(sample_files, tmp_path, capsys, argv, message):
    values = {"tmp": str(tmp_path), "customers": sample_files[0]}
    code = main([arg.format(**values) for arg in argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_cli_with_a_model_file(sample_files, tiny_model, tmp_path):
    from churn.model.persistence import save_bundle

    save_bundle(tiny_model, tmp_path / "model.zip")
    out = tmp_path / "report.html"
    code = main(
        [
            "report",
            sample_files[0],
            "--events",
            sample_files[1],
            "--out",
            str(out),
            "--model",
            str(tmp_path / "model.zip"),
        ]
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert html_lib.escape(t("report.approach_catboost", "en")) in page
    assert html_lib.escape(t("report.no_model", "en")) not in page
