"""Give each raw column its real type: numbers, dates or text, with "no value" markers as missing.

Numbers written the Nordic or the English way (``1 250,50``, ``1.250,50``,
``1,250.50``, ``980,-``, ``kr 99``) become floats, ids with leading zeros stay
text; dates written ISO, ``dd.mm.yyyy``, ``dd/mm/yyyy``, ``yyyymmdd`` or as
Excel serial numbers become datetimes (the last two only when the header says
dates). Blanks and markers such as ``NA`` are missing anywhere; words such as
``Unknown`` only in a column that is otherwise numbers or dates.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

__all__ = ["MISSING_MARKERS", "UNKNOWN_MARKERS", "coerce_column", "coerce_with_markers", "to_dates"]

log = logging.getLogger(__name__)

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
    return coerce_with_markers(series, decimal)[0]


def coerce_with_markers(series: pd.Series, decimal: str) -> tuple[pd.Series, dict[str, int]]:
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
