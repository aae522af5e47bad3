"""Score every column of a customer table for every role, from its header, its values and its neighbours.

Each role has its own evidence:

- **customer id**: named like an id (any of our languages, CRM export names)
  and a different value on every row; a row counter (1, 2, 3, ...) is not an id;
- **churn label**: named like churn or a status, and values that say left or
  stayed (:mod:`churn.ingest.labels`); generic Yes/No values alone are weak,
  because a ``Married`` column has them too;
- **end date**: named like an end or cancel date, or a date filled exactly for
  the customers the label says left;
- **start date**: named like a start or sign-up date, or the one date column
  filled for (nearly) everyone; a birth date or a last-update date never is;
- **tenure** and **value**: a number named like one.

Name and value evidence combine as independent clues (``1 - (1 - a)(1 - b)``),
so a strongly named candidate always beats a weakly evidenced one, and a guess
resting on generic values alone stays low: the Data page asks.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from churn.ingest.evidence import Candidate, Note, RoleGuess, role_guess
from churn.ingest.labels import (
    ACTIVE,
    EXCLUDED,
    LEFT,
    is_generic,
    label_text,
    label_value_map,
    told_active,
    values_by_class,
)
from churn.ingest.names import (
    is_date,
    is_number,
    is_segment_name,
    name_blocked,
    name_strength,
    normalise_name,
)

#: columns compared with each other for recodings (the first ones of a wide table)
MAX_RECODING_COLUMNS = 60
#: label and status columns have at most this many distinct values
MAX_LABEL_VALUES = 12
#: value evidence of a label column: generic two-valued answers, words that say left / stayed
GENERIC_LABEL, WORDED_LABEL = 0.4, 0.9
#: an end date filled for the churned and empty for the others in this share of rows
END_AGREEMENT = 0.95
_LEAKY_NAME = re.compile(
    r"(reason|årsak|arsak|aarsak|grunn|årsag|cause|why|kommentar|comment|note|motivo|grund)"
)
#: a code: letters, digits and joiners, no spaces, at least one digit ('7590-VHVEG', '382-4657', a UUID)
_CODE = re.compile(r"^(?=.*[0-9])[0-9A-Za-z][0-9A-Za-z\-_.:/+]{0,63}$")
#: words with spaces: a person's or a company's name, which differs on every row but names no customer key
_WORDS = re.compile(r"^[^\W\d_]+(?:[ '.-][^\W\d_]+)+$")


def either(*clues: float) -> float:
    """Combine independent clues: ``1 - prod(1 - clue)``.

    Example
    -------
    >>> round(either(0.6, 0.9), 2)
    0.96
    """
    out = 1.0
    for clue in clues:
        out *= 1.0 - max(0.0, min(1.0, clue))
    return 1.0 - out


def shown_values(values: list[str], limit: int = 3) -> str:
    """``'Churned / Stayed / Joined'`` (at most ``limit``, then ``…``)."""
    text = " / ".join(values[:limit])
    return text + (" / …" if len(values) > limit else "")


def _reason(key: str, column: str, **values) -> Note:
    return Note(f"roles.{key}", {"column": str(column), **values})


# ---------------------------------------------------------------- column shapes


def is_id_shaped(series: pd.Series) -> bool:
    """Filled (99%), not dates, whole numbers if numeric, more than two values: an id but for uniqueness."""
    values = series.dropna()
    if len(values) == 0 or len(values) < len(series) * 0.99 or is_date(series):
        return False
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_float_dtype(series) and not (values == values.round()).all():
        return False
    return values.nunique() > 2 or (values.is_unique and not is_generic([str(v) for v in values.unique()]))


def is_row_counter(series: pd.Series) -> bool:
    """1, 2, 3, ... (or 0, 1, 2, ...) in file order: a row number, not a customer id."""
    if not is_number(series) or series.isna().any() or len(series) < 3:
        return False
    steps = np.diff(series.to_numpy(dtype=float))
    return bool((steps == 1).all()) and float(series.iloc[0]) in (0.0, 1.0)


def label_shape(series: pd.Series) -> tuple[float, dict[str, str | None]] | None:
    """(value evidence, value map) when a column's values read as a churn label or status, else None."""
    if is_date(series) or series.notna().sum() == 0:
        return None
    values = series.dropna()
    if is_number(series):
        whole = values == values.round()
        if not whole.all() or not set(values.astype(float).unique()) <= {0.0, 1.0}:
            return None
    elif values.nunique() > MAX_LABEL_VALUES:
        return None
    mapping = label_value_map(series)
    classes = set(mapping.values())
    if None in classes or not classes & {LEFT, ACTIVE}:
        return None
    if len(mapping) > 2 and not {LEFT, ACTIVE} <= classes:
        return None
    worded = [v for v, c in mapping.items() if c in (LEFT, ACTIVE) and not is_generic([v])]
    strength = WORDED_LABEL if worded else GENERIC_LABEL
    if EXCLUDED in classes:
        strength -= 0.1  # some values say nothing: still a status, a little less sure
    return strength, mapping


