"""Guess which column plays which role, from header names and from content.

Header names are matched in English, Norwegian and Danish after
normalisation (lower case, ``æøå`` kept, other punctuation to ``_``); content
decides between candidates and finds roles the names do not reveal: a unique
id-like column, a two-valued churn label, date columns. The result is a
:class:`~churn.core.dataset.RoleMapping` the user confirms on the Data page.
"""

from __future__ import annotations

import logging
import re

import pandas as pd

from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError

log = logging.getLogger(__name__)

#: role -> name patterns (regex on the normalised header), strongest first
NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        r"^(customer|client|account|kunde|konto)_?(id|nr|no|number|nummer|num|key)$",
        r"^(kundenr|kundenummer|kundeid|customerid|clientid|accountid|kunde|customer|kundekode)$",
        r"^(id|nr|org_?nr|orgnr|organisasjonsnummer|cvr|cvr_?nr)$",
        r"(kunde|customer|client).*(id|nr|nummer)",
    ),
    "churn_label": (
        r"^(churn|churned|is_churned|has_churned|churn_flag|exited|attrition|left|lost)$",
        r"^(frafall|frafald|avgang|afgang|sagt_opp|sagt_op|oppsagt|opsagt|tapt|mistet|avsluttet|ophørt)$",
        r"(churn|frafall|frafald|oppsagt|opsagt|sagt_opp|attrition)",
        r"^(status|kundestatus|customer_status|aktiv|active)$",
    ),
    "end_date": (
        r"^(cancel|cancellation|churn|end|termination|stop|slutt|slut|oppsigelse|opsigelse|avgang|ophør)_?(date|dato|tidspunkt)$",
        r"(oppsagt|opsagt|sagt_opp)_?(dato|date|den)",
        r"^(sluttdato|slutdato|avsluttet|ophørsdato|oppsigelsesdato|opsigelsesdato|avgangsdato|end|ended|ended_at|cancelled_at|canceled_at|churned_at)$",
        r"(cancel|slutt|opsig|oppsig|ophør|churn).*(dato|date)",
        r"^(oppsagt|opsagt|sagt_opp|cancelled|canceled|churned|churn|frafall|frafald|avgang|afgang|slutt)$",
    ),
    "start_date": (
        r"^(signup|sign_up|start|join|joined|created|registration|oppstart|opstart|registrert|oprettet|opprettet)_?(date|dato|at|tidspunkt)?$",
        r"^(startdato|oppstartsdato|opstartsdato|kunde_siden|kunde_fra|customer_since|member_since|first_order_date|første_ordre)$",
        r"(start|signup|oppstart|opstart|registr|opprett|oprett|siden|since).*(dato|date)?",
    ),
    "tenure": (
        r"^(tenure|tenure_months|months|antall_mnd|ansiennitet|varighet|kundeforhold_mnd|levetid|lifetime)$",
        r"(tenure|ansiennitet|anciennitet|måneder_som_kunde)",
    ),
    "value": (
        r"^(monthly_?value|monthlycharges|monthly_charges|monthly_revenue|mrr|arpu|månedsverdi|månedsværdi|månedsbeløp|månedsbeløb|månedspris|maanedsbeloep|månedlig_beløp|md_beløp|mnd_beløp)$",
        r"(mrr|monthly|måneds|månedlig|maaneds|mdr_|mnd_)",
        r"^(revenue|omsetning|omsætning|verdi|værdi|value|beløp|beløb|price|pris|amount|arr|contract_value|kontraktsverdi)$",
    ),
    "segment": (
        r"(industry|bransje|branche|sector|sektor|segment|region|fylke|kommune|landsdel|country|land|city|by|postnr|"
        r"plan|produkt|product|pakke|package|abonnement|subscription|contract|kontrakt|avtale|aftale|channel|kanal|"
        r"size|størrelse|str|category|kategori|tier|gender|kjønn|køn|payment_?method|betalingsmåte|betalingsform|type)",
    ),
    "event_timestamp": (
        r"^(timestamp|time|date|datetime|event_time|event_date|created_at|occurred_at|tidspunkt|tid|dato|dag|hendelsesdato|dato_tid)$",
        r"(timestamp|tidspunkt|time|dato|date)",
    ),
    "event_type": (
        r"^(event_?type|type|event|activity|action|hendelse|hendelsestype|hændelse|aktivitet|handling|kategori|category|kind)$",
        r"(event|hendelse|hændelse|aktivitet|activity|type)",
    ),
    "event_amount": (
        r"^(amount|beløp|beløb|sum|total|value|verdi|værdi|ordreverdi|ordrebeløp|fakturabeløp|kr|nok|dkk)$",
        r"(amount|beløp|beløb|sum|verdi|værdi)",
    ),
    "event_days_late": (
        r"(days_?late|days_?overdue|overdue|forsinkelse|dager_forsinket|dage_forsinket|dage_for_sent|dager_for_sent|forfalt_dager)",
    ),
}
_LEAKY_NAME = re.compile(r"(reason|årsak|arsak|aarsak|grunn|årsag|cause|why|kommentar|comment|note)")

