"""The Why page (pages/why.py) through Streamlit's AppTest on the sample dataset."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from churn.analysis import signals
from churn.core.export import to_csv_bytes, to_excel_bytes
from churn.core.i18n import t


def _run(at):
    at.switch_page("pages/why.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _frame_with(at, column: str) -> pd.DataFrame:
    matches = [d.value for d in at.dataframe if column in d.value.columns]
    assert matches, f"no table with column {column!r}"
    return matches[0]


def test_page_shows_drivers_signals_reasons_and_call_list(app_test, sample_dataset):
    at = _run(app_test())
    assert at.title[0].value == t("why.title", "en")
    findings = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert "contract" in findings[0] and "monthly" in findings[0]
    drivers_table = _frame_with(at, "excess_churners")
    assert (drivers_table.iloc[0]["attribute"], drivers_table.iloc[0]["value"]) == (
        "contract_type",
        "monthly",
    )
    signal_table = _frame_with(at, "lift_low")
    assert len(signal_table) == len(signals.SIGNALS) and (signal_table["lift_low"] > 1).all()
    assert any("After the fact" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics[t("why.metric_active", "en")].replace(",", "")) > 1000

    # the call list on the page is exactly what low_activity_list gives, and what the export holds
    shown = _frame_with(at, t("why.call_customer", "en"))
    as_of = pd.Timestamp(sample_dataset.as_of).normalize() + pd.Timedelta(days=1)
    expected = signals.call_list_frame(
        signals.low_activity_list(sample_dataset.events, sample_dataset.customers, as_of),
        "en",
        sample_dataset,
    )
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    back = pd.read_csv(
        io.BytesIO(to_csv_bytes(shown)), encoding="utf-8-sig", dtype={expected.columns[0]: str}
    )
    signals_column = t("why.call_signals", "en")  # an empty cell reads back as NaN from CSV
    back[signals_column] = back[signals_column].fillna("")
    pd.testing.assert_frame_equal(back, shown.reset_index(drop=True), check_dtype=False)
    assert len(pd.read_excel(io.BytesIO(to_excel_bytes(shown)))) == len(shown)


@pytest.mark.slow
def test_choosing_an_attribute_shows_only_its_groups(app_test):
    """Region has no planted effect: every group is shown, none marked clearly higher or lower."""
    at = _run(app_test())
    at.selectbox(key="why_attribute").select("region").run()
    assert not at.exception
    table = _frame_with(at, "excess_churners")
    assert set(table["attribute"]) == {"region"} and len(table) >= 5
    assert set(table["status"]) <= {t("why.status_not_significant", "en"), t("why.status_small", "en")}


@pytest.mark.slow
def test_acquisition_cost_input_flags_channels(app_test):
    at = _run(app_test())
    at.number_input[0].set_value(150_000.0).run()
    assert not at.exception
    losing = [w.value for w in at.warning if "cost more to acquire" in w.value]
    assert losing and "web" in losing[0]


def test_customer_table_only_shows_drivers_and_an_empty_state(app_test, sample_dataset):
    at = _run(app_test(dataset=sample_dataset.evolve(events=None)))
    assert _frame_with(at, "excess_churners").iloc[0]["attribute"] == "contract_type"
    not_shown = [c.value for c in at.caption if c.value.startswith("Not shown for this data")]
    assert not_shown and t("why.missing_signals", "en") in not_shown[0], "says why there is no signals tab"
    labels = [tab.label for tab in at.tabs]
    assert t("why.tab_segments", "en") in labels
    assert t("why.tab_signals", "en") not in labels and t("why.tab_calls", "en") not in labels
    assert not any(t("why.call_customer", "en") in d.value.columns for d in at.dataframe)


@pytest.mark.slow
def test_norwegian_page(app_test):
    at = _run(app_test(lang="nb"))
    assert at.title[0].value == "Hvorfor slutter kundene?"
    assert any("ganger så ofte" in m.value for m in at.markdown)


@pytest.mark.slow
def test_a_client_file_reads_in_the_clients_words(app_test):
    """Telco's value column reads as 'MonthlyCharges' in the picker, the tables and the sentences."""
    from tests.test_explain_page import INTERNAL, reader_texts, telco_like

    at = _run(app_test(dataset=telco_like()))
    picker = at.selectbox(key="why_attribute")
    assert "MonthlyCharges" in picker.options
    drivers_table = _frame_with(at, "excess_churners")
    assert "MonthlyCharges" in set(drivers_table["attribute"])
    picker.set_value("monthly_value").run()  # the option's value stays the canonical column
    assert not at.exception
    assert set(_frame_with(at, "excess_churners")["attribute"]) == {"MonthlyCharges"}
    texts = reader_texts(at)
    assert any(t("why.missing_acquisition", "en") in text for text in texts)  # no channel: no channel tab
    leaked = sorted({name for name in INTERNAL for text in texts if name in text})
    assert leaked == [], leaked
