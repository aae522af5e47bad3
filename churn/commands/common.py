"""What every command shares: the input options, the one loader, the one output path.

Every command that reads data takes the same options (``PATH [--events PATH]``,
the column overrides ``--id``, ``--label``, ``--churned-values``, ... and
``--max-mb``) and loads them through :func:`load`, so a file is read,
understood and named the same way whichever command reads it.

Local files have no size limit (``--max-mb`` sets one). An event log of
:data:`churn.ingest.event_sample.ENGINE_MIN_BYTES` or more is read out of core:
the roles are guessed on its first rows and DuckDB reads the whole file into
one Parquet file of canonical events (``dataset.events`` is None); whatever
that reading does not cover is read in memory as before, with a log line saying why.

The roles come from :func:`churn.ingest.roles.explain_roles`; every override
the user gives replaces the guess for that role. When the evidence for a role
the command needs is too thin and no override was given, the command stops
with one line naming the candidates it saw and the flag to pass.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import logging
import re
from pathlib import Path, PurePath

import duckdb
import pandas as pd

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import InputError, OneOf, Phrase, SchemaError
from churn.core.i18n import Note
from churn.ingest import big_events, event_sample, labels
from churn.ingest import roles as role_guesser
from churn.ingest.columns import table_phrase
from churn.ingest.intake import build_dataset, repeated_ids
from churn.ingest.parsing import read_table

log = logging.getLogger(__name__)

CUSTOMERS, EVENTS = "customer table", "event log"


@dataclasses.dataclass(frozen=True)
class ColumnFlag:
    """A command-line option that names the column playing one role."""

    flag: str
    role: str  # the RoleMapping field (also the argparse dest)
    table: str  # CUSTOMERS or EVENTS
    help: str


#: The column overrides, in the order ``--help`` lists them.
COLUMN_FLAGS = (
    ColumnFlag("--id", "customer_id", CUSTOMERS, "the column that identifies each customer"),
    ColumnFlag("--label", "churn_label", CUSTOMERS, "the column that says who left (alias --target)"),
    ColumnFlag("--start", "start_date", CUSTOMERS, "the date each customer started"),
    ColumnFlag("--end", "end_date", CUSTOMERS, "the date each customer left (empty while still a customer)"),
    ColumnFlag("--tenure", "tenure", CUSTOMERS, "how long each customer has been a customer"),
    ColumnFlag("--value", "value", CUSTOMERS, "what each customer is worth per month"),
    ColumnFlag(
        "--customer-level",
        "grain_key",
        CUSTOMERS,
        "rows are subscriptions or contracts: combine them into one customer per value of this column",
    ),
    ColumnFlag("--event-id", "event_customer_id", EVENTS, "the event log's customer id column"),
    ColumnFlag("--timestamp", "event_timestamp", EVENTS, "the event log's date or time column"),
    ColumnFlag("--event-type", "event_type", EVENTS, "the event log's column saying what happened"),
    ColumnFlag("--amount", "event_amount", EVENTS, "the event log's money column"),
)
FLAG_OF = {f.role: f.flag for f in COLUMN_FLAGS}

#: label-value option -> RoleMapping field
VALUE_FLAGS = {
    "--churned-values": "churned_values",
    "--active-values": "active_values",
    "--excluded-values": "excluded_values",
}

#: role -> the words (a key of errors.json) for what the one-line error says the command is unsure about
QUESTIONS = {
    "customer_id": "errors.question_customer_id",
    "churn_label": "errors.question_churn_label",
    "event_customer_id": "errors.question_event_customer_id",
    "event_timestamp": "errors.question_event_timestamp",
}


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A column the guesser considered for a role, as an error sentence names it: ``'Married' (Yes/No values)``."""

    column: str
    reason: Note

    def text(self, lang: str = "en") -> str:
        return f"'{self.column}' ({short_reason(self.reason.text(lang), self.column)})"


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A dataset built from the command's files, the tables as read, and how the roles were chosen.

    Attributes
    ----------
    dataset : Dataset
        The canonical dataset (its mapping includes the overrides).
    customers, events : pd.DataFrame or None
        The tables as read (for the profile); ``events`` is None when the log
        was read out of core.
    evidence : RoleEvidence or None
        What the role guesser saw (candidates, confidence, notes), before the overrides.
    given : dict[str, str]
        Role -> the flag that set it (``{"churn_label": "--label"}``).
    event_summary : EventFileSummary or None
        What the quality checks need from an event log read out of core.
    """

    dataset: Dataset
    customers: pd.DataFrame | None
    events: pd.DataFrame | None
    evidence: object = None
    given: dict = dataclasses.field(default_factory=dict)
    event_summary: object = None


def _value_list(text: str) -> tuple[str, ...]:
    """``"Churned, Lost"`` -> ``("Churned", "Lost")`` (blank items dropped)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def add_input_arguments(parser: argparse.ArgumentParser, path_required: bool = False) -> None:
    """Add ``PATH``, ``--events``, ``--sheet``, the column overrides and ``--max-mb`` to a command."""
    parser.add_argument(
        "path",
        nargs=None if path_required else "?",
        help="customer table (CSV/TSV/TXT, .xlsx or .parquet)",
    )
    parser.add_argument("--events", help="event log (one row per event), joined on the customer id")
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="the workbook sheet to read (of PATH, or of --events when it is the only file)",
    )
    roles = parser.add_argument_group(
        "column roles", "Name a column when the guess is wrong or unsure (use the header as in the file)."
    )
    ids = roles.add_mutually_exclusive_group()
    for option in COLUMN_FLAGS:
        names = (option.flag, "--target") if option.flag == "--label" else (option.flag,)
        group = ids if option.role == "customer_id" else roles
        group.add_argument(*names, dest=option.role, metavar="COL", help=option.help)
    ids.add_argument(
        "--no-id",
        action="store_true",
        help="the customer table has no id column: each row is one customer, numbered 1..n",
    )
    roles.add_argument(
        "--churned-values",
        type=_value_list,
        metavar="V1,V2",
        help="label values that mean the customer left, e.g. 'Churned,Lost'; "
        "every other value then means still a customer, unless --excluded-values names it",
    )
    roles.add_argument(
        "--active-values",
        type=_value_list,
        metavar="V1,V2",
        help="label values that mean still a customer; given alone, every other value means left",
    )
    roles.add_argument(
        "--excluded-values",
        type=_value_list,
        metavar="V1,V2",
        help="label values whose rows are left out (neither left nor still a customer)",
    )
    parser.add_argument(
        "--max-mb",
        type=float,
        default=None,
        metavar="MB",
        help="refuse files larger than this (default: no limit)",
    )


