"""What every command shares: the input options, the one loader, the one output path.

Every command that reads data takes the same ``PATH [--events PATH] [--target COL]
[--max-mb MB]`` options and loads them through :func:`load`, so a file is read,
understood and named the same way whichever command reads it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import PurePath

import pandas as pd

from churn.core.dataset import Dataset
from churn.core.errors import InputError, SchemaError
from churn.ingest.intake import build_dataset, repeated_ids
from churn.ingest.parsing import MAX_BYTES, read_table
from churn.ingest.roles import guess_roles, repeated_id_column


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A dataset built from the command's files, and the tables as read (for the profile)."""

    dataset: Dataset
    customers: pd.DataFrame | None
    events: pd.DataFrame | None


def add_input_arguments(parser: argparse.ArgumentParser, path_required: bool = False) -> None:
    """Add ``PATH``, ``--events``, ``--target`` and ``--max-mb`` to a command."""
    parser.add_argument(
        "path",
        nargs=None if path_required else "?",
        help="customer table (CSV/TSV/TXT, .xlsx or .parquet)",
    )
    parser.add_argument("--events", help="event log (one row per event), joined on the customer id")
    parser.add_argument("--target", help="the churn column, when it is not detected automatically")
    parser.add_argument(
        "--max-mb",
        type=float,
        default=MAX_BYTES / 2**20,
        help=f"refuse files larger than this (default {MAX_BYTES // 2**20} MB)",
    )


def dataset_name(*paths: str | None) -> str:
    """``customers + events`` from the file names, as the Data page names an upload."""
    return " + ".join(PurePath(p.replace("\\", "/")).stem for p in paths if p) or "dataset"


def refuse_repeated_ids(customers: pd.DataFrame) -> None:
    """Explain a missing customer id when the column that looks like it has repeated ids.

    The role guesser passes over an id column whose values repeat, and the CLI
    has no option to choose the id, so the user is told which column that is.

    Parameters
    ----------
    customers : pd.DataFrame
        The typed customer table whose guessed roles have no customer id.

    Raises
    ------
    SchemaError
        When an id-named column holds repeated ids (the count and an example are named).
    """
    column = repeated_id_column(customers)
    if column is None:
        return
    repeated = repeated_ids(customers[column])
    raise SchemaError(
        f"Column '{column}' looks like the customer id but has {len(repeated):,} repeated ids "
        f"(e.g. '{repeated.iloc[0]}'); keep one row per customer, or pass the file with --events "
        "if each row is an event (an order, a visit, a payment)."
    )


def load(args: argparse.Namespace) -> Loaded:
    """Read the command's files, guess the column roles (``--target`` wins) and build the dataset.

    Raises
    ------
    InputError
        When neither a customer table nor an event log is given, or a file cannot be read.
    SchemaError
        When ``--target`` names no column of the customer table, the id column has
        repeated ids, or the roles do not fit.
    """
    path, events_path = getattr(args, "path", None), getattr(args, "events", None)
    if not path and not events_path:
        raise InputError("Give a customer table (PATH), an event log (--events PATH) or both.")
    max_bytes = int(getattr(args, "max_mb", MAX_BYTES / 2**20) * 2**20)
    customers = read_table(path, max_bytes=max_bytes) if path else None
    events = read_table(events_path, max_bytes=max_bytes) if events_path else None
    mapping = guess_roles(customers, events)
    if customers is not None and mapping.customer_id is None:
        refuse_repeated_ids(customers)
    target = getattr(args, "target", None)
    if target:
        if customers is None or target not in customers.columns:
            raise SchemaError(
                f"Column '{target}' is not in the customer table; check the name given to --target."
            )
        mapping = dataclasses.replace(
            mapping, churn_label=target, segments=tuple(s for s in mapping.segments if s != target)
        )
    dataset = build_dataset(customers, events, mapping, name=dataset_name(path, events_path))
    return Loaded(dataset, customers, events)


def emit(result: dict, as_json: bool, text: str) -> None:
    """Print ``result`` as JSON or ``text`` as plain lines (the CLI's one output path)."""
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)
