"""Customer-table roles from evidence: hand-made traps in several languages and CRM shapes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from churn.ingest.customer_roles import (
    customer_role_evidence,
    either,
    id_candidates,
    is_row_counter,
    label_shape,
    shown_values,
)
from churn.ingest.parsing import read_table
from churn.ingest.roles import explain_roles

TRAPS = Path(__file__).parent / "files" / "traps"
ROLES = ("customer_id", "churn_label", "start_date", "end_date", "tenure", "value")


@pytest.mark.parametrize(
    "name,expected,churned_values",
    [
        # Spanish: 'Churn' holding Si/No beats the 0/1 'over 65' column
        ("customers_spanish.csv", ("ID Cliente", "Churn", None, None, "Antigüedad", "Cuota mensual"), ()),
        # a Yes/No 'Married' loses to a status holding Churned / Stayed / Joined
        (
            "customers_status_three.csv",
            ("Customer ID", "Customer Status", None, None, "Tenure in Months", "Monthly Charge"),
            ("Churned",),
        ),
        # text labels: Attrited Customer / Existing Customer
        (
            "customers_attrition_text.csv",
            ("CLIENTNUM", "Attrition_Flag", None, None, "Months_on_book", None),
            ("Attrited Customer",),
        ),
        # HubSpot companies export: Record ID, Create Date, a true/false 'Churned'
        ("customers_hubspot.csv", ("Record ID", "Churned", "Create Date", None, None, "Annual Revenue"), ()),
        # Salesforce accounts: Account ID, CreatedDate, Status Active/Cancelled, Cancellation Date
        (
            "customers_salesforce.csv",
            ("Account ID", "Status", "CreatedDate", "Cancellation Date", None, "MRR"),
            ("Cancelled",),
        ),
        # German: no label, churn from the Kündigungsdatum
        (
            "customers_german.csv",
            ("Kundennummer", None, "Eintrittsdatum", "Kündigungsdatum", None, "Monatsbeitrag"),
            (),
        ),
        # Swedish
        (
            "customers_swedish.csv",
            ("Kundnummer", None, "Startdatum", "Uppsägningsdatum", None, "Månadsavgift"),
            (),
        ),
        # Danish: a birth date is never the start date
        ("customers_danish.csv", ("Kundenr", "Opsagt", "Oprettet", None, None, "Månedsbeløb"), ()),
        # no id at all: rows are customers; 0/1 segments are not the label
        ("customers_no_id.csv", (None, "Churn", None, None, "Lifetime", None), ()),
        # subscriptions: the unique subscription id is the row id, the customer key repeats
        (
            "customers_subscriptions.csv",
            ("subscription_id", "status", None, None, None, "mrr"),
            ("canceled",),
        ),
    ],
)
def test_trap_files_get_their_roles(name, expected, churned_values):
    evidence = explain_roles(read_table(TRAPS / name), None)
    got = tuple(getattr(evidence.mapping, role) for role in ROLES)
    assert got == expected
    assert evidence.mapping.churned_values == churned_values


def test_subscription_rows_are_said_to_be_subscriptions():
    """60 subscription rows, 'customer_id' repeats: 3 rows each for 20 customers."""
    evidence = explain_roles(read_table(TRAPS / "customers_subscriptions.csv"), None)
    grain = [n for n in evidence.notes if n.key == "roles.note_grain"]
    assert grain and grain[0].values == {
        "row_column": "subscription_id",
        "customer_key": "customer_id",
        "rows": 60,
        "customers": 20,
    }
    assert "customer_id" not in evidence.mapping.segments


def test_a_table_without_an_id_is_numbered_and_says_so():
    evidence = explain_roles(read_table(TRAPS / "customers_no_id.csv"), None)
    note = next(n for n in evidence.notes if n.key == "roles.note_row_numbers")
    assert note.values == {"rows": 62}
    assert "62 rows" in note.text("en") and "62 radene" in note.text("nb")


def test_paused_and_joined_are_still_customers_and_the_user_is_told():
    evidence = explain_roles(read_table(TRAPS / "customers_status_three.csv"), None)
    assert evidence.mapping.active_values == ("Stayed", "Joined")  # most common first
    told = [n.values["value"] for n in evidence.notes if n.key == "roles.note_label_told_active"]
    assert told == ["Joined"]


def test_the_runner_up_and_reasons_are_kept():
    evidence = explain_roles(read_table(TRAPS / "customers_status_three.csv"), None)
    guess = evidence.guesses["churn_label"]
    assert (guess.best.column, guess.runner_up.column, guess.confidence) == (
        "Customer Status",
        "Married",
        "high",
    )
    assert guess.best.reason.text("en") == (
        "'Customer Status': named like a churn column, values Stayed / Joined / Churned"
    )


def test_two_unnamed_yes_no_columns_are_asked_about():
    """Neither 'A' nor 'B' is named like churn and both hold Yes/No: a tie, the user picks."""
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(8)], "A": ["Yes", "No"] * 4, "B": ["No", "Yes"] * 4})
    roles, guesses, _ = customer_role_evidence(frame)
    assert roles["churn_label"] is None
    assert guesses["churn_label"].asks
    assert {c.column for c in guesses["churn_label"].candidates} == {"A", "B"}


def test_a_row_counter_is_not_an_id():
    """RowNumber 1..5 scores near nothing; the id-named CustomerId wins."""
    frame = pd.DataFrame(
        {"RowNumber": [1, 2, 3, 4, 5], "CustomerId": [15634602, 15647311, 15619304, 15701354, 15737888]}
    )
    ranked = sorted(id_candidates(frame), key=lambda c: -c.score)
    assert [c.column for c in ranked] == ["CustomerId", "RowNumber"]
    assert is_row_counter(frame["RowNumber"]) and not is_row_counter(frame["CustomerId"])


@pytest.mark.parametrize(
    "values,strength",
    [
        (["Yes", "No", "Yes"], 0.4),  # generic answers: weak
        ([0, 1, 1], 0.4),
        (["Churned", "Stayed"], 0.9),  # churn words: strong
        (["active", "paused", "canceled"], 0.9),
        (["Yes", "No", "No phone service"], 0.3),  # generic with a value that says nothing
        ([1, 2, 1], None),  # 1/2 is not a label
        (["Oslo", "Bergen"], None),
    ],
)
def test_label_shape_strength(values, strength):
    shape = label_shape(pd.Series(values))
    assert (None if shape is None else round(shape[0], 2)) == strength


def test_clues_combine_as_independent_evidence():
    """either(0.6, 0.9) = 1 - 0.4 * 0.1 = 0.96; a strong name alone is already 1."""
    assert either(0.6, 0.9) == pytest.approx(0.96)
    assert either(1.0, 0.4) == 1.0
    assert shown_values(["a", "b", "c", "d"]) == "a / b / c / …"


def test_a_column_of_names_is_not_taken_as_the_id():
    """'Names' differs on every row but holds people's names: too thin for an id, the page asks."""
    frame = pd.DataFrame(
        {
            "Names": ["Cameron Williams", "Kevin Mueller", "Eric Lozano", "Phillip White", "Anne Berg"],
            "Churn": [1, 0, 1, 0, 0],
        }
    )
    roles, guesses, _ = customer_role_evidence(frame)
    assert roles["customer_id"] is None
    assert guesses["customer_id"].best.score < 0.45
