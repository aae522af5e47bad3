"""The workshop report: every section, inline SVG, offline, escaped, pseudonymised; PDF (churn/report/builder.py).

The command line is in tests/test_cli_report.py."""

from __future__ import annotations

import html as html_lib
import re

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import CHURN_FROM_END_DATE, DAYS_PER_MONTH, Dataset, RoleMapping
from churn.core.export import pseudonymise
from churn.core.formatting import fmt_money
from churn.core.i18n import t
from churn.report.builder import SECTIONS, ReportError, build_report, make_report, pdf_available, report_pdf
from churn.value.roi import RoiInputs
from churn.value.scenarios import encode_query

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
AS_OF = pd.Timestamp("2026-06-30")
SEED_SCENARIO = {"name": "Seed 004", "params": encode_query(RoiInputs())}


@pytest.fixture(scope="session")
def small_sample(sample_dataset) -> Dataset:
    """The first 400 customers of the sample and their events (keeps each report around a second)."""
    customers = sample_dataset.customers.head(400).reset_index(drop=True)
    events = sample_dataset.events[sample_dataset.events["customer_id"].isin(customers["customer_id"])]
    return sample_dataset.evolve(customers=customers, events=events.reset_index(drop=True), name="sample-400")


def hostile_dataset() -> Dataset:
    """240 hand-made customers whose column name, segment value, id and dataset name are markup.

    Customer ``<script>…`` is active and changed contact person 10 days before ``as_of``, so the
    warning-signal list (no model) names it.
    """
    rng = np.random.default_rng(7)
    n = 240
    ids = [SCRIPT, IMG] + [f"K{i:04d}" for i in range(n - 2)]
    start = AS_OF - pd.to_timedelta(rng.integers(60, 900, n), unit="D")
    churned = (rng.uniform(size=n) < 0.35).astype(int)
    churned[:2] = 0
    lived = pd.to_timedelta(rng.integers(20, 400, n), unit="D")
    end = pd.Series(np.where(churned == 1, start + lived, pd.NaT), dtype="datetime64[ns]")
    end = end.where(end < AS_OF)
    churned = end.notna().astype(int).to_numpy()
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "start_date": start,
            "end_date": end,
            "churned": churned,
            "tenure_months": ((end.fillna(AS_OF) - pd.Series(start)).dt.days / DAYS_PER_MONTH).to_numpy(),
            "monthly_value": rng.integers(500, 5000, n).astype(float),
            SCRIPT: rng.choice([IMG, "Basis", "Pro"], n),
        }
    )
    events = pd.DataFrame(
        {
            "customer_id": [SCRIPT, SCRIPT, IMG] + ids[2:60],
            "timestamp": [
                AS_OF - pd.Timedelta(days=10),
                AS_OF - pd.Timedelta(days=200),
                AS_OF - pd.Timedelta(days=5),
            ]
            + [AS_OF - pd.Timedelta(days=int(d)) for d in rng.integers(1, 300, 58)],
            "event_type": ["contact_change", "order", "contact_change"] + ["order"] * 58,
        }
    )
    events["event_type_raw"] = events["event_type"]
    events["amount"] = np.nan
    events["days_late"] = np.nan
    return Dataset(
        customers=customers,
        events=events,
        mapping=RoleMapping(customer_id="id", segments=(SCRIPT,)),
        attributes=[SCRIPT],
        categorical=[SCRIPT],
        leakage=[],
        as_of=AS_OF,
        churn_definition=CHURN_FROM_END_DATE,
        name=f"clients {SCRIPT}",
    )


@pytest.fixture(scope="module")
def reports(small_sample) -> dict[str, str]:
    """One full report per language (no model, the seed 004 scenario), built once."""
    return {
        lang: build_report(
            small_sample, lang=lang, scenarios=[SEED_SCENARIO], generated_at=pd.Timestamp("2026-11-23")
        )
        for lang in ("en", "nb")
    }


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_every_section_heading_is_there(reports, lang):
    page = reports[lang]
    for key in (*SECTIONS, "settings"):
        assert html_lib.escape(t(f"report.section_{key}", lang)) in page, key
    assert f'<html lang="{lang}">' in page


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_charts_are_inline_svg_and_nothing_is_fetched(reports, lang):
    page = reports[lang]
    assert page.count("<svg") >= 5  # trend, cohorts, survival, risk by tenure, drivers, signals
    assert "<img" not in page and "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r"https?://", page), "no external URL of any kind"
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page)
    assert "@import" not in page


def test_roi_scenario_matches_seed_004(reports):
    """Seed 004: 380 × 8 % = 30.4 → 30 lost; 380 × 4.8 % = 18.24 → 18; 12 saved × 85,000 € = 1,020,000 €
    saved; minus 65,000 € set-up = 955,000 € net benefit; ROI 955,000 / 65,000 = 1,469 %."""
    assert fmt_money(955_000, "EUR", "en") in reports["en"]
    assert fmt_money(955_000, "EUR", "nb") in reports["nb"]  # 955 000 € with non-breaking spaces
    assert "1,469%" in reports["en"]


