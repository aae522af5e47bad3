"""Read a whole event file in SQL, the way intake decided on a sample: typed rows, then one canonical Parquet file.

The engine does not guess. It is told the delimiter, which file column plays
which part, how each column's text becomes a value (:class:`ColumnRead`: text,
a customer id, a number with its decimal mark, a date in given shapes) and
which texts mean "no value"; :mod:`churn.ingest.big_events` makes those
decisions on a sample with the pandas reader. Here the whole file is read once
into a table of typed rows (:func:`load_typed_events`, spilled to disk above the
memory limit); :mod:`churn.engine.canonical` sums it up and writes the canonical events.

Every value the rules cannot read is flagged (``*_bad``) rather than guessed,
so the caller can fall back to the in-memory reader instead of being silently
wrong.

The cleaning of numbers mirrors :mod:`churn.ingest.coercion` (spaces and
currency marks removed, a decimal comma or point); the comparison with the
pandas reader on the sample catches any drift between the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from churn.engine.sql import identifier, literal

__all__ = [
    "CELL_SEPARATOR",
    "MARKER_SEPARATOR",
    "NUMBER_RULES",
    "TYPED_EVENTS",
    "ColumnRead",
    "EventRead",
    "column_values",
    "csv_relation",
    "known_test",
    "format_counts",
    "load_typed_events",
    "parquet_columns",
    "parquet_relation",
    "typed_events_sql",
    "value_sql",
]

#: Name of the table :func:`load_typed_events` creates.
TYPED_EVENTS = "typed_events"
#: How a number's text is read: as written, decimal comma (``1.250,50``), decimal point (``1,250.50``).
NUMBER_RULES = ("plain", "comma", "dot")
#: Characters Python's ``str.strip`` removes (the pandas reader strips every value with it).
_WHITESPACE = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# coercion's _SPACES and _CURRENCY, in RE2 (DuckDB's regular expressions)
_SPACES = r"[\s\x{0b}\x{a0}\x{202f}\x{2009}']"
_CURRENCY = r"^(?:kr\.?|nok|dkk|sek|eur|usd|€|\$|£)|(?:kr\.?|nok|dkk|sek|eur|usd|€|\$|£|,-|\.-)$"
_COMMA_DECIMAL = r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
_DOT_DECIMAL = r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"
#: Separators of the ``markers`` cell: position from label, one cell from the next.
MARKER_SEPARATOR, CELL_SEPARATOR = "\x1f", "\x1e"
_FLOATS = ("FLOAT", "DOUBLE")


@dataclass(frozen=True)
class ColumnRead:
    """How one column of the file becomes a value.

    Attributes
    ----------
    source : str
        The column's name in the relation (``c0``, ``c1``, ... for a text file).
    kind : str
        For text cells: ``text`` (stripped, ``markers`` are missing), ``id``
        (text; ``markers`` and ``missing_ids`` are no customer), ``integer_id``
        (text that must be a whole number written plainly), ``raw_text`` (as
        written, ``''`` for an empty cell: the few distinct values are
        cleaned by the caller), ``number`` (read with ``number_rule``) or
        ``timestamp`` (read with ``formats``). For a
        Parquet column that has its type already: ``typed_id`` (a number as
        text, whole floats without ``.0``), ``typed_number``,
        ``typed_timestamp``, or ``typed`` (a column no role reads).
    markers : tuple[str, ...]
        Lower-case texts that mean "no value" in this column.
    number_rule : str, optional
        One of :data:`NUMBER_RULES`, for ``number``.
    formats : tuple[str, ...]
        ``strptime`` formats for ``timestamp``, most frequent first.
    missing_ids : tuple[str, ...]
        For ids: further lower-case texts that mean "no customer".
    typed_markers : bool
        Count marker cells of only spaces too (the column is a number or date
        column, where a blank is why it looked like text).
    shape : str, optional
        A regular expression the stripped text of a ``timestamp`` must match
        (``(19|20)[0-9]{6}`` for ``yyyymmdd`` dates).
    source_type : str
        The column's DuckDB type (``VARCHAR`` for a text file).
    """

    source: str
    kind: str
    markers: tuple[str, ...] = ()
    number_rule: str | None = None
    formats: tuple[str, ...] = ()
    missing_ids: tuple[str, ...] = ()
    typed_markers: bool = False
    shape: str | None = None
    source_type: str = "VARCHAR"


@dataclass(frozen=True)
class EventRead:
    """The whole plan for one event file: where it is and how each column is read.

    Attributes
    ----------
    relation : str
        SQL naming the raw rows (:func:`csv_relation` or :func:`parquet_relation`).
    customer_id, timestamp : ColumnRead
        The customer id and the event time.
    event_type, amount, days_late : ColumnRead or None
        The optional roles.
    others : tuple[ColumnRead, ...]
        Every column, in file order, for the missing-value markers and for
        telling empty rows (kind ``text`` or ``number``; only its markers are used).
    """

    relation: str
    customer_id: ColumnRead
    timestamp: ColumnRead
    event_type: ColumnRead | None = None
    amount: ColumnRead | None = None
    days_late: ColumnRead | None = None
    others: tuple[ColumnRead, ...] = ()


# ---------------------------------------------------------------- relations


def csv_relation(path: str | Path, delimiter: str, width: int) -> str:
    """SQL reading a delimited UTF-8 text file as text columns ``c0`` .. ``c<width-1>``, header skipped.

    Quotes follow the CSV rules (``"a, b"``, ``""`` inside); short rows are padded
    with NULLs; a row with more fields than the header, or a quote never closed,
    makes the read fail (the caller then reads the file in memory).
    """
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    return (
        f"read_csv({literal(str(path))}, delim={literal(delimiter)}, header=true, quote='\"', "
        f"escape='\"', auto_detect=false, columns={columns}, null_padding=true, strict_mode=true)"
    )


def parquet_relation(path: str | Path) -> str:
    """SQL reading a Parquet file as it is."""
    return f"read_parquet({literal(str(path))})"


def parquet_columns(con: duckdb.DuckDBPyConnection, path: str | Path) -> dict[str, str]:
    """A Parquet file's column names and DuckDB types, in file order."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {parquet_relation(path)}").fetchall()
    return {str(name): str(kind) for name, kind, *_ in rows}


