"""The canonical dataset every analysis in ``churn`` works on.

Intake turns whatever the user uploaded into a :class:`Dataset` whose frames
use the canonical column names below, so that timing, drivers, features,
model, explain and report never need to know what the client called things.

Customer frame (one row per customer)
    ``customer_id``    str, unique, never missing
    ``start_date``     datetime64[ns] or NaT            (present when dates are known)
    ``end_date``       datetime64[ns], NaT while active (present when dates are known)
    ``churned``        int 0/1                          (always present)
    ``tenure_months``  float, months from start to end (or to ``as_of`` if active)
    ``monthly_value``  float or NaN                     (present when a value column exists)
    plus the attribute columns listed in ``Dataset.attributes`` under their
    original (user) names: segments, numeric attributes, other dates.

Event frame (one row per event, optional)
    ``customer_id``    str
    ``timestamp``      datetime64[ns]
    ``event_type``     one of :data:`EVENT_KINDS` (the canonical kind)
    ``event_type_raw`` str, the type as written in the file
    ``amount``         float or NaN
    ``days_late``      float or NaN (payments only)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from churn.core.i18n import Note

CUSTOMER_ID = "customer_id"
START_DATE = "start_date"
END_DATE = "end_date"
CHURNED = "churned"
TENURE = "tenure_months"
VALUE = "monthly_value"
CANONICAL_CUSTOMER_COLUMNS = (CUSTOMER_ID, START_DATE, END_DATE, CHURNED, TENURE, VALUE)

TIMESTAMP = "timestamp"
EVENT_TYPE = "event_type"
EVENT_TYPE_RAW = "event_type_raw"
AMOUNT = "amount"
DAYS_LATE = "days_late"
CANONICAL_EVENT_COLUMNS = (CUSTOMER_ID, TIMESTAMP, EVENT_TYPE, EVENT_TYPE_RAW, AMOUNT, DAYS_LATE)

#: Canonical event kinds (seed 004's warning signals are built on these).
EVENT_KINDS = ("order", "payment", "support_ticket", "login", "email", "contact_change", "other")

#: How churn was defined for this dataset.
CHURN_FROM_LABEL = "label"  # a churn column (Yes/No, Ja/Nei, 1/0, ...)
CHURN_FROM_END_DATE = "end_date"  # a cancel / end date column
CHURN_FROM_INACTIVITY = "inactivity"  # event log only: no event for N days

DAYS_PER_MONTH = 30.4375
#: Seconds in a day, for day counts from timestamps in seconds.
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class RoleMapping:
    """Which user column plays which role; saved with the dataset.

    Every field holds the *original* column name in the uploaded file (or None).
    """

    customer_id: str | None = None
    churn_label: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    tenure: str | None = None
    value: str | None = None
    segments: tuple[str, ...] = ()
    event_customer_id: str | None = None
    event_timestamp: str | None = None
    event_type: str | None = None
    event_amount: str | None = None
    event_days_late: str | None = None
    #: raw event type value -> canonical kind in EVENT_KINDS
    event_type_map: dict[str, str] = field(default_factory=dict)
    #: days without any event after which an event-log-only customer counts as churned
    inactivity_days: int | None = None
    #: label values (as text, stripped) that mean "left"; empty = read Yes/No-style values
    churned_values: tuple[str, ...] = ()
    #: label values that mean "still a customer"
    active_values: tuple[str, ...] = ()
    #: label values whose rows are left out of the analysis (neither left nor staying)
    excluded_values: tuple[str, ...] = ()
    #: rows are several per customer (subscriptions, contracts): one customer per value of this column
    grain_key: str | None = None
    #: leakage suspects the user chose to keep as features
    kept_suspects: tuple[str, ...] = ()
    #: event log: a quantity and a unit price (amount = quantity x price when no amount column)
    event_quantity: str | None = None
    event_unit_price: str | None = None
    #: event log: an invoice / order number (cancellations are told by it, e.g. 'C536379')
    event_reference: str | None = None

    #: fields that hold tuples (saved as lists)
    TUPLE_FIELDS = ("segments", "churned_values", "active_values", "excluded_values", "kept_suspects")

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (tuples become lists)."""
        out = dict(self.__dict__)
        for name in self.TUPLE_FIELDS:
            out[name] = list(out[name])
        return out

    @classmethod
    def from_dict(cls, data: dict) -> RoleMapping:
        """Rebuild a mapping saved with :meth:`to_dict`, ignoring unknown keys."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in cls.TUPLE_FIELDS:
            known[name] = tuple(str(v) for v in known.get(name) or ())
        known["event_type_map"] = dict(known.get("event_type_map") or {})
        return cls(**known)


@dataclass(frozen=True)
class Dataset:
    """A loaded, typed, role-mapped dataset. Treat as immutable.

    Attributes
    ----------
    customers : pd.DataFrame
        Canonical customer frame (see module docstring).
    events : pd.DataFrame | None
        Canonical event frame, or None when only a customer table was given.
    mapping : RoleMapping
        The confirmed column roles.
    attributes : list[str]
        Customer attribute columns (original names) usable as segments or features.
    categorical : list[str]
        The subset of ``attributes`` that are categorical.
    leakage : list[str]
        Attribute columns suspected of leaking the outcome (e.g. churn reason);
        excluded from modelling by default.
    as_of : pd.Timestamp | None
        The latest plausible date in the data: "today" for this dataset (dates far
        outside the rest, or long after the export, are left out; see
        ``churn.ingest.quality.implausible_dates``).
    churn_definition : str
        One of CHURN_FROM_LABEL, CHURN_FROM_END_DATE, CHURN_FROM_INACTIVITY.
    name : str
        A display name (usually the file name).
    notes : tuple[Note, ...]
        Sentences for the user about what intake did (rows left out for their
        label value, subscriptions combined into customers); kept for the
        upload, not saved with the dataset.
    event_path : Path | None
        The canonical events as a Parquet file, read by :mod:`churn.engine`
        without loading them into pandas. When ``events`` is None and this is
        set, the events exist only on disk (a log too big for memory).
    """

    customers: pd.DataFrame
    events: pd.DataFrame | None
    mapping: RoleMapping
    attributes: list[str]
    categorical: list[str]
    leakage: list[str]
    as_of: pd.Timestamp | None
    churn_definition: str
    name: str = "dataset"
    #: what intake decided that the user should be told (rows left out, rows combined); not saved
    notes: tuple[Note, ...] = ()
    #: the canonical events as a Parquet file (same columns as ``events``) for the columnar
    #: engine; set when the rows live on disk (a stored dataset, a log too big for memory)
    event_path: Path | None = None

    @property
    def has_dates(self) -> bool:
        """True when customers have start dates (cohorts, calendar churn)."""
        return START_DATE in self.customers and self.customers[START_DATE].notna().any()

    @property
    def has_events(self) -> bool:
        """True when an event log is attached."""
        if self.events is not None:
            return len(self.events) > 0
        return self.event_path is not None

    @property
    def has_value(self) -> bool:
        """True when customers carry a monthly value."""
        return VALUE in self.customers and self.customers[VALUE].notna().any()

    @property
    def model_attributes(self) -> list[str]:
        """Attributes that may be used as model features (leakage suspects removed)."""
        return [c for c in self.attributes if c not in self.leakage]

    def active_customers(self) -> pd.DataFrame:
        """Customers that have not churned (the ones to score and save)."""
        return self.customers[self.customers[CHURNED] == 0]

    def evolve(self, **changes) -> Dataset:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)
