"""Read a client's export into a typed DataFrame: the raw half of intake.

:func:`read_table` accepts CSV/TSV/TXT, Excel (.xlsx) and Parquet as bytes or a
path. Text files have their encoding detected (UTF-8, UTF-8 with BOM, UTF-16
with or without BOM, else ``charset-normalizer`` preferring cp1252/latin-1 so
that æ ø å survive) and are split into rows by :mod:`churn.ingest.delimited`
(``,`` ``;`` tab ``|`` or runs of whitespace; a stray quote read around, not
refused). Workbooks give the sheet that holds the data
(:mod:`churn.ingest.excel`). Then:

* header names lose a BOM and outer spaces, but keep inner spacing exactly as
  the client wrote it (``'Call  Failure'`` stays with two spaces); a first line
  that holds values rather than names (a headerless log) is kept as data and
  the columns are called ``column 1``, ``column 2``, ...;
* every column is typed by :func:`churn.ingest.coercion.coerce_column`
  (numbers and dates in local shapes, "no value" markers as missing; ids with
  leading zeros stay text).

What was decided on the way is reported on the returned frame's ``attrs``:
``"read_notes"`` (a list of ``{"key": "reading.<name>", "values": {...}}``,
each one :class:`churn.ingest.evidence.Note`, sentences in
``locales/*/reading.json``) and, for workbooks, ``"sheets"`` and ``"sheet"``.

Nothing is executed or unpickled: CSV is parsed as text, Excel through
openpyxl's cell values (bounded by :mod:`churn.ingest.excel`), Parquet through
pyarrow's columnar reader.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from churn.core.errors import InputError
from churn.ingest.coercion import (
    MISSING_MARKERS,
    UNKNOWN_MARKERS,
    coerce_column,
    coerce_with_markers,
    to_dates,
)
from churn.ingest.delimited import DELIMITERS, WHITESPACE, decode_text, parse_text, sniff_delimiter
from churn.ingest.excel import read_sheet, sheet_list

__all__ = [
    "DELIMITERS",
    "MAX_BYTES",
    "MISSING_MARKERS",
    "UNKNOWN_MARKERS",
    "WHITESPACE",
    "coerce_column",
    "column_names",
    "decode_text",
    "header_is_data",
    "read_table",
    "sniff_delimiter",
    "to_dates",
]

log = logging.getLogger(__name__)

#: The hosted app's default upload limit (``server.maxUploadSize`` in ``.streamlit/config.toml``);
#: :func:`read_table` itself has no limit unless one is given (the command line reads files of any size).
MAX_BYTES = 200 * 2**20
# Line numbers named in one note; the rest are counted.
_LINES_LISTED = 10
# ---------------------------------------------------------------- bytes -> text


def _too_large(name: str, max_bytes: int) -> InputError:
    return InputError("errors.file_too_large", name=name, limit=max_bytes / 2**20)


def _read_source(
    source: bytes | str | Path, filename: str | None, max_bytes: int | None
) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError("errors.file_missing", path=str(path))
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise _too_large(name, max_bytes)
        data = path.read_bytes()
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(name, max_bytes)
    if not data.strip():
        raise InputError("errors.file_empty", name=name)
    return data, name


# ---------------------------------------------------------------- the whole file


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InputError("errors.parquet_unreadable", name=name) from error
    return table.to_pandas(ignore_metadata=True)


def _format_of(data: bytes, name: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("errors.old_xls", name=name)
    return "text"


def read_table(
    source: bytes | str | Path,
    filename: str | None = None,
    max_bytes: int | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read an uploaded or local table into a frame with typed columns.

    Parameters
    ----------
    source : bytes | str | Path
        The file's bytes, or a path to it.
    filename : str, optional
        The original file name (used in messages; a path's name by default).
    max_bytes : int, optional
        Size limit; larger files are refused before parsing. None (the
        default): no limit (an upload is bounded by the app's upload size).
    sheet : str, optional
        For a workbook, the sheet to read; by default the one that looks like
        the data table (:func:`churn.ingest.excel.read_sheet`).

    Returns
    -------
    pd.DataFrame
        One column per file column, header names without a BOM or outer
        spaces (inner spacing as written), numbers as floats (ints when whole
        and complete), dates as ``datetime64[ns]``, other values as text;
        empty rows and empty unnamed columns dropped. ``attrs["read_notes"]``
        lists what the reader decided (``{"key": "reading.<name>", "values":
        {...}}``); workbooks add ``attrs["sheets"]`` (every sheet name) and
        ``attrs["sheet"]`` (the one read).

    Raises
    ------
    InputError
        Empty, binary, undecodable, above ``max_bytes``, not a table, a line that cannot
        be split (the message names it), ``sheet`` given for a file that is
        not a workbook or naming no sheet in it, or a workbook that unpacks
        past the limits of :mod:`churn.ingest.excel`.

    Example
    -------
    >>> read_table("Kundenr;Beløp\\n7;1 250,50\\n8;99\\n".encode())["Beløp"].tolist()
    [1250.5, 99.0]
    """
    data, name = _read_source(source, filename, max_bytes)
    kind = _format_of(data, name)
    sheet = sheet or None  # Excel has no sheet without a name; "" is a widget left empty
    if sheet is not None and kind != "xlsx":
        raise InputError("errors.sheet_not_excel", name=name, sheet=str(sheet))
    notes: list[dict] = []
    attrs: dict = {}
    if kind == "xlsx":
        chosen = read_sheet(data, name, sheet)
        attrs = {"sheets": list(chosen.sheets), "sheet": chosen.name}
        if sheet is None and len(chosen.sheets) > 1:
            notes.append(_note("note_sheet_chosen", sheet=chosen.name, sheets=sheet_list(chosen.sheets)))
        frame = _typed_table(chosen.header, pd.DataFrame(chosen.rows, dtype=object), ".", notes, True)
    elif kind == "parquet":
        raw = _read_parquet(data, name)
        body = raw.set_axis(range(raw.shape[1]), axis=1)
        frame = _typed_table(list(raw.columns), body, ".", notes, False)
    else:
        parsed = parse_text(decode_text(data, name), name)
        if parsed.odd_lines:
            notes.append(_quote_note(parsed.odd_lines))
        decimal = "," if parsed.delimiter in (";", "\t", "|") else "."
        body = parsed.rows.iloc[1:].reset_index(drop=True)
        frame = _typed_table(parsed.rows.iloc[0].tolist(), body, decimal, notes, True)
    frame = _tidy(frame, name, attrs.get("sheet"))
    frame.attrs = {**attrs, "read_notes": notes}  # last: pandas drops attrs on many operations
    return frame


