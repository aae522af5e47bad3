"""Which values of a churn label or status column mean *left*, *still a customer* or *leave out*.

A label can be two generic values (Yes/No, Ja/Nei, Sí/No, Oui/Non, Ja/Nein,
1/0, True/False) or a status written in words in any of our users' languages
(``Attrited Customer`` / ``Existing Customer``, ``active`` / ``paused`` /
``canceled``, ``Churned`` / ``Stayed`` / ``Joined``). :func:`label_value_map`
gives each value a default class; the user can change it, and the mapping is
saved with the dataset (``RoleMapping.churned_values`` and friends).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from churn.core.errors import Phrase, SchemaError
from churn.ingest.columns import each_distinct

LEFT, ACTIVE, EXCLUDED = "left", "active", "excluded"
LABEL_CLASSES = (LEFT, ACTIVE, EXCLUDED)

# fmt: off
#: two-valued answers that say nothing about churn by themselves (a "Married" column has them too)
GENERIC_LEFT = {"1", "1.0", "yes", "y", "ja", "j", "si", "sí", "oui", "true", "t", "x", "sann", "sand", "wahr", "verdadero"}
GENERIC_ACTIVE = {"0", "0.0", "no", "n", "nei", "nej", "nein", "non", "false", "f", "usann", "falsk", "falsch", "falso"}
#: words that mean the customer left, in English, Norwegian, Danish, Swedish, German, Spanish, French
LEFT_WORDS = {
    "churn", "churned", "churner", "churning", "left", "lost", "former", "inactive", "cancelled", "canceled",
    "cancel", "cancellation", "terminated", "attrited", "attrition", "exited", "closed", "ended", "gone",
    "quit", "lapsed", "expired", "deleted", "departed", "discontinued", "unsubscribed", "defected",
    "oppsagt", "opsagt", "avsluttet", "afsluttet", "tapt", "mistet", "frafalt", "frafaldet", "gått", "gaatt",
    "ophørt", "opphørt", "inaktiv", "sluttet", "stoppet", "slettet", "uppsagd", "avslutad", "lämnat",
    "förlorad", "gekündigt", "ausgetreten", "verloren", "beendet", "gekuendigt", "baja", "perdido", "cancelado",
    "inactivo", "abandono", "abandonó", "résilié", "resilie", "parti", "perdu", "annulé",
}
#: words that mean still a customer (new and paused customers have not left)
ACTIVE_WORDS = {
    "active", "stayed", "existing", "current", "retained", "renewed", "customer", "member", "joined",
    "new", "paused", "ongoing", "continuing", "subscribed", "loyal", "remained",
    "aktiv", "aktive", "kunde", "beholdt", "løpende", "fortsatt", "ny", "pause", "pauset", "aktiva",
    "kvar", "stannat", "kund", "bestehend", "behalten", "neu", "pausiert", "activo", "actual", "alta",
    "nuevo", "actif", "fidèle", "nouveau",
}
#: words that say a customer is paused or new: still a customer, and the user is told so
TOLD_ACTIVE = {"paused", "pause", "pauset", "pausiert", "joined", "new", "ny", "neu", "nuevo", "nouveau"}
NEGATIONS = {"not", "no", "non", "ikke", "ikkje", "inte", "nicht", "kein", "sin", "pas"}
# fmt: on


def _key(value: object) -> str:
    """Lower case, accents kept, outer space stripped, inner runs of space collapsed."""
    text = unicodedata.normalize("NFC", str(value)).strip().lower()
    return re.sub(r"\s+", " ", text)


def value_class(value: object) -> str | None:
    """The default class of one label value (LEFT, ACTIVE) or None when the words say nothing.

    Example
    -------
    >>> value_class("Attrited Customer"), value_class("Existing Customer"), value_class("Sí")
    ('left', 'active', 'left')
    >>> value_class("not churned"), value_class("Married") is None
    ('active', True)
    """
    key = _key(value)
    if key in GENERIC_LEFT:
        return LEFT
    if key in GENERIC_ACTIVE:
        return ACTIVE
    tokens = [t for t in re.split(r"[^0-9a-zæøåäöüéèáíóúñß]+", key) if t]
    negated = bool(tokens) and tokens[0] in NEGATIONS
    if any(t in LEFT_WORDS for t in tokens):
        return ACTIVE if negated else LEFT
    if any(t in ACTIVE_WORDS for t in tokens):
        return (
            LEFT if negated and any(t in {"active", "aktiv", "activo", "actif"} for t in tokens) else ACTIVE
        )
    return None


def label_text(series: pd.Series) -> pd.Series:
    """A label column's values as the text the mapping names them by (missing stays None).

    True/False read as ``"1"`` / ``"0"``, whole floats lose their ``.0`` (``1.0`` -> ``"1"``),
    everything else is stripped text.

    Example
    -------
    >>> label_text(pd.Series([1.0, 0.0, None])).tolist(), label_text(pd.Series([" Yes", "No"])).tolist()
    (['1', '0', None], ['Yes', 'No'])
    """
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("Int8")
    values = series.dropna()
    if pd.api.types.is_float_dtype(series) and (values == values.round()).all():
        return each_distinct(series, lambda v: str(int(v)))
    return each_distinct(series, lambda v: str(v).strip())


def label_value_counts(series: pd.Series) -> dict[str, int]:
    """Rows per value of a label column (as :func:`label_text` writes them), most common first.

    Example
    -------
    >>> label_value_counts(pd.Series(["No", "Yes", "No", None]))
    {'No': 2, 'Yes': 1}
    """
    counts = label_text(series).dropna().value_counts(sort=True)
    return {str(v): int(n) for v, n in counts.items()}


def label_values(series: pd.Series) -> list[str]:
    """The distinct values of a label column as text (:func:`label_text`), most common first."""
    return list(label_value_counts(series))


#: RoleMapping field holding the values of each class
VALUE_FIELDS = {LEFT: "churned_values", ACTIVE: "active_values", EXCLUDED: "excluded_values"}


def values_by_class(classes: dict[str, str | None]) -> dict[str, tuple[str, ...]]:
    """``{value: class}`` -> the RoleMapping fields ``churned_values``, ``active_values``, ``excluded_values``.

    Example
    -------
    >>> values_by_class({"canceled": "left", "active": "active", "paused": "active"})
    {'churned_values': ('canceled',), 'active_values': ('active', 'paused'), 'excluded_values': ()}
    """
    return {field: tuple(v for v, c in classes.items() if c == cls) for cls, field in VALUE_FIELDS.items()}


def classes_of(mapping) -> dict[str, str]:
    """The ``{value: class}`` a RoleMapping's label fields name (the reverse of :func:`values_by_class`)."""
    return {v: cls for cls, field in VALUE_FIELDS.items() for v in getattr(mapping, field)}