def is_category(series: pd.Series, named: bool = False) -> bool:
    """Few distinct values (more allowed when the header already says 'segment')."""
    values = series.dropna()
    if is_date(series) or values.empty:
        return False
    distinct = values.nunique()
    share = 0.8 if named else 0.5
    if is_number(series):
        return distinct <= 12 and (values == values.round()).all() and distinct <= share * len(values)
    return 2 <= distinct <= max(50, min(200, len(values) // 20)) and distinct <= share * len(values)


# ---------------------------------------------------------------- one role at a time


def id_candidates(frame: pd.DataFrame) -> list[Candidate]:
    """Unique, id-shaped columns scored by name and shape (a row counter scores near nothing)."""
    out = []
    rows = len(frame)
    for column in frame.columns:
        series = frame[column]
        if not is_id_shaped(series) or not series.dropna().is_unique:
            continue
        name = name_strength(column, "customer_id")
        if is_row_counter(series):
            shape = 0.05
        elif is_number(series):
            shape = 0.35
        else:
            text = series.dropna().astype(str)
            sample = text.head(2000)
            if sample.str.len().mean() > 40 or sample.str.count(" ").mean() > 2:
                shape = 0.1  # free text that happens to differ on every row
            elif sample.str.match(_CODE).mean() > 0.95:
                shape = 0.6
            elif sample.str.match(_WORDS).mean() > 0.8:
                shape = 0.25  # 'Cameron Williams', 'Firma 0 AS': a name, not a key; the page asks
            else:
                shape = 0.45
        key = "reason_id_named_unique" if name else "reason_id_unique"
        out.append(Candidate(column, either(name, shape), _reason(key, column, rows=rows)))
    return out


def label_candidates(frame: pd.DataFrame, taken: set[str]) -> tuple[list[Candidate], dict]:
    """Columns whose values read as left / stayed, scored by name and by how specific the words are."""
    out, maps = [], {}
    for column in frame.columns:
        if column in taken:
            continue
        shape = label_shape(frame[column])
        if shape is None:
            continue
        strength, mapping = shape
        name = name_strength(column, "churn_label")
        values = shown_values(list(mapping))
        key = "reason_label_named" if name else "reason_label_values"
        out.append(Candidate(column, either(name, strength), _reason(key, column, values=values)))
        maps[column] = mapping
    return out, maps


def _churned_rows(frame: pd.DataFrame, label: str | None, maps: dict) -> pd.Series | None:
    """True for rows the chosen label says left, False for staying, NaN for the rest."""
    if label is None:
        return None
    return label_text(frame[label]).map({v: c == LEFT for v, c in maps[label].items() if c in (LEFT, ACTIVE)})


def end_candidates(frame: pd.DataFrame, taken: set[str], churned: pd.Series | None) -> list[Candidate]:
    """Date columns named like an end date, or filled exactly for the customers who left."""
    out = []
    for column in frame.columns:
        series = frame[column]
        if column in taken or not is_date(series):
            continue
        name = name_strength(column, "end_date")
        filled = series.notna()
        share = float(filled.mean())
        relation, key, values = 0.0, "reason_end_named", {"share": f"{share:.0%}"}
        known = churned.notna() if churned is not None else None
        if known is not None and known.sum() >= 10 and 0 < share < 1:
            agree = float((filled[known] == churned[known].astype(bool)).mean())
            if agree >= END_AGREEMENT:
                relation, key = 0.85, "reason_end_filled_for_churned"
                values = {"count": int(filled[known & churned.fillna(False).astype(bool)].sum())}
        elif known is None and 0 < share < 0.98:
            relation = 0.3 if not name_blocked(column, "end_date") else 0.0
        if name == 0 and relation == 0:
            continue
        if name and key == "reason_end_named" and relation == 0 and not 0 < share < 1:
            name *= 0.8  # an end date for everyone or no one is a planned date, or empty
        out.append(Candidate(column, either(name, relation), _reason(key, column, **values)))
    return out


def start_candidates(frame: pd.DataFrame, taken: set[str]) -> list[Candidate]:
    """Date columns named like a start date, or the date filled for (nearly) every customer."""
    out = []
    for column in frame.columns:
        series = frame[column]
        if column in taken or not is_date(series) or name_blocked(column, "start_date"):
            continue
        name = name_strength(column, "start_date")
        share = float(series.notna().mean())
        filled = 0.5 if share > 0.95 else 0.0
        if name == 0 and filled == 0:
            continue
        key = "reason_start_named" if name else "reason_start_filled"
        out.append(Candidate(column, either(name, filled), _reason(key, column, share=f"{share:.0%}")))
    return out


def number_candidates(frame: pd.DataFrame, taken: set[str], role: str) -> list[Candidate]:
    """Numeric columns named like ``role`` (tenure or value), mostly not negative."""
    out = []
    for column in frame.columns:
        series = frame[column]
        if column in taken or not is_number(series):
            continue
        name = name_strength(column, role)
        if name == 0:
            continue
        values = series.dropna()
        if values.empty or (values < 0).mean() > 0.01:
            continue
        out.append(Candidate(column, name * 0.95, _reason(f"reason_{role}_named", column)))
    return out


def segment_columns(frame: pd.DataFrame, taken: set[str]) -> tuple[str, ...]:
    """Categorical columns (named like a segment first), never reasons or free text."""
    named = [
        c
        for c in frame.columns
        if c not in taken and is_segment_name(c) and is_category(frame[c], named=True)
    ]
    others = [c for c in frame.columns if c not in taken and c not in named and is_category(frame[c])]
    return tuple(c for c in [*named, *others] if not _LEAKY_NAME.search(normalise_name(c)))


# ---------------------------------------------------------------- the table


def _label_notes(column: str | None, mapping: dict[str, str | None]) -> list[Note]:
    if column is None:
        return []
    notes = []
    if len(mapping) > 2 or told_active(mapping):
        by_class = {cls: [v for v, c in mapping.items() if c == cls] for cls in (LEFT, ACTIVE, EXCLUDED)}
        notes.append(
            Note(
                "roles.note_label_values",
                {
                    "column": column,
                    "left": ", ".join(by_class[LEFT]) or "–",
                    "active": ", ".join(by_class[ACTIVE]) or "–",
                },
            )
        )
        if by_class[EXCLUDED]:
            notes.append(
                Note("roles.note_label_excluded", {"column": column, "values": ", ".join(by_class[EXCLUDED])})
            )
    for value in told_active(mapping):
        notes.append(Note("roles.note_label_told_active", {"column": column, "value": value}))
    return notes


def customer_role_evidence(frame: pd.DataFrame) -> tuple[dict, dict[str, RoleGuess], list[Note]]:
    """Roles of a customer table with the evidence for each, and notes for the user.

    Parameters
    ----------
    frame : pd.DataFrame
        A typed customer table (from :func:`churn.ingest.parsing.read_table`).

    Returns
    -------
    tuple
        ``(roles, guesses, notes)``: ``roles`` holds the RoleMapping fields of a
        customer table (a role the evidence is too thin for is None); ``guesses``
        maps each role to its :class:`~churn.ingest.evidence.RoleGuess`; ``notes``
        says how label values were read and anything else worth telling.

    Example
    -------
    >>> frame = pd.DataFrame({"Married": ["Yes", "No"] * 6,
    ...                       "Customer Status": ["Churned", "Stayed", "Joined"] * 4})
    >>> customer_role_evidence(frame)[0]["churn_label"]
    'Customer Status'
    """
    guesses: dict[str, RoleGuess] = {}
    roles: dict = {}
    taken: set[str] = set()

    def settle(role: str, candidates: list[Candidate]) -> str | None:
        guess = role_guess(role, [c for c in candidates if c.column not in taken])
        if guess.candidates:
            guesses[role] = guess
        roles[role] = guess.chosen
        if guess.chosen:
            taken.add(guess.chosen)
        return guess.chosen

    settle("customer_id", id_candidates(frame))
    labels, maps = label_candidates(frame, taken)
    label = settle("churn_label", labels)
    settle("end_date", end_candidates(frame, taken, _churned_rows(frame, label, maps)))
    settle("start_date", start_candidates(frame, taken))
    settle("tenure", number_candidates(frame, taken, "tenure"))
    settle("value", number_candidates(frame, taken, "value"))
    roles["segments"] = segment_columns(
        frame, taken | {c for c in frame.columns if _is_code_column(frame, c)}
    )
    notes = _label_notes(label, maps.get(label, {}))
    free = [c for c in frame.columns if c not in taken]
    notes += [Note("roles.note_recodes", {"column": a, "other": b}) for a, b in recodings(frame, free)]
    if label is not None:
        roles.update(_label_lists(maps[label]))
    return roles, guesses, notes


def recodings(frame: pd.DataFrame, columns: list[str], limit: int = 3) -> list[tuple[str, str]]:
    """Pairs ``(column, other)`` where each value of ``column`` goes with one value of ``other``.

    ``Age`` holding 15 / 25 / 30 next to ``Age Group`` 1 / 2 / 3 is one column
    twice; the user is told, so a chart or a driver list that shows both is not
    read as two findings. Of two columns with as many values, the later one
    recodes the earlier. Only columns with 2..100 values and ten rows per value count.

    Example
    -------
    >>> frame = pd.DataFrame({"Age Group": [1, 2, 3] * 10, "Age": [15, 25, 30] * 10, "x": list(range(30))})
    >>> recodings(frame, ["Age Group", "Age", "x"])
    [('Age', 'Age Group')]
    """
    counts = {c: frame[c].nunique() for c in columns}
    small = [c for c in columns if 2 <= counts[c] <= 100 and len(frame) >= 10 * counts[c]]
    small = small[:MAX_RECODING_COLUMNS]  # a wide table: the first ones, so the check stays quick
    pairs: list[tuple[str, str]] = []
    for column in small:
        others = [o for o in small if o != column and counts[o] <= counts[column]]
        if not others:
            continue
        # one grouping per column: the most values of each other column within one of its values
        spread = frame.groupby(column, dropna=False)[others].nunique(dropna=False).max()
        for other in others:
            if {column, other} in [set(p) for p in pairs]:
                continue
            if spread[other] == 1:
                one_to_one = counts[other] == counts[column] and columns.index(column) < columns.index(other)
                pairs.append((other, column) if one_to_one else (column, other))  # the later one recodes
                if len(pairs) >= limit:
                    return pairs
    return pairs


def _is_code_column(frame: pd.DataFrame, column: str) -> bool:
    """Ids and hashes that differ on nearly every row are never segments."""
    series = frame[column].dropna()
    return len(series) > 20 and series.nunique() > 0.9 * len(series)


def _label_lists(mapping: dict[str, str | None]) -> dict[str, tuple[str, ...]]:
    """RoleMapping's churned / active / excluded values; empty when the defaults are plain Yes/No."""
    if len(mapping) <= 2 and is_generic(list(mapping)):
        return {}
    return values_by_class(mapping)
