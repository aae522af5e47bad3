"""Text exports to rows: the delimiter, a stray quote read around, long fields, and lines named in refusals."""

from __future__ import annotations

import csv

import pytest

from churn.core.errors import InputError
from churn.ingest.delimited import FIELD_LIMIT, parse_text, sniff_delimiter, split_lenient
from churn.ingest.parsing import MAX_BYTES


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),  # decimal commas do not fool the sniffer
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ("a   b   c\n1   2   3\n", r"\s+"),  # whitespace: read as runs of blanks
        ("Dear customer,\nthanks for your order.\n", None),  # prose is not a table
        ('id,name,fee\n1,"Acme,10\n2,Beta,20\n', ","),  # a quote never closed does not hide the commas
        ('id;name;fee\n1;"Acme;10\n2;Beta;20\n3;Gamma;30\n', ";"),
        ('id,plan,fee\n1,basic,99\n2,"pro\n3,basic,99\n', ","),  # even when that line is short
    ],
)
def test_sniff_delimiter(text, expected):
    assert sniff_delimiter(text) == expected


@pytest.mark.parametrize(
    "line,expected",
    [
        ('1,"Acme,10', ["1", '"Acme', "10"]),
        ('1,"Oslo, Norway",10', ["1", "Oslo, Norway", "10"]),
        ('1,"say ""hi"", then",10', ["1", 'say "hi", then', "10"]),
        ('1,24" screen,10', ["1", '24" screen', "10"]),
        ('1,"Acme,"Oslo, N",5', ["1", '"Acme', "Oslo, N", "5"]),
    ],
)
def test_split_lenient(line, expected):
    assert split_lenient(line, ",") == expected


def test_the_field_limit_covers_any_file_we_accept():
    assert csv.field_size_limit() >= FIELD_LIMIT > MAX_BYTES


@pytest.mark.parametrize(
    "text,rows,odd_lines",
    [
        ("a,b\n1,2\n", [["a", "b"], ["1", "2"]], ()),
        ('a,b\n1,"x\n2,y\n', [["a", "b"], ["1", '"x'], ["2", "y"]], (2,)),
        ('a,b\n\n1,"x\n2,y\n', [["a", "b"], ["1", '"x'], ["2", "y"]], (3,)),  # blank lines count
        ("sep=,\na,b,c\n1,2\n", [["a", "b", "c"], ["1", "2", ""]], ()),  # short rows are padded
        (" id  n\r\n 001  2\r\n", [["id", "n"], ["001", "2"]], ()),
    ],
    ids=["plain", "stray-quote", "after-blank-line", "short-row", "whitespace"],
)
def test_parse_text_rows_and_odd_lines(text, rows, odd_lines):
    parsed = parse_text(text, "x.csv")
    assert parsed.rows.values.tolist() == rows
    assert parsed.odd_lines == odd_lines


@pytest.mark.parametrize(
    "text,message",
    [
        ("a,b\n1,2\n3,4\n5,6\n7,8,9\n", "line 5 has 3 fields but the header has 2"),
        (" a b\n 1 2\n 3 4\n 5 6\n 7 8 9\n", "line 5 has 3 fields but the header has 2"),
        ('a,b,c\n1,2,3\n4,"5\n6,7,8\n', 'line 3 has a quote (") that is never closed'),
    ],
    ids=["comma", "whitespace", "unclosed"],
)
def test_a_line_that_cannot_be_split_is_named(text, message):
    with pytest.raises(
        InputError,
        match=r"^The file 'x\.csv' cannot be read: " + message.replace("(", r"\(").replace(")", r"\)"),
    ):
        parse_text(text, "x.csv")