#: canonical event kind -> keywords (normalised, substring match; short ones must start a token)
# fmt: off
EVENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "contact_change": (
        "contact_change", "contactchange", "new_contact", "contact_person", "kontaktperson",
        "kontaktbytte", "ny_kontakt", "kontaktskifte", "bytte_av_kontakt", "ny_kontaktperson",
        "skift_af_kontakt", "champion",
    ),
    "support_ticket": (
        "support", "ticket", "henvendelse", "henvendelser", "klage", "complaint", "incident",
        "helpdesk", "kundeservice", "reklamasjon", "reklamation", "case", "sak", "sag", "feilmelding",
    ),
    "payment": (
        "payment", "paid", "pay", "betaling", "betalt", "innbetaling", "indbetaling", "faktura",
        "invoice", "regning", "purring", "rykker",
    ),
    "order": (
        "order", "ordre", "bestilling", "bestilt", "kjøp", "køb", "purchase", "sale", "salg",
        "booking", "handel",
    ),
    "login": (
        "login", "log_in", "logon", "sign_in", "signin", "innlogging", "pålogging", "logget_inn",
        "log_ind", "logind", "session", "visit", "besøk",
    ),
    "email": (
        "email", "e_mail", "epost", "e_post", "mail", "nyhetsbrev", "newsletter", "call", "telefon",
        "samtale", "møte", "møde", "meeting", "kommunikasjon", "communication", "message", "melding",
        "besked",
    ),
}

_POSITIVE = {
    "1", "1.0", "afsluttet", "avsluttet", "canceled", "cancelled", "churn", "churned", "churner",
    "exited", "former", "frafaldet", "frafalt", "gått", "inactive", "inaktiv", "j", "ja", "left",
    "lost", "mistet", "ophørt", "opphørt", "oppsagt", "opsagt", "sagt op", "sagt opp", "sand", "sann",
    "t", "tapt", "terminated", "true", "x", "y", "yes",
}
_NEGATIVE = {
    "0", "0.0", "active", "aktiv", "aktive", "beholdt", "current", "existing", "f", "false", "falsk",
    "fortsatt kunde", "kunde", "løpende", "n", "nei", "nej", "no", "no churn", "not churned",
    "retained", "stayed", "usann",
}
# fmt: on


def normalise_name(name: str) -> str:
    """Lower-case a header and turn every run of punctuation/space into ``_`` (æøå kept).

    Example
    -------
    >>> normalise_name(" Oppsagt dato ")
    'oppsagt_dato'
    """
    return re.sub(r"[^0-9a-zæøåäöü]+", "_", str(name).lower()).strip("_")


def _name_score(column: str, role: str) -> int:
    """Higher for an earlier (stronger) matching pattern; 0 for no match."""
    key = normalise_name(column)
    patterns = NAME_PATTERNS[role]
    for rank, pattern in enumerate(patterns):
        if re.search(pattern, key):
            return len(patterns) - rank
    return 0


def parse_churn_label(series: pd.Series) -> pd.Series:
    """Turn a churn label column into 0/1 (``Int8``; missing stays ``<NA>``).

    Understands Yes/No, Ja/Nei/Nej, True/False, 1/0, Churned/Stayed/Active,
    Oppsagt/Opsagt/Aktiv and similar. A column holding one positive word and
    blanks (``"Ja"`` or empty) reads the blanks as 0.

    Raises
    ------
    SchemaError
        When values are not recognised, or only one class is present.

    Example
    -------
    >>> parse_churn_label(pd.Series(["Ja", "Nei", "ja"], name="Oppsagt")).tolist()
    [1, 0, 1]
    """
    name = series.name
    if pd.api.types.is_bool_dtype(series):
        out = series.astype("Int8")
    else:
        text = series.map(lambda v: None if pd.isna(v) else str(v).strip().lower())
        known = text.isin(_POSITIVE) | text.isin(_NEGATIVE) | text.isna()
        if not known.all():
            odd = sorted(set(series[~known].astype(str)))[:3]
            shown = ", ".join(repr(v) for v in odd)
            raise SchemaError(
                f"Column '{name}' has values that are not a churn label ({shown}); use Yes/No, Ja/Nei or 1/0, "
                "or pick another column."
            )
        out = pd.Series(pd.NA, index=series.index, dtype="Int8")
        out[text.isin(_POSITIVE)] = 1
        out[text.isin(_NEGATIVE)] = 0
        if (
            out.notna().any()
            and out.dropna().nunique() == 1
            and out.dropna().iloc[0] == 1
            and out.isna().any()
        ):
            out = out.fillna(0)  # "Ja" or blank: blank means still a customer
    present = out.dropna()
    if present.nunique() < 2:
        only = series.dropna().astype(str).iloc[0] if series.notna().any() else "nothing"
        raise SchemaError(
            f"Column '{name}' has only one value ('{only}'); a churn label needs both churned and active customers."
        )
    return out.astype("Int8")


