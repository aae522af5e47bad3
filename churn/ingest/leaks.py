"""Leakage suspects: customer columns that give the outcome away.

A churn model must learn from what was known *before* a customer left. Exports
often carry columns written when, or after, the outcome was known; such a
column makes a model look brilliant on the file and useless in practice. Each
attribute column gets at most one reason, the most specific that fits, tried
in this order:

``only_filled``
    filled (almost) only for the customers who left, or only for the others
    (a churn reason, a cancellation note);
``model_output``
    another model's output: a header that names a score, a probability, a
    prediction or a classifier (English, Norwegian, Danish, Swedish, German,
    Spanish), values on a 0..1 or 0..100 scale, and real separating power;
``label_copy``
    the churn label under another coding (``2`` = left, ``1`` = stayed), right
    for at least 99 % of the customers;
``after_end``
    dates that for nearly every customer who left fall on or after the day
    they left (a last update stamped at cancellation, activity that went on);
``at_export``
    dates measured when the file was exported: for the customers who stayed
    they crowd the latest date, for those who left they lie far before it
    (a last purchase, a last login);
``recency``
    a count of the time since the last activity, named so ('recency', 'days
    since last', 'dager siden', ...), much larger for those who left;
``predicts``
    any other column that alone separates who left with an AUC of 0.9 or more.

An AUC counts only when chance could not have given it (:func:`chance_auc`):
with 10 leavers and 10 stayers, a few of 5,000 random columns reach 0.93.

:func:`leak_evidence` returns a :class:`Leak` per suspect with the numbers
behind it, so the sentence can show them; :func:`leakage_reasons` and
:func:`leakage_suspects` give the reason codes and the column names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from churn.core.dataset import CHURNED, END_DATE, START_DATE
from churn.core.formatting import fmt_number, fmt_pct
from churn.core.i18n import t
from churn.ingest.event_kinds import fold_key
from churn.ingest.names import is_date, is_number

ONLY_FILLED = "only_filled"
MODEL_OUTPUT = "model_output"
LABEL_COPY = "label_copy"
AFTER_END = "after_end"
AT_EXPORT = "at_export"
RECENCY = "recency"
PREDICTS = "predicts"
#: reason codes, in the order they are tried (the most specific first)
REASONS = (ONLY_FILLED, MODEL_OUTPUT, LABEL_COPY, AFTER_END, AT_EXPORT, RECENCY, PREDICTS)

#: any column alone separating who left with at least this AUC is a suspect
LEAKAGE_AUC = 0.9
#: filled for at least this share of one group and at most the other share of the other
ONLY_FILLED_MIN, ONLY_FILLED_OTHER = 0.3, 0.02
#: a column named like a prediction / merely like a score needs this AUC to count as model output
MODEL_OUTPUT_AUC, SCORE_AUC = 0.65, 0.8
#: a 'score' is continuous: at least this many distinct values on a 0..1 / 0..100 scale
SCORE_LEVELS_SHARE, SCORE_LEVELS_PERCENT = 10, 20
#: a recoding of the label: right for this share of the rows, and for this share of each group both
#: ways (leavers in the 'left' values, rows of the 'left' values that left; the same for the stayers)
LABEL_COPY_SHARE, LABEL_COPY_GROUP = 0.99, 0.95
LABEL_COPY_MAX_LEVELS = 10
#: share of churners whose date falls on or after their end date
AFTER_END_SHARE = 0.9
#: a recorded (not planned) date: this share of the others' dates lie at most RECORDED_SLACK after the latest
RECORDED_SHARE, RECORDED_SLACK = 0.95, pd.Timedelta(days=31)
#: measured at export: 90 % of the stayers within this share of the column's span from its latest date ...
AT_EXPORT_SPREAD = 0.05
#: ... and the leavers' median this many times further away
AT_EXPORT_RATIO = 5.0
#: a date within this many days of the start date for most rows is a signup date, not an export stamp
SIGNUP_DAYS, SIGNUP_SHARE = 7, 0.8
#: recency: leavers' median at least this many times the stayers', and this AUC
RECENCY_RATIO, RECENCY_AUC = 2.0, 0.8
#: at least this many customers in each group with a value
MIN_GROUP = 5
#: an AUC counts only this many standard errors (of a coin-flip column) above 0.5: with 10 leavers and
#: 10 stayers no column can show it (a few of 5,000 random columns reach 0.93 by chance there)
CHANCE_SE = 4.0
#: a label copy needs at least this many rows per value on average
LABEL_COPY_ROWS_PER_VALUE = 5
MIN_DATED_GROUP = 10
#: at least this share of rows filled before a column's AUC is judged
MIN_FILLED = 0.5
#: numeric columns with at most this many values are also judged as categories
FEW_LEVELS = 20
#: folds for the out-of-fold category means
FOLDS = 5
_MISSING = "\x00missing"

# Header words, matched on a lower-cased, accent-free key with '_' between words
# (see fold_key): 'ChurnScore' -> 'churn_score', 'Predicción' -> 'prediccion', 'skår' -> 'skar'.
_PREDICTION_WORDS = re.compile(
    r"probab|propens|predict|predikt|prediks|prediccion|prevision|likelihood|progno|pronostic"
    r"|classifier|klassifikator|klassificer|clasificador"
    r"|sannsynlig|sandsynlig|sannolik|wahrscheinlich|vorhersag|forudsig|forutsag"
    r"|tilb[øo]yelig|tilb[øo]jelig|benagen|neigung"
    r"|xgb|lgbm|lightgbm|catboost|naive_?bayes|random_?forest|logit|logistic_?reg"
    r"|(^|_)(prob|proba|pred|yhat|y_hat|p_churn|model|modell|modelo)(_|$)"
    r"|(churn|risk|risiko|riesgo|attrition|frafall|frafald|abandono|kundigung)_?"
    r"(score|poeng|point|poang|punkt|puntuacion|puntaje|skar)"
)
_SCORE_WORDS = re.compile(
    r"score|skar(_|$)|poeng|poang|punktzahl|puntuacion|puntaje|(^|_)(risk|risiko|riesgo)"
)
_RECENCY_WORDS = re.compile(
    r"recen"
    r"|(days?|weeks?|months?|dager|dage|dagar|tage|dias|uker|uger|veckor|wochen|semanas"
    r"|mnd|maneder|manader|monate|meses)_(since|siden|sedan|seit|desde|sin)"
    r"|(since|siden|sedan|seit|desde)_(last|sist|siste|seneste|senest|senaste|letzt|ultim)"
    r"|last_seen|inactiv|inaktiv|idle|(^|_)ago(_|$)"
)


@dataclass(frozen=True)
class Leak:
    """One leakage suspect: the column, the reason code and the numbers behind it.

    Attributes
    ----------
    column : str
        The client's column name.
    reason : str
        One of :data:`REASONS`.
    evidence : dict
        What the sentence shows: ``auc`` (0.5..1), ``share`` (0..1), ``filled_churned`` /
        ``filled_active`` (shares), ``low`` / ``high`` (the value range), ``left`` /
        ``stayed`` (label values, None for empty), ``churned`` / ``active`` (medians), ``churned_days`` /
        ``active_days`` (days from the latest date).

    Example
    -------
    >>> Leak("score", PREDICTS, {"auc": 0.94}).text()
    "'score' alone separates who left with AUC 0.94; a single column this strong was usually written after the outcome was known."
    """

    column: str
    reason: str
    evidence: dict = field(default_factory=dict)

    def _values(self, lang: str) -> dict[str, str]:
        return {"column": self.column, **{k: _formatted(k, v, lang) for k, v in self.evidence.items()}}

    def text(self, lang: str = "en") -> str:
        """The reason as one sentence (``quality.leak_<reason>``) naming the column and the evidence."""
        return t(f"quality.leak_{self.reason}", lang, **self._values(lang))

    def short(self, lang: str = "en") -> str:
        """The reason in a few words (``quality.leak_short_<reason>``), for a list of columns."""
        return t(f"quality.leak_short_{self.reason}", lang, **self._values(lang))

    def to_dict(self) -> dict:
        """A JSON-ready dict: column, reason, evidence and the English sentence."""
        evidence = {k: list(v) if isinstance(v, tuple) else v for k, v in self.evidence.items()}
        return {"column": self.column, "reason": self.reason, "evidence": evidence, "text": self.text("en")}


def _formatted(name: str, value, lang: str) -> str:
    if name in ("left", "stayed"):
        shown = [t("quality.leak_empty_value", lang) if v is None else v for v in value]
        return ", ".join(f"'{v}'" if lang == "en" else f"«{v}»" for v in shown)
    if name in ("share", "filled_churned", "filled_active"):
        return fmt_pct(value, lang, 0 if value in (0.0, 1.0) else 1)
    if name == "auc":
        return fmt_number(value, lang, 2)
    value = float(value)
    if value.is_integer() or abs(value) >= 100:
        return fmt_number(value, lang, 0)
    return fmt_number(value, lang, 1 if round(value, 1) == value else 2)


# ---------------------------------------------------------------- helpers


def _rank_auc(score: pd.Series, target: pd.Series) -> float | None:
    """Area under the ROC curve of ``score`` for ``target`` (ties count half), or None with < 5 per group."""
    mask = score.notna()
    score, target = score[mask], target[mask].astype(int)
    positives, negatives = int(target.sum()), int((1 - target).sum())
    if positives < MIN_GROUP or negatives < MIN_GROUP:
        return None
    ranks = score.rank(method="average")
    return float((ranks[target == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _out_of_fold_means(levels: pd.Series, churned: pd.Series) -> pd.Series:
    """Each row's level scored by the churn rate of that level in the other folds.

    In-sample level means flatter a column with many small levels (each level
    'predicts' its own few rows); out-of-fold means do not. A level unseen in
    the other folds gets their overall rate. The folds are a seeded shuffle of
    the rows (the same every time): folds by position would line up with a file
    sorted or generated in a pattern.
    """
    codes = pd.factorize(levels)[0]
    fold = np.empty(len(levels), dtype=int)
    fold[np.random.default_rng(0).permutation(len(levels))] = np.arange(len(levels)) % FOLDS
    y = churned.to_numpy(dtype=float)
    frame = pd.DataFrame({"code": codes, "fold": fold, "y": y})
    total = frame.groupby("code")["y"].agg(["sum", "count"])
    per_fold = frame.groupby(["code", "fold"])["y"].agg(["sum", "count"])
    fold_total = frame.groupby("fold")["y"].agg(["sum", "count"])
    keys = pd.MultiIndex.from_arrays([codes, fold])
    other_sum = total["sum"].to_numpy()[codes] - per_fold["sum"].reindex(keys).to_numpy()
    other_count = total["count"].to_numpy()[codes] - per_fold["count"].reindex(keys).to_numpy()
    prior = (y.sum() - fold_total["sum"].to_numpy()[fold]) / (len(y) - fold_total["count"].to_numpy()[fold])
    means = np.where(other_count > 0, other_sum / np.maximum(other_count, 1), prior)
    return pd.Series(means, index=levels.index)


def single_column_auc(series: pd.Series, churned: pd.Series) -> float | None:
    """How well one column alone separates who left: the ROC AUC, oriented so it is 0.5 or more.

    Numbers and dates are ranked (missing values left out). Categories, and
    numbers with at most 20 distinct values (a code like 1/2/3 need not be in
    order), are scored by the churn rate of their value in the other folds;
    for such numbers the better of the two counts. Columns with a distinct
    value for more than one row in 20 (free text, ids) give None, as do
    columns with fewer than 5 customers in either group.

    Parameters
    ----------
    series : pd.Series
        The column.
    churned : pd.Series
        0/1, same index.

    Returns
    -------
    float or None
        0.5 (no better than a coin) .. 1.0 (separates perfectly).

    Example
    -------
    Values 1..10, the customers with 8, 9 and 10 left: every one of the 3 x 7
    (leaver, stayer) pairs is ranked right -> AUC 21 / 21 = 1.0.
    """
    churned = churned.astype(int)
    filled = series.notna()
    aucs = []
    if is_number(series) or is_date(series):
        values = (series - series.min()) / pd.Timedelta(days=1) if is_date(series) else series
        aucs.append(_rank_auc(values.astype(float), churned))
    few = is_number(series) and series.nunique() <= FEW_LEVELS
    if few or not (is_number(series) or is_date(series)):
        levels = series.astype(object).where(filled, _MISSING)
        if levels.nunique() <= max(2, len(levels) // 20):
            aucs.append(_rank_auc(_out_of_fold_means(levels, churned), churned))
    aucs = [max(auc, 1 - auc) for auc in aucs if auc is not None]
    return max(aucs) if aucs else None


# ---------------------------------------------------------------- the reasons


def _only_filled(filled: pd.Series, is_churned: pd.Series) -> dict | None:
    churned, active = float(filled[is_churned].mean()), float(filled[~is_churned].mean())
    if max(churned, active) >= ONLY_FILLED_MIN and min(churned, active) <= ONLY_FILLED_OTHER:
        return {"filled_churned": churned, "filled_active": active}
    return None


def chance_auc(churned: int, active: int) -> float:
    """The AUC a column of pure noise could reach by chance: 0.5 plus 4 standard errors.

    The standard error of a coin-flip column's AUC with ``churned`` and
    ``active`` customers is sqrt((churned + active + 1) / (12 x churned x active))
    (Mann-Whitney). Suspects by AUC must beat this as well as their threshold.

    Example
    -------
    10 and 10: sqrt(21 / 1200) = 0.132 -> 1.03 (no column can show it);
    40 and 160: sqrt(201 / 76,800) = 0.051 -> 0.70.
    """
    if churned < 1 or active < 1:
        return float("inf")
    return 0.5 + CHANCE_SE * float(np.sqrt((churned + active + 1) / (12 * churned * active)))


def _model_output(column: str, series: pd.Series, auc: float | None) -> dict | None:
    if not is_number(series) or auc is None:
        return None
    key = fold_key(column)
    strong, weak = bool(_PREDICTION_WORDS.search(key)), bool(_SCORE_WORDS.search(key))
    if not (strong or weak):
        return None
    values = series.dropna()
    low, high, levels = float(values.min()), float(values.max()), values.nunique()
    if low < 0 or high > 100 or levels < 2:
        return None
    continuous = levels >= (SCORE_LEVELS_SHARE if high <= 1 else SCORE_LEVELS_PERCENT)
    if (strong and auc >= MODEL_OUTPUT_AUC) or (continuous and auc >= SCORE_AUC):
        return {"auc": auc, "low": low, "high": high}
    return None


def _value_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _label_copy(series: pd.Series, churned: pd.Series) -> dict | None:
    """Values that each belong to one group: right for >= 99 % of the rows and >= 95 % of each group.

    Example
    -------
    'Status' 2 for the 40 leavers and 1 stayer, 1 for the other 159: right for
    199 / 200 = 99.5 %; leavers in '2' 40 / 40, rows of '2' that left 40 / 41 =
    97.6 %, stayers in '1' 159 / 160, rows of '1' that stayed 159 / 159 -> a copy.
    A rare label does not pass by its size alone: 50 leavers among 10,000 and a
    value held by them and 90 stayers is right for 99.1 % of the rows, but only
    50 / 140 of its rows left.
    """
    levels = series.astype(object).where(series.notna(), _MISSING)
    count = levels.nunique()
    if not 2 <= count <= min(LABEL_COPY_MAX_LEVELS, len(levels) / LABEL_COPY_ROWS_PER_VALUE):
        return None
    counts = pd.crosstab(levels, churned)
    if counts.shape[1] < 2 or counts.sum().min() < MIN_GROUP:
        return None
    left_levels = counts.index[counts[1] > counts[0]]
    stay_levels = counts.index[counts[0] > counts[1]]
    if not len(left_levels) or not len(stay_levels):
        return None
    in_left, in_stay = counts.loc[left_levels], counts.loc[stay_levels]
    shares = [
        in_left[1].sum() / counts[1].sum(),  # leavers found in the 'left' values
        in_left[1].sum() / in_left.to_numpy().sum(),  # 'left' values that are leavers
        in_stay[0].sum() / counts[0].sum(),
        in_stay[0].sum() / in_stay.to_numpy().sum(),
    ]
    agree = (in_left[1].sum() + in_stay[0].sum()) / counts.to_numpy().sum()
    if agree < LABEL_COPY_SHARE or min(shares) < LABEL_COPY_GROUP:
        return None

    def shown(values) -> tuple[str, ...]:
        return tuple(None if v == _MISSING else _value_text(v) for v in values[:3])

    return {"left": shown(list(left_levels)), "stayed": shown(list(stay_levels)), "share": float(agree)}


def _latest_known(customers: pd.DataFrame) -> pd.Timestamp | None:
    dates = [customers[c].max() for c in (START_DATE, END_DATE) if c in customers]
    dates = [d for d in dates if pd.notna(d)]
    return max(dates) if dates else None


def _after_end(series: pd.Series, customers: pd.DataFrame, is_churned: pd.Series) -> dict | None:
    """Dates on or after the end date for nearly every leaver; the stayers' dates are records, not plans."""
    if END_DATE not in customers or series.nunique() <= 1:
        return None
    filled = series.notna()
    both = is_churned & filled & customers[END_DATE].notna()
    if both.sum() < MIN_DATED_GROUP:
        return None
    latest = _latest_known(customers)
    stayers = series[~is_churned & filled]
    # a planned date (discount end, renewal) also lies in the future for the stayers
    if latest is not None and len(stayers) and (stayers <= latest + RECORDED_SLACK).mean() < RECORDED_SHARE:
        return None
    share = float((series[both] >= customers.loc[both, END_DATE]).mean())
    return {"share": share} if share >= AFTER_END_SHARE else None


