"""UI strings in English and Norwegian bokmål.

Strings live in ``churn/core/locales/<lang>/<area>.json``, one folder per language.
A key is ``"<area>.<name>"``: ``t("when.title", "nb")`` reads ``title`` from
``locales/nb/when.json``. Values may hold ``{placeholders}`` for
``str.format``. Both languages must define exactly the same keys; a test
enforces it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values) -> str:
    """Translate ``key`` into ``lang`` and fill its placeholders.

    A missing key logs a warning and returns the English text (or the key
    itself), so a gap never breaks a page; the test suite catches gaps.
    """
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