def label_value_map(series: pd.Series) -> dict[str, str | None]:
    """Each distinct value of a label or status column -> LEFT, ACTIVE, EXCLUDED (or None: unknown).

    In a status with words for both left and staying, a value the words do not
    place is EXCLUDED (left out, the user is shown it and can move it); in a
    two-valued column of one recognised value and one unknown, the unknown one
    takes the other class.

    Example
    -------
    >>> label_value_map(pd.Series(["active", "paused", "canceled", "active"]))
    {'active': 'active', 'paused': 'active', 'canceled': 'left'}
    >>> label_value_map(pd.Series(["Churned", "Stayed", "Joined", "Other"]))
    {'Churned': 'left', 'Stayed': 'active', 'Joined': 'active', 'Other': 'excluded'}
    """
    values = label_values(series)
    classes = {v: value_class(v) for v in values}
    known = {c for c in classes.values() if c}
    unknown = [v for v, c in classes.items() if c is None]
    if known == {LEFT, ACTIVE}:
        classes.update({v: EXCLUDED for v in unknown})
    elif (
        len(values) == 2
        and known == {LEFT}
        and len(unknown) == 1
        and not is_generic([v for v in values if v not in unknown])
    ):
        classes[unknown[0]] = ACTIVE  # "Churned" / "Regular": the other value stayed
    return classes


