"""The Data page's role confirmation: what the guesser saw, and the choices it leaves to the user.

Each role's picker shows the guess with its reason and confidence (and the runner-up);
roles the evidence is too thin for start empty under a warning that names the
candidates. Below them: how the file was read (notes), the label values of the chosen
churn column (an editor: left / still a customer / leave out), one row per customer
when rows are subscriptions, and the leakage suspects the user may bring back.

Everything here draws widgets and returns plain values; :mod:`pages.data` builds the
dataset. Text from the uploaded file reaches the screen only through
:func:`pages.common.tr` or :func:`pages.common.plain`, or in tables and option lists.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn.core.formatting import fmt_number, fmt_pct
from churn.ingest.evidence import Note, RoleEvidence, RoleGuess
from churn.ingest.labels import LABEL_CLASSES, values_by_class
from churn.ingest.roles import GRAIN_NOTE, ROW_NUMBERS_NOTE
from pages import common

tr = common.tr
#: A label column with more values than this is not a label; the editor is not drawn.
MAX_LABEL_VALUES = 50


def role_name(role: str) -> str:
    """The role as a phrase inside a sentence ("churn label")."""
    return common.tr_text(f"roles.role_{role}")


def evidence_caption(guess: RoleGuess | None) -> str | None:
    """The guess's confidence and reason, and the runner-up's, for the caption under a role's picker.

    E.g. "Guess (sure): 'Status': values Churned / Stayed / Joined · next best: 'Married': …";
    None for a role without candidates.

    Escaped for markdown (column names come from the file).
    """
    if guess is None or guess.best is None:
        return None
    lang = common.lang()
    confidence = common.tr_text(f"data.confidence_{guess.confidence}")
    parts = [tr("data.role_evidence", confidence=confidence, reason=guess.best.reason.text(lang))]
    if guess.runner_up is not None:
        parts.append(tr("data.role_runner_up", reason=guess.runner_up.reason.text(lang)))
    return " · ".join(parts)


def draw_asks(box, evidence: RoleEvidence, chosen: dict) -> None:
    """One warning in ``box`` per role the guesser asks about and the user has not picked yet.

    Not for the customer id of a table whose rows are numbered: no column is then the answer.
    """
    lang = common.lang()
    joiner = f"; {common.tr_text('roles.or')} "
    numbered = any(note.key == ROW_NUMBERS_NOTE for note in evidence.notes)
    for role in evidence.asks:
        guess = evidence.guesses[role]
        if role not in chosen or chosen[role] is not None or not guess.candidates:
            continue
        if role == "customer_id" and numbered:
            continue  # the note says the rows are numbered; the picker offers that as its empty choice
        candidates = joiner.join(c.reason.text(lang) for c in guess.candidates)
        box.warning(tr("roles.asks", role=role_name(role), candidates=candidates), icon=":material/help:")


def draw_notes(box, notes: list[Note]) -> None:
    """All notes as one info block in ``box``, each sentence once and escaped (they quote the file)."""
    lang = common.lang()
    texts = list(dict.fromkeys(common.plain(note.text(lang)) for note in notes))
    if not texts:
        return
    body = texts[0] if len(texts) == 1 else "\n".join(f"- {text}" for text in texts)
    box.info(f"**{tr('data.notes_title')}**\n\n{body}", icon=":material/info:")


def grain_choice(notes, key: str) -> str | None:
    """A checkbox "One row per customer (by 'X')" when rows are subscriptions; the key column or None."""
    grain = next((note for note in notes if note.key == GRAIN_NOTE), None)
    if grain is None or not grain.values.get("customer_key"):
        return None
    column = str(grain.values["customer_key"])
    combine = st.checkbox(
        tr("data.grain_checkbox", column=column),
        value=False,
        key=key,
        help=tr("data.grain_help", column=column),
    )
    return column if combine else None


def label_editor(
    column: str, counts: dict[str, int], defaults: dict[str, str | None], saved: dict[str, str], key: str
) -> tuple[dict[str, tuple[str, ...]], bool] | None:
    """An editor of what each value of the label column means; the RoleMapping label fields.

    Parameters
    ----------
    column : str
        The chosen label column.
    counts : dict
        Rows per value, most common first (:func:`churn.ingest.labels.label_value_counts`).
    defaults : dict
        ``{value: class}`` read from the words (:func:`churn.ingest.labels.label_value_map`).
    saved : dict
        ``{value: class}`` the guesser chose for this column (may be empty); wins over ``defaults``.
    key : str
        The editor's widget key (one per upload and column, so a new column starts fresh).

    Returns
    -------
    tuple or None
        ``({"churned_values": ..., "active_values": ..., "excluded_values": ...}, changed)``
        where ``changed`` says the user moved a value from its default; None when the
        column has too many values to be a label (a warning says so).
    """
    values = list(counts)
    if len(values) > MAX_LABEL_VALUES:
        st.warning(tr("data.label_too_many", column=column, count=fmt_number(len(values), common.lang())))
        return None
    defaults = {**defaults, **{v: c for v, c in saved.items() if v in values}}
    names = {code: common.tr_text(f"data.label_{code}") for code in LABEL_CLASSES}
    st.markdown(f"**{tr('data.label_values_title')}**")
    st.caption(tr("data.label_values_help", column=column))
    table = pd.DataFrame(
        {
            "value": values,
            "rows": [int(counts.get(v, 0)) for v in values],
            "means": [defaults.get(v) for v in values],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=["value", "rows"],
        key=key,
        column_config={
            "value": st.column_config.TextColumn(common.tr_text("data.col_value")),
            "rows": st.column_config.NumberColumn(common.tr_text("data.col_rows"), format="%d"),
            "means": st.column_config.SelectboxColumn(
                common.tr_text("data.col_means"),
                options=list(LABEL_CLASSES),
                format_func=names.get,
                required=True,
            ),
        },
    )
    chosen = dict(zip(edited["value"], edited["means"], strict=True))
    unset = [v for v in values if chosen.get(v) not in LABEL_CLASSES]
    if unset:
        shown = ", ".join(f"'{v}'" for v in unset[:5]) + (" …" if len(unset) > 5 else "")
        st.warning(tr("data.label_unset", values=shown), icon=":material/rule:")
    lists = values_by_class({v: chosen.get(v) for v in values})
    return lists, any(chosen.get(v) != defaults.get(v) for v in values)


def trial_caption(trial: dict | None) -> str | None:
    """What a trial build gives ("With these choices: 8 customers, 4 of them left (50.0%)."), or None."""
    if not trial or not trial.get("customers"):
        return None
    lang = common.lang()
    return tr(
        "data.trial_counts",
        customers=fmt_number(trial["customers"], lang),
        churned=fmt_number(trial["churned"], lang),
        rate=fmt_pct(trial["churned"] / trial["customers"], lang),
    )


def leak_choice(leaks: list[dict], key: str) -> tuple[str, ...]:
    """The leakage suspects with their reasons and a "bring back" picker; the columns brought back."""
    if not leaks:
        return ()
    st.markdown(f"**{tr('data.leaks_title')}**")
    st.caption(tr("data.leaks_help"))
    st.markdown("\n".join(f"- {common.plain(leak['text'])}" for leak in leaks))
    kept = st.multiselect(
        tr("data.keep_leaks"),
        [leak["column"] for leak in leaks],
        default=[],
        key=key,
        help=tr("data.keep_leaks_help"),
        placeholder=common.tr_text("common.choose"),
    )
    return tuple(kept)
