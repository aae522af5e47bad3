"""Data-quality checks: seed 004's thresholds, duplicates, constant columns and leakage suspects."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.core.dataset import Dataset, RoleMapping
from churn.core.errors import SchemaError
from churn.ingest.intake import build_dataset, load_files, read_table
from churn.ingest.quality import (
    FAIL,
    PASS,
    WARN,
    Check,
    client_columns,
    history_months,
    leakage_reasons,
    missing_by_column,
    missing_share,
    profile,
    quality_checks,
    verdict,
)


def _dataset(n: int = 200, churned: int = 40, months: int = 24, extra: dict | None = None) -> Dataset:
    """n customers starting evenly over ``months`` months; ``churned`` of them, spread out, leave after 30 days."""
    start = pd.Timestamp("2022-01-01")
    as_of = start + pd.DateOffset(months=months)
    starts = pd.Series(pd.date_range(start, as_of, periods=n))  # the last start pins as_of
    ends = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    lost = np.arange(n)[:: max(1, n // max(churned, 1))][:churned]  # spread over signup dates
    ends[lost] = starts[lost] + pd.Timedelta(days=30)
    frame = pd.DataFrame(
        {
            "id": [f"C{i}" for i in range(n)],
            "start": starts,
            "end": ends,
            "segment": np.where(np.arange(n) % 2 == 0, "A", "B"),
            **(extra or {}),
        }
    )
    return build_dataset(frame, None, RoleMapping(customer_id="id", start_date="start", end_date="end"))


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_a_healthy_dataset_passes():
    checks = _by_name(quality_checks(_dataset()))
    assert {name: c.status for name, c in checks.items()} == {
        "history": PASS,
        "missing": PASS,
        "customers": PASS,
        "churned": PASS,
        "duplicates": PASS,
        "constant": PASS,
        "leakage": PASS,
    }


@pytest.mark.parametrize(
    "kwargs,name,status",
    [
        ({"months": 12}, "history", WARN),
        ({"n": 60, "churned": 10}, "customers", WARN),
        ({"churned": 5}, "churned", WARN),
        ({"churned": 0}, "churned", FAIL),
    ],
)
def test_seed_004_thresholds(kwargs, name, status):
    assert _by_name(quality_checks(_dataset(**kwargs)))[name].status == status


def test_missing_share_golden_and_limits():
    """Columns checked: start date, segment, score (half empty): (0 + 0 + 0.5) / 3 = 0.1667 -> pass.

    Tenure is computed from the dates, so it has no client column and is not counted. Two more
    columns 90 % empty: (0 + 0 + 0.5 + 0.9 + 0.9) / 5 = 0.46 -> warn (>= 0.20, < 0.50).
    """
    half = np.where(np.arange(200) % 2 == 1, 1.0, np.nan)
    data = _dataset(extra={"score": half})
    assert missing_share(data) == pytest.approx(0.5 / 3)
    assert _by_name(quality_checks(data))["missing"].status == PASS
    sparse = np.where(np.arange(200) % 10 == 1, 1.0, np.nan)  # not aligned with the churners
    worse = _dataset(extra={"score": half, "x": sparse, "y": sparse})
    assert missing_share(worse) == pytest.approx((0.5 + 0.9 + 0.9) / 5)
    check = _by_name(quality_checks(worse))["missing"]
    assert check.status == WARN and "'x'" in check.message


def _client_table(n: int = 200) -> pd.DataFrame:
    """200 customers, every 5th left; 'Ansiennitet (mnd)' empty for 60 (30 %), 'Månedsbeløp' for 20 (10 %)."""
    rows = np.arange(n)
    return pd.DataFrame(
        {
            "Kundenr": [f"K{i}" for i in rows],
            "Sluttet": np.where(rows % 5 == 0, "Ja", "Nei"),
            "Ansiennitet (mnd)": np.where(rows % 10 < 3, np.nan, rows % 37 + 1.0),
            "Månedsbeløp": np.where(rows % 10 == 7, np.nan, 100.0 + rows % 13),
            "Bransje": np.where(rows % 3 == 0, "Handel", "Industri"),
        }
    )


CLIENT_ROLES = RoleMapping(
    customer_id="Kundenr", churn_label="Sluttet", tenure="Ansiennitet (mnd)", value="Månedsbeløp"
)


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            "13.3% of the values are missing, under the 20% limit. "
            "The emptiest column is 'Ansiennitet (mnd)' (30.0% missing).",
        ),
        (
            "nb",
            "13,3\xa0% av verdiene mangler, under grensen på 20\xa0%. "
            "Den tommeste kolonnen er «Ansiennitet (mnd)» (30,0\xa0% mangler).",
        ),
    ],
)
def test_the_missing_check_names_the_clients_columns(lang, expected):
    """Tenure 30 % empty, value 10 %, 'Bransje' 0 %: (0.3 + 0.1 + 0) / 3 = 13.3 %; the worst is the tenure."""
    data = build_dataset(_client_table(), None, CLIENT_ROLES)
    shares = missing_by_column(data)
    assert shares.to_dict() == {"Ansiennitet (mnd)": 0.3, "Månedsbeløp": 0.1, "Bransje": 0.0}
    check = _by_name(quality_checks(data, lang=lang))["missing"]
    assert check.message == expected
    assert "tenure_months" not in check.message and "monthly_value" not in check.message


def test_derived_columns_are_not_missing():
    """No tenure, value or date column: tenure_months is empty for everyone but is ours, not the client's."""
    table = _client_table()[["Kundenr", "Sluttet", "Bransje"]]
    data = build_dataset(table, None, RoleMapping(customer_id="Kundenr", churn_label="Sluttet"))
    assert data.customers["tenure_months"].isna().all()
    assert missing_by_column(data).to_dict() == {"Bransje": 0.0}
    check = _by_name(quality_checks(data))["missing"]
    assert check.message == "0.0% of the values are missing, under the 20% limit."
    assert client_columns(data) == {"customer_id": "Kundenr"}


