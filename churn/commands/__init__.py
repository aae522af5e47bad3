"""One module per CLI command; see :mod:`churn.cli`."""