def _is_label(series: pd.Series) -> bool:
    if series.dropna().nunique() > 2 or series.notna().sum() == 0:
        return False
    try:
        parse_churn_label(series)
    except SchemaError:
        return False
    return True


def _is_label_like(series: pd.Series) -> bool:
    """Yes/No-style values, even when only one class occurs (build_dataset then says so)."""
    if pd.api.types.is_bool_dtype(series):
        return True
    values = series.dropna().map(lambda v: str(v).strip().lower())
    return 0 < values.nunique() <= 2 and bool(values.isin(_POSITIVE | _NEGATIVE).all())


def _is_id_shaped(series: pd.Series) -> bool:
    """Filled (99%), not dates, whole numbers if numeric: an id but for uniqueness."""
    values = series.dropna()
    if len(values) == 0 or len(values) < len(series) * 0.99 or pd.api.types.is_datetime64_any_dtype(series):
        return False
    return not (pd.api.types.is_float_dtype(series) and not (values == values.round()).all())


def _is_id_like(series: pd.Series) -> bool:
    return _is_id_shaped(series) and series.dropna().is_unique


def _pick(frame: pd.DataFrame, role: str, taken: set[str], accept=lambda s: True) -> str | None:
    scored = [(_name_score(c, role), -i, c) for i, c in enumerate(frame.columns) if c not in taken]
    scored = [(score, order, c) for score, order, c in scored if score > 0 and accept(frame[c])]
    return max(scored)[2] if scored else None


