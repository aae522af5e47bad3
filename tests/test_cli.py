"""The command-line frame: the parser built from the command modules, exit codes, one-line errors
(churn/commands/cli.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from churn.commands import cli, sample
from churn.core.errors import InputError, SchemaError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """argparse wraps help text at the terminal width; a wide one keeps each command's help on one line."""
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.delenv(cli.LANG_VARIABLE, raising=False)  # the language comes from the test alone


def test_help_lists_every_command_with_its_help_in_order(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("    ")]
    assert listed == [cli.command_module(name).NAME for name in cli.COMMANDS]
    for name in cli.COMMANDS:
        assert cli.command_module(name).HELP in out, name


def test_commands_are_listed_alphabetically_and_once():
    names = [cli.command_module(name).NAME for name in cli.COMMANDS]
    assert names == sorted(set(names)) == list(cli.COMMANDS)


@pytest.mark.parametrize("name", cli.COMMANDS)
def test_each_command_has_its_own_help(name, capsys):
    module = cli.command_module(name)
    assert cli.main([module.NAME, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m churn {module.NAME} ")
    assert module.HELP in out


def test_no_command_prints_the_help_and_returns_2(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m churn [-h] [--lang {en,nb}] COMMAND ...")
    assert all(name in out for name in cli.COMMANDS)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["nonsense"], "invalid choice: 'nonsense'"),
        (["sample", "--out", "x", "--bogus"], "unrecognized arguments: --bogus"),
        (["sample", "--out", "x", "--customers", "many"], "invalid int value: 'many'"),
    ],
)
def test_usage_errors_return_2(argv, message, capsys):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "error",
    [
        InputError("The file 'x.csv' does not exist; check the path."),
        SchemaError(
            "Column 'Churn' has only one value ('No'); a churn column needs both churned and active customers."
        ),
    ],
)
def test_a_churn_error_becomes_one_error_line_and_exit_2(error, monkeypatch, capsys):
    def fail(args):
        raise error

    monkeypatch.setattr(sample, "run", fail)
    assert cli.main(["sample", "--out", "somewhere"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {error}\n"
    assert captured.out == ""


def test_a_real_churn_error_from_a_command(capsys):
    """``train`` without any file: the loader's InputError, as one line."""
    assert cli.main(["train"]) == 2
    assert capsys.readouterr().err == (
        "error: Give a customer table (PATH), an event log (--events PATH) or both.\n"
    )


# ---------------------------------------------------------------- the language: --lang, CHURN_LANG


@pytest.mark.parametrize(
    "argv,command",
    [
        (["profile", "x.csv"], "profile"),
        (["--lang", "nb", "profile", "x.csv"], "profile"),
        (["--lang=nb", "when", "x.csv"], "when"),
        (["--lang", "nb"], None),
        (["--help"], None),
        (["nonsense"], None),
        ([], None),
    ],
)
def test_the_command_is_found_after_the_global_options(argv, command):
    assert cli.command_of(argv) == command


@pytest.mark.parametrize(
    "argv,environ,expected",
    [
        ([], {}, "en"),
        ([], {"CHURN_LANG": "nb"}, "nb"),
        ([], {"CHURN_LANG": "no"}, "nb"),
        ([], {"CHURN_LANG": "de"}, "en"),  # unknown: English, never a crash
        (["--lang", "nb"], {}, "nb"),
        (["--lang", "en"], {"CHURN_LANG": "nb"}, "en"),  # the option wins over the environment
        (["--lang", "en", "profile", "x.csv", "--lang", "nb"], {}, "nb"),  # the command's own wins
    ],
)
def test_the_language_comes_from_the_options_then_the_environment(argv, environ, expected):
    parser = cli.build_parser("profile")
    args = parser.parse_args(argv or ["profile", "x.csv"])
    assert cli.language(args, environ) == expected


def test_lang_nb_gives_a_norwegian_error_line_and_exit_2(tmp_path, capsys):
    missing = tmp_path / "mangler.csv"
    assert cli.main(["--lang", "nb", "profile", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: Filen '{missing}' finnes ikke; sjekk filbanen.\n"


def test_churn_lang_sets_the_language_of_the_error_line(monkeypatch, capsys):
    monkeypatch.setenv(cli.LANG_VARIABLE, "nb")
    assert cli.main(["train"]) == 2
    assert capsys.readouterr().err == (
        "error: Oppgi en kundetabell (PATH), en hendelseslogg (--events PATH) eller begge.\n"
    )


def test_an_unsure_label_is_asked_about_in_norwegian(tmp_path, capsys):
    """Two Yes/No columns: the candidates are listed with ``eller`` and their reasons in Norwegian."""
    path = tmp_path / "tvetydig.csv"
    path.write_text("id,Married,Partner,age\n1,Yes,No,30\n2,No,Yes,40\n3,Yes,Yes,50\n4,No,No,20\n")
    assert cli.main(["--lang", "nb", "profile", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Usikker på hvilken kolonne som viser hvem som har sluttet: 'Married' (")
    assert ") eller 'Partner' (" in err and err.endswith("; oppgi --label KOLONNE.\n")


def test_the_error_prefix_is_the_same_in_norwegian(monkeypatch, capsys):
    """Scripts grep for ``error: ``; only the sentence after it changes language."""

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sample, "run", interrupted)
    assert cli.main(["--lang", "nb", "sample", "--out", "somewhere"]) == 130
    assert capsys.readouterr().err == "error: avbrutt\n"


def test_other_exceptions_are_not_swallowed(monkeypatch):
    """Only ChurnError is the user's to fix; a bug must still show its traceback."""

    def crash(args):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(sample, "run", crash)
    with pytest.raises(ZeroDivisionError, match="bug"):
        cli.main(["sample", "--out", "somewhere"])


def test_interrupt_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sample, "run", interrupted)
    assert cli.main(["sample", "--out", "somewhere"]) == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_the_return_value_of_a_command_is_the_exit_code(monkeypatch):
    monkeypatch.setattr(sample, "run", lambda args: 3)
    assert cli.main(["sample", "--out", "somewhere"]) == 3
    monkeypatch.setattr(sample, "run", lambda args: None)
    assert cli.main(["sample", "--out", "somewhere"]) == 0


def test_python_dash_m_churn_without_a_command_exits_2():
    done = subprocess.run(
        [sys.executable, "-m", "churn"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stdout.startswith("usage: python -m churn") and done.stderr == ""


def test_a_command_loads_only_its_own_module():
    """`profile` reads and checks data: CatBoost, SHAP and scikit-learn stay unloaded (about a second saved)."""
    code = (
        "import sys, contextlib, io\n"
        "from churn.commands import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['profile', '--help'])\n"
        "print(sorted(m for m in ('catboost', 'shap', 'sklearn', 'churn.commands.train') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
