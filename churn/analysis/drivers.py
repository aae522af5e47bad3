"""Why customers leave: segment drivers, acquisition check and churn reasons.

Seeds 000 and 002 ask which customer groups are loyal or disloyal and whether
some acquisition channels bring customers that cost more than they are worth.
Every group gets its churn rate with a 95% Wilson interval, its lift versus the
overall rate and its *excess churners* (how many more left than the overall
rate predicts). Groups are ranked by the part of that excess that noise cannot
explain, so big, certain effects come first and small groups sink without
being hidden.

Churn reasons are after-the-fact information (a reason exists only once a
customer has left). They are described here and never used to predict.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

from churn.core.dataset import CHURNED, TENURE, VALUE, Dataset
from churn.core.display import HeaderSource, column_label
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import t

log = logging.getLogger(__name__)

Z_95 = 1.959963984540054
#: Groups with fewer customers than this are marked "small" (still shown).
MIN_GROUP_SIZE = 30
#: Numeric attributes are cut into this many quantile bins.
QUANTILE_BINS = 4
#: Numeric attributes with at most this many distinct values are treated as categories.
MAX_NUMERIC_LEVELS = 6
#: Categorical attributes keep their most common values; the rest become one group.
MAX_LEVELS = 15
#: A customer lifetime is capped at ten years when a group barely churns.
MAX_LIFETIME_MONTHS = 120.0
MISSING = "–"
OTHER = "…"

_CHANNEL = re.compile(r"channel|kanal|acquisition|anskaff|source|kilde|campaign|kampanje", re.I)
_COST = re.compile(r"\bcac\b|cost|kostnad|anskaffelseskost|pris_per_kunde", re.I)
_REASON = re.compile(r"reason|årsak|arsak|grunn|cause|why|hvorfor", re.I)


def wilson_interval(successes, n, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval for a proportion (vectorised).

    Parameters
    ----------
    successes, n : array-like
        Number of churners and group size; ``n == 0`` gives ``(nan, nan)``.
    z : float
        Normal quantile (1.96 for 95%).

    Returns
    -------
    (low, high) : tuple of np.ndarray

    Example
    -------
    >>> low, high = wilson_interval(4, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.1682, 0.6873)
    """
    x = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
        low = np.where(m > 0, np.clip(centre - half, 0, 1), np.nan)
        high = np.where(m > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def rate_ratio_interval(a, n1, c, n2, z: float = Z_95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Risk ratio ``(a/n1)/(c/n2)`` with a Katz log interval (vectorised).

    A zero count gets the usual 0.5 correction so the interval stays finite.

    Example
    -------
    >>> rr, low, high = rate_ratio_interval(20, 100, 10, 100)
    >>> round(float(rr), 2), round(float(low), 2), round(float(high), 2)
    (2.0, 0.99, 4.05)
    """
    a, n1, c, n2 = (np.asarray(v, dtype=float) for v in (a, n1, c, n2))
    zero = (a == 0) | (c == 0)
    a_, c_ = np.where(zero, a + 0.5, a), np.where(zero, c + 0.5, c)
    n1_, n2_ = np.where(zero, n1 + 1, n1), np.where(zero, n2 + 1, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a / n1) / (c / n2)
        log_rr = np.log((a_ / n1_) / (c_ / n2_))
        se = np.sqrt(1 / a_ - 1 / n1_ + 1 / c_ - 1 / n2_)
        low, high = np.exp(log_rr - z * se), np.exp(log_rr + z * se)
    valid = (n1 > 0) & (n2 > 0)
    return (np.where(valid, ratio, np.nan), np.where(valid, low, np.nan), np.where(valid, high, np.nan))


def group_rates(churned: pd.Series, groups: pd.Series, overall: float | None = None) -> pd.DataFrame:
    """Churn statistics per group: count, churners, rate, Wilson interval, lift, excess.

    ``excess_churners = churned - customers * overall``; ``effect`` is the part of
    the excess beyond the interval edge (0 when the interval holds the overall rate),
    so it only counts churners that noise cannot explain.
    """
    frame = pd.DataFrame({"value": groups.to_numpy(), "churned": churned.to_numpy(dtype=float)})
    stats = frame.groupby("value", sort=False, observed=True)["churned"].agg(["size", "sum"])
    stats.columns = ["customers", "churned"]
    stats["churned"] = stats["churned"].round().astype(int)
    overall = float(churned.mean()) if overall is None else overall
    rate = stats["churned"] / stats["customers"]
    low, high = wilson_interval(stats["churned"], stats["customers"])
    stats["churn_rate"], stats["ci_low"], stats["ci_high"] = rate, low, high
    stats["lift"] = rate / overall if overall > 0 else np.nan
    stats["excess_churners"] = stats["churned"] - stats["customers"] * overall
    above = np.clip(low - overall, 0, None)
    below = np.clip(overall - high, 0, None)
    stats["effect"] = (above - below) * stats["customers"]
    stats["significant"] = (low > overall) | (high < overall)
    stats["small"] = stats["customers"] < MIN_GROUP_SIZE
    return stats.reset_index()


def _fmt_edge(value: float, lang: str) -> str:
    decimals = 0 if abs(value) >= 100 or float(value).is_integer() else (1 if abs(value) >= 10 else 2)
    return fmt_number(value, lang, decimals)


def attribute_groups(values: pd.Series, lang: str = "en", bins: int = QUANTILE_BINS) -> tuple[pd.Series, str]:
    """Turn one attribute into group labels; numeric attributes are cut into quantiles.

    Returns the labels (same index, ``"–"`` for missing) and the kind
    (``"numeric"`` or ``"categorical"``). Numeric labels give the smallest and
    largest value in the bin (``"12–24"``) and are ordered categories, so charts
    keep the bins in order.
    """
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and values.nunique() > MAX_NUMERIC_LEVELS:
        cut = pd.qcut(values, q=bins, duplicates="drop")
        span = values.groupby(cut, observed=False).agg(["min", "max"])
        labels = [
            _fmt_edge(low, lang) if low == high else f"{_fmt_edge(low, lang)}–{_fmt_edge(high, lang)}"
            for low, high in zip(span["min"], span["max"], strict=True)
        ]
        if len(set(labels)) < len(labels):  # rounding made two bins look alike: number them
            labels = [f"{i + 1}: {label}" for i, label in enumerate(labels)]
        cut = cut.cat.rename_categories(labels)
        if values.isna().any():
            cut = cut.cat.add_categories([MISSING]).fillna(MISSING)
        return cut, "numeric"
    text = values.astype("string").str.strip().fillna(MISSING).replace("", MISSING)
    counts = text.value_counts()
    if len(counts) > MAX_LEVELS:
        keep = set(counts.index[:MAX_LEVELS])
        text = text.where(text.isin(keep), OTHER)
    return text.astype(object), "categorical"


def driver_attributes(dataset: Dataset) -> list[str]:
    """Attributes to analyse as segments: all but leakage suspects and dates, plus monthly value."""
    frame = dataset.customers
    names = [
        c
        for c in dataset.attributes
        if c in frame and c not in dataset.leakage and not pd.api.types.is_datetime64_any_dtype(frame[c])
    ]
    if dataset.has_value and VALUE not in names:
        names.append(VALUE)
    return names


def segment_drivers(
    customers: pd.DataFrame,
    attributes: list[str],
    lang: str = "en",
    bins: int = QUANTILE_BINS,
    mapping: HeaderSource = None,
) -> pd.DataFrame:
    """Churn rate per value of every attribute, ranked by real effect.

    Parameters
    ----------
    customers : pd.DataFrame
        Canonical customer frame (needs ``churned``).
    attributes : list[str]
        Columns to analyse (see :func:`driver_attributes`).
    lang : str
        Language of numeric bin labels and of ``label``.
    bins : int
        Quantile bins for numeric attributes.
    mapping : Dataset | RoleMapping, optional
        Where the client's header of the value column is read for ``label``.

    Returns
    -------
    pd.DataFrame
        One row per (attribute, value): ``label`` (the attribute as the reader knows it:
        the client's header, see :func:`churn.core.display.column_label`), ``customers, churned, churn_rate, ci_low,
        ci_high, lift, excess_churners, effect, significant, small, kind,
        value_order, attribute_strength``; sorted by ``|effect|`` (largest first)
        and numbered in ``rank``.
    """
    churned = customers[CHURNED].astype(float)
    overall = float(churned.mean()) if len(churned) else np.nan
    parts = []
    for name in attributes:
        if name not in customers or customers[name].notna().sum() == 0:
            continue
        labels, kind = attribute_groups(customers[name], lang, bins)
        if labels.nunique() < 2:
            continue
        stats = group_rates(churned, labels, overall)
        if kind == "numeric":
            order = {v: i for i, v in enumerate(labels.cat.categories)}
        else:
            order = {v: i for i, v in enumerate(stats.sort_values("churn_rate", ascending=False)["value"])}
        stats["value_order"] = stats["value"].map(order).astype(int)
        stats["value"] = stats["value"].astype(str)
        stats.insert(0, "attribute", name)
        stats.insert(1, "label", column_label(mapping, name, lang))
        stats["kind"] = kind
        stats["attribute_strength"] = stats["effect"].abs().sum() / 2
        parts.append(stats)
    if not parts:
        return pd.DataFrame(
            columns=["rank", "attribute", "label", "value", "customers", "churned", "churn_rate"]
        )
    table = pd.concat(parts, ignore_index=True)
    order = table["effect"].abs().sort_values(ascending=False, kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["overall_rate"] = overall
    return table


def top_findings(drivers: pd.DataFrame, lang: str = "en", top: int = 3) -> list[str]:
    """One plain sentence per strongest attribute: its highest- versus lowest-churning group.

    Only attributes with at least one significant, non-small group are described;
    the comparison uses groups with at least :data:`MIN_GROUP_SIZE` customers.
    Attributes are named by the table's ``label`` (the client's header) when it has one.

    Example sentence: "Customers with contract_type “monthly” churn 2.9× as often as
    those with “annual” (41% vs 14%, n=1,204)."
    """
    if drivers.empty:
        return []
    real = drivers[drivers["significant"] & ~drivers["small"]]
    ranked = real.groupby("attribute")["attribute_strength"].first().sort_values(ascending=False)
    sentences = []
    for name in ranked.index[:top]:
        groups = drivers[(drivers["attribute"] == name) & ~drivers["small"] & (drivers["value"] != MISSING)]
        if len(groups) < 2:
            continue
        high = groups.loc[groups["churn_rate"].idxmax()]
        low = groups.loc[groups["churn_rate"].idxmin()]
        values = {
            "attribute": groups["label"].iloc[0] if "label" in groups else name,
            "high": high["value"],
            "low": low["value"],
            "high_rate": fmt_pct(high["churn_rate"], lang, 0),
            "low_rate": fmt_pct(low["churn_rate"], lang, 0),
            "n": fmt_number(high["customers"], lang),
        }
        if low["churn_rate"] > 0:
            ratio = fmt_number(high["churn_rate"] / low["churn_rate"], lang, 1)
            sentences.append(t("why.finding", lang, ratio=ratio, **values))
        else:
            sentences.append(t("why.finding_zero", lang, **values))
    return sentences


def _find_column(dataset: Dataset, pattern: re.Pattern, numeric: bool, pool: list[str]) -> str | None:
    frame = dataset.customers
    for name in pool:
        if name in frame and pattern.search(str(name)):
            is_numeric = pd.api.types.is_numeric_dtype(frame[name])
            if is_numeric == numeric:
                return name
    return None


def find_channel_column(dataset: Dataset) -> str | None:
    """The acquisition channel attribute (name like channel/kanal/source), or None."""
    return _find_column(dataset, _CHANNEL, False, dataset.model_attributes)


def find_cost_column(dataset: Dataset) -> str | None:
    """A numeric acquisition cost attribute (name like cost/CAC/kostnad), or None."""
    return _find_column(dataset, _COST, True, dataset.attributes)


def find_reason_column(dataset: Dataset) -> str | None:
    """The churn reason column: a leakage suspect or attribute named like reason/årsak/grunn.

    Falls back to a leakage suspect that is filled mostly for churned customers.
    """
    frame = dataset.customers
    by_name = _find_column(dataset, _REASON, False, list(dataset.leakage) + list(dataset.attributes))
    if by_name:
        return by_name
    churned = frame[CHURNED] == 1
    for name in dataset.leakage:
        if name in frame and not pd.api.types.is_numeric_dtype(frame[name]) and churned.any():
            filled = frame[name].notna()
            if filled[churned].mean() > 0.5 and filled[~churned].mean() < 0.1:
                return name
    return None


#: Columns of :func:`acquisition_check`, in order.
_ACQUISITION_COLUMNS = [
    "channel",
    "customers",
    "churned",
    "churn_rate",
    "ci_low",
    "ci_high",
    "monthly_value",
    "expected_lifetime_months",
    "lifetime_capped",
    "lifetime_value",
    "acquisition_cost",
    "value_to_cost",
    "cost_exceeds_value",
]


def acquisition_check(
    customers: pd.DataFrame,
    channel: str,
    cost_column: str | None = None,
    acquisition_cost: float | dict | None = None,
) -> pd.DataFrame:
    """Churn rate and customer lifetime value per acquisition channel (seed 002).

    Lifetime value = average monthly value × expected lifetime, where the expected
    lifetime in months is ``customer-months observed / churners`` (one over the
    monthly churn hazard, so active customers count for the months seen so far),
    capped at :data:`MAX_LIFETIME_MONTHS`.

    Parameters
    ----------
    customers : pd.DataFrame
        Canonical customer frame (``churned``; ``tenure_months`` and
        ``monthly_value`` when known).
    channel : str
        The channel column.
    cost_column : str, optional
        A per-customer acquisition cost column (averaged per channel).
    acquisition_cost : float or dict, optional
        A cost per customer typed by the user: one number for every channel or
        ``{channel: cost}``. Used where the column gives nothing.

    Returns
    -------
    pd.DataFrame
        ``channel, customers, churned, churn_rate, ci_low, ci_high,
        monthly_value, expected_lifetime_months, lifetime_capped,
        lifetime_value, acquisition_cost, value_to_cost, cost_exceeds_value``,
        largest channel first.
    """
    frame = customers
    labels, _ = attribute_groups(frame[channel].astype("string"))
    table = group_rates(frame[CHURNED].astype(float), labels).rename(columns={"value": "channel"})
    grouped = frame.groupby(labels.to_numpy(), sort=False)
    table = _with_lifetime_value(table, frame, grouped)
    cost = _channel_cost(table["channel"], frame, grouped, cost_column, acquisition_cost)
    table["acquisition_cost"] = cost
    table["value_to_cost"] = table["lifetime_value"] / cost.replace(0, np.nan)
    table["cost_exceeds_value"] = (cost > table["lifetime_value"]).fillna(False).astype(bool)
    return (
        table[_ACQUISITION_COLUMNS]
        .sort_values("customers", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def _with_lifetime_value(table: pd.DataFrame, frame: pd.DataFrame, grouped: DataFrameGroupBy) -> pd.DataFrame:
    """A copy of ``table`` with monthly value, expected lifetime (capped) and lifetime value per channel."""
    table = table.copy()
    value = grouped[VALUE].mean() if VALUE in frame else pd.Series(dtype=float)
    exposure = grouped[TENURE].sum(min_count=1) if TENURE in frame else pd.Series(dtype=float)
    table["monthly_value"] = table["channel"].map(value).astype(float)
    churners = table["churned"].replace(0, np.nan)
    lifetime = table["channel"].map(exposure).astype(float) / churners
    table["lifetime_capped"] = lifetime.isna() | (lifetime > MAX_LIFETIME_MONTHS)
    lifetime = lifetime.clip(upper=MAX_LIFETIME_MONTHS)
    if TENURE in frame:
        lifetime = lifetime.fillna(MAX_LIFETIME_MONTHS)
    table["expected_lifetime_months"] = lifetime
    table["lifetime_value"] = table["monthly_value"] * lifetime
    return table


def _channel_cost(
    channels: pd.Series,
    frame: pd.DataFrame,
    grouped: DataFrameGroupBy,
    cost_column: str | None,
    acquisition_cost: float | dict | None,
) -> pd.Series:
    """Acquisition cost per channel: the column's mean, else the cost the user typed."""
    cost = pd.Series(np.nan, index=channels.index)
    if cost_column and cost_column in frame:
        cost = channels.map(grouped[cost_column].mean()).astype(float)
    if isinstance(acquisition_cost, dict):
        cost = cost.fillna(channels.map(acquisition_cost).astype(float))
    elif acquisition_cost is not None:
        cost = cost.fillna(float(acquisition_cost))
    return cost


def churn_reasons(customers: pd.DataFrame, reason: str, segment: str | None = None) -> pd.DataFrame:
    """Stated reasons among churned customers, overall or per segment.

    After-the-fact information: describe it, never feed it to a model.

    Returns
    -------
    pd.DataFrame
        ``reason, churned, share`` (share of churners with a stated reason), or
        with ``segment``: ``segment, reason, churned, share`` where ``share`` is
        within the segment. Largest first.
    """
    gone = customers[customers[CHURNED] == 1]
    reasons = gone[reason].astype("string").str.strip().replace("", pd.NA)
    stated = gone[reasons.notna()]
    reasons = reasons[reasons.notna()]
    if segment is None:
        counts = reasons.value_counts().rename("churned").rename_axis("reason").reset_index()
        counts["share"] = counts["churned"] / max(len(reasons), 1)
        counts["reason"] = counts["reason"].astype(str)
        return counts
    labels, _ = attribute_groups(stated[segment])
    frame = pd.DataFrame({"segment": labels.astype(str).to_numpy(), "reason": reasons.astype(str).to_numpy()})
    counts = frame.groupby(["segment", "reason"]).size().rename("churned").reset_index()
    counts["share"] = counts["churned"] / counts.groupby("segment")["churned"].transform("sum")
    return counts.sort_values(["segment", "churned"], ascending=[True, False]).reset_index(drop=True)
