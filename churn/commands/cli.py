"""Command-line interface: ``python -m churn <command> ...``.

Each command lives in its own module under ``churn/commands/`` and exposes
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the input
options, the loader and the output path they share are in :mod:`churn.commands.common`.
A :class:`~churn.core.errors.ChurnError` ends as one ``error: ...`` line and exit 2.

``--lang {en,nb}`` before the command (else ``$CHURN_LANG``, else English) is the
language of the error line and of every command's plain-text output: its sentences
and its numbers (``1 020 000``, ``4,8 %`` in Norwegian). A command's own ``--lang``,
where it has one, wins. The ``error: `` prefix is the same in every language, so a
script can look for it; ``--json`` output does not depend on the language.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from types import ModuleType

from churn.core.errors import ChurnError
from churn.core.i18n import LANGUAGES, normalise_language, t

#: The commands, in the order ``--help`` lists them (module names under ``churn.commands``).
COMMANDS = ("profile", "report", "roi", "sample", "score", "train", "when", "why")
#: The environment variable that sets the language when ``--lang`` is not given.
LANG_VARIABLE = "CHURN_LANG"


def command_module(name: str) -> ModuleType:
    """The module of one command, imported on first use (``profile`` never loads CatBoost or SHAP)."""
    return importlib.import_module(f"churn.commands.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per command module (only ``only``'s when given)."""
    parser = argparse.ArgumentParser(prog="python -m churn", description="Churn workshop toolkit.")
    parser.add_argument(
        "--lang",
        dest="cli_lang",
        choices=LANGUAGES,
        default=None,
        help=f"language of the messages and the numbers in the text output (default ${LANG_VARIABLE}, else en)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        module = command_module(name)
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def command_of(argv: list[str]) -> str | None:
    """The command named in ``argv`` after the global options (``--lang nb profile ...`` -> ``profile``)."""
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("--lang="):
            return word if word in COMMANDS else None
    return None


def language(args: argparse.Namespace, environ=os.environ) -> str:
    """The command's ``--lang``, else the one before the command, else ``$CHURN_LANG``, else ``"en"``."""
    chosen = getattr(args, "lang", None) or getattr(args, "cli_lang", None) or environ.get(LANG_VARIABLE)
    return normalise_language(chosen)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    argv = sys.argv[1:] if argv is None else list(argv)
    # a command's run needs only its own module: the others (and their libraries) stay unloaded
    parser = build_parser(command_of(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse already printed its one-line usage error
        return int(exit_.code or 0)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    args.lang = language(args)
    try:
        return int(args.run(args) or 0)
    except ChurnError as error:
        print(f"error: {error.text(args.lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"error: {t('errors.interrupted', args.lang)}", file=sys.stderr)
        return 130
