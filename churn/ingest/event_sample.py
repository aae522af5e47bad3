"""The first rows of a big event file, read by the pandas reader, for the engine to follow.

:func:`read_sample` reads the first :data:`SAMPLE_LINES` rows of an event log
of :data:`ENGINE_MIN_BYTES` or more with :func:`churn.ingest.parsing.read_table`
and keeps them as a file of the same format beside the whole one; the role
guesser works on these rows, :mod:`churn.ingest.read_plan` chooses the SQL
that reads them the same way, and :mod:`churn.ingest.big_events` reads the
whole file. What the engine does not read raises :class:`NeedsMemory`.
"""

from __future__ import annotations

import atexit
import csv
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from churn.engine import reading
from churn.engine.connection import connect
from churn.ingest.delimited import WHITESPACE, decode_text, sniff_delimiter
from churn.ingest.parsing import column_names, read_table

__all__ = [
    "ENGINE_MIN_BYTES",
    "SAMPLE_LINES",
    "EventSample",
    "NeedsMemory",
    "read_sample",
    "reads_out_of_core",
    "work_folder",
]

log = logging.getLogger(__name__)

#: Event files at least this large are read by the engine (tests lower it).
ENGINE_MIN_BYTES = 64 * 2**20
#: Rows of the file the pandas reader sees to make its decisions.
SAMPLE_LINES = 50_000
_BLOCK = 2**20
_WORK: list[Path] = []


class NeedsMemory(Exception):
    """The file needs the in-memory reader; the message says why (for the log)."""


@dataclass(frozen=True)
class EventSample:
    """The first rows of a big event file, read by the pandas reader.

    Attributes
    ----------
    path : Path
        The whole file.
    frame : pd.DataFrame
        The first rows, typed by :func:`churn.ingest.parsing.read_table` (with its ``attrs``).
    sample_path : Path
        The same rows as a file of the same format, for the engine to read.
    names : tuple[str, ...]
        The column names by position in the file (before empty columns are dropped).
    delimiter : str or None
        The separator of a text file; None for Parquet.
    types : dict[str, str]
        DuckDB type per column name of a Parquet file (empty for text).
    """

    path: Path
    frame: pd.DataFrame
    sample_path: Path
    names: tuple[str, ...]
    delimiter: str | None = None
    types: dict = field(default_factory=dict)


def work_folder() -> Path:
    """A folder for this process's event files, removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="churn-events-"))
    if not _WORK:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _WORK])
    _WORK.append(folder)
    return folder


def reads_out_of_core(path: str | Path) -> bool:
    """Whether :func:`read_sample` should be tried for this event file: large, and not a workbook.

    A workbook above the size is read in memory (it is converted once, not read
    in SQL); the log says so.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size < ENGINE_MIN_BYTES:
        return False
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        log.warning("event log %s is a workbook; read in memory", path.name)
        return False
    return True


def _first_lines(path: Path, lines: int) -> tuple[bytes, bool]:
    """The first ``lines`` lines after the header (cut at a line break), and whether that is the whole file."""
    chunks, breaks = [], 0
    with path.open("rb") as handle:
        while breaks <= lines:
            block = handle.read(_BLOCK)
            if not block:
                return b"".join(chunks), True
            chunks.append(block)
            breaks += block.count(b"\n")
    data = b"".join(chunks)
    end = -1
    for _ in range(lines + 1):
        end = data.index(b"\n", end + 1)
    return data[: end + 1], False


def read_sample(path: str | Path, lines: int | None = None, work_dir: Path | None = None) -> EventSample:
    """Read the first rows of a big event file with the pandas reader.

    Parameters
    ----------
    path : str or Path
        A CSV/TSV/TXT or Parquet event log.
    lines : int, optional
        Rows to read; default :data:`SAMPLE_LINES`.
    work_dir : Path, optional
        Where the sample file is written; default a folder removed at exit.

    Raises
    ------
    NeedsMemory
        For what the engine does not read: an encoding other than UTF-8, a
        whitespace-separated or headerless log, quotes read around, Excel's ``sep=`` line.
    InputError
        When the first rows cannot be read at all (as the in-memory reader would say).
    """
    path = Path(path)
    lines = lines or SAMPLE_LINES
    folder = work_dir or work_folder()
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == b"PAR1":
        return _parquet_sample(path, lines, folder)
    data, _ = _first_lines(path, lines)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NeedsMemory("the text is not UTF-8") from None
    if decode_text(data, path.name) != text:
        raise NeedsMemory("the text is not UTF-8")
    first = text.partition("\n")[0].strip()
    if first.lower().startswith("sep="):
        raise NeedsMemory("the file starts with Excel's sep= line")
    delimiter = sniff_delimiter(text)
    if delimiter in (None, WHITESPACE):
        raise NeedsMemory("no comma, semicolon, tab or pipe separates the columns")
    frame = read_table(data, path.name)
    keys = {note["key"] for note in frame.attrs.get("read_notes", [])}
    for key, why in (
        ("reading.note_headerless", "the log has no header"),
        ("reading.note_tolerant_quote", "a quote is read around"),
        ("reading.note_tolerant_quotes", "quotes are read around"),
    ):
        if key in keys:
            raise NeedsMemory(why)
    header = next(csv.reader([text.partition("\n")[0].rstrip("\r")], delimiter=delimiter))
    sample_path = folder / f"{path.stem}.sample.csv"
    sample_path.write_bytes(data)
    return EventSample(path, frame, sample_path, tuple(column_names(header)[0]), delimiter)


def _parquet_sample(path: Path, lines: int, folder: Path) -> EventSample:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        batch = next(source.iter_batches(batch_size=lines), None)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise NeedsMemory(f"pyarrow cannot read it ({type(error).__name__})") from None
    table = pa.Table.from_batches([batch]) if batch is not None else source.schema_arrow.empty_table()
    sample_path = folder / f"{path.stem}.sample.parquet"
    pq.write_table(table, sample_path)
    frame = read_table(sample_path.read_bytes(), path.name)
    with connect() as con:
        types = reading.parquet_columns(con, path)
    return EventSample(path, frame, sample_path, tuple(column_names(list(types))[0]), None, types)
