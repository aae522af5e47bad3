"""Readable labels, reason sentences and the action list with its exports (churn/act/reasons.py)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from churn.act.reasons import (
    action_list,
    contribution_table,
    effect_text,
    export_action_list,
    feature_label,
    format_value,
    reason_sentence,
    reason_table,
)
from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError
from churn.core.export import pseudonymise


@pytest.mark.parametrize(
    "feature,lang,expected",
    [
        ("orders_90d", "en", "Orders last 90 days"),
        ("orders_90d", "nb", "Ordrer siste 90 dager"),
        ("n_emails_30d", "en", "E-mails last 30 days"),
        ("support_tickets_recent", "nb", "Supporthenvendelser siste 90 dager"),
        ("orders_change", "en", "Orders, change from the 90 days before"),
        ("days_late_recent", "en", "Payment delay, last 90 days"),
        ("days_late_before", "nb", "Betalingsforsinkelse de 90 dagene før det"),
        ("days_since_last_order", "nb", "Dager siden siste ordre"),
        ("contact_changes_recent", "en", "Contact person changes last 90 days"),
        ("tenure_months", "nb", "Måneder som kunde"),
        ("discount_end_date_days_until", "en", "discount_end_date, days until"),
        ("months_to_anniversary", "nb", "Måneder til neste årsdag som kunde"),
        ("monthly_value", "en", "Monthly value"),
        # the names churn/model/features.py builds
        ("orders_30d", "en", "Orders last 30 days"),
        ("other_events_180d", "nb", "Andre hendelser siste 180 dager"),
        ("contact_changes_90d", "en", "Contact person changes last 90 days"),
        ("logins_trend_30d", "en", "Logins, change from the 30 days before"),
        ("support_tickets_trend_90d", "nb", "Supporthenvendelser, endring fra de 90 dagene før"),
        ("days_since_last_support_ticket", "en", "Days since last support ticket"),
        ("days_since_last_event", "nb", "Dager siden siste hendelse"),
        ("orders_amount_90d", "en", "Amount ordered, last 90 days"),
        ("orders_amount_trend_90d", "nb", "Bestilt beløp, endring fra de 90 dagene før"),
        ("discount_end_date_days_ago", "en", "discount_end_date, days ago"),
        ("n_signals", "nb", "Antall faresignaler"),
        ("Bransje", "nb", "Bransje"),  # attribute columns keep their own name
        ("acquisition_channel", "en", "acquisition_channel"),
    ],
)
def test_feature_label(feature, lang, expected):
    assert feature_label(feature, lang) == expected


@pytest.mark.parametrize(
    "feature,value,lang,expected",
    [
        ("orders_90d", 2, "en", "2"),
        ("orders_90d", 2.0, "nb", "2"),
        ("orders_change", -0.6, "en", "-60%"),
        ("days_late_recent", 9.5, "nb", "9,5 dager"),
        ("days_late_change", 7.0, "en", "+7 days"),
        ("tenure_months", 14.4, "en", "14 months"),
        ("monthly_value", 1820.0, "nb", "1 820"),
        ("plan", "Basis", "en", "Basis"),
        ("orders_90d", float("nan"), "nb", "mangler"),
    ],
)
def test_format_value(feature, value, lang, expected):
    assert format_value(feature, value, lang).replace("\xa0", " ") == expected


@pytest.mark.parametrize(
    "points,lang,expected",
    [
        (0.14, "en", "raises risk by 14 points"),
        (-0.004, "en", "lowers risk by 0.4 points"),
        (0.081, "nb", "øker risikoen med 8 prosentpoeng"),
        (-0.2, "nb", "senker risikoen med 20 prosentpoeng"),
    ],
)
def test_effect_text(points, lang, expected):
    assert effect_text(points, lang) == expected


ROW = pd.Series(
    {
        "orders_90d": 2,
        "orders_90d_change": -0.6,
        "emails_recent": 6,
        "emails_before": 4,
        "days_late_recent": 9.5,
        "days_late_before": 2.0,
        "logins_recent": 3,
        "logins_before": 0,
        "segment": "Oslo",
        "support_tickets_30d": 4,
        "support_tickets_trend_30d": 1.0,
    }
)


@pytest.mark.parametrize(
    "feature,points,lang,expected",
    [
        (
            "orders_90d",
            0.14,
            "en",
            "Orders last 90 days: 2, down 60% from the 90 days before — raises risk by 14 points",
        ),
        (
            "orders_90d",
            0.14,
            "nb",
            "Ordrer siste 90 dager: 2, ned 60 % fra de 90 dagene før – øker risikoen med 14 prosentpoeng",
        ),
        # 6 now vs 4 before: (6 - 4) / 4 = +50%
        (
            "emails_recent",
            -0.03,
            "en",
            "E-mails last 90 days: 6, up 50% from the 90 days before — lowers risk by 3 points",
        ),
        (
            "days_late_recent",
            0.08,
            "en",
            "Payment delay, last 90 days: 9.5 days (2 days before) — raises risk by 8 points",
        ),
        # nothing before: no percentage to show
        ("logins_recent", 0.02, "en", "Logins last 90 days: 3 — raises risk by 2 points"),
        (
            "support_tickets_30d",
            0.052,
            "nb",
            "Supporthenvendelser siste 30 dager: 4, opp 100 % fra de 30 dagene før – øker risikoen med 5 prosentpoeng",
        ),
        ("segment", -0.011, "nb", "segment: Oslo – senker risikoen med 1 prosentpoeng"),
    ],
)
def test_reason_sentence(feature, points, lang, expected):
    assert reason_sentence(feature, ROW, points, lang).replace("\xa0", " ") == expected


@pytest.mark.parametrize(
    "mapping,feature,lang,expected",
    [
        # the client's header when the file had the column, in either language
        (RoleMapping(tenure="Lifetime"), "tenure_months", "nb", "Lifetime"),
        (RoleMapping(tenure="Subscription  Length"), "tenure_months", "en", "Subscription  Length"),
        (RoleMapping(value="MonthlyCharges"), "monthly_value", "en", "MonthlyCharges"),
        # derived from dates or events: the glossary word
        (RoleMapping(start_date="signup"), "tenure_months", "en", "Months as a customer"),
        (RoleMapping(start_date="signup"), "tenure_months", "nb", "Måneder som kunde"),
        (RoleMapping(event_amount="amount"), "monthly_value", "nb", "Månedsverdi"),
        # event features keep their words, attributes their own names
        (RoleMapping(tenure="Lifetime"), "orders_90d", "en", "Orders last 90 days"),
        (RoleMapping(tenure="Lifetime"), "Contract", "en", "Contract"),
    ],
)
def test_feature_label_uses_the_clients_header(mapping, feature, lang, expected):
    assert feature_label(feature, lang, mapping) == expected


CUSTOMERS = pd.DataFrame(
    {
        "tenure_months": [14.4, 2.0],
        "monthly_value": [70.4, 20.0],
        "Contract": ["Month-to-month", "Two year"],
    },
    index=pd.Index(["c1", "c2"], name="customer_id"),
)


def test_reason_table_names_tenure_and_value_as_the_client_does():
    """Points are SHAP / 10: c1 tenure 0.09 = 9 points, value 0.05 = 5 points (strongest two);
    c2's strongest is tenure, -0.08 = 8 points down. 14.4 months shows as 14, 70.4 as 70.4."""
    shap = pd.DataFrame(
        {"tenure_months": [0.9, -0.8], "monthly_value": [0.5, 0.4], "Contract": [0.1, -0.05]},
        index=CUSTOMERS.index,
    )
    points = shap / 10
    mapping = RoleMapping(tenure="Lifetime", value="Customer Value")
    table = reason_table(CUSTOMERS, shap, points, 2, "en", mapping=mapping)
    assert table.loc["c1"].tolist() == [
        "Lifetime: 14 months — raises risk by 9 points",
        "Customer Value: 70.4 — raises risk by 5 points",
    ]
    derived = reason_table(CUSTOMERS, shap, points, 1, "nb", mapping=RoleMapping(start_date="start"))
    assert (
        derived.loc["c2", "reason_1"] == "Måneder som kunde: 2 måneder – senker risikoen med 8 prosentpoeng"
    )
    every = " ".join(table.to_numpy().ravel()) + " ".join(derived.to_numpy().ravel())
    assert "tenure_months" not in every and "monthly_value" not in every


