"""``python -m churn report PATH [--events PATH] --out report.html``: the workshop report as a file.

Example::

    python -m churn report data/sample/customers.csv --events data/sample/events.csv \\
        --out report.html --lang nb --model model.zip --pseudonymise --pdf
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from churn.commands.common import add_input_arguments, emit, load
from churn.core.errors import InputError
from churn.core.formatting import fmt_number
from churn.core.i18n import LANGUAGES, t
from churn.ingest.big_events import events_in_memory

NAME = "report"
HELP = (
    "Write the workshop report (data, when, why, model, at-risk customers) as one self-contained HTML file."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the report command's options."""
    add_input_arguments(parser, path_required=True)
    parser.add_argument("--out", required=True, help="the HTML file to write, e.g. report.html")
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the report (default: --lang before the command, $CHURN_LANG, else en)",
    )
    parser.add_argument("--model", help="a model file written by 'python -m churn train --model OUT'")
    parser.add_argument("--pseudonymise", action="store_true", help="replace customer ids by keyed hashes")
    parser.add_argument(
        "--secret",
        default=os.environ.get("CHURN_PSEUDONYM_SECRET"),
        help="key for the pseudonyms (default $CHURN_PSEUDONYM_SECRET, else a one-off random key)",
    )
    parser.add_argument("--pdf", action="store_true", help="also write a PDF next to the HTML file")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")


def _out_path(text: str, suffix: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise InputError("errors.out_is_folder", out=text, example=str(Path(text) / "report.html"))
    if not path.parent.exists():
        raise InputError("errors.out_folder_missing", out=text)
    return path if path.suffix else path.with_suffix(suffix)


def run(args: argparse.Namespace) -> int:
    """Load the data (and the model), build the report, write HTML (and PDF)."""
    from churn.report.builder import make_report, report_pdf

    out = _out_path(args.out, ".html")
    dataset = events_in_memory(load(args).dataset)  # the report's sections read the events as a frame
    model = None
    if args.model:
        from churn.model.persistence import load_bundle

        model = load_bundle(args.model)
    report = make_report(
        dataset, lang=args.lang, model=model, pseudonymise_ids=args.pseudonymise, secret=args.secret
    )
    pdf_path = out.with_suffix(".pdf") if args.pdf else None
    pdf = report_pdf(report.html) if pdf_path else None  # before writing anything: fail whole
    try:
        out.write_text(report.html, encoding="utf-8")
        if pdf_path:
            pdf_path.write_bytes(pdf)
    except OSError as error:
        raise InputError(
            "errors.cannot_write_out", path=str(error.filename or out), reason=str(error.strerror)
        ) from error
    result = {
        "html": str(out),
        "pdf": str(pdf_path) if pdf_path else None,
        "bytes": len(report.html.encode("utf-8")),
        "seconds": round(report.seconds, 2),
        "sections": [key for key, _ in report.sections],
        "model": bool(model),
        "pseudonymised": bool(args.pseudonymise),
    }
    size, sections = fmt_number(result["bytes"], args.lang), fmt_number(len(result["sections"]), args.lang)
    lines = [t("cli.report_written", args.lang, path=out, bytes=size, sections=sections)]
    if pdf_path:
        lines.append(t("cli.pdf_written", args.lang, path=pdf_path, bytes=fmt_number(len(pdf), args.lang)))
    emit(result, args.json, "\n".join(lines))
    return 0
