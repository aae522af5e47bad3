"""Entry point for ``python -m churn``."""

import sys

from churn.commands.cli import main

sys.exit(main())
