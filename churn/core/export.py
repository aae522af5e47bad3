"""Exports that are safe to open in Excel.

Text cells that start with ``=``, ``+``, ``-``, ``@``, tab or carriage return
are prefixed with an apostrophe so spreadsheet programs show them as text
instead of running them as formulas (CSV/formula injection). Numbers stay numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """Return ``value`` with a leading apostrophe if it is text that Excel would run.

    Example
    -------
    >>> neutralise_cell("=HYPERLINK(\\"x\\")"), neutralise_cell(-3)
    ("'=HYPERLINK(\\"x\\")", -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


#: How a spreadsheet in each language reads CSV: Norwegian Excel expects ``;`` between
#: fields because its decimal sign is the comma.
CSV_STYLE = {"en": {"sep": ",", "decimal": "."}, "nb": {"sep": ";", "decimal": ","}}


def to_csv_bytes(frame: pd.DataFrame, lang: str = "en") -> bytes:
    """Formula-safe CSV in the reader's spreadsheet style, UTF-8 with BOM so Excel shows æ ø å.

    English: ``,`` between fields and a decimal point; Norwegian: ``;`` and a decimal comma.

    Example
    -------
    >>> to_csv_bytes(pd.DataFrame({"risiko": [71.5]}), "nb")
    b'\\xef\\xbb\\xbfrisiko\\n71,5\\n'
    """
    style = CSV_STYLE.get(lang, CSV_STYLE["en"])
    return safe_frame(frame).to_csv(index=False, **style).encode("utf-8-sig")


def to_excel_bytes(frame: pd.DataFrame, sheet: str = "Customers") -> bytes:
    """Formula-safe .xlsx bytes (one sheet)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def pseudonymise(ids: pd.Series, secret: str) -> pd.Series:
    """Replace customer ids by stable keyed hashes (seed 004's GDPR note).

    The same id and secret always give the same pseudonym, so lists from two
    runs can be matched by whoever holds the secret, and by nobody else.
    """
    key = secret.encode("utf-8")
    return ids.astype(str).map(
        lambda v: "C-" + hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:12]
    )
