"""``python -m churn score PATH --model MODEL [--events PATH] --out OUT.csv [--reasons N]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from churn.act.scoring import score_customers
from churn.commands.common import add_input_arguments, emit, load
from churn.core.errors import InputError
from churn.core.export import to_csv_bytes
from churn.core.formatting import fmt_number
from churn.core.i18n import LANGUAGES, t
from churn.model.persistence import load_bundle

NAME = "score"
HELP = "Score every active customer with a trained model and write id, probability, tier and action to CSV."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the score command's options."""
    add_input_arguments(parser)
    parser.add_argument(
        "--model", required=True, help="model file written by 'python -m churn train --model'"
    )
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument(
        "--reasons", type=int, default=0, metavar="N", help="add the top N reasons per customer"
    )
    parser.add_argument(
        "--lang",
        default=None,
        choices=LANGUAGES,
        help="language of actions and reasons (default: --lang before the command, $CHURN_LANG, else en)",
    )
    parser.add_argument("--json", action="store_true", help="print a summary as JSON")


def run(args: argparse.Namespace) -> int:
    """Load data and model, score active customers and write the CSV."""
    if args.reasons < 0 or args.reasons > 10:
        raise InputError("errors.reasons_range")
    model = load_bundle(args.model)
    dataset = load(args).dataset
    table = score_customers(model, dataset, lang=args.lang)
    out = table[["customer_id", "probability", "tier", "action_personal", "action_auto", "value_at_risk"]]
    out = out.rename(columns={"action_personal": "action"})
    if args.reasons:
        from churn.act.explain import top_reasons

        reasons = top_reasons(
            model, model.scoring_features(dataset), args.reasons, args.lang, mapping=dataset
        )
        out = out.join(reasons, on="customer_id")
    try:
        Path(args.out).write_bytes(to_csv_bytes(out.round({"probability": 4, "value_at_risk": 0})))
    except OSError as error:
        raise InputError("errors.cannot_write_file", path=str(args.out), reason=str(error.strerror)) from None
    tiers = out["tier"].value_counts()
    result = {
        "out": args.out,
        "customers": int(len(out)),
        "high": int(tiers.get("high", 0)),
        "medium": int(tiers.get("medium", 0)),
        "low": int(tiers.get("low", 0)),
    }
    counts = {k: fmt_number(result[k], args.lang) for k in ("customers", "high", "medium", "low")}
    text = t("cli.scored", args.lang, customers=counts["customers"], out=args.out) + "\n"
    text += t("cli.scored_tiers", args.lang, high=counts["high"], medium=counts["medium"], low=counts["low"])
    emit(result, args.json, text)
    return 0
