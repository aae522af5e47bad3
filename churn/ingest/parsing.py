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
* every column is coerced by :func:`coerce_column`: blanks and "no value"
  markers (``NA``, ``N/A``, ``null``, ``?``, ``-``) become missing anywhere,
  words such as ``Unknown``, ``None``, ``MISSING``, ``ukjent``, ``mangler`` only
  in a column that is otherwise numbers or dates (in a text column
  ``Unknown`` can be a real segment); numbers written as ``1 250,50``,
  ``1.250,50``, ``1,250.50``, ``980,-`` or ``kr 99`` become floats (ids with
  leading zeros stay text); dates written ISO, ``dd.mm.yyyy``, ``dd/mm/yyyy``
  (``mm/dd/yyyy`` when the data says so), ``yyyymmdd`` or as Excel serial
  numbers become datetimes -- the last two only when the column name says it
  holds dates, so that ids and amounts are never turned into dates.

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

MAX_BYTES = 200 * 2**20
# Line numbers named in one note; the rest are counted.
_LINES_LISTED = 10
#: Missing in any column (compared in lower case, after stripping spaces).
MISSING_MARKERS = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "nil", "-", "--", "?", "#n/a", "#i/t", "#value!", "#null!"}
)
#: Missing only in a column that is otherwise numbers or dates: in a text
#: column these can be real categories (a segment called "Unknown").
UNKNOWN_MARKERS = frozenset(
    {
        "none", "unknown", "missing", "not available", "not known", "n/k",
        "ukjent", "mangler", "ikke oppgitt", "ikke kjent",  # Norwegian
        "ukendt", "mangler data", "ikke oplyst",  # Danish
        "okänd", "saknas",  # Swedish
        "unbekannt", "k.a.", "fehlt",  # German
        "desconocido", "sin dato", "sin datos",  # Spanish
    }
)  # fmt: skip

_DATE_NAME = re.compile(
    r"(date|dato|_at$|^at_|time|tid|when|day|dag$|start|slutt|end|signup|cancel|created|"
    r"registrer|opprett|oprett|oppsagt|opsagt|ophør|since|siden|periode|month|måned)",
    re.IGNORECASE,
)
_CURRENCY = re.compile(r"^(?:kr\.?|nok|dkk|sek|eur|usd|€|\$|£)|(?:kr\.?|nok|dkk|sek|eur|usd|€|\$|£|,-|\.-)$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DOT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_LEADING_ZERO = re.compile(r"^0\d")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}" + _TIME + r"(?:Z|[+-]\d{2}:?\d{2})?$")
_DMY_DOT = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}" + _TIME + "$")
_DMY_SLASH = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}" + _TIME + "$")
_DMY_DASH = re.compile(r"^\d{1,2}-\d{1,2}-\d{4}" + _TIME + "$")
_YMD_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}" + _TIME + "$")
_COMPACT = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


# ---------------------------------------------------------------- bytes -> text


def _read_source(source: bytes | str | Path, filename: str | None, max_bytes: int) -> tuple[bytes, str]:
    limit_mb = max_bytes / 2**20
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(f"The file '{path}' does not exist; check the path.")
        if path.stat().st_size > max_bytes:
            raise InputError(
                f"The file '{name}' is larger than the {limit_mb:g} MB limit; upload a smaller extract."
            )
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise InputError(
            f"The file '{name}' is larger than the {limit_mb:g} MB limit; upload a smaller extract."
        )
    if not data.strip():
        raise InputError(f"The file '{name}' is empty; export the table again with its rows.")
    return data, name


# ---------------------------------------------------------------- the whole file


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InputError(f"The Parquet file '{name}' cannot be read; export it again or use CSV.") from error
    return table.to_pandas(ignore_metadata=True)


def _format_of(data: bytes, name: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"The file '{name}' is an old Excel .xls workbook; save it as .xlsx or CSV and upload it again."
        )
    return "text"