def test_sections_that_do_not_apply_say_so(small_sample):
    no_events = small_sample.evolve(events=None)
    page = build_report(no_events, lang="nb", sections=["why", "model", "customers", "roi"])
    for key in ("no_events", "no_model", "no_customers", "no_scenarios"):
        assert html_lib.escape(t(f"report.{key}", "nb")) in page, key
    assert html_lib.escape(t("report.section_when", "nb")) not in page


def test_section_choice_and_unknown_section(small_sample):
    report = make_report(small_sample, sections=["roi"], scenarios=[SEED_SCENARIO])
    assert [key for key, _ in report.sections] == ["roi", "settings"]
    with pytest.raises(ReportError, match="Unknown report section 'cohorts'"):
        make_report(small_sample, sections=["cohorts"])


def test_markup_in_the_data_comes_out_escaped():
    page = build_report(hostile_dataset(), scenarios=[{"name": IMG, "params": {}}])
    for evil in (SCRIPT, IMG):
        assert evil not in page
        assert "onerror=alert(1)>" not in page
    escaped = html_lib.escape(SCRIPT)
    assert f"clients {escaped}" in page  # dataset name
    assert f">{escaped}</td>" in page  # the customer id in the at-risk list
    assert f"{escaped} = " in page  # the column name in the drivers chart labels (SVG text)
    assert html_lib.escape(IMG) in page  # segment value and scenario name
    assert "<script" not in page.lower()


def test_pseudonymised_ids_never_show_the_real_ones():
    data = hostile_dataset().evolve(name="clients")
    page = build_report(data, sections=["customers"], pseudonymise_ids=True, secret="workshop-key")
    pseudonyms = pseudonymise(pd.Series([SCRIPT, IMG]), "workshop-key")
    assert all(p in page for p in pseudonyms)
    assert html_lib.escape(SCRIPT) not in page and html_lib.escape(IMG) not in page
    assert html_lib.escape(t("report.ids_pseudonymised", "en")) in page


def test_pdf_starts_with_pdf_marker(small_sample):
    if not pdf_available():
        pytest.skip("WeasyPrint or its Pango library cannot be loaded on this machine")
    pdf = report_pdf(build_report(small_sample, sections=["roi"], scenarios=[SEED_SCENARIO]))
    assert pdf.startswith(b"%PDF")


def test_pdf_without_weasyprint_is_one_sentence(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)  # import now raises ImportError
    assert not pdf_available()
    with pytest.raises(ReportError, match=r"^PDF export needs WeasyPrint.*\.$"):
        report_pdf("<p>x</p>")


# ---------------------------------------------------------------- with a trained model


@pytest.fixture(scope="module")
def tiny_model(small_sample):
    from churn.model.churn_model import ChurnModel

    return ChurnModel(iterations=20, depth=4, random_seed=0).fit(small_sample)


@pytest.mark.slow
def test_model_sections_with_a_trained_model(small_sample, tiny_model):
    report = make_report(
        small_sample, model=tiny_model, pseudonymise_ids=True, secret="k", sections=["model", "customers"]
    )
    page = report.html
    for name in ("catboost", "logistic", "rule"):
        assert html_lib.escape(t(f"report.approach_{name}", "en")) in page
    assert html_lib.escape(t("report.col_reasons", "en")) in page
    assert t("report.no_model", "en") not in page
    ids = small_sample.customers["customer_id"].astype(str)
    assert not any(f">{i}<" in page for i in ids)
    assert any(label == t("report.fig_auc", "en") for label, _ in report.key_numbers)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_client_file_reads_in_the_clients_words(lang):
    """Telco's headers reach the report (drivers, reasons); no internal column name does."""
    from churn.model.churn_model import ChurnModel
    from tests.test_explain_page import telco_like

    data = telco_like()
    report = build_report(data, lang, ChurnModel(iterations=20).fit(data))
    body = re.sub(r"<style.*?</style>", " ", report, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "\n", body))
    assert "MonthlyCharges" in text and "tenure: " in text  # a driver group, a reason sentence
    leaked = [
        name for name in ("tenure_months", "monthly_value", "customer_id", "start_date") if name in text
    ]
    assert leaked == []


@pytest.mark.slow
def test_a_norwegian_report_writes_every_number_the_norwegian_way(sample_dataset, tiny_model):
    """With a model and a scenario: no decimal point, no comma between thousands, no "None"/"nan",
    no internal name and no source tag anywhere in the visible text of a Norwegian report
    (the checks of the browser walk in tests/client_ready.py, on the report's own text)."""
    from tests.client_ready import text_violations

    html = build_report(
        sample_dataset,
        lang="nb",
        model=tiny_model,
        scenarios=[{**SEED_SCENARIO, "name": "Regneeksempel"}],
        generated_at=pd.Timestamp("2026-11-23"),
    )
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]+>", "\n", html.split("<body", 1)[1])
    text = html_lib.unescape(body)
    client = sample_dataset.customers
    words = frozenset(map(str, client.columns)) | frozenset(
        str(v) for c in sample_dataset.categorical for v in client[c].dropna().unique()
    )
    problems = [p for p in text_violations(text, "nb", words) if not p.startswith("English")]
    assert problems == []
