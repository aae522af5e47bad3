"""The report's sections as plain blocks: data, when, why, ROI, settings (churn/report/sections.py)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from markupsafe import Markup

from churn.core.dataset import Dataset, RoleMapping
from churn.core.i18n import t
from churn.ingest.intake import build_dataset
from churn.ingest.roles import guess_roles
from churn.report import sections as sec
from churn.value.roi import RoiInputs
from churn.value.scenarios import encode_query

SEED_SCENARIO = {"name": "Seed 004", "params": encode_query(RoiInputs())}
HALF_SCENARIO = {"name": "Half", "params": encode_query(RoiInputs(new_churn_rate=0.04))}


def ten_customers() -> Dataset:
    """10 customers with tenure only (no dates, no events): 3 have left; tenures 1, 2, …, 10 months."""
    raw = pd.DataFrame(
        {
            "kunde": [f"K{i}" for i in range(10)],
            "plan": ["Basis", "Pro"] * 5,
            "churn": ["Yes"] * 3 + ["No"] * 7,
            "monthly_value": [100.0] * 10,
            "tenure": list(range(1, 11)),
        }
    )
    return build_dataset(raw, None, guess_roles(raw, None), name="ten")


@pytest.fixture(scope="module")
def small_sample(sample_dataset) -> Dataset:
    """The first 400 customers of the sample and their events."""
    customers = sample_dataset.customers.head(400).reset_index(drop=True)
    events = sample_dataset.events[sample_dataset.events["customer_id"].isin(customers["customer_id"])]
    return sample_dataset.evolve(customers=customers, events=events.reset_index(drop=True), name="sample-400")


@pytest.fixture(scope="module")
def sample_sections(small_sample) -> tuple[sec.Context, dict[str, dict]]:
    """Data, when and why of the 400 sample customers in English, built once on one context."""
    ctx = sec.Context(small_sample, "en")
    built = {f.__name__: f(ctx) for f in (sec.data_section, sec.when_section, sec.why_section)}
    return ctx, built


def types(section: dict) -> list[str]:
    return [block["type"] for block in section["blocks"]]


# ---------------------------------------------------------------- blocks


@pytest.mark.parametrize("key", ["data", "when", "why", "model", "customers", "roi", "settings"])
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_section_titles_come_from_the_language(key, lang):
    block = sec.section(key, lang, [sec.note("x")], lead="y")
    assert block == {
        "key": key,
        "title": t(f"report.section_{key}", lang),
        "lead": "y",
        "blocks": [sec.note("x")],
    }


def test_blocks_are_plain_dicts_of_text():
    assert sec.note("n") == {"type": "note", "text": "n"}
    assert sec.text("t") == {"type": "text", "text": "t"}
    assert sec.h3("h") == {"type": "h3", "text": "h"}
    assert sec.bullets(("a", "b")) == {"type": "list", "items": ["a", "b"]}
    assert sec.figures((("Customers", "10"),)) == {"type": "figures", "items": [("Customers", "10")]}
    assert sec.chart(Markup("<svg/>"), "c") == {"type": "chart", "svg": Markup("<svg/>"), "caption": "c"}


def test_table_cells_become_text_and_columns_default_to_left_aligned():
    block = sec.table(["a", "b"], [[1, 2.5], [None, "x"]])
    assert block["rows"] == [["1", "2.5"], ["None", "x"]]
    assert block["numeric"] == [False, False] and block["caption"] is None
    assert sec.table(["a"], [], [True], "c")["numeric"] == [True]


# ---------------------------------------------------------------- data


@pytest.mark.parametrize(
    "lang,share,tenure",
    [("en", "30.0%", "5.5 months"), ("nb", "30,0\xa0%", "5,5 måneder")],
)
def test_data_section_by_hand(lang, share, tenure):
    """3 of 10 customers left: 30.0 %; mean tenure (1 + 2 + … + 10) / 10 = 5.5 months."""
    ctx = sec.Context(ten_customers(), lang)
    section = sec.data_section(ctx)
    assert section["key"] == "data" and section["lead"] == t("report.lead_data", lang)
    assert types(section) == ["figures", "list", "h3", "text", "table"]
    figures = dict(section["blocks"][0]["items"])
    assert figures[t("report.fig_customers", lang)] == "10"
    assert figures[t("report.fig_churned", lang)] == "3"
    assert figures[t("report.fig_churned_share", lang)] == share
    assert figures[t("report.fig_events", lang)] == t("report.none", lang)
    assert any(tenure in fact for fact in section["blocks"][1]["items"])
    assert ctx.key_numbers == [
        (t("report.fig_customers", lang), "10"),
        (t("report.fig_churned_share", lang), share),
    ]


@pytest.mark.parametrize(
    "lang,fact",
    [
        (
            "en",
            "Churn is read from 'status': canceled = left; active, paused = still a customer; left out: test.",
        ),
        (
            "nb",
            "Avgang leses fra «status»: canceled = sluttet; active, paused = fortsatt kunde; holdt utenfor: test.",
        ),
    ],
)
def test_data_section_prints_the_label_values(lang, fact):
    """A status column's mapping, as confirmed on the Data page, is part of the report."""
    raw = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(8)],
            "status": ["active", "paused", "canceled", "test"] * 2,
        }
    )
    data = build_dataset(
        raw,
        None,
        RoleMapping(
            customer_id="id",
            churn_label="status",
            churned_values=("canceled",),
            active_values=("active", "paused"),
            excluded_values=("test",),
        ),
    )
    facts = sec.data_section(sec.Context(data, lang))["blocks"][1]["items"]
    assert fact in facts


