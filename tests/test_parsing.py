"""read_table: encodings, delimiters, number and date shapes, and every bad-input case."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.errors import InputError
from churn.ingest.parsing import (
    coerce_column,
    column_names,
    decode_text,
    read_table,
)

FILES = Path(__file__).parent / "files"
HOSTILE = Path(__file__).parent / "hostile"


# ---------------------------------------------------------------- delimiters and encodings


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Navn;By\nÆrlig;Tromsø\n".encode(), "Ærlig"),
        (b"\xef\xbb\xbf" + "Navn;By\nÆrlig;Tromsø\n".encode(), "Ærlig"),
        ("Navn;By\nÆrlig Østby;Tromsø\nÅse;Bærum\n".encode("cp1252"), "Ærlig Østby"),
        ("Navn;By\nÆrlig Østby;Tromsø\nÅse;Bærum\n".encode("latin-1"), "Ærlig Østby"),
        ("Navn\tBy\nÆrlig\tTromsø\n".encode("utf-16"), "Ærlig"),
        ("Navn\tBy\nÆrlig\tTromsø\n".encode("utf-16-le"), "Ærlig"),  # no BOM
        ("Navn\tBy\nÆrlig\tTromsø\n".encode("utf-16-be"), "Ærlig"),  # no BOM
    ],
)
def test_encodings_keep_norwegian_letters(raw, expected):
    frame = read_table(raw, "x.csv")
    assert list(frame.columns) == ["Navn", "By"]
    assert frame["Navn"].iloc[0] == expected
    assert frame["By"].iloc[0] == "Tromsø"


@pytest.mark.parametrize("filename", ["utf16_le_nobom.csv", "utf16_be_nobom.csv"])
def test_utf16_without_bom_is_read_as_text(filename):
    """Exports from some Windows tools: UTF-16 with no byte order mark, told apart by where the NULs fall."""
    frame = read_table(HOSTILE / filename)
    assert list(frame.columns) == ["kundenr", "navn", "sluttet"]
    assert frame["kundenr"].tolist() == [1, 2, 3]
    assert frame["navn"].tolist() == ["Ærlig Østby", "Åse Bærum", "Øystein Æsøy"]
    assert frame["sluttet"].tolist() == ["ja", "nei", "nei"]


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        np.random.default_rng(0).bytes(4096),
        (np.arange(4096, dtype="<u2") % 200).tobytes(),  # a NUL in every high byte, as in UTF-16 LE text
        (np.arange(4096, dtype=">u2") % 200).tobytes(),
        b"\xff\xfe" + "a;b\n1;2\n".encode("utf-16-le") + b"x",  # a BOM, then an odd byte out
    ],
    ids=["png", "random", "16-bit-le-numbers", "16-bit-be-numbers", "bom-odd-length"],
)
def test_binary_is_still_refused_when_it_looks_like_utf16(raw):
    with pytest.raises(InputError, match=r"^The file 'x\.csv' is binary, not a text table; upload CSV"):
        read_table(raw, "x.csv")


def test_whitespace_separated_table():
    frame = read_table(b"id   value  region\nA1   10     Oslo\nA2   20     Bergen\n", "x.txt")
    assert list(frame.columns) == ["id", "value", "region"]
    assert frame["value"].tolist() == [10, 20]


def test_excel_sep_hint_line_is_honoured():
    frame = read_table(b"sep=;\nid;amount\n1;2,5\n2;3\n", "x.csv")
    assert frame["amount"].tolist() == [2.5, 3.0]


# ---------------------------------------------------------------- whole files


def test_norwegian_cp1252_semicolon_file():
    """The ;-separated cp1252 export: decimal commas, NBSP/space/dot thousands, dd.mm.yyyy."""
    frame = read_table(FILES / "norsk_cp1252.csv")
    assert list(frame.columns) == ["Kundenr", "Startdato", "Oppsagt dato", "Bransje", "Fylke", "Månedsbeløp"]
    assert frame["Kundenr"].tolist()[:2] == ["00101", "00102"]
    assert frame["Startdato"].iloc[0] == pd.Timestamp("2021-02-01")
    assert frame["Oppsagt dato"].iloc[1] == pd.Timestamp("2022-06-30") and pd.isna(
        frame["Oppsagt dato"].iloc[0]
    )
    assert frame["Fylke"].iloc[0] == "Østfold"
    np.testing.assert_allclose(
        frame["Månedsbeløp"].to_numpy(), [1250.5, 980.0, 2450.75, 12000.0, np.nan, 499.9, 1999.0, 750.25]
    )


def test_danish_tab_file_with_bom_and_compact_dates():
    frame = read_table(FILES / "dansk_bom.tsv")
    assert frame.columns[0] == "Kunde ID"  # BOM removed from the first header
    assert frame["Oprettet"].iloc[0] == pd.Timestamp("2021-01-04")
    assert frame["Branche"].iloc[0] == "Bygge og anlæg"
    assert frame["Månedsværdi"].tolist()[:2] == [1250.0, 980.5]


def test_latin1_pipe_event_log_with_times():
    frame = read_table(FILES / "hendelser_latin1.txt")
    assert frame["Tidspunkt"].iloc[0] == pd.Timestamp("2024-01-01 08:15")
    assert frame["Beløp"].iloc[0] == 1500.0
    assert "Henvendelse kundeservice" in set(frame["Hendelse"])


def test_excel_and_parquet(tmp_path):
    source = pd.DataFrame(
        {
            "Kundenummer": [1, 2, 3],
            "Oppstart": pd.to_datetime(["2021-01-04", "2020-03-17", "2019-09-02"]),
            "Sluttdato": [np.nan, 44927.0, np.nan],
            "Omsetning": ["1 250,50", "980", " "],
            "Sagt opp": ["Nei", "Ja", "Nei"],
        }
    )
    source.to_excel(tmp_path / "k.xlsx", index=False)
    source.to_parquet(tmp_path / "k.parquet", index=False)
    for path in (tmp_path / "k.xlsx", tmp_path / "k.parquet"):
        frame = read_table(path.read_bytes(), path.name)
        assert frame["Oppstart"].iloc[1] == pd.Timestamp("2020-03-17"), path.name
        assert frame["Sluttdato"].iloc[1] == pd.Timestamp("2023-01-01"), path.name  # serial 44927
        assert frame["Omsetning"].iloc[0] == 1250.5 and pd.isna(frame["Omsetning"].iloc[2]), path.name


def test_empty_rows_and_trailing_empty_columns_are_dropped():
    frame = read_table(b"id;name;;\n1;a;;\n;;;\n2;b;;\n", "x.csv")
    assert list(frame.columns) == ["id", "name"]
    assert len(frame) == 2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "raw,name,message",
    [
        (b"", "empty.csv", "is empty"),
        (b"   \n\n  ", "blank.csv", "is empty"),
        (b"Dear customer,\nthanks for your order.\n", "letter.txt", "does not look like a table"),
        (b"<html><body>Not found</body></html>", "page.csv", "HTML/JSON"),
        (b"id;name\n", "header.csv", "no rows"),
        (bytes(range(256)) * 8, "garbage.bin", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.csv", "binary"),
        (bytes(range(128, 256)) * 4 + b"\n" + bytes(range(255, 127, -1)) * 4, "odd.csv", "encoding"),
        (b"PK\x03\x04not really a workbook", "broken.xlsx", "cannot be read"),
        (b"PAR1garbage", "broken.parquet", "cannot be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", ".xlsx"),
    ],
)
def test_bad_input_is_one_clear_sentence(raw, name, message):
    with pytest.raises(InputError, match=message) as caught:
        read_table(raw, name)
    assert str(caught.value).count(". ") == 0  # one sentence
    assert name in str(caught.value)


def test_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"id,x\n" + b"1,2\n" * 1000)
    with pytest.raises(InputError, match="larger than"):
        read_table(path, max_bytes=1000)
    with pytest.raises(InputError, match="larger than"):
        read_table(path.read_bytes(), "big.csv", max_bytes=1000)


def test_missing_path():
    with pytest.raises(InputError, match="does not exist"):
        read_table(Path("/no/such/file.csv"))


def test_decode_text_refuses_nul_bytes():
    with pytest.raises(InputError, match="binary"):
        decode_text(b"id,name\n1,\x00\x00\x00", "x.csv")


# ---------------------------------------------------------------- lenient reads and their notes

TRAPS = FILES / "traps"
CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"


def notes_of(frame: pd.DataFrame) -> dict[str, dict]:
    """The reader's notes by name (``reading.`` dropped), values as given."""
    return {note["key"].removeprefix("reading."): note["values"] for note in frame.attrs["read_notes"]}


