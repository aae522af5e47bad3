"""Event logs too big for memory: the pandas reader decides on a sample, DuckDB reads the whole file.

For an event file above :data:`ENGINE_MIN_BYTES` (CSV/TSV/TXT or Parquet) the
command line reads only its first :data:`SAMPLE_LINES` rows with
:func:`churn.ingest.parsing.read_table` (:func:`read_sample`), guesses the roles
on them, and :func:`build_out_of_core` then

1. chooses, per mapped column, the SQL reading that gives exactly what the
   pandas reader gave on the sample (ids, the date shape, the decimal mark,
   the "no value" markers);
2. runs the whole canonicalisation on the sample rows too and compares it
   with :func:`churn.ingest.events.canonical_events` (events, left-out counts,
   markers), so a difference is caught before the whole file is read;
3. reads the whole file once into a typed DuckDB table
   (:func:`churn.engine.reading.load_typed_events`), refuses any cell the
   chosen reading cannot place, keeps the events of known customers with a
   plausible date (:func:`churn.ingest.quality.implausible_dates`, its
   quartiles in SQL) and writes them as ONE canonical Parquet file;
4. builds the customers as :func:`churn.ingest.intake.build_dataset` does,
   with ``events=None`` and ``event_path`` set.

Whatever the SQL does not cover (a workbook, a headerless or whitespace log,
an encoding other than UTF-8, quantity x unit price, cancellations told by an
invoice number, churn from inactivity, no customer table, a cell that reads
differently) raises :class:`NeedsMemory` with the reason; the caller then reads
the file in memory as before. Never silently wrong.
"""

from __future__ import annotations

import atexit
import csv
import logging
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from churn.core.dataset import (
    AMOUNT,
    CANONICAL_EVENT_COLUMNS,
    CUSTOMER_ID,
    END_DATE,
    EVENT_TYPE_RAW,
    START_DATE,
    TIMESTAMP,
    Dataset,
    RoleMapping,
)
from churn.core.errors import ChurnError
from churn.core.i18n import Note
from churn.engine import reading
from churn.engine.connection import connect
from churn.ingest.coercion import MISSING_MARKERS, UNKNOWN_MARKERS
from churn.ingest.columns import customer_ids, numbers
from churn.ingest.delimited import WHITESPACE, decode_text, sniff_delimiter
from churn.ingest.event_kinds import MISSING_ID_TEXT, PURCHASE_KINDS, event_kind, is_cancellation, missing_ids
from churn.ingest.events import canonical_events, event_timestamps, left_out_events
from churn.ingest.evidence import RoleEvidence
from churn.ingest.intake import customer_dataset, customer_rows, latest_date
from churn.ingest.names import is_date, is_number
from churn.ingest.parsing import column_names, read_table
from churn.ingest.quality import (
    DateColumn,
    EventFileSummary,
    date_column,
    far_bounds,
    outside,
    plausible_ranges,
    raw_dates,
)

__all__ = [
    "ENGINE_MIN_BYTES",
    "SAMPLE_LINES",
    "EventSample",
    "NeedsMemory",
    "OutOfCore",
    "build_out_of_core",
    "events_in_memory",
    "read_sample",
    "reads_out_of_core",
    "sorted_events",
    "whole_file_evidence",
    "whole_file_notes",
]

log = logging.getLogger(__name__)

#: Event files at least this large are read by the engine (tests lower it).
ENGINE_MIN_BYTES = 64 * 2**20
#: Rows of the file the pandas reader sees to make its decisions.
SAMPLE_LINES = 50_000
#: More distinct event types than this and the kinds are not worth mapping one by one.
MAX_EVENT_TYPES = 10_000
#: The most raw types the guessed ``event_type_map`` lists (as :mod:`churn.ingest.event_roles`).
TYPE_MAP_SIZE = 200
_BLOCK = 2**20
_NUMBER_MARKERS = tuple(sorted(MISSING_MARKERS | UNKNOWN_MARKERS))
_TEXT_MARKERS = tuple(sorted(MISSING_MARKERS))
_ISO_DAY = "%Y-%m-%d"
_ISO_TIMES = ("", " %H:%M:%S", "T%H:%M:%S", " %H:%M", "T%H:%M", " %H:%M:%S.%f", "T%H:%M:%S.%f")
#: the times coercion's _parse_with_time tries after a day written dd.mm.yyyy and the like
_TIMES = ("", " %H:%M", " %H:%M:%S", "T%H:%M:%S")
_DAY_SHAPES = ("%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d")
_COMPACT_SHAPE = "(19|20)[0-9]{6}"
_ROW_NOTES = ("events.note_no_customer", "events.note_no_date", "events.note_cancelled")
_FIRST_NOTES = ("events.note_compact_dates", "events.note_amount_from_quantity")
_MARKERS_NOTE = "reading.note_missing_markers"
_WORK: list[Path] = []


