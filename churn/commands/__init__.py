"""One module per CLI command; see :mod:`churn.commands.cli`."""
