"""One term per concept: the glossaries agree, and no string uses a retired word, a source's name or English in bokmål."""

import json
import re
from pathlib import Path

import pytest

from churn.core import i18n
from churn.core.i18n import LANGUAGES, catalogue

LOCALES = Path(i18n.__file__).parent / "locales"
TEMPLATE = Path(__file__).parents[1] / "churn" / "report" / "templates" / "report.html"
SOURCE_NAME = re.compile(r"\bseed\s*\d{3}\b", re.IGNORECASE)

#: Not the app's words but the client's or the shell's: placeholders, the
#: client's names in «», identifiers such as churn_reason, and commands.
NOT_OUR_WORDS = re.compile(r"{[^}]*}|«[^»]*»|\S*_\S*|python -m churn|--[\w-]+")

#: English words that must not stand in a bokmål string, also with a
#: Norwegian ending ("scoren", "scoret"); compounds such as "risikoscore" are fine.
ENGLISH_IN_NB = [
    "churn",
    "threshold",
    "baseline",
    "rule-based",
    "holdout",
    "held-out",
    "dataset",
    "feature",
    "features",
    "recall",
    "precision",
    "cohort",
    "cohorts",
    "scoring",
    "score",
    "tenure",
    "onboarding",
    "retention",
    "workspace",
    "leakage",
    "key account",
    "choose",
    "none",
]
NB_ENDING = r"(?:e|en|er|ene|et|n|ne|r|s|t|ing|ingen)?"


def glossary(lang: str) -> dict[str, dict]:
    return json.loads((LOCALES / f"glossary.{lang}.json").read_text(encoding="utf-8"))


def our_words(text: str) -> str:
    return NOT_OUR_WORDS.sub(" ", text)


def word(phrase: str, ending: str = r"\w*") -> re.Pattern:
    """``phrase`` as a word, case-insensitive, with any ending (a simple stand-in for inflections)."""
    return re.compile(rf"(?<!\w){re.escape(phrase)}{ending}(?!\w)", re.IGNORECASE)


def template_text() -> str:
    """The report template's literal visible text: no styles, tags or Jinja expressions."""
    html = TEMPLATE.read_text(encoding="utf-8")
    for pattern in (
        r"<style.*?</style>",
        r"<script.*?</script>",
        r"<!--.*?-->",
        r"{{.*?}}",
        r"{%.*?%}",
        r"{#.*?#}",
    ):
        html = re.sub(pattern, " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]*>", " ", html)


def retired_uses(lang: str, strings: dict[str, str]) -> list[tuple[str, str, str]]:
    """(key, concept, retired word) for every retired synonym found in ``strings``.

    A chosen term that starts with a retired word ("verdi i faresonen" after
    "verdi i fare") is blanked out first, so only the retired word itself counts.
    """
    entries = glossary(lang)
    terms = [entry["term"] for entry in entries.values()]
    found = []
    for concept, entry in entries.items():
        for retired in entry["retired"]:
            longer = [
                word(term) for term in terms if term.lower().startswith(retired.lower()) and term != retired
            ]
            for key, text in strings.items():
                text = our_words(text)
                for pattern in longer:
                    text = pattern.sub(" ", text)
                if word(retired).search(text):
                    found.append((key, concept, retired))
    return found


def test_both_glossaries_define_the_same_concepts():
    assert glossary("en").keys() == glossary("nb").keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_has_a_term_a_note_and_a_list_of_retired_words(lang):
    for concept, entry in glossary(lang).items():
        assert set(entry) == {"term", "retired", "note"}, concept
        assert entry["term"].strip() and entry["note"].strip(), concept
        assert isinstance(entry["retired"], list), concept
        assert entry["term"].lower() not in {r.lower() for r in entry["retired"]}, concept


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_string_uses_a_retired_synonym(lang):
    assert retired_uses(lang, catalogue(lang)) == []


def test_a_retired_synonym_is_found_in_any_inflection_but_not_inside_its_successor():
    """'Frafallsrate' holds the retired 'frafall'; 'verdi i faresonen' is the term that replaced 'verdi i fare'."""
    strings = {
        "a.bad": "Månedlig frafallsrate",
        "a.fine": "Verdi i faresonen (år)",
        "a.old": "Verdi i fare (år)",
        "a.quoted": "Fant kolonnen «Frafall»",
    }
    assert [(key, retired) for key, _, retired in retired_uses("nb", strings)] == [
        ("a.bad", "frafall"),
        ("a.old", "verdi i fare"),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_string_names_our_sources(lang):
    """The seed articles are our sources: the screen never says 'seed 004'."""
    assert [key for key, text in catalogue(lang).items() if SOURCE_NAME.search(text)] == []


def english_words(text: str) -> list[str]:
    """The words of ``ENGLISH_IN_NB`` in a bokmål ``text``; the glossary's own terms ("datasett") are bokmål."""
    text = our_words(text)
    for entry in glossary("nb").values():
        text = word(entry["term"]).sub(" ", text)
    return [english for english in ENGLISH_IN_NB if word(english, NB_ENDING).search(text)]


def test_no_bokmal_string_holds_an_english_word():
    found = [(key, english) for key, text in catalogue("nb").items() for english in english_words(text)]
    assert found == []


@pytest.mark.parametrize(
    "text,english",
    [("Brier-score (lavere er bedre)", "score"), ("Scoren er lav", "score"), ("Churn-verksted", "churn")],
)
def test_the_english_check_sees_endings_and_hyphens(text, english):
    assert english in english_words(text)


@pytest.mark.parametrize(
    "text", ["Risikoscore", "Navn på datasettet", "«churn_reason»", "python -m churn train", "{none}"]
)
def test_the_english_check_leaves_compounds_terms_names_and_commands_alone(text):
    assert english_words(text) == []


def test_the_report_template_has_no_words_of_its_own():
    """Every word of the report comes from the catalogues, in the reader's language."""
    text = template_text()
    assert not SOURCE_NAME.search(TEMPLATE.read_text(encoding="utf-8"))
    assert not re.search(r"[^\W\d_]", text), text.split()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "nav,title",
    [
        ("nav.data", "data.title"),
        ("nav.when", "when.title"),
        ("nav.why", "why.title"),
        ("nav.model", "model.title"),
        ("nav.explain", "explain.title"),
        ("nav.roi", "roi.title"),
        ("nav.report", "report.page_title"),
    ],
)
def test_a_page_title_holds_its_navigation_name(lang, nav, title):
    strings = catalogue(lang)
    assert word(strings[nav], "").search(strings[title]), (strings[nav], strings[title])
