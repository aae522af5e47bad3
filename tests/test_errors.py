"""Every user-caused failure is a ChurnError, and the CLI turns one into a single ``error:`` line."""

from __future__ import annotations

import inspect

import pytest

import churn.core
from churn.commands import cli, profile
from churn.core import errors
from churn.core.errors import ChurnError, InputError, ModelError

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
