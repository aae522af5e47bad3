"""``python -m churn train PATH [--events PATH] [--target COL] [--model OUT] [--horizon DAYS] [--json]``."""

from __future__ import annotations

import argparse

from churn.commands.common import add_input_arguments, emit, load
from churn.core.display import column_label
from churn.core.errors import InputError
from churn.core.formatting import fmt_number
from churn.core.i18n import LANGUAGES, t
from churn.model.churn_model import SPEEDS, ChurnModel
from churn.model.persistence import save_bundle
from churn.model.verdict import recommendation_text

NAME = "train"
HELP = "Train the churn model on a customer table and/or event log and print its out-of-sample metrics."

METRICS = ("auc", "pr_auc", "accuracy", "precision", "recall", "fpr", "brier", "threshold")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the train command's options."""
    add_input_arguments(parser)
    parser.add_argument(
        "--model", metavar="OUT", help="write the trained model to this file (a zip, no pickle)"
    )
    parser.add_argument(
        "--horizon", type=int, default=90, help="days after a cutoff that count as churn (90)"
    )
    parser.add_argument("--speed", choices=tuple(SPEEDS), default="balanced", help="trees to grow at most")
    parser.add_argument(
        "--lang",
        default=None,
        choices=LANGUAGES,
        help="language of the verdict (default: --lang before the command, $CHURN_LANG, else en)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _result(model: ChurnModel, dataset) -> dict:
    metrics = model.metrics_
    return {
        **{name: metrics.get(name) for name in METRICS},
        "n_train": metrics.get("n_train"),
        "n_test": metrics.get("n_test"),
        "validation": model.validation_,
        "horizon_days": metrics.get("horizon_days"),
        "auc_interval": [metrics.get("auc_low"), metrics.get("auc_high")],
        "fold_aucs": metrics.get("fold_aucs"),
        "brier_base_rate": metrics.get("brier_base"),
        "calibration": metrics.get("calibration"),
        "settings": metrics.get("settings"),
        "baselines": {name: values.get("auc") for name, values in model.baselines_.items()},
        "gain_over_baselines": {
            name: [values.get("gain_low"), values.get("gain_high")]
            for name, values in model.baselines_.items()
        },
        "excluded_columns": [
            {"column": column_label(dataset, c), "reason": t(f"model.reason_{r}", "en")}
            for c, r in model.excluded_.items()
        ],
        "features": len(model.features_),
        "recommendation": model.recommendation_.get("model"),
        "verdict": model.recommendation_.get("reason"),
        "seconds": metrics.get("seconds"),
    }


def _number(value, lang: str = "en") -> str:
    return "-" if value is None else fmt_number(value, lang, 3)


def _text(result: dict, verdict: str, lang: str = "en", excluded: list[tuple[str, str]] | None = None) -> str:
    """The plain-text answer; numbers and sentences in ``lang``, ``excluded`` as (column, reason) in ``lang``."""
    rows = [(name, _number(result[name], lang)) for name in METRICS]
    low, high = result["auc_interval"]
    interval = t("cli.interval", lang, low=_number(low, lang), high=_number(high, lang))
    rows.append(("auc_95_interval", "-" if low is None else interval))
    rows.append(("brier_base_rate", _number(result["brier_base_rate"], lang)))
    rows += [
        ("n_train", fmt_number(result["n_train"], lang)),
        ("n_test", fmt_number(result["n_test"], lang)),
        ("validation", result["validation"]),
        ("horizon_days", fmt_number(result["horizon_days"], lang)),
    ]
    rows += [(f"baseline_{name}_auc", _number(auc, lang)) for name, auc in result["baselines"].items()]
    rows += [
        ("features", fmt_number(result["features"], lang)),
        ("seconds", fmt_number(result["seconds"], lang, 1)),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{key:<{width}}  {value}" for key, value in rows]
    if excluded is None:
        excluded = [(item["column"], item["reason"]) for item in result["excluded_columns"]]
    lines.append("excluded_columns:" + ("" if excluded else " " + t("cli.none", lang)))
    lines += [f"  {column}: {reason}" for column, reason in excluded]
    if result.get("model_file"):
        lines.append(t("cli.model_written", lang, path=result["model_file"]))
    lines.append(f"verdict: {verdict}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Train on the file(s), print the metrics and optionally save the model file."""
    dataset = load(args).dataset
    model = ChurnModel(horizon_days=args.horizon, iterations=SPEEDS[args.speed]).fit(dataset)
    result = _result(model, dataset)
    if args.model:
        try:
            save_bundle(model, args.model)
        except OSError as error:
            raise InputError(
                "errors.cannot_write_model", path=str(args.model), reason=str(error.strerror)
            ) from None
        result["model_file"] = args.model
    excluded = [
        (column_label(dataset, c, args.lang), t(f"model.reason_{r}", args.lang))
        for c, r in model.excluded_.items()
    ]
    emit(result, args.json, _text(result, recommendation_text(model, args.lang), args.lang, excluded))
    return 0