def test_constant_columns_are_named():
    check = _by_name(quality_checks(_dataset(extra={"country": "NO"})))["constant"]
    assert check.status == WARN and "'country'" in check.message


def test_leakage_suspects_and_message():
    """A reason filled for the 40 leavers only, and a 0/1 flag equal to the label (a copy)."""
    n, churned = 200, 40
    lost = np.zeros(n, dtype=bool)
    lost[np.arange(n)[:: n // churned][:churned]] = True
    reason = np.where(lost, "price", None)
    data = _dataset(extra={"churn_reason": reason, "flag": lost.astype(float)})
    assert leakage_reasons(data.customers, data.attributes) == {
        "churn_reason": "only_filled",
        "flag": "label_copy",
    }
    assert data.leakage == ["churn_reason", "flag"]
    assert data.model_attributes == ["segment"]
    check = _by_name(quality_checks(data))["leakage"]
    assert check.status == WARN
    assert check.message == (
        "Possible leakage: 'churn_reason' (filled in for only one group), 'flag' (a copy of the churn column). "
        "These columns are excluded from modelling by default."
    )
    nb = _by_name(quality_checks(data, lang="nb"))["leakage"].message
    assert nb.startswith(
        "Mulig lekkasje: «churn_reason» (bare fylt ut for én gruppe), «flag» (en kopi av avgangskolonnen)."
    )
    report = profile(data)["leak_reasons"]
    assert [(r["column"], r["reason"], r["kept"]) for r in report] == [
        ("churn_reason", "only_filled", False),
        ("flag", "label_copy", False),
    ]
    assert report[1]["text"].startswith("'flag' recodes the churn column: '1' for those who left and '0'")


def test_suspects_the_user_kept_are_said_so():
    """The user brought 'flag' back: it is no longer excluded, and the check says it is kept anyway."""
    n, churned = 200, 40
    lost = np.zeros(n, dtype=bool)
    lost[np.arange(n)[:: n // churned][:churned]] = True
    data = _dataset(extra={"flag": lost.astype(float)})
    kept = data.evolve(mapping=replace(data.mapping, kept_suspects=("flag",)), leakage=[])
    check = _by_name(quality_checks(kept))["leakage"]
    assert check.status == WARN
    assert check.message == (
        "Kept as features at your request although they may give the outcome away: "
        "'flag' (a copy of the churn column)."
    )
    assert profile(kept)["leak_reasons"][0]["kept"] is True


def test_dates_after_the_churn_date_are_suspects_but_planned_dates_are_not():
    base = _dataset()
    end = base.customers["end_date"]
    start = base.customers["start_date"]
    final_invoice = (end + pd.Timedelta(days=20)).where(end.notna(), start + pd.Timedelta(days=10))
    discount_end = start + pd.Timedelta(days=365)  # planned: in the future for recent customers
    data = _dataset(
        extra={"final_invoice": final_invoice.to_numpy(), "discount_end": discount_end.to_numpy()}
    )
    reasons = leakage_reasons(data.customers, data.attributes)
    assert reasons.get("final_invoice") == "after_end"
    assert "discount_end" not in reasons


def test_events_left_out_and_duplicates_are_reported():
    customers = pd.DataFrame({"id": ["a", "b"], "churn": ["Ja", "Nei"], "plan": ["x", "y"]})
    events = pd.DataFrame(
        {
            "id": ["a", "a", "a", "zz"],
            "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"]),
            "type": ["Ordre", "Ordre", "Ordre", "Ordre"],
        }
    )
    mapping = RoleMapping(
        customer_id="id", churn_label="churn", event_customer_id="id", event_timestamp="ts", event_type="type"
    )
    data = build_dataset(customers, events, mapping)
    checks = _by_name(quality_checks(data, customers, events))
    assert checks["events"].status == WARN and checks["events"].message.startswith("1 of 4 events")
    assert checks["duplicates"].status == WARN and "1 events appear twice" in checks["duplicates"].message


def _events_table() -> tuple[pd.DataFrame, pd.DataFrame, RoleMapping]:
    """Customers a and b; 8 events: 3 kept (a, a, b), one without id, one 'NA', one of 'zz', one dateless."""
    customers = pd.DataFrame({"id": ["a", "b"], "churn": ["Ja", "Nei"]})
    events = pd.DataFrame(
        {
            "kunde": ["a", "a", "b", None, "NA", " ", "zz", "b"],
            "tid": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-05",
                    "2024-01-09",
                    "2024-01-02",
                    "2024-01-03",
                    "2024-01-04",
                    "2024-01-06",
                    None,
                ]
            ),
        }
    )
    mapping = RoleMapping(
        customer_id="id", churn_label="churn", event_customer_id="kunde", event_timestamp="tid"
    )
    return customers, events, mapping


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            "5 of 8 events were left out: 3 without a customer id; 1 without a usable date; "
            "1 of customers not in the customer table.",
        ),
        (
            "nb",
            "5 av 8 hendelser ble utelatt: 3 uten kunde-ID; 1 uten brukbar dato; "
            "1 fra kunder som ikke finnes i kundetabellen.",
        ),
    ],
)
def test_the_event_check_says_why_events_were_left_out(lang, expected):
    """None, 'NA' and ' ' have no id (3); b's dateless row has no date (1); 'zz' is unknown (1): 5 of 8."""
    customers, events, mapping = _events_table()
    data = build_dataset(customers, events, mapping)
    assert len(data.events) == 3
    check = _by_name(quality_checks(data, customers, events, lang=lang))["events"]
    assert check.status == WARN and check.message == expected


