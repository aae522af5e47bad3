"""Exports neutralise spreadsheet formulas and round-trip in pandas."""

import io

import pandas as pd
import pytest

from churn.core.export import neutralise_cell, pseudonymise, to_csv_bytes, to_excel_bytes


@pytest.mark.parametrize(
    "raw,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+47 958 45 090", "'+47 958 45 090"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Bygg og anlegg", "Bygg og anlegg"),
        (-3.5, -3.5),
        (None, None),
    ],
)
def test_neutralise_cell(raw, expected):
    assert neutralise_cell(raw) == expected


def frame():
    return pd.DataFrame(
        {"id": ["=cmd|' /C calc'!A0", "K2"], "note": ["Ærlig ø å", "@x"], "risk": [0.71, -0.2]}
    )


def test_csv_round_trip_is_safe_and_keeps_numbers():
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame())), encoding="utf-8-sig")
    assert back["id"].tolist() == ["'=cmd|' /C calc'!A0", "K2"]
    assert back["note"].tolist() == ["Ærlig ø å", "'@x"]
    assert back["risk"].tolist() == [0.71, -0.2]


def test_excel_round_trip_is_safe():
    back = pd.read_excel(io.BytesIO(to_excel_bytes(frame())))
    assert back.shape == (2, 3)
    assert back.loc[0, "id"].startswith("'=")
    assert back["risk"].tolist() == [0.71, -0.2]


def test_pseudonyms_are_stable_keyed_and_distinct():
    ids = pd.Series(["K1", "K2", "K1"])
    first, again, other_key = pseudonymise(ids, "s1"), pseudonymise(ids, "s1"), pseudonymise(ids, "s2")
    assert first.tolist() == again.tolist()
    assert first[0] == first[2] and first[0] != first[1]
    assert first[0] != other_key[0] and not first.str.contains("K1").any()