def _note(name: str, **values) -> dict:
    """A note for ``attrs["read_notes"]``: a key of ``locales/*/reading.json`` and its values."""
    return {"key": f"reading.{name}", "values": values}


def _quote_note(lines: tuple[int, ...]) -> dict:
    shown = ", ".join(str(n) for n in lines[:_LINES_LISTED]) + (", …" if len(lines) > _LINES_LISTED else "")
    if len(lines) == 1:
        return _note("note_tolerant_quote", lines=shown)
    return _note("note_tolerant_quotes", lines=shown, count=len(lines))


def _typed_table(
    header: list, body: pd.DataFrame, decimal: str, notes: list[dict], may_lack_header: bool
) -> pd.DataFrame:
    """Name and type the columns of ``body``; ``header`` becomes a row when it holds values, not names.

    Notes on header spaces, a missing header and missing-value markers are
    appended to ``notes``.
    """
    names, trimmed = column_names(header)
    columns = [coerce_with_markers(body[i].rename(names[i]), decimal) for i in range(len(names))]
    if may_lack_header and header_is_data(header, [typed for typed, _ in columns], decimal):
        names = [f"column {i}" for i in range(1, len(names) + 1)]
        first = pd.DataFrame([header], dtype=object)
        body = pd.concat([first, body.astype(object)], ignore_index=True)
        columns = [coerce_with_markers(body[i].rename(names[i]), decimal) for i in range(len(names))]
        notes.append(_note("note_headerless", count=len(names)))
    elif trimmed:
        notes.append(_note("note_header_spaces", columns=", ".join(f"'{t}'" for t in trimmed)))
    for column, (_, markers) in zip(names, columns, strict=True):
        if markers:
            listed = ", ".join(f"'{m}'" for m in sorted(markers, key=lambda m: (-markers[m], m)))
            notes.append(
                _note("note_missing_markers", column=column, markers=listed, count=sum(markers.values()))
            )
    return pd.DataFrame({name: typed for name, (typed, _) in zip(names, columns, strict=True)})


# ---------------------------------------------------------------- header


_MOJIBAKE_BOM = "\u00ef\u00bb\u00bf"  # a UTF-8 BOM decoded as cp1252