class NeedsMemory(Exception):
    """The file needs the in-memory reader; the message says why (for the log)."""


@dataclass(frozen=True)
class EventSample:
    """The first rows of a big event file, read by the pandas reader.

    Attributes
    ----------
    path : Path
        The whole file.
    frame : pd.DataFrame
        The first rows, typed by :func:`churn.ingest.parsing.read_table` (with its ``attrs``).
    sample_path : Path
        The same rows as a file of the same format, for the engine to read.
    names : tuple[str, ...]
        The column names by position in the file (before empty columns are dropped).
    delimiter : str or None
        The separator of a text file; None for Parquet.
    types : dict[str, str]
        DuckDB type per column name of a Parquet file (empty for text).
    """

    path: Path
    frame: pd.DataFrame
    sample_path: Path
    names: tuple[str, ...]
    delimiter: str | None = None
    types: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OutOfCore:
    """A dataset whose events live only in its Parquet file, and what was learnt reading the file.

    Attributes
    ----------
    dataset : Dataset
        ``events=None``, ``event_path`` the canonical Parquet file.
    summary : EventFileSummary
        For the event and dates checks of :func:`churn.ingest.quality.quality_checks`.
    left_out : dict[str, int]
        Raw rows not counted as events or purchases, as :func:`churn.ingest.events.left_out_events` counts them.
    read_notes : tuple[Note, ...]
        The reader's notes on the whole file (missing-value markers counted over every row).
    sample_read_notes : tuple[Note, ...]
        The reader's notes on the sample, which the role guesser saw.
    row_notes : tuple[Note, ...]
        Rows without a customer or a date and cancellations, counted over the whole file.
    sample_note : Note or None
        That the roles were guessed on the first rows (None when they are the whole file).
    ranges : dict
        The whole file's first and last time and lowest and highest amount.
    """

    dataset: Dataset
    summary: EventFileSummary
    left_out: dict
    read_notes: tuple[Note, ...] = ()
    sample_read_notes: tuple[Note, ...] = ()
    row_notes: tuple[Note, ...] = ()
    sample_note: Note | None = None
    ranges: dict = field(default_factory=dict)


# ---------------------------------------------------------------- the sample


def _work_folder() -> Path:
    """A folder for this process's event files, removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="churn-events-"))
    if not _WORK:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _WORK])
    _WORK.append(folder)
    return folder


def reads_out_of_core(path: str | Path) -> bool:
    """Whether :func:`read_sample` should be tried for this event file: large, and not a workbook.

    A workbook above the size is read in memory (it is converted once, not read
    in SQL); the log says so.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size < ENGINE_MIN_BYTES:
        return False
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        log.warning("event log %s is a workbook; read in memory", path.name)
        return False
    return True


def _first_lines(path: Path, lines: int) -> tuple[bytes, bool]:
    """The first ``lines`` lines after the header (cut at a line break), and whether that is the whole file."""
    chunks, breaks = [], 0
    with path.open("rb") as handle:
        while breaks <= lines:
            block = handle.read(_BLOCK)
            if not block:
                return b"".join(chunks), True
            chunks.append(block)
            breaks += block.count(b"\n")
    data = b"".join(chunks)
    end = -1
    for _ in range(lines + 1):
        end = data.index(b"\n", end + 1)
    return data[: end + 1], False


