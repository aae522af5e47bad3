"""The ROI page through AppTest: works without data, reads and writes the link, reacts to inputs."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.workspace import store

PAGE = "pages/roi.py"


@pytest.fixture(scope="session")
def sample_dataset():
    """The ROI page needs no customer data, so these tests skip loading the sample."""
    return None


@pytest.fixture
def tiny_dataset() -> Dataset:
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "churned": [0, 1, 0, 1],
            "tenure_months": [12.0, 3.0, 24.0, 6.0],
        }
    )
    return Dataset(
        customers=customers,
        events=None,
        mapping=RoleMapping(customer_id="id", churn_label="churn"),
        attributes=[],
        categorical=[],
        leakage=[],
        as_of=pd.Timestamp("2026-10-31"),
        churn_definition="label",
        name="tiny",
    )


def _open(app_test, query: dict | None = None, **kwargs):
    at = app_test(dataset=None, **kwargs)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_opens_without_data_on_seed_004(app_test):
    """No dataset needed; the defaults are seed 004: 12 saved, 955,000 € net, ROI 1,469 %."""
    at = _open(app_test)
    metrics = _metrics(at)
    assert metrics["Customers saved per year"] == "12"
    assert metrics["Net benefit (1 yr)"] == "€955,000"
    assert metrics["ROI"] == "1,469%"
    assert at.query_params["n"] == "380" and at.query_params["nr"] == "0.048"
    assert len(at.get("vega_lite_chart")) == 2  # tornado and cumulative


def test_a_link_opens_the_same_scenario_in_the_widgets(app_test):
    """500 customers, churn 10 % → 5 %, fractional: 50 − 25 = 25 saved."""
    query = {
        "n": "500",
        "cr": "0.1",
        "nr": "0.05",
        "cur": "NOK",
        "rd": "f",
        "sc": "10000",
        "y": "2",
        "cac": "15000",
    }
    at = _open(app_test, query)
    assert at.number_input(key="roi_customers").value == 500
    assert at.select_slider(key="roi_churn_rate").value == pytest.approx(10.0)
    assert at.select_slider(key="roi_new_churn_rate").value == pytest.approx(5.0)
    currency = next(box for box in at.sidebar.selectbox if box.label == "Currency")
    assert currency.value == "NOK", "a shared scenario brings its currency to the workspace"
    assert at.radio(key="roi_rounding").value == "fractional"
    assert at.number_input(key="roi_setup_cost").value == 10_000
    assert at.slider(key="roi_horizon_years").value == 2
    assert at.number_input(key="roi_acquisition_cost").value == 15_000
    assert _metrics(at)["Customers saved per year"] == "25"
    assert not at.warning


def test_the_share_link_holds_the_inputs_but_not_the_workspace(app_test):
    at = _open(app_test, {"n": "500"})
    link = at.code[0].value
    assert "n=500" in link and "lang=en" in link
    assert at.session_state["ws"] not in link and "ws=" not in link
    assert any("not your workspace" in caption.value for caption in at.caption)


def test_a_hostile_link_falls_back_to_defaults_with_a_notice(app_test):
    query = {"n": "<script>alert(1)</script>", "v": "nan", "cr": "1e309", "cur": "GBP", "gm": ["0.5", "0.7"]}
    at = _open(app_test, query)
    notice = at.warning[0].value
    for label in (
        "Active customers",
        "Annual value per customer",
        "Current churn rate",
        "Currency",
        "Gross margin",
    ):
        assert label in notice
    assert "<script>" not in notice
    assert at.number_input(key="roi_customers").value == 380
    assert _metrics(at)["Net benefit (1 yr)"] == "€955,000"
    assert at.query_params["n"] == "380"


def test_moving_a_slider_changes_the_net_benefit_and_the_link(app_test):
    """New churn 4.8 % → 3.2 %: 380 × 3.2 % = 12.16 → 12 lost, 18 saved,
    18 × 85,000 − 65,000 = 1,465,000."""
    at = _open(app_test)
    at.select_slider(key="roi_new_churn_rate").set_value(3.2).run()
    assert not at.exception
    assert _metrics(at)["Net benefit (1 yr)"] == "€1,465,000"
    assert at.query_params["nr"] == "0.032"


def test_norwegian_formats(app_test):
    at = _open(app_test, {"cur": "NOK"}, lang="nb")
    assert _metrics(at)["Netto gevinst (1 år)"].replace("\xa0", " ") == "955 000 kr"
    assert at.title[0].value == "ROI: hva er arbeidet mot kundeavgang verdt?"


def test_seed_preset_is_one_click(app_test):
    at = _open(app_test, {"n": "500", "cr": "0.2"})
    at.button[0].click().run()
    assert at.number_input(key="roi_customers").value == 380
    assert _metrics(at)["Net benefit (1 yr)"] == "€955,000"


def test_cost_preset_sets_the_midpoints(app_test):
    """100–250 employees: set-up (25,000 + 45,000) / 2 = 35,000, monthly (4,000 + 8,000) / 2 = 6,000."""
    at = _open(app_test)
    at.button[2].click().run()
    assert at.number_input(key="roi_setup_cost").value == 35_000
    assert at.number_input(key="roi_monthly_cost").value == 6_000


def test_save_variants_and_compare_them(app_test):
    at = _open(app_test)
    next(b for b in at.button if b.label.startswith("Save conservative")).click().run()
    assert not at.exception
    names = [s["name"] for s in store.list_scenarios(at.session_state["ws"])]
    assert names == ["Conservative", "Base", "Optimistic"]
    comparison = at.table[-1].value
    assert list(comparison.columns) == names
    assert len(at.get("vega_lite_chart")) == 3
    # Opening the conservative version: churn reduction halved, 8 % − 1.6 points = 6.4 %.
    at.selectbox(key="roi_picked").set_value("Conservative").run()
    next(b for b in at.button if b.label == "Open").click().run()
    assert not at.exception
    assert at.select_slider(key="roi_new_churn_rate").value == pytest.approx(6.4)
    assert at.query_params["nr"] == "0.064"
    next(b for b in at.button if b.label == "Delete").click().run()
    assert [s["name"] for s in store.list_scenarios(at.session_state["ws"])] == ["Base", "Optimistic"]


def test_expected_churn_from_the_trained_model(app_test, tiny_dataset, tiny_model):
    """Recall 0.6, success 67 %: 8 % × (1 − 0.6 × 0.67) = 4.784 %.

    The page reads the recall of the model saved for the dataset; a real tiny model
    whose stored recall is set to 0.6 makes the arithmetic exact.
    """
    model = copy.copy(tiny_model)
    model.metrics_ = {**tiny_model.metrics_, "recall": 0.6}
    at = app_test(dataset=tiny_dataset, model=model)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    at.radio(key="roi_source").set_value("model").run()
    assert not at.exception
    assert float(at.query_params["nr"]) == pytest.approx(0.04784)
