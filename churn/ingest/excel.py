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

The frame is the one ``pandas.read_excel(..., dtype=object)`` gave for the first
sheet with rows: the sheet's first row names the columns, blank and error
cells are missing, whole numbers are ints.
"""

from __future__ import annotations

import copy
import io
import zipfile
from xml.parsers import expat

import openpyxl
import pandas as pd

from churn.core.errors import InputError

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


def read_excel(data: bytes, name: str) -> pd.DataFrame:
    """The first sheet with rows of an .xlsx workbook, as raw cell values.

    Parameters
    ----------
    data : bytes
        The workbook's bytes.
    name : str
        The file name, used in messages.

    Returns
    -------
    pd.DataFrame
        Object columns named by the sheet's first row (``Unnamed: <i>`` for a
        blank header cell); blank and error cells are ``None``; empty rows left out.

    Raises
    ------
    InputError
        When the workbook is broken, has no rows, or unpacks to more than
        ``MAX_UNPACKED_BYTES``, ``MAX_CELLS`` or ``MAX_COLUMNS`` allow.
    """
    _check_archive(data, name)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many types for broken workbooks
        raise _unreadable(name) from error
    try:
        cells = 0
        for sheet in workbook.worksheets:
            header, body, cells = _sheet_rows(sheet, cells, name)
            if body:
                return _frame(header, body)
    except InputError:
        raise
    except Exception as error:
        raise _unreadable(name) from error
    finally:
        workbook.close()
    raise InputError(
        f"The Excel file '{name}' has no rows in any sheet; export the table again with its rows."
    )


# ---------------------------------------------------------------- the zip, before openpyxl


def _check_archive(data: bytes, name: str) -> None:
    # Each directory entry starts with this signature, so the count bounds the
    # number of parts before zipfile builds an object for every one of them.
    if data.count(b"PK\x01\x02") > MAX_PARTS:
        raise InputError(
            f"The workbook '{name}' holds more than {MAX_PARTS:,} parts, far more than a spreadsheet has; "
            "save the sheet as CSV and upload that."
        )
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
            f"The workbook '{name}' unpacks to {_size(declared)}, more than the {_size(MAX_UNPACKED_BYTES)}"
            f" this app reads from Excel; save the sheet as CSV and upload that."
        )
    for info in parts:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_GRACE_BYTES and ratio > MAX_RATIO:
            raise InputError(
                f"The workbook '{name}' is compressed {ratio:,.0f} to 1, far more than a real spreadsheet; "
                "save the sheet as CSV and upload that."
            )


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
                raise InputError(
                    f"The workbook '{name}' has a row of more than {MAX_COLUMNS:,} cells, wider than Excel "
                    "allows; save the sheet as CSV and upload that."
                )

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
                raise InputError(
                    f"The workbook '{name}' unpacks to more than its own directory says, so it is damaged "
                    "or made to mislead; save the sheet as CSV and upload that."
                )
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


def _frame(header: list, body: list[list]) -> pd.DataFrame:
    width = max(len(header), *(len(row) for row in body))
    header = header + [None] * (width - len(header))
    columns = [f"Unnamed: {i}" if value is None else value for i, value in enumerate(header)]
    return pd.DataFrame([row + [None] * (width - len(row)) for row in body], columns=columns, dtype=object)


# ---------------------------------------------------------------- messages


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _unreadable(name: str) -> InputError:
    return InputError(f"The Excel file '{name}' cannot be read; open it in Excel and save it as .xlsx again.")


def _too_many_cells(name: str) -> InputError:
    return InputError(
        f"The workbook '{name}' holds more than {MAX_CELLS:,} cells, more than this app reads from Excel; "
        "save the sheet as CSV and upload that."
    )