def _at_export(series: pd.Series, customers: pd.DataFrame, is_churned: pd.Series) -> dict | None:
    """The stayers' dates crowd the column's latest date; the leavers' lie far before it."""
    filled = series.notna()
    stayers, leavers = series[~is_churned & filled], series[is_churned & filled]
    if len(stayers) < MIN_DATED_GROUP or len(leavers) < MIN_DATED_GROUP or series.nunique() <= 1:
        return None
    if START_DATE in customers:
        near_start = (series - customers[START_DATE]).abs() <= pd.Timedelta(days=SIGNUP_DAYS)
        if near_start[filled].mean() >= SIGNUP_SHARE:
            return None
    values = series[filled]
    latest, earliest = values.quantile(0.99), values.quantile(0.01)
    span = (latest - earliest) / pd.Timedelta(days=1)
    if span <= 0:
        return None
    stay_days = float(((latest - stayers) / pd.Timedelta(days=1)).clip(lower=0).quantile(0.9))
    leave_days = float(((latest - leavers) / pd.Timedelta(days=1)).clip(lower=0).median())
    if stay_days <= AT_EXPORT_SPREAD * span and leave_days >= AT_EXPORT_RATIO * max(stay_days, 1.0):
        return {"active_days": round(stay_days), "churned_days": round(leave_days)}
    return None