def dataset_name(*paths: str | None) -> str:
    """``customers + events`` from the file names, as the Data page names an upload."""
    return " + ".join(PurePath(p.replace("\\", "/")).stem for p in paths if p) or "dataset"


def refuse_repeated_ids(customers: pd.DataFrame) -> None:
    """Explain a missing customer id when the column that looks like it has repeated ids.

    The role guesser passes over an id column whose values repeat, so the user
    is told which column that is.

    Parameters
    ----------
    customers : pd.DataFrame
        The typed customer table whose guessed roles have no customer id.

    Raises
    ------
    SchemaError
        When an id-named column holds repeated ids (the count and an example are named).
    """
    column = role_guesser.repeated_id_column(customers)
    if column is None:
        return
    repeated = repeated_ids(customers[column])
    raise SchemaError(
        "errors.cli_repeated_ids", column=str(column), repeated=len(repeated), example=str(repeated.iloc[0])
    )


def _quoted(names: list) -> OneOf:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'`` (``eller`` in Norwegian)."""
    return OneOf(tuple(f"'{n}'" for n in names))


def closest_columns(name: str, columns, n: int = 3) -> list[str]:
    """The column names most like ``name`` (same letters in another case first), best first.

    Example
    -------
    >>> closest_columns("Stat", ["id", "Status", "State", "plan"])
    ['State', 'Status']
    """
    columns = [str(c) for c in columns]
    folded = name.strip().casefold()
    found = [c for c in columns if c.strip().casefold() == folded and c != name]
    found += [c for c in difflib.get_close_matches(name, columns, n=n, cutoff=0.5) if c not in found]
    return found[:n]


def _check_column(name: str, flag: str, table: str, frame: pd.DataFrame | None) -> None:
    """Refuse an override that names no column of its table, suggesting the closest names."""
    if frame is None:
        given = "PATH" if table == CUSTOMERS else "--events PATH"
        raise SchemaError(
            "errors.cli_table_not_given", name=name, table=table_phrase(table), given=given, flag=flag
        )
    if name in frame.columns:
        return
    close = closest_columns(name, frame.columns)
    if close:
        closest = "errors.hint_closest_name" if len(close) == 1 else "errors.hint_closest_names"
        hint = Phrase(closest, {"names": _quoted(close)})
    else:
        shown = [str(c) for c in frame.columns[:8]]
        columns = ", ".join(repr(c) for c in shown) + (", ..." if len(frame.columns) > 8 else "")
        hint = Phrase("errors.hint_columns", {"columns": columns})
    raise SchemaError(
        "errors.cli_column_not_in_table", name=name, table=table_phrase(table), hint=hint, flag=flag
    )


def given_columns(args: argparse.Namespace) -> dict[str, str]:
    """Role -> column for every column override on the command line."""
    return {f.role: getattr(args, f.role) for f in COLUMN_FLAGS if getattr(args, f.role, None)}