def column_names(header: list) -> tuple[list[str], list[str]]:
    """Unique column names from header cells, and the names that had outer spaces (as written).

    A BOM, outer spaces and enclosing quotes are removed; inner spacing is the
    client's spelling and is kept exactly. A blank cell is named by its place
    (``column 3``); a repeated name gets ``_2``, ``_3``.

    Example
    -------
    >>> column_names(["\\ufeffid ", "Call  Failure", None, "id"])
    (['id', 'Call  Failure', 'column 3', 'id_2'], ['id '])
    """
    names, trimmed, used = [], [], set()
    for position, raw in enumerate(header, start=1):
        text = "" if _is_blank(raw) else str(raw)
        text = text.lstrip("\ufeff").removeprefix(_MOJIBAKE_BOM)
        core = text.strip().strip('"').strip()
        if core and text != text.strip():
            trimmed.append(text)
        base = core or f"column {position}"
        unique, count = base, 1
        while unique in used:
            count += 1
            unique = f"{base}_{count}"
        used.add(unique)
        names.append(unique)
    return names, trimmed


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT


def header_is_data(header: list, typed: list[pd.Series], decimal: str = ".") -> bool:
    """Whether the first row holds values like the rows below it rather than column names.

    A name sits above numbers or dates (``date`` over ``2024-01-03``); a value
    has the same type as the column (``2024-01-03``, ``120``). The first row is
    data when at least one number or date column has a number or date in it,
    no such column has a word in it, and every text cell either occurs in its
    column or has the column's shape (``C17`` among ``C18``, ``C19``) in a
    column of codes or unique values.

    Example
    -------
    >>> typed = [pd.Series(["C18", "C19"]), pd.Series([130, 90])]
    >>> header_is_data(["C17", "120"], typed), header_is_data(["cust", "amount"], typed)
    (True, False)
    """
    typed_match = 0
    for cell, column in zip(header, typed, strict=False):
        present = column.dropna()
        cell_kind = _value_kind(cell, decimal)
        if cell_kind == "empty" or present.empty:
            continue
        if pd.api.types.is_bool_dtype(column):
            column_kind = "bool"
        elif pd.api.types.is_datetime64_any_dtype(column):
            column_kind = "date"
        elif pd.api.types.is_numeric_dtype(column):
            column_kind = "number"
        else:
            column_kind = "text"
        if column_kind == "text":
            if not _like_values(str(cell).strip(), present.astype(str)):
                return False
        elif cell_kind != column_kind:
            return False
        else:
            typed_match += 1
    return typed_match > 0


def _value_kind(cell, decimal: str) -> str:
    if _is_blank(cell):
        return "empty"
    if isinstance(cell, bool | np.bool_):
        return "bool"
    if isinstance(cell, int | float | np.number):
        return "number"
    if isinstance(cell, dt.date | dt.datetime | pd.Timestamp):
        return "date"
    text = str(cell).strip()
    if text.lower() in MISSING_MARKERS or text.lower() in UNKNOWN_MARKERS:
        return "empty"
    value = coerce_column(pd.Series([text], name=""), decimal)
    if pd.api.types.is_datetime64_any_dtype(value):
        return "date"
    return "number" if pd.api.types.is_numeric_dtype(value) else "text"


def _shape(text: str) -> str:
    """Letters, digits and the rest as a pattern: ``C17`` -> ``A9``, ``Oslo`` -> ``Aa``."""
    out = []
    for char in text:
        mark = "9" if char.isdigit() else ("A" if char.isupper() else "a") if char.isalpha() else char
        if not out or out[-1] != mark:
            out.append(mark)
    return "".join(out)


def _like_values(cell: str, values: pd.Series) -> bool:
    if (values == cell).any():
        return True
    sample = values.iloc[:500]
    shapes = sample.map(_shape).value_counts(normalize=True)
    if _shape(cell) != shapes.index[0] or shapes.iloc[0] < 0.8:
        return False
    return any(c.isdigit() for c in cell) or sample.nunique() >= 0.9 * len(sample)


def _tidy(frame: pd.DataFrame, name: str, sheet: str | None) -> pd.DataFrame:
    """Drop empty rows and empty unnamed columns; refuse what is not a table."""
    empty = frame.isna().all()
    drop = [c for c in frame.columns if empty[c] and re.fullmatch(r"column \d+", c)]
    frame = frame.drop(columns=drop)
    if len(frame.columns) < 2 and sheet is not None:
        raise InputError("errors.sheet_one_column", sheet=str(sheet), name=name)
    if len(frame.columns) < 2:
        raise InputError("errors.not_a_table", name=name)
    frame = frame[frame.notna().any(axis=1)].reset_index(drop=True)
    if frame.empty:
        raise InputError("errors.no_rows", name=name)
    return frame
