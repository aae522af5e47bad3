"""Data-quality report: pass / warn / fail with one plain sentence per check.

The thresholds are seed 004's data rules: at least 18 months of history,
under 20 % missing values, at least about 100 customers and at least 20
documented churners. On top: duplicate rows, constant columns, leakage
suspects (excluded from modelling by default) and events that could not be
attached to a customer.

Leakage suspects (:func:`leakage_suspects`) are attribute columns that

* are filled (almost) only for churned customers, or only for active ones
  (a churn reason, a cancellation note);
* alone predict churn almost perfectly (rank AUC >= 0.98);
* hold dates that for nearly every churner fall after the churn date.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import pandas as pd

from churn.core.dataset import (
    AMOUNT,
    CHURNED,
    CUSTOMER_ID,
    DAYS_LATE,
    DAYS_PER_MONTH,
    END_DATE,
    EVENT_TYPE_RAW,
    START_DATE,
    TENURE,
    TIMESTAMP,
    VALUE,
    Dataset,
)
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import t

log = logging.getLogger(__name__)

PASS, WARN, FAIL = "pass", "warn", "fail"
MIN_HISTORY_MONTHS = 18
MAX_MISSING_SHARE = 0.20
FAIL_MISSING_SHARE = 0.50
MIN_CUSTOMERS = 100
MIN_CHURNED = 20
LEAKAGE_AUC = 0.98
ONLY_FILLED_MIN = 0.3
DUPLICATE_EVENT_SHARE = 0.001
AFTER_END_SHARE = 0.9


@dataclass(frozen=True)
class Check:
    """One line of the data-quality report.

    Attributes
    ----------
    name : str
        Stable id (``history``, ``missing``, ...).
    status : str
        ``pass``, ``warn`` or ``fail``.
    message : str
        One plain sentence in the requested language.
    """

    name: str
    status: str
    message: str


# ---------------------------------------------------------------- leakage


def _rank_auc(score: pd.Series, target: pd.Series) -> float | None:
    """Area under the ROC curve of ``score`` for ``target`` (ties count half), or None."""
    mask = score.notna()
    score, target = score[mask], target[mask].astype(int)
    positives, negatives = int(target.sum()), int((1 - target).sum())
    if positives < 5 or negatives < 5:
        return None
    ranks = score.rank(method="average")
    return float((ranks[target == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def leakage_reasons(customers: pd.DataFrame, attributes: list[str]) -> dict[str, str]:
    """Attribute columns suspected of leaking the outcome, with why (``only_filled``, ``predicts``, ``after_end``).

    Example
    -------
    A ``churn_reason`` filled for 10 of 10 churners and 0 of 90 active customers:
    filled share 1.0 vs 0.0, gap 1.0 >= 0.8 -> ``{"churn_reason": "only_filled"}``.
    """
    churned = customers[CHURNED].astype(int)
    if churned.nunique() < 2:
        return {}
    reasons: dict[str, str] = {}
    is_churned = churned == 1
    for column in attributes:
        series = customers[column]
        filled = series.notna()
        share_churned, share_active = filled[is_churned].mean(), filled[~is_churned].mean()
        if max(share_churned, share_active) >= ONLY_FILLED_MIN and min(share_churned, share_active) <= 0.02:
            reasons[column] = "only_filled"
            continue
        if pd.api.types.is_datetime64_any_dtype(series) and END_DATE in customers:
            # a planned date (discount end, renewal) also lies in the future for active customers
            both = is_churned & filled & customers[END_DATE].notna()
            latest = max(customers[c].max() for c in (START_DATE, END_DATE) if c in customers)
            recorded = (
                (series[~is_churned & filled] <= latest).mean() >= 0.95
                if (~is_churned & filled).any()
                else True
            )
            after = (series[both] > customers.loc[both, END_DATE]).mean() if both.any() else 0.0
            if both.sum() >= 10 and recorded and after >= AFTER_END_SHARE:
                reasons[column] = "after_end"
                continue
        if filled.mean() < 0.5:
            continue
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            score = series.astype(float)
        elif pd.api.types.is_datetime64_any_dtype(series):
            score = series.astype("int64").where(filled).astype(float)
        else:
            levels = series.astype(object).where(filled, "\x00missing")
            if levels.nunique() > max(2, len(levels) // 20):
                continue
            score = churned.groupby(levels).transform("mean")
        auc = _rank_auc(score, churned)
        if auc is not None and max(auc, 1 - auc) >= LEAKAGE_AUC:
            reasons[column] = "predicts"
    return reasons


def leakage_suspects(customers: pd.DataFrame, attributes: list[str]) -> list[str]:
    """Names of the attribute columns :func:`leakage_reasons` flags, in column order."""
    reasons = leakage_reasons(customers, attributes)
    return [c for c in attributes if c in reasons]


# ---------------------------------------------------------------- measures


def history_months(dataset: Dataset) -> float | None:
    """Months from the earliest start or event date to ``as_of`` (None without dates)."""
    firsts = []
    if dataset.has_dates:
        firsts.append(dataset.customers[START_DATE].min())
    if dataset.has_events:
        firsts.append(dataset.events[TIMESTAMP].min())
    if not firsts or dataset.as_of is None:
        return None
    return float((dataset.as_of - min(firsts)).days / DAYS_PER_MONTH)


def missing_by_column(dataset: Dataset) -> pd.Series:
    """Share of missing values per customer column used for analysis (end date and leakage excluded)."""
    columns = [c for c in (START_DATE, TENURE, VALUE) if c in dataset.customers]
    columns += dataset.model_attributes
    if not columns:
        return pd.Series(dtype=float)
    return dataset.customers[columns].isna().mean()


def missing_share(dataset: Dataset) -> float:
    """Share of missing cells over the columns of :func:`missing_by_column`."""
    shares = missing_by_column(dataset)
    return float(shares.mean()) if len(shares) else 0.0


def _names(columns, limit: int = 3) -> str:
    shown = [f"'{c}'" for c in list(columns)[:limit]]
    more = len(columns) - limit
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


# ---------------------------------------------------------------- checks


def _history_check(dataset: Dataset, lang: str) -> Check:
    months = history_months(dataset)
    if months is None:
        return Check("history", WARN, t("quality.history_unknown", lang))
    values = {"months": fmt_number(months, lang, 0), "minimum": MIN_HISTORY_MONTHS}
    if months >= MIN_HISTORY_MONTHS:
        return Check("history", PASS, t("quality.history_pass", lang, **values))
    return Check("history", WARN, t("quality.history_warn", lang, **values))


def _missing_check(dataset: Dataset, lang: str) -> Check:
    shares = missing_by_column(dataset)
    share = float(shares.mean()) if len(shares) else 0.0
    worst = shares.idxmax() if len(shares) and shares.max() > 0 else None
    user_names = {
        START_DATE: dataset.mapping.start_date,
        TENURE: dataset.mapping.tenure,
        VALUE: dataset.mapping.value,
    }
    worst = user_names.get(worst) or worst
    values = {"share": fmt_pct(share, lang), "limit": fmt_pct(MAX_MISSING_SHARE, lang, 0)}
    if share < MAX_MISSING_SHARE:
        key = "quality.missing_pass"
        status = PASS
    else:
        key = "quality.missing_warn"
        status = FAIL if share >= FAIL_MISSING_SHARE else WARN
    message = t(key, lang, **values)
    if worst is not None and shares.max() >= 0.05:
        message += " " + t("quality.missing_worst", lang, column=worst, share=fmt_pct(shares.max(), lang))
    return Check("missing", status, message)


def _size_checks(dataset: Dataset, lang: str) -> list[Check]:
    customers = len(dataset.customers)
    churned = int(dataset.customers[CHURNED].sum())
    size = {"count": fmt_number(customers, lang), "minimum": MIN_CUSTOMERS}
    lost = {"count": fmt_number(churned, lang), "minimum": MIN_CHURNED}
    return [
        Check(
            "customers",
            PASS if customers >= MIN_CUSTOMERS else WARN,
            t(
                "quality.customers_pass" if customers >= MIN_CUSTOMERS else "quality.customers_warn",
                lang,
                **size,
            ),
        ),
        Check(
            "churned",
            PASS if churned >= MIN_CHURNED else (WARN if churned > 0 else FAIL),
            t("quality.churned_pass" if churned >= MIN_CHURNED else "quality.churned_warn", lang, **lost),
        ),
    ]


def _duplicate_check(dataset: Dataset, raw_customers: pd.DataFrame | None, lang: str) -> Check:
    rows = 0 if raw_customers is None else int(raw_customers.duplicated().sum())
    events = 0
    if dataset.has_events:
        columns = [CUSTOMER_ID, TIMESTAMP, EVENT_TYPE_RAW, AMOUNT, DAYS_LATE]
        events = int(dataset.events.duplicated(subset=columns).sum())
    few_events = dataset.has_events and events < DUPLICATE_EVENT_SHARE * len(dataset.events)
    if rows == 0 and (events == 0 or few_events):
        key = "quality.duplicates_few" if events else "quality.duplicates_pass"
        return Check("duplicates", PASS, t(key, lang, events=fmt_number(events, lang)))
    parts = []
    if rows:
        parts.append(t("quality.duplicates_rows", lang, rows=fmt_number(rows, lang)))
    if events and not few_events:
        parts.append(t("quality.duplicates_events", lang, events=fmt_number(events, lang)))
    return Check("duplicates", WARN, " ".join(parts))


def _constant_check(dataset: Dataset, lang: str) -> Check:
    constant = [c for c in dataset.attributes if dataset.customers[c].nunique(dropna=True) <= 1]
    if not constant:
        return Check("constant", PASS, t("quality.constant_pass", lang))
    return Check("constant", WARN, t("quality.constant_warn", lang, columns=_names(constant)))


def _leakage_check(dataset: Dataset, lang: str) -> Check:
    if not dataset.leakage:
        return Check("leakage", PASS, t("quality.leakage_pass", lang))
    reasons = leakage_reasons(dataset.customers, dataset.leakage)
    parts = [t(f"quality.leakage_{reasons.get(c, 'predicts')}", lang, column=c) for c in dataset.leakage[:3]]
    return Check("leakage", WARN, t("quality.leakage_warn", lang, reasons="; ".join(parts)))


def _event_check(dataset: Dataset, raw_events: pd.DataFrame | None, lang: str) -> Check | None:
    if raw_events is None or not len(raw_events):
        return None
    kept = len(dataset.events) if dataset.events is not None else 0
    dropped = len(raw_events) - kept
    if dropped <= 0:
        return Check("events", PASS, t("quality.events_pass", lang, count=fmt_number(kept, lang)))
    return Check(
        "events",
        WARN,
        t(
            "quality.events_warn",
            lang,
            dropped=fmt_number(dropped, lang),
            total=fmt_number(len(raw_events), lang),
        ),
    )


def quality_checks(
    dataset: Dataset,
    raw_customers: pd.DataFrame | None = None,
    raw_events: pd.DataFrame | None = None,
    lang: str = "en",
) -> list[Check]:
    """Run every data-quality check on a dataset.

    Parameters
    ----------
    dataset : Dataset
        The built dataset.
    raw_customers, raw_events : pd.DataFrame, optional
        The typed tables as read (before building), for checks on what was
        dropped (duplicate raw rows, events of unknown customers).
    lang : str
        Language of the messages.

    Returns
    -------
    list[Check]
        history, missing, customers, churned, duplicates, constant, leakage
        and (with ``raw_events``) events.
    """
    checks = [
        _history_check(dataset, lang),
        _missing_check(dataset, lang),
        *_size_checks(dataset, lang),
        _duplicate_check(dataset, raw_customers, lang),
        _constant_check(dataset, lang),
        _leakage_check(dataset, lang),
        _event_check(dataset, raw_events, lang),
    ]
    return [c for c in checks if c is not None]


def verdict(checks: list[Check]) -> str:
    """The worst status among ``checks`` (``fail`` > ``warn`` > ``pass``)."""
    statuses = {c.status for c in checks}
    return FAIL if FAIL in statuses else WARN if WARN in statuses else PASS


def roles_summary(dataset: Dataset) -> dict:
    """The confirmed roles without empty entries (for display and JSON)."""
    return {k: v for k, v in dataset.mapping.to_dict().items() if v not in (None, [], {}, ())}


def profile(
    dataset: Dataset,
    lang: str = "en",
    raw_customers: pd.DataFrame | None = None,
    raw_events: pd.DataFrame | None = None,
) -> dict:
    """A JSON-ready profile of a dataset: size, churn, history, missing values, roles and checks.

    Returns
    -------
    dict
        ``name, rows`` (customer rows + event rows), ``customers, churned, churn_rate,
        events, history_months, missing_share, as_of, churn_definition, roles,
        attributes, categorical, leakage, checks`` (list of name/status/message) and
        ``verdict``.

    Example
    -------
    100 customers of whom 25 churned: ``churn_rate`` = 25 / 100 = 0.25.
    """
    customers = len(dataset.customers)
    churned = int(dataset.customers[CHURNED].sum())
    events = len(dataset.events) if dataset.events is not None else 0
    checks = quality_checks(dataset, raw_customers, raw_events, lang)
    months = history_months(dataset)
    return {
        "name": dataset.name,
        "rows": customers + events,
        "customers": customers,
        "churned": churned,
        "churn_rate": round(churned / customers, 4) if customers else None,
        "events": events,
        "history_months": None if months is None else round(months, 1),
        "missing_share": round(missing_share(dataset), 4),
        "as_of": None if dataset.as_of is None else dataset.as_of.date().isoformat(),
        "churn_definition": dataset.churn_definition,
        "roles": roles_summary(dataset),
        "attributes": list(dataset.attributes),
        "categorical": list(dataset.categorical),
        "leakage": list(dataset.leakage),
        "checks": [asdict(c) for c in checks],
        "verdict": verdict(checks),
    }
