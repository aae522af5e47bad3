"""Header names in English, Norwegian, Danish, Swedish, German, Spanish and CRM exports."""

from __future__ import annotations

import pytest

from churn.ingest.names import name_keys, name_strength, normalise_name


@pytest.mark.parametrize(
    "header,role,strong",
    [
        ("Customer ID", "customer_id", True),
        ("CustomerId", "customer_id", True),
        ("Kundennummer", "customer_id", True),
        ("ID Cliente", "customer_id", False),  # Spanish word order: still an id, less sure
        ("Record ID", "customer_id", True),
        ("Account ID", "customer_id", True),
        ("Kündigungsdatum", "end_date", True),
        ("Uppsägningsdatum", "end_date", True),
        ("Fecha de baja", "end_date", True),
        ("deleted_at", "end_date", True),
        ("createdon", "start_date", True),
        ("CreatedDate", "start_date", True),
        ("Create Date", "start_date", True),
        ("Eintrittsdatum", "start_date", True),
        ("Antigüedad", "tenure", True),
        ("Subscription  Length", "tenure", True),
        ("MonthlyCharges", "value", True),
        ("Monatsbeitrag", "value", True),
        ("Exited", "churn_label", True),
        ("Attrition_Flag", "churn_label", True),
    ],
)
def test_names_in_many_languages(header, role, strong):
    strength = name_strength(header, role)
    assert strength >= (0.9 if strong else 0.5)


@pytest.mark.parametrize(
    "header,role",
    [
        ("birth_date", "start_date"),
        ("Fødselsdato", "start_date"),
        ("updated_at", "start_date"),
        ("last_date_purchase", "end_date"),
        ("Month_to_end_contract", "tenure"),
        ("Age", "tenure"),
        ("RowNumber", "customer_id"),
        ("churn_reason", "churn_label"),
        ("churn_probability", "churn_label"),
        ("IsActiveMember", "churn_label"),
        ("total day charge", "value"),
        ("EstimatedSalary", "value"),
    ],
)
def test_names_that_rule_a_column_out(header, role):
    assert name_strength(header, role) == 0.0


def test_normalise_and_keys():
    assert normalise_name(" Oppsagt dato ") == "oppsagt_dato"
    assert normalise_name("Cancelación") == "cancelacion"
    assert name_keys("MonthlyCharges") == ("monthlycharges", "monthly_charges")
