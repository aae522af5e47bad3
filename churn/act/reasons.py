"""Plain-language reasons: readable feature labels, values and sentences, and the action list.

Model features get their names in :mod:`churn.model.features` (event counts per
window, their change, payment delay recent vs before, recency, tenure, value)
plus the dataset's own attribute columns. :func:`feature_label` turns a
feature name into words in the UI language through a small table of known
name patterns; tenure and value read as the client's own header (or the
glossary word when they were derived, see :func:`churn.core.display.column_label`),
and attribute columns keep the user's own name, as written.

A reason sentence reads "<label>: <value>[, <context>] — raises/lowers risk by
<N> points", where the context compares a recent window with the one before
when the model has both ("down 60% from the 90 days before").
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from churn.act.tiers import NO_TIER, TIERS, tier_label
from churn.core.dataset import TENURE, VALUE
from churn.core.display import HeaderSource, column_label
from churn.core.errors import SchemaError
from churn.core.export import pseudonymise, to_csv_bytes, to_excel_bytes
from churn.core.formatting import fmt_number, fmt_pct, risk_percent
from churn.core.i18n import t

#: Event-kind words used in feature names -> canonical kind (seed 004's signals).
_KIND_WORDS = {
    "orders": "order",
    "order": "order",
    "emails": "email",
    "email": "email",
    "logins": "login",
    "login": "login",
    "support_tickets": "support_ticket",
    "support_ticket": "support_ticket",
    "tickets": "support_ticket",
    "payments": "payment",
    "payment": "payment",
    "contact_changes": "contact_change",
    "contact_change": "contact_change",
    "events": "event",
    "event": "event",
    "other_events": "other",
    "other": "other",
}
_KIND = "|".join(sorted(_KIND_WORDS, key=len, reverse=True))

#: (pattern, label key, unit). Named groups: kind, days. Units drive value formatting.
_PATTERNS: list[tuple[re.Pattern, str, str]] = [
    (re.compile(rf"^(?:n_)?(?P<kind>{_KIND})(?:_count)?_(?:last_)?(?P<days>\d+)d$"), "count_window", "count"),
    (re.compile(rf"^(?:n_)?(?P<kind>{_KIND})(?:_count)?_recent$"), "count_recent", "count"),
    (re.compile(rf"^(?:n_)?(?P<kind>{_KIND})(?:_count)?_before$"), "count_before", "count"),
    (
        re.compile(rf"^(?P<kind>{_KIND})(?:_count)?(?:_(?P<days>\d+)d)?_(?:change|trend)(?:_(?P<d2>\d+)d)?$"),
        "count_change",
        "share",
    ),
    (re.compile(r"^days_late_(?:recent|(?:last_)?(?P<days>\d+)d)$"), "late_recent", "days"),
    (re.compile(r"^days_late_before$"), "late_before", "days"),
    (re.compile(r"^days_late_(?:change|trend|diff)$"), "late_change", "days_delta"),
    (re.compile(r"^days_late(?:_mean|_avg)?$"), "late_mean", "days"),
    (re.compile(rf"^days_since_(?:last_)?(?P<kind>{_KIND})$"), "days_since", "days"),
    (re.compile(rf"^(?P<kind>{_KIND})_amount_(?:last_)?(?P<days>\d+)d$"), "amount_window", "money"),
    (re.compile(rf"^(?P<kind>{_KIND})_amount_(?:trend|change)_(?P<days>\d+)d$"), "amount_trend", "share"),
    (re.compile(r"^(?P<column>.+)_days_ago$"), "days_ago", "days"),
    (re.compile(r"^(?P<column>.+)_days_until$"), "days_until", "days"),
]
#: Contributions smaller than this (in probability, i.e. 0.05 points) are not worth a sentence.
MIN_POINTS = 0.0005
#: Exact names -> label key and unit; key "column" is a customer-table column, named as the client does.
_KNOWN = {
    TENURE: ("column", "months"),
    VALUE: ("column", "money"),
    "history_days": ("history_days", "days"),
    "n_signals": ("n_signals", "count"),
    "months_to_anniversary": ("months_to_anniversary", "months"),
}


def _match(feature: str) -> tuple[str, str, dict] | None:
    """(label key, unit, groups) for a known feature name, else None."""
    if feature in _KNOWN:
        key, unit = _KNOWN[feature]
        return key, unit, {}
    for pattern, key, unit in _PATTERNS:
        found = pattern.match(feature)
        if found:
            groups = {k: v for k, v in found.groupdict().items() if v is not None}
            return key, unit, groups
    return None


def _kind_words(groups: dict, lang: str) -> dict[str, str]:
    """``kind`` (plural, capitalised: "Orders") and ``one`` (singular: "order") for templates."""
    kind = _KIND_WORDS.get(groups.get("kind", ""), "event")
    return {"kind": t(f"explain.kind_{kind}", lang), "one": t(f"explain.one_{kind}", lang)}


def feature_label(feature: str, lang: str = "en", mapping: HeaderSource = None) -> str:
    """A readable label for a model feature in ``lang``.

    Known patterns get words ("Orders last 90 days" / "Ordrer siste 90 dager");
    tenure and value get the client's header from ``mapping`` (the glossary word
    when the column was derived or no mapping is given); anything else (the
    dataset's attribute columns) keeps its own name.

    Example
    -------
    >>> feature_label("orders_90d", "nb"), feature_label("Bransje", "en")
    ('Ordrer siste 90 dager', 'Bransje')
    >>> from churn.core.dataset import RoleMapping
    >>> feature_label("tenure_months", "en", RoleMapping(tenure="Lifetime")), feature_label("tenure_months")
    ('Lifetime', 'Months as a customer')
    """
    matched = _match(feature)
    if matched is None:
        return feature
    key, _, groups = matched
    if key == "column":
        return column_label(mapping, feature, lang)
    days = groups.get("days") or groups.get("d2") or "90"
    return t(
        f"explain.feat_{key}", lang, days=days, column=groups.get("column", ""), **_kind_words(groups, lang)
    )


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(feature: str, value, lang: str = "en") -> str:
    """A feature value as text in ``lang`` (counts whole, shares as %, days, money, months)."""
    if _missing(value) or (isinstance(value, str) and value.lower() == "nan"):
        return t("explain.value_missing", lang)
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return t("explain.yes" if value else "explain.no", lang)
    matched = _match(feature)
    unit = matched[1] if matched else ""
    number = float(value)
    if unit == "share":
        return fmt_pct(number, lang, decimals=0)
    if unit in ("days", "days_delta"):
        text = fmt_number(number, lang, 0 if abs(number) >= 10 or number == int(number) else 1)
        return t("explain.n_days", lang, count=("+" + text if unit == "days_delta" and number > 0 else text))
    if unit == "months":
        return t("explain.n_months", lang, count=fmt_number(number, lang, 0))
    whole = math.isfinite(number) and number == int(number)
    return fmt_number(number, lang, 0 if whole or abs(number) >= 100 else 1)


def _sibling(feature: str, row: pd.Series) -> tuple[str, str] | None:
    """For a recent-window feature, the name of its 'before' or 'change' partner present in ``row``."""
    candidates = []
    if feature.endswith("_recent"):
        stem = feature[: -len("_recent")]
        candidates = [(stem + "_before", "before"), (stem + "_change", "change")]
    else:
        found = re.match(r"^(.*?)(\d+)d$", feature)
        if found:
            stem, days = found.group(1), found.group(2)
            candidates = [
                (f"{stem}trend_{days}d", "change"),
                (f"{stem}{days}d_change", "change"),
                (f"{stem}{days}d_trend", "change"),
                (f"{stem.rstrip('_')}_change_{days}d", "change"),
                (f"{stem}prev_{days}d", "before"),
                (f"{stem}before_{days}d", "before"),
            ]
    for name, role in candidates:
        if name in row.index and not _missing(row[name]):
            return name, role
    return None


def _context(feature: str, row: pd.Series, lang: str) -> str:
    """ ", down 60% from the 90 days before" when the row holds the comparison, else ""."""
    matched = _match(feature)
    if matched is None or matched[0] not in ("count_window", "count_recent", "late_recent", "amount_window"):
        return ""
    days = matched[2].get("days", "90")
    partner = _sibling(feature, row)
    if partner is None:
        return ""
    name, role = partner
    now = float(row[feature]) if not _missing(row[feature]) else math.nan
    if matched[0] == "late_recent":
        if role != "before":
            return ""
        return t("explain.ctx_late_before", lang, before=format_value(name, row[name], lang))
    if role == "change":
        change = float(row[name])
    else:
        before = float(row[name])
        if before == 0 or math.isnan(now):
            return ""
        change = (now - before) / before
    if abs(change) < 0.005:
        return t("explain.ctx_same", lang, days=days)
    word = "explain.ctx_up" if change > 0 else "explain.ctx_down"
    return t(word, lang, pct=fmt_pct(abs(change), lang, decimals=0), days=days)


def effect_text(points: float, lang: str = "en") -> str:
    """'raises risk by 14 points' / 'lowers risk by 0.4 points' from a probability change."""
    size = abs(points) * 100
    text = fmt_number(size, lang, 0 if size >= 1 else 1)
    key = "explain.raises" if points > 0 else "explain.lowers"
    return t(key, lang, count=text)


def reason_sentence(
    feature: str, row: pd.Series, points: float, lang: str = "en", mapping: HeaderSource = None
) -> str:
    """One reason as a sentence with the customer's actual value.

    Parameters
    ----------
    feature : str
        The model feature.
    row : pd.Series
        The customer's feature values (used for the value and any comparison window).
    points : float
        The feature's contribution in probability (0.14 = 14 percentage points).
    lang : str
        Language.
    mapping : Dataset | RoleMapping, optional
        Where the client's headers for tenure and value are read (see :func:`feature_label`).

    Example
    -------
    >>> row = pd.Series({"orders_90d": 2, "orders_90d_change": -0.6})
    >>> reason_sentence("orders_90d", row, 0.14)
    'Orders last 90 days: 2, down 60% from the 90 days before — raises risk by 14 points'
    """
    label = feature_label(feature, lang, mapping)
    value = format_value(feature, row.get(feature), lang)
    return t(
        "explain.sentence",
        lang,
        label=label,
        value=value,
        context=_context(feature, row, lang),
        effect=effect_text(points, lang),
    )


def contribution_table(
    row: pd.Series, shap_row: pd.Series, points_row: pd.Series, lang: str, mapping: HeaderSource = None
) -> pd.DataFrame:
    """One customer's contributions (feature, label, value, shap, points), largest |SHAP| first."""
    order = shap_row.abs().sort_values(ascending=False, kind="stable").index
    return pd.DataFrame(
        {
            "feature": order,
            "label": [feature_label(f, lang, mapping) for f in order],
            "value": [format_value(f, row[f], lang) for f in order],
            "shap": shap_row[order].to_numpy(),
            "points": points_row[order].to_numpy(),
        }
    ).reset_index(drop=True)


def top_sentences(
    row: pd.Series,
    contributions: pd.DataFrame,
    n: int,
    lang: str,
    raising_only: bool = False,
    mapping: HeaderSource = None,
) -> list[str]:
    """Sentences for the ``n`` first rows of a :func:`contribution_table` worth mentioning."""
    picked = contributions[contributions["points"].abs() >= MIN_POINTS]
    if raising_only:
        picked = picked[picked["points"] > 0]
    return [
        reason_sentence(feature, row, points, lang, mapping)
        for feature, points in zip(picked["feature"].head(n), picked["points"].head(n), strict=True)
    ]


def reason_table(
    frame: pd.DataFrame,
    shap: pd.DataFrame,
    points: pd.DataFrame,
    n: int,
    lang: str,
    raising_only: bool = False,
    mapping: HeaderSource = None,
) -> pd.DataFrame:
    """``reason_1..reason_n`` per customer (rows of ``frame``), strongest |SHAP| first; "" when fewer."""
    values = points.to_numpy()
    order = np.argsort(-np.abs(shap.to_numpy()), axis=1, kind="stable")
    features = np.asarray(shap.columns)
    out = []
    for i in range(len(frame)):
        row = frame.iloc[i]
        sentences = []
        for j in order[i]:
            value = values[i, j]
            if abs(value) < MIN_POINTS or (raising_only and value <= 0):
                continue
            sentences.append(reason_sentence(features[j], row, value, lang, mapping))
            if len(sentences) == n:
                break
        out.append(sentences + [""] * (n - len(sentences)))
    result = pd.DataFrame(out, index=frame.index, columns=[f"reason_{k}" for k in range(1, n + 1)])
    result.index.name = "customer_id"
    return result


# ---------------------------------------------------------------- action list

TIER_CODES = (*TIERS, NO_TIER)
#: Columns of :func:`action_list`, in display order (the segment column, when asked for, follows the id).
ACTION_COLUMNS = (
    "customer_id",
    "probability",
    "tier",
    "annual_value",
    "value_at_risk",
    "reason_1",
    "reason_2",
    "reason_3",
    "action_auto",
    "action_personal",
)


def action_list(
    scores: pd.DataFrame,
    reasons: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    segment: str | None = None,
    tiers: list[str] | None = None,
    segment_values: list[str] | None = None,
    min_value_at_risk: float | None = None,
) -> pd.DataFrame:
    """The prioritised list of active customers: risk, value at risk, reasons and action.

    Parameters
    ----------
    scores : pd.DataFrame
        From :func:`churn.model.score_customers`: ``customer_id, probability, tier,
        action_auto, action_personal, monthly_value`` (one row per active customer).
    reasons : pd.DataFrame
        From :func:`churn.act.explain.top_reasons`, indexed by customer id.
    customers : pd.DataFrame, optional
        The canonical customer frame, needed for ``segment``.
    segment : str, optional
        An attribute column to show and filter on.
    tiers, segment_values : list, optional
        Keep only these tiers / segment values (None keeps all).
    min_value_at_risk : float, optional
        Keep customers with at least this annual value at risk.

    Returns
    -------
    pd.DataFrame
        :data:`ACTION_COLUMNS` (plus ``segment``), highest value at risk first, then
        highest probability. ``value_at_risk = probability × 12 × monthly_value``
        (the yearly revenue the company expects to lose if nothing is done).
    """
    frame = _valued_with_reasons(scores, reasons)
    columns = list(ACTION_COLUMNS)
    if segment:
        frame = _with_segment(frame, customers, segment, segment_values)
        columns.insert(1, segment)
    frame = _kept_by_tier_and_value(frame, tiers, min_value_at_risk)
    frame = frame.sort_values(
        ["value_at_risk", "probability"], ascending=False, na_position="last", kind="stable"
    )
    return frame[columns].reset_index(drop=True)


def _valued_with_reasons(scores: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """The scores with annual value, value at risk and reasons joined, every action column present."""
    frame = scores.reset_index() if "customer_id" not in scores.columns else scores.copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    monthly = frame["monthly_value"] if "monthly_value" in frame else pd.Series(np.nan, index=frame.index)
    frame["annual_value"] = pd.to_numeric(monthly, errors="coerce") * 12
    frame["value_at_risk"] = frame["probability"] * frame["annual_value"]
    table = reasons.copy()
    table.index = table.index.astype(str)
    frame = frame.drop(columns=[c for c in table.columns if c in frame.columns])
    frame = frame.merge(table, left_on="customer_id", right_index=True, how="left")
    for column in ACTION_COLUMNS:
        if column not in frame:
            frame[column] = "" if column.startswith(("reason", "action")) else np.nan
    return frame


def _with_segment(
    frame: pd.DataFrame,
    customers: pd.DataFrame | None,
    segment: str,
    segment_values: list[str] | None,
) -> pd.DataFrame:
    """``frame`` with the customers' ``segment`` column added, kept to ``segment_values`` if given."""
    if customers is None or segment not in customers:
        raise SchemaError("errors.attribute_missing", column=str(segment))
    lookup = customers.assign(customer_id=customers["customer_id"].astype(str)).set_index("customer_id")
    frame[segment] = frame["customer_id"].map(lookup[segment]).astype(str)
    if segment_values:
        frame = frame[frame[segment].isin([str(v) for v in segment_values])]
    return frame


def _kept_by_tier_and_value(
    frame: pd.DataFrame, tiers: list[str] | None, min_value_at_risk: float | None
) -> pd.DataFrame:
    """The rows in one of ``tiers`` (None keeps all) with at least ``min_value_at_risk`` at risk."""
    if tiers is not None:
        frame = frame[frame["tier"].isin(tiers)]
    if min_value_at_risk:
        frame = frame[frame["value_at_risk"].fillna(0) >= min_value_at_risk]
    return frame


def export_action_list(
    frame: pd.DataFrame, lang: str = "en", fmt: str = "csv", secret: str | None = None
) -> bytes:
    """The action list as formula-safe CSV or Excel bytes with headers in ``lang``.

    Probabilities become percentages (0.715 -> 71.5). With ``secret`` the customer
    ids are replaced by stable pseudonyms (:func:`churn.core.export.pseudonymise`).
    """
    out = frame.copy()
    if secret:
        out["customer_id"] = pseudonymise(out["customer_id"], secret)
    if "probability" in out:
        out["probability"] = risk_percent(out["probability"])
    if "tier" in out:
        out["tier"] = out["tier"].map(lambda code: tier_label(code, lang) if code in TIER_CODES else code)
    for column in ("annual_value", "value_at_risk"):
        if column in out:
            out[column] = out[column].round(0)
    out = out.rename(columns={c: t(f"explain.col_{c}", lang) for c in ACTION_COLUMNS if c in out.columns})
    if fmt == "xlsx":
        return to_excel_bytes(out, sheet=t("explain.sheet_name", lang))
    return to_csv_bytes(out, lang)