def read_sample(path: str | Path, lines: int | None = None, work_dir: Path | None = None) -> EventSample:
    """Read the first rows of a big event file with the pandas reader.

    Parameters
    ----------
    path : str or Path
        A CSV/TSV/TXT or Parquet event log.
    lines : int, optional
        Rows to read; default :data:`SAMPLE_LINES`.
    work_dir : Path, optional
        Where the sample file is written; default a folder removed at exit.

    Raises
    ------
    NeedsMemory
        For what the engine does not read: an encoding other than UTF-8, a
        whitespace-separated or headerless log, quotes read around, Excel's ``sep=`` line.
    InputError
        When the first rows cannot be read at all (as the in-memory reader would say).
    """
    path = Path(path)
    lines = lines or SAMPLE_LINES
    folder = work_dir or _work_folder()
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == b"PAR1":
        return _parquet_sample(path, lines, folder)
    data, _ = _first_lines(path, lines)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NeedsMemory("the text is not UTF-8") from None
    if decode_text(data, path.name) != text:
        raise NeedsMemory("the text is not UTF-8")
    first = text.partition("\n")[0].strip()
    if first.lower().startswith("sep="):
        raise NeedsMemory("the file starts with Excel's sep= line")
    delimiter = sniff_delimiter(text)
    if delimiter in (None, WHITESPACE):
        raise NeedsMemory("no comma, semicolon, tab or pipe separates the columns")
    frame = read_table(data, path.name)
    keys = {note["key"] for note in frame.attrs.get("read_notes", [])}
    for key, why in (
        ("reading.note_headerless", "the log has no header"),
        ("reading.note_tolerant_quote", "a quote is read around"),
        ("reading.note_tolerant_quotes", "quotes are read around"),
    ):
        if key in keys:
            raise NeedsMemory(why)
    header = next(csv.reader([text.partition("\n")[0].rstrip("\r")], delimiter=delimiter))
    sample_path = folder / f"{path.stem}.sample.csv"
    sample_path.write_bytes(data)
    return EventSample(path, frame, sample_path, tuple(column_names(header)[0]), delimiter)


def _parquet_sample(path: Path, lines: int, folder: Path) -> EventSample:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        batch = next(source.iter_batches(batch_size=lines), None)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise NeedsMemory(f"pyarrow cannot read it ({type(error).__name__})") from None
    table = pa.Table.from_batches([batch]) if batch is not None else source.schema_arrow.empty_table()
    sample_path = folder / f"{path.stem}.sample.parquet"
    pq.write_table(table, sample_path)
    frame = read_table(sample_path.read_bytes(), path.name)
    with connect() as con:
        types = reading.parquet_columns(con, path)
    return EventSample(path, frame, sample_path, tuple(column_names(list(types))[0]), None, types)


# ---------------------------------------------------------------- the plan


def _source(sample: EventSample, position: int) -> str:
    if sample.delimiter is not None:
        return f"c{position}"
    return '"' + list(sample.types)[position].replace('"', '""') + '"'


def _source_type(sample: EventSample, position: int) -> str:
    return list(sample.types.values())[position] if sample.types else "VARCHAR"


def _position(sample: EventSample, column: str) -> int:
    if column not in sample.names:
        raise NeedsMemory(f"column '{column}' is not among the file's columns")
    return sample.names.index(column)


def _is_typed(series: pd.Series | None) -> bool:
    return series is not None and (is_number(series) or is_date(series))


def _cell_reading(sample: EventSample, position: int) -> reading.ColumnRead:
    """How a column's cells count as markers and values (every column, mapped or not)."""
    name = sample.names[position]
    series = sample.frame.get(name)
    kind = _source_type(sample, position)
    if kind != "VARCHAR":
        return reading.ColumnRead(_source(sample, position), "typed", source_type=kind)
    typed = _is_typed(series)
    return reading.ColumnRead(
        _source(sample, position),
        "number" if typed else "text",
        markers=_NUMBER_MARKERS if typed else _TEXT_MARKERS,
        typed_markers=typed,
    )


