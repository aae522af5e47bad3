"""Read an .xlsx upload without letting it grow past what a table needs.

An .xlsx file is a zip of XML parts, and a few hundred kilobytes of zip can
unpack to gigabytes; a small sheet can also make openpyxl build millions of
cells that are not in the file (a row numbered 50 000 000 is preceded by
empty rows, a cell in column XFD by 16 383 empty ones). So the work is bounded
three times before and while the sheet is read:

1. the zip directory: at most ``MAX_PARTS`` parts, declaring at most
   ``MAX_UNPACKED_BYTES`` in all and no part compressed more than ``MAX_RATIO``
   to 1 (nothing is unpacked yet);
2. the parts themselves, unpacked through a stream that does not trust the
   declared sizes (a zip can lie) and stops as soon as a part grows past its
   declared size: at most ``MAX_CELLS`` cell elements and at most
   ``MAX_COLUMNS`` of them in one row;
3. openpyxl's read-only stream, counting the cells it hands over, the empty
   ones it fills in included, up to ``MAX_CELLS``.

Every sheet is read (the cell bound counts all of them together) and the one
that looks most like a data table is kept (:func:`read_sheet`): typed cells
(numbers, dates) weigh most, short text half, long text (the descriptions of a
data dictionary) a tenth; a sheet named like documentation ("README",
"Data dictionary", "Forklaring") or listing another sheet's column names
counts for less, and a hidden sheet is taken only when no visible one has
rows. ``sheet=`` forces one by name. Within a sheet the frame is the one ``pandas.read_excel(...,
dtype=object)`` gives: the first row names the columns, blank and error cells
are missing, whole numbers are ints.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

import openpyxl
import pandas as pd

from churn.core.errors import InputError, Phrase

# Sheet XML takes 10-40 bytes per cell, so 64 MiB is one to six million cells:
# more than any churn export needs, and still read by openpyxl in under a
# minute and a few hundred MB (the 199 MiB workbook took 164 s and 933 MB).
MAX_UNPACKED_BYTES = 64 * 2**20
# Real sheets deflate 5 to 20 times (every cell carries its own coordinate);
# repeated rows crafted to expand deflate about 1000 times. 100 is also
# Apache POI's default limit for the same check.
MAX_RATIO = 100
# Parts smaller than this are cheap at any ratio (styles, a one-row sheet).
_RATIO_GRACE_BYTES = 2**20
# The bytes limit cannot see the rows and cells openpyxl fills in for gaps.
MAX_CELLS = 5_000_000
# Excel's own width (A to XFD): openpyxl holds a whole row in memory at once,
# so one row of a million cells would cost hundreds of MB from a 5 KB file.
MAX_COLUMNS = 16_384
# Real workbooks have dozens of parts; reading the zip directory costs memory per part.
MAX_PARTS = 10_000
_CHUNK = 2**20
# Sheets that describe the data rather than hold it, in the languages of our clients.
_DOCUMENTATION = re.compile(
    r"read ?me|dictionary|codebook|glossary|legend|metadata|documentation|definitions?|descriptions?|"
    r"variables|notes|instructions|forklaring|beskrivelse|ordliste|definisjon|dokumentation|dokumentasjon|"
    r"les ?meg|læs ?mig|variabler|vejledning|veiledning",
    re.IGNORECASE,
)
# Text longer than this is prose (a description), not a category or a name.
_SHORT_TEXT = 30
_SHEETS_LISTED = 20
# A data dictionary has a row per column of the data; longer sheets are not checked for being one.
_DICTIONARY_ROWS = 2000


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells: the first row, the later non-empty rows (padded to one width), and the sheet names.

    Attributes
    ----------
    name : str
        The sheet's name.
    header : list
        The first row's cell values (``None`` for a blank cell).
    rows : list[list]
        The non-empty rows below it, each as long as the widest row.
    sheets : tuple[str, ...]
        Every worksheet name in the workbook, in workbook order.
    """

    name: str
    header: list
    rows: list
    sheets: tuple[str, ...]