def test_a_stray_quote_is_read_as_text_and_its_line_named():
    """Line 3 opens a quote it never closes; line 5's quoted comma and line 6's 24" stay as CSV reads them."""
    frame = read_table(TRAPS / "read_stray_quote.csv")
    assert frame["customer_id"].tolist() == [1001, 1002, 1003, 1004, 1005, 1006]
    assert frame["name"].tolist() == [
        "Fjordkraft AS",
        '"Nordlys Cafe',
        "Bakeriet",
        "Havgapet, Sjømat",
        'TV 24" Skjerm AS',
        "Lyngen Bygg",
    ]
    assert frame["city"].tolist()[1] == "Tromsø" and frame["city"].tolist()[5] == "Tromsø"
    assert frame["monthly_fee"].tolist() == [499, 299, 199, 349, 149, 599]
    assert notes_of(frame) == {"note_tolerant_quote": {"lines": "3"}}


@pytest.mark.parametrize(
    "text,lines,note",
    [
        ('id,name,fee\n1,"Acme,10\n2,Beta,20\n3,Gamma,30\n', "2", "note_tolerant_quote"),
        ('id,name,fee\n1,"Acme,10\n2,Beta,20\n3,"Gamma,30\n4,D,5\n', "2, 4", "note_tolerant_quotes"),
        ('sep=,\nid,name,fee\n1,A,1\n2,"B,2\n3,C,3\n', "4", "note_tolerant_quote"),  # the hint line counts
    ],
    ids=["one", "two", "after-sep-hint"],
)
def test_unclosed_quote_lines_are_numbered_as_in_the_file(text, lines, note):
    frame = read_table(text.encode(), "x.csv")
    assert list(frame.columns) == ["id", "name", "fee"]
    assert notes_of(frame)[note]["lines"] == lines


