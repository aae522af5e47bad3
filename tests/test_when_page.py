"""AppTest of the When page: the sample, a tenure-only table, Norwegian, and the filters."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from churn.core.dataset import CHURN_FROM_LABEL, Dataset, RoleMapping
from churn.core.i18n import t
from churn.ingest import intake

PAGE = "pages/when.py"


def _chart_titles(at) -> list[str]:
    titles = []
    for node in at.get("vega_lite_chart"):
        spec = json.loads(node.proto.spec)
        title = spec.get("title")
        titles.append(title if isinstance(title, str) else (title or {}).get("text", ""))
    return titles


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.info, *at.success, *at.warning, *at.error)]
    return "\n".join(str(p) for p in parts)


def _tenure_only() -> Dataset:
    """300 customers with tenure (months) and a churn label, no dates (a Telco-style export).

    Every 5th customer churned at tenure 3 (60 churners in month 3); of the others, those with
    i % 10 == 1 churned at their tenure (1..36); the rest are current customers.
    """
    rows = []
    for i in range(300):
        contract = ("Month-to-month", "One year", "Two year")[i % 3]
        if i % 5 == 0:
            rows.append((f"t{i}", 3.0, 1, contract))
        else:
            rows.append((f"t{i}", float(i * 7 % 36 + 1), int(i % 10 == 1), contract))
    frame = pd.DataFrame(rows, columns=["customer_id", "tenure_months", "churned", "Contract"])
    return Dataset(
        customers=frame,
        events=None,
        mapping=RoleMapping(
            customer_id="customerID", churn_label="Churn", tenure="tenure", segments=("Contract",)
        ),
        attributes=["Contract"],
        categorical=["Contract"],
        leakage=[],
        as_of=None,
        churn_definition=CHURN_FROM_LABEL,
        name="telco.csv",
    )


@pytest.mark.slow
def test_sample_shows_peaks_charts_and_segment_test(app_test):
    at = app_test()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "Churn peaks in month 12 after signup" in text
    assert "around the end of onboarding" in text
    titles = _chart_titles(at)
    for title in (
        "Monthly churn rate",
        "Share of each signup cohort still a customer",
        "Share of customers still with us, by tenure",
        "Churn risk per month after signup",
    ):
        assert title in titles
    assert any(m.label == t("when.metric_crr", "en") for m in at.metric)

    at.selectbox(key="when_segment").set_value("contract_type").run()
    assert not at.exception
    assert any("really differ" in s.value for s in at.success)


def test_tenure_only_table_gets_survival_and_hazard(app_test):
    at = app_test(dataset=_tenure_only())
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert any("need a start (signup) date" in i.value for i in at.info)
    titles = _chart_titles(at)
    assert "Share of customers still with us, by tenure" in titles
    assert "Churn risk per month after signup" in titles
    assert "Monthly churn rate" not in titles
    assert "Churn peaks in month 3 after signup" in _texts(at)

    at.selectbox(key="when_segment").set_value("Contract").run()
    assert not at.exception
    groups = {row for row in at.dataframe[0].value.iloc[:, 0]}
    assert groups == {"Month-to-month", "One year", "Two year"}


def test_norwegian_page(app_test):
    at = app_test(dataset=_tenure_only(), lang="nb")
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Når slutter kundene?"
    assert "Kundeavgangen topper seg i måned 3 etter oppstart" in _texts(at)


def test_segment_value_filter_keeps_one_group(app_test):
    at = app_test(dataset=_tenure_only())
    at.switch_page(PAGE)
    at.run()
    at.selectbox(key="when_segment").set_value("Contract").run()
    at.multiselect(key="when_values").set_value(["Two year"]).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 1


def _event_log_only() -> Dataset:
    """150 retail customers with an order every 20 days and no cancel date.

    Customer i starts on day 7·i after 2024-01-01 and orders (i % 15) + 2 times; the log ends
    on the latest order. Churn must come from inactivity.
    """
    rows = []
    for i in range(150):
        first = pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * i % 600)
        rows += [(f"k{i}", first + pd.Timedelta(days=20 * n), 250.0) for n in range(i % 15 + 2)]
    raw = pd.DataFrame(rows, columns=["kunde", "dato", "belop"]).assign(type="ordre")
    mapping = RoleMapping(
        event_customer_id="kunde",
        event_timestamp="dato",
        event_type="type",
        event_amount="belop",
        event_type_map={"ordre": "order"},
    )
    return intake.build_dataset(None, raw, mapping, name="retail")


def test_event_log_inactivity_window_changes_churn(app_test):
    data = _event_log_only()
    at = app_test(dataset=data)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    days = at.number_input(key="when_inactivity_days")
    assert days.value == data.mapping.inactivity_days == intake.default_inactivity_days(data.events)
    before = {m.label: m.value for m in at.metric}
    days.set_value(days.value + 70).run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    recent = t("when.metric_recent", "en")
    assert after[recent] != before[recent]
