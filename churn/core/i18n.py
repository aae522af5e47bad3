"""UI strings in English and Norwegian bokmål.

Strings live in ``churn/core/locales/<lang>/<area>.json``, one folder per language.
A key is ``"<area>.<name>"``: ``t("when.title", "nb")`` reads ``title`` from
``locales/nb/when.json``. Values may hold ``{placeholders}`` for
``str.format``. Both languages must define exactly the same keys; a test
enforces it.

A string that depends on a number has one key per CLDR plural category,
``<key>_one`` and ``<key>_other`` for English and bokmål; ``t(key, lang,
count=n)`` picks the form for ``n``. The one term per concept is in
``locales/glossary.<lang>.json``.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from numbers import Integral, Real
from pathlib import Path

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from churn.core.formatting import fmt_number

LANGUAGES = ("en", "nb")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "nb": "Norsk bokmål"}
_LOCALES = Path(__file__).parent / "locales"

log = logging.getLogger(__name__)


def normalise_language(lang: str | None) -> str:
    """Return a supported language code; anything unknown falls back to English.

    Example
    -------
    >>> normalise_language("no"), normalise_language("<script>")
    ('nb', 'en')
    """
    code = (lang or "").strip().lower()
    if code in ("no", "nob", "nb-no", "no-nb", "norsk"):
        code = "nb"
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    """All strings of one language as a flat ``{"area.name": text}`` dict."""
    strings: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.json")):
        area = path.stem
        for name, text in json.loads(path.read_text(encoding="utf-8")).items():
            strings[f"{area}.{name}"] = text
    return strings


def plural_category(count: float | str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The CLDR plural category (``"one"``, ``"other"``) of ``count`` in ``lang``.

    ``count`` is a number or a number already formatted for ``lang``; a
    formatted one keeps its visible decimals, so ``"1.0"`` is ``"other"`` in
    English. Anything that is not a finite number is ``"other"``.

    Example
    -------
    >>> plural_category(1, "en"), plural_category("1 020", "nb"), plural_category("–", "en")
    ('one', 'other', 'other')
    """
    lang = normalise_language(lang)
    number: Decimal | int | float
    if isinstance(count, bool):
        return "other"
    if isinstance(count, str):
        try:
            number = parse_decimal(count.strip().lstrip("+").replace(" ", "\xa0"), locale=lang)
        except NumberFormatError:
            return "other"
        if not number.is_finite():
            return "other"
    elif isinstance(count, Integral):
        number = int(count)
    elif isinstance(count, Real) and math.isfinite(count):
        number = float(count)
    else:
        return "other"
    return Locale.parse(lang).plural_form(abs(number))


def plural_key(key: str, lang: str, count: float | str) -> str:
    """``<key>_<category>`` for ``count`` when ``key`` has plural forms, else ``key`` itself."""
    strings = catalogue(normalise_language(lang)) or catalogue(DEFAULT_LANGUAGE)
    for form in (f"{key}_{plural_category(count, lang)}", f"{key}_other"):
        if form in strings:
            return form
    return key


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values) -> str:
    """Translate ``key`` into ``lang`` and fill its placeholders.

    With a ``count`` value, a key with plural forms picks the one for that
    number: ``t("explain.n_months", "en", count=1)`` reads
    ``explain.n_months_one`` ("1 month"), any other count
    ``explain.n_months_other``. Keys without plural forms ignore ``count``
    except as a placeholder.

    A missing key logs a warning and returns the English text (or the key
    itself), so a gap never breaks a page; the test suite catches gaps.
    """
    if "count" in values:
        key = plural_key(key, lang, values["count"])
    text = catalogue(normalise_language(lang)).get(key)
    if text is None:
        log.warning("missing translation %s for %s", key, lang)
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text


def missing_keys() -> dict[str, set[str]]:
    """Keys defined in some language but not in ``lang``, per language."""
    all_keys = set().union(*(catalogue(lang).keys() for lang in LANGUAGES))
    return {lang: all_keys - catalogue(lang).keys() for lang in LANGUAGES}


@dataclass(frozen=True)
class Note:
    """One thing to tell the user, as a translation key (``"<area>.<name>"``) and its values.

    Example
    -------
    >>> Note("roles.note_row_numbers", {"rows": "3,150"}).key
    'roles.note_row_numbers'
    """

    key: str
    values: dict = field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The note as one sentence in ``lang``; whole numbers get the language's thousands separator."""
        values = {
            k: fmt_number(v, lang) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in self.values.items()
        }
        return t(self.key, lang, **values)

    def to_dict(self) -> dict:
        """A JSON-ready dict: the key, the values and the English sentence."""
        return {"key": self.key, "values": dict(self.values), "text": self.text("en")}
