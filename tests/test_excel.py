"""read_excel: normal workbooks read as pandas did; workbooks that unpack too far refused early.

Hostile workbooks are small zips whose sheet XML is written here by hand, so that
each one holds exactly the trick it tests.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from churn.core.errors import InputError
from churn.ingest import excel
from churn.ingest.excel import read_excel
from churn.ingest.parsing import read_table

HOSTILE = Path(__file__).parent / "hostile"
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}">'
        '<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>kundenr</t></is></c><c r="B1"><v>2024</v></c></row>'


def workbook(rows: bytes) -> bytes:
    """A minimal valid .xlsx whose one sheet holds ``rows`` (``<row>`` elements) as written."""
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + rows + b"</sheetData></worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr(SHEET, sheet)
    return buffer.getvalue()


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The same zip with ``member``'s uncompressed size set to ``size`` in both headers (a lie)."""
    patched, name, at = bytearray(data), member.encode(), 0
    while (at := patched.find(b"PK\x01\x02", at)) >= 0:  # central directory entries
        if patched[at + 46 : at + 46 + struct.unpack_from("<H", patched, at + 28)[0]] == name:
            struct.pack_into("<I", patched, at + 24, size)
            local = struct.unpack_from("<I", patched, at + 42)[0]
            struct.pack_into("<I", patched, local + 22, size)
        at += 4
    return bytes(patched)


