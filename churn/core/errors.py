"""Error classes whose message is one plain sentence a user can act on, in the user's language.

Every failure a user can cause (a wrong file, a wrong column, an absurd
input) is raised as a subclass of :class:`ChurnError` with a message key from
``churn/core/locales/<lang>/errors.json`` and the values its sentence names::

    raise InputError("errors.binary_file", name="junk.csv")

``str(error)`` is the English sentence (for logs, tests and anything that
reads English); ``error.text("nb")`` is the same sentence in bokmål, and
:func:`message` gives the sentence for any exception, a bug included. The UI
shows ``message(error, lang)``; the CLI prints ``error: <message>`` in its
``--lang`` and exits 2.

The values are kept as they are and written in the reader's language only
when the sentence is made: whole numbers get the language's thousands
separator (``3,000`` / ``3 000``), other numbers its decimal sign (``0.5`` /
``0,5``), dates its date format, a :class:`OneOf` becomes ``a, b or c`` /
``a, b eller c``, a list or tuple is joined with commas, and anything with a
``text(lang)`` method is translated: a :class:`Phrase` (a part of the sentence
with its own key, such as ``errors.table_customers``), :class:`Words` (a label
that already exists in each language) or an :class:`~churn.core.i18n.Note`.
Pass column names, ids and other words of the user's file as ``str``: they are
shown as written.

A first argument that is not a key of the catalogue is taken as a ready
sentence, the same in every language (for text that comes from outside it).
``churn/`` itself always raises with a key; a test walks the package and says so.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from numbers import Integral, Real

#: The key of the sentence shown for anything that is not a ChurnError (a bug).
UNEXPECTED = "errors.unexpected"
_LIST_LOCALE = {"en": "en_GB", "nb": "nb_NO"}  # British English: "a, b or c", no serial comma


@dataclass(frozen=True)
class OneOf:
    """Alternatives to list in a sentence: ``'a', 'b' or 'c'`` (en), ``'a', 'b' eller 'c'`` (nb).

    Example
    -------
    >>> OneOf(("'Churn'", "'Status'")).text("nb")
    "'Churn' eller 'Status'"
    """

    items: tuple

    def text(self, lang: str = "en") -> str:
        from babel.lists import format_list

        items = [shown(item, lang) for item in self.items]
        return format_list(items, style="or", locale=_LIST_LOCALE.get(lang, "en_GB"))


@dataclass(frozen=True)
class Phrase:
    """A part of a sentence with its own key and values, written the way the sentence is.

    Example
    -------
    >>> Phrase("errors.size_gib", {"size": 1.5}).text("nb")
    '1,5 GiB'
    """

    key: str
    values: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return _sentence(self.key, self.values, lang)


@dataclass(frozen=True)
class Words:
    """Words that already exist in each language, such as a column's glossary label.

    Example
    -------
    >>> Words({"en": "tenure", "nb": "kundetid"}).text("nb")
    'kundetid'
    """

    by_language: dict

    def text(self, lang: str = "en") -> str:
        return str(self.by_language.get(lang, self.by_language.get("en", "")))


def _sentence(key: str, values: dict, lang: str) -> str:
    """The text of ``key`` in ``lang`` with ``values`` written for it; an unknown key is the text itself."""
    from churn.core.i18n import catalogue, t

    if key not in catalogue("en"):
        return key
    return t(key, lang, **{name: shown(value, lang) for name, value in values.items()})


def _decimals(value: float, most: int = 6) -> int:
    """The fewest decimals that show ``value`` as it is (up to ``most``)."""
    scale = max(1.0, abs(value))
    return next((d for d in range(most) if abs(value - round(value, d)) < 1e-9 * scale), most)


def shown(value, lang: str = "en") -> str:
    """One value of an error sentence, written for ``lang`` (see the module docstring).

    Example
    -------
    >>> [shown(v, "nb").replace("\\xa0", " ") for v in (3000, 0.5, 100.0, "2024", ["a", "b"])]
    ['3 000', '0,5', '100', '2024', 'a, b']
    """
    from churn.core.formatting import fmt_date, fmt_number

    if callable(getattr(value, "text", None)):
        return value.text(lang)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, Integral):
        return fmt_number(int(value), lang)
    if isinstance(value, Real):
        number = float(value)
        return fmt_number(number, lang, _decimals(number)) if math.isfinite(number) else str(number)
    if isinstance(value, dt.date):  # datetime and pandas' Timestamp too
        return fmt_date(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(item, lang) for item in value)
    return str(value)


class ChurnError(Exception):
    """Base class: a message key and the values its sentence names.

    Parameters
    ----------
    key : str
        ``"errors.<name>"``, a key of ``locales/<lang>/errors.json``.
    **values
        The sentence's placeholders (numbers, names, :class:`OneOf` lists).

    Example
    -------
    >>> error = InputError("errors.file_missing", path="kunder.csv")
    >>> str(error)
    "The file 'kunder.csv' does not exist; check the path."
    >>> error.text("nb")
    "Filen 'kunder.csv' finnes ikke; sjekk filbanen."
    """

    def __init__(self, key: str, /, **values):
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (``"en"`` or ``"nb"``), its values written the language's way."""
        return _sentence(self.key, self.values, lang)

    def __str__(self) -> str:
        return self.text("en")


def message(error: BaseException, lang: str = "en") -> str:
    """The sentence to show for any exception in ``lang``: a ChurnError's own, else a generic one.

    Example
    -------
    >>> message(ZeroDivisionError("boom"), "en")
    'Something went wrong on our side; try again, and if it happens again, tell us what you did.'
    """
    if isinstance(error, ChurnError):
        return error.text(lang)
    from churn.core.i18n import t

    return t(UNEXPECTED, lang)


class InputError(ChurnError):
    """The uploaded file cannot be read as a table (empty, binary, too large, bad encoding)."""


class SchemaError(ChurnError):
    """The table is readable but its columns do not fit (no id, one-class label, unknown column)."""


class ModelError(ChurnError):
    """A model cannot be trained or applied (too little data, no positives, missing features)."""


class ScenarioError(ChurnError):
    """An ROI or what-if input is out of range or inconsistent."""


class WorkspaceError(ChurnError):
    """A workspace, dataset, model or scenario does not exist or cannot be written."""


class ReportError(ChurnError):
    """The report (or its PDF) cannot be made; the message says why in one sentence."""
