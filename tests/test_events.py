"""The canonical event log (churn/ingest/events.py): amounts, cancellations, rows left out, the corpus logs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError
from churn.ingest.event_roles import guess_event_roles
from churn.ingest.events import LEFT_OUT_CAUSES, canonical_events, left_out_events
from churn.ingest.intake import build_dataset
from churn.ingest.parsing import read_table

TRAPS = Path(__file__).parent / "files" / "traps"
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def _guessed(file: str) -> tuple[pd.DataFrame, RoleMapping]:
    frame = read_table(TRAPS / file)
    return frame, RoleMapping(**guess_event_roles(frame))


def test_invoice_lines_golden():
    """events_invoice_lines.csv, 16 lines.

    Left out: 3 lines without a customer (NA, NA - one of them the cancellation
    C536377 - and a blank). Of the 13 kept, C536379 (-1 x 3.39) and C536371
    (-2 x 3.75) are cancellations: kind 'other', not purchases. Order totals
    (quantity x unit price): 12346 6x2.55 + 6x3.39 = 15.30 + 20.34 = 35.64;
    12347 6x1.85 + 32x1.69 = 11.10 + 54.08 = 65.18; 12348 25.50 + 17.85 = 43.35;
    12349 24x3.75 = 90.00; 12350 11.10 + 22.20 = 33.30; 12351 21.90 + 13.56 = 35.46.
    """
    raw, mapping = _guessed("events_invoice_lines.csv")
    assert left_out_events(raw, mapping) == {"no_customer": 3, "no_date": 0, "cancelled": 2}
    events = canonical_events(raw, mapping)
    assert len(events) == 13
    assert events["event_type"].value_counts().to_dict() == {"order": 11, "other": 2}
    orders = events[events["event_type"] == "order"].groupby("customer_id")["amount"].sum()
    expected = {
        "12346": 35.64,
        "12347": 65.18,
        "12348": 43.35,
        "12349": 90.00,
        "12350": 33.30,
        "12351": 35.46,
    }
    assert orders.to_dict() == pytest.approx(expected, abs=1e-9)
    cancelled = events[events["event_type"] == "other"]
    assert cancelled["amount"].tolist() == pytest.approx([-3.39, -7.50], abs=1e-9)
    data = build_dataset(None, raw, mapping)
    assert len(data.customers) == 6  # the cancelling customers stay customers


def test_german_lines_with_storno_and_returns():
    """events_german.csv: Menge x Einzelpreis = 2x19.90 = 39.80, 1x49 = 49.00, 3x9.50 = 28.50,
    Storno 28.50 (other), 1x120 = 120.00, Rücksendung -1x120 = -120.00 (other), Anfrage (no amount)."""
    raw, mapping = _guessed("events_german.csv")
    assert left_out_events(raw, mapping) == {"no_customer": 0, "no_date": 0, "cancelled": 2}
    events = canonical_events(raw, mapping).sort_values("timestamp", kind="stable")
    assert events["event_type"].tolist() == [
        "order",  # 03.01 K-001
        "order",  # 05.01 K-002
        "other",  # 06.01 Storno
        "order",  # 10.01 K-003
        "support_ticket",  # 12.01 Anfrage
        "order",  # 20.02 K-001
        "other",  # 11.03 Rücksendung
    ]
    assert events["amount"].tolist() == pytest.approx(
        [39.80, 28.50, 28.50, 120.00, np.nan, 49.00, -120.00], abs=1e-9, nan_ok=True
    )


@pytest.mark.parametrize(
    "columns,kinds",
    [
        ({"amount": [10.0, 20.0, 5.0]}, ["order", "order", "order"]),  # a purchase log
        ({}, ["other", "other", "other"]),  # id + date only: activity of no kind
    ],
)
def test_kind_without_an_event_type_column(columns, kinds):
    log = pd.DataFrame({"cust": ["1", "1", "2"], "date": pd.to_datetime(["2024-01-01"] * 3), **columns})
    mapping = RoleMapping(
        event_customer_id="cust", event_timestamp="date", event_amount="amount" if columns else None
    )
    assert canonical_events(log, mapping)["event_type"].tolist() == kinds


def test_yyyymmdd_numbers_are_read_as_timestamps():
    log = pd.DataFrame({"c": ["00001", "00002"], "d": [19970101, 19970330]})
    events = canonical_events(log, RoleMapping(event_customer_id="c", event_timestamp="d"))
    assert events["timestamp"].dt.strftime("%Y-%m-%d").tolist() == ["1997-01-01", "1997-03-30"]
    assert events["customer_id"].tolist() == ["00001", "00002"]  # zero padding kept


def test_placeholder_ids_and_missing_dates_are_left_out_and_counted():
    """4 rows: 'NA' and '' have no customer; b has no date; a is kept."""
    log = pd.DataFrame(
        {"id": ["a", "NA", "", "b"], "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", None])}
    )
    mapping = RoleMapping(event_customer_id="id", event_timestamp="ts")
    assert left_out_events(log, mapping) == {"no_customer": 2, "no_date": 1, "cancelled": 0}
    assert tuple(left_out_events(log, mapping)) == LEFT_OUT_CAUSES
    assert canonical_events(log, mapping)["customer_id"].tolist() == ["a"]


def test_an_explicit_kind_wins_over_keywords():
    log = pd.DataFrame(
        {"id": ["a", "a"], "ts": pd.to_datetime(["2024-01-01", "2024-01-02"]), "t": ["Webinar", "Ordre"]}
    )
    mapping = RoleMapping(
        event_customer_id="id", event_timestamp="ts", event_type="t", event_type_map={"Webinar": "email"}
    )
    assert canonical_events(log, mapping)["event_type"].tolist() == ["email", "order"]


def test_a_wrong_quantity_column_is_refused_by_name():
    log = pd.DataFrame({"id": ["a"], "ts": pd.to_datetime(["2024-01-01"])})
    mapping = RoleMapping(event_customer_id="id", event_timestamp="ts", event_quantity="Antall")
    with pytest.raises(SchemaError, match=r"Column 'Antall' is not in the event log"):
        canonical_events(log, mapping)


# ---------------------------------------------------------------- the corpus logs


def _expected() -> dict:
    path = CORPUS / "EXPECTED.json"
    if not path.exists():
        pytest.skip("../shared/corpus is not here")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "file,kept,left_out",
    [
        ("CDNOW_master.txt", 69659, {"no_customer": 0, "no_date": 0, "cancelled": 0}),
        # 5,078 guest lines ('NA'); 342 of the 350 'C' invoices belong to a customer
        ("online_retail_sample.csv", 14922, {"no_customer": 5078, "no_date": 0, "cancelled": 342}),
    ],
)
def test_corpus_event_logs(file, kept, left_out):
    expected = _expected()[file]
    raw = read_table(CORPUS / file)
    roles = guess_event_roles(raw)
    for role, right in expected["roles"].items():
        assert roles[role] in (right if isinstance(right, list) else [right]), role
    mapping = RoleMapping(**roles)
    data = build_dataset(None, raw, mapping)
    assert len(data.customers) == expected["customers"]
    assert len(data.events) == kept
    assert left_out_events(raw, mapping) == left_out
    assert kept + left_out["no_customer"] + left_out["no_date"] == expected["rows"]
    assert (data.events["event_type"] == "order").sum() == kept - left_out["cancelled"]
