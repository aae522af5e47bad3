"""Kinds of events (churn/ingest/event_kinds.py): keywords, cancellations, compact dates, missing ids."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.dataset import EVENT_KINDS
from churn.ingest.event_kinds import (
    cancellation_rows,
    compact_dates,
    event_kind,
    is_cancellation,
    missing_ids,
)


@pytest.mark.parametrize(
    "raw,kind",
    [
        ("Nyhedsbrev", "email"),  # Danish newsletter
        ("Beställning", "order"),
        ("Köp i webbutik", "order"),
        ("Betalning mottagen", "payment"),
        ("Påminnelse", "payment"),
        ("Ärende", "support_ticket"),
        ("Inloggning", "login"),
        ("Kundmöte", "email"),
        ("Bestellung", "order"),
        ("Online-Kauf", "order"),
        ("Rechnung bezahlt", "payment"),
        ("Beschwerde", "support_ticket"),
        ("Anmeldung", "login"),
        ("Telefonat", "email"),
        ("Neuer Ansprechpartner", "contact_change"),
        ("Pedido", "order"),
        ("Venta", "order"),
        ("Pago recibido", "payment"),
        ("Reclamación", "support_ticket"),
        ("Inicio de sesión", "login"),
        ("Llamada", "email"),
        ("Nuevo contacto", "contact_change"),
        ("INCOMING_EMAIL", "email"),
        ("Inventario", "other"),  # 'venta' inside another word is not a sale
        ("Terminated", "other"),
        ("Webinar", "other"),
    ],
)
def test_event_kinds_in_more_languages(raw, kind):
    assert event_kind(raw) == kind


def test_event_kinds_are_canonical():
    words = ["Nyhedsbrev", "Storno", "Boletín", "Aktivität", "Reembolso", "Rücksendung"]
    assert {event_kind(w) for w in words} <= set(EVENT_KINDS)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Kreditnota", True),
        ("Retur", True),
        ("Storno", True),
        ("Rücksendung", True),
        ("Pedido cancelado", True),
        ("Avbestilt ordre", True),
        ("Refund", True),
        ("Ordre", False),
        ("Faktura betalt", False),
        ("Klage", False),
    ],
)
def test_is_cancellation(raw, expected):
    assert is_cancellation(raw) is expected


def test_cancellation_rows_by_quantity_reference_type_and_amount():
    """Row 1 is a purchase; 2 has a 'C' invoice; 3 a negative quantity; 4 a 'Retur' type; 5 a
    negative amount. 'C2' in a column of five-digit codes is a stock code, not a credit.
    A 'Retur' complaint (a support ticket) is not a cancelled purchase."""
    log = pd.DataFrame(
        {
            "InvoiceNo": ["536365", "C536379", "536366", "536367", "536368", "536369"],
            "Quantity": [6, -1, -2, 1, 1, 1],
            "Type": ["Ordre", "Ordre", "Ordre", "Retur", "Ordre", "Klage på retur"],
            "Amount": [10.0, -2.0, -4.0, 5.0, -3.0, 0.0],
        }
    )
    got = cancellation_rows(
        log, quantity="Quantity", reference="InvoiceNo", event_type="Type", amount="Amount"
    )
    assert got.tolist() == [False, True, True, True, True, False]
    stock = pd.DataFrame({"StockCode": ["21733", "C2", "22336", "90200"]})
    assert not cancellation_rows(stock, reference="StockCode").any()


@pytest.mark.parametrize(
    "values,expected",
    [
        ([19970101, 19970330], ["1997-01-01", "1997-03-30"]),
        (["20240131", None], ["2024-01-31", None]),
        ([19971301, 19970101], None),  # month 13
        ([1, 2], None),
        (["1997-01-01"], None),
    ],
)
def test_compact_dates(values, expected):
    got = compact_dates(pd.Series(values))
    if expected is None:
        assert got is None
    else:
        assert [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in got] == expected


def test_missing_ids():
    assert missing_ids(pd.Series(["17", "NA", None, " ", "n/a", "18"])).tolist() == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]
    assert missing_ids(pd.Series([17.0, None])).tolist() == [False, True]
