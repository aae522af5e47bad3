"""read_table: encodings, delimiters, number and date shapes, and every bad-input case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.errors import InputError
from churn.ingest.parsing import coerce_column, decode_text, read_table, sniff_delimiter, to_dates

FILES = Path(__file__).parent / "files"
HOSTILE = Path(__file__).parent / "hostile"


# ---------------------------------------------------------------- delimiters and encodings


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),  # decimal commas do not fool the sniffer
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ("a   b   c\n1   2   3\n", r"\s+"),  # whitespace: read as runs of blanks
        ("Dear customer,\nthanks for your order.\n", None),  # prose is not a table
    ],
)
def test_sniff_delimiter(text, expected):
    assert sniff_delimiter(text) == expected


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


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "values,decimal,expected",
    [
        (["1 250,50", "980", "2.450,75"], ",", [1250.5, 980.0, 2450.75]),
        (["12\u00a0000", "1\u202f000,5"], ",", [12000.0, 1000.5]),  # NBSP and narrow NBSP thousands
        (["1,250.50", "980.00"], ".", [1250.5, 980.0]),
        (["1.250", "12.500"], ",", [1250.0, 12500.0]),  # ;-file: dot groups thousands
        (["1.25", "12.5"], ",", [1.25, 12.5]),  # but a real decimal dot stays a decimal
        (["kr 99", "1 000,-", "250 NOK"], ",", [99.0, 1000.0, 250.0]),
        (["-3,5", "+2"], ",", [-3.5, 2.0]),
        (["10", " ", "", "N/A", "20"], ".", [10.0, np.nan, np.nan, np.nan, 20.0]),
    ],
)
def test_numbers_in_local_shapes(values, decimal, expected):
    result = coerce_column(pd.Series(values, name="amount"), decimal)
    np.testing.assert_allclose(result.astype(float).to_numpy(), np.array(expected, dtype=float))


def test_whole_numbers_stay_integers_and_leading_zeros_stay_text():
    assert coerce_column(pd.Series(["1", "2", "3"], name="n")).dtype == "int64"
    ids = coerce_column(pd.Series(["00123", "00456"], name="Kundenr"))
    assert ids.tolist() == ["00123", "00456"]


def test_text_stays_text_and_blanks_become_missing():
    result = coerce_column(pd.Series(["Oslo", "  ", "Bergen", "-"], name="by"))
    assert result.iloc[0] == "Oslo" and result.iloc[2] == "Bergen"
    assert result.isna().tolist() == [False, True, False, True]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "name,values,expected",
    [
        ("d", ["2024-03-01", "2024-12-31"], ["2024-03-01", "2024-12-31"]),
        ("d", ["2024-03-01T10:44:32", "2024-12-31 08:00"], ["2024-03-01 10:44:32", "2024-12-31 08:00"]),
        ("d", ["01.03.2024", "31.12.2024"], ["2024-03-01", "2024-12-31"]),
        ("d", ["1.3.2024", "31.12.2024 10:15"], ["2024-03-01", "2024-12-31 10:15"]),
        ("d", ["01/03/2024", "31/12/2024"], ["2024-03-01", "2024-12-31"]),
        ("d", ["03/01/2024", "12/31/2024"], ["2024-03-01", "2024-12-31"]),  # US when the data says so
        ("d", ["01-03-2024", "31-12-2024"], ["2024-03-01", "2024-12-31"]),
        ("startdato", ["20240301", "20241231"], ["2024-03-01", "2024-12-31"]),
    ],
)
def test_date_shapes(name, values, expected):
    result = coerce_column(pd.Series(values, name=name))
    assert pd.api.types.is_datetime64_any_dtype(result)
    assert result.tolist() == [pd.Timestamp(v) for v in expected]


def test_excel_serials_become_dates_only_in_date_named_columns():
    """Serial 45292 = 1899-12-30 + 45292 days = 2024-01-01."""
    dated = coerce_column(pd.Series([45292.0, np.nan], name="Sluttdato"))
    assert dated.iloc[0] == pd.Timestamp("2024-01-01") and pd.isna(dated.iloc[1])
    amounts = coerce_column(pd.Series([45292.0, 30000.0], name="Omsetning"))
    assert amounts.tolist() == [45292.0, 30000.0]


def test_eight_digit_ids_and_amounts_are_not_dates():
    assert coerce_column(pd.Series(["20240301", "20241231"], name="Kundenr")).tolist() == [20240301, 20241231]
    assert coerce_column(pd.Series(["20240301", "99999999"], name="dato")).dtype == "int64"


def test_mixed_text_is_not_a_date_column():
    assert to_dates(pd.Series(["2024-03-01", "soon"])) is None


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
