"""Kinds of events: the canonical kind of a raw event type, cancellations, missing ids, compact dates.

Raw event types ("Faktura betalt", "Nyhedsbrev", "Bestellung") are mapped to one
of :data:`~churn.core.dataset.EVENT_KINDS` by keywords in English, Norwegian,
Danish, Swedish, German and Spanish; cancellations and returns are told by
their type, a ``C`` invoice number or a negative quantity, so they are never
counted as purchases.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from churn.ingest.names import is_date, is_number, split_camel

__all__ = [
    "CANCEL_WORDS",
    "EVENT_KEYWORDS",
    "MISSING_ID_TEXT",
    "PURCHASE_KINDS",
    "cancellation_rows",
    "cancelled_references",
    "compact_dates",
    "event_kind",
    "fold",
    "fold_key",
    "is_cancellation",
    "missing_ids",
]

#: canonical event kind -> keywords (accents folded, normalised). A keyword of four letters or
#: fewer must be a whole word or end a long one; a leading ``_`` means "starts a word".
# fmt: off
EVENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "contact_change": (
        "contact_change", "contactchange", "new_contact", "contact_person", "kontaktperson",
        "kontaktbytte", "ny_kontakt", "kontaktskifte", "bytte_av_kontakt", "ny_kontaktperson",
        "skift_af_kontakt", "champion", "byte_av_kontakt", "kontaktbyte", "ansprechpartner",
        "kontaktwechsel", "neuer_kontakt", "nuevo_contacto", "cambio_de_contacto",
    ),
    "support_ticket": (
        "support", "ticket", "henvendelse", "henvendelser", "klage", "complaint", "incident",
        "helpdesk", "kundeservice", "reklamasjon", "reklamation", "case", "sak", "sag", "feilmelding",
        "arende", "klagomal", "kundtjanst", "felanmalan", "anfrage", "beschwerde", "kundendienst",
        "storung", "stoerung", "incidencia", "reclamacion", "queja", "soporte", "consulta", "averia",
    ),
    "payment": (
        "payment", "paid", "pay", "betaling", "betalt", "innbetaling", "indbetaling", "faktura",
        "invoice", "regning", "purring", "rykker", "betalning", "inbetalning", "paminnelse",
        "zahlung", "bezahlt", "rechnung", "mahnung", "pago", "pagado", "factura", "cobro", "recibo",
    ),
    "order": (
        "order", "ordre", "bestilling", "bestilt", "kjøp", "køb", "purchase", "sale", "salg",
        "booking", "handel", "bestallning", "kop", "bestellung", "auftrag", "kauf", "pedido",
        "compra", "_venta", "_orden",
    ),
    "login": (
        "login", "log_in", "logon", "sign_in", "signin", "innlogging", "pålogging", "logget_inn",
        "log_ind", "logind", "session", "visit", "besøk", "inloggning", "logga_in", "anmeldung",
        "einloggen", "besuch", "sesion", "acceso", "visita",
    ),
    "email": (
        "email", "e_mail", "epost", "e_post", "mail", "nyhetsbrev", "newsletter", "call", "telefon",
        "samtal", "møte", "møde", "meeting", "kommunikasjon", "communication", "message", "melding",
        "besked", "nyhedsbrev", "mote", "meddelande", "anruf", "telefonat", "nachricht", "correo",
        "boletin", "llamada", "reunion", "mensaje", "appointment",
    ),
}
#: words that make a purchase or payment a cancellation or a return (accents folded)
CANCEL_WORDS: tuple[str, ...] = (
    "cancel", "kansell", "annul", "anul", "storno", "stornier", "avbestil", "afbestil", "avbestall",
    "return", "retur", "refund", "reembolso", "devolucion", "devuelto", "gutschrift", "rucksendung",
    "ruckgabe", "ruckerstattung", "credit_note", "creditnote", "credit_memo", "kreditnota",
    "kreditnote", "kreditering", "kreditfaktura", "nota_de_credito", "nota_credito", "abono",
    "makuler", "void", "reversal", "chargeback", "tilbakebetal", "tilbagebetal", "aterbetal",
)
# fmt: on

#: kinds whose rows are purchases or payments (the ones a cancellation turns into 'other')
PURCHASE_KINDS = ("order", "payment", "other")
#: text that means "no customer" in an id column (guest checkouts, exports' placeholders)
MISSING_ID_TEXT = frozenset(
    {"", "na", "n/a", "nan", "none", "null", "nil", "-", "--", "?", "#n/a", "unknown", "missing"}
)


def fold(text: str) -> str:
    """Lower-case text with accents removed (é->e, ä->a, å->a, ñ->n, ß->ss); æ and ø stay."""
    text = str(text).lower().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold_key(name: str) -> str:
    """A header or value as matched here: camelCase split, accents folded, ``_`` between words.

    Kept apart from :func:`churn.ingest.names.normalise_name` so that the keywords
    and patterns of this module always see text folded the same way they are.

    Example
    -------
    >>> fold_key("AssociatedCompanyID"), fold_key("Reclamación"), fold_key(" Beløp (kr)")
    ('associated_company_id', 'reclamacion', 'beløp_kr')
    """
    return re.sub(r"[^0-9a-zæø]+", "_", fold(split_camel(name))).strip("_")


# ---------------------------------------------------------------- event kinds


_FOLDED_KEYWORDS = {kind: tuple(fold(w) for w in words) for kind, words in EVENT_KEYWORDS.items()}
_FOLDED_CANCEL = tuple(fold(w) for w in CANCEL_WORDS)


def _has_keyword(key: str, words: tuple[str, ...]) -> bool:
    tokens = key.split("_")
    padded = f"_{key}_"
    for word in words:
        if len(word) <= 4 and "_" not in word:
            if any(token == word or token.endswith(word) and len(token) > 6 for token in tokens):
                return True
        elif word in padded:
            return True
    return False


def event_kind(raw: str) -> str:
    """The canonical kind of a raw event type, by keywords in English, Norwegian, Danish, Swedish, German, Spanish.

    Parameters
    ----------
    raw : str
        An event type as written in the file.

    Returns
    -------
    str
        One of :data:`~churn.core.dataset.EVENT_KINDS`; ``"other"`` when no keyword fits.

    Example
    -------
    >>> event_kind("Ny kontaktperson"), event_kind("Faktura betalt"), event_kind("Nettbestilling")
    ('contact_change', 'payment', 'order')
    >>> event_kind("Nyhedsbrev"), event_kind("Bestellung"), event_kind("Reclamación")
    ('email', 'order', 'support_ticket')
    """
    key = fold_key(raw)
    return next((kind for kind, words in _FOLDED_KEYWORDS.items() if _has_keyword(key, words)), "other")


def is_cancellation(raw: str) -> bool:
    """True when a raw event type or status says cancelled, returned, refunded or credited.

    Example
    -------
    >>> is_cancellation("Kreditnota"), is_cancellation("Pedido cancelado"), is_cancellation("Ordre")
    (True, True, False)
    """
    return _has_keyword(fold_key(raw), _FOLDED_CANCEL)


def missing_ids(series: pd.Series) -> pd.Series:
    """True where a customer id is missing: empty, or a placeholder such as ``NA``, ``null`` or ``-``.

    Example
    -------
    >>> missing_ids(pd.Series(["17", "NA", None, " ", "18"])).tolist()
    [False, True, True, True, False]
    """
    missing = series.isna()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        placeholder = np.array([str(v).strip().lower() in MISSING_ID_TEXT for v in uniques] + [True])
        missing = missing | pd.Series(placeholder[codes], index=series.index)
    return missing


def compact_dates(series: pd.Series) -> pd.Series | None:
    """Dates written as ``yyyymmdd`` (whole numbers or 8-digit text), or None when the column is not that.

    Every present value must be a real date between 1900 and 2100.

    Example
    -------
    >>> compact_dates(pd.Series([19970101, 19970330])).dt.strftime("%d.%m.%Y").tolist()
    ['01.01.1997', '30.03.1997']
    >>> compact_dates(pd.Series([1, 2])) is None
    True
    """
    values = series.dropna()
    if values.empty or is_date(series) or pd.api.types.is_bool_dtype(series):
        return None
    # each distinct value once: an event log repeats its values many times over
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(uniques)
    if is_number(series):
        if not ((distinct == distinct.round()).all() and distinct.between(19000101, 21001231).all()):
            return None
        text = distinct.astype("int64").astype(str)
    else:
        text = distinct.astype(str).str.strip()
        if not text.str.fullmatch(r"(19|20)\d{6}").all():
            return None
    parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    if parsed.isna().any():
        return None
    dates = pd.Series(parsed.to_numpy()[codes], index=values.index)
    return dates.reindex(series.index).astype("datetime64[ns]")


def cancelled_references(series: pd.Series) -> pd.Series:
    """Invoice numbers like ``C536379`` in a column of plain numbers (``536365``): cancellations."""
    none = pd.Series(False, index=series.index)
    if is_number(series) or is_date(series):
        return none
    values = series.dropna()
    codes, uniques = pd.factorize(values)  # each distinct value once
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    plain = text.str.fullmatch(r"\d+").to_numpy(dtype=bool)[codes]
    if values.empty or plain.mean() < 0.5:
        return none
    lengths = text.str.len().to_numpy()[codes]
    width = int(pd.Series(lengths[plain]).mode().iloc[0])  # 'C2' beside '21733' is a stock code, not a credit
    credit = text.str.fullmatch(rf"[Cc]\d{{{width}}}").to_numpy(dtype=bool)[codes]
    return none | pd.Series(credit, index=values.index).reindex(series.index, fill_value=False)


def _cancelled_types(series: pd.Series) -> pd.Series:
    """Rows whose event type or status says cancelled or returned (unless it is a ticket, login, ...)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    flags = [is_cancellation(str(v)) and event_kind(str(v)) in PURCHASE_KINDS for v in uniques]
    return pd.Series(np.array([*flags, False])[codes], index=series.index)


