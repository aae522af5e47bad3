"""The canonical event log, and customers derived from events alone (churn as going quiet).

:func:`canonical_events` turns a typed event log and its role mapping into the
event frame described in :mod:`churn.core.dataset`, and :func:`left_out_events`
counts the rows it leaves out (no customer, no date) or does not count as
purchases (cancellations and returns); :func:`default_inactivity_days`
and :func:`derive_customers_from_events` define churn for a log without a
customer table.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from churn.core.dataset import (
    AMOUNT,
    CHURNED,
    CUSTOMER_ID,
    DAYS_LATE,
    END_DATE,
    EVENT_KINDS,
    EVENT_TYPE,
    EVENT_TYPE_RAW,
    START_DATE,
    TENURE,
    TIMESTAMP,
    VALUE,
    RoleMapping,
)
from churn.core.errors import SchemaError
from churn.ingest.columns import customer_ids, dates, mapped_column, numbers, tenure_months
from churn.ingest.event_kinds import cancellation_rows, compact_dates, event_kind, missing_ids

__all__ = [
    "LEFT_OUT_CAUSES",
    "canonical_events",
    "default_inactivity_days",
    "derive_customers_from_events",
    "event_timestamps",
    "left_out_events",
]

MIN_INACTIVITY_DAYS, MAX_INACTIVITY_DAYS, FALLBACK_INACTIVITY_DAYS = 30, 365, 90
#: why a row of the raw log is not an event (or not a purchase), in the order rows are counted
LEFT_OUT_CAUSES = ("no_customer", "no_date", "cancelled")


def event_timestamps(series: pd.Series | None) -> pd.Series | None:
    """Event times (as intake reads them): dates as typed, ``yyyymmdd`` numbers or text, or any date text :func:`dates` reads."""
    if series is None:
        return None
    compact = compact_dates(series)
    return compact if compact is not None else dates(series)


def _amounts(raw: pd.DataFrame, mapping: RoleMapping) -> pd.Series | None:
    """The amount column, or quantity x unit price when the log has those instead."""
    amount = numbers(mapped_column(raw, mapping.event_amount, "event log"))
    if amount is not None or mapping.event_quantity is None or mapping.event_unit_price is None:
        return amount
    quantity = numbers(mapped_column(raw, mapping.event_quantity, "event log"))
    price = numbers(mapped_column(raw, mapping.event_unit_price, "event log"))
    return quantity * price


def _event_rows(raw: pd.DataFrame, mapping: RoleMapping) -> dict[str, pd.Series | None]:
    """Every raw row's customer id (None when missing), timestamp, amount and whether it is a cancellation."""
    ids = mapped_column(raw, mapping.event_customer_id, "event log")
    stamps = event_timestamps(mapped_column(raw, mapping.event_timestamp, "event log"))
    if ids is None:
        raise SchemaError("errors.events_no_id")
    if stamps is None:
        raise SchemaError("errors.events_no_timestamp")
    for role in ("event_quantity", "event_reference"):
        mapped_column(raw, getattr(mapping, role), "event log")  # a wrong name is refused, not skipped
    ids = customer_ids(ids).where(~missing_ids(ids), None)
    cancelled = cancellation_rows(
        raw,
        quantity=mapping.event_quantity,
        amount=mapping.event_amount,
        reference=mapping.event_reference,
        event_type=mapping.event_type,
    )
    return {"ids": ids, "stamps": stamps, "amount": _amounts(raw, mapping), "cancelled": cancelled}


def left_out_events(raw: pd.DataFrame, mapping: RoleMapping) -> dict[str, int]:
    """How many rows of the raw event log are not counted as events, or not as purchases, by cause.

    Each row is counted once, under the first cause that applies:

    - ``no_customer``: no customer id (blank, ``NA``, ``null``, ...); left out.
    - ``no_date``: a customer but no timestamp; left out.
    - ``cancelled``: a cancellation or return (negative quantity or amount, an
      invoice number like ``C536379``, a cancel/return type; see
      :func:`~churn.ingest.event_kinds.cancellation_rows`). These rows stay in
      the event log as activity of kind ``other`` (the customer was there) but
      are never counted as orders or payments, so order and payment totals leave them out.

    Parameters
    ----------
    raw : pd.DataFrame
        The typed event log.
    mapping : RoleMapping
        Its roles (``event_customer_id`` and ``event_timestamp`` are needed).

    Returns
    -------
    dict[str, int]
        One count per cause in :data:`LEFT_OUT_CAUSES` (zeros included).

    Example
    -------
    >>> log = pd.DataFrame({"InvoiceNo": ["536365", "C536379", "536366"], "Quantity": [6, -1, 2],
    ...     "CustomerID": [17850.0, 17850.0, None], "InvoiceDate": pd.to_datetime(["2010-12-01"] * 3)})
    >>> m = RoleMapping(event_customer_id="CustomerID", event_timestamp="InvoiceDate",
    ...     event_quantity="Quantity", event_reference="InvoiceNo")
    >>> left_out_events(log, m)
    {'no_customer': 1, 'no_date': 0, 'cancelled': 1}
    """
    rows = _event_rows(raw, mapping)
    no_customer = rows["ids"].isna()
    no_date = ~no_customer & rows["stamps"].isna()
    cancelled = ~no_customer & ~no_date & rows["cancelled"]
    return {
        cause: int(mask.sum())
        for cause, mask in zip(LEFT_OUT_CAUSES, (no_customer, no_date, cancelled), strict=True)
    }