def _recency(column: str, series: pd.Series, is_churned: pd.Series, auc: float | None) -> dict | None:
    if not is_number(series) or auc is None or auc < RECENCY_AUC:
        return None
    if not _RECENCY_WORDS.search(fold_key(column)):
        return None
    churned, active = float(series[is_churned].median()), float(series[~is_churned].median())
    if active < 0 or churned < RECENCY_RATIO * max(active, 1e-9):
        return None
    return {"churned": churned, "active": active, "auc": auc}


def _leak(column: str, customers: pd.DataFrame, churned: pd.Series, is_churned: pd.Series) -> Leak | None:
    series = customers[column]
    filled = series.notna()
    found = _only_filled(filled, is_churned)
    if found is not None:
        return Leak(column, ONLY_FILLED, found)
    leavers = int((filled & is_churned).sum())
    chance = chance_auc(leavers, int(filled.sum()) - leavers)
    distinct = series.nunique()
    auc = None
    if filled.mean() >= MIN_FILLED and distinct > 1 and chance < 1:
        auc = single_column_auc(series, churned)
        if auc is not None and auc < chance:
            auc = None  # no better than chance with this few customers
    checks = [(MODEL_OUTPUT, lambda: _model_output(column, series, auc))]
    if distinct + int(not filled.all()) <= LABEL_COPY_MAX_LEVELS:  # an empty cell is one more value
        checks.append((LABEL_COPY, lambda: _label_copy(series, churned)))
    if is_date(series):
        checks += [
            (AFTER_END, lambda: _after_end(series, customers, is_churned)),
            (AT_EXPORT, lambda: _at_export(series, customers, is_churned)),
        ]
    checks.append((RECENCY, lambda: _recency(column, series, is_churned, auc)))
    for reason, check in checks:
        found = check()
        if found is not None:
            return Leak(column, reason, found)
    if auc is not None and auc >= LEAKAGE_AUC:
        return Leak(column, PREDICTS, {"auc": auc})
    return None


