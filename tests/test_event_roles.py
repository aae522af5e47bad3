"""Event-log roles from evidence (churn/ingest/event_roles.py): headers, values, confidence, notes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from churn.core.i18n import t
from churn.ingest.event_roles import event_role_evidence, guess_event_roles
from churn.ingest.parsing import read_table

TRAPS = Path(__file__).parent / "files" / "traps"
DAYS = pd.to_datetime(["2024-01-05", "2024-02-10", "2024-03-15", "2024-01-20", "2024-02-25", "2024-04-01"])


def _evidence(frame: pd.DataFrame, customer_id: str | None = None):
    roles, guesses, notes = event_role_evidence(frame, customer_id)
    confidence = {role: guess.confidence for role, guess in guesses.items()}
    return roles, confidence, [note.key for note in notes]


# ---------------------------------------------------------------- hand-made files


@pytest.mark.parametrize(
    "file,roles,confidence,notes",
    [
        (
            # cust 1..4 repeat (7 rows, 4 customers); 'cust' is a customer word, 'date' a date word
            "events_cust_date.csv",
            {
                "event_customer_id": "cust",
                "event_timestamp": "date",
                "event_type": None,
                "event_amount": None,
            },
            {"event_customer_id": "high", "event_timestamp": "high"},
            ["events.note_no_type_other"],
        ),
        (
            # Spanish headers; 'Pedido cancelado' is a cancelled order
            "events_spanish.csv",
            {
                "event_customer_id": "id_cliente",
                "event_timestamp": "fecha",
                "event_type": "tipo_evento",
                "event_amount": "importe",
            },
            {
                "event_customer_id": "high",
                "event_timestamp": "high",
                "event_type": "high",
                "event_amount": "high",
            },
            ["events.note_cancelled"],
        ),
        (
            # German: Menge x Einzelpreis; 'Storno' and 'Rücksendung' (-1) are cancellations
            "events_german.csv",
            {
                "event_customer_id": "Kundennummer",
                "event_timestamp": "Datum",
                "event_type": "Ereignis",
                "event_amount": None,
                "event_quantity": "Menge",
                "event_unit_price": "Einzelpreis",
            },
            {"event_customer_id": "high", "event_quantity": "high", "event_unit_price": "high"},
            ["events.note_amount_from_quantity", "events.note_cancelled"],
        ),
        (
            # HubSpot activities: Record ID is unique per row (the activity), the company repeats;
            # the contact is a close second, so the company is only 'medium'
            "events_hubspot.csv",
            {
                "event_customer_id": "Associated Company ID",
                "event_timestamp": "Activity Date",
                "event_type": "Activity Type",
                "event_reference": "Record ID",
            },
            {"event_customer_id": "medium", "event_timestamp": "high", "event_type": "high"},
            [],
        ),
        (
            # online-shop invoice lines: 3 rows without a customer (NA, NA, blank), 2 'C' invoices
            "events_invoice_lines.csv",
            {
                "event_customer_id": "CustomerID",
                "event_timestamp": "InvoiceDate",
                "event_type": None,
                "event_amount": None,
                "event_quantity": "Quantity",
                "event_unit_price": "UnitPrice",
                "event_reference": "InvoiceNo",
            },
            {"event_customer_id": "high", "event_reference": "high", "event_quantity": "high"},
            [
                "events.note_amount_from_quantity",
                "events.note_no_customer",
                "events.note_cancelled",
                "events.note_no_type_orders",
                "events.note_attribute_not_type",
            ],
        ),
        (
            # 'Kundetype' is named like a type but is one value per customer (6 customers x 2 rows)
            "events_attribute.csv",
            {
                "event_customer_id": "Kundenr",
                "event_timestamp": "Dato",
                "event_type": None,
                "event_amount": "Beløp",
            },
            {"event_customer_id": "high", "event_amount": "high"},
            ["events.note_no_type_orders", "events.note_attribute_not_type"],
        ),
    ],
)
def test_roles_of_hand_made_logs(file, roles, confidence, notes):
    got, confidences, keys = _evidence(read_table(TRAPS / file))
    assert {role: got[role] for role in roles} == roles
    assert {role: confidences[role] for role in confidence} == confidence
    assert keys == notes


def test_a_headerless_whitespace_log_gets_its_roles_from_the_values():
    """events_headerless.txt: 75 lines ' 00001 19970108  2   24.23' for 30 customers, no header.

    Whatever the parser names the columns (the first line, or 'column 1'...), the
    zero-padded text that repeats is the customer (30 values, ~2.5 rows each),
    the yyyymmdd numbers are the dates, 1..5 is a quantity, the cents are the
    amount; content alone is 'medium' evidence, never 'high'.
    """
    frame = read_table(TRAPS / "events_headerless.txt")
    first, second, third, fourth = frame.columns
    roles, confidence, notes = _evidence(frame)
    assert (roles["event_customer_id"], roles["event_timestamp"]) == (first, second)
    assert (roles["event_quantity"], roles["event_amount"], roles["event_type"]) == (third, fourth, None)
    assert set(confidence.values()) == {"medium"}
    assert notes == ["events.note_compact_dates", "events.note_no_type_orders"]


# ---------------------------------------------------------------- CRM and other-language shapes


@pytest.mark.parametrize(
    "columns,expected,confidence",
    [
        (  # Swedish
            {
                "Kundnummer": ["K1", "K1", "K2", "K2", "K3", "K3"],
                "Datum": DAYS,
                "Händelse": ["Beställning", "Betalning", "Ärende", "Inloggning", "Nyhetsbrev", "Köp"],
                "Belopp": [499.0, 499.0, None, None, None, 129.5],
            },
            {"event_customer_id": "Kundnummer", "event_timestamp": "Datum", "event_type": "Händelse"},
            {"event_amount": "high", "event_type": "high"},
        ),
        (  # Salesforce opportunities: CloseDate is when the deal happened, CreatedDate a close second
            {
                "AccountId": ["001A", "001A", "001B", "001B", "001C", "001C"],
                "OpportunityId": [f"006{i}" for i in range(6)],
                "CreatedDate": DAYS - pd.Timedelta(days=20),
                "CloseDate": DAYS,
                "Amount": [12000.0, 8000, 15000, 4000, 22000, 9000],
            },
            {
                "event_customer_id": "AccountId",
                "event_timestamp": "CloseDate",
                "event_amount": "Amount",
                "event_reference": "OpportunityId",
            },
            {"event_customer_id": "high", "event_timestamp": "medium"},
        ),
        (  # Dynamics activities: modifiedon is the export's date, never the event's
            {
                "accountid": ["a1", "a1", "a2", "a2", "a3", "a3"],
                "activitytypecode": ["email", "phonecall", "appointment", "task", "email", "phonecall"],
                "modifiedon": DAYS + pd.Timedelta(days=60),
                "actualend": DAYS,
                "createdon": DAYS - pd.Timedelta(days=1),
            },
            {
                "event_customer_id": "accountid",
                "event_timestamp": "actualend",
                "event_type": "activitytypecode",
            },
            {"event_customer_id": "high", "event_timestamp": "medium"},
        ),
    ],
)
def test_roles_of_crm_and_nordic_exports(columns, expected, confidence):
    roles, confidences, _ = _evidence(pd.DataFrame(columns))
    assert {role: roles[role] for role in expected} == expected
    assert {role: confidences[role] for role in confidence} == confidence


def test_the_customer_tables_id_wins_in_the_log():
    """'konto' is the customer table's id; 'customer_id' in the log is then only a second choice."""
    log = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "konto": ["1", "1", "2", "2"], "dato": DAYS[:4]})
    roles, confidence, _ = _evidence(log, customer_id="konto")
    assert (roles["event_customer_id"], confidence["event_customer_id"]) == ("konto", "high")


