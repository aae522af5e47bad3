"""The command line, ``python -m churn <command>``: one module per command.

:mod:`churn.commands.cli` builds the parser from the command modules;
:mod:`churn.commands.common` holds the input options, loader and output they share.
"""

from churn.commands.cli import COMMANDS, build_parser, command_module, main

__all__ = ["COMMANDS", "build_parser", "command_module", "main"]