def apply_overrides(mapping: RoleMapping, given: dict[str, str], no_id: bool = False) -> RoleMapping:
    """The guessed mapping with the user's columns in place.

    A column the user gives to one role leaves every other role it was guessed
    for (and the segments), so one column never plays two parts.

    Parameters
    ----------
    mapping : RoleMapping
        The guessed roles.
    given : dict[str, str]
        Role (a RoleMapping field) -> column, from :func:`given_columns`.
    no_id : bool
        The customer table has no id column (rows are numbered by intake).

    Example
    -------
    >>> m = RoleMapping(customer_id="id", churn_label="Married", value="Fee", segments=("Status", "plan"))
    >>> m = apply_overrides(m, {"churn_label": "Status", "tenure": "Fee"})
    >>> m.churn_label, m.tenure, m.value, m.segments
    ('Status', 'Fee', None, ('plan',))
    """
    changes: dict = dict(given)
    if no_id:  # each row is a customer: no id column, and no rolling rows up to a customer key
        given = {**given, "customer_id": None}
        changes.update(customer_id=None, grain_key=None)
    customer_roles = {f.role for f in COLUMN_FLAGS if f.table == CUSTOMERS}
    for role, column in given.items():
        if column is None:
            continue
        same_table = [
            f.role
            for f in COLUMN_FLAGS
            if (f.role in customer_roles) == (role in customer_roles) and f.role not in given
        ]
        changes.update({other: None for other in same_table if getattr(mapping, other) == column})
    used = {column for role, column in given.items() if column and role in customer_roles}
    changes["segments"] = tuple(s for s in mapping.segments if s not in used)
    return dataclasses.replace(mapping, **changes)


def _label_mapping(mapping: RoleMapping, customers: pd.DataFrame, args: argparse.Namespace) -> RoleMapping:
    """Fill the label values from --churned-values and friends (or the defaults of a --label column)."""
    chosen = {field: tuple(getattr(args, field, None) or ()) for field in VALUE_FLAGS.values()}
    flags = [flag for flag, field in VALUE_FLAGS.items() if chosen[field]]
    if not flags and not getattr(args, "churn_label", None):
        return mapping
    column = mapping.churn_label
    if column is None:
        raise SchemaError("errors.cli_values_need_label", flag=flags[0])
    series = customers[column]
    present = labels.label_values(series)
    seen: dict[str, str] = {}
    for flag, field in VALUE_FLAGS.items():
        for value in chosen[field]:
            if value not in present:
                shown = " / ".join(present[:6]) + (" / ..." if len(present) > 6 else "")
                raise SchemaError(
                    "errors.cli_no_such_value", column=str(column), value=value, flag=flag, values=shown
                )
            if value in seen:
                raise SchemaError("errors.cli_value_twice", value=value, first=seen[value], flag=flag)
            seen[value] = flag
    classes = labels.label_classes(series, *chosen.values())
    unplaced = [v for v, c in classes.items() if c is None]
    if unplaced:
        raise SchemaError("errors.cli_label_unclear", column=str(column), values=_quoted(unplaced[:3]))
    return dataclasses.replace(mapping, **labels.values_by_class(classes))


def short_reason(text: str, column: str | None) -> str:
    """A reason without its leading ``'column':`` and final full stop (the line names the column already).

    Example
    -------
    >>> short_reason("'Status': values Churned / Stayed.", "Status")
    'values Churned / Stayed'
    """
    if not text:
        return text
    short = re.sub(rf"^'{re.escape(str(column))}'\s*[:,-]?\s*", "", text).strip().rstrip(".")
    return short or text


def _required_roles(mapping: RoleMapping, customers, events, no_id: bool) -> list[str]:
    """The roles the command cannot do without, given the files and what is already known."""
    required = []
    if customers is not None and mapping.churn_label is None and mapping.end_date is None:
        required.append("churn_label")
    if customers is not None and events is not None and mapping.customer_id is None and not no_id:
        required.append("customer_id")
    if events is not None:
        required += [r for r in ("event_customer_id", "event_timestamp") if getattr(mapping, r) is None]
    return required


def refuse_unsure_roles(evidence, mapping: RoleMapping, customers, events, no_id: bool = False) -> None:
    """Stop with one sentence when the guesser asks about a role the command needs.

    Raises
    ------
    SchemaError
        ``Not sure which column says who left: 'Status' (values Churned / Stayed / Joined)
        or 'Married' (Yes/No values); pass --label COLUMN.``
    """
    for role in _required_roles(mapping, customers, events, no_id):
        guess = evidence.guesses.get(role)
        if guess is None or not guess.asks or not guess.candidates:
            continue
        seen = OneOf(tuple(Candidate(c.column, c.reason) for c in guess.candidates[:3]))
        question = Phrase(QUESTIONS[role])
        raise SchemaError("errors.cli_unsure", question=question, candidates=seen, flag=FLAG_OF[role])