# ---------------------------------------------------------------- expressions


def _strip(expr: str) -> str:
    """``str.strip`` in SQL; a cell that starts and ends with a visible ASCII character is left as it is (fast)."""
    visible = f"ascii({expr}) BETWEEN 33 AND 126 AND ascii(right({expr}, 1)) BETWEEN 33 AND 126"
    return f"(CASE WHEN {visible} THEN {expr} ELSE trim({expr}, {literal(_WHITESPACE)}) END)"


def _is_marker(expr: str, markers: Iterable[str], stripped: str | None = None) -> str:
    """True where the stripped text, in lower case, is one of ``markers`` (``stripped``: a column holding it)."""
    # list_contains, not IN: DuckDB turns a long IN list into a join, which evaluates every row
    markers = sorted(set(markers))
    listed = "[" + ", ".join(literal(m) for m in markers) + "]"
    return f"list_contains({listed}, lower({stripped or _strip(expr)}))" if markers else "false"


def _written(expr: str) -> str:
    """Something was written in the cell (an empty field is not a marker anyone wrote)."""
    return f"({expr} IS NOT NULL AND {expr} <> '')"


def _clean_number(expr: str) -> str:
    """coercion's cleaning: spaces and apostrophes out, lower case, currency marks off."""
    spaced = f"regexp_replace(lower({expr}), {literal(_SPACES)}, '', 'g')"
    return f"regexp_replace({spaced}, {literal(_CURRENCY)}, '', 'g')"


def _number(expr: str, rule: str) -> str:
    """The number a text cell holds under ``rule`` (NULL when it has none or does not fit the rule)."""
    clean = _clean_number(expr)
    if rule == "plain":  # the text as written first: most cells need no cleaning
        value = f"coalesce(TRY_CAST({expr} AS DOUBLE), TRY_CAST({clean} AS DOUBLE))"
        fits = f"NOT contains({expr}, '_')"  # DuckDB reads 1_000, pandas does not
    elif rule == "comma":
        value = f"TRY_CAST(replace(replace({clean}, '.', ''), ',', '.') AS DOUBLE)"
        fits = f"regexp_full_match({clean}, {literal(_COMMA_DECIMAL)})"
    elif rule == "dot":
        value = f"TRY_CAST(replace({clean}, ',', '') AS DOUBLE)"
        fits = f"regexp_full_match({clean}, {literal(_DOT_DECIMAL)})"
    else:
        raise ValueError(f"unknown number rule {rule!r}; use one of {NUMBER_RULES}")
    # 'NaN' is a marker (no value); DuckDB would read it as the number NaN
    return f"CASE WHEN {expr} IS NULL THEN NULL WHEN {fits} THEN nullif({value}, 'NaN'::DOUBLE) END"


