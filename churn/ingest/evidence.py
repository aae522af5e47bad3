"""What the role guesser saw: candidates per role with a score, a reason and a confidence.

Every role guess keeps its best candidate and the runner-up, each with a plain
reason (a translation key and its values, so the Data page can say it in the
reader's language and the CLI in English), and a confidence:

- ``high``: a strong name and values that fit, well ahead of the runner-up;
- ``medium``: a reasonable guess the user should glance at;
- ``low``: thin or tied evidence; the mapping leaves the role empty and the
  Data page (or the CLI's error) asks which column it is.

Notes (:class:`Note`) carry everything else a user should be told about how a
file was read or understood: rows numbered because there is no id, a sheet
chosen from a workbook, odd lines read tolerantly, values taken as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from churn.core.i18n import Note

HIGH, MEDIUM, LOW, NONE = "high", "medium", "low", "none"
CONFIDENCES = (HIGH, MEDIUM, LOW, NONE)
#: best score at or above this, and this far ahead of the runner-up -> high
HIGH_SCORE, HIGH_MARGIN = 0.75, 0.2
#: below this score, or closer than LOW_MARGIN to the runner-up -> low (ask)
MEDIUM_SCORE, LOW_MARGIN = 0.45, 0.05


@dataclass(frozen=True)
class Candidate:
    """A column that could play a role: how strongly (0..1) and why (a :class:`Note`)."""

    column: str
    score: float
    reason: Note

    def to_dict(self) -> dict:
        """A JSON-ready dict: column, score (3 decimals) and the English reason."""
        return {"column": self.column, "score": round(float(self.score), 3), "reason": self.reason.text("en")}


def confidence_of(candidates: tuple[Candidate, ...] | list[Candidate]) -> str:
    """``high``, ``medium``, ``low`` or ``none`` from the best score and its lead over the runner-up.

    Example
    -------
    >>> c = lambda s: Candidate("x", s, Note("k"))
    >>> confidence_of([c(0.9), c(0.3)]), confidence_of([c(0.6)]), confidence_of([c(0.5), c(0.48)])
    ('high', 'medium', 'low')
    """
    if not candidates:
        return NONE
    best = candidates[0].score
    second = candidates[1].score if len(candidates) > 1 else 0.0
    if best >= HIGH_SCORE and best - second >= HIGH_MARGIN:
        return HIGH
    if best >= MEDIUM_SCORE and best - second > LOW_MARGIN:
        return MEDIUM
    return LOW


@dataclass(frozen=True)
class RoleGuess:
    """The candidates for one role, best first, and what the mapping took (None when it asks)."""

    role: str
    candidates: tuple[Candidate, ...] = ()
    confidence: str = NONE
    chosen: str | None = None

    @property
    def best(self) -> Candidate | None:
        """The strongest candidate, or None."""
        return self.candidates[0] if self.candidates else None

    @property
    def runner_up(self) -> Candidate | None:
        """The second strongest candidate, or None."""
        return self.candidates[1] if len(self.candidates) > 1 else None

    @property
    def asks(self) -> bool:
        """True when the evidence is too thin to choose: the user should pick."""
        return self.confidence == LOW

    def to_dict(self) -> dict:
        """A JSON-ready dict for ``profile --json``."""
        return {
            "role": self.role,
            "column": self.chosen,
            "confidence": self.confidence,
            "candidates": [c.to_dict() for c in self.candidates],
        }


def role_guess(role: str, candidates: list[Candidate], keep: int = 3) -> RoleGuess:
    """A :class:`RoleGuess` from unsorted candidates: best first, confidence, chosen unless low.

    Candidates with a score of 0 or less are dropped; one column appears once (its best score).
    """
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        if candidate.score > 0 and (
            candidate.column not in best or candidate.score > best[candidate.column].score
        ):
            best[candidate.column] = candidate
    ranked = tuple(sorted(best.values(), key=lambda c: -c.score)[:keep])
    confidence = confidence_of(ranked)
    chosen = ranked[0].column if ranked and confidence != LOW else None
    return RoleGuess(role, ranked, confidence, chosen)


@dataclass(frozen=True)
class RoleEvidence:
    """Everything the guesser decided about a customer table and/or an event log.

    Attributes
    ----------
    mapping : RoleMapping
        The guessed roles (roles the guesser asks about are None).
    guesses : dict[str, RoleGuess]
        One entry per role that had any candidate (and per role it asks about).
    notes : tuple[Note, ...]
        What the user should be told (label values, numbered rows, grain, ...).
    """

    mapping: object
    guesses: dict[str, RoleGuess] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def asks(self) -> list[str]:
        """The roles the user should choose, because the evidence was thin."""
        return [role for role, guess in self.guesses.items() if guess.asks]

    def to_dict(self) -> dict:
        """A JSON-ready dict: roles with confidence and candidates, and the notes."""
        return {
            "roles": {role: guess.to_dict() for role, guess in self.guesses.items()},
            "notes": [note.to_dict() for note in self.notes],
        }
