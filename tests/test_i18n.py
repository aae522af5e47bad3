"""Both languages define the same keys, placeholders match, and lookups behave."""

import json
import re

import pytest

from churn.core import i18n
from churn.core.i18n import LANGUAGES, catalogue, missing_keys, normalise_language, plural_category, t

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


@pytest.mark.parametrize(
    "count,lang,expected",
    [
        (1, "en", "one"),
        (2, "en", "other"),
        (0, "en", "other"),
        (-1, "en", "one"),
        (1.0, "en", "one"),
        (1.5, "en", "other"),
        ("1", "en", "one"),
        ("1.0", "en", "other"),  # a visible decimal is plural in English (CLDR)
        ("1,020", "en", "other"),
        ("+1", "en", "one"),
        (1, "nb", "one"),
        ("1,0", "nb", "one"),  # bokmål: n = 1, decimals or not
        ("1\xa0020", "nb", "other"),
        ("0,4", "nb", "other"),
        ("–", "en", "other"),
        (float("nan"), "en", "other"),
        (None, "en", "other"),
        (True, "en", "other"),
    ],
)
def test_plural_category(count, lang, expected):
    assert plural_category(count, lang) == expected


@pytest.mark.parametrize(
    "count,lang,expected",
    [
        (1, "en", "1 month"),
        (2, "en", "2 months"),
        (0, "en", "0 months"),
        ("1", "nb", "1 måned"),
        ("12", "nb", "12 måneder"),
        ("5,5", "nb", "5,5 måneder"),
    ],
)
def test_a_count_picks_the_plural_form(count, lang, expected):
    assert t("explain.n_months", lang, count=count) == expected


def test_plural_forms_come_in_pairs_in_both_languages():
    """Every ``<key>_one`` has its ``<key>_other``, so any count finds a form."""
    for lang in LANGUAGES:
        strings = catalogue(lang)
        lonely = [
            key for key in strings if key.endswith("_one") and key[: -len("_one")] + "_other" not in strings
        ]
        assert lonely == ["when.peak_sentence_one"], lang  # one peak month against a range: not a plural


def test_a_count_leaves_keys_without_plural_forms_alone(tmp_path, monkeypatch):
    """``count`` stays an ordinary placeholder for a key with no ``_one``/``_other`` forms."""
    for lang in LANGUAGES:
        (tmp_path / lang).mkdir()
        strings = {"plain": "{count} rows", "n_one": "one row", "n_other": "{count} rows"}
        (tmp_path / lang / "x.json").write_text(json.dumps(strings), encoding="utf-8")
    monkeypatch.setattr(i18n, "_LOCALES", tmp_path)
    catalogue.cache_clear()
    try:
        assert t("x.plain", "en", count=1) == "1 rows"
        assert [t("x.n", "nb", count=n) for n in (1, 3)] == ["one row", "3 rows"]
        assert t("x.n_other", "en", count=1) == "1 rows"
    finally:
        catalogue.cache_clear()
