"""Role guessing from headers (English, Norwegian, Danish) and content, churn labels, event kinds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import EVENT_KINDS
from churn.core.errors import SchemaError
from churn.ingest.parsing import read_table
from churn.ingest.roles import (
    event_kind,
    explain_roles,
    guess_roles,
    normalise_name,
    parse_churn_label,
    repeated_id_column,
)

FILES = Path(__file__).parent / "files"


# ---------------------------------------------------------------- churn labels


@pytest.mark.parametrize(
    "values,expected",
    [
        (["Yes", "No", "yes"], [1, 0, 1]),
        (["Ja", "Nei", "JA"], [1, 0, 1]),
        (["Ja", "Nej"], [1, 0]),
        ([True, False], [1, 0]),
        ([1, 0, 1.0], [1, 0, 1]),
        (["1", "0"], [1, 0]),
        (["Churned", "Stayed", "Active"], [1, 0, 0]),
        (["Oppsagt", "Aktiv"], [1, 0]),
        (["Opsagt", "Aktiv"], [1, 0]),
        (["Ja", None, "Ja"], [1, 0, 1]),  # one positive word plus blanks: blank = still a customer
    ],
)
def test_parse_churn_label(values, expected):
    assert parse_churn_label(pd.Series(values, name="Churn")).tolist() == expected


def test_one_class_label_is_refused_with_the_column_and_value():
    with pytest.raises(SchemaError, match=r"Column 'Churn' has only one value \('No'\)"):
        parse_churn_label(pd.Series(["No", "No", "no"], name="Churn"))


def test_unknown_label_values_are_named():
    with pytest.raises(SchemaError, match="'maybe'"):
        parse_churn_label(pd.Series(["Yes", "maybe"], name="Churn"))


@pytest.mark.parametrize(
    "raw,kind",
    [
        ("order", "order"),
        ("Ordre", "order"),
        ("Nettbestilling", "order"),
        ("Køb", "order"),
        ("Faktura betalt", "payment"),
        ("betaling", "payment"),
        ("Henvendelse kundeservice", "support_ticket"),
        ("Supportsak", "support_ticket"),
        ("sag", "support_ticket"),
        ("Innlogging", "login"),
        ("Log ind", "login"),
        ("E-post sendt", "email"),
        ("e-mail", "email"),
        ("Ny kontaktperson", "contact_change"),
        ("contact_change", "contact_change"),
        ("Sagt opp avtale", "other"),
        ("Webinar", "other"),
    ],
)
def test_event_kind_keywords(raw, kind):
    assert event_kind(raw) == kind


# ---------------------------------------------------------------- role guessing


def test_roles_of_the_sample(sample_dataset):
    m = sample_dataset.mapping
    assert (m.customer_id, m.start_date, m.end_date, m.value) == (
        "customer_id",
        "signup_date",
        "cancel_date",
        "monthly_value",
    )
    assert m.churn_label is None
    assert set(m.segments) >= {"industry", "region", "plan", "contract_type", "acquisition_channel"}
    assert "churn_reason" not in m.segments
    assert (m.event_customer_id, m.event_timestamp, m.event_type, m.event_amount, m.event_days_late) == (
        "customer_id",
        "timestamp",
        "event_type",
        "amount",
        "days_late",
    )
    assert m.event_type_map == {k: k for k in EVENT_KINDS if k != "other"}


@pytest.mark.parametrize(
    "file,expected",
    [
        (
            "telco.csv",
            {
                "customer_id": "customerID",
                "churn_label": "Churn",
                "tenure": "tenure",
                "value": "MonthlyCharges",
            },
        ),
        (
            "norsk_cp1252.csv",
            {
                "customer_id": "Kundenr",
                "start_date": "Startdato",
                "end_date": "Oppsagt dato",
                "value": "Månedsbeløp",
                "churn_label": None,
            },
        ),
        (
            "dansk_bom.tsv",
            {
                "customer_id": "Kunde ID",
                "start_date": "Oprettet",
                "churn_label": "Opsagt",
                "value": "Månedsværdi",
            },
        ),
    ],
)
def test_roles_of_unseen_files(file, expected):
    mapping = guess_roles(read_table(FILES / file), None)
    assert {role: getattr(mapping, role) for role in expected} == expected


def test_segments_of_unseen_files():
    assert {"Contract", "PaymentMethod"} <= set(guess_roles(read_table(FILES / "telco.csv"), None).segments)
    assert set(guess_roles(read_table(FILES / "norsk_cp1252.csv"), None).segments) == {"Bransje", "Fylke"}
    assert set(guess_roles(read_table(FILES / "dansk_bom.tsv"), None).segments) == {"Branche", "Kanal"}


def test_event_roles_of_a_norwegian_log():
    m = guess_roles(None, read_table(FILES / "hendelser_latin1.txt"))
    assert (m.event_customer_id, m.event_timestamp, m.event_type, m.event_amount, m.event_days_late) == (
        "Kundenr",
        "Tidspunkt",
        "Hendelse",
        "Beløp",
        "Dager forsinket",
    )
    assert m.event_type_map["Ny kontaktperson"] == "contact_change"
    assert m.event_type_map["Faktura betalt"] == "payment"


def test_content_finds_an_unnamed_id_and_label():
    frame = pd.DataFrame(
        {"A": ["x1", "x2", "x3", "x4"], "B": ["J", "N", "N", "J"], "C": [1.5, 2.5, 3.5, 4.5]}
    )
    frame["B"] = frame["B"].map({"J": "Ja", "N": "Nei"})
    evidence = explain_roles(frame, None)
    assert evidence.mapping.customer_id == "A"
    # Ja/Nei under a header that says nothing is thin evidence: the page asks, naming 'B'
    assert evidence.mapping.churn_label is None and evidence.asks == ["churn_label"]
    assert evidence.guesses["churn_label"].best.column == "B"


# ---------------------------------------------------------------- more labels


@pytest.mark.parametrize(
    "values,expected",
    [
        (["Nei", "Ja"], [0, 1]),
        (["Y", "N"], [1, 0]),
        (["x", None], [1, 0]),  # a cross for the leavers, blank for the rest
        (["True", "False"], [1, 0]),
        (["Retained", "Lost"], [0, 1]),
        (["Exited", "Current"], [1, 0]),
        ([" yes ", "NO"], [1, 0]),  # case and spaces do not matter
    ],
)
def test_more_churn_label_words(values, expected):
    assert parse_churn_label(pd.Series(values, name="Status")).tolist() == expected


def test_a_blank_stays_unknown_when_both_classes_are_written():
    """With both 1 and 0 present a blank is not 'still a customer': it stays missing."""
    out = parse_churn_label(pd.Series([1, 0, None], name="Churn"))
    assert out.isna().tolist() == [False, False, True]
    assert out.dropna().tolist() == [1, 0]


def test_an_empty_label_column_is_refused():
    with pytest.raises(SchemaError, match=r"Column 'Churn' has only one value \(nothing\)"):
        parse_churn_label(pd.Series([None, None], name="Churn", dtype=object))


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "raw,expected",
    [
        (" Oppsagt dato ", "oppsagt_dato"),
        ("Kunde-ID", "kunde_id"),
        ("MånedsBeløp (kr)", "månedsbeløp_kr"),
        ("customerID", "customerid"),
        ("__Ophør__dato__", "ophør_dato"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


def customer_table(headers: dict[str, str], label: tuple[str, str]) -> pd.DataFrame:
    """Twelve customers under the given headers: role -> header; label words (churned, active)."""
    n = 12
    churned, active = label
    columns = {
        "customer_id": [f"K{i:03d}" for i in range(n)],
        "churn_label": [churned, active, active] * 4,
        "start_date": pd.date_range("2024-01-01", periods=n, freq="MS"),
        "value": np.linspace(100.0, 900.0, n).round(0),
        "segment": ["A", "B", "C"] * 4,
        "reason": ["price", None, None] * 4,
    }
    return pd.DataFrame({headers[role]: values for role, values in columns.items()})


@pytest.mark.parametrize(
    "headers,label",
    [
        (
            {
                "customer_id": "Customer ID",
                "churn_label": "Churned",
                "start_date": "Signup date",
                "value": "Monthly value",
                "segment": "Plan",
                "reason": "Churn reason",
            },
            ("Yes", "No"),
        ),
        (
            {
                "customer_id": "Kundenummer",
                "churn_label": "Oppsagt",
                "start_date": "Startdato",
                "value": "Månedsbeløp",
                "segment": "Bransje",
                "reason": "Årsak",
            },
            ("Ja", "Nei"),
        ),
        (
            {
                "customer_id": "Kunde nr",
                "churn_label": "Opsagt",
                "start_date": "Oprettet",
                "value": "Månedsværdi",
                "segment": "Branche",
                "reason": "Årsag",
            },
            ("Ja", "Nej"),
        ),
    ],
    ids=["english", "norwegian", "danish"],
)
def test_roles_from_headers_in_three_languages(headers, label):
    """Every role is found by its header; the churn reason is never offered as a segment."""
    mapping = guess_roles(customer_table(headers, label), None)
    found = {role: getattr(mapping, role) for role in ("customer_id", "churn_label", "start_date", "value")}
    assert found == {role: headers[role] for role in found}
    assert mapping.segments == (headers["segment"],)
    assert mapping.end_date is None and mapping.tenure is None


def test_content_finds_the_one_well_filled_date_as_the_start():
    """No header says 'start', but one date column is filled for every customer."""
    frame = pd.DataFrame(
        {
            "A": ["x1", "x2", "x3", "x4"],
            "B": ["Ja", "Nei", "Nei", "Ja"],
            "C": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
        }
    )
    mapping = guess_roles(frame, None)
    assert (mapping.customer_id, mapping.start_date) == ("A", "C")
    assert mapping.churn_label is None  # an unnamed Ja/Nei column is asked about, not taken


def test_a_cancel_date_header_is_the_end_date_and_no_label_is_invented():
    frame = pd.DataFrame(
        {
            "Kundenr": ["1", "2", "3", "4"],
            "Startdato": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            "Oppsigelsesdato": pd.to_datetime([None, "2025-01-01", None, None]),
        }
    )
    mapping = guess_roles(frame, None)
    assert (mapping.customer_id, mapping.start_date, mapping.end_date, mapping.churn_label) == (
        "Kundenr",
        "Startdato",
        "Oppsigelsesdato",
        None,
    )


# ---------------------------------------------------------------- event kinds


@pytest.mark.parametrize(
    "raw,kind",
    [
        ("Faktura", "payment"),
        ("Rykker", "payment"),
        ("Purring sendt", "payment"),
        ("Indbetaling", "payment"),
        ("Klage", "support_ticket"),
        ("Ny kontakt", "contact_change"),
        ("Login", "login"),
        ("Webshop køb", "order"),
        ("Bestilling", "order"),
        ("Telefonsamtale", "email"),
        ("Møde", "email"),
    ],
)
def test_more_event_kinds_in_norwegian_and_danish(raw, kind):
    assert event_kind(raw) == kind


def test_every_event_kind_is_a_canonical_one():
    words = ["order", "Faktura betalt", "Ny kontaktperson", "Webinar", "Innlogging", "Klage", "Nyhetsbrev"]
    assert {event_kind(w) for w in words} <= set(EVENT_KINDS)


def test_the_event_type_map_covers_every_raw_type():
    log = pd.DataFrame(
        {
            "Kundenr": ["1", "1", "2", "2"],
            "Tidspunkt": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]),
            "Hendelse": ["Ordre", "Faktura betalt", "Klage", "Webinar"],
        }
    )
    mapping = guess_roles(None, log)
    assert (mapping.event_customer_id, mapping.event_timestamp, mapping.event_type) == (
        "Kundenr",
        "Tidspunkt",
        "Hendelse",
    )
    assert mapping.event_type_map == {
        "Faktura betalt": "payment",
        "Klage": "support_ticket",
        "Ordre": "order",
        "Webinar": "other",
    }


# ---------------------------------------------------------------- an id with repeats


@pytest.mark.parametrize(
    "columns,expected",
    [
        ({"customer_id": [17, 18, 17, 18], "plan": ["a", "b", "a", "b"]}, "customer_id"),
        ({"Kundenr": ["K1", "K1", "K2", "K3"], "Bransje": ["x", "y", "x", "y"]}, "Kundenr"),
        ({"customer_id": [1.0, 1.0, 2.0, 3.0], "x": [1, 2, 3, 4]}, "customer_id"),  # whole numbers
        ({"customer_id": [1, 2, 3, 4], "plan": ["a", "b", "a", "b"]}, None),  # unique: it is the id
        ({"customer_id": [1.5, 1.5, 2.5, 3.5], "plan": ["a", "b", "a", "b"]}, None),  # not id-shaped
        ({"customer_id": [1, 1, None, 2], "plan": ["a", "b", "a", "b"]}, None),  # a quarter empty
        ({"kunde": ["Ja", "Nei", "Ja", "Nei"], "plan": ["a", "b", "a", "b"]}, None),  # a yes/no label
        ({"city": ["Oslo", "Oslo", "Bergen", "Bodø"], "plan": ["a", "b", "a", "b"]}, None),  # not id-named
    ],
)
def test_repeated_id_column(columns, expected):
    assert repeated_id_column(pd.DataFrame(columns)) == expected


def test_an_id_with_repeats_is_still_not_guessed_but_named_as_the_hint():
    """tests/hostile/ids_repeated.csv: 10 customers (17 ... 26) in 6 monthly snapshots."""
    frame = read_table(Path(__file__).parent / "hostile" / "ids_repeated.csv")
    assert guess_roles(frame, None).customer_id is None
    assert repeated_id_column(frame) == "customer_id"
