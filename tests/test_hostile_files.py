"""The hostile corpus (tests/hostile/) through the Data page and the command line.

Each file is something a careless or malicious user can upload: UTF-16 without a BOM,
an Excel workbook that unpacks hugely, 5,000 columns, an id column with repeats,
dates in 1900 and 2100, markdown and HTML in every name. Each ends in one of three
ways, in the UI and the CLI alike: read, refused with one sentence (the workspace
untouched), or read with a warning. Never a traceback, never a half-written workspace.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from churn.commands.cli import main
from churn.workspace import store
from pages.common import plain
from tests.hostile import names
from tests.test_hostile_pages import rendered_leaks

HOSTILE = Path(__file__).parent / "hostile"
CONFIRM = "Confirm and analyse"


def _upload(at, name: str, content: bytes, key: str = "upload_customers"):
    at.file_uploader(key=key).upload(name, content, "application/octet-stream")
    return at.run()


def _confirm(at):
    next(b for b in at.button if b.label == CONFIRM).click().run()
    assert not at.exception
    return at


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "success", "warning", "error")
                     for e in getattr(at, kind))  # fmt: skip


@pytest.mark.parametrize("name", ["utf16_le_nobom.csv", "utf16_be_nobom.csv"])
def test_utf16_without_a_bom_is_read_on_the_data_page(app_test, name):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, name, (HOSTILE / name).read_bytes())
    assert not at.exception and not at.error
    assert {s.label: s.value for s in at.selectbox}["Customer id"] == "kundenr"
    _confirm(at)
    (saved,) = store.list_datasets(at.session_state["ws"])
    assert saved["customers"] > 0


def test_an_expanding_workbook_is_refused_and_the_workspace_kept(app_test):
    at = app_test()
    token, before = at.session_state["ws"], at.session_state["dataset_id"]
    at.switch_page("pages/data.py").run()
    _upload(at, "xlsx_bomb.xlsx", (HOSTILE / "xlsx_bomb.xlsx").read_bytes())
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The workbook 'xlsx\\_bomb.xlsx' unpacks to 72 MiB, more than the 64 MiB this app reads from Excel; "
        "save the sheet as CSV and upload that."
    ]
    assert [d["id"] for d in store.list_datasets(token)] == [before] and at.metric


@pytest.mark.slow
def test_five_thousand_columns_are_stored_not_a_traceback(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "wide.csv", (HOSTILE / "wide_5000_columns.csv").read_bytes())
    assert not at.exception and not at.error
    _confirm(at)
    (saved,) = store.list_datasets(at.session_state["ws"])
    data = store.load_dataset(at.session_state["ws"], saved["id"])
    assert saved["customers"] == 20 and len(data.customers.columns) > 4990


def test_repeated_ids_are_named_in_one_sentence_on_confirm(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "ids.csv", (HOSTILE / "ids_repeated.csv").read_bytes())
    at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Customer id")).set_value("customer_id")
    _confirm(at)
    assert len(at.error) == 1 and "has 50 repeated ids" in at.error[0].value
    assert store.list_datasets(at.session_state["ws"]) == []


def test_implausible_dates_get_a_warning_naming_the_column(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "dates.csv", (HOSTILE / "dates_implausible.csv").read_bytes())
    _confirm(at)
    assert "Dates:" in _texts(at) and "startdato" in _texts(at).lower()
    (saved,) = store.list_datasets(at.session_state["ws"])
    assert store.load_dataset(at.session_state["ws"], saved["id"]).as_of.year < 2100


def test_hostile_names_in_a_file_and_its_name_are_shown_as_written(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, f"{names.IMAGE}.csv", (HOSTILE / "names_customers.csv").read_bytes())
    _upload(at, f"{names.LINK}.csv", (HOSTILE / "names_events.csv").read_bytes(), key="upload_events")
    assert not at.exception and rendered_leaks(at) == []
    _confirm(at)
    assert rendered_leaks(at) == []
    (saved,) = store.list_datasets(at.session_state["ws"])
    assert saved["name"] == f"{names.IMAGE} + {names.LINK}"  # stored as typed, escaped only on screen
    assert any(plain(saved["name"]) in h.value for h in at.subheader)  # shown, not dropped


# ---------------------------------------------------------------- the same files on the command line

CLI_CASES = [
    ("utf16_le_nobom.csv", 0, None),
    ("utf16_be_nobom.csv", 0, None),
    ("xlsx_bomb.xlsx", 2, "unpacks to 72 MiB"),
    ("ids_repeated.csv", 2, "has 50 repeated ids"),
    ("dates_implausible.csv", 0, "far outside the rest"),
    ("names_customers.csv", 0, None),
]


@pytest.mark.parametrize(("name", "code", "text"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_every_hostile_file_ends_in_a_report_or_one_error_line(capsys, name, code, text):
    assert main(["profile", str(HOSTILE / name)]) == code
    out, err = capsys.readouterr()
    if code:
        (line,) = err.strip().splitlines()
        assert line.startswith("error: ") and text in line
    else:
        assert "Traceback" not in out + err and "customers " in out
        assert text is None or text in out
