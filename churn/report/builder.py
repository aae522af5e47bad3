"""The workshop report: one self-contained HTML document (and a PDF of it).

:func:`build_report` runs the analyses of the other modules (quality, timing,
survival, drivers, signals, model, ROI) on a dataset and lays their results
out as sections: data, when, why, model, customers, ROI and the settings the
report was made with. It computes nothing of its own beyond picking and
formatting.

The HTML needs no network and no JavaScript: CSS is inline, charts are inline
SVG (see :mod:`churn.report.charts`). The template is rendered by Jinja2 with
autoescaping on, so every piece of text that comes from the data (column
names, segment values, ids, dataset and scenario names) is HTML-escaped
unless it is explicitly marked safe, which only our own SVG charts are.
"""

from __future__ import annotations

import logging
import secrets as _secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from churn.core.dataset import Dataset
from churn.core.errors import ChurnError, ReportError
from churn.core.formatting import dataset_currency, fmt_date
from churn.core.i18n import normalise_language, t
from churn.report import model_sections
from churn.report import sections as sec

log = logging.getLogger(__name__)

#: Sections that can be left out, in report order (the settings section is always there).
SECTIONS = ("data", "when", "why", "model", "customers", "roi")

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Report:
    """A built report: the HTML plus what a page needs to preview it.

    Attributes
    ----------
    html : str
        The complete, self-contained HTML document.
    sections : tuple of (key, heading)
        The sections in the report, in order.
    key_numbers : tuple of (label, value)
        A few headline figures, already formatted in the report's language.
    seconds : float
        How long building took.
    """

    html: str
    sections: tuple[tuple[str, str], ...]
    key_numbers: tuple[tuple[str, str], ...]
    seconds: float


_BUILDERS: dict[str, Callable[[sec.Context], dict]] = {
    "data": sec.data_section,
    "when": sec.when_section,
    "why": sec.why_section,
    "model": model_sections.model_section,
    "customers": model_sections.customers_section,
    "roi": sec.roi_section,
}


def make_report(
    dataset: Dataset,
    lang: str = "en",
    model=None,
    scenarios: list[dict] | None = None,
    pseudonymise_ids: bool = False,
    secret: str | None = None,
    generated_at: datetime | None = None,
    sections: Collection[str] | None = None,
    currency: str | None = None,
) -> Report:
    """Build the report and return it with its section list and headline figures.

    Parameters are those of :func:`build_report`. ``sections`` names the parts
    to include (any of :data:`SECTIONS`; None includes all). ``currency`` is the
    workspace's (None: named in the data, else by language). A scenario dict with
    ``"unsaved": True`` is the one on screen; its column says so.
    """
    started = time.perf_counter()
    lang = normalise_language(lang)
    wanted = _wanted_sections(sections)
    if pseudonymise_ids and not secret:
        # A one-off key: the pseudonyms cannot be linked back, not even across two reports.
        secret = _secrets.token_urlsafe(24)
    stamp = pd.Timestamp(generated_at or datetime.now()).tz_localize(None)
    ctx = sec.Context(
        dataset=dataset,
        lang=lang,
        model=model,
        scenarios=list(scenarios or []),
        secret=secret if pseudonymise_ids else None,
        currency=currency or dataset_currency(dataset, lang),
    )
    built = _built_sections(ctx, wanted, stamp, pseudonymise_ids)
    html = _render(ctx, stamp, built)
    seconds = time.perf_counter() - started
    log.info("report built in %.2f s (%d sections, %d bytes)", seconds, len(built), len(html))
    return Report(
        html=html,
        sections=tuple((s["key"], s["title"]) for s in built),
        key_numbers=tuple(ctx.key_numbers),
        seconds=seconds,
    )