def cancellation_rows(
    frame: pd.DataFrame,
    *,
    quantity: str | None = None,
    amount: str | None = None,
    reference: str | None = None,
    event_type: str | None = None,
) -> pd.Series:
    """True for rows that are cancellations or returns, not purchases.

    A row is one when its quantity or amount is negative, its invoice number
    starts with ``C`` in a column of plain numbers (``C536379`` beside
    ``536365``), or its event type says cancelled / returned / credit note
    (``Kreditnota``, ``Retur``, ``Storno``, ``cancelado``, ...).

    Parameters
    ----------
    frame : pd.DataFrame
        The typed event log.
    quantity, amount, reference, event_type : str or None
        The columns playing these roles (None: that test is skipped).

    Returns
    -------
    pd.Series
        Booleans on ``frame``'s index.

    Example
    -------
    >>> log = pd.DataFrame({"InvoiceNo": ["536365", "C536379", "536366"], "Quantity": [6, -1, -2]})
    >>> cancellation_rows(log, quantity="Quantity", reference="InvoiceNo").tolist()
    [False, True, True]
    """
    out = pd.Series(False, index=frame.index)
    for column in (quantity, amount):
        if column in frame.columns and is_number(frame[column]):
            out |= frame[column].lt(0).fillna(False)
    if reference in frame.columns:
        out |= cancelled_references(frame[reference])
    if event_type in frame.columns:
        out |= _cancelled_types(frame[event_type])
    return out
