"""When customers leave, by tenure: Kaplan–Meier curves, log-rank test and monthly hazard.

These work on tenure alone (``tenure_months`` + ``churned``), so a customer
table without dates still gets them. Customers who have not churned are
right-censored at their current tenure: they count as "still here after
``tenure_months``", never as churned. Churn peaks by tenure month, built
on :func:`monthly_hazard`, are in :mod:`churn.analysis.peaks`.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times

from churn.analysis.timing import customers_of
from churn.core.dataset import CHURNED, TENURE, Dataset
from churn.core.display import column_label
from churn.core.errors import SchemaError, Words
from churn.core.formatting import fmt_number
from churn.core.i18n import LANGUAGES, t

log = logging.getLogger(__name__)

ALL = "All customers"
OTHER = "Other"
MAX_GROUPS = 8


def durations(data: Dataset | pd.DataFrame) -> pd.DataFrame:
    """Tenure in months and the churn flag, the input of every survival function.

    Returns
    -------
    pd.DataFrame
        ``duration`` (months, never negative) and ``event`` (1 = churned,
        0 = still a customer, i.e. right-censored), same index as the customers.
    """
    frame = customers_of(data)
    for column in (TENURE, CHURNED):
        if column not in frame:
            label = Words({lang: column_label(data, column, lang) for lang in LANGUAGES})
            raise SchemaError("errors.survival_needs", column=label)
    duration = pd.to_numeric(frame[TENURE], errors="coerce")
    out = pd.DataFrame({"duration": duration.clip(lower=0), "event": frame[CHURNED].astype(int)})
    return out[out["duration"].notna()]


def segment_labels(
    data: Dataset | pd.DataFrame, segment: str | None, max_groups: int = MAX_GROUPS
) -> pd.Series:
    """Group label per customer: the segment value, the smallest groups pooled as ``"Other"``.

    Without a segment every customer is in ``"All customers"``.
    """
    frame = customers_of(data)
    if not segment:
        return pd.Series(ALL, index=frame.index)
    if segment not in frame:
        raise SchemaError("errors.segment_missing", column=str(segment))
    labels = frame[segment].astype("string").fillna("(missing)").astype(str)
    keep = labels.value_counts().index[:max_groups]
    return labels.where(labels.isin(keep), OTHER)


def km_curves(
    data: Dataset | pd.DataFrame, segment: str | None = None, alpha: float = 0.05, step: float = 0.25
) -> pd.DataFrame:
    """Kaplan–Meier survival curves with confidence bands, overall or per segment value.

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        Canonical customers (``tenure_months``, ``churned``).
    segment : str, optional
        Attribute column to split by.
    alpha : float
        1 - confidence level of the bands (0.05 gives 95 % bands).
    step : float
        Grid in months on which the step curves are reported (aggregated for charts).

    Returns
    -------
    pd.DataFrame
        Long form: ``group``, ``months``, ``survival``, ``lower``, ``upper``,
        ``at_risk`` (customers still observed at that tenure).
    """
    frame = durations(data)
    groups = segment_labels(data, segment).loc[frame.index]
    parts = []
    for group, idx in groups.groupby(groups).groups.items():
        sub = frame.loc[idx]
        kmf = KaplanMeierFitter(alpha=alpha).fit(sub["duration"], sub["event"])
        grid = np.arange(0.0, sub["duration"].max() + step, step)
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_survival_function_
        at = np.searchsorted(sf.index.to_numpy(), grid, side="right") - 1
        observed = np.sort(sub["duration"].to_numpy())
        parts.append(
            pd.DataFrame(
                {
                    "group": str(group),
                    "months": grid,
                    "survival": sf.to_numpy()[at],
                    "lower": ci.iloc[:, 0].to_numpy()[at],
                    "upper": ci.iloc[:, 1].to_numpy()[at],
                    "at_risk": len(observed) - np.searchsorted(observed, grid, side="left"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def median_lifetimes(
    data: Dataset | pd.DataFrame, segment: str | None = None, alpha: float = 0.05
) -> pd.DataFrame:
    """Median customer lifetime (months) per group from Kaplan–Meier, with its confidence interval.

    Returns
    -------
    pd.DataFrame
        ``group``, ``customers``, ``churned``, ``median_months`` (NaN when
        more than half of the group is still a customer: "not reached"),
        ``median_lower``, ``median_upper``, ``survival_12`` (share still a
        customer after 12 months).
    """
    frame = durations(data)
    groups = segment_labels(data, segment).loc[frame.index]
    rows = []
    for group, idx in groups.groupby(groups).groups.items():
        sub = frame.loc[idx]
        kmf = KaplanMeierFitter(alpha=alpha).fit(sub["duration"], sub["event"])
        median = float(kmf.median_survival_time_)
        ci = median_survival_times(kmf.confidence_interval_).iloc[0]
        rows.append(
            {
                "group": str(group),
                "customers": len(sub),
                "churned": int(sub["event"].sum()),
                "median_months": median if math.isfinite(median) else np.nan,
                "median_lower": float(ci.iloc[0]) if math.isfinite(ci.iloc[0]) else np.nan,
                "median_upper": float(ci.iloc[1]) if math.isfinite(ci.iloc[1]) else np.nan,
                "survival_12": float(kmf.predict(12.0)),
            }
        )
    return pd.DataFrame(rows).sort_values("customers", ascending=False, ignore_index=True)


def logrank(data: Dataset | pd.DataFrame, segment: str, alpha: float = 0.05) -> dict:
    """Log-rank test: do the survival curves of the segment's groups differ more than chance allows?

    Returns
    -------
    dict
        ``test_statistic`` (chi-square), ``degrees_of_freedom``, ``p_value``,
        ``groups`` (number compared), ``significant`` (p < ``alpha``).
    """
    frame = durations(data)
    groups = segment_labels(data, segment).loc[frame.index]
    if groups.nunique() < 2:
        raise SchemaError("errors.logrank_one_group", column=str(segment))
    result = multivariate_logrank_test(frame["duration"], groups, frame["event"])
    return {
        "test_statistic": float(result.test_statistic),
        "degrees_of_freedom": int(result.degrees_of_freedom),
        "p_value": float(result.p_value),
        "groups": int(groups.nunique()),
        "significant": bool(result.p_value < alpha),
    }


def monthly_hazard(data: Dataset | pd.DataFrame, max_month: int | None = None) -> pd.DataFrame:
    """Churn risk per tenure month: customers lost in month ``k`` / customer-months lived in it.

    Month ``k`` covers tenure in (k-1, k]. A customer with tenure 2.5 lives
    months 1 and 2 fully and half of month 3; if they churned, the churn is in
    month 3. Tenure 0 counts as half a month in month 1.

    Returns
    -------
    pd.DataFrame
        ``tenure_month`` (1, 2, ...), ``at_risk`` (customers entering the
        month), ``churned``, ``exposure`` (customer-months), ``hazard``
        (churned / exposure, a monthly probability-like rate).
    """
    frame = durations(data)
    d = np.where(frame["duration"].to_numpy(float) <= 0, 0.5, frame["duration"].to_numpy(float))
    event = frame["event"].to_numpy(int)
    last = int(np.ceil(d.max())) if len(d) else 0
    if max_month is not None:
        last = min(last, max_month)
    full = np.floor(d).astype(int)
    frac = d - full
    months = np.arange(1, last + 1)
    full_count = np.bincount(np.minimum(full, last + 1), minlength=last + 2)
    lived_full = full_count[::-1].cumsum()[::-1][1 : last + 1]  # customers with full >= k
    partial = np.bincount(np.minimum(full, last + 1), weights=frac, minlength=last + 2)[:last]
    event_month = np.ceil(d).astype(int)
    churned = np.bincount(event_month[(event == 1) & (event_month <= last)], minlength=last + 1)[1:]
    at_risk = np.array([(d > k - 1).sum() for k in months], dtype=int)
    exposure = lived_full + partial
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(exposure > 0, churned / exposure, np.nan)
    return pd.DataFrame(
        {
            "tenure_month": months,
            "at_risk": at_risk,
            "churned": churned,
            "exposure": exposure,
            "hazard": hazard,
        }
    )


def format_p(p_value: float, lang: str = "en") -> str:
    """A p-value for a sentence: ``< 0.001`` or three decimals in the language's format."""
    if p_value < 0.001:
        return "< " + fmt_number(0.001, lang, 3)
    return "= " + fmt_number(p_value, lang, 3)


def logrank_sentence(result: dict, segment: str, lang: str = "en") -> str:
    """Plain sentence on whether the groups of ``segment`` really differ (from :func:`logrank`)."""
    key = "when.logrank_differ" if result["significant"] else "when.logrank_same"
    return t(
        key,
        lang,
        segment=segment,
        chi2=fmt_number(result["test_statistic"], lang, 1),
        df=result["degrees_of_freedom"],
        p=format_p(result["p_value"], lang),
    )