def test_many_odd_lines_are_counted_and_the_first_ten_listed():
    rows = "".join(f'{i},"name {i},{i}\n' if i % 2 else f"{i},name {i},{i}\n" for i in range(1, 31))
    frame = read_table(("id,name,fee\n" + rows).encode(), "x.csv")
    assert len(frame) == 30
    assert notes_of(frame)["note_tolerant_quotes"] == {
        "lines": "2, 4, 6, 8, 10, 12, 14, 16, 18, 20, …",
        "count": 15,
    }


def test_a_quoted_field_over_several_lines_is_still_one_field():
    """Odd quotes on lines 2 and 3 belong to one quoted field; the strict read is kept, with no note."""
    frame = read_table(b'id,note,fee\n1,"first line\nsecond line",3\n2,x,4\n', "x.csv")
    assert frame["note"].tolist() == ["first line\nsecond line", "x"]
    assert notes_of(frame) == {}


@pytest.mark.parametrize("separator", [",", ";"])
def test_a_200_kb_field_is_read_whole(separator):
    """csv's own limit is 128 KiB a field; a long comment must not stop the read."""
    long = "x" * 200_000
    text = f'id{separator}comment{separator}fee\n1{separator}{long}{separator}5\n2{separator}"{long}"{separator}6\n'
    frame = read_table(text.encode(), "x.csv")
    assert frame["comment"].str.len().tolist() == [200_000, 200_000]
    assert frame["fee"].tolist() == [5, 6]


def test_a_200_kb_field_with_a_stray_quote_is_read_too():
    long = "y" * 200_000
    frame = read_table(f'id,comment,fee\n1,"{long},5\n2,ok,6\n'.encode(), "x.csv")
    assert frame["comment"].str.len().tolist() == [200_001, 2]
    assert notes_of(frame) == {"note_tolerant_quote": {"lines": "2"}}


def test_bom_and_outer_spaces_leave_the_header_but_inner_spaces_stay():
    frame = read_table(TRAPS / "read_bom_header_spaces.csv")
    assert list(frame.columns) == ["Customer ID", "Call  Failure", "Monthly  Fee", "Churn"]
    assert frame["Monthly  Fee"].tolist() == [1250, 980, 499]
    assert notes_of(frame) == {
        "note_header_spaces": {"columns": "' Customer ID ', 'Monthly  Fee ', ' Churn'"}
    }