def _candidates(sample: EventSample, role: str, column: str) -> list[reading.ColumnRead]:
    """The SQL readings that may give what the pandas reader gave for one mapped column."""
    position = _position(sample, column)
    source, kind = _source(sample, position), _source_type(sample, position)
    series = sample.frame[column]
    if kind != "VARCHAR":
        if role == "event_customer_id" and (kind in ("FLOAT", "DOUBLE") or "INT" in kind):
            return [reading.ColumnRead(source, "typed_id", source_type=kind)]
        if role in ("event_amount", "event_days_late") and (kind in ("FLOAT", "DOUBLE") or "INT" in kind):
            return [reading.ColumnRead(source, "typed_number", source_type=kind)]
        if role == "event_timestamp" and (
            kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind or kind == "DATE"
        ):
            return [reading.ColumnRead(source, "typed_timestamp", source_type=kind)]
        raise NeedsMemory(f"column '{column}' is stored as {kind}")
    typed = _is_typed(series)
    markers = _NUMBER_MARKERS if typed else _TEXT_MARKERS
    common = {"markers": markers, "typed_markers": typed}
    if role == "event_customer_id":
        if is_date(series):
            raise NeedsMemory(f"column '{column}' holds dates, not customer ids")
        kind_of_id = "integer_id" if is_number(series) else "id"
        return [reading.ColumnRead(source, kind_of_id, missing_ids=tuple(sorted(MISSING_ID_TEXT)), **common)]
    if role == "event_type":
        if typed:
            raise NeedsMemory(f"column '{column}' holds numbers or dates as event types")
        return [reading.ColumnRead(source, "text", **common)]
    if role in ("event_amount", "event_days_late"):
        if not is_number(series):
            raise NeedsMemory(f"column '{column}' does not hold numbers")
        return [
            reading.ColumnRead(source, "number", number_rule=rule, **common) for rule in reading.NUMBER_RULES
        ]
    # the timestamp: a date column, or yyyymmdd as numbers or text
    compact = reading.ColumnRead(source, "timestamp", formats=("%Y%m%d",), shape=_COMPACT_SHAPE, **common)
    if not is_date(series):
        return [compact]
    days = [tuple(_ISO_DAY + t for t in _ISO_TIMES)] + [tuple(d + t for t in _TIMES) for d in _DAY_SHAPES]
    return [reading.ColumnRead(source, "timestamp", formats=f, **common) for f in days] + [compact]


def _expected(sample: EventSample, role: str, column: str) -> pd.Series:
    """What intake makes of a mapped column of the sample (the values the SQL must match)."""
    series = sample.frame[column]
    try:
        if role == "event_customer_id":
            return customer_ids(series).where(~missing_ids(series), None)
        if role == "event_timestamp":
            return event_timestamps(series)
        if role in ("event_amount", "event_days_late"):
            return numbers(series)
    except ChurnError as error:
        raise NeedsMemory(str(error)) from None
    return series.astype(object).where(series.notna(), "").astype(str)


def _same(role: str, got: pd.Series, expected: pd.Series) -> bool:
    if len(got) != len(expected):
        return False
    if role == "event_timestamp":
        a = pd.to_datetime(got).astype("datetime64[ns]").to_numpy().view("int64")
        b = pd.to_datetime(expected).astype("datetime64[ns]").to_numpy().view("int64")
        return bool(np.array_equal(a, b))
    if role in ("event_amount", "event_days_late"):
        a, b = pd.to_numeric(got).to_numpy(float), expected.to_numpy(float)
        return bool(np.array_equal(a, b, equal_nan=True))
    a = [None if pd.isna(v) else str(v) for v in got]
    b = [None if pd.isna(v) else str(v) for v in expected]
    if role == "event_type":
        a = ["" if v is None else v for v in a]
    return a == b


_ROLES = {
    "event_customer_id": "customer_id",
    "event_timestamp": "timestamp",
    "event_type": "event_type",
    "event_amount": "amount",
    "event_days_late": "days_late",
}


def _relation(sample: EventSample, path: Path) -> str:
    if sample.delimiter is None:
        return reading.parquet_relation(path)
    return reading.csv_relation(path, sample.delimiter, len(sample.names))


def plan_read(con: duckdb.DuckDBPyConnection, sample: EventSample, mapping: RoleMapping) -> reading.EventRead:
    """The reading of the whole file: per mapped column the first candidate that matches the sample.

    Raises
    ------
    NeedsMemory
        When no SQL reading gives what the pandas reader gave for a column.
    """
    others = tuple(_cell_reading(sample, i) for i in range(len(sample.names)))
    relation = _relation(sample, sample.sample_path)
    chosen: dict[str, reading.ColumnRead] = {}
    for role in _ROLES:
        column = getattr(mapping, role)
        if column is None:
            continue
        expected = _expected(sample, role, column)
        match = None
        for candidate in _candidates(sample, role, column):  # one at a time: a date shape that fails is slow
            if _same(role, reading.column_values(con, relation, {"v": candidate}, others)["v"], expected):
                match = candidate
                break
        if match is None:
            raise NeedsMemory(f"column '{column}' does not read in SQL as the first rows read")
        if match.formats and len(match.formats) > 1:
            counts = reading.format_counts(con, relation, match)
            match = replace(match, formats=tuple(sorted(match.formats, key=lambda f: -counts[f])))
        chosen[_ROLES[role]] = match
    if "event_type" in chosen and chosen["event_type"].kind == "text":
        # few distinct values: read as written, then stripped and told from markers once each (in Python)
        chosen["event_type"] = replace(chosen["event_type"], kind="raw_text")
    return reading.EventRead(
        _relation(sample, sample.path),
        chosen["customer_id"],
        chosen["timestamp"],
        chosen.get("event_type"),
        chosen.get("amount"),
        chosen.get("days_late"),
        others,
    )


