"""Candidates, confidence and notes of the role guesser."""

from __future__ import annotations

import pytest

from churn.ingest.evidence import Candidate, Note, RoleEvidence, confidence_of, role_guess


def _c(column: str, score: float) -> Candidate:
    return Candidate(
        column, score, Note("roles.reason_label_values", {"column": column, "values": "Yes / No"})
    )


@pytest.mark.parametrize(
    "scores,expected",
    [
        ([0.96, 0.4], "high"),  # strong and 0.56 ahead
        ([0.8, 0.7], "medium"),  # strong but only 0.1 ahead
        ([0.6], "medium"),
        ([0.4], "low"),  # generic values alone
        ([0.5, 0.48], "low"),  # a near tie
        ([], "none"),
    ],
)
def test_confidence(scores, expected):
    assert confidence_of([_c(str(i), s) for i, s in enumerate(scores)]) == expected


def test_role_guess_sorts_dedups_and_leaves_a_low_guess_empty():
    guess = role_guess("churn_label", [_c("A", 0.4), _c("B", 0.4), _c("A", 0.1), _c("C", 0.0)])
    assert [c.column for c in guess.candidates] == ["A", "B"]
    assert guess.chosen is None and guess.asks
    sure = role_guess("churn_label", [_c("Churn", 1.0), _c("Partner", 0.4)])
    assert (sure.chosen, sure.runner_up.column, sure.confidence) == ("Churn", "Partner", "high")


def test_notes_and_evidence_are_json_ready_in_both_languages():
    note = Note("roles.note_row_numbers", {"rows": 3})
    assert note.to_dict()["text"].startswith("No column identifies the customers")
    assert note.text("nb").startswith("Ingen kolonne identifiserer kundene")
    evidence = RoleEvidence(None, {"churn_label": role_guess("churn_label", [_c("A", 0.4)])}, (note,))
    out = evidence.to_dict()
    assert out["roles"]["churn_label"]["confidence"] == "low"
    assert (
        out["roles"]["churn_label"]["candidates"][0]["reason"]
        == "'A': values Yes / No, but not named like a churn column"
    )
    assert evidence.asks == ["churn_label"]