def _number_shape(expr: str) -> str:
    """2 when the text has a decimal mark or grouping, 1 when it starts with a leading zero, else 0."""
    # the strip only where the text may start with a blank or a zero (LIKE on a prefix is cheap)
    maybe = f"{expr} LIKE '0%' OR NOT (ascii({expr}) BETWEEN 33 AND 126)"
    zero = f"CASE WHEN regexp_matches({_strip(expr)}, '^0[0-9]') THEN 1 ELSE 0 END"
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL WHEN contains({expr}, '.') OR contains({expr}, ',') THEN 2 "
        f"WHEN {maybe} THEN {zero} ELSE 0 END"
    )


def _timestamp(text: str, formats: tuple[str, ...], shape: str | None) -> str:
    listed = "[" + ", ".join(literal(f) for f in formats) + "]"
    value = f"try_strptime({text}, {listed})"
    if shape is None:
        return value
    return f"CASE WHEN regexp_full_match({text}, {literal(shape)}) THEN {value} END"


#: kinds whose value is read from the stripped text
STRIPPED_KINDS = ("text", "id", "integer_id")


def _may_be_marker(text: str, markers: Iterable[str]) -> str:
    """A cheap test first: the first character of the stripped text could start one of ``markers``."""
    codes = sorted({0} | {ord(c) for m in markers if m for c in {m[0], m[0].upper()}})
    return f"list_contains({codes}, ascii({text}))"


def value_sql(column: ColumnRead, stripped: str | None = None) -> str:
    """SQL for the typed value of a column (NULL when missing or unreadable), over its raw cells.

    ``stripped`` names a column that holds the stripped text already (so it is computed once a row).
    """
    src, kind = column.source, column.kind
    text = stripped or _strip(src)
    if kind in ("text", "id", "integer_id"):
        markers = (*column.markers, *column.missing_ids)
        missing = _is_marker(src, markers, stripped)
        return (
            f"CASE WHEN {src} IS NULL THEN NULL WHEN {_may_be_marker(text, markers)} AND {missing} THEN NULL "
            f"ELSE {text} END"
        )
    if kind == "raw_text":
        return f"coalesce({src}, '')"
    if kind == "number":
        return _number(src, column.number_rule or "plain")
    if kind == "timestamp" and column.shape is None:  # the text as written first: most cells need no strip
        return (
            f"CASE WHEN {src} IS NULL THEN NULL ELSE coalesce({_timestamp(src, column.formats, None)}, "
            f"{_timestamp(text, column.formats, None)}) END"
        )
    if kind == "timestamp":
        return _timestamp(text, column.formats, column.shape)
    if kind == "typed_id":
        if column.source_type in _FLOATS:
            return f"CASE WHEN isnan({src}) OR {src} <> round({src}) THEN NULL ELSE CAST(CAST({src} AS BIGINT) AS VARCHAR) END"
        return f"CAST({src} AS VARCHAR)"
    if kind == "typed_number":
        return f"nullif(CAST({src} AS DOUBLE), 'NaN'::DOUBLE)"
    if kind == "typed_timestamp":
        return f"CAST({src} AS TIMESTAMP)"
    raise ValueError(f"column kind {kind!r} has no value")


def _bad(column: ColumnRead, value: str, stripped: str | None = None) -> str:
    """True where something is written that is not a marker and the rule cannot read it."""
    src, kind = column.source, column.kind
    if kind == "integer_id":
        return f"CASE WHEN {value} IS NOT NULL THEN NOT regexp_full_match({value}, '[1-9][0-9]*|0') ELSE false END"
    if kind == "typed_id" and column.source_type in _FLOATS:  # a float id that is not whole
        return f"CASE WHEN {value} IS NULL AND {src} IS NOT NULL THEN NOT isnan({src}) ELSE false END"
    if kind in ("number", "timestamp"):
        marker = _is_marker(src, column.markers, stripped)
        return f"CASE WHEN {value} IS NULL AND {_written(src)} THEN NOT {marker} ELSE false END"
    return "false"