@pytest.mark.parametrize(
    "header,expected",
    [
        (["\ufeffid", "x"], ["id", "x"]),
        (["\u00ef\u00bb\u00bfid", "x"], ["id", "x"]),  # a UTF-8 BOM read as cp1252
        (['"id"', " x "], ["id", "x"]),
        (["Call  Failure", "Call  Failure"], ["Call  Failure", "Call  Failure_2"]),
        (["a", "a", "a_2"], ["a", "a_2", "a_2_2"]),  # never two columns of one name
        (["id", None, ""], ["id", "column 2", "column 3"]),
    ],
)
def test_column_names(header, expected):
    assert column_names(header)[0] == expected


def test_no_value_markers_in_numbers_dates_and_text():
    """månedsbeløp: 2 numbers + NA, mangler, ikke oppgitt, ? (4 markers); segment: 'Unknown' is a segment,
    N/A is missing (1); startdato: 3 dates, ukjent and MISSING (2), one empty cell (not a marker)."""
    frame = read_table(TRAPS / "read_missing_markers.csv")
    assert frame["kundenr"].tolist() == ["00101", "00102", "00103", "00104", "00105", "00106"]
    np.testing.assert_allclose(frame["månedsbeløp"], [1250.5, np.nan, np.nan, np.nan, np.nan, 980.0])
    assert frame["segment"].tolist()[:3] == ["Bedrift", "Unknown", "Privat"]
    assert frame["segment"].isna().tolist() == [False, False, False, False, True, False]
    assert frame["startdato"].notna().sum() == 3
    notes = [n["values"] for n in frame.attrs["read_notes"] if n["key"] == "reading.note_missing_markers"]
    assert notes == [
        {"column": "månedsbeløp", "markers": "'?', 'NA', 'ikke oppgitt', 'mangler'", "count": 4},
        {"column": "segment", "markers": "'N/A'", "count": 1},
        {"column": "startdato", "markers": "'MISSING', 'ukjent'", "count": 2},
    ]


@pytest.mark.parametrize(
    "values,expected_missing,kind",
    [
        (["10", "Unknown", "12"], 1, "f"),
        (["10", "unknown", "MISSING", "None", "null", "12"], 4, "f"),
        (["10", "ukendt", "-", "12"], 2, "f"),
        (["Gold", "Unknown", "Silver"], 0, "O"),  # a real category in a text column
        (["Gold", "None", "Silver"], 0, "O"),
        (["Gold", "NA", "n/a", "Silver"], 2, "O"),  # the NA family is missing everywhere
        (["Unknown", "Unknown"], 0, "O"),
    ],
)
def test_unknown_is_missing_only_where_the_rest_is_numbers(values, expected_missing, kind):
    result = coerce_column(pd.Series(values, name="x"))
    assert result.dtype.kind == kind
    assert int(result.isna().sum()) == expected_missing


def test_blank_cells_in_a_number_column_are_counted_like_telco_total_charges():
    """Telco's TotalCharges: ' ' for customers in their first month. 2 of 4 cells are ' ', one is empty."""
    frame = read_table(b"id,TotalCharges\n1,29.85\n2, \n3,\n4, \n5,108.15\n", "t.csv")
    assert frame["TotalCharges"].dtype == float
    assert frame["TotalCharges"].isna().sum() == 3
    assert notes_of(frame)["note_missing_markers"] == {"column": "TotalCharges", "markers": "' '", "count": 2}


# ---------------------------------------------------------------- headerless files


def test_a_headerless_whitespace_log_keeps_its_first_line_as_data():
    """CDNOW without its header: zero-padded ids stay text, the first purchase is kept."""
    frame = read_table(TRAPS / "read_headerless_log.txt")
    assert list(frame.columns) == ["column 1", "column 2", "column 3", "column 4"]
    assert frame["column 1"].tolist() == ["00001", "00002", "00002", "00003", "00003", "00004"]
    assert frame["column 2"].iloc[0] == 19970101  # yyyymmdd is read as a date by the event roles
    assert frame["column 4"].tolist()[:2] == [11.77, 12.0]
    assert notes_of(frame) == {"note_headerless": {"count": 4}}


def test_a_headerless_comma_log_keeps_its_first_line_as_data():
    frame = read_table(TRAPS / "read_headerless_events.csv")
    assert len(frame) == 5
    assert frame["column 1"].tolist()[:3] == ["C17", "C18", "C17"]
    assert frame["column 2"].iloc[0] == pd.Timestamp("2024-01-03")
    assert frame["column 3"].tolist()[:3] == ["order", "order", "refund"]
    assert frame["column 4"].tolist() == [120, 90, -20, 55, 75]
    assert notes_of(frame) == {"note_headerless": {"count": 4}}