def test_contribution_table_labels_use_the_clients_header():
    row, shap = CUSTOMERS.loc["c1"], pd.Series({"tenure_months": 0.9, "monthly_value": 0.5, "Contract": 0.1})
    table = contribution_table(
        row, shap, shap / 10, "en", RoleMapping(tenure="tenure", value="MonthlyCharges")
    )
    assert table["label"].tolist() == ["tenure", "MonthlyCharges", "Contract"]
    assert table["feature"].tolist() == ["tenure_months", "monthly_value", "Contract"]  # keys stay canonical


def scores_and_reasons():
    scores = pd.DataFrame(
        {
            "customer_id": ["C1", '=HYPERLINK("x")', "C3", "C4"],
            "probability": [0.8, 0.55, 0.35, 0.9],
            "tier": ["high", "medium", "low", "high"],
            "action_auto": ["Alert the team", "Event invitation", "Newsletter", "Alert the team"],
            "action_personal": ["Call within 48 h", "KAM call", "Quarterly check-in", "Call within 48 h"],
            "monthly_value": [1000.0, 2000.0, 500.0, float("nan")],
            "value_at_risk": [0.0, 0.0, 0.0, 0.0],
        }
    )
    reasons = pd.DataFrame(
        {
            "reason_1": ["Orders down", "-5 days", "Plan", ""],
            "reason_2": ["b", "b", "b", ""],
            "reason_3": ["c", "c", "c", ""],
        },
        index=pd.Index(["C1", '=HYPERLINK("x")', "C3", "C4"], name="customer_id"),
    )
    customers = pd.DataFrame(
        {"customer_id": ["C1", '=HYPERLINK("x")', "C3", "C4"], "region": ["Oslo", "Vest", "Oslo", "Nord"]}
    )
    return scores, reasons, customers


