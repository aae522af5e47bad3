"""Read a client's export into a typed DataFrame: the raw half of intake.

:func:`read_table` accepts CSV/TSV/TXT, Excel (.xlsx) and Parquet as bytes or a
path. Text files have their encoding detected (UTF-8, UTF-8 with BOM, UTF-16
with or without BOM, else ``charset-normalizer`` preferring cp1252/latin-1 so
that æ ø å survive) and their delimiter sniffed (``,`` ``;`` tab ``|`` or runs of
whitespace). Every column is then coerced by :func:`coerce_column`:

* blanks, spaces and the usual "no value" markers become missing;
* numbers written as ``1 250,50``, ``1.250,50``, ``1,250.50``, ``980,-`` or
  ``kr 99`` become floats (ids with leading zeros stay text);
* dates written ISO, ``dd.mm.yyyy``, ``dd/mm/yyyy`` (``mm/dd/yyyy`` when the
  data says so), ``yyyymmdd`` or as Excel serial numbers become datetimes --
  the last two only when the column name says it holds dates, so that ids and
  amounts are never turned into dates.

Nothing is executed or unpickled: CSV is parsed as text, Excel through
openpyxl's cell values (:mod:`churn.ingest.excel`, which also bounds how far a
workbook may unpack), Parquet through pyarrow's columnar reader.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from churn.core.errors import InputError
from churn.ingest.excel import read_excel

log = logging.getLogger(__name__)

MAX_BYTES = 200 * 2**20
DELIMITERS = (";", "\t", ",", "|")
WHITESPACE = r"\s+"
MISSING_MARKERS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "#n/a", "#i/t", "#value!", "?", "ukjent"}
)
_MISSING_ANY_CASE = frozenset(v for m in MISSING_MARKERS for v in (m, m.upper(), m.title(), m.capitalize()))
_SNIFF_LINES = 60
_WESTERN = ["cp1252", "latin_1", "iso8859_15"]
_CONTROLS = tuple(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32)))  # all but tab, LF, CR
# Enough byte pairs to see the NUL rhythm of UTF-16 text, few enough to look at cheaply.
_UTF16_SAMPLE = 4096

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


def decode_text(data: bytes, name: str = "upload") -> str:
    """Decode an uploaded text file, detecting its encoding.

    UTF-16 (with a BOM, or without one when NUL bytes fill one half of every
    byte pair) and UTF-8 (with or without BOM) are tried first; otherwise
    ``charset-normalizer`` picks among cp1252 / latin-1 / ISO-8859-15, then any
    encoding it knows.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    name : str
        The file name, used in messages.

    Returns
    -------
    str
        The text, without its byte order mark.

    Raises
    ------
    InputError
        When the bytes are binary (NUL or control bytes) or no encoding fits.

    Example
    -------
    >>> decode_text("Navn;By\\nÅse;Tromsø\\n".encode("utf-16-le"))
    'Navn;By\\nÅse;Tromsø\\n'
    """
    utf16 = _utf16_codec(data[:_UTF16_SAMPLE])
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as error:  # odd length or a lone surrogate: not UTF-16 after all
            raise _binary(name) from error
        if _looks_binary(text[:65536]):
            raise _binary(name)
        return text
    if _looks_binary(data[:65536].decode("latin-1")):  # latin-1 maps every byte to the same code point
        raise _binary(name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=_WESTERN).best() or from_bytes(data).best()
    if match is None:
        raise InputError(
            f"The text encoding of '{name}' is not recognised; save it as UTF-8 (or Windows-1252) and upload it again."
        )
    log.info("decoded %s as %s", name, match.encoding)
    return str(match)


def _utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec for ``head``, or ``None`` when it is not UTF-16.

    Without a BOM the byte order shows in the NUL bytes: text in Latin letters
    (æ ø å included, all below U+0100) has a zero high byte in nearly every
    pair and almost never a zero low byte. Binary data keeps no such rhythm,
    and what slips through is refused for its control characters once decoded.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # the BOM gives the byte order
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = head[0 : 2 * pairs : 2].count(0) / pairs
    odd = head[1 : 2 * pairs : 2].count(0) / pairs
    if odd >= 0.9 and even <= 0.02:
        return "utf-16-le"
    if even >= 0.9 and odd <= 0.02:
        return "utf-16-be"
    return None


def _looks_binary(sample: str) -> bool:
    """A NUL, or more control characters than real text has."""
    controls = sum(sample.count(c) for c in _CONTROLS)
    return "\x00" in sample or controls > max(2, len(sample) // 200)


def _binary(name: str) -> InputError:
    return InputError(f"The file '{name}' is binary, not a text table; upload CSV, Excel (.xlsx) or Parquet.")


# ---------------------------------------------------------------- text -> frame


def _fields_per_line(lines: list[str], delimiter: str) -> list[int]:
    return [len(row) for row in csv.reader(lines, delimiter=delimiter)]


def _agreement(counts: list[int]) -> tuple[float, int]:
    mode, _ = Counter(counts).most_common(1)[0]
    agree = sum(c == mode for c in counts) / len(counts)
    return (agree, mode) if mode > 1 and counts[0] == mode and agree >= 0.8 else (0.0, 0)


def sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines of ``text`` into the same number of columns.

    ``csv.Sniffer`` gets the first say among ``; tab , |``; a candidate only
    wins when the header line and at least 80 % of the lines agree on the
    column count. Returns ``WHITESPACE`` when only runs of blanks split the
    lines evenly, and ``None`` when nothing does (not a table).
    """
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    if not lines:
        return None
    scores = {d: _agreement(_fields_per_line(lines, d)) for d in DELIMITERS}
    scores = {d: score for d, score in scores.items() if score[1]}
    if not scores:
        blanks = _agreement([len(line.split()) for line in lines])
        return WHITESPACE if blanks[1] else None
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    best = max(scores.values())
    if sniffed in scores and scores[sniffed][0] >= best[0]:
        return sniffed
    return next(d for d in DELIMITERS if scores.get(d) == best)