def _read(path: str, sheet: str | None) -> pd.DataFrame:
    # the sheet keyword is passed only when given, so files without sheets read as before
    return read_table(path, **({"sheet": sheet} if sheet else {}))


def refuse_too_large(path: str, max_mb: float | None) -> None:
    """Refuse a local file larger than ``--max-mb`` (no limit when it is not given).

    Raises
    ------
    InputError
        ``The file 'events.csv' is larger than the 100 MB limit (--max-mb); ...``
    """
    if max_mb is None or not Path(path).is_file():
        return
    if Path(path).stat().st_size > max_mb * 2**20:
        raise InputError("errors.cli_too_large", name=Path(path).name, limit=float(max_mb))


def _sample_of(events_path: str | None, sheet: str | None) -> event_sample.EventSample | None:
    """The first rows of an event log big enough for the engine (None: read it whole, in memory)."""
    if not events_path or sheet or not event_sample.reads_out_of_core(events_path):
        return None
    try:
        return event_sample.read_sample(events_path)
    except event_sample.NeedsMemory as why:
        log.warning("event log %s read in memory: %s", PurePath(events_path).name, why)
        return None


def load(args: argparse.Namespace) -> Loaded:
    """Read the command's files, guess the column roles (the overrides win) and build the dataset.

    A big event log is read out of core (see the module docstring), unless the
    reading needs what only the in-memory reader does; then it is read whole.

    Raises
    ------
    InputError
        When neither a customer table nor an event log is given, a file cannot
        be read, or a file is larger than ``--max-mb``.
    SchemaError
        When an override names no column of its table or no value of the label, the
        guesser is unsure about a role the command needs, the id column has repeated
        ids, or the roles do not fit.
    """
    path, events_path = getattr(args, "path", None), getattr(args, "events", None)
    if not path and not events_path:
        raise InputError("errors.cli_no_input")
    for given in (path, events_path):
        if given:
            refuse_too_large(given, getattr(args, "max_mb", None))
    sheet = getattr(args, "sheet", None)
    customers = _read(path, sheet) if path else None
    events_sheet = None if path else sheet
    sample = _sample_of(events_path, events_sheet) if customers is not None else None
    if sample is not None:
        try:
            return _load(args, customers, sample.frame, sample)
        except (event_sample.NeedsMemory, duckdb.Error) as why:  # never a traceback: read it whole
            log.warning("event log %s read in memory: %s", PurePath(events_path).name, why)
    events = _read(events_path, events_sheet) if events_path else None
    return _load(args, customers, events, None)


def _load(args, customers, events, sample) -> Loaded:
    """Guess the roles, apply the overrides and build the dataset (out of core when ``sample`` is given)."""
    path, events_path = getattr(args, "path", None), getattr(args, "events", None)
    given = given_columns(args)
    for option in COLUMN_FLAGS:
        if option.role in given:
            frame = customers if option.table == CUSTOMERS else events
            _check_column(given[option.role], option.flag, option.table, frame)
    no_id = bool(getattr(args, "no_id", False))
    if no_id and customers is None:
        raise SchemaError("errors.cli_no_id_without_table")
    evidence = role_guesser.explain_roles(customers, events)
    mapping = apply_overrides(evidence.mapping, given, no_id)
    if customers is not None:
        mapping = _label_mapping(mapping, customers, args)
    refuse_unsure_roles(evidence, mapping, customers, events, no_id)
    if customers is not None and mapping.customer_id is None and mapping.grain_key is None and not no_id:
        refuse_repeated_ids(customers)
    values_given = any(getattr(args, field, None) for field in VALUE_FLAGS.values())
    name = dataset_name(path, events_path)
    flags = {**{role: FLAG_OF[role] for role in given}, **({"customer_id": "--no-id"} if no_id else {})}
    if sample is None:
        evidence = dataclasses.replace(
            evidence, notes=role_guesser.notes_still_true(evidence.notes, mapping, values_given)
        )
        dataset = build_dataset(customers, events, mapping, name=name)
        return Loaded(dataset, customers, events, evidence, flags)
    built = big_events.build_out_of_core(customers, sample, mapping, name)
    evidence = big_events.whole_file_evidence(evidence, built)
    evidence = dataclasses.replace(
        evidence, notes=role_guesser.notes_still_true(evidence.notes, built.dataset.mapping, values_given)
    )
    return Loaded(built.dataset, customers, None, evidence, flags, built.summary)


def emit(result: dict, as_json: bool, text: str) -> None:
    """Print ``result`` as JSON or ``text`` as plain lines (the CLI's one output path)."""
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)