def read_sheet(data: bytes, name: str, sheet: str | None = None) -> Sheet:
    """The sheet of an .xlsx workbook that holds the data table, or the one named ``sheet``.

    Parameters
    ----------
    data : bytes
        The workbook's bytes.
    name : str
        The file name, used in messages.
    sheet : str, optional
        The sheet to read (its name; case and outer spaces do not matter).
        By default every sheet is read and the one that looks most like a
        data table wins (ties go to the first).

    Returns
    -------
    Sheet
        The chosen sheet's cells and the names of all sheets.

    Raises
    ------
    InputError
        When the workbook is broken, has no rows (in any sheet, or in the sheet
        asked for), has no sheet of that name (the message lists the sheets),
        or unpacks to more than ``MAX_UNPACKED_BYTES``, ``MAX_CELLS`` or
        ``MAX_COLUMNS`` allow.
    """
    _check_archive(data, name)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many types for broken workbooks
        raise _unreadable(name) from error
    try:
        sheets = tuple(str(worksheet.title) for worksheet in workbook.worksheets)
        if sheet is not None:
            title = _find_sheet(sheets, sheet, name)
            header, body, _ = _sheet_rows(workbook[title], 0, name)
            others = [s for s in sheets if s != title]
            if not body and others:
                raise InputError("errors.sheet_empty", sheet=title, name=name, sheets=sheet_list(others))
            if not body:
                raise InputError("errors.excel_no_rows", name=name)
            return _padded(title, header, body, sheets)
        # Every sheet is kept until the choice is made: MAX_CELLS bounds them together,
        # so this holds no more than one sheet of the largest size allowed would.
        read, cells = [], 0
        for worksheet in workbook.worksheets:
            header, body, cells = _sheet_rows(worksheet, cells, name)
            if body:
                visible = getattr(worksheet, "sheet_state", "visible") == "visible"
                read.append((str(worksheet.title), header, body, visible))
    except InputError:
        raise
    except Exception as error:
        raise _unreadable(name) from error
    finally:
        workbook.close()
    if not read:
        raise InputError("errors.excel_no_rows", name=name)
    best = read[_data_sheet(read)]
    return _padded(*best[:3], sheets)


def read_excel(data: bytes, name: str, sheet: str | None = None) -> pd.DataFrame:
    """The data sheet of an .xlsx workbook (see :func:`read_sheet`), as raw cell values.

    Parameters
    ----------
    data : bytes
        The workbook's bytes.
    name : str
        The file name, used in messages.
    sheet : str, optional
        The sheet to read; by default the one that looks like the data table.

    Returns
    -------
    pd.DataFrame
        Object columns named by the sheet's first row (``Unnamed: <i>`` for a
        blank header cell); blank and error cells are ``None``; empty rows left
        out. ``attrs["sheets"]`` lists the workbook's sheets, ``attrs["sheet"]``
        names the one read.

    Raises
    ------
    InputError
        As :func:`read_sheet`.
    """
    chosen = read_sheet(data, name, sheet)
    frame = _frame(chosen.header, chosen.rows)
    frame.attrs = {"sheets": list(chosen.sheets), "sheet": chosen.name}
    return frame


def sheet_list(names) -> str:
    """Sheet names for a sentence: ``'Ordliste', 'Data'`` (the first 20, then ``…``)."""
    names = list(names)
    shown = ", ".join(f"'{n}'" for n in names[:_SHEETS_LISTED])
    return shown + (", …" if len(names) > _SHEETS_LISTED else "")