def test_events_left_out_for_another_reason_are_counted_as_such():
    """A log the events helper trimmed by two more rows (say, cancellations): 7 of 8, 2 for other reasons."""
    customers, events, mapping = _events_table()
    data = build_dataset(customers, events, mapping)
    trimmed = data.evolve(events=data.events.iloc[:1])
    check = _by_name(quality_checks(trimmed, customers, events))["events"]
    assert check.message.startswith("7 of 8 events were left out: 3 without a customer id;")
    assert check.message.endswith("; 2 for other reasons, such as cancelled orders.")


def _numbered(raw: pd.DataFrame, mapping: RoleMapping) -> Dataset:
    """The dataset of a table without an id column (intake numbers the rows 1..n)."""
    try:
        return build_dataset(raw, None, mapping)
    except SchemaError:  # an intake that does not number rows yet: number them here
        data = build_dataset(
            raw.assign(**{"(row)": range(1, len(raw) + 1)}), None, replace(mapping, customer_id="(row)")
        )
        return data.evolve(mapping=mapping)


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            "3 rows are exact copies of another row; with no id column they were kept as separate customers, "
            "so check the export for double counting.",
        ),
        (
            "nb",
            "3 rader er nøyaktige kopier av en annen rad; uten en ID-kolonne er de beholdt som egne kunder, "
            "så sjekk eksporten for dobbelttelling.",
        ),
    ],
)
def test_exact_copies_of_numbered_rows_are_warned_about(lang, expected):
    """120 rows without an id; rows 0, 1 and 2 appear a second time at the end: 3 exact copies."""
    rows = np.arange(117)
    raw = pd.DataFrame({"Churn": rows % 4 == 0, "Age": rows + 18, "Plan": np.where(rows % 2, "A", "B")})
    raw["Churn"] = raw["Churn"].astype(int)
    raw = pd.concat([raw, raw.iloc[:3]], ignore_index=True)
    data = _numbered(raw, RoleMapping(churn_label="Churn"))
    assert len(data.customers) == 120
    check = _by_name(quality_checks(data, raw, lang=lang))["duplicates"]
    assert check.status == WARN and check.message == expected


CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