def _wanted_sections(sections: Collection[str] | None) -> list[str]:
    """The asked-for sections in report order; an unknown name is an error."""
    wanted = [s for s in SECTIONS if sections is None or s in sections]
    unknown = set(sections or ()) - set(SECTIONS) - {"settings"}
    if unknown:
        raise ReportError("errors.unknown_section", section=str(sorted(unknown)[0]), sections=tuple(SECTIONS))
    return wanted


def _built_sections(
    ctx: sec.Context, wanted: list[str], stamp: pd.Timestamp, pseudonymise_ids: bool
) -> list[dict]:
    """The wanted sections, numbered and anchored, followed by the settings section."""
    built = []
    for number, key in enumerate(wanted, start=1):
        section = _run(key, ctx)
        built.append({**section, "number": number, "anchor": f"s-{key}"})
    model_settings = model_sections.settings_text(ctx) if ctx.model is not None else None
    settings = sec.settings_section(ctx, stamp, [s["title"] for s in built], pseudonymise_ids, model_settings)
    built.append({**settings, "number": len(built) + 1, "anchor": "s-settings"})
    return built


def _render(ctx: sec.Context, stamp: pd.Timestamp, built: list[dict]) -> str:
    """The report's HTML from its built sections."""
    lang = ctx.lang
    return _ENV.get_template("report.html").render(
        lang=lang,
        t=lambda key, **kw: t(key, lang, **kw),
        title=t("report.doc_title", lang),
        dataset_name=ctx.dataset.name,
        date=fmt_date(stamp, lang),
        figures=ctx.key_numbers,
        sections=built,
    )


def _run(key: str, ctx: sec.Context) -> dict:
    """One section; a user-level problem with the data becomes a sentence in that section."""
    try:
        return _BUILDERS[key](ctx)
    except ChurnError as error:
        log.info("report section %s skipped: %s", key, error)
        return sec.section(key, ctx.lang, [sec.note(error.text(ctx.lang))])  # in the report's language


def build_report(
    dataset: Dataset,
    lang: str = "en",
    model=None,
    scenarios: list[dict] | None = None,
    pseudonymise_ids: bool = False,
    secret: str | None = None,
    generated_at: datetime | None = None,
    sections: Collection[str] | None = None,
) -> str:
    """The workshop report as one self-contained HTML document.

    Parameters
    ----------
    dataset : Dataset
        The analysed data.
    lang : str
        ``"en"`` or ``"nb"``: headings, sentences, numbers and dates.
    model : ChurnModel, optional
        A trained model; without one the model section says none was trained
        and the at-risk list falls back to the warning signals (if any).
    scenarios : list of dict, optional
        Saved ROI scenarios as :func:`churn.workspace.store.list_scenarios` returns them
        (``name`` and ``params``); shown side by side.
    pseudonymise_ids : bool
        Replace customer ids by keyed hashes (:func:`churn.core.export.pseudonymise`).
    secret : str, optional
        The key for the pseudonyms; pass the same one to match lists from two
        reports. Without it a random one-off key is used.
    generated_at : datetime, optional
        The date printed in the report (default: now).
    sections : collection of str, optional
        Which of :data:`SECTIONS` to include (default all).

    Returns
    -------
    str
        HTML that opens offline in any browser (no scripts, no external URLs).

    Example
    -------
    >>> html = build_report(load_sample(), lang="nb")  # doctest: +SKIP
    """
    return make_report(dataset, lang, model, scenarios, pseudonymise_ids, secret, generated_at, sections).html


def pdf_available() -> bool:
    """True when WeasyPrint and its system libraries (Pango) can be loaded."""
    try:
        import weasyprint  # noqa: F401
    except Exception:  # ImportError, or OSError when Pango is missing
        return False
    return True


def report_pdf(html: str) -> bytes:
    """Print the report HTML to PDF (A4) with WeasyPrint, no browser needed.

    Raises
    ------
    ReportError
        When WeasyPrint or the Pango library it needs is not installed.
    """
    try:
        import weasyprint
    except Exception as error:
        raise ReportError("errors.pdf_needs_weasyprint") from error
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html).write_pdf()