def test_action_list_golden():
    """Value at risk = probability × 12 × monthly value: C1 0.8·12 000 = 9 600,
    the second 0.55·24 000 = 13 200, C3 0.35·6 000 = 2 100, C4 has no value (NaN, last)."""
    scores, reasons, customers = scores_and_reasons()
    out = action_list(scores, reasons)
    assert out["customer_id"].tolist() == ['=HYPERLINK("x")', "C1", "C3", "C4"]
    assert out["value_at_risk"].iloc[:3].tolist() == pytest.approx([13200, 9600, 2100])
    assert out["annual_value"].iloc[0] == 24000
    assert out.loc[1, "reason_1"] == "Orders down"
    assert out.loc[1, "action_personal"] == "Call within 48 h"


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({"tiers": ["high"]}, ["C1", "C4"]),
        ({"segment": "region", "segment_values": ["Oslo"]}, ["C1", "C3"]),
        ({"min_value_at_risk": 5000}, ['=HYPERLINK("x")', "C1"]),
        ({"tiers": ["high", "low"], "segment": "region", "segment_values": ["Oslo"]}, ["C1", "C3"]),
    ],
)
def test_action_list_filters(kwargs, expected):
    scores, reasons, customers = scores_and_reasons()
    out = action_list(scores, reasons, customers=customers, **kwargs)
    assert out["customer_id"].tolist() == expected
    if "segment" in kwargs:
        assert out.columns[1] == "region"


def test_action_list_unknown_segment_is_named():
    scores, reasons, customers = scores_and_reasons()
    with pytest.raises(SchemaError, match="Column 'kommune'"):
        action_list(scores, reasons, customers=customers, segment="kommune")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trips_safely(fmt):
    scores, reasons, customers = scores_and_reasons()
    frame = action_list(scores, reasons, customers=customers, segment="region")
    data = export_action_list(frame, "en", fmt)
    back = (
        pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        if fmt == "csv"
        else pd.read_excel(io.BytesIO(data))
    )
    assert len(back) == len(frame)
    assert list(back.columns[:3]) == ["Customer", "region", "Churn risk (%)"]
    assert back["Customer"].tolist()[0] == '\'=HYPERLINK("x")'  # formula neutralised
    assert back["Reason 1"].tolist()[0] == "'-5 days"
    assert back["Churn risk (%)"].tolist() == [55.0, 80.0, 35.0, 90.0]
    assert back["Value at risk per year"].iloc[0] == 13200


def test_export_pseudonymises_ids_stably_in_norwegian():
    scores, reasons, _ = scores_and_reasons()
    frame = action_list(scores, reasons)
    first = pd.read_csv(
        io.BytesIO(export_action_list(frame, "nb", "csv", secret="s3cret")),
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
    )
    again = pd.read_csv(
        io.BytesIO(export_action_list(frame.iloc[::-1], "nb", "csv", secret="s3cret")),
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
    )
    assert "Kunde" in first.columns and "Avgangsrisiko (%)" in first.columns
    assert first["Kunde"].tolist() == pseudonymise(frame["customer_id"], "s3cret").tolist()
    assert sorted(first["Kunde"]) == sorted(again["Kunde"])
    assert not set(first["Kunde"]) & set(frame["customer_id"])