@pytest.mark.skipif(not (CORPUS / "Customer_Churn.csv").exists(), reason="../shared/corpus is not here")
def test_the_300_copied_rows_of_customer_churn_are_warned_about():
    """Customer_Churn.csv has no id and 300 rows that repeat an earlier row (EXPECTED.json's trap)."""
    raw = read_table(CORPUS / "Customer_Churn.csv")
    data = _numbered(
        raw, RoleMapping(churn_label="Churn", tenure="Subscription  Length", value="Customer Value")
    )
    check = _by_name(quality_checks(data, raw))["duplicates"]
    assert check.message.startswith("300 rows are exact copies of another row;")


def test_messages_are_localised():
    en = _by_name(quality_checks(_dataset(months=12), lang="en"))["history"].message
    nb = _by_name(quality_checks(_dataset(months=12), lang="nb"))["history"].message
    assert "months of history" in en and "måneder med historikk" in nb


def test_verdict_is_the_worst_status():
    assert verdict([Check("a", PASS, ""), Check("b", WARN, "")]) == WARN
    assert verdict([Check("a", FAIL, ""), Check("b", WARN, "")]) == FAIL
    assert verdict([Check("a", PASS, "")]) == PASS


def test_profile_of_the_sample(sample_dataset):
    result = profile(sample_dataset)
    assert result["customers"] == len(sample_dataset.customers)
    assert result["churn_rate"] == pytest.approx(result["churned"] / result["customers"], abs=1e-4)
    assert result["history_months"] >= 30
    assert result["roles"]["end_date"] == "cancel_date"
    assert result["leakage"] == ["churn_reason"]
    assert {c["name"] for c in result["checks"]} >= {"history", "missing", "customers", "churned", "leakage"}
    assert result["verdict"] == WARN  # the churn_reason leakage trap is flagged


# ---------------------------------------------------------------- implausible dates

HOSTILE = Path(__file__).parent / "hostile"
DATE_ROLES = RoleMapping(customer_id="Kundenr", start_date="Startdato", end_date="Sluttdato")


def _stray_dates_table() -> pd.DataFrame:
    """Ten customers starting 2023-01-01 ... 2024-06-30; customer 6 starts 1900-01-01, 7 ends 2100-12-31."""
    starts = ["2023-01-01", "2023-02-01", "2023-03-01", "2023-05-01", "2023-08-01"]
    starts += ["1900-01-01", "2023-10-01", "2024-01-01", "2024-03-01", "2024-06-30"]
    ends = ["2023-07-01", "2023-11-01", "2024-02-01", "2024-05-01", "2024-08-01"]
    ends += [None, "2100-12-31", None, None, None]
    return pd.DataFrame(
        {"Kundenr": range(1, 11), "Startdato": pd.to_datetime(starts), "Sluttdato": pd.to_datetime(ends)}
    )


def _table(starts: list[pd.Timestamp], ends: list[pd.Timestamp | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Kundenr": range(1, len(starts) + 1),
            "Startdato": pd.to_datetime(pd.Series(starts)),
            "Sluttdato": pd.to_datetime(pd.Series(ends)),
        }
    )


def _long_uniform_history() -> pd.DataFrame:
    """One start per year 1998-2024; every third customer leaves after 400 days."""
    starts = [pd.Timestamp(f"{year}-01-15") for year in range(1998, 2025)]
    ends = [s + pd.Timedelta(days=400) if i % 3 == 0 else None for i, s in enumerate(starts)]
    return _table(starts, ends)


def _founders_and_recent_customers() -> pd.DataFrame:
    """Three founding customers (1998, 1999, 2003), then one start a month 2021-01 ... 2024-01."""
    starts = [pd.Timestamp("1998-03-01"), pd.Timestamp("1999-06-01"), pd.Timestamp("2003-09-01")]
    starts += list(pd.date_range("2021-01-01", "2024-01-01", freq="MS"))
    ends = [s + pd.Timedelta(days=200) if i % 4 == 3 else None for i, s in enumerate(starts)]
    return _table(starts, ends)


def _dates_check(raw: pd.DataFrame, lang: str = "en") -> Check:
    return _by_name(quality_checks(build_dataset(raw, None, DATE_ROLES), raw, lang=lang))["dates"]


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            [
                "Column 'Startdato' has 1 date far outside the rest (1900-01-01)",
                "Column 'Sluttdato' has 1 date far outside the rest (2100-12-31)",
                "read as missing and does not set the data’s “today”",
            ],
        ),
        (
            "nb",
            [
                "Kolonnen «Startdato» har 1 dato som ligger langt unna de øvrige (01.01.1900)",
                "Kolonnen «Sluttdato» har 1 dato som ligger langt unna de øvrige (31.12.2100)",
                "regnes som et tomt felt og teller ikke med når vi finner dataenes «i dag»",
            ],
        ),
    ],
)
def test_the_dates_check_names_the_clients_column_and_the_count(lang, expected):
    check = _dates_check(_stray_dates_table(), lang)
    assert check.status == WARN
    for text in expected:
        assert text in check.message
    assert "start_date" not in check.message and "end_date" not in check.message