def leak_evidence(customers: pd.DataFrame, attributes: list[str]) -> dict[str, Leak]:
    """The attribute columns suspected of leaking the outcome, each with its reason and evidence.

    Parameters
    ----------
    customers : pd.DataFrame
        The canonical customer frame (``churned`` 0/1; ``start_date`` and
        ``end_date`` when known) with the attribute columns.
    attributes : list of str
        The columns to judge (each is judged on its own).

    Returns
    -------
    dict[str, Leak]
        Column -> :class:`Leak`, in the order of ``attributes``; empty when
        everyone (or no one) left.

    Example
    -------
    A ``churn_reason`` filled for 10 of 10 leavers and 0 of 90 stayers:
    filled 100 % against 0 % (>= 30 % and <= 2 %) -> ``only_filled``.
    """
    churned = customers[CHURNED].astype(int)
    if churned.nunique() < 2:
        return {}
    is_churned = churned == 1
    leaks = (_leak(column, customers, churned, is_churned) for column in attributes)
    return {leak.column: leak for leak in leaks if leak is not None}


def leakage_reasons(customers: pd.DataFrame, attributes: list[str]) -> dict[str, str]:
    """Attribute columns suspected of leaking the outcome, with the reason code (see :data:`REASONS`).

    Example
    -------
    A ``churn_reason`` filled for 10 of 10 churners and 0 of 90 active customers:
    ``{"churn_reason": "only_filled"}``.
    """
    return {column: leak.reason for column, leak in leak_evidence(customers, attributes).items()}


def leakage_suspects(customers: pd.DataFrame, attributes: list[str]) -> list[str]:
    """Names of the attribute columns :func:`leakage_reasons` flags, in column order."""
    return list(leak_evidence(customers, attributes))
