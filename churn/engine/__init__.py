"""The columnar engine (DuckDB, in process): SQL over every event, from memory or from Parquet on disk."""

from churn.engine.connection import EVENTS, connect, event_view

__all__ = ["EVENTS", "connect", "event_view"]