def _parse_text(text: str, name: str) -> tuple[pd.DataFrame, str | None]:
    first, _, rest = text.partition("\n")
    match = re.fullmatch(r"\s*sep=(.)\s*", first)
    if match:  # Excel's "sep=;" hint line
        text, delimiter = rest, match.group(1)
    else:
        delimiter = sniff_delimiter(text)
    if text.lstrip().startswith(("<", "{", "[")):
        raise InputError(f"The file '{name}' looks like HTML/JSON, not a table; export it as CSV or Excel.")
    if delimiter is None:
        raise InputError(
            f"The file '{name}' does not look like a table: no comma, semicolon, tab or pipe splits it into columns."
        )
    options = {"dtype": str, "keep_default_na": False, "na_filter": False, "skip_blank_lines": True}
    try:
        if delimiter == WHITESPACE:
            frame = pd.read_csv(io.StringIO(text), sep=WHITESPACE, engine="python", **options)
        else:
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, engine="c", **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as error:
        raise InputError(
            f"The file '{name}' is not a readable table ({str(error).splitlines()[0]}); check its separators."
        ) from error
    return frame, delimiter


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
    source: bytes | str | Path, filename: str | None = None, max_bytes: int = MAX_BYTES
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

    Returns
    -------
    pd.DataFrame
        One column per file column, stripped header names, numbers as floats,
        dates as ``datetime64[ns]``, other values as text; empty rows and
        empty unnamed columns dropped.

    Raises
    ------
    InputError
        Empty, binary, undecodable, too large, not a table, or a workbook
        that unpacks past the limits of :mod:`churn.ingest.excel`.

    Example
    -------
    >>> read_table("Kundenr;Beløp\\n7;1 250,50\\n8;99\\n".encode())["Beløp"].tolist()
    [1250.5, 99.0]
    """
    data, name = _read_source(source, filename, max_bytes)
    kind = _format_of(data, name)
    delimiter = None
    if kind == "xlsx":
        frame = read_excel(data, name)
    elif kind == "parquet":
        frame = _read_parquet(data, name)
    else:
        frame, delimiter = _parse_text(decode_text(data, name), name)
    frame = _unique_names(frame)
    decimal = "," if delimiter in (";", "\t", "|") else "."
    typed = pd.DataFrame({column: coerce_column(frame[column], decimal) for column in frame.columns})
    return _tidy(typed, name)


def _unique_names(frame: pd.DataFrame) -> pd.DataFrame:
    names, seen = [], Counter()
    for raw in frame.columns:
        base = str(raw).strip().lstrip("\ufeff").strip('"').strip()
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return frame.set_axis(names, axis=1)


def _tidy(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Drop empty rows and empty unnamed columns; refuse what is not a table."""
    empty = frame.isna().all()
    drop = [c for c in frame.columns if empty[c] and (c == "" or c.startswith("Unnamed:"))]
    frame = frame.drop(columns=drop)
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

    Example
    -------
    >>> coerce_column(pd.Series(["1 250,50", " ", "980"], name="Beløp"), ",").tolist()
    [1250.5, nan, 980.0]
    """
    name = str(series.name)
    if pd.api.types.is_datetime64_any_dtype(series):
        return _naive(series)
    if pd.api.types.is_bool_dtype(series):
        return series
    if pd.api.types.is_numeric_dtype(series):
        return _numeric_dates(series.astype(float), name) if _DATE_NAME.search(name) else series
    # Work on the distinct values only: ids, categories and amounts repeat a lot.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    typed = _coerce_text(pd.Series(uniques, name=series.name, dtype=object), name, decimal)
    return _expand(typed, codes, series)


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


def _coerce_text(uniques: pd.Series, name: str, decimal: str) -> pd.Series:
    present = uniques.dropna()
    if len(present) and pd.api.types.infer_dtype(present, skipna=True) in ("datetime", "datetime64", "date"):
        return _naive(uniques)  # Excel date cells
    text = uniques.where(uniques.isna(), uniques.astype(str).str.strip())
    text = text.where(text.notna() & ~text.isin(_MISSING_ANY_CASE))
    values = text.dropna()
    if values.empty:
        return pd.Series(np.nan, index=uniques.index, name=uniques.name, dtype=float)
    if values.str.fullmatch(r"\d{8}").all() and _DATE_NAME.search(name):
        compact = _compact_dates(text)
        if compact is not None:
            return compact
    number = _to_number(text, values, decimal)
    if number is not None:
        return _numeric_dates(number, name) if _DATE_NAME.search(name) else number
    dates = to_dates(text, values)
    return dates if dates is not None else text


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
