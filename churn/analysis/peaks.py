"""Churn peaks by tenure month: which months are really riskier than a typical month, and why.

The monthly hazard of tenure month ``k`` is the number of customers who left
in that month divided by the customer-months lived in it (customers who left
or were censored part-way contribute the fraction they lived). The *typical*
monthly risk is the median hazard over the months with enough exposure. A
month is a peak when its churn count is improbably high for the typical risk:
an exact one-sided Poisson test (expected count = typical risk × exposure),
Holm-corrected for the number of months tested, p < ``alpha``, and at least
``min_ratio`` times the typical risk. Adjacent peak months are merged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import poisson

from churn.analysis.timing import customers_of
from churn.core.dataset import DAYS_PER_MONTH, START_DATE, Dataset
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import t

#: Words in a date column's name that mark a discount / contract / binding end.
PERIOD_END_WORDS = ("discount", "rabatt", "promo", "campaign", "kampanje", "contract", "kontrakt", "binding")


def _holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error control)."""
    order = np.argsort(p_values)
    m = len(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def detect_peaks(
    hazard: pd.DataFrame, alpha: float = 0.05, min_ratio: float = 1.25, min_exposure: float = 20.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Find tenure months whose churn is significantly above the typical month (see module docstring).

    Parameters
    ----------
    hazard : pd.DataFrame
        Output of :func:`monthly_hazard`.
    alpha : float
        Family-wise significance level after Holm correction.
    min_ratio : float
        A peak must also be at least this many times the typical risk.
    min_exposure : float
        Months with fewer customer-months are shown but not tested.

    Returns
    -------
    (pd.DataFrame, pd.DataFrame)
        The hazard frame with ``baseline``, ``ratio``, ``p_value``,
        ``p_adjusted``, ``tested`` and ``is_peak`` added; and the peaks, one
        row per run of adjacent peak months: ``first_month``, ``last_month``,
        ``top_month`` (highest hazard), ``churned``, ``exposure``, ``hazard``
        (pooled over the run), ``ratio`` (hazard / baseline), ``top_ratio``
        (the top month's hazard / baseline), ``p_adjusted``
        (smallest in the run), ``baseline``.
    """
    out = hazard.copy()
    tested = out["exposure"].to_numpy(float) >= min_exposure
    baseline = _typical_risk(out, tested)
    out["baseline"] = baseline
    out["ratio"] = out["hazard"] / baseline if baseline > 0 else np.nan
    p, adjusted = _poisson_tests(out, tested, baseline)
    out["p_value"] = p
    out["p_adjusted"] = adjusted
    out["tested"] = tested
    out["is_peak"] = (
        tested & (np.nan_to_num(adjusted, nan=1.0) < alpha) & (out["ratio"].fillna(0) >= min_ratio)
    )
    return out, _peak_runs(out, baseline)


def _typical_risk(hazard: pd.DataFrame, tested: np.ndarray) -> float:
    """Median hazard of the tested months, or their pooled rate when that median is zero."""
    rates = hazard.loc[tested, "hazard"].to_numpy(float)
    baseline = float(np.median(rates)) if len(rates) else np.nan
    if not baseline > 0 and tested.any():  # all-zero median: fall back to the pooled rate
        baseline = float(hazard.loc[tested, "churned"].sum() / hazard.loc[tested, "exposure"].sum())
    return baseline


def _poisson_tests(
    hazard: pd.DataFrame, tested: np.ndarray, baseline: float
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Poisson p-values per tested month, and their Holm-adjusted values (NaN untested)."""
    expected = baseline * hazard["exposure"].to_numpy(float)
    p = np.where(tested, poisson.sf(hazard["churned"].to_numpy() - 1, expected), np.nan)
    adjusted = np.full(len(hazard), np.nan)
    if tested.any():
        adjusted[tested] = _holm(p[tested])
    return p, adjusted


def _peak_runs(flagged: pd.DataFrame, baseline: float) -> pd.DataFrame:
    """One row per run of adjacent peak months, pooled over the run."""
    peaks = []
    run_id = (flagged["is_peak"] != flagged["is_peak"].shift()).cumsum()
    for _, run in flagged[flagged["is_peak"]].groupby(run_id[flagged["is_peak"]]):
        pooled = run["churned"].sum() / run["exposure"].sum()
        top = run.loc[run["hazard"].idxmax()]
        peaks.append(
            {
                "first_month": int(run["tenure_month"].iloc[0]),
                "last_month": int(run["tenure_month"].iloc[-1]),
                "top_month": int(top["tenure_month"]),
                "top_ratio": float(top["ratio"]),
                "churned": int(run["churned"].sum()),
                "exposure": float(run["exposure"].sum()),
                "hazard": float(pooled),
                "ratio": float(pooled / baseline),
                "p_adjusted": float(run["p_adjusted"].min()),
                "baseline": baseline,
            }
        )
    columns = [
        "first_month",
        "last_month",
        "top_month",
        "top_ratio",
        "churned",
        "exposure",
        "hazard",
        "ratio",
    ]
    return pd.DataFrame(peaks, columns=[*columns, "p_adjusted", "baseline"])


def period_end_columns(data: Dataset | pd.DataFrame) -> pd.DataFrame:
    """Date columns that mark the end of a discount, contract or binding period, and when they fall.

    Returns
    -------
    pd.DataFrame
        ``column`` (original name), ``typical_month`` (median months from
        signup to that date, rounded), ``customers`` (with a date).
        Empty when there are no start dates or no such columns.
    """
    frame = customers_of(data)
    rows = []
    if START_DATE in frame and frame[START_DATE].notna().any():
        for column in frame.columns:
            name = str(column).lower()
            if not any(word in name for word in PERIOD_END_WORDS):
                continue
            if not pd.api.types.is_datetime64_any_dtype(frame[column]):
                continue
            offset = (frame[column] - frame[START_DATE]).dt.days / DAYS_PER_MONTH
            offset = offset[offset > 0]
            if len(offset):
                typical = int(round(float(offset.median())))
                rows.append({"column": str(column), "typical_month": typical, "customers": int(len(offset))})
    return pd.DataFrame(rows, columns=["column", "typical_month", "customers"])


def explain_peaks(peaks: pd.DataFrame, data: Dataset | pd.DataFrame) -> pd.DataFrame:
    """Add a ``reason`` code (and ``reason_column``, ``reason_month``) to each peak.

    Reasons: ``"period_end"`` when a discount/contract end date typically falls
    within one month of the peak; ``"onboarding"`` for peaks starting in the
    first three months; ``"anniversary"`` for peaks around month 12, 24, 36, ...;
    ``""`` otherwise.
    """
    ends = period_end_columns(data)
    out = peaks.copy()
    reasons, columns, months = [], [], []
    for first, last in zip(out["first_month"], out["last_month"], strict=True):
        near = ends[(ends["typical_month"] >= first - 1) & (ends["typical_month"] <= last + 1)]
        anniversary = [m for m in range(12, last + 2, 12) if first - 1 <= m <= last + 1]
        if len(near):
            best = near.sort_values("customers", ascending=False).iloc[0]
            reasons.append("period_end")
            columns.append(best["column"])
            months.append(int(best["typical_month"]))
        elif first <= 3:
            reasons.append("onboarding")
            columns.append(None)
            months.append(None)
        elif anniversary:
            reasons.append("anniversary")
            columns.append(None)
            months.append(anniversary[0])
        else:
            reasons.append("")
            columns.append(None)
            months.append(None)
    out["reason"] = reasons
    out["reason_column"] = columns
    out["reason_month"] = months
    return out


def peak_sentences(peaks: pd.DataFrame, lang: str = "en") -> list[str]:
    """One sentence per peak a consultant can read out, in ``lang``.

    Example
    -------
    "Churn peaks in month 3 after signup: 2.6× the typical monthly risk — around the end of onboarding."
    A run of months names its highest month: "Churn peaks in months 1–4 after
    signup, highest in month 2: 8.2× the typical monthly risk — ...".
    """
    sentences = []
    for row in peaks.itertuples(index=False):
        reason = getattr(row, "reason", "")
        if reason == "period_end":
            why = t("when.reason_period_end", lang, column=row.reason_column, month=int(row.reason_month))
        elif reason == "onboarding":
            why = t("when.reason_onboarding", lang)
        elif reason == "anniversary":
            why = t("when.reason_anniversary", lang, years=int(row.reason_month) // 12)
        else:
            why = ""
        ratio = fmt_number(row.top_ratio, lang, 1)
        if row.first_month == row.last_month:
            text = t("when.peak_sentence_one", lang, month=row.first_month, ratio=ratio, reason=why)
        else:
            text = t(
                "when.peak_sentence_range",
                lang,
                first=row.first_month,
                last=row.last_month,
                top=row.top_month,
                ratio=ratio,
                reason=why,
            )
        sentences.append(text)
    return sentences


def no_peak_sentence(flagged: pd.DataFrame, lang: str = "en") -> str:
    """What to say when no month passes the test."""
    baseline = float(flagged["baseline"].iloc[0]) if len(flagged) else np.nan
    return t("when.no_peaks", lang, rate=fmt_pct(baseline, lang, 1), months=int(flagged["tested"].sum()))


def peak_method_sentence(
    flagged: pd.DataFrame, alpha: float = 0.05, min_ratio: float = 1.25, lang: str = "en"
) -> str:
    """How peaks were decided, in one sentence (for a caption under the hazard chart)."""
    baseline = float(flagged["baseline"].iloc[0]) if len(flagged) else np.nan
    return t(
        "when.peak_method",
        lang,
        rate=fmt_pct(baseline, lang, 1),
        months=int(flagged["tested"].sum()),
        alpha=fmt_number(alpha, lang, 2),
        ratio=fmt_number(min_ratio, lang, 2),
    )