def _marker_cell(
    position: int, column: ColumnRead, empty: str | None, stripped: str | None = None
) -> tuple[str, str] | None:
    """(when, text): SQL true where the cell holds a marker worth naming, and ``'<position>\x1f<label>'``.

    As in :func:`churn.ingest.coercion.coerce_with_markers`: the label is the
    stripped text (the text itself when that is empty); an empty field is never
    named, and a cell of only spaces only in a number or date column. ``empty``
    is SQL true where the column's typed value is missing (only there can a
    marker be), None for a column no role reads. None when the column has no markers.
    """
    src = column.source
    if column.kind.startswith("typed") or not column.markers:
        return None
    named = _is_marker(src, column.markers, stripped)
    stripped = stripped or _strip(src)
    if not column.typed_markers:
        named += f" AND {stripped} <> ''"
    guard = f"({empty})" if empty else f"length({src}) <= 40"  # markers are short, most cells are not
    when = f"(CASE WHEN {_written(src)} AND {guard} THEN {named} ELSE false END)"
    label = f"CASE WHEN {stripped} = '' THEN {src} ELSE {stripped} END"
    return when, f"'{position}{MARKER_SEPARATOR}' || {label}"


def _markers(
    read: EventRead, empty_of: Mapping[str, str], stripped_of: Mapping[str, str], skip: tuple[str, ...] = ()
) -> str:
    """The marker cells of a row joined by :data:`CELL_SEPARATOR`, NULL when there is none (most rows)."""
    cells = [
        _marker_cell(i, c, empty_of.get(c.source), stripped_of.get(c.source))
        for i, c in enumerate(read.others)
        if c.source not in skip
    ]
    cells = [cell for cell in cells if cell is not None]
    if not cells:
        return "NULL"
    texts = ", ".join(f"CASE WHEN {when} THEN {text} END" for when, text in cells)
    return f"CASE WHEN {' OR '.join(when for when, _ in cells)} THEN concat_ws({literal(CELL_SEPARATOR)}, {texts}) END"


def _present(column: ColumnRead) -> str:
    """True where the cell holds a value (not empty, not a marker)."""
    src = column.source
    if column.kind.startswith("typed"):
        return (
            f"({src} IS NOT NULL AND NOT isnan({src}))"
            if column.source_type in _FLOATS
            else f"({src} IS NOT NULL)"
        )
    return f"({src} IS NOT NULL AND NOT {_is_marker(src, {*column.markers, ''})})"


def typed_events_sql(read: EventRead) -> str:
    """The SELECT turning every raw row into typed values and flags (see :func:`load_typed_events`).

    Three steps, innermost first: the raw cells and the stripped text of the
    columns read as text (stripped once a row), the typed values, then the
    flags, whether the row holds anything and its marker cells.
    """
    roles = {
        "id": read.customer_id,
        "ts": read.timestamp,
        "type": read.event_type,
        "amount": read.amount,
        "late": read.days_late,
    }
    sources = sorted({c.source for c in (*roles.values(), *read.others) if c is not None})
    stripped_of = {
        column.source: f"s{sources.index(column.source)}"
        for column in roles.values()
        if column is not None and column.kind in STRIPPED_KINDS
    }
    stripping = [f"{_strip(source)} AS {alias}" for source, alias in stripped_of.items()]
    values = []
    for name, column in roles.items():
        if column is None:
            empty = {"amount": "CAST(NULL AS DOUBLE)", "late": "CAST(NULL AS DOUBLE)", "type": "''"}.get(
                name, "NULL"
            )
            values.append(f"{empty} AS {name}")
            continue
        value = value_sql(column, stripped_of.get(column.source))
        values.append(f"coalesce({value}, '') AS type" if name == "type" else f"{value} AS {name}")
    for name in ("amount", "late"):
        column = roles[name]
        shape = _number_shape(column.source) if column is not None and column.kind == "number" else "NULL"
        values.append(f"CAST({shape} AS TINYINT) AS {name}_shape")
    flags = [
        f"{_bad(column, name, stripped_of.get(column.source)) if column is not None else 'false'} AS {name}_bad"
        for name, column in roles.items()
        if name != "type"
    ]
    empty_of = {column.source: f"{name} IS NULL" for name, column in roles.items() if column is not None}
    raw_type = read.event_type is not None and read.event_type.kind == "raw_text"
    # a type read as written has its markers counted from its distinct values, not here
    markers = _markers(read, empty_of, stripped_of, skip=(read.event_type.source,) if raw_type else ())
    mapped = "id IS NOT NULL OR ts IS NOT NULL OR amount IS NOT NULL OR late IS NOT NULL"
    others = " OR ".join(_present(c) for c in read.others) or "false"
    carried = ", ".join([*sources, *stripped_of.values()])
    return f"""
        SELECT id, ts, type, amount, late, amount_shape, late_shape,
               {", ".join(flags)},
               CASE WHEN {mapped} THEN true ELSE {others} END AS present,
               {markers} AS markers
        FROM (
            SELECT {carried}, {", ".join(values)}
            FROM (SELECT {", ".join([*sources, *stripping])} FROM {read.relation})
        )
    """


