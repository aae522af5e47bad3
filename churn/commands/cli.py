"""Command-line interface: ``python -m churn <command> ...``.

Each command lives in its own module under ``churn/commands/`` and exposes
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the input
options, the loader and the output path they share are in :mod:`churn.commands.common`.
A :class:`~churn.core.errors.ChurnError` ends as one ``error: ...`` line and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys

from churn.commands import profile, report, roi, sample, score, train, when, why
from churn.core.errors import ChurnError

#: The commands, in the order ``--help`` lists them.
COMMANDS = (profile, report, roi, sample, score, train, when, why)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per command module."""
    parser = argparse.ArgumentParser(prog="python -m churn", description="Churn workshop toolkit.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    parser = build_parser()
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
