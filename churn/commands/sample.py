"""``python -m churn sample``: write the seeded synthetic sample (customers.csv, events.csv)."""

from __future__ import annotations

import argparse

from churn.commands.common import emit
from churn.core.formatting import fmt_number
from churn.core.i18n import t
from churn.ingest.sample import write_sample

NAME = "sample"
HELP = "Generate the seeded synthetic sample data (customers.csv and events.csv) at any size."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sample command's options."""
    parser.add_argument("--customers", type=int, default=3000, help="number of customers (default 3000)")
    parser.add_argument("--out", required=True, help="folder to write customers.csv and events.csv into")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--as-of", default="2026-10-31", help="'today' as an ISO date (default 2026-10-31)")
    parser.add_argument("--months", type=int, default=36, help="months of history (default 36)")
    parser.add_argument(
        "--event-rate",
        type=float,
        default=1.0,
        help="multiplier on event volume (default 1.0; e.g. 0.1 for benchmarks)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Write the sample and print the rows written."""
    result = write_sample(args.out, args.customers, args.seed, args.as_of, args.months, args.event_rate)
    lang = getattr(args, "lang", None) or "en"
    text = t(
        "cli.sample_written",
        lang,
        customers=fmt_number(result["customers"], lang),
        churned=fmt_number(result["churned"], lang),
        events=fmt_number(result["events"], lang),
        out=result["out_dir"],
        seed=result["seed"],
    )
    emit(result, args.json, text)
    return 0