def read_table(
    source: bytes | str | Path,
    filename: str | None = None,
    max_bytes: int = MAX_BYTES,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read an uploaded or local table into a frame with typed columns.

    Parameters
    ----------
    source : bytes | str | Path
        The file's bytes, or a path to it.
    filename : str, optional
        The original file name (used in messages; a path's name by default).
    max_bytes : int
        Size limit; larger files are refused before parsing.
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
        Empty, binary, undecodable, too large, not a table, a line that cannot
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
        raise InputError(
            f"The file '{name}' is not an Excel workbook, so it has no sheet '{sheet}'; leave the sheet out for it."
        )
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
    columns = [_coerce(body[i].rename(names[i]), decimal) for i in range(len(names))]
    if may_lack_header and header_is_data(header, [typed for typed, _ in columns], decimal):
        names = [f"column {i}" for i in range(1, len(names) + 1)]
        first = pd.DataFrame([header], dtype=object)
        body = pd.concat([first, body.astype(object)], ignore_index=True)
        columns = [_coerce(body[i].rename(names[i]), decimal) for i in range(len(names))]
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
        raise InputError(
            f"The sheet '{sheet}' in '{name}' has fewer than two columns, so it is not a table; "
            "choose the sheet that holds the data."
        )
    if len(frame.columns) < 2:
        raise InputError(
            f"The file '{name}' does not look like a table: no comma, semicolon, tab or pipe splits it into columns."
        )
    frame = frame[frame.notna().any(axis=1)].reset_index(drop=True)
    if frame.empty:
        raise InputError(
            f"The file '{name}' has column names but no rows; export the table again with its rows."
        )
    return frame


# ---------------------------------------------------------------- column coercion


def coerce_column(series: pd.Series, decimal: str = ".") -> pd.Series:
    """Give one raw column its real type: number, date or text (blanks become missing).

    Parameters
    ----------
    series : pd.Series
        Raw values (text from CSV, cell values from Excel, typed from Parquet).
    decimal : str
        The decimal mark to assume when a value like ``1.250`` is ambiguous
        (``","`` for ``;``-separated files).

    Returns
    -------
    pd.Series
        Floats or ints, ``datetime64[ns]``, or stripped text; ``MISSING_MARKERS``
        are missing in any column, ``UNKNOWN_MARKERS`` only when the rest of
        the column is numbers or dates.

    Example
    -------
    >>> coerce_column(pd.Series(["1 250,50", " ", "980"], name="Beløp"), ",").tolist()
    [1250.5, nan, 980.0]
    """
    return _coerce(series, decimal)[0]


def _coerce(series: pd.Series, decimal: str) -> tuple[pd.Series, dict[str, int]]:
    """:func:`coerce_column`, plus the markers read as missing and how many cells held each.

    Empty cells are not counted (nothing was written there); cells of only
    spaces are, in a number or date column, where they are the reason a column
    looked like text (``' '`` in Telco's TotalCharges).
    """
    name = str(series.name)
    if pd.api.types.is_datetime64_any_dtype(series):
        return _naive(series), {}
    if pd.api.types.is_bool_dtype(series):
        return series, {}
    if pd.api.types.is_numeric_dtype(series):
        return (_numeric_dates(series.astype(float), name) if _DATE_NAME.search(name) else series), {}
    # Work on the distinct values only: ids, categories and amounts repeat a lot.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    typed, noted = _coerce_text(pd.Series(uniques, name=series.name, dtype=object), name, decimal)
    markers: dict[str, int] = {}
    if noted.any():
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        for at in np.flatnonzero(noted):
            raw = str(uniques[at])
            label = raw.strip() or raw
            markers[label] = markers.get(label, 0) + int(counts[at])
    return _expand(typed, codes, series), markers


def _expand(typed: pd.Series, codes: np.ndarray, series: pd.Series) -> pd.Series:
    """Map typed distinct values back onto the rows (code -1 = missing)."""
    values = typed.to_numpy()
    if (codes < 0).any():
        if values.dtype.kind in "iub":
            values = values.astype(float)
        filler = {"M": np.datetime64("NaT"), "f": np.nan}.get(values.dtype.kind)
        values = np.append(values, np.array([filler], dtype=values.dtype))
    out = pd.Series(
        values[codes] if len(values) else np.full(len(codes), np.nan), index=series.index, name=series.name
    )
    return out.astype(object).where(out.notna(), np.nan) if out.dtype == object else out


def _coerce_text(uniques: pd.Series, name: str, decimal: str) -> tuple[pd.Series, np.ndarray]:
    """Type the distinct values of a column; also which of them were markers worth naming."""
    nothing = np.zeros(len(uniques), dtype=bool)
    present = uniques.dropna()
    if len(present) and pd.api.types.infer_dtype(present, skipna=True) in ("datetime", "datetime64", "date"):
        return _naive(uniques), nothing  # Excel date cells
    raw = uniques.where(uniques.isna(), uniques.astype(str))
    text = raw.str.strip()
    lower = text.str.lower()
    missing = lower.isin(MISSING_MARKERS).to_numpy()
    unknown = lower.isin(UNKNOWN_MARKERS).to_numpy()
    written = (raw.notna() & (raw != "")).to_numpy()  # an empty cell is not a marker anyone wrote
    spaces = (text == "").to_numpy() & written
    candidate = text.where(~(missing | unknown))
    if candidate.notna().any():
        typed = _typed(candidate, name, decimal)
        if typed is not None:
            return typed, (missing | unknown) & written
    elif not unknown.any():
        return pd.Series(np.nan, index=uniques.index, name=uniques.name, dtype=float), nothing
    return text.where(~missing), missing & written & ~spaces


def _typed(text: pd.Series, name: str, decimal: str) -> pd.Series | None:
    """Numbers or dates when every present value is one, else ``None``."""
    values = text.dropna()
    if values.str.fullmatch(r"\d{8}").all() and _DATE_NAME.search(name):
        compact = _compact_dates(text)
        if compact is not None:
            return compact
    number = _to_number(text, values, decimal)
    if number is not None:
        return _numeric_dates(number, name) if _DATE_NAME.search(name) else number
    return to_dates(text, values)


def _naive(series: pd.Series) -> pd.Series:
    series = pd.to_datetime(series, errors="coerce")
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert(None)
    return series.astype("datetime64[ns]")


def _to_number(text: pd.Series, values: pd.Series, decimal: str) -> pd.Series | None:
    if len(values) > 500 and _to_number(values.iloc[:500], values.iloc[:500], decimal) is None:
        return None  # cheap early exit for long text columns (timestamps, names)
    if values.str.match(_LEADING_ZERO).any() and not values.str.contains(r"[.,]").any():
        return None  # "00123" is an id, not the number 123
    cleaned = values.str.replace(_SPACES, "", regex=True).str.lower().str.replace(_CURRENCY, "", regex=True)
    plain = pd.to_numeric(cleaned, errors="coerce")
    if plain.notna().all() and not (
        decimal == "," and cleaned.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+").all()
    ):
        return _whole(plain.reindex(text.index))
    comma_ok = cleaned.str.fullmatch(_COMMA_DECIMAL).all()
    dot_ok = cleaned.str.fullmatch(_DOT_DECIMAL).all()
    if comma_ok and (decimal == "," or not dot_ok):
        parsed = pd.to_numeric(cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    elif dot_ok:
        parsed = pd.to_numeric(cleaned.str.replace(",", "", regex=False))
    else:
        return None
    return _whole(parsed.reindex(text.index).astype(float))


def _whole(number: pd.Series) -> pd.Series:
    """int64 when every value is present and whole (counts, ids), else float."""
    number = number.astype(float)
    if number.notna().all() and (number == number.round()).all() and number.abs().max() < 2**53:
        return number.astype("int64")
    return number


def _compact_dates(text: pd.Series) -> pd.Series | None:
    values = text.dropna()
    if not values.str.fullmatch(_COMPACT).all():
        return None
    parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    return parsed if parsed.notna().sum() == len(values) else None


def _numeric_dates(number: pd.Series, name: str) -> pd.Series:
    """Excel serial numbers or yyyymmdd integers in a column whose name says 'date'."""
    values = number.dropna()
    if values.empty:
        return number
    whole = bool((values == values.round()).all())
    if whole and values.between(19000101, 21001231).all():
        compact = _compact_dates(values.astype("int64").astype(str).reindex(number.index))
        if compact is not None:
            return compact
    if values.between(20000, 80000).all():  # 1954-10-03 .. 2119-01-10 as Excel serials
        log.info("column %s read as Excel serial dates", name)
        return (_EXCEL_EPOCH + pd.to_timedelta(number, unit="D")).astype("datetime64[ns]")
    return number


def to_dates(text: pd.Series, values: pd.Series | None = None) -> pd.Series | None:
    """Parse a text column as dates when every value has one recognised date shape.

    Shapes: ISO ``2024-03-01[ 10:00[:00]]``, ``01.03.2024``, ``01/03/2024``
    (read as ``mm/dd`` only when a first part above 12 never occurs but a
    second part above 12 does), ``01-03-2024``, ``2024/03/01``. Returns
    ``None`` when the column is not a date column.
    """
    values = text.dropna() if values is None else values
    if values.empty:
        return None
    sample = values.iloc[: min(len(values), 2000)]
    for pattern, dayfirst in (
        (_ISO, None),
        (_DMY_DOT, True),
        (_DMY_SLASH, True),
        (_DMY_DASH, True),
        (_YMD_SLASH, None),
    ):
        if not sample.str.fullmatch(pattern).all():
            continue
        if pattern is not _ISO and not values.str.fullmatch(pattern).all():
            continue
        if pattern is _ISO:
            parsed = pd.to_datetime(
                text,
                format="ISO8601",
                errors="coerce",
                utc=sample.str.contains(r"Z$|[+-]\d{2}:?\d{2}$").any(),
            )
        else:
            if pattern is _DMY_SLASH:
                parts = values.str.extract(r"^(\d{1,2})/(\d{1,2})/").astype(int)
                dayfirst = not ((parts[0] <= 12).all() and (parts[1] > 12).any())
            separator = {_DMY_DOT: ".", _DMY_SLASH: "/", _DMY_DASH: "-", _YMD_SLASH: "/"}[pattern]
            date_format = (
                f"%Y{separator}%m{separator}%d"
                if pattern is _YMD_SLASH
                else (f"%d{separator}%m{separator}%Y" if dayfirst else f"%m{separator}%d{separator}%Y")
            )
            parsed = _parse_with_time(text, values, date_format)
        if parsed is not None and parsed.notna().sum() == len(values):
            return _naive(parsed)
    return None


def _parse_with_time(text: pd.Series, values: pd.Series, date_format: str) -> pd.Series | None:
    """Parse with ``date_format`` plus whichever time of day each value carries."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for time_format in ("", " %H:%M", " %H:%M:%S", "T%H:%M:%S"):
        missing = parsed.isna() & text.notna()
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(text[missing], format=date_format + time_format, errors="coerce")
    return parsed if parsed.notna().sum() == len(values) else None