def test_history_uses_the_plausible_dates():
    """Earliest plausible start 2023-01-01 -> as_of 2024-08-01 = 578 days / 30.4375 = 18.99 months.

    With the 1900 start and the 2100 end it would have been about 2,412 months.
    """
    raw = _stray_dates_table()
    data = build_dataset(raw, None, DATE_ROLES)
    assert history_months(data) == pytest.approx(578 / 30.4375, abs=1e-9)
    check = _by_name(quality_checks(data, raw))["history"]
    assert check.status == PASS and "covers 19 months" in check.message


@pytest.mark.parametrize("table", [_long_uniform_history, _founders_and_recent_customers])
def test_legitimate_long_histories_get_no_date_warning(table):
    """1998-2024 one start a year: quartiles mid-2004 and mid-2017, margin 3 x 13 = 39 years.

    Founders among recent customers: lower quartile 2021-07, margin 30 years -> fence 1991-07,
    below the 1998 founder.
    """
    raw = table()
    check = _dates_check(raw)
    assert check.status == PASS and check.message == "No date lies far outside the rest or after the export."
    customers = build_dataset(raw, None, DATE_ROLES).customers
    assert customers["start_date"].notna().all()
    assert customers["end_date"].notna().sum() == raw["Sluttdato"].notna().sum()


def test_a_table_without_stray_dates_gets_no_date_warning():
    data = _dataset()
    raw = pd.DataFrame(
        {
            "id": data.customers["customer_id"],
            "start": data.customers["start_date"],
            "end": data.customers["end_date"],
        }
    )
    check = _by_name(quality_checks(data, raw))["dates"]
    assert check.status == PASS


def test_the_dates_check_needs_the_raw_tables():
    """Only the call at upload sees the raw tables; without them the check is left out."""
    data = build_dataset(_stray_dates_table(), None, DATE_ROLES)
    assert "dates" not in _by_name(quality_checks(data))


def test_end_dates_long_after_the_export_are_implausible():
    """Seven active customers carry the end date 2100-12-31 for 'no end'.

    The end column's own quartiles sit near 2100, so nothing is far outside it, but 2100 is
    more than 2 years after the export date (the latest start, 2024-09-01): 7 of 10 end dates
    (70 %, under 95 %) -> warn; the three real ends churn.
    """
    starts = list(pd.date_range("2023-12-01", "2024-09-01", freq="MS"))
    ends = [pd.Timestamp("2024-03-15"), pd.Timestamp("2024-05-15"), pd.Timestamp("2024-07-15")]
    ends += [pd.Timestamp("2100-12-31")] * 7
    raw = _table(starts, ends)
    data = build_dataset(raw, None, DATE_ROLES)
    assert data.as_of == pd.Timestamp("2024-09-01")
    assert data.customers["churned"].tolist() == [1, 1, 1] + [0] * 7
    check = _dates_check(raw)
    assert check.status == WARN
    assert "Column 'Sluttdato' has 7 dates far outside the rest (e.g. 2100-12-31)" in check.message


def test_nearly_all_dates_implausible_fails():
    """Every end date is 2100-12-31, 2 years past the export 2024-09-01: 10 of 10 >= 95 % -> fail."""
    starts = list(pd.date_range("2023-12-01", "2024-09-01", freq="MS"))
    check = _dates_check(_table(starts, [pd.Timestamp("2100-12-31")] * 10), "nb")
    assert check.status == FAIL
    assert "har 10 datoer" in check.message and "Nesten alle datoene" in check.message


def test_the_hostile_file_warns_through_intake():
    """tests/hostile/dates_implausible.csv: 30 customers 2023-2024, start 01.01.1900 and end 31.12.2100."""
    path = HOSTILE / "dates_implausible.csv"
    data = load_files(path)
    checks = _by_name(quality_checks(data, read_table(path), lang="nb"))
    assert checks["dates"].status == WARN
    assert "Kolonnen «startdato» har 1 dato" in checks["dates"].message
    assert "Kolonnen «sluttdato» har 1 dato" in checks["dates"].message
    assert "31.12.2100" in checks["dates"].message
    assert checks["history"].status == PASS and "27 måneder" in checks["history"].message
