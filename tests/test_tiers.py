"""Seed 004's risk tiers and their actions (churn/act/tiers.py).

Default bounds (seed 004): low from 30 %, medium from 50 %, high from 70 %; a bound belongs
to the tier it starts, and below 30 % a customer gets no action (``"none"``).
"""

from __future__ import annotations

import pytest

from churn.act import tiers
from churn.core.errors import ScenarioError


@pytest.mark.parametrize(
    "p,tier",
    [
        (0.0, "none"),
        (0.29, "none"),
        (0.2999, "none"),
        (0.30, "low"),
        (0.4999, "low"),
        (0.50, "medium"),
        (0.69, "medium"),
        (0.70, "high"),
        (1.0, "high"),
    ],
)
def test_seed_004_tiers_at_the_bounds(p, tier):
    """A bound is the first probability of its tier: 0.30 is low, 0.2999 is none."""
    assert tiers.assign_tiers([p]).tolist() == [tier]


@pytest.mark.parametrize(
    "bounds,p,tier",
    [
        ({"low": 0.2}, 0.25, "low"),  # low moved down, medium and high keep 0.5 and 0.7
        ({"low": 0.2}, 0.19, "none"),
        ({"high": 0.9}, 0.85, "medium"),
        ({"low": 0.1, "medium": 0.2, "high": 0.3}, 0.3, "high"),
    ],
)
def test_edited_bounds_move_the_tiers(bounds, p, tier):
    assert tiers.assign_tiers([p], bounds).tolist() == [tier]


def test_one_call_tiers_a_whole_column_in_order():
    assert tiers.assign_tiers([0.7, 0.1, 0.5, 0.3]).tolist() == ["high", "none", "medium", "low"]


def test_validate_tiers_fills_the_defaults():
    assert tiers.validate_tiers(None) == {"low": 0.3, "medium": 0.5, "high": 0.7}
    assert tiers.validate_tiers({"medium": 0.6}) == {"low": 0.3, "medium": 0.6, "high": 0.7}


@pytest.mark.parametrize(
    "bounds,message",
    [
        ({"low": 0.6, "medium": 0.5}, r"must rise from low to medium to high; change the tier thresholds\.$"),
        ({"low": 0.5}, "must rise from low to medium to high"),  # equal bounds do not rise
        ({"medium": 0.8}, "must rise from low to medium to high"),  # medium above high
        ({"high": 1.5}, r"must lie between 0% and 100%; change the tier thresholds\.$"),
        ({"low": 0.0}, "must lie between 0% and 100%"),
        ({"low": -0.1}, "must lie between 0% and 100%"),
    ],
)
def test_validate_tiers_refuses_bad_bounds_with_a_sentence(bounds, message):
    with pytest.raises(ScenarioError, match=message):
        tiers.validate_tiers(bounds)
    with pytest.raises(ScenarioError, match=message):
        tiers.assign_tiers([0.5], bounds)


@pytest.mark.parametrize(
    "saved",
    [
        None,
        {},
        "junk",
        {"low": "x"},
        {"low": [0.2]},
        {"low": 0.6, "medium": 0.5},  # valid numbers, but not rising
        {"high": 2},
    ],
)
def test_saved_tiers_fall_back_to_the_defaults_on_junk(saved):
    assert tiers.saved_tiers(saved) == {"low": 0.3, "medium": 0.5, "high": 0.7}


def test_saved_tiers_keep_valid_bounds_and_ignore_other_keys():
    saved = {"low": 0.2, "medium": 0.4, "high": 0.6, "colour": "red"}
    assert tiers.saved_tiers(saved) == {"low": 0.2, "medium": 0.4, "high": 0.6}


@pytest.mark.parametrize(
    "code,lang,auto,personal",
    [
        ("low", "en", "Personal newsletters, product tips", "Quarterly check-in from the customer contact"),
        ("medium", "en", "Event invitations, discount offer", "Call from the key account manager"),
        ("high", "en", "Alert the team immediately", "Executive conversation within 48 hours"),
        ("low", "nb", "Personlige nyhetsbrev, produkttips", "Kvartalsvis oppfølging fra kundekontakt"),
        ("medium", "nb", "Invitasjon til arrangementer, rabattilbud", "Telefon fra kundeansvarlig"),
        ("high", "nb", "Umiddelbar varsling til teamet", "Ledersamtale innen 48 timer"),
        ("none", "en", "", ""),
        ("none", "nb", "", ""),
    ],
)
def test_tier_actions_follow_seed_004_in_both_languages(code, lang, auto, personal):
    assert tiers.tier_actions(code, lang) == (auto, personal)


@pytest.mark.parametrize(
    "code,en,nb",
    [
        ("none", "Below tiers", "Under nivåene"),
        ("low", "Low", "Lav"),
        ("medium", "Medium", "Middels"),
        ("high", "High", "Høy"),
    ],
)
def test_tier_labels_in_both_languages(code, en, nb):
    assert tiers.tier_label(code) == en
    assert tiers.tier_label(code, "nb") == nb


def test_action_table_has_one_row_per_tier_with_its_span():
    """Spans run from each bound to the next; the high tier is open upwards ("70%+")."""
    table = tiers.action_table()
    assert table.columns.tolist() == ["Tier", "Risk", "Automated action", "Personal action"]
    assert table["Tier"].tolist() == ["Low", "Medium", "High"]
    assert table["Risk"].tolist() == ["30%–50%", "50%–70%", "70%+"]
    assert table.loc[2, "Personal action"] == "Executive conversation within 48 hours"


def test_action_table_in_norwegian_follows_edited_bounds():
    """Norwegian percent signs stand after a non-breaking space: 25 %–55 %."""
    table = tiers.action_table({"low": 0.25, "medium": 0.55, "high": 0.8}, lang="nb")
    assert table.columns.tolist() == ["Nivå", "Risiko", "Automatisert tiltak", "Personlig tiltak"]
    assert table["Nivå"].tolist() == ["Lav", "Middels", "Høy"]
    assert table["Risiko"].tolist() == ["25\xa0%–55\xa0%", "55\xa0%–80\xa0%", "80\xa0%+"]
    assert table.loc[0, "Personlig tiltak"] == "Kvartalsvis oppfølging fra kundekontakt"


def test_action_table_refuses_bad_bounds():
    with pytest.raises(ScenarioError, match="must rise from low"):
        tiers.action_table({"low": 0.8})