# ---------------------------------------------------------------- reading


def _refuse_unsupported(customers: pd.DataFrame | None, mapping: RoleMapping) -> None:
    if customers is None:
        raise NeedsMemory("there is no customer table (customers come from the events)")
    if mapping.churn_label is None and mapping.end_date is None:
        raise NeedsMemory("churn is told by inactivity")
    if mapping.event_customer_id is None or mapping.event_timestamp is None:
        raise NeedsMemory("the event log has no customer id or timestamp column")
    for role, why in (
        ("event_quantity", "amounts come from a quantity"),
        ("event_unit_price", "amounts come from a unit price"),
        ("event_reference", "cancellations are told by an invoice number"),
    ):
        if getattr(mapping, role) is not None:
            raise NeedsMemory(why)


def _type_text(raw: str) -> str:
    """An event type as the pandas reader types a text column: stripped, a missing-value marker as ''."""
    text = raw.strip()
    return "" if text.lower() in MISSING_MARKERS else text


def _cancelled_sql(types: dict[str, str], mapping: RoleMapping) -> str:
    """SQL over the typed table: a negative amount, or a type that says cancelled (as cancellation_rows).

    ``types`` maps each raw type of the table to its text.
    """
    parts = ["coalesce(TRY_CAST(amount AS DOUBLE) < 0, false)"] if mapping.event_amount else []
    if mapping.event_type:
        cancel = [r for r, v in types.items() if v and is_cancellation(v) and event_kind(v) in PURCHASE_KINDS]
        if cancel:
            parts.append("type IN (" + ", ".join("'" + r.replace("'", "''") + "'" for r in cancel) + ")")
    return "(" + " OR ".join(parts) + ")" if parts else "false"


def _kinds(types: dict[str, str], mapping: RoleMapping, has_amounts: bool) -> dict[str, tuple[str, str]]:
    """Raw type -> (its text, its canonical kind), as :func:`churn.ingest.events.canonical_events` maps them."""
    untyped = "order" if mapping.event_amount and has_amounts else "other"
    return {
        raw: (v, mapping.event_type_map.get(v) or (event_kind(v) if mapping.event_type else untyped))
        for raw, v in types.items()
    }


def _type_markers(counts: dict[str, int]) -> dict[str, int]:
    """Marker label -> cells among the raw types (a text column: written, not blank, a missing-value marker)."""
    found: dict[str, int] = {}
    for raw, count in counts.items():
        text = raw.strip()
        if raw and text and text.lower() in MISSING_MARKERS:
            found[text] = found.get(text, 0) + count
    return found


def _guessed_map(values) -> dict[str, str]:
    """The event-type map the role guesser proposes for these raw types (cancelled purchases are 'other')."""
    out = {}
    for raw in sorted(str(v) for v in values)[:TYPE_MAP_SIZE]:
        kind = event_kind(raw)
        out[raw] = "other" if kind in PURCHASE_KINDS and is_cancellation(raw) else kind
    return out


def _whole_file_map(mapping: RoleMapping, sample: EventSample, types: dict[str, str]) -> RoleMapping:
    """The guessed type map over the whole file's types, when the mapping holds the sample's guess."""
    if not mapping.event_type:
        return mapping
    seen = sample.frame[mapping.event_type].dropna().astype(str).unique()
    if mapping.event_type_map != _guessed_map(seen):
        return mapping  # chosen by the user: kept as given
    return replace(mapping, event_type_map=_guessed_map({v for v in types.values() if v}))


def _refuse_unreadable(counts: dict, mapping: RoleMapping) -> None:
    for key, role in (("bad_id", "event_customer_id"), ("bad_ts", "event_timestamp")):
        if counts[key]:
            raise NeedsMemory(
                f"{counts[key]:,} cells of '{getattr(mapping, role)}' do not read as the first rows do"
            )
    for name, role in (("amount", "event_amount"), ("late", "event_days_late")):
        if counts[f"bad_{name}"]:
            raise NeedsMemory(
                f"{counts[f'bad_{name}']:,} cells of '{getattr(mapping, role)}' are not numbers"
            )
        if counts[f"{name}_leading_zero"] and not counts[f"{name}_decimal_mark"]:
            raise NeedsMemory(f"'{getattr(mapping, role)}' has numbers with leading zeros (read as codes)")


