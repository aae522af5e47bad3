"""Command-line interface: ``python -m churn <command> ...``.

Each command lives in its own module under ``churn/commands/`` and exposes
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the input
options, the loader and the output path they share are in :mod:`churn.commands.common`.
A :class:`~churn.core.errors.ChurnError` ends as one ``error: ...`` line and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from types import ModuleType

from churn.core.errors import ChurnError

#: The commands, in the order ``--help`` lists them (module names under ``churn.commands``).
COMMANDS = ("profile", "report", "roi", "sample", "score", "train", "when", "why")


def command_module(name: str) -> ModuleType:
    """The module of one command, imported on first use (``profile`` never loads CatBoost or SHAP)."""
    return importlib.import_module(f"churn.commands.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per command module (only ``only``'s when given)."""
    parser = argparse.ArgumentParser(prog="python -m churn", description="Churn workshop toolkit.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        module = command_module(name)
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    argv = sys.argv[1:] if argv is None else list(argv)
    # a command's run needs only its own module: the others (and their libraries) stay unloaded
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse already printed its one-line usage error
        return int(exit_.code or 0)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ChurnError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
