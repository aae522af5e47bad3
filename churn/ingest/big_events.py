"""Event logs too big for memory: the pandas reader decides on a sample, DuckDB reads the whole file.

For an event file above :data:`~churn.ingest.event_sample.ENGINE_MIN_BYTES` (CSV/TSV/TXT or Parquet) the
command line reads only its first rows with the pandas reader
(:func:`churn.ingest.event_sample.read_sample`), guesses the roles
on them, and :func:`build_out_of_core` then

1. chooses, per mapped column, the SQL reading (:func:`churn.ingest.read_plan.plan_read`) that gives exactly what the
   pandas reader gave on the sample (ids, the date shape, the decimal mark,
   the "no value" markers);
2. runs the whole canonicalisation on the sample rows too and compares it
   with :func:`churn.ingest.events.canonical_events` (events, left-out counts,
   markers), so a difference is caught before the whole file is read;
3. reads the whole file once into a typed DuckDB table
   (:func:`churn.engine.reading.load_typed_events`), refuses any cell the
   chosen reading cannot place, keeps the events of known customers with a
   plausible date (:func:`churn.ingest.plausible_dates.implausible_dates`, its
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

import logging
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
from churn.core.i18n import Note
from churn.engine import canonical, reading
from churn.engine.connection import connect
from churn.ingest.coercion import MISSING_MARKERS
from churn.ingest.event_kinds import PURCHASE_KINDS, event_kind, is_cancellation
from churn.ingest.event_sample import EventSample, NeedsMemory, work_folder
from churn.ingest.events import canonical_events, left_out_events
from churn.ingest.evidence import RoleEvidence
from churn.ingest.intake import customer_dataset, customer_rows, latest_date
from churn.ingest.plausible_dates import DateColumn, date_column, far_bounds, outside, plausible_ranges
from churn.ingest.quality import EventFileSummary, raw_dates
from churn.ingest.read_plan import plan_read, sample_relation

__all__ = [
    "OutOfCore",
    "build_out_of_core",
    "events_in_memory",
    "sorted_events",
    "whole_file_evidence",
    "whole_file_notes",
]

log = logging.getLogger(__name__)

#: More distinct event types than this and the kinds are not worth mapping one by one.
MAX_EVENT_TYPES = 10_000
#: The most raw types the guessed ``event_type_map`` lists (as :mod:`churn.ingest.event_roles`).
TYPE_MAP_SIZE = 200
_ROW_NOTES = ("events.note_no_customer", "events.note_no_date", "events.note_cancelled")
_FIRST_NOTES = ("events.note_compact_dates", "events.note_amount_from_quantity")
_MARKERS_NOTE = "reading.note_missing_markers"


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
    per_type = canonical.type_counts(con, MAX_EVENT_TYPES)
    if per_type is None:
        raise NeedsMemory(f"it has more than {MAX_EVENT_TYPES:,} event types")
    raw_type = read.event_type is not None and read.event_type.kind == "raw_text"
    types = {raw: _type_text(raw) if raw_type else raw for raw in per_type}
    cancelled = _cancelled_sql(types, mapping)
    known = reading.known_test(con, known)
    counts = canonical.typed_event_counts(con, cancelled, known)
    _refuse_unreadable(counts, mapping)
    if fences is None:
        fences = far_bounds(counts["known_dates"], counts["known_q25"], counts["known_q75"])
    kinds = _kinds(types, mapping, counts["amounts"] > 0)
    written = canonical.write_canonical_events(con, kinds, path, fences, cancelled, known)
    markers = canonical.marker_counts(con)
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
    on_sample = replace(read, relation=sample_relation(sample, sample.sample_path))
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
    for column in events.select_dtypes(include="object").columns:
        # one missing value (None) whichever reader wrote it: None and NaN compare as equal
        events[column] = events[column].where(events[column].notna(), None)
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
    folder = work_dir or work_folder()
    path = folder / f"{sample.path.stem}.events.parquet"
    with connect() as con:
        read = plan_read(con, sample, mapping)
        _check_on_sample(con, read, sample, mapping, folder)
        con.register("known_customers", pd.DataFrame({"customer_id": rows.ids.astype(str)}))
        done = _canonical(con, read, mapping, sample, path, "known_customers", None)
        raw_fences = far_bounds(done["dates"], done["q25"], done["q75"])
        fenced = canonical.fenced_event_counts(con, raw_fences, done["known"])
        example = canonical.first_outside(con, read, raw_fences) if fenced["far"] else None
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
