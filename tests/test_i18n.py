"""Both languages define the same keys, placeholders match, and lookups behave."""

import json
import re

import pytest

from churn.core import i18n
from churn.core.i18n import LANGUAGES, catalogue, missing_keys, normalise_language, t

PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")


def test_every_key_exists_in_every_language():
    gaps = {lang: sorted(keys) for lang, keys in missing_keys().items() if keys}
    assert not gaps, f"missing translations: {gaps}"


def test_placeholders_are_the_same_in_both_languages():
    en, nb = catalogue("en"), catalogue("nb")
    differing = [
        key
        for key in en
        if key in nb and set(PLACEHOLDER.findall(en[key])) != set(PLACEHOLDER.findall(nb[key]))
    ]
    assert not differing


def test_no_empty_strings():
    for lang in LANGUAGES:
        assert all(text.strip() for text in catalogue(lang).values()), lang


def test_a_missing_key_is_detected(tmp_path, monkeypatch):
    """A key present only in English shows up as missing in Norwegian."""
    for lang, strings in {"en": {"a": "A", "b": "B"}, "nb": {"a": "A"}}.items():
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "x.json").write_text(json.dumps(strings), encoding="utf-8")
    monkeypatch.setattr(i18n, "_LOCALES", tmp_path)
    catalogue.cache_clear()
    try:
        assert missing_keys() == {"en": set(), "nb": {"x.b"}}
    finally:
        catalogue.cache_clear()


@pytest.mark.parametrize(
    "raw,expected",
    [("nb", "nb"), ("NO", "nb"), ("nb-NO", "nb"), ("en", "en"), ("", "en"), (None, "en"), ("<script>", "en")],
)
def test_normalise_language(raw, expected):
    assert normalise_language(raw) == expected


def test_translation_differs_by_language_and_fills_placeholders():
    assert t("nav.when", "en") == "When"
    assert t("nav.when", "nb") == "Når"
    assert t("nonexistent.key", "nb") == "nonexistent.key"
