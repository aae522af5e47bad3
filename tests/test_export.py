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


def test_norwegian_csv_opens_in_norwegian_excel():
    """Norwegian Excel splits on ';' and reads ',' as the decimal sign; the BOM makes it read UTF-8.

    The frame's risk 0.71 must arrive as the bytes ``0,71`` and the text "Ærlig ø å" intact.
    """
    raw = to_csv_bytes(frame(), "nb")
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "id;note;risk"
    assert lines[1] == "'=cmd|' /C calc'!A0;Ærlig ø å;0,71"
    assert lines[2] == "K2;'@x;-0,2"
    back = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["risk"].tolist() == [0.71, -0.2]


def test_english_csv_keeps_commas_and_points():
    lines = to_csv_bytes(frame(), "en").decode("utf-8-sig").splitlines()
    assert lines[0] == "id,note,risk" and lines[2] == "K2,'@x,-0.2"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_action_list_exports_read_back_in_both_languages(lang):
    """The Explain page's export: Excel keeps numbers as numbers; CSV is in the reader's style."""
    from churn.act.reasons import export_action_list

    table = pd.DataFrame(
        {"customer_id": ["K1", "K2"], "probability": [0.715, 0.2], "tier": ["high", "none"],
         "annual_value": [12000.4, 800.0], "value_at_risk": [8580.3, 160.0]}
    )  # fmt: skip
    sheet = pd.read_excel(io.BytesIO(export_action_list(table, lang, "xlsx")))
    assert sheet.iloc[0].tolist()[1] == pytest.approx(71.5)
    text = export_action_list(table, lang, "csv").decode("utf-8-sig")
    separator, risk = (";", "71,5") if lang == "nb" else (",", "71.5")
    assert text.splitlines()[1].split(separator)[:2] == ["K1", risk]
