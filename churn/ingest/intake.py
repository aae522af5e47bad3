"""Turn uploaded tables and a confirmed role mapping into the canonical :class:`Dataset`.

Reading and typing files lives in :mod:`churn.ingest.parsing` (``read_table``), role
guessing in :mod:`churn.ingest.roles` (``guess_roles``, ``parse_churn_label``); both
are re-exported here so callers need one import.

Churn is defined, in this order of preference, by

1. a churn label column (Yes/No, Ja/Nei, 1/0, ...),
2. an end (cancel) date: churned when it is set and on or before ``as_of``,
3. inactivity in the event log: no event for ``inactivity_days`` before ``as_of``.

``as_of`` ("today" for the data) is the latest plausible start, end or event date:
dates :func:`churn.ingest.plausible_dates.implausible_dates` flags (a 1900 start, a 2100
end) are left out of it and treated as missing for churn and tenure too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from churn.core.dataset import (
    CHURN_FROM_END_DATE,
    CHURN_FROM_INACTIVITY,
    CHURN_FROM_LABEL,
    CHURNED,
    CUSTOMER_ID,
    END_DATE,
    START_DATE,
    TENURE,
    TIMESTAMP,
    VALUE,
    Dataset,
    RoleMapping,
)
from churn.core.errors import SchemaError
from churn.core.i18n import Note
from churn.ingest.columns import as_text, customer_ids, dates, mapped_column, numbers, tenure_months
from churn.ingest.events import (
    canonical_events,
    default_inactivity_days,
    derive_customers_from_events,
)
from churn.ingest.grain import to_customer_grain
from churn.ingest.labels import EXCLUDED, label_text, label_value_map
from churn.ingest.leaks import leakage_suspects
from churn.ingest.parsing import read_table
from churn.ingest.plausible_dates import implausible_dates
from churn.ingest.roles import guess_roles, parse_churn_label

__all__ = [
    "read_table",
    "guess_roles",
    "parse_churn_label",
    "build_dataset",
    "CustomerRows",
    "customer_rows",
    "customer_dataset",
    "latest_date",
    "repeated_ids",
    "excluded_rows",
    "label_choices",
    "row_numbers",
    "derive_customers_from_events",
    "default_inactivity_days",
    "with_inactivity",
    "load_files",
    "load_sample",
    "SAMPLE_DIR",
]

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


# ---------------------------------------------------------------- column helpers


def latest_date(*series: pd.Series | None) -> pd.Timestamp | None:
    """The day of the latest date in any of the series (None when all are empty): the data's ``as_of``.

    Example
    -------
    >>> latest_date(pd.Series(pd.to_datetime(["2024-01-01 10:00"])), None)
    Timestamp('2024-01-01 00:00:00')
    """
    values = [s.max() for s in series if s is not None and s.notna().any()]
    return pd.Timestamp(max(values)).normalize() if values else None


def _plausible_dates(
    start: pd.Series | None, end: pd.Series | None, events: pd.DataFrame | None
) -> tuple[pd.Series | None, pd.Series | None, pd.DataFrame | None]:
    """Start dates, end dates and events with the implausible dates treated as missing.

    Implausible (see :func:`churn.ingest.plausible_dates.implausible_dates`) start and
    end dates become NaT, so they neither set ``as_of`` nor count for churn and
    tenure; events with an implausible timestamp are dropped, like events with
    none. The inputs (and the raw table) keep the values.

    Example
    -------
    Starts 2023-01-01 ... 2024-06-30 plus 1900-01-01, end dates up to 2024-08-01
    plus 2100-12-31 on an active customer: both become NaT, ``as_of`` is
    2024-08-01, the customer with the 2100 end stays active with tenure up to
    2024-08-01 and the one with the 1900 start has no tenure.
    """
    stamps = None if events is None else events[TIMESTAMP]
    flags = implausible_dates({START_DATE: start, END_DATE: end, TIMESTAMP: stamps})
    for role, flagged in flags.items():
        if flagged.any():
            log.info("%d implausible %s values treated as missing", int(flagged.sum()), role)
    start = None if start is None else start.mask(flags[START_DATE])
    end = None if end is None else end.mask(flags[END_DATE])
    events = None if events is None else events[~flags[TIMESTAMP]].reset_index(drop=True)
    return start, end, events


# ---------------------------------------------------------------- customers


def _attributes(raw: pd.DataFrame, mapping: RoleMapping) -> tuple[pd.DataFrame, list[str]]:
    """Other useful columns (original names) and which of them are categorical."""
    used = {
        mapping.customer_id,
        mapping.churn_label,
        mapping.start_date,
        mapping.end_date,
        mapping.tenure,
        mapping.value,
    }
    columns: dict[str, pd.Series] = {}
    categorical: list[str] = []
    for column in raw.columns:
        series = raw[column]
        if column in used or series.isna().all():
            continue
        is_text = not pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_datetime64_any_dtype(
            series
        )
        if column in mapping.segments or pd.api.types.is_bool_dtype(series):
            is_text = True
        values = series.dropna()
        if is_text and column not in mapping.segments and values.nunique() > max(50, 0.5 * len(values)):
            log.info("attribute %s skipped: free text or a second id", column)
            continue
        name = (
            f"{column} (original)"
            if column in (CUSTOMER_ID, START_DATE, END_DATE, CHURNED, TENURE, VALUE)
            else column
        )
        if is_text:
            columns[name] = as_text(series)
            categorical.append(name)
        else:
            columns[name] = series
    # one frame from all columns at once: inserting thousands one by one fragments it
    return pd.DataFrame(columns, index=raw.index), categorical


def _churn_columns(raw, mapping, end, events, as_of) -> tuple[pd.Series | None, pd.Series | None, str]:
    """(churned 0/1, end date NaT while active, definition); churned is None for inactivity."""
    label = mapped_column(raw, mapping.churn_label, "customer table")
    if label is not None:
        churned = parse_churn_label(label, *label_choices(mapping))
        if churned.isna().any():
            raise SchemaError(
                "errors.label_empty", column=str(label.name), customers=int(churned.isna().sum())
            )
        churned = churned.astype("int64")
        return churned, None if end is None else end.where(churned.astype(bool)), CHURN_FROM_LABEL
    if end is not None:
        churned = (end.notna() & (end <= as_of)).astype("int64")
        return churned, end.where(churned.astype(bool)), CHURN_FROM_END_DATE
    if events is None or events.empty:
        raise SchemaError("errors.no_churn_column")
    return None, None, CHURN_FROM_INACTIVITY


def build_dataset(
    customers: pd.DataFrame | None,
    events: pd.DataFrame | None,
    mapping: RoleMapping,
    name: str = "dataset",
) -> Dataset:
    """Build the canonical :class:`~churn.core.dataset.Dataset` from typed tables and a role mapping.

    Parameters
    ----------
    customers : pd.DataFrame or None
        Typed customer table (one row per customer), as from :func:`read_table`.
    events : pd.DataFrame or None
        Typed event log (one row per event).
    mapping : RoleMapping
        Confirmed roles (original column names).
    name : str
        Display name.

    Returns
    -------
    Dataset
        Customers joined to their events on the customer id; events of
        customers missing from the customer table are dropped.

    Raises
    ------
    SchemaError
        No id column, duplicate ids, a one-class or unreadable churn label,
        no way to tell who churned, or a mapped column that does not fit.
    """
    if customers is None and events is None:
        raise SchemaError("errors.no_table")
    canon_events = canonical_events(events, mapping) if events is not None else None
    if customers is None:
        return _dataset_from_events(canon_events, mapping, name)
    rows = customer_rows(customers, mapping, joins_events=events is not None)
    canon_events = _events_of_known_customers(canon_events, rows.ids)
    start, end, canon_events = _plausible_dates(rows.start, rows.end, canon_events)
    as_of = latest_date(start, end, None if canon_events is None else canon_events[TIMESTAMP])
    return customer_dataset(rows, start, end, canon_events, as_of, name)


@dataclass(frozen=True)
class CustomerRows:
    """The customer table as intake keeps it, before any event is looked at.

    Attributes
    ----------
    raw : pd.DataFrame
        The rows with an id (excluded label values left out, subscriptions combined).
    ids : pd.Series
        Their customer ids as text, on ``raw``'s index.
    mapping : RoleMapping
        The mapping (its id column is the customer key after combining subscriptions).
    start, end : pd.Series or None
        The mapped start and end dates, read as dates (implausible ones still in).
    notes : tuple[Note, ...]
        What intake did to the rows (left out for their label value, combined).
    """

    raw: pd.DataFrame
    ids: pd.Series
    mapping: RoleMapping
    start: pd.Series | None
    end: pd.Series | None
    notes: tuple[Note, ...] = ()


def customer_rows(customers: pd.DataFrame, mapping: RoleMapping, joins_events: bool = False) -> CustomerRows:
    """The first half of :func:`build_dataset`: the customer rows, their ids and dates.

    Parameters
    ----------
    customers : pd.DataFrame
        The typed customer table.
    mapping : RoleMapping
        Its roles.
    joins_events : bool
        An event log will be joined to it (then an id column is required).

    Raises
    ------
    SchemaError
        No id column while events must be joined, repeated ids, or a date role
        on a column that holds no dates.
    """
    if mapping.grain_key:  # a customer's rows with a left-out value are skipped by the grain itself
        rows = len(customers)
        customers, mapping = to_customer_grain(customers, mapping)
        values = {"rows": rows, "customers": len(customers), "customer_key": mapping.grain_key}
        notes = [Note("roles.note_grain_applied", values)]
    else:
        customers, notes = _without_excluded(customers, mapping)
    raw, ids = _unique_customers(customers, mapping, joins_events)
    start = dates(mapped_column(raw, mapping.start_date, "customer table"))
    end = dates(mapped_column(raw, mapping.end_date, "customer table"))
    return CustomerRows(raw, ids, mapping, start, end, tuple(notes))


def customer_dataset(
    rows: CustomerRows,
    start: pd.Series | None,
    end: pd.Series | None,
    events: pd.DataFrame | None,
    as_of: pd.Timestamp | None,
    name: str,
    event_path: Path | None = None,
) -> Dataset:
    """The second half of :func:`build_dataset`: churn, tenure and attributes once the dates are settled.

    Parameters
    ----------
    rows : CustomerRows
        From :func:`customer_rows`.
    start, end : pd.Series or None
        The start and end dates with the implausible ones treated as missing.
    events : pd.DataFrame or None
        The canonical events of known customers with plausible dates, or None
        (no log, or a log held on disk at ``event_path``).
    as_of : pd.Timestamp or None
        The latest plausible date of the data.
    name : str
        Display name.
    event_path : Path, optional
        The canonical events as one Parquet file (:mod:`churn.ingest.big_events`).
    """
    mapping = rows.mapping
    churned, end, definition = _churn_columns(rows.raw, mapping, end, events, as_of)
    if definition == CHURN_FROM_INACTIVITY:
        mapping = _replace(mapping, mapping.inactivity_days or default_inactivity_days(events))
        start, end, churned = _churn_from_inactivity(rows.ids, start, events, as_of, mapping.inactivity_days)
    frame = _customer_frame(rows.raw, rows.ids, mapping, start, end, churned, as_of)
    dataset = _customer_dataset(frame, rows.raw, events, mapping, as_of, definition, name)
    return dataset.evolve(notes=rows.notes, event_path=event_path)


def _customer_dataset(
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    events: pd.DataFrame | None,
    mapping: RoleMapping,
    as_of: pd.Timestamp | None,
    definition: str,
    name: str,
) -> Dataset:
    """The Dataset of the canonical columns plus the customer table's other useful columns."""
    attributes, categorical = _attributes(raw, mapping)
    frame = pd.concat([frame, attributes], axis=1)
    return Dataset(
        customers=frame,
        events=events,
        mapping=mapping,
        attributes=list(attributes.columns),
        categorical=categorical,
        leakage=_suspects(frame, list(attributes.columns), mapping),
        as_of=as_of,
        churn_definition=definition,
        name=name,
    )