def _markers_notes(sample: EventSample, markers: dict[int, dict[str, int]]) -> list[Note]:
    """``reading.note_missing_markers`` per column, in file order, as the pandas reader words them."""
    notes = []
    for position, found in sorted(markers.items()):
        listed = ", ".join(f"'{m}'" for m in sorted(found, key=lambda m: (-found[m], m)))
        values = {"column": sample.names[position], "markers": listed, "count": sum(found.values())}
        notes.append(Note(_MARKERS_NOTE, values))
    return notes


def _read_notes(frame: pd.DataFrame) -> list[Note]:
    return [Note(n["key"], dict(n.get("values") or {})) for n in frame.attrs.get("read_notes") or []]


def _canonical(con, read, mapping, sample, path: Path, known: str | None, fences) -> dict:
    """Read ``read`` into the typed table, and write its canonical events to ``path``; the counts on the way."""
    try:
        reading.load_typed_events(con, read)
    except duckdb.Error as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NeedsMemory(f"DuckDB cannot read it as its first rows read ({first})") from None
    per_type = reading.type_counts(con, MAX_EVENT_TYPES)
    if per_type is None:
        raise NeedsMemory(f"it has more than {MAX_EVENT_TYPES:,} event types")
    raw_type = read.event_type is not None and read.event_type.kind == "raw_text"
    types = {raw: _type_text(raw) if raw_type else raw for raw in per_type}
    cancelled = _cancelled_sql(types, mapping)
    known = reading.known_test(con, known)
    counts = reading.typed_event_counts(con, cancelled, known)
    _refuse_unreadable(counts, mapping)
    if fences is None:
        fences = far_bounds(counts["known_dates"], counts["known_q25"], counts["known_q75"])
    kinds = _kinds(types, mapping, counts["amounts"] > 0)
    written = reading.write_canonical_events(con, kinds, path, fences, cancelled, known)
    markers = reading.marker_counts(con)
    if raw_type and _type_markers(per_type):
        position = next(i for i, c in enumerate(read.others) if c.source == read.event_type.source)
        markers[position] = _type_markers(per_type)
    return {
        **counts,
        "types": types,
        "fences": fences,
        "written": written,
        "markers": markers,
        "known": known,
    }


def _check_on_sample(
    con, read: reading.EventRead, sample: EventSample, mapping: RoleMapping, folder: Path
) -> None:
    """Run the SQL on the sample rows and compare with the pandas intake of the same rows."""
    on_sample = replace(read, relation=_relation(sample, sample.sample_path))
    path = folder / f"{sample.path.stem}.sample-events.parquet"
    done = _canonical(con, on_sample, mapping, sample, path, None, (-np.inf, np.inf))
    expected = canonical_events(sample.frame, mapping)
    got = pd.read_parquet(path)
    if done["rows"] != len(sample.frame):
        raise NeedsMemory(f"the first rows count {done['rows']:,} in SQL and {len(sample.frame):,} in pandas")
    if not _same_events(got, expected):
        raise NeedsMemory("the first rows give other events in SQL than in pandas")
    left_out = {k: done[k] for k in ("no_customer", "no_date", "cancelled")}
    if left_out != left_out_events(sample.frame, mapping):
        raise NeedsMemory("the first rows leave out other rows in SQL than in pandas")
    pandas_markers = [n for n in _read_notes(sample.frame) if n.key == _MARKERS_NOTE]
    if _markers_notes(sample, done["markers"]) != pandas_markers:
        raise NeedsMemory("the first rows have other missing-value markers in SQL than in pandas")