def test_data_section_lists_every_quality_check(small_sample):
    from churn.ingest import quality

    section = sec.data_section(sec.Context(small_sample, "en"))
    checks = quality.profile(small_sample, "en")["checks"]
    table = section["blocks"][-1]
    assert [row[0] for row in table["rows"]] == [t(f"quality.name_{c['name']}", "en") for c in checks]


# ---------------------------------------------------------------- when and why


def test_when_section_on_the_sample_draws_four_charts(sample_sections):
    """Trend, cohorts, survival and risk by tenure, each with its own id prefix."""
    ctx, built = sample_sections
    when = built["when_section"]
    assert when["key"] == "when"
    assert types(when)[:4] == ["figures", "chart", "chart", "chart"]
    assert types(when).count("chart") == 4 and types(when)[-1] == "note"
    svgs = [b["svg"] for b in when["blocks"] if b["type"] == "chart"]
    assert all(isinstance(s, Markup) and s.startswith("<svg") for s in svgs)
    headline = [label for label, _ in when["blocks"][0]["items"]]
    assert (
        headline[0] == t("report.fig_recent_churn", "en")
        and t("report.fig_median_lifetime", "en") in headline
    )


def test_why_section_on_the_sample_has_drivers_and_signals(sample_sections):
    _, built = sample_sections
    why = built["why_section"]
    assert why["key"] == "why"
    headings = [b["text"] for b in why["blocks"] if b["type"] == "h3"]
    assert headings == [t("report.drivers_title", "en"), t("report.signals_title", "en")]
    tables = [b for b in why["blocks"] if b["type"] == "table"]
    assert len(tables) == 2  # drivers and signals
    assert len(tables[0]["rows"]) <= sec.TOP_GROUPS
    signal_names = {t(f"why.signal_{s}", "en") for s in ("fewer_orders", "contact_change", "later_payments")}
    assert signal_names & {row[0] for row in tables[1]["rows"]}


def test_the_sample_sections_add_their_headline_numbers_and_count_their_charts(sample_sections):
    ctx, built = sample_sections
    labels = [label for label, _ in ctx.key_numbers]
    assert labels[:3] == [
        t("report.fig_customers", "en"),
        t("report.fig_churned_share", "en"),
        t("report.fig_recent_churn", "en"),
    ]
    drawn = sum(b["type"] == "chart" for s in built.values() for b in s["blocks"])
    assert ctx.charts == drawn
    svgs = [str(b["svg"]) for s in built.values() for b in s["blocks"] if b["type"] == "chart"]
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in svgs]
    assert any(ids), "the cohort legend's gradient at least has an id"
    for n, own in enumerate(ids, start=1):
        assert all(i.startswith(f"c{n}-") for i in own), n  # chart n of the document has prefix cn


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_sections_without_dates_or_events_say_so(lang):
    ctx = sec.Context(ten_customers(), lang)
    when, why = sec.when_section(ctx), sec.why_section(ctx)
    assert sec.note(t("report.needs_dates", lang)) in when["blocks"]
    assert types(when).count("chart") == 2  # survival and risk by tenure need no dates
    assert why["blocks"][-1] == sec.note(t("report.no_events", lang))


