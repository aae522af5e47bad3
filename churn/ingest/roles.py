"""Guess which column plays which role, from header names, values and how columns relate.

:func:`explain_roles` is the entry point: it scores every column for every role
(:mod:`churn.ingest.customer_roles` for a customer table,
:mod:`churn.ingest.event_roles` for an event log) and returns a
:class:`~churn.ingest.evidence.RoleEvidence`: the mapping the Data page shows
for confirmation, the best candidate and runner-up per role with a plain reason
and a confidence, and notes (rows numbered because there is no id, how a status
column's values were read, rows that are subscriptions rather than customers).
Where the evidence is thin the mapping leaves the role empty and the page asks.
"""

from __future__ import annotations

import logging

import pandas as pd

from churn.core.dataset import RoleMapping
from churn.ingest.customer_roles import customer_role_evidence, label_shape
from churn.ingest.event_kinds import event_kind
from churn.ingest.event_roles import event_role_evidence, guess_event_roles
from churn.ingest.evidence import Note, RoleEvidence
from churn.ingest.labels import parse_churn_label
from churn.ingest.names import is_date, name_strength, normalise_name

__all__ = [
    "event_kind",
    "explain_roles",
    "notes_still_true",
    "read_notes",
    "guess_customer_roles",
    "guess_event_roles",
    "guess_roles",
    "normalise_name",
    "parse_churn_label",
    "repeated_id_column",
]

log = logging.getLogger(__name__)


def guess_customer_roles(frame: pd.DataFrame) -> dict:
    """Role guesses for a customer table (see :func:`explain_roles`)."""
    return customer_role_evidence(frame)[0]


def _key_shaped(series: pd.Series) -> bool:
    """Filled (99%), not dates or yes/no, whole numbers if numeric: could name a customer."""
    values = series.dropna()
    if len(values) < max(1, len(series) * 0.99) or is_date(series) or pd.api.types.is_bool_dtype(series):
        return False
    return not (pd.api.types.is_float_dtype(series) and not (values == values.round()).all())


def repeated_id_column(frame: pd.DataFrame) -> str | None:
    """The column named like a customer id that :func:`explain_roles` passed over for repeats.

    The guesser only takes a column whose ids are unique; this names the
    column it would have taken otherwise, so a missing id can be explained.

    Parameters
    ----------
    frame : pd.DataFrame
        A typed customer table.

    Returns
    -------
    str or None
        The best id-named, id-shaped column whose values repeat; None when there is none.

    Example
    -------
    >>> repeated_id_column(pd.DataFrame({"customer_id": [1, 1, 2], "plan": ["a", "b", "a"]}))
    'customer_id'
    """
    named = [(name_strength(c, "customer_id"), -i, c) for i, c in enumerate(frame.columns)]
    scored = [
        (strength, order, c)
        for strength, order, c in named
        if strength >= 0.8  # the cheap test first
        and _key_shaped(frame[c])
        and not frame[c].dropna().is_unique
        and label_shape(frame[c]) is None
    ]
    return max(scored)[2] if scored else None


def _grain_note(frame: pd.DataFrame, id_column: str | None, key: str | None) -> Note | None:
    """Rows are subscriptions or lines when the unique id is not the customer's and a customer key repeats."""
    if (
        key is None
        or id_column is None
        or name_strength(id_column, "customer_id") >= 1.0 > name_strength(key, "customer_id")
    ):
        return None
    customers = int(frame[key].nunique())
    return Note(
        GRAIN_NOTE,
        {"row_column": str(id_column), "customer_key": str(key), "rows": len(frame), "customers": customers},
    )


def read_notes(frame: pd.DataFrame | None) -> list[Note]:
    """The notes :func:`churn.ingest.parsing.read_table` left on a frame (``attrs["read_notes"]``)."""
    if frame is None:
        return []
    return [Note(n["key"], dict(n.get("values") or {})) for n in frame.attrs.get("read_notes") or []]


