"""``python -m churn profile PATH [--events PATH] [--json]``: load a table and print its data-quality profile.

Besides the quality checks the profile says how the file was understood: each
role with its confidence and reason, the label values read as *left*, *still a
customer* and *left out*, the notes (rows numbered, a sheet chosen, ...) and the
columns kept out of the model because they give the outcome away, each with why.
"""

from __future__ import annotations

import argparse

from churn.commands.common import Loaded, add_input_arguments, emit, load, short_reason
from churn.core.formatting import fmt_date, fmt_number, fmt_pct
from churn.core.i18n import LANGUAGES, t
from churn.ingest.labels import label_classes, values_by_class
from churn.ingest.quality import leak_evidence, profile

NAME = "profile"
HELP = "Read a customer table and/or an event log, guess column roles and print the data-quality profile."

_ICONS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}
#: confidence shown for a role the user named with a flag
GIVEN = "given"
#: mapping fields that are not column roles (shown elsewhere or not at all)
_NOT_ROLES = {"churned_values", "active_values", "excluded_values", "kept_suspects", "inactivity_days"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the profile command's options."""
    add_input_arguments(parser)
    parser.add_argument(
        "--lang",
        default=None,
        choices=LANGUAGES,
        help="language of the messages (default: --lang before the command, $CHURN_LANG, else en)",
    )
    parser.add_argument("--json", action="store_true", help="print the profile as JSON")


def _reason(guess, column: str | None, lang: str) -> str | None:
    """The reason of the candidate that is ``column``, if the guesser saw it."""
    for candidate in guess.candidates if guess is not None else ():
        if candidate.column == column:
            return candidate.reason.text(lang)
    return None


def _candidate(candidate, lang: str) -> dict:
    return {**candidate.to_dict(), "reason": candidate.reason.text(lang)}


def role_evidence(loaded: Loaded, lang: str = "en") -> dict:
    """Each role -> column, confidence, reason, candidates and the flag that set it (or None).

    Roles the guesser had candidates for and roles the final mapping fills are
    listed; a role set with a flag has confidence ``given``.
    """
    mapping = loaded.dataset.mapping
    guesses = dict(getattr(loaded.evidence, "guesses", {}) or {})
    filled = [
        role
        for role, value in mapping.to_dict().items()
        if isinstance(value, str) and role not in _NOT_ROLES and role not in guesses
    ]
    out = {}
    for role in [*guesses, *filled, *(r for r in loaded.given if r not in guesses and r not in filled)]:
        guess = guesses.get(role)
        column = getattr(mapping, role, None)
        flag = loaded.given.get(role)
        confidence = GIVEN if flag else (guess.confidence if guess is not None else None)
        if not flag and guess is not None and column != guess.chosen:
            confidence = None  # the column went to a role the user named
        out[role] = {
            "column": column,
            "confidence": confidence,
            "reason": f"given with {flag}" if flag else _reason(guess, column, lang),
            "candidates": [_candidate(c, lang) for c in guess.candidates] if guess is not None else [],
            "flag": flag,
        }
    return out


def label_values(loaded: Loaded) -> dict | None:
    """The label column and its values read as left / still a customer / left out (None: no label)."""
    mapping = loaded.dataset.mapping
    if mapping.churn_label is None:
        return None
    churned, active, excluded = mapping.churned_values, mapping.active_values, mapping.excluded_values
    if not (churned or active or excluded) and loaded.customers is not None:
        # nothing chosen: the defaults the label is read with
        classes = label_classes(loaded.customers[mapping.churn_label])
        churned, active, excluded = values_by_class(classes).values()
    return {
        "column": mapping.churn_label,
        "churned": list(churned),
        "active": list(active),
        "excluded": list(excluded),
    }


def notes(loaded: Loaded, lang: str = "en") -> list[dict]:
    """The guesser's and the intake's notes, each once, as dicts (key, values, text in ``lang``)."""
    found = [*getattr(loaded.evidence, "notes", ()), *loaded.dataset.notes]
    if any(note.key == "roles.note_grain_applied" for note in found):
        found = [note for note in found if note.key != "roles.note_grain"]  # the offer was taken
    out, seen = [], set()
    for note in found:
        item = {**note.to_dict(), "text": note.text(lang)}
        marker = (item["key"], repr(sorted(item["values"].items())))
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def leaks(loaded: Loaded, lang: str = "en") -> list[dict]:
    """The leakage suspects with their reason code, evidence and sentence, and whether the user kept one."""
    dataset = loaded.dataset
    found = leak_evidence(dataset.customers, list(dataset.leakage)) if dataset.leakage else {}
    kept = set(dataset.mapping.kept_suspects)
    return [
        {
            **(
                {**found[c].to_dict(), "text": found[c].text(lang)}
                if c in found
                else {"column": c, "reason": None, "evidence": {}, "text": None}
            ),
            "kept": c in kept,
        }
        for c in dataset.leakage
    ]


def profile_result(loaded: Loaded, lang: str = "en") -> dict:
    """The quality profile plus how the file was understood (the JSON ``profile --json`` prints).

    Returns
    -------
    dict
        :func:`churn.ingest.quality.profile`'s keys (``roles`` is the final mapping,
        column names only) plus ``evidence`` (see :func:`role_evidence`),
        ``label_values`` (``column, churned, active, excluded`` or None), ``notes``
        (``key, values, text``) and ``leaks`` (``column, reason, evidence, text, kept``).
    """
    result = profile(
        loaded.dataset,
        lang,
        raw_customers=loaded.customers,
        raw_events=loaded.events,
        event_summary=loaded.event_summary,
    )
    result["evidence"] = role_evidence(loaded, lang)
    result["label_values"] = label_values(loaded)
    result["notes"] = notes(loaded, lang)
    result["leaks"] = leaks(loaded, lang)
    return result


def _why(item: dict | None, lang: str = "en") -> str:
    """``  (high: values Churned / Stayed / Joined)`` after a role, or nothing."""
    if not item or not item["confidence"]:
        return ""
    if item["flag"]:
        return f"  ({t('cli.given_with', lang, flag=item['flag'])})"
    reason = short_reason(item["reason"], item["column"])
    return f"  ({item['confidence']}: {reason})" if reason else f"  ({item['confidence']})"


def _text(result: dict, lang: str) -> str:
    """The plain-text profile; its numbers and sentences in ``lang``, its field names as in the JSON."""
    history = "-" if result["history_months"] is None else fmt_number(result["history_months"], lang, 1)
    rows = [
        ("dataset", result["name"]),
        ("rows", fmt_number(result["rows"], lang)),
        ("customers", fmt_number(result["customers"], lang)),
        ("churned", fmt_number(result["churned"], lang)),
        ("churn_rate", "-" if result["churn_rate"] is None else fmt_pct(result["churn_rate"], lang)),
        ("events", fmt_number(result["events"], lang)),
        ("history_months", history),
        ("missing_share", fmt_pct(result["missing_share"], lang)),
        ("as_of", fmt_date(result["as_of"], lang) if result["as_of"] else "-"),
        ("churn_definition", result["churn_definition"]),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{key:<{width}}  {value}" for key, value in rows]
    lines.append("")
    lines.append("roles:")
    for role, column in result["roles"].items():
        if role in _NOT_ROLES:
            continue
        if role == "event_type_map":
            column = ", ".join(f"{raw} -> {kind}" for raw, kind in column.items())
        elif isinstance(column, list):
            column = ", ".join(column)
        lines.append(f"  {role:<18} {column}{_why(result['evidence'].get(role), lang)}")
    unsure = [r for r, item in result["evidence"].items() if item["column"] is None and item["candidates"]]
    for role in unsure:
        seen = ", ".join(f"'{c['column']}'" for c in result["evidence"][role]["candidates"])
        lines.append(f"  {role:<18} -  ({t('cli.not_sure', lang, candidates=seen)})")
    labels = result["label_values"]
    if labels:
        shown = {k: " / ".join(labels[k]) or "-" for k in ("churned", "active", "excluded")}
        lines.append(f"  {'label values':<18} " + t("cli.label_values", lang, **shown))
    if result["leaks"]:
        lines.append("")
        lines.append(t("cli.leakage", lang))
        for leak in result["leaks"]:
            kept = f" [{t('cli.kept_by_you', lang)}]" if leak["kept"] else ""
            lines.append(f"  {leak['column']}: {leak['text'] or '-'}{kept}")
    if result["notes"]:
        lines.append("")
        lines.append("notes:")
        lines += [f"  - {note['text']}" for note in result["notes"]]
    lines.append("")
    lines.append("checks:")
    for check in result["checks"]:
        lines.append(f"  [{_ICONS[check['status']]}] {check['name']:<11} {check['message']}")
    lines.append("")
    lines.append(f"verdict: {result['verdict']} - {t('quality.verdict_' + result['verdict'], lang)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Read the file(s), build the dataset with guessed roles and print the profile."""
    loaded = load(args)
    result = profile_result(loaded, args.lang)
    emit(result, args.json, _text(result, args.lang))
    return 0