def test_signal_evaluation_is_computed_once_per_context(small_sample):
    ctx = sec.Context(small_sample, "en")
    first = sec.signal_evaluation(ctx)
    assert sec.signal_evaluation(ctx) is first
    assert first.horizon_days == sec.SIGNAL_HORIZON_DAYS


# ---------------------------------------------------------------- ROI


def test_roi_section_by_hand():
    """Seed 004: 380 × 8 % = 30.4 → 30 lost; 380 × 4.8 % = 18.24 → 18; 12 saved × €85,000 = €1,020,000;
    minus €65,000 = €955,000 net, ROI 955,000 / 65,000 = 1,469 %. "Half" (4 %): 380 × 4 % = 15.2 → 15,
    15 saved × €85,000 = €1,275,000, net €1,210,000, the best of the two."""
    ctx = sec.Context(ten_customers(), "en", scenarios=[SEED_SCENARIO, HALF_SCENARIO])
    section = sec.roi_section(ctx)
    (table,) = section["blocks"]
    assert table["columns"] == ["Measure", "Seed 004", "Half"]
    assert table["numeric"] == [False, True, True]
    rows = {row[0]: row[1:] for row in table["rows"]}
    assert rows[t("report.roi_saved_customers", "en")] == ["12", "15"]
    assert rows[t("report.roi_saved_margin", "en")] == ["€1,020,000", "€1,275,000"]
    assert rows[t("report.roi_net_benefit", "en")] == ["€955,000", "€1,210,000"]
    assert rows[t("report.roi_roi", "en")][0] == "1,469%"
    assert ctx.key_numbers == [(t("report.fig_best_scenario", "en", name="Half"), "€1,210,000")]


def test_roi_section_in_norwegian_formats_money_the_norwegian_way():
    ctx = sec.Context(ten_customers(), "nb", scenarios=[SEED_SCENARIO])
    rows = {row[0]: row[1:] for row in sec.roi_section(ctx)["blocks"][0]["rows"]}
    assert rows[t("report.roi_net_benefit", "nb")] == ["955\xa0000\xa0€"]


def test_roi_section_without_scenarios_is_a_note():
    ctx = sec.Context(ten_customers(), "nb")
    assert sec.roi_section(ctx)["blocks"] == [sec.note(t("report.no_scenarios", "nb"))]
    assert ctx.key_numbers == []


# ---------------------------------------------------------------- settings


def settings_rows(lang: str, model_settings: str | None, pseudonymised: bool = False) -> dict[str, str]:
    ctx = sec.Context(ten_customers(), lang)
    section = sec.settings_section(
        ctx, pd.Timestamp("2026-11-23 14:05"), ["A", "B"], pseudonymised, model_settings
    )
    assert section["key"] == "settings"
    return dict(section["blocks"][0]["rows"])


@pytest.mark.parametrize(
    "lang,made,yes",
    [("en", "2026-11-23 14:05", "yes"), ("nb", "23.11.2026 14:05", "ja")],
)
def test_settings_section_by_hand(lang, made, yes):
    rows = settings_rows(lang, None, pseudonymised=True)
    assert rows[t("report.set_generated", lang)] == made
    assert rows[t("report.set_dataset", lang)] == "ten"
    assert rows[t("report.set_sections", lang)] == "A, B"
    assert rows[t("report.set_pseudonymised", lang)] == yes
    assert rows[t("report.set_signal_horizon", lang)] == t("report.days_value", lang, days=60)


def test_settings_section_shows_the_model_settings_only_when_given():
    assert settings_rows("en", None)["Model"] == "none"
    given = "churn within 90 days, 12 features, 20 trees, out of time"
    assert settings_rows("en", given)["Model"] == given
    assert settings_rows("nb", None)["Modell"] == "ingen"
