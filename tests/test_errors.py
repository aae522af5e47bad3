"""Every user-caused failure is a ChurnError with a message key, in English and bokmål, and the CLI
turns one into a single ``error:`` line."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pandas as pd
import pytest

import churn
import churn.core
from churn.commands import cli, profile
from churn.core import errors
from churn.core.dataset import RoleMapping
from churn.core.errors import (
    ChurnError,
    InputError,
    ModelError,
    OneOf,
    Phrase,
    SchemaError,
    Words,
    message,
    shown,
)
from churn.core.i18n import catalogue
from churn.ingest.intake import build_dataset
from churn.ingest.parsing import read_table
from churn.workspace.jobs import FAILED, Job

ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, Exception) and cls.__module__ == errors.__name__
]
SUBCLASSES = [cls for cls in ERROR_CLASSES if cls is not ChurnError]


def test_the_module_defines_the_six_specific_errors():
    assert {cls.__name__ for cls in SUBCLASSES} == {
        "InputError",
        "SchemaError",
        "ModelError",
        "ScenarioError",
        "WorkspaceError",
        "ReportError",
    }


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_a_churn_error_with_its_message_verbatim(cls):
    error = cls("Column 'Churn' has only one value ('No').")
    assert isinstance(error, ChurnError)
    assert str(error) == "Column 'Churn' has only one value ('No')."
    assert cls.__name__ in churn.core.__all__


@pytest.mark.parametrize("cls", SUBCLASSES, ids=lambda c: c.__name__)
def test_an_except_churn_error_catches_every_specific_error(cls):
    with pytest.raises(ChurnError, match="^Load more data.$"):
        raise cls("Load more data.")


# ---------------------------------------------------------------- the CLI's one error line


@pytest.mark.parametrize(
    "command,message",
    [
        (["profile", "{missing}"], "The file '{missing}' does not exist; check the path."),
        (["when", "{missing}"], "The file '{missing}' does not exist; check the path."),
        (["why", "{missing}"], "The file '{missing}' does not exist; check the path."),
        (["train", "{missing}"], "The file '{missing}' does not exist; check the path."),
        (
            ["report", "{missing}", "--out", "{tmp}/report.html"],
            "The file '{missing}' does not exist; check the path.",
        ),
        (
            ["score", "{missing}", "--model", "{tmp}/model.zip", "--out", "{tmp}/scores.csv"],
            "'{tmp}/model.zip' is not a model file",
        ),
        (["profile"], "Give a customer table (PATH), an event log (--events PATH) or both."),
    ],
    ids=["profile", "when", "why", "train", "report", "score-model", "profile-no-input"],
)
def test_a_churn_error_ends_as_one_error_line_and_exit_2(command, message, tmp_path, capsys):
    names = {"missing": str(tmp_path / "missing.csv"), "tmp": str(tmp_path)}
    code = cli.main([part.format(**names) for part in command])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: " + message.format(**names))


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_any_churn_error_from_a_command_is_printed_as_it_is(cls, monkeypatch, capsys):
    """The CLI does not care which ChurnError a command raises: its message is the line."""

    def fail(args):
        raise cls("Something the user can fix.")

    monkeypatch.setattr(profile, "run", fail)
    assert cli.main(["profile", "customers.csv"]) == 2
    assert capsys.readouterr().err == "error: Something the user can fix.\n"


def test_a_bug_is_not_dressed_up_as_a_user_error(monkeypatch):
    """Only ChurnError becomes the friendly line; any other exception still propagates."""

    def bug(args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(profile, "run", bug)
    with pytest.raises(ZeroDivisionError, match="boom"):
        cli.main(["profile", "customers.csv"])


def test_input_and_model_errors_are_distinct_classes():
    """A caller can tell a bad file from a bad model without parsing the message."""
    assert not issubclass(InputError, ModelError) and not issubclass(ModelError, InputError)


# ---------------------------------------------------------------- errors in the user's language

PACKAGE = Path(churn.__file__).parent
PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")
ERROR_NAMES = {cls.__name__ for cls in ERROR_CLASSES}
ERROR_KEYS = sorted(key for key in catalogue("en") if key.startswith("errors."))


def _calls_with_a_key(tree: ast.AST):
    """Every ``SomeError(...)`` and ``Phrase(...)`` call: (node, first argument, keyword names or None)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id in ERROR_NAMES:
            names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
            yield node, node.args[0] if node.args else None, names
        elif node.func.id == "Phrase" and node.args and isinstance(node.args[0], ast.Constant):
            # a key taken from a table is checked by test_every_errors_string_in_the_package_is_a_key
            values = node.args[1] if len(node.args) > 1 else None
            names = {k.value for k in values.keys} if isinstance(values, ast.Dict) else None
            yield node, node.args[0] if node.args else None, (names if values is not None else set())