def load_typed_events(con: duckdb.DuckDBPyConnection, read: EventRead) -> int:
    """Read the whole file once into the table :data:`TYPED_EVENTS`; return its row count.

    Columns: ``id`` (text, NULL = no customer), ``ts`` (TIMESTAMP), ``type``
    (text, ``''`` when missing), ``amount`` and ``late`` (DOUBLE), the flags
    ``id_bad``, ``ts_bad``, ``amount_bad``, ``late_bad`` (written but not
    readable by the rule), ``amount_shape`` / ``late_shape`` (2: a decimal
    mark or grouping, 1: a leading zero, 0: neither), ``present`` (the row
    holds any value) and ``markers`` (the marker cells worth naming, or
    NULL). DuckDB spills the table to its temporary folder above the memory limit.

    Raises
    ------
    duckdb.Error
        When the file does not follow the plan (a line with too many fields, a quote never closed).
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TYPED_EVENTS} AS {typed_events_sql(read)}")
    return int(con.execute(f"SELECT count(*) FROM {TYPED_EVENTS}").fetchone()[0])


#: Up to this many unknown customer ids are listed in the test for a known one; more need a join.
_LISTED_UNKNOWN = 10_000


def known_test(con: duckdb.DuckDBPyConnection, known: str | None) -> str:
    """SQL over :data:`TYPED_EVENTS` that is true where the row's customer (``id``) is a known one.

    ``known`` names a relation with a ``customer_id`` column. Usually every
    customer of the log is known, and the test costs nothing; a few unknown
    ones are listed; many need a join.
    """
    if known is None:
        return "true"
    unknown = con.execute(
        f"SELECT id FROM (SELECT DISTINCT id FROM {TYPED_EVENTS} WHERE id IS NOT NULL) "
        f"WHERE id NOT IN (SELECT customer_id FROM {known}) LIMIT {_LISTED_UNKNOWN + 1}"
    ).fetchall()
    if not unknown:
        return "true"
    if len(unknown) <= _LISTED_UNKNOWN:
        return "NOT list_contains([" + ", ".join(literal(str(r[0])) for r in unknown) + "], id)"
    return f"id IN (SELECT customer_id FROM {known})"


def column_values(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: Mapping[str, ColumnRead],
    others: tuple[ColumnRead, ...],
) -> pd.DataFrame:
    """The typed values of each candidate reading, one row per row holding any value, in file order.

    For trying readings on a sample: each key of ``columns`` becomes a column
    of the result. Rows are kept when any of ``others`` holds a value, as the
    pandas reader drops empty rows.
    """
    present = " OR ".join(_present(c) for c in others) or "true"
    select = ", ".join(f"{value_sql(column)} AS {identifier(name)}" for name, column in columns.items())
    con.execute("SET preserve_insertion_order = true")
    try:
        return con.execute(f"SELECT {select} FROM {relation} WHERE {present}").df()
    finally:
        con.execute("SET preserve_insertion_order = false")


def format_counts(
    con: duckdb.DuckDBPyConnection, relation: str, column: ColumnRead, rows: int = 2000
) -> dict[str, int]:
    """How many of the first ``rows`` cells each of a timestamp reading's formats reads (most frequent first saves time)."""
    if not column.formats:
        return {}
    parts = [f"count(try_strptime({_strip(column.source)}, {literal(f)}))" for f in column.formats]
    sample = f"(SELECT {column.source} FROM {relation} LIMIT {int(rows)})"
    counts = con.execute(f"SELECT {', '.join(parts)} FROM {sample}").fetchone()
    return dict(zip(column.formats, (int(c) for c in counts), strict=True))
