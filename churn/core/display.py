"""Column names as the reader knows them: the client's own header, else a glossary word.

Every frame in ``churn`` uses the canonical names of :mod:`churn.core.dataset`
(``tenure_months``, ``monthly_value`` ...), but a person should never read them.
:func:`column_label` turns a column name into what the reader sees: the header of
the uploaded file the column came from (``'tenure'``, ``'Lifetime'``,
``'Subscription  Length'`` with its spaces kept), or, when the column was derived
(tenure computed from dates, value from events) or has no header (rows numbered
as customers), the glossary word in ``locales/<lang>/columns.json``. Attribute
columns already carry the client's names and pass through unchanged.
"""

from __future__ import annotations

from churn.core.dataset import CHURNED, CUSTOMER_ID, END_DATE, START_DATE, TENURE, VALUE, Dataset, RoleMapping
from churn.core.i18n import DEFAULT_LANGUAGE, t

#: Where the client's headers are read: a dataset, its mapping, or None (glossary words only).
HeaderSource = Dataset | RoleMapping | None

#: Canonical customer column -> the RoleMapping field holding the client's header for it.
ROLE_OF_COLUMN = {
    CUSTOMER_ID: "customer_id",
    START_DATE: "start_date",
    END_DATE: "end_date",
    CHURNED: "churn_label",
    TENURE: "tenure",
    VALUE: "value",
}


def _mapping_of(source) -> RoleMapping | None:
    """The mapping of a dataset, the mapping itself, or None for anything else (e.g. a bare frame)."""
    if isinstance(source, Dataset):
        return source.mapping
    return source if isinstance(source, RoleMapping) else None


def column_label(source: HeaderSource, name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The name a reader sees for column ``name``.

    Parameters
    ----------
    source : Dataset | RoleMapping | None
        The dataset (or its mapping) the column belongs to; None when unknown,
        which gives the glossary word for every canonical column.
    name : str
        A column name: canonical (``"tenure_months"``) or an attribute (the client's own).
    lang : str
        The reader's language, for glossary words.

    Returns
    -------
    str
        The client's header when the mapping names one, else the glossary word
        for a canonical column, else ``name`` itself.

    Example
    -------
    >>> column_label(RoleMapping(tenure="Lifetime"), "tenure_months", "nb")
    'Lifetime'
    >>> column_label(RoleMapping(), "tenure_months", "nb")
    'Måneder som kunde'
    >>> column_label(None, "Bransje", "en")
    'Bransje'
    """
    role = ROLE_OF_COLUMN.get(name)
    if role is None:
        return str(name)
    mapping = _mapping_of(source)
    header = getattr(mapping, role, None)
    if name == CUSTOMER_ID and getattr(mapping, "grain_key", None):
        header = mapping.grain_key  # rows were several per customer: customers are this column's values
    if header is not None and str(header).strip():
        return str(header)
    return t(f"columns.{name}", lang)


def column_labels(source: HeaderSource, names, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """``{name: column_label(source, name, lang)}`` for several columns (e.g. to rename a frame).

    Example
    -------
    >>> column_labels(RoleMapping(value="MonthlyCharges"), ["monthly_value", "plan"])
    {'monthly_value': 'MonthlyCharges', 'plan': 'plan'}
    """
    return {name: column_label(source, name, lang) for name in names}