@pytest.fixture
def no_full_parse(monkeypatch):
    """Fail the test if openpyxl or pandas ever start on the workbook."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook reached openpyxl/pandas")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(pd, "read_excel", refuse)


def peak_bytes(read, *args) -> tuple[str, int]:
    """The InputError message ``read(*args)`` raises and the peak of traced memory meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            read(*args)
        return str(caught.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------- normal workbooks


def test_a_normal_workbook_reads_as_pandas_read_excel_did():
    """Blank first sheet skipped, blank header cell unnamed, error cell missing, gaps and dates kept."""
    book = openpyxl.Workbook()
    book.active.title = "Tom"
    sheet = book.create_sheet("Kunder")
    sheet.append([None, "Kundenr", "Start", None, "Beløp", "Aktiv"])
    sheet.append([None, 7, dt.datetime(2021, 1, 4), "x", 1250.5, True])
    sheet.append([None, 8, dt.date(2020, 3, 17), None, "#DIV/0!", False])
    sheet["B9"], sheet["E9"], sheet["H9"] = 9, 3.0, ""
    book.create_sheet("Etter").append(["a", "b"])
    buffer = io.BytesIO()
    book.save(buffer)

    ours = read_excel(buffer.getvalue(), "k.xlsx")
    sheets = pd.read_excel(io.BytesIO(buffer.getvalue()), sheet_name=None, dtype=object)
    pandas = next(f for f in sheets.values() if len(f.dropna(how="all"))).dropna(how="all")
    assert (
        list(ours.columns)
        == list(pandas.columns)
        == [
            "Unnamed: 0",
            "Kundenr",
            "Start",
            "Unnamed: 3",
            "Beløp",
            "Aktiv",
        ]
    )

    def cells(frame):
        return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()

    assert cells(ours) == cells(pandas)
    assert ours["Kundenr"].tolist() == [7, 8, 9] and ours["Beløp"].tolist()[1:] == [None, 3]


def test_a_workbook_with_only_headers_has_no_rows():
    with pytest.raises(InputError, match="has no rows in any sheet"):
        read_excel(workbook(HEADER_ROW), "tom.xlsx")


@pytest.mark.parametrize(
    "make",
    [
        lambda: b"PK\x03\x04not really a workbook",
        lambda: workbook(HEADER_ROW)[:200],  # cut off: no zip directory
        lambda: zipfile_with({"hello.txt": "not a workbook"}),
        lambda: workbook(HEADER_ROW + b'<row r="2"><c r="A2"><v>1</v>'),  # broken XML
    ],
    ids=["not-a-zip", "truncated", "no-workbook-parts", "broken-xml"],
)
def test_broken_workbooks_keep_the_plain_message(make):
    with pytest.raises(InputError, match=r"^The Excel file 'x\.xlsx' cannot be read; open it in Excel"):
        read_table(make(), "x.xlsx")


def zipfile_with(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# ---------------------------------------------------------------- workbooks that unpack too far


def test_the_committed_bomb_is_refused_from_its_zip_directory(no_full_parse):
    """``xlsx_bomb.xlsx``: 221 KB whose sheet unpacks to 72 MiB (2 columns x 1.8 million rows).

    Made with ``zipfile.ZIP_DEFLATED, compresslevel=9`` from the four parts in
    ``PARTS`` and a sheet1.xml of one header row of inline strings followed by
    ``<row><c><v>1</v></c><c><v>0</v></c></row>`` repeated to 72 MiB.
    """
    path = HOSTILE / "xlsx_bomb.xlsx"
    assert path.stat().st_size < 400_000
    message, peak = peak_bytes(read_table, path)
    assert message == (
        "The workbook 'xlsx_bomb.xlsx' unpacks to 72 MiB, more than the 64 MiB this app reads from Excel; "
        "save the sheet as CSV and upload that."
    )
    assert peak < 50 * 2**20


def test_a_zip_directory_that_lies_is_caught_by_the_capped_stream(no_full_parse):
    """The bomb again, its sheet declared as 1 000 bytes: the real bytes are counted instead,
    and the read stops at the first chunk past the declared size (1 MiB of the 72)."""
    liar = declare_size((HOSTILE / "xlsx_bomb.xlsx").read_bytes(), SHEET, 1000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo(SHEET).file_size == 1000
    message, peak = peak_bytes(read_table, liar, "liar.xlsx")
    assert message.startswith("The workbook 'liar.xlsx' unpacks to more than its own directory says")
    assert peak < 10 * 2**20  # the sheet is 72 MiB; we held one chunk of it


def test_an_absurd_compression_ratio_is_refused(no_full_parse):
    """2 MiB of identical rows deflate about 300 to 1; real sheets deflate 5 to 20 to 1."""
    rows = b"<row><c><v>1</v></c></row>" * (2 * 2**20 // 26)
    with pytest.raises(
        InputError, match=r"'r\.xlsx' is compressed [\d,]+ to 1, far more than a real spreadsheet"
    ):
        read_excel(workbook(HEADER_ROW + rows), "r.xlsx")


def test_a_row_wider_than_excel_is_refused_before_openpyxl(no_full_parse):
    """openpyxl holds a whole row in memory: 16 385 cells in one row would be the start of a bomb."""
    row = b'<row r="2">' + b"<c/>" * (excel.MAX_COLUMNS + 1) + b"</row>"
    with pytest.raises(InputError, match=r"'w\.xlsx' has a row of more than 16,384 cells"):
        read_excel(workbook(HEADER_ROW + row), "w.xlsx")


def test_cell_elements_past_the_limit_are_refused_before_openpyxl(monkeypatch, no_full_parse):
    monkeypatch.setattr(excel, "MAX_CELLS", 1000)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(2, 1002))
    with pytest.raises(InputError, match=r"'c\.xlsx' holds more than 1,000 cells"):
        read_excel(workbook(HEADER_ROW + rows), "c.xlsx")


@pytest.mark.parametrize(
    "rows",
    [
        b'<row r="2"><c r="A2"><v>1</v></c></row><row r="5000000"><c r="A5000000"><v>2</v></c></row>',
        b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (i, i) for i in range(2, 12)),
    ],
    ids=["rows-far-apart", "cells-in-column-XFD"],
)
def test_cells_openpyxl_fills_in_count_against_the_limit(monkeypatch, rows):
    """A few real cells, but openpyxl hands over every empty row and cell before them."""
    monkeypatch.setattr(excel, "MAX_CELLS", 100_000)
    message, peak = peak_bytes(read_excel, workbook(HEADER_ROW + rows), "g.xlsx")
    assert message.startswith("The workbook 'g.xlsx' holds more than 100,000 cells")
    assert peak < 50 * 2**20


def test_a_zip_of_many_parts_is_refused_before_its_directory_is_read(monkeypatch, no_full_parse):
    monkeypatch.setattr(excel, "MAX_PARTS", 10)
    parts = {**PARTS, **{f"xl/media/{i}.txt": "x" for i in range(10)}}
    with pytest.raises(InputError, match=r"'p\.xlsx' holds more than 10 parts"):
        read_excel(zipfile_with(parts), "p.xlsx")


@pytest.mark.parametrize(
    "message_of",
    [
        lambda: read_table(HOSTILE / "xlsx_bomb.xlsx"),
        lambda: read_excel(workbook(HEADER_ROW + b"<row>" + b"<c/>" * 16385 + b"</row>"), "w.xlsx"),
    ],
    ids=["bomb", "wide-row"],
)
def test_refusals_are_one_sentence_that_says_what_to_do(message_of):
    with pytest.raises(InputError) as caught:
        message_of()
    assert str(caught.value).count(". ") == 0
    assert str(caught.value).endswith("save the sheet as CSV and upload that.")


# ---------------------------------------------------------------- which sheet holds the data

DICTIONARY = [
    ("Kundenr", "The customer's number in the billing system, unique per customer"),
    ("Startdato", "The day the first subscription began (dd.mm.yyyy)"),
    ("Beløp", "Monthly fee in NOK, excluding VAT, at the time of the export"),
    ("Sluttet", "Ja when the customer has cancelled every subscription, else Nei"),
]
CUSTOMERS = [
    (101, dt.datetime(2021, 1, 4), 499.0, "Nei"),
    (102, dt.datetime(2020, 3, 17), 299.0, "Ja"),
    (103, dt.datetime(2022, 9, 2), 799.0, "Nei"),
]


def save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


@pytest.fixture
def two_sheets(tmp_path) -> Path:
    """read_two_sheets.xlsx: a data dictionary first (as many exports have), the customers second."""
    book = openpyxl.Workbook()
    book.active.title = "Data dictionary"
    book.active.append(["Column", "Description"])
    for row in DICTIONARY:
        book.active.append(row)
    data = book.create_sheet("Kunder")
    data.append(["Kundenr", "Startdato", "Beløp", "Sluttet"])
    for row in CUSTOMERS:
        data.append(row)
    return save(book, tmp_path / "read_two_sheets.xlsx")


def test_the_data_sheet_is_chosen_over_a_dictionary_before_it(two_sheets):
    frame = read_table(two_sheets)
    assert list(frame.columns) == ["Kundenr", "Startdato", "Beløp", "Sluttet"]
    assert frame["Kundenr"].tolist() == [101, 102, 103]
    assert frame["Startdato"].iloc[1] == pd.Timestamp("2020-03-17")
    assert frame.attrs["sheets"] == ["Data dictionary", "Kunder"]
    assert frame.attrs["sheet"] == "Kunder"
    assert frame.attrs["read_notes"] == [
        {
            "key": "reading.note_sheet_chosen",
            "values": {"sheet": "Kunder", "sheets": "'Data dictionary', 'Kunder'"},
        }
    ]


@pytest.mark.parametrize("asked", ["Data dictionary", "data dictionary ", "DATA DICTIONARY"])
def test_sheet_forces_one_by_name(two_sheets, asked):
    frame = read_table(two_sheets, sheet=asked)
    assert list(frame.columns) == ["Column", "Description"]
    assert frame["Column"].tolist() == [name for name, _ in DICTIONARY]
    assert frame.attrs["sheet"] == "Data dictionary"
    assert frame.attrs["read_notes"] == []  # the user chose; nothing to tell


def test_an_unknown_sheet_is_refused_with_the_sheets_listed(two_sheets):
    with pytest.raises(InputError) as caught:
        read_table(two_sheets, sheet="Customers")
    assert str(caught.value) == (
        "The workbook 'read_two_sheets.xlsx' has no sheet 'Customers'; "
        "choose one of its sheets: 'Data dictionary', 'Kunder'."
    )


def test_an_empty_sheet_asked_for_is_refused_with_the_others_listed(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Tom"
    book.create_sheet("Kunder").append(["id", "x"])
    book["Kunder"].append([1, 2])
    with pytest.raises(
        InputError,
        match=r"^The sheet 'Tom' in 'e\.xlsx' has no rows; choose one of its other sheets: 'Kunder'\.$",
    ):
        read_table(save(book, tmp_path / "e.xlsx"), sheet="Tom")


def test_a_long_dictionary_without_a_telling_name_still_loses(tmp_path):
    """'Ark1' lists the data's column names down its first column: 40 rows x (0.5 + 0.1) = 24, a tenth
    of that for describing 'Ark2' = 2.4; 'Ark2' is 3 rows x (3 typed + 0.5 text) = 10.5."""
    book = openpyxl.Workbook()
    book.active.title = "Ark1"
    book.active.append(["Felt", "Forklaring"])
    for i in range(10):
        for name, text in DICTIONARY:
            book.active.append([name if i == 0 else f"{name} {i}", text])
    data = book.create_sheet("Ark2")
    data.append(["Kundenr", "Startdato", "Beløp", "Sluttet"])
    for row in CUSTOMERS:
        data.append(row)
    frame = read_table(save(book, tmp_path / "d.xlsx"))
    assert frame.attrs["sheet"] == "Ark2" and len(frame) == 3


@pytest.mark.parametrize(
    "first,second,chosen",
    [
        ("README", "Sheet2", "Sheet2"),  # a documentation name counts a fifth
        ("Kunder", "Kunder 2023", "Kunder"),  # two tables alike: the first wins
    ],
)
def test_sheet_choice_by_content_and_name(tmp_path, first, second, chosen):
    book = openpyxl.Workbook()
    book.active.title = first
    for sheet in (book.active, book.create_sheet(second)):
        sheet.append(["id", "fee", "plan"])
        for row in CUSTOMERS:
            sheet.append([row[0], row[2], "basic"])
    assert read_table(save(book, tmp_path / "c.xlsx")).attrs["sheet"] == chosen


def test_a_hidden_sheet_loses_to_a_visible_one(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Lookup"
    for i in range(30):
        book.active.append([i, i * 2, i * 3])
    book.active.sheet_state = "hidden"
    data = book.create_sheet("Kunder")
    data.append(["id", "fee"])
    data.append([1, 99])
    data.append([2, 199])
    assert read_table(save(book, tmp_path / "h.xlsx")).attrs["sheet"] == "Kunder"


def test_a_one_sheet_workbook_has_no_sheet_note(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Kunder"
    book.active.append(["id", "fee"])
    book.active.append([1, 99])
    frame = read_table(save(book, tmp_path / "one.xlsx"))
    assert frame.attrs == {"sheets": ["Kunder"], "sheet": "Kunder", "read_notes": []}


def test_a_headerless_sheet_keeps_its_first_row(tmp_path):
    book = openpyxl.Workbook()
    for row in [
        ("C17", dt.datetime(2024, 1, 3), 120),
        ("C18", dt.datetime(2024, 1, 4), 90),
        ("C17", dt.datetime(2024, 2, 1), 55),
    ]:
        book.active.append(row)
    frame = read_table(save(book, tmp_path / "log.xlsx"))
    assert list(frame.columns) == ["column 1", "column 2", "column 3"]
    assert frame["column 3"].tolist() == [120, 90, 55]
    assert frame.attrs["read_notes"] == [{"key": "reading.note_headerless", "values": {"count": 3}}]


def test_the_cell_limit_counts_every_sheet_together(monkeypatch, tmp_path):
    """Two sheets of 60 cells each: either alone is under a limit of 100, both together are not."""
    book = openpyxl.Workbook()
    for sheet in (book.active, book.create_sheet("B")):
        for i in range(20):
            sheet.append([i, i, i])
    path = save(book, tmp_path / "two.xlsx")
    monkeypatch.setattr(excel, "MAX_CELLS", 100)
    with pytest.raises(InputError, match=r"holds more than 100 cells"):
        read_table(path)