def _find_sheet(sheets: tuple[str, ...], wanted: str, name: str) -> str:
    if wanted in sheets:
        return wanted
    folded = [s for s in sheets if s.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise InputError("errors.no_such_sheet", name=name, sheet=str(wanted), sheets=sheet_list(sheets))


def _data_sheet(read: list[tuple[str, list, list[list], bool]]) -> int:
    """The index of the sheet that holds the data: the best :func:`table_score`, the first on a tie.

    A sheet that lists another sheet's column names down one of its columns
    (a data dictionary) counts a tenth; a hidden sheet is chosen only when no
    visible sheet has rows.
    """
    headers = [
        {h.strip().casefold() for h in header if isinstance(h, str) and h.strip()} for _, header, _, _ in read
    ]
    scores = []
    for at, (title, _, body, _visible) in enumerate(read):
        score = table_score(title, body)
        if len(body) <= _DICTIONARY_ROWS and any(
            _lists_names(body, names) for other, names in enumerate(headers) if other != at
        ):
            score *= 0.1
        scores.append(score)
    return max(range(len(read)), key=lambda at: (read[at][3], scores[at], -at))


def _lists_names(body: list[list], names: set[str]) -> bool:
    """Whether one column of ``body`` holds at least half (and at least two) of ``names``."""
    if len(names) < 2:
        return False
    for column in zip(*body, strict=False):
        values = {v.strip().casefold() for v in column if isinstance(v, str)}
        if len(values & names) >= max(2, len(names) / 2):
            return True
    return False


def table_score(title: str, body: list[list]) -> float:
    """How much a sheet looks like a data table rather than notes about one.

    Numbers, dates and booleans count 1 a cell, short text 0.5, long text 0.1:
    a data dictionary (a name and a sentence per row) scores far below a
    table of the same size. A documentation name ("README", "Ordliste")
    divides the score by five.

    Example
    -------
    >>> table_score("Kunder", [[1, "Oslo"], [2, "Bergen"]]), table_score("README", [[1, 2]])
    (3.0, 0.4)
    """
    score = 0.0
    for row in body:
        for value in row:
            if value is None:
                continue
            if isinstance(value, str):
                score += 0.5 if len(value) <= _SHORT_TEXT else 0.1
            else:
                score += 1.0
    return score * 0.2 if _DOCUMENTATION.search(title) else score


def _padded(title: str, header: list, body: list[list], sheets: tuple[str, ...]) -> Sheet:
    width = max(len(header), *(len(row) for row in body))
    rows = [row + [None] * (width - len(row)) for row in body]
    return Sheet(title, header + [None] * (width - len(header)), rows, sheets)


# ---------------------------------------------------------------- the zip, before openpyxl


def _check_archive(data: bytes, name: str) -> None:
    # Each directory entry starts with this signature, so the count bounds the
    # number of parts before zipfile builds an object for every one of them.
    if data.count(b"PK\x01\x02") > MAX_PARTS:
        raise InputError("errors.too_many_parts", name=name, limit=MAX_PARTS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # zipfile raises several types for broken archives
        raise _unreadable(name) from error
    with archive:
        parts = [info for info in archive.infolist() if not info.is_dir()]
        _check_directory(parts, name)
        cells = 0
        for info in parts:
            try:
                cells = _stream_part(archive, info, name, cells)
            except InputError:
                raise
            except Exception as error:  # bad CRC, encryption, unknown compression
                raise _unreadable(name) from error


def _check_directory(parts: list[zipfile.ZipInfo], name: str) -> None:
    declared = sum(info.file_size for info in parts)
    if declared > MAX_UNPACKED_BYTES:
        raise InputError(
            "errors.unpacks_too_large", name=name, size=_size(declared), limit=_size(MAX_UNPACKED_BYTES)
        )
    for info in parts:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_GRACE_BYTES and ratio > MAX_RATIO:
            raise InputError("errors.compressed_too_much", name=name, ratio=round(ratio))


def _stream_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, cells: int) -> int:
    """Unpack one part through a capped stream, counting its bytes and cell elements.

    The directory's sizes add up to at most ``MAX_UNPACKED_BYTES`` (checked before),
    and no part may unpack past its declared size, so the real bytes are bounded too.
    Returns the cells counted so far.
    """
    probe = copy.copy(info)
    probe.file_size = 2**62  # zipfile stops at the declared size; only our own count may end the read
    width = 0

    def start(tag: str, _attributes: list) -> None:
        nonlocal cells, width
        local = tag.rpartition(" ")[2]
        if local == "row":
            width = 0
        elif local == "c":
            cells, width = cells + 1, width + 1
            if cells > MAX_CELLS:
                raise _too_many_cells(name)
            if width > MAX_COLUMNS:
                raise InputError("errors.row_too_wide", name=name, limit=MAX_COLUMNS)

    # expat streams without building a tree; openpyxl parses with the same expat,
    # so both see the same elements and stop at the same broken byte.
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.ordered_attributes = True
    parser.StartElementHandler = start
    xml = True
    unpacked = 0
    with archive.open(probe) as part:
        while chunk := part.read(_CHUNK):
            unpacked += len(chunk)
            if unpacked > info.file_size:  # an honest zip never unpacks past what its directory says
                raise InputError("errors.unpacks_past_directory", name=name)
            if xml:
                try:
                    parser.Parse(chunk, False)
                except expat.ExpatError:
                    xml = False  # a picture, or broken XML that openpyxl cannot read past either
    return cells


# ---------------------------------------------------------------- the sheet, through openpyxl


def _sheet_rows(sheet, cells: int, name: str) -> tuple[list, list[list], int]:
    """The sheet's first row, its later non-empty rows (trailing blanks trimmed) and the running cell count.

    The first row names the columns even when it is blank, as in pandas;
    empty rows further down are left out (they would be dropped later anyway,
    and a sheet may hold millions of them).
    """
    sheet.reset_dimensions()  # a <dimension> can claim A1:XFD1048576; pad rows only to their real cells
    header, body = None, []
    for row in sheet.rows:
        cells += max(len(row), 1)  # a filled-in empty row costs a step too
        if cells > MAX_CELLS:
            raise _too_many_cells(name)
        values = [_value(cell) for cell in row]
        while values and values[-1] is None:
            values.pop()
        if header is None:
            header = values
        elif values:
            body.append(values)
    return header or [], body, cells


def _value(cell):
    """A cell's value as pandas.read_excel gave it: blanks and errors missing, whole floats as ints."""
    value = cell.value
    if cell.data_type == "e" or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _frame(header: list, rows: list[list]) -> pd.DataFrame:
    columns = [f"Unnamed: {i}" if value is None else value for i, value in enumerate(header)]
    return pd.DataFrame(rows, columns=columns, dtype=object)


# ---------------------------------------------------------------- messages


def _size(n: int) -> Phrase:
    return (
        Phrase("errors.size_gib", {"size": round(n / 2**30, 1)})
        if n >= 2**30
        else Phrase("errors.size_mib", {"size": round(n / 2**20)})
    )


def _unreadable(name: str) -> InputError:
    return InputError("errors.excel_unreadable", name=name)


def _too_many_cells(name: str) -> InputError:
    return InputError("errors.too_many_cells", name=name, limit=MAX_CELLS)