def sorted_events(events: pd.DataFrame) -> pd.DataFrame:
    """Canonical events in one order whatever order they came in (for comparing two readings)."""
    events = events[list(CANONICAL_EVENT_COLUMNS)].copy()
    events[TIMESTAMP] = events[TIMESTAMP].astype("datetime64[ns]")
    for column in (CUSTOMER_ID, "event_type", EVENT_TYPE_RAW):
        events[column] = events[column].astype(object)
    keys = [CUSTOMER_ID, TIMESTAMP, EVENT_TYPE_RAW, AMOUNT, "days_late", "event_type"]
    return events.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _same_events(got: pd.DataFrame, expected: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(sorted_events(got), sorted_events(expected), check_dtype=False)
    except AssertionError:
        return False
    return True


def build_out_of_core(
    customers: pd.DataFrame | None,
    sample: EventSample,
    mapping: RoleMapping,
    name: str = "dataset",
    work_dir: Path | None = None,
) -> OutOfCore:
    """Build the dataset with the whole event file read in SQL and its events kept in one Parquet file.

    Parameters
    ----------
    customers : pd.DataFrame or None
        The typed customer table.
    sample : EventSample
        The event file and its first rows (:func:`read_sample`).
    mapping : RoleMapping
        The confirmed roles (guessed on the sample).
    name : str
        Display name.
    work_dir : Path, optional
        Where the canonical events are written; default a folder removed at exit.

    Returns
    -------
    OutOfCore
        The dataset (``events=None``, ``event_path`` set: the same customers,
        ``as_of`` and events :func:`churn.ingest.intake.build_dataset` gives),
        the summary for the quality checks and the whole-file notes.

    Raises
    ------
    NeedsMemory
        When the file needs the in-memory reader (the message says why).
    SchemaError
        What :func:`churn.ingest.intake.build_dataset` refuses (repeated ids, ...).
    """
    _refuse_unsupported(customers, mapping)
    rows = customer_rows(customers, mapping, joins_events=True)
    folder = work_dir or _work_folder()
    path = folder / f"{sample.path.stem}.events.parquet"
    with connect() as con:
        read = plan_read(con, sample, mapping)
        _check_on_sample(con, read, sample, mapping, folder)
        con.register("known_customers", pd.DataFrame({"customer_id": rows.ids.astype(str)}))
        done = _canonical(con, read, mapping, sample, path, "known_customers", None)
        raw_fences = far_bounds(done["dates"], done["q25"], done["q75"])
        fenced = reading.fenced_event_counts(con, raw_fences, done["known"])
        example = reading.first_outside(con, read, raw_fences) if fenced["far"] else None
    written = done["written"]
    events = DateColumn(done["known_dates"], *done["fences"], None, written["latest"])
    columns = {
        role: date_column(s) for role, s in ((START_DATE, rows.start), (END_DATE, rows.end)) if s is not None
    }
    ranges = plausible_ranges({**columns, TIMESTAMP: events})
    start, end = rows.start, rows.end
    for role, series in ((START_DATE, start), (END_DATE, end)):
        if series is not None and outside(series, ranges[role]).any():
            log.info(
                "%d implausible %s values treated as missing", int(outside(series, ranges[role]).sum()), role
            )
    start = None if start is None else start.mask(outside(start, ranges[START_DATE]))
    end = None if end is None else end.mask(outside(end, ranges[END_DATE]))
    as_of = latest_date(start, end, pd.Series([written["latest"]], dtype="datetime64[ns]"))
    rows = replace(rows, mapping=_whole_file_map(rows.mapping, sample, done["types"]))
    dataset = customer_dataset(rows, start, end, None, as_of, name, event_path=path)
    log.info(
        "event log %s read out of core: %d events of %d rows -> %s",
        sample.path.name,
        written["rows"],
        done["rows"],
        path,
    )
    return OutOfCore(
        dataset=dataset,
        summary=EventFileSummary(
            rows=done["rows"],
            causes={
                "no_id": done["no_customer"],
                "no_date": done["no_date"] + fenced["far_with_customer"],
                "unknown": fenced["unknown"],
            },
            dates=(
                DateColumn(done["dates"], *raw_fences, fenced["earliest"], fenced["latest"])
                if raw_dates(sample.frame, mapping.event_timestamp) is not None
                else None
            ),
            far=fenced["far"],
            far_example=example,
            # nothing was cut: the file's times are the known customers' times, fences and all
            events=(
                DateColumn(written["rows"], *done["fences"], written["earliest"], written["latest"])
                if written["rows"] == done["known_dates"]
                else None
            ),
        ),
        left_out={k: done[k] for k in ("no_customer", "no_date", "cancelled")},
        read_notes=tuple(
            [n for n in _read_notes(sample.frame) if n.key != _MARKERS_NOTE]
            + _markers_notes(sample, done["markers"])
        ),
        sample_read_notes=tuple(_read_notes(sample.frame)),
        row_notes=tuple(_row_notes(done, mapping)),
        sample_note=(
            Note(
                "reading.note_sample_rows",
                {"file": sample.path.name, "rows": len(sample.frame), "total": done["rows"]},
            )
            if done["rows"] > len(sample.frame)
            else None
        ),
        ranges={k: done[k] for k in ("first_ts", "last_ts", "lowest_amount", "highest_amount")},
    )


def _row_notes(done: dict, mapping: RoleMapping) -> list[Note]:
    """The role guesser's notes on rows without a customer or a date and cancellations, over the whole file."""
    notes = []
    if done["no_customer"]:
        values = {"rows": done["no_customer"], "total": done["rows"], "column": mapping.event_customer_id}
        notes.append(Note("events.note_no_customer", values))
    if done["no_date"]:
        notes.append(
            Note("events.note_no_date", {"rows": done["no_date"], "column": mapping.event_timestamp})
        )
    if done["cancelled_with_customer"]:
        notes.append(Note("events.note_cancelled", {"rows": done["cancelled_with_customer"]}))
    return notes


def whole_file_notes(notes, built: OutOfCore) -> tuple[Note, ...]:
    """The role guesser's notes (made on the sample) with the counts of the whole file.

    The reader's notes on the event file are replaced by those of the whole
    file (plus one saying the roles were guessed on the first rows), and the
    notes on rows without a customer, without a date and on cancellations are
    counted again, in the places the guesser puts them.
    """
    notes = list(notes)
    sample_notes = list(built.sample_read_notes)
    file_notes = [*built.read_notes, built.sample_note] if built.sample_note else list(built.read_notes)
    # the reader's notes come first, the customer table's then the event log's
    found = [
        i for i in range(len(notes)) if sample_notes and notes[i : i + len(sample_notes)] == sample_notes
    ]
    if found:
        notes[found[0] : found[0] + len(sample_notes)] = file_notes
    else:
        at = next((i for i, n in enumerate(notes) if not n.key.startswith("reading.")), len(notes))
        notes[at:at] = file_notes
    first_event = next((i for i, n in enumerate(notes) if n.key.startswith("events.")), len(notes))
    head, tail = notes[:first_event], notes[first_event:]
    first = [n for n in tail if n.key in _FIRST_NOTES]
    later = [n for n in tail if n.key not in _FIRST_NOTES and n.key not in _ROW_NOTES]
    return tuple([*head, *first, *built.row_notes, *later])


def _number_text(value: float) -> str:
    """A number as the role guesser writes it in a reason (as :mod:`churn.ingest.event_roles`)."""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


def whole_file_evidence(evidence: RoleEvidence, built: OutOfCore) -> RoleEvidence:
    """The role evidence with the whole file's notes and, for the chosen time and amount, the whole file's range.

    The other candidates' reasons describe the first rows (a note says so).
    """
    ranges = built.ranges
    fixes = {
        "event_timestamp": {"first": ranges.get("first_ts"), "last": ranges.get("last_ts")},
        "event_amount": {"low": ranges.get("lowest_amount"), "high": ranges.get("highest_amount")},
    }
    guesses = dict(evidence.guesses)
    for role, values in fixes.items():
        guess = guesses.get(role)
        if guess is None or any(v is None for v in values.values()):
            continue
        shown = {
            k: pd.Timestamp(v).strftime("%Y-%m-%d") if role == "event_timestamp" else _number_text(float(v))
            for k, v in values.items()
        }
        candidates = tuple(
            replace(c, reason=Note(c.reason.key, {**c.reason.values, **shown}))
            if c.column == guess.chosen and set(shown) <= set(c.reason.values)
            else c
            for c in guess.candidates
        )
        guesses[role] = replace(guess, candidates=candidates)
    return replace(evidence, guesses=guesses, notes=whole_file_notes(evidence.notes, built))


def events_in_memory(dataset: Dataset) -> Dataset:
    """The dataset with its on-disk events read into a canonical frame (for analyses that need pandas).

    Sorted by customer and time like :func:`churn.ingest.events.canonical_events`;
    a dataset whose events are in memory already is returned as it is.
    """
    if dataset.events is not None or dataset.event_path is None:
        return dataset
    events = pd.read_parquet(dataset.event_path)
    events[TIMESTAMP] = events[TIMESTAMP].astype("datetime64[ns]")
    for column in (CUSTOMER_ID, "event_type", EVENT_TYPE_RAW):
        events[column] = events[column].astype(object)
    events = events.sort_values([CUSTOMER_ID, TIMESTAMP], kind="stable").reset_index(drop=True)
    return dataset.evolve(events=events[list(CANONICAL_EVENT_COLUMNS)])