def _error_calls():
    for path in sorted(PACKAGE.rglob("*.py")):
        for node, key, names in _calls_with_a_key(ast.parse(path.read_text(encoding="utf-8"))):
            yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", key, names


def test_every_error_raised_in_churn_is_a_key_of_the_catalogue():
    """No English-only error again: the first argument is a literal ``errors.*`` key both languages define."""
    en, nb = catalogue("en"), catalogue("nb")
    wrong = [
        where
        for where, key, _ in _error_calls()
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str))
        or not key.value.startswith("errors.")
        or key.value not in en
        or key.value not in nb
    ]
    assert not wrong, f"raise with a key of churn/core/locales/*/errors.json: {wrong}"


def test_the_walk_finds_the_raise_sites():
    """The walk above sees the package's errors (over a hundred), so an empty walk cannot pass it."""
    assert len(list(_error_calls())) > 100


def test_every_raise_gives_exactly_the_values_its_sentence_names():
    """A placeholder without a value would fail at the worst moment; a value without one is lost."""
    en = catalogue("en")
    wrong = []
    for where, key, names in _error_calls():
        if names is None or not isinstance(key, ast.Constant) or key.value not in en:
            continue
        if set(PLACEHOLDER.findall(en[key.value])) != names:
            wrong.append((where, key.value, sorted(names)))
    assert not wrong


def test_every_errors_string_in_the_package_is_a_key():
    """Keys kept in tables (``QUESTIONS``, the table words) exist too."""
    en = catalogue("en")
    found = {
        node.value
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"errors\.\w+", node.value)
    }
    assert found and not sorted(found - en.keys())


@pytest.mark.parametrize("key", ERROR_KEYS)
def test_an_error_names_the_same_values_in_both_languages(key):
    en, nb = catalogue("en")[key], catalogue("nb")[key]
    assert set(PLACEHOLDER.findall(en)) == set(PLACEHOLDER.findall(nb))
    assert en != nb or key in ("errors.size_gib", "errors.size_mib"), "not translated"


@pytest.mark.parametrize(
    "value,en,nb",
    [
        (3000, "3,000", "3\xa0000"),
        (0.5, "0.5", "0,5"),
        (100.0, "100", "100"),
        (1469.23, "1,469.23", "1\xa0469,23"),
        ("2024", "2024", "2024"),  # a column name or id is shown as written, never as a number
        (("NOK", "EUR"), "NOK, EUR", "NOK, EUR"),
        (OneOf(("'a'", "'b'", "'c'")), "'a', 'b' or 'c'", "'a', 'b' eller 'c'"),
        (Phrase("errors.table_customers"), "customer table", "kundetabellen"),
        (Words({"en": "tenure", "nb": "kundetid"}), "tenure", "kundetid"),
        (pd.Timestamp("2026-11-23"), "2026-11-23", "23.11.2026"),
    ],
    ids=["whole", "half", "whole-float", "decimals", "text", "tuple", "one-of", "phrase", "words", "date"],
)
def test_values_are_written_the_languages_way(value, en, nb):
    assert (shown(value, "en"), shown(value, "nb")) == (en, nb)


def test_str_is_english_and_text_gives_either_language():
    error = SchemaError("errors.repeated_ids", column="Kundenr", repeated=1200, example="17")
    assert str(error) == (
        "Column 'Kundenr' has 1,200 repeated ids (e.g. '17'); a customer table needs one row per customer."
    )
    assert error.text("en") == str(error)
    assert error.text("nb") == (
        "Kolonnen 'Kundenr' har 1\xa0200 gjentatte ID-er (f.eks. '17'); en kundetabell må ha én rad per kunde."
    )
    assert (error.key, error.values) == (
        "errors.repeated_ids",
        {"column": "Kundenr", "repeated": 1200, "example": "17"},
    )