@pytest.mark.parametrize(
    "text,columns",
    [
        ("cust,date\nC17,2024-01-03\nC18,2024-01-04\nC17,2024-02-01\n", ["cust", "date"]),
        ("Region,2023,2024\nNorth,10,12\nSouth,8,9\nNorth,4,5\n", ["Region", "2023", "2024"]),
        ("id,amount\n1,10\n2,20\n", ["id", "amount"]),
        ("a,b\nx,y\nz,w\n", ["a", "b"]),  # all text: nothing says the first line is data
        ("Yes,No\nNo,Yes\nYes,Yes\n", ["Yes", "No"]),  # values, but no number or date to be sure
    ],
    ids=["cust-date", "years-as-names", "numbers", "all-text", "text-values-only"],
)
def test_a_header_of_names_stays_the_header(text, columns):
    frame = read_table(text.encode(), "x.csv")
    assert list(frame.columns) == columns
    assert "note_headerless" not in notes_of(frame)


def test_cust_date_trap_file_keeps_its_header():
    frame = read_table(TRAPS / "read_cust_date.csv")
    assert list(frame.columns) == ["cust", "date"] and len(frame) == 4


# ---------------------------------------------------------------- refusals that name the line


@pytest.mark.parametrize(
    "path,message",
    [
        (
            "read_extra_field.csv",
            "The file 'read_extra_field.csv' cannot be read: line 4 has 4 fields but the header has 3; "
            "fix or remove that line and upload the file again.",
        ),
        (
            "read_unclosed_quote.csv",
            "The file 'read_unclosed_quote.csv' cannot be read: line 3 has a quote (\") that is never closed, "
            "so its fields cannot be told apart; fix that line and upload the file again.",
        ),
    ],
)
def test_a_refusal_names_the_line_and_what_to_do(path, message):
    with pytest.raises(InputError) as caught:
        read_table(TRAPS / path)
    assert str(caught.value) == message


def test_line_numbers_in_refusals_count_blank_lines_too():
    text = b"id,plan\n1,a\n\n2,b\n3,c\n4,d\n5,e,f\n6,g\n7,h\n8,i\n"
    with pytest.raises(InputError, match=r"line 7 has 3 fields but the header has 2"):
        read_table(text, "x.csv")


def test_a_sheet_for_a_text_file_is_refused():
    with pytest.raises(
        InputError, match=r"^The file 'x\.csv' is not an Excel workbook, so it has no sheet 'Data'"
    ):
        read_table(b"id,x\n1,2\n", "x.csv", sheet="Data")


def test_notes_are_json_ready_and_have_sentences_in_both_languages():
    from churn.ingest.evidence import Note

    for name in ("read_stray_quote.csv", "read_missing_markers.csv", "read_headerless_log.txt"):
        frame = read_table(TRAPS / name)
        assert json.loads(json.dumps(frame.attrs["read_notes"])) == frame.attrs["read_notes"]
        for note in frame.attrs["read_notes"]:
            english, norwegian = Note(**note).text("en"), Note(**note).text("nb")
            assert english != norwegian and "{" not in english + norwegian, note


# ---------------------------------------------------------------- the public corpus (skipped when absent)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
@pytest.mark.parametrize(
    "name,check",
    [
        (
            "WA_Fn-UseC_-Telco-Customer-Churn.csv",
            lambda f: f["TotalCharges"].dtype == float and f["TotalCharges"].isna().sum() == 11,
        ),
        (
            "CDNOW_master.txt",
            lambda f: (
                list(f.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
                and f["customer_id"].iloc[0] == "00001"
                and f["date"].iloc[0] == pd.Timestamp("1997-01-01")
            ),
        ),
        (
            "online_retail_sample.csv",
            lambda f: (
                f["CustomerID"].isna().sum() == 5078
                and f["InvoiceNo"].dtype == object
                and f["InvoiceNo"].str.startswith("C").sum() > 0
            ),
        ),
        ("Customer_Churn.csv", lambda f: "Subscription  Length" in f.columns and len(f) == 3150),
        (
            "data-test-analytics.csv",
            lambda f: f["version"].dtype == object and f["deleted_at"].notna().sum() == 499,
        ),
    ],
    ids=["telco", "cdnow", "online-retail", "iranian", "petlove"],
)
def test_corpus_files_get_sensible_types(name, check):
    assert check(read_table(CORPUS / name))
