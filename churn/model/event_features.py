"""Event-log features at a cutoff: the model's door to the engine.

The features (counts, trends, recency, payment delay, seed 004's ``n_signals``)
are defined once in :mod:`churn.engine.definitions` and computed as SQL by
:mod:`churn.engine.snapshots`, from events in memory or in a Parquet file that
is never loaded whole. This module opens a dataset's events in the engine once
(:func:`build_event_index`) so that snapshots at many cutoffs share one
connection. Nothing on or after a cutoff is read: every window ends at the
cutoff (half-open ``[start, cutoff)``). The feature names are listed in
:mod:`churn.engine.definitions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from churn.core.dataset import CUSTOMER_ID, Dataset
from churn.core.errors import ModelError
from churn.engine.connection import connect, event_view
from churn.engine.definitions import KIND_NAMES, SIGNAL_WINDOW, TREND_KINDS, is_count_feature
from churn.engine.snapshots import customer_index, event_features_at, first_event_time

__all__ = [
    "KIND_NAMES",
    "SIGNAL_WINDOW",
    "TREND_KINDS",
    "EventIndex",
    "build_event_index",
    "event_features",
    "event_features_many",
    "first_event",
    "is_count_feature",
]


@dataclass(frozen=True)
class EventIndex:
    """A dataset's events opened in the engine, for its customers.

    ``con`` is a DuckDB connection holding the ``events`` view
    (:func:`churn.engine.connection.event_view`); ``customer_ids`` are the
    customer table's ids as text. (The name is the one of the sorted numpy
    index this replaced, kept for its callers.) Close it when done, or use it
    in a ``with`` block.
    """

    con: duckdb.DuckDBPyConnection
    customer_ids: pd.Index

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> EventIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def build_event_index(dataset: Dataset) -> EventIndex:
    """Open the dataset's events (frame or Parquet file) in the engine for its customers.

    Events of customers missing from the customer table, of unknown kind or
    without a timestamp are ignored by the features.
    """
    if not dataset.has_events:
        raise ModelError("errors.no_event_log")
    con = connect()
    try:
        event_view(con, dataset)
    except Exception:
        con.close()
        raise
    return EventIndex(con, customer_index(dataset.customers[CUSTOMER_ID]))


def event_features_many(
    index: EventIndex, cutoffs: Sequence[pd.Timestamp], windows: tuple[int, ...]
) -> dict[pd.Timestamp, tuple[pd.DataFrame, pd.DataFrame]]:
    """``{cutoff: (event features, seed 004 flags)}`` for every customer of the index (one pass over history)."""
    return event_features_at(index.con, cutoffs, index.customer_ids, windows)


def event_features(
    index: EventIndex, cutoff: pd.Timestamp, windows: tuple[int, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(event features, seed 004 flags) for every customer of the index at ``cutoff``."""
    return event_features_many(index, [pd.Timestamp(cutoff)], windows)[pd.Timestamp(cutoff)]


def first_event(index: EventIndex) -> pd.Timestamp | None:
    """Time of the first event of any of the index's customers (whole seconds), None without any."""
    return first_event_time(index.con, index.customer_ids)