@pytest.mark.parametrize(
    "error,lang,expected",
    [
        (
            InputError("errors.file_empty", name="x.csv"),
            "nb",
            "Filen 'x.csv' er tom; eksporter tabellen på nytt, med radene.",
        ),
        (ModelError("Load more data."), "nb", "Load more data."),  # a ready sentence stays as it is
        (
            ZeroDivisionError("boom"),
            "en",
            "Something went wrong on our side; try again, and if it happens again, tell us what you did.",
        ),
        (
            ZeroDivisionError("boom"),
            "nb",
            "Noe gikk galt hos oss; prøv igjen, og fortell oss hva du gjorde hvis det skjer igjen.",
        ),
    ],
    ids=["churn-error", "ready-sentence", "bug-en", "bug-nb"],
)
def test_message_works_for_any_exception(error, lang, expected):
    assert message(error, lang) == expected


# ---------------------------------------------------------------- golden: real failures in Norwegian


def test_a_binary_file_is_refused_in_norwegian():
    with pytest.raises(InputError) as caught:
        read_table(b"\x00\x01\x02\x03PK-ish junk\x00" * 50, "junk.csv")
    assert str(caught.value) == (
        "The file 'junk.csv' is binary, not a text table; upload CSV, Excel (.xlsx) or Parquet."
    )
    assert caught.value.text("nb") == (
        "Filen 'junk.csv' er en binærfil, ikke en teksttabell; last opp CSV, Excel (.xlsx) eller Parquet."
    )


def test_a_table_without_a_churn_column_is_refused_in_norwegian():
    raw = read_table(b"kunde,plan\n1,Basis\n2,Pluss\n3,Basis\n", "kunder.csv")
    with pytest.raises(SchemaError) as caught:
        build_dataset(raw, None, RoleMapping(customer_id="kunde"))
    assert caught.value.text("nb") == (
        "Fant ingen avgangskolonne eller sluttdato; velg kolonnen som viser hvem som har sluttet "
        "(f.eks. 'Sluttet' eller 'Oppsagt dato')."
    )


def test_repeated_ids_are_counted_with_a_norwegian_thousands_space():
    """2,400 rows with ids 1..1,200 twice: the second 1,200 repeat one seen before."""
    ids = list(range(1, 1201)) * 2
    raw = pd.DataFrame({"kunde": ids, "sluttet": ["Ja", "Nei"] * 1200})
    with pytest.raises(SchemaError) as caught:
        build_dataset(raw, None, RoleMapping(customer_id="kunde", churn_label="sluttet"))
    assert caught.value.text("nb") == (
        "Kolonnen 'kunde' har 1\xa0200 gjentatte ID-er (f.eks. '1'); en kundetabell må ha én rad per kunde."
    )
    assert "3,000" not in caught.value.text("nb") and "1,200 repeated ids" in str(caught.value)


def test_a_size_limit_is_written_with_a_decimal_comma():
    """A limit of 2**19 bytes is 2**19 / 2**20 = 0.5 MB: ``0,5 MB`` in Norwegian, never ``0.5``."""
    with pytest.raises(InputError) as caught:
        read_table(b"a,b\n" + b"1,2\n" * 200_000, "stor.csv", max_bytes=2**19)
    assert caught.value.text("nb") == (
        "Filen 'stor.csv' er større enn grensen på 0,5 MB; del den opp, lagre den som Parquet "
        "eller les den uten grense."
    )
    assert "0.5 MB limit" in str(caught.value)


def test_a_failed_job_tells_its_error_in_the_readers_language():
    job = Job(
        "job-1",
        state=FAILED,
        error="x",
        user_error=True,
        failure=InputError("errors.file_empty", name="a.csv"),
    )
    assert job.error_message("nb") == "Filen 'a.csv' er tom; eksporter tabellen på nytt, med radene."
    assert job.error_message("en") == "The file 'a.csv' is empty; export the table again with its rows."
    assert Job("job-2").error_message("nb") is None