def test_thin_evidence_asks_instead_of_guessing():
    """Two unnamed code columns that repeat alike (30 values each): a tie, so the id is None (ask)."""
    codes = [f"A{i:03d}" for i in range(30)] * 2
    other = [f"B{i:03d}" for i in range(30)] * 2
    log = pd.DataFrame({"x": codes, "y": other, "z": pd.date_range("2024-01-01", periods=60)})
    roles, guesses, _ = event_role_evidence(log)
    assert roles["event_customer_id"] is None
    assert guesses["event_customer_id"].asks
    assert [c.column for c in guesses["event_customer_id"].candidates] == ["x", "y"]


def test_an_attribute_is_passed_over_but_a_real_type_beside_it_is_taken():
    """Country is one value per customer (5 customers x 2 rows); Hendelse varies and reads as kinds."""
    log = pd.DataFrame(
        {
            "Kundenr": [c for c in "ABCDE" for _ in range(2)],
            "Tidspunkt": pd.date_range("2024-01-01", periods=10, freq="7D"),
            "Country": [c for c in ["Norway", "Sweden", "Norway", "Denmark", "Italy"] for _ in range(2)],
            "Hendelse": ["Ordre", "Faktura betalt"] * 5,
        }
    )
    roles, _, notes = _evidence(log)
    assert roles["event_type"] == "Hendelse"
    assert roles["event_type_map"] == {"Faktura betalt": "payment", "Ordre": "order"}
    assert "events.note_attribute_not_type" in notes


def test_product_columns_are_not_event_types():
    """A 'Type' column with 300 distinct values (products) is left out, with a note."""
    log = pd.DataFrame(
        {
            "customer_id": [f"c{i % 50}" for i in range(300)],
            "date": pd.date_range("2024-01-01", periods=300, freq="D"),
            "Type": [f"SKU {i}" for i in range(300)],
        }
    )
    roles, _, notes = _evidence(log)
    assert roles["event_type"] is None
    assert "events.note_product_not_type" in notes


def test_guess_event_roles_is_the_roles_of_the_evidence():
    frame = read_table(TRAPS / "events_german.csv")
    assert guess_event_roles(frame) == event_role_evidence(frame)[0]


def test_cancelled_types_are_proposed_as_other():
    """'Pedido cancelado' reads as an order by keyword, but a cancelled order is not a purchase."""
    roles = guess_event_roles(read_table(TRAPS / "events_spanish.csv"))
    assert roles["event_type_map"]["Pedido cancelado"] == "other"
    assert roles["event_type_map"]["Pedido"] == "order"


def test_every_reason_and_note_reads_in_both_languages():
    keys = set()
    for file in sorted(TRAPS.glob("events_*")):
        _, guesses, notes = event_role_evidence(read_table(file))
        items = [c.reason for g in guesses.values() for c in g.candidates] + notes
        for item in items:
            keys.add(item.key)
            for lang in ("en", "nb"):
                text = item.text(lang)
                assert text != item.key and "{" not in text
    assert len(keys) >= 15
    assert t("events.note_amount_from_quantity", "nb", quantity="Antall", price="Enhetspris") == (
        "Beløpet for hver linje er «Antall» × «Enhetspris»."
    )