def repeated_ids(ids: pd.Series) -> pd.Series:
    """The ids (as text, missing left out) that repeat one seen before, in file order.

    Example
    -------
    >>> repeated_ids(pd.Series([17, 18, 17, 17, None])).tolist()
    ['17', '17']
    """
    ids = customer_ids(ids).dropna()
    return ids[ids.duplicated()]


def _suspects(frame: pd.DataFrame, attributes: list[str], mapping: RoleMapping) -> list[str]:
    """Leakage suspects, less the ones the user chose to keep as features."""
    kept = set(mapping.kept_suspects)
    return [c for c in leakage_suspects(frame, attributes) if c not in kept]


def label_choices(mapping: RoleMapping) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The (churned, active, excluded) label values saved with the mapping."""
    return mapping.churned_values, mapping.active_values, mapping.excluded_values


def excluded_rows(customers: pd.DataFrame, mapping: RoleMapping) -> pd.Series:
    """True for the rows whose label value is one to leave out (neither left nor staying).

    The values are the mapping's ``excluded_values``, or when the mapping names
    no label values, the ones :func:`churn.ingest.labels.label_value_map` leaves out.

    Example
    -------
    >>> frame = pd.DataFrame({"Status": ["Churned", "Stayed", "Unknown"]})
    >>> excluded_rows(frame, RoleMapping(churn_label="Status")).tolist()
    [False, False, True]
    """
    label = mapping.churn_label
    if label is None or label not in customers.columns:
        return pd.Series(False, index=customers.index)
    if mapping.churned_values or mapping.active_values or mapping.excluded_values:
        values = set(mapping.excluded_values)
    else:
        values = {v for v, c in label_value_map(customers[label]).items() if c == EXCLUDED}
    if not values:
        return pd.Series(False, index=customers.index)
    return label_text(customers[label]).isin(values)


def _without_excluded(customers: pd.DataFrame, mapping: RoleMapping) -> tuple[pd.DataFrame, list[Note]]:
    """The customer table less the rows :func:`excluded_rows` leaves out, and a note saying so."""
    dropped = excluded_rows(customers, mapping)
    if not dropped.any():
        return customers, []
    values = sorted(set(label_text(customers.loc[dropped, mapping.churn_label])))
    rows = int(dropped.sum())
    log.info("%d rows left out for their label value", rows)
    note = Note(
        "roles.note_excluded_rows", {"rows": rows, "column": mapping.churn_label, "values": ", ".join(values)}
    )
    return customers[~dropped].reset_index(drop=True), [note]


def row_numbers(rows: int) -> pd.Series:
    """Ids ``"1"``, ``"2"``, ... for a table with no id column: each row is one customer."""
    return pd.Series([str(i) for i in range(1, rows + 1)], dtype=object)


def _unique_customers(
    customers: pd.DataFrame, mapping: RoleMapping, joins_events: bool = False
) -> tuple[pd.DataFrame, pd.Series]:
    """The rows with an id and their ids as text; numbers the rows when there is no id column.

    Refuses repeated ids, and a missing id column when an event log must be joined to it.
    """
    ids = mapped_column(customers, mapping.customer_id, "customer table")
    if ids is None:
        if joins_events:
            raise SchemaError("errors.no_id_to_join")
        return customers.reset_index(drop=True), row_numbers(len(customers))
    ids = customer_ids(ids)
    keep = ids.notna()
    raw, ids = customers[keep].reset_index(drop=True), ids[keep].reset_index(drop=True)
    duplicated = repeated_ids(ids)
    if len(duplicated):
        raise SchemaError(
            "errors.repeated_ids",
            column=str(mapping.customer_id),
            repeated=len(duplicated),
            example=str(duplicated.iloc[0]),
        )
    return raw, ids


def _events_of_known_customers(events: pd.DataFrame | None, ids: pd.Series) -> pd.DataFrame | None:
    """The events of customers in the customer table (the others are dropped, with a log line)."""
    if events is None:
        return None
    known = events[CUSTOMER_ID].isin(set(ids))
    if not known.all():
        log.warning("%d events name customers missing from the customer table; dropped", int((~known).sum()))
    return events[known].reset_index(drop=True)


def _churn_from_inactivity(ids: pd.Series, start, events: pd.DataFrame, as_of, inactivity_days: int):
    """(start, end, churned) per customer when churn means going quiet for ``inactivity_days``."""
    derived = derive_customers_from_events(events, as_of, inactivity_days).set_index(CUSTOMER_ID)
    start = start if start is not None else ids.map(derived[START_DATE]).astype("datetime64[ns]")
    end = ids.map(derived[END_DATE]).astype("datetime64[ns]")
    churned = ids.map(derived[CHURNED]).fillna(0).astype("int64")
    return start, end, churned


def _customer_frame(raw, ids, mapping: RoleMapping, start, end, churned, as_of) -> pd.DataFrame:
    """Canonical columns: id, start and end date, churned, tenure in months, monthly value."""
    frame = pd.DataFrame({CUSTOMER_ID: ids})
    if start is not None:
        frame[START_DATE] = start.astype("datetime64[ns]")
    if start is not None or end is not None:
        frame[END_DATE] = pd.NaT if end is None else end.astype("datetime64[ns]")
        frame[END_DATE] = frame[END_DATE].astype("datetime64[ns]")
    frame[CHURNED] = churned
    tenure_column = numbers(mapped_column(raw, mapping.tenure, "customer table"))
    if START_DATE in frame and frame[START_DATE].notna().any() and as_of is not None:
        tenure = tenure_months(frame[START_DATE], frame[END_DATE], frame[CHURNED], as_of)
        frame[TENURE] = tenure.fillna(tenure_column) if tenure_column is not None else tenure
    else:
        frame[TENURE] = tenure_column if tenure_column is not None else np.nan
    value = numbers(mapped_column(raw, mapping.value, "customer table"))
    if value is not None:
        frame[VALUE] = value
    return frame


def _replace(mapping: RoleMapping, days: int) -> RoleMapping:
    from dataclasses import replace

    return replace(mapping, inactivity_days=int(days))


def _dataset_from_events(events: pd.DataFrame, mapping: RoleMapping, name: str) -> Dataset:
    if events.empty:
        raise SchemaError("errors.events_no_rows")
    events = _plausible_dates(None, None, events)[2]
    as_of = latest_date(events[TIMESTAMP])
    days = int(mapping.inactivity_days or default_inactivity_days(events))
    customers = derive_customers_from_events(events, as_of, days)
    return Dataset(
        customers=customers,
        events=events,
        mapping=_replace(mapping, days),
        attributes=[],
        categorical=[],
        leakage=[],
        as_of=as_of,
        churn_definition=CHURN_FROM_INACTIVITY,
        name=name,
    )


def with_inactivity(dataset: Dataset, days: int) -> Dataset:
    """Re-derive churn of an inactivity-defined dataset with another inactivity window.

    Datasets whose churn comes from a label or an end date are returned unchanged.
    """
    if dataset.churn_definition != CHURN_FROM_INACTIVITY or not dataset.has_events:
        return dataset
    days = int(days)
    derived = derive_customers_from_events(dataset.events, dataset.as_of, days).set_index(CUSTOMER_ID)
    customers = dataset.customers.copy()
    ids = customers[CUSTOMER_ID]
    for column in (END_DATE, CHURNED, TENURE):
        customers[column] = ids.map(derived[column])
    customers[CHURNED] = customers[CHURNED].fillna(0).astype("int64")
    customers[END_DATE] = customers[END_DATE].astype("datetime64[ns]")
    return dataset.evolve(
        customers=customers,
        mapping=_replace(dataset.mapping, days),
        leakage=_suspects(customers, dataset.attributes, dataset.mapping),
    )


# ---------------------------------------------------------------- files


def load_files(
    customers_path: str | Path | None = None,
    events_path: str | Path | None = None,
    mapping: RoleMapping | None = None,
) -> Dataset:
    """Read, guess roles and build a dataset from a customer table and/or an event log on disk.

    Example
    -------
    >>> data = load_files(SAMPLE_DIR / "customers.csv", SAMPLE_DIR / "events.csv")  # doctest: +SKIP
    """
    customers = read_table(customers_path) if customers_path is not None else None
    events = read_table(events_path) if events_path is not None else None
    mapping = mapping or guess_roles(customers, events)
    names = [Path(p).stem for p in (customers_path, events_path) if p is not None]
    return build_dataset(customers, events, mapping, name=" + ".join(names) or "dataset")


def load_sample() -> Dataset:
    """The bundled sample (``data/sample/customers.csv`` and ``events.csv``) as a Dataset."""
    data = load_files(SAMPLE_DIR / "customers.csv", SAMPLE_DIR / "events.csv")
    return data.evolve(name="sample")