def canonical_events(raw: pd.DataFrame, mapping: RoleMapping) -> pd.DataFrame:
    """The canonical event frame (see :mod:`churn.core.dataset`) from a typed event log.

    Rows without a customer id (blank, ``NA``, ...) or a timestamp are dropped
    (:func:`left_out_events` counts them). Raw event types are mapped through
    ``mapping.event_type_map`` (unmapped ones by keyword). Without an event
    type column every row is an ``order`` when the log has amounts (a purchase
    log: the order signals, order amounts and the gaps between orders then
    work) and ``other`` when it has none. The amount is the amount column, or
    quantity x unit price. Cancellations and returns stay as ``other`` events
    (with their amount): the customer was active, but they are not purchases.

    Example
    -------
    Lines of 6 x 2.55 and -1 x 2.55 (invoice 'C536379') of one customer: one
    ``order`` of 15.30 and one ``other`` event (amount -2.55, not counted as a purchase).
    """
    rows = _event_rows(raw, mapping)
    raw_type = mapped_column(raw, mapping.event_type, "event log")
    raw_type = (
        pd.Series("", index=raw.index, dtype=object)
        if raw_type is None
        else raw_type.astype(object).where(raw_type.notna(), "").astype(str)
    )
    wrong = sorted(set(mapping.event_type_map.values()) - set(EVENT_KINDS))
    if wrong:
        raise SchemaError("errors.unknown_event_kind", kind=str(wrong[0]), kinds=tuple(EVENT_KINDS))
    amount = rows["amount"]
    untyped = "order" if amount is not None and amount.notna().any() else "other"
    kinds = {
        value: mapping.event_type_map.get(value) or (event_kind(value) if mapping.event_type else untyped)
        for value in raw_type.unique()
    }
    late = numbers(mapped_column(raw, mapping.event_days_late, "event log"))
    events = pd.DataFrame(
        {
            CUSTOMER_ID: rows["ids"],
            TIMESTAMP: rows["stamps"].astype("datetime64[ns]"),
            EVENT_TYPE: raw_type.map(kinds).where(~rows["cancelled"], "other"),
            EVENT_TYPE_RAW: raw_type,
            AMOUNT: amount if amount is not None else np.nan,
            DAYS_LATE: late if late is not None else np.nan,
        }
    )
    events = events[events[CUSTOMER_ID].notna() & events[TIMESTAMP].notna()]
    return events.sort_values([CUSTOMER_ID, TIMESTAMP], kind="stable").reset_index(drop=True)


def default_inactivity_days(events: pd.DataFrame) -> int:
    """Days without any event after which a customer counts as gone, from the gap distribution.

    Takes the 95th percentile of the gaps between a customer's consecutive
    active days (orders only when most customers order at least twice), rounds
    it up to whole weeks (whole 30-day months above 60 days) and bounds it to
    30..365 days.

    Example
    -------
    Gaps of 10 days everywhere: p95 = 10, up to whole weeks = 14, at least 30 -> 30.
    """
    days = events[[CUSTOMER_ID, TIMESTAMP, EVENT_TYPE]].copy()
    days[TIMESTAMP] = days[TIMESTAMP].dt.normalize()
    orders = days[days[EVENT_TYPE] == "order"]
    if len(orders) and (orders.groupby(CUSTOMER_ID)[TIMESTAMP].nunique() >= 2).mean() >= 0.5:
        days = orders
    days = days.drop_duplicates([CUSTOMER_ID, TIMESTAMP]).sort_values([CUSTOMER_ID, TIMESTAMP])
    same = days[CUSTOMER_ID].eq(days[CUSTOMER_ID].shift())
    gaps = days[TIMESTAMP].diff().dt.days[same]
    if gaps.empty:
        return FALLBACK_INACTIVITY_DAYS
    p95 = float(gaps.quantile(0.95))
    rounded = math.ceil(p95 / 7) * 7 if p95 <= 60 else math.ceil(p95 / 30) * 30
    return int(min(max(rounded, MIN_INACTIVITY_DAYS), MAX_INACTIVITY_DAYS))


def derive_customers_from_events(
    events: pd.DataFrame, as_of: pd.Timestamp, inactivity_days: int
) -> pd.DataFrame:
    """Build the canonical customer frame from an event log alone.

    ``start_date`` = first event day; a customer whose last event is at least
    ``inactivity_days`` before ``as_of`` has churned with ``end_date`` = last
    event day, the others are active (right-censored). ``monthly_value`` =
    payment amounts (else order amounts, else all amounts) over the months
    observed (at least one).

    Example
    -------
    as_of 2024-12-31, 90 days: last event 2024-09-01 (121 days before) -> churned,
    last event 2024-12-01 (30 days before) -> active.
    """
    as_of = pd.Timestamp(as_of)
    grouped = events.groupby(CUSTOMER_ID, sort=True)[TIMESTAMP]
    first, last = grouped.min().dt.normalize(), grouped.max().dt.normalize()
    churned = (last <= as_of - pd.Timedelta(days=int(inactivity_days))).astype("int64")
    end = last.where(churned.astype(bool))
    customers = pd.DataFrame({START_DATE: first, END_DATE: end, CHURNED: churned})
    customers[TENURE] = tenure_months(customers[START_DATE], customers[END_DATE], customers[CHURNED], as_of)
    paid = events[events[AMOUNT].notna()]
    if len(paid):
        for kind in ("payment", "order"):
            if (paid[EVENT_TYPE] == kind).any():
                paid = paid[paid[EVENT_TYPE] == kind]
                break
        total = paid.groupby(CUSTOMER_ID)[AMOUNT].sum().reindex(customers.index)
        customers[VALUE] = (total / customers[TENURE].clip(lower=1)).astype(float)
    return customers.rename_axis(CUSTOMER_ID).reset_index()
