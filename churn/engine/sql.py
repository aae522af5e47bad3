"""SQL text the engine's modules share: quoted literals and names, numbers, timestamps as days."""

from __future__ import annotations

import math

__all__ = ["days", "identifier", "literal", "number_literal"]


def literal(text: str) -> str:
    """A text as an SQL string literal (``it's`` -> ``'it''s'``)."""
    return "'" + str(text).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A name as a quoted SQL identifier (any characters, ``"`` doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def number_literal(value: float) -> str:
    """A float as SQL, infinities included (``-inf`` is no SQL literal)."""
    value = float(value)
    return repr(value) if math.isfinite(value) else f"CAST('{value}' AS DOUBLE)"


def days(expr: str) -> str:
    """A timestamp as float days since 1970, from nanoseconds as pandas computes it."""
    return f"(epoch_ns({expr}) / 86400e9)"