def _is_date(series: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(series)


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _is_category(series: pd.Series, named: bool = False) -> bool:
    """Few distinct values (more allowed when the header already says 'segment')."""
    values = series.dropna()
    if _is_date(series) or values.empty:
        return False
    distinct = values.nunique()
    share = 0.8 if named else 0.5
    if _is_number(series):
        return distinct <= 12 and (values == values.round()).all() and distinct <= share * len(values)
    return 2 <= distinct <= max(50, min(200, len(values) // 20)) and distinct <= share * len(values)


def guess_customer_roles(frame: pd.DataFrame) -> dict:
    """Role guesses for a customer table (see :func:`guess_roles`)."""
    taken: set[str] = set()
    roles: dict = {}
    roles["customer_id"] = (
        _pick(frame, "customer_id", taken, _is_id_like)
        or next(
            (
                c
                for c in frame.columns
                if not _is_number(frame[c]) and _is_id_like(frame[c]) and not _is_label_like(frame[c])
            ),
            None,
        )
        or next((c for c in frame.columns if _is_id_like(frame[c]) and not _is_label_like(frame[c])), None)
    )
    taken.add(roles["customer_id"])
    roles["end_date"] = _pick(frame, "end_date", taken, _is_date)
    taken.add(roles["end_date"])
    roles["churn_label"] = _pick(frame, "churn_label", taken, _is_label_like)
    if roles["churn_label"] is None and roles["end_date"] is None:
        roles["churn_label"] = next(
            (c for c in frame.columns if c not in taken and _is_label(frame[c])), None
        )
    taken.add(roles["churn_label"])
    roles["start_date"] = _pick(frame, "start_date", taken, _is_date)
    if roles["start_date"] is None:
        dates = [
            c
            for c in frame.columns
            if c not in taken and _is_date(frame[c]) and frame[c].notna().mean() > 0.95
        ]
        roles["start_date"] = dates[0] if len(dates) == 1 else None
    taken.add(roles["start_date"])
    roles["tenure"] = _pick(frame, "tenure", taken, _is_number)
    taken.add(roles["tenure"])
    roles["value"] = _pick(frame, "value", taken, _is_number)
    taken.add(roles["value"])
    named = [
        c
        for c in frame.columns
        if c not in taken and _name_score(c, "segment") and _is_category(frame[c], named=True)
    ]
    others = [c for c in frame.columns if c not in taken and c not in named and _is_category(frame[c])]
    roles["segments"] = tuple(c for c in [*named, *others] if not _LEAKY_NAME.search(normalise_name(c)))
    return roles


def repeated_id_column(frame: pd.DataFrame) -> str | None:
    """The column named like a customer id that :func:`guess_customer_roles` passed over for repeats.

    The guesser only takes a column whose ids are unique; this names the
    column it would have taken otherwise, so a missing id can be explained.

    Parameters
    ----------
    frame : pd.DataFrame
        A typed customer table.

    Returns
    -------
    str or None
        The best id-named, id-shaped column whose values repeat; None when there is none.

    Example
    -------
    >>> repeated_id_column(pd.DataFrame({"customer_id": [1, 1, 2], "plan": ["a", "b", "a"]}))
    'customer_id'
    """
    return _pick(
        frame,
        "customer_id",
        set(),
        lambda s: _is_id_shaped(s) and not s.dropna().is_unique and not _is_label_like(s),
    )


def guess_event_roles(frame: pd.DataFrame, customer_id: str | None = None) -> dict:
    """Role guesses for an event log (see :func:`guess_roles`)."""
    taken: set[str] = set()
    roles: dict = {}
    same = customer_id if customer_id in frame.columns else None
    roles["event_customer_id"] = (
        same
        or _pick(frame, "customer_id", taken)
        or next((c for c in frame.columns if not _is_date(frame[c]) and not _is_number(frame[c])), None)
    )
    taken.add(roles["event_customer_id"])
    stamps = [c for c in frame.columns if c not in taken and _is_date(frame[c])]
    named = _pick(frame, "event_timestamp", taken, _is_date)
    roles["event_timestamp"] = named or (max(stamps, key=lambda c: frame[c].nunique()) if stamps else None)
    taken.add(roles["event_timestamp"])
    roles["event_days_late"] = _pick(frame, "event_days_late", taken, _is_number)
    taken.add(roles["event_days_late"])
    roles["event_amount"] = _pick(frame, "event_amount", taken, _is_number)
    taken.add(roles["event_amount"])
    text = [
        c for c in frame.columns if c not in taken and not _is_date(frame[c]) and not _is_number(frame[c])
    ]
    typed = _pick(frame, "event_type", taken, lambda s: not _is_date(s) and not _is_number(s))
    roles["event_type"] = typed or (min(text, key=lambda c: frame[c].nunique()) if text else None)
    kinds = frame[roles["event_type"]].dropna().astype(str).unique() if roles["event_type"] else []
    roles["event_type_map"] = {str(raw): event_kind(raw) for raw in sorted(kinds)[:200]}
    return roles


def event_kind(raw: str) -> str:
    """The canonical kind of a raw event type, by keywords in English, Norwegian and Danish.

    Example
    -------
    >>> event_kind("Ny kontaktperson"), event_kind("Faktura betalt"), event_kind("Nettbestilling")
    ('contact_change', 'payment', 'order')
    """
    key = normalise_name(raw)
    tokens = key.split("_")
    for kind, words in EVENT_KEYWORDS.items():
        for word in words:
            if len(word) <= 4 and "_" not in word:
                if any(token == word or token.endswith(word) and len(token) > 6 for token in tokens):
                    return kind
            elif word in key:
                return kind
    return "other"


def guess_roles(customers: pd.DataFrame | None, events: pd.DataFrame | None) -> RoleMapping:
    """Guess the role of every column in a customer table and/or an event log.

    Parameters
    ----------
    customers : pd.DataFrame or None
        A typed customer table (from :func:`churn.ingest.parsing.read_table`).
    events : pd.DataFrame or None
        A typed event log.

    Returns
    -------
    RoleMapping
        Column names for each role (None where nothing fits); ``event_type_map``
        maps each raw event type to one of :data:`~churn.core.dataset.EVENT_KINDS`.

    Example
    -------
    >>> frame = pd.DataFrame({"customerID": ["a", "b"], "Churn": ["Yes", "No"], "MonthlyCharges": [9.5, 20.0]})
    >>> m = guess_roles(frame, None)
    >>> m.customer_id, m.churn_label, m.value
    ('customerID', 'Churn', 'MonthlyCharges')
    """
    roles: dict = {}
    if customers is not None:
        roles.update(guess_customer_roles(customers))
    if events is not None:
        roles.update(guess_event_roles(events, roles.get("customer_id")))
    log.info("guessed roles %s", roles)
    return RoleMapping(**roles)