def is_generic(values: list[str]) -> bool:
    """True when every value is a generic answer (Yes/No, 1/0, ...), not a churn word."""
    return all(_key(v) in GENERIC_LEFT | GENERIC_ACTIVE for v in values)


def told_active(mapping: dict[str, str | None]) -> list[str]:
    """Values counted as still a customer that a reader might have read otherwise (paused, new)."""
    return [
        v
        for v, c in mapping.items()
        if c == ACTIVE and any(t in TOLD_ACTIVE for t in re.split(r"\W+", _key(v)))
    ]


def label_classes(
    series: pd.Series,
    churned: tuple[str, ...] | list[str] = (),
    active: tuple[str, ...] | list[str] = (),
    excluded: tuple[str, ...] | list[str] = (),
) -> dict[str, str | None]:
    """Each value of a label column -> LEFT / ACTIVE / EXCLUDED: the user's choices over the defaults.

    With only ``churned`` given every other value is still a customer; with only
    ``active`` given every other value has left; ``excluded`` values are left out.
    Values nothing places stay None (:func:`parse_churn_label` refuses them).

    Example
    -------
    >>> label_classes(pd.Series(["Churned", "Stayed", "Joined"]), churned=("Churned",))
    {'Churned': 'left', 'Stayed': 'active', 'Joined': 'active'}
    """
    churned, active = tuple(str(v).strip() for v in churned), tuple(str(v).strip() for v in active)
    excluded = tuple(str(v).strip() for v in excluded)
    default = label_value_map(series)
    out: dict[str, str | None] = {}
    for value in default:  # every value, most common first
        if value in churned:
            out[value] = LEFT
        elif value in active:
            out[value] = ACTIVE
        elif value in excluded:
            out[value] = EXCLUDED
        elif churned and not active:
            out[value] = ACTIVE  # "--churned-values X": every other value is still a customer
        elif active and not churned:
            out[value] = LEFT
        else:
            out[value] = default.get(value)
    return out


def parse_churn_label(
    series: pd.Series,
    churned_values: tuple[str, ...] | list[str] = (),
    active_values: tuple[str, ...] | list[str] = (),
    excluded_values: tuple[str, ...] | list[str] = (),
) -> pd.Series:
    """Turn a churn label or status column into 1 (left) / 0 (still a customer) / <NA> (left out).

    Parameters
    ----------
    series : pd.Series
        The label column as read.
    churned_values, active_values, excluded_values : sequence of str
        Values (as text, stripped) chosen by the user. Empty: the defaults of
        :func:`label_value_map`. With only ``churned_values`` given, every other
        value means still a customer (and the reverse).

    Returns
    -------
    pd.Series
        ``Int8``: 1, 0, or <NA> for missing and excluded values. A column of one
        left value and blanks ("Ja" or empty) reads the blanks as 0.

    Raises
    ------
    SchemaError
        Values that say nothing about churn, or only one class present.

    Example
    -------
    >>> parse_churn_label(pd.Series(["Ja", "Nei", "ja"], name="Oppsagt")).tolist()
    [1, 0, 1]
    >>> parse_churn_label(pd.Series(["active", "paused", "canceled"])).tolist()
    [0, 0, 1]
    """
    name = series.name
    text = label_text(series)
    classes = label_classes(series, churned_values, active_values, excluded_values)
    values = list(classes)
    odd = [v for v, c in classes.items() if c is None]
    if odd:
        raise SchemaError("errors.label_unclear", column=str(name), values=[repr(v) for v in odd[:3]])
    codes = {v: {LEFT: 1, ACTIVE: 0}.get(c) for v, c in classes.items()}
    out = pd.Series(text.map(codes), index=series.index, dtype="Int8")
    present = out.dropna()
    if present.nunique() == 1 and present.iloc[0] == 1 and text.isna().any() and len(values) == 1:
        out = out.fillna(0)  # "Ja" or blank: blank means still a customer
        present = out.dropna()
    if present.nunique() < 2:
        only = f"'{values[0]}'" if values else Phrase("errors.nothing")
        raise SchemaError("errors.label_one_value", column=str(name), only=only)
    return out.astype("Int8")