#: notes about the guessed label column and its values; about numbered rows
LABEL_NOTES, ROW_NUMBERS_NOTE, GRAIN_NOTE = "roles.note_label", "roles.note_row_numbers", "roles.note_grain"


def notes_still_true(notes, mapping: RoleMapping, values_chosen: bool) -> tuple[Note, ...]:
    """The guesser's notes minus those the user's choices made stale.

    Label-value notes speak of the guessed label column and its default values,
    so they go once another column or other values are chosen; the row-numbering
    note holds only while no id column is chosen.

    Example
    -------
    >>> notes = (Note("roles.note_row_numbers", {"rows": 3}), Note("reading.note_headerless", {"count": 2}))
    >>> [n.key for n in notes_still_true(notes, RoleMapping(customer_id="id"), False)]
    ['reading.note_headerless']
    """
    kept = []
    for note in notes:
        if note.key.startswith(LABEL_NOTES) and (
            values_chosen or note.values.get("column") != mapping.churn_label
        ):
            continue
        if note.key == ROW_NUMBERS_NOTE and mapping.customer_id is not None:
            continue
        kept.append(note)
    return tuple(kept)


def explain_roles(customers: pd.DataFrame | None, events: pd.DataFrame | None) -> RoleEvidence:
    """Guess the role of every column, with the evidence: candidates, reasons, confidence, notes.

    Parameters
    ----------
    customers : pd.DataFrame or None
        A typed customer table (from :func:`churn.ingest.parsing.read_table`).
    events : pd.DataFrame or None
        A typed event log.

    Returns
    -------
    RoleEvidence
        ``mapping`` (roles the evidence is too thin for are None), ``guesses``
        per role (best candidate, runner-up, reason, confidence) and ``notes``.

    Example
    -------
    >>> frame = pd.DataFrame({"Married": ["Yes", "No"] * 6, "Status": ["Churned", "Stayed", "Joined"] * 4})
    >>> evidence = explain_roles(frame, None)
    >>> evidence.mapping.churn_label, evidence.mapping.churned_values, evidence.guesses["churn_label"].confidence
    ('Status', ('Churned',), 'high')
    """
    roles: dict = {}
    guesses: dict = {}
    notes: list[Note] = read_notes(customers) + read_notes(events)
    if customers is not None:
        found, seen, told = customer_role_evidence(customers)
        roles.update(found)
        guesses.update(seen)
        notes.extend(told)
        key = repeated_id_column(customers)
        roles["segments"] = tuple(s for s in roles["segments"] if s != key)
        if roles.get("customer_id") is None:
            notes.append(Note(ROW_NUMBERS_NOTE, {"rows": len(customers)}))
        grain = _grain_note(customers, roles.get("customer_id"), key)
        if grain is not None:
            notes.append(grain)
    if events is not None:
        found, seen, told = event_role_evidence(events, roles.get("customer_id"))
        roles.update(found)
        guesses.update(seen)
        notes.extend(told)
    known = {k: v for k, v in roles.items() if k in RoleMapping.__dataclass_fields__}
    log.info("guessed roles %s", known)
    return RoleEvidence(RoleMapping(**known), guesses, tuple(notes))


def guess_roles(customers: pd.DataFrame | None, events: pd.DataFrame | None) -> RoleMapping:
    """Guess the role of every column in a customer table and/or an event log.

    Parameters
    ----------
    customers : pd.DataFrame or None
        A typed customer table (from :func:`churn.ingest.parsing.read_table`).
    events : pd.DataFrame or None
        A typed event log.

    Returns
    -------
    RoleMapping
        Column names for each role (None where nothing fits); ``event_type_map``
        maps each raw event type to one of :data:`~churn.core.dataset.EVENT_KINDS`.

    Example
    -------
    >>> frame = pd.DataFrame({"customerID": ["a", "b"], "Churn": ["Yes", "No"], "MonthlyCharges": [9.5, 20.0]})
    >>> m = guess_roles(frame, None)
    >>> m.customer_id, m.churn_label, m.value
    ('customerID', 'Churn', 'MonthlyCharges')
    """
    return explain_roles(customers, events).mapping
