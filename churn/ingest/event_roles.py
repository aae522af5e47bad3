"""Guess the roles of an event log's columns from evidence, and the canonical kind of each raw event type.

An event log is one row per event: who (a customer id), when (a timestamp),
what (an event type, mapped to one of :data:`~churn.core.dataset.EVENT_KINDS`),
and optionally an amount (or a quantity and a unit price), days late for
payments and an invoice or order number.

Every column is scored for every role from its header (English, Norwegian,
Danish, Swedish, German, Spanish and the names HubSpot, Salesforce and
Dynamics exports use) and from its values: a customer id repeats (customers
have several events) and is not a date; the timestamp holds dates (also
``yyyymmdd`` numbers); an amount looks like money; a quantity is small whole
numbers; an event type has a few values that read as kinds of event and is not
one value per customer (that is a customer attribute, like ``Country``).

:func:`event_role_evidence` keeps the candidates with their reasons and a
confidence; roles with thin evidence stay empty so the Data page asks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from churn.ingest.event_kinds import (
    PURCHASE_KINDS,
    cancellation_rows,
    cancelled_references,
    compact_dates,
    event_kind,
    fold_key,
    is_cancellation,
    missing_ids,
)
from churn.ingest.evidence import Candidate, Note, RoleGuess, role_guess
from churn.ingest.names import is_date, is_number

__all__ = [
    "EVENT_NAME_PATTERNS",
    "event_role_evidence",
    "guess_event_roles",
]

# ---------------------------------------------------------------- header names

_ENTITY = (
    r"(customer|cust|client|account|acct|kunde|kunden|kund|konto|cliente|company|firma|bedrift|foretag"
    r"|virksomhed|organisation|organization|org|empresa|member|medlem|mitglied|socio|user|bruker|bruger"
    r"|anvandare|nutzer|usuario|abonnent|subscriber|suscriptor|debitor|deudor|buyer|shopper|comprador"
    r"|kaufer|household|husstand|patient|guest)"
)
_CONTACT = r"(contact|kontakt|contacto|person|persona|lead)"
_IDWORD = r"(id|ids|nr|no|num|number|nummer|numer|numero|nro|key|code|kode|kod|codigo|cod|ref|guid|uuid)"
_NAMEWORD = r"(name|navn|namn|nombre|bezeichnung)"

#: role -> (score, regex on the accent-folded normalised header), strongest first
# fmt: off
EVENT_NAME_PATTERNS: dict[str, tuple[tuple[float, str], ...]] = {
    "event_customer_id": (
        (0.95, rf"^(associated_|parent_?|primary_)?{_ENTITY}_?{_IDWORD}(_primary|_value)?$"),
        (0.95, rf"^{_IDWORD}_?(de_|del_|of_)?{_ENTITY}$"),
        (0.85, rf"^(associated_|parent_?|primary_)?{_CONTACT}_?{_IDWORD}(_primary|_value)?$"),
        (0.85, rf"^{_IDWORD}_?(de_|del_|of_)?{_CONTACT}$"),
        (0.8, rf"^{_ENTITY}$"),
        (0.7, rf"^{_ENTITY}_?{_NAMEWORD}$"),
        (0.6, r"^(id|nr|no|record_?id|object_?id|orgnr|org_?nr|organisasjonsnummer|organisationsnummer"
              r"|orgnummer|cvr|cvr_?nr|vat|vat_?(no|id|number)|ust_?id|nif|cif|rut|duns|email|e_?mail"
              r"|epost|e_post|correo)$"),
        (0.45, rf"(^|_){_ENTITY}(_.*)?_{_IDWORD}(_|$)"),
    ),
    "event_timestamp": (
        (0.15, r"(modif|updated|last_?change|changed|endret|ændret|andrad|geandert|actualiz|last_?activity"
               r"|lastactivity|last_?contact|modstamp|export|deleted|geloscht|slettet|synced)"),
        (0.95, r"^(timestamp|event_?(time|date|timestamp|dato|ts)|activity_?(date|time|timestamp)"
               r"|occurred_?(at|on)|happened_?at|tidspunkt|tidpunkt|zeitpunkt|fecha|fecha_?hora"
               r"|fecha_?(del_|de_)?(evento|actividad|pedido|factura|compra|venta|pago|transaccion)"
               r"|(invoice|order|purchase|transaction|payment|sale|booking|visit|login)_?(date|time|timestamp|dato)"
               r"|(hendelses|hændelses|handelse|ordre|faktura|bestillings|kjøps|købs|kops|betalings"
               r"|transaksjons|besøks|besogs|inloggnings|order)_?(dato|datum|tid|tidspunkt)"
               r"|(rechnungs|bestell|kauf|zahlungs|buchungs|ereignis|aktivitats|auftrags)_?(datum|zeit)"
               r"|date|dato|datum|datetime|date_?time|time|tid|dag|day|zeit|ts)$"),
        (0.8, r"^(close_?date|closed_?(at|on|date)|actualend|actual_?(end|close)(_?date)?|completed_?(at|on|date)"
              r"|completion_?date|done_?at|sent_?(at|on|date)|logged_?at|scheduledend|end_?time)$"),
        (0.7, r"^(created|createdon|created_?(at|on|date|time)|create_?date|creation_?date|opprettet"
              r"|oprettet|skapad|erstellt|erstellt_?am|creado|fecha_?(de_)?creacion|registered|registrert"
              r"|start_?time|scheduledstart)$"),
        (0.55, r"(date|dato|datum|fecha|time|tid|zeit|timestamp)"),
    ),
    "event_reference": (
        (0.9, r"^((invoice|order|receipt|transaction|transaksjon|transaktion|purchase|booking|bestilling"
              r"|ordre|faktura|factura|rechnung|rechnungs|bestell|auftrags?|pedido|quote|opportunity|deal"
              r"|salesorder|kvittering|kvitto|bilag|beleg)_?(id|no|nr|nummer|number|num|numero|code|ref)?"
              r"|(num|numero|nr|no|n|id)_?(de_|del_)?(factura|pedido|orden|ordre|faktura|invoice|order))$"),
        (0.6, r"^(record_?id|object_?id|activity_?id|engagement_?id|event_?id|ticket_?id|case_?id"
              r"|line_?id|transaction)$"),
    ),
    "event_quantity": (
        (0.95, r"^(quantity|qty|quant|antall|antal|mængde|maengde|mangd|menge|anzahl|stuckzahl|cantidad"
               r"|cant|unidades|units|unit_?count|stk|stykk|styck|pcs|pieces|items|count"
               r"|(number|no|num|nb)_of_\w+|(antall|antal|anzahl|cantidad)_(de_)?\w+"
               r"|\w+_(quantity|qty|count|antall|antal|anzahl|cantidad))$"),
        (0.7, r"(quantity|qty|antall|antal|menge|anzahl|cantidad|unidades)"),
    ),
    "event_unit_price": (
        (0.95, r"^(unit_?price|price|pris|a_?pris|enhetspris|enhedspris|stykkpris|stykpris|styckpris"
               r"|stuckpreis|einzelpreis|preis|precio|precio_?(unitario|unidad|por_unidad)|prix"
               r"|prix_?unitaire|list_?price|sales_?price|unit_?cost|price_?each|each|rate|unit_?amount"
               r"|price_?per_?unit)$"),
        (0.7, r"(price|pris|preis|precio|prix)"),
    ),
    "event_amount": (
        (0.95, r"^(amount|amt|belop|beløp|beløb|belopp|betrag|importe|monto|sum|summa|summe|suma|total|totalt"
               r"|totale|gesamt|value|verdi|værdi|vaerdi|varde|wert|valor|revenue|omsetning|omsætning"
               r"|omsattning|umsatz|ingresos?|sales|salg|forsaljning|ventas|dollars?|dollar_?value|usd|eur"
               r"|euro|nok|dkk|sek|gbp|kr|kroner|kronor|paid|betalt|(amount|price)_?paid|paid_?amount"
               r"|line_?(total|amount|value|sum)|subtotal|net|netto|brutto|gross"
               r"|total_?(amount|value|sum|price|revenue|belop|beløp)|totalamount"
               r"|order_?(value|amount|total|sum)|ordre_?(verdi|belop|beløp|sum)|ordreverdi|ordrebeløp"
               r"|(faktura|rechnungs|gesamt)_?(beløp|belop|beløb|belopp|betrag)|(importe|monto)_?total"
               r"|actual_?value|estimated_?value|estimatedvalue|deal_?(value|amount)|spend|spent)$"),
        (0.8, r"(amount|belop|beløp|beløb|betrag|importe|monto|summ|total|verdi|værdi|varde|wert|valor"
              r"|revenue|umsatz|omsetning|omsætning|sales|dollar|value|spend)"),
    ),
    "event_days_late": (
        (0.95, r"(days_?late|days_?overdue|overdue|past_?due|forsinkelse|forsinket|dage_?for_?sent"
               r"|dager_?for_?sent|forfalt_?dager|dagar_?(sen|forsenad|forsenat)|forsenad|drojsmal|verzug"
               r"|verspatung|verspatet|uberfallig|dias_?(de_)?(retraso|atraso|vencido)|retraso|atraso|^mora$)"),
    ),
    "event_type": (
        (0.9, r"^(event_?type|event|type|typ|tipo|art|kind|activity|activity_?(type|subtype)|activitytypecode"
              r"|tasksubtype|engagement_?type|interaction_?type|action|action_?type|hendelse|hendelse_?type"
              r"|hendelsestype|hændelse|hændelsestype|handelse|handelsetyp|aktivitet|aktivitets_?typ"
              r"|aktivitetstype|handling|ereignis|ereignis_?(typ|art)|aktivitat|aktivitats_?(typ|art)|vorgang"
              r"|vorgangsart|evento|tipo_?(de_)?(evento|actividad|accion|movimiento)|actividad|accion"
              r"|movimiento|transaction_?type|transaksjonstype|transaktionstyp)$"),
        (0.7, r"^(category|kategori|kategorie|categoria)$"),
        (0.6, r"(event|hendelse|hændelse|handelse|aktivitet|activity|ereignis|evento|actividad|type|typ"
              r"|tipo)"),
    ),
}
# fmt: on
_PATTERNS = {
    role: tuple((score, re.compile(pattern)) for score, pattern in patterns)
    for role, patterns in EVENT_NAME_PATTERNS.items()
}
#: headers of columns that name an order, an invoice, a product or the event itself, never a customer
_NOT_A_CUSTOMER = re.compile(
    r"(invoice|faktura|factura|rechnung|order|ordre|pedido|bestell|auftrag|transaction|transak|receipt"
    r"|kvitter|opportunit|deal|ticket|case|activity|aktivitet|event|hendelse|engagement|stock|sku"
    r"|product|produkt|producto|item|vare|artikel|articulo|article|line|linje|session|sesion|descr)"
)


def _name_score(column: str, role: str) -> float:
    key = fold_key(column)
    return next((score for score, pattern in _PATTERNS[role] if pattern.search(key)), 0.0)


# ---------------------------------------------------------------- what each column holds


@dataclass(frozen=True)
class _Values:
    """What one column's values look like (the content half of the evidence)."""

    kind: str  # date, compact, number, text, bool, empty
    filled: float  # share of rows with a value
    distinct: int
    repeats: float  # rows per distinct value
    whole: bool = False
    low: float = math.nan
    high: float = math.nan
    median: float = math.nan
    money: bool = False  # at most two decimals, some fractions
    code: bool = False  # text with digits in it, or whole numbers: an identifier's shape
    first: str = ""
    last: str = ""


def _values(series: pd.Series) -> _Values:
    values = series.dropna()
    n = len(values)
    filled = n / len(series) if len(series) else 0.0
    if n == 0:
        return _Values("empty", 0.0, 0, 0.0)
    distinct = int(values.nunique())
    repeats = n / distinct
    if pd.api.types.is_bool_dtype(series):
        return _Values("bool", filled, distinct, repeats)
    if is_date(series):
        return _Values("date", filled, distinct, repeats, first=_day(values.min()), last=_day(values.max()))
    compact = compact_dates(series)
    if compact is not None:
        present = compact.dropna()
        return _Values(
            "compact", filled, distinct, repeats, first=_day(present.min()), last=_day(present.max())
        )
    if is_number(series):
        numbers = values.astype(float)
        whole = bool((numbers == numbers.round()).all())
        cents = (numbers * 100 - (numbers * 100).round()).abs() < 1e-6
        money = not whole and bool(cents.mean() >= 0.95) and distinct >= 5
        low, high, median = float(numbers.min()), float(numbers.max()), float(numbers.median())
        return _Values("number", filled, distinct, repeats, whole, low, high, median, money, code=whole)
    uniques = pd.Series(values.unique()).astype(str)
    code = bool(uniques.str.contains(r"\d|@").mean() >= 0.8)
    return _Values("text", filled, distinct, repeats, code=code)


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


# ---------------------------------------------------------------- candidates per role


def _id_candidates(frame: pd.DataFrame, info: dict[str, _Values], same: str | None) -> list[Candidate]:
    out = []
    for column in frame.columns:
        v = info[column]
        if v.kind in ("date", "compact", "empty", "bool") or (v.kind == "number" and not v.whole):
            continue
        values = {"column": column, "values": v.distinct, "per": f"{v.repeats:.1f}"}
        if column == same:
            out.append(Candidate(column, 1.0, Note("events.reason_id_same", {"column": column})))
            continue
        named = _name_score(column, "event_customer_id")
        if named:
            score = named * (0.7 if v.filled < 0.5 else 1.0)
            if v.repeats < 1.05 and v.distinct > 1:
                score, key = score * 0.6, "events.reason_id_unique"
            else:
                score, key = score + 0.05, "events.reason_id_named"
        elif v.distinct < 2 or _named_for_a_measure(column):
            continue
        elif v.repeats < 1.05:
            score, key = 0.15, "events.reason_id_unique"
        elif (v.kind == "number" and v.distinct <= 100 and v.high <= 1000) or (
            v.kind == "text" and not v.code and v.distinct <= 200
        ):
            continue  # a count or a category, not customers
        else:
            spread = min(1.0, math.log10(v.distinct) / 3)
            score = 0.25 + 0.3 * spread + (0.1 if v.code else 0.0)
            score *= 0.4 if _NOT_A_CUSTOMER.search(fold_key(column)) else 1.0
            key = "events.reason_id_content"
        if same is not None:
            score *= 0.7  # the customer table's id column is in the log: the rest are second choices
        out.append(Candidate(column, min(score, 1.0), Note(key, values)))
    return out


def _named_for_a_measure(column: str) -> bool:
    """The header names a quantity, a price, an amount or days late: the values are measures, not ids."""
    roles = ("event_quantity", "event_unit_price", "event_amount", "event_days_late")
    return any(_name_score(column, role) for role in roles)


def _timestamp_candidates(frame: pd.DataFrame, info: dict[str, _Values]) -> list[Candidate]:
    stamps = [c for c in frame.columns if info[c].kind in ("date", "compact")]
    most = max((info[c].distinct for c in stamps), default=1)
    out = []
    for column in stamps:
        v = info[column]
        named = _name_score(column, "event_timestamp")
        values = {"column": column, "first": v.first, "last": v.last}
        if named:
            score = named + (0.05 if named >= 0.5 else 0.0)
            key = "events.reason_date_changed" if named < 0.5 else "events.reason_date_named"
        else:
            score = 0.5 + 0.15 * v.distinct / most
            key = "events.reason_date_compact" if v.kind == "compact" else "events.reason_date_content"
        score *= 0.5 + 0.5 * v.filled
        out.append(Candidate(column, min(score, 1.0), Note(key, values)))
    return out


def _reference_candidates(frame: pd.DataFrame, info: dict[str, _Values]) -> list[Candidate]:
    out = []
    for column in frame.columns:
        v = info[column]
        if v.kind in ("date", "compact", "empty", "bool") or (v.kind == "number" and not v.whole):
            continue
        named = _name_score(column, "event_reference")
        cancelled = int(cancelled_references(frame[column]).sum())
        if cancelled:
            values = {"column": column, "rows": cancelled}
            out.append(Candidate(column, max(0.85, named + 0.05), Note("events.reason_reference_c", values)))
        elif named:
            out.append(Candidate(column, named, Note("events.reason_reference_named", {"column": column})))
    return out


def _quantity_candidates(frame: pd.DataFrame, info: dict[str, _Values]) -> list[Candidate]:
    out = []
    for column in frame.columns:
        v = info[column]
        if v.kind != "number" or not v.whole:
            continue
        values = {"column": column, "low": _number(v.low), "high": _number(v.high)}
        named = _name_score(column, "event_quantity")
        if named:
            out.append(Candidate(column, named, Note("events.reason_quantity_named", values)))
        elif v.distinct <= 200 and v.median <= 50 and v.repeats >= 5 and not _named_for_a_measure(column):
            out.append(Candidate(column, 0.5, Note("events.reason_quantity_content", values)))
    return out


def _price_candidates(frame: pd.DataFrame, info: dict[str, _Values]) -> list[Candidate]:
    out = []
    for column in frame.columns:
        named = _name_score(column, "event_unit_price")
        if info[column].kind == "number" and named:
            out.append(Candidate(column, named, Note("events.reason_price_named", {"column": column})))
    return out


def _amount_candidates(
    frame: pd.DataFrame, info: dict[str, _Values], price_is_amount: bool
) -> list[Candidate]:
    out = []
    for column in frame.columns:
        v = info[column]
        if v.kind != "number":
            continue
        values = {"column": column, "low": _number(v.low), "high": _number(v.high)}
        other_role = _name_score(column, "event_quantity") or _name_score(column, "event_days_late")
        named = 0.0 if other_role else _name_score(column, "event_amount")
        price = _name_score(column, "event_unit_price")
        if named:
            score, key = named + (0.05 if v.money else 0.0), "events.reason_amount_named"
        elif price and price_is_amount:
            score, key = 0.6, "events.reason_amount_price"
        elif v.money and not other_role and not price:
            score, key = 0.5, "events.reason_amount_content"
        else:
            continue
        out.append(Candidate(column, min(score, 1.0), Note(key, values)))
    return out


def _days_late_candidates(frame: pd.DataFrame, info: dict[str, _Values]) -> list[Candidate]:
    return [
        Candidate(column, 0.95, Note("events.reason_days_late_named", {"column": column}))
        for column in frame.columns
        if info[column].kind == "number" and _name_score(column, "event_days_late")
    ]


def _one_value_per_customer(frame: pd.DataFrame, column: str, customer: str | None) -> bool:
    """True when (almost) every customer with several rows has one value here: a customer attribute."""
    if customer is None:
        return False
    pairs = frame[[customer, column]].dropna()
    rows = pairs.groupby(customer, sort=False)[column]
    several = rows.size() >= 2
    if several.sum() < 5:
        return False  # too few repeat customers to tell
    varying = rows.nunique()[several] > 1
    return bool(varying.mean() <= 0.02)


def _type_candidates(
    columns: pd.DataFrame,
    info: dict[str, _Values],
    customer: str | None,
    frame: pd.DataFrame,
    purchases: bool,
) -> tuple[list[Candidate], list[Note]]:
    """Text columns with a few values that read as kinds of event; customer attributes and products left out."""
    out, notes = [], []
    for column in columns.columns:
        v = info[column]
        if v.kind != "text":
            continue
        named = _name_score(column, "event_type")
        if v.distinct > 200 or (v.distinct > 50 and not named):
            if named:
                notes.append(Note("events.note_product_not_type", {"column": column, "values": v.distinct}))
            continue
        counts = frame[column].dropna().astype(str).value_counts()
        kinds = counts.index.map(event_kind)
        known = float(counts[kinds != "other"].sum() / counts.sum())
        examples = " / ".join(str(value) for value in counts.index[:3])
        values = {"column": column, "values": v.distinct, "examples": examples}
        if v.distinct >= 2 and known < 0.5 and _one_value_per_customer(frame, column, customer):
            notes.append(Note("events.note_attribute_not_type", {"column": column}))
            continue
        if named:
            score = named + 0.1 * known
            if purchases and known == 0:
                score *= 0.5  # product categories in a purchase log, not kinds of event
            if v.distinct > 50:
                score *= 0.7
            key = "events.reason_type_named"
        elif known >= 0.2:
            score, key = 0.25 + 0.55 * known, "events.reason_type_content"
        else:
            continue  # neither the header nor the values say "kind of event"
        out.append(Candidate(column, min(score, 1.0), Note(key, values)))
    return out, notes


# ---------------------------------------------------------------- the evidence


def event_role_evidence(
    frame: pd.DataFrame, customer_id: str | None = None
) -> tuple[dict, dict[str, RoleGuess], list[Note]]:
    """The roles of an event log's columns, with the evidence behind each and notes for the user.

    Roles are settled in this order, each column playing at most one role:
    customer id, timestamp, invoice/order number, days late, quantity, unit
    price (only beside a quantity), amount, event type. A role whose evidence
    is thin (low confidence) is None in the roles dict, so the Data page asks.

    Parameters
    ----------
    frame : pd.DataFrame
        A typed event log (from :func:`churn.ingest.parsing.read_table`).
    customer_id : str or None
        The customer table's id column; when the log has a column of that name it is the customer.

    Returns
    -------
    roles : dict
        ``event_customer_id``, ``event_timestamp``, ``event_type``, ``event_amount``,
        ``event_days_late``, ``event_quantity``, ``event_unit_price``, ``event_reference``
        (column names or None) and ``event_type_map`` (raw type -> canonical kind).
    guesses : dict[str, RoleGuess]
        The candidates, confidence and choice per role that had any candidate.
    notes : list[Note]
        What the user should be told: rows without a customer, cancellations,
        amounts computed from quantity x price, dates read from ``yyyymmdd``,
        columns passed over as the event type.

    Example
    -------
    >>> log = pd.DataFrame({"cust": [1, 1, 2, 2], "date": pd.to_datetime(["2024-01-03"] * 4)})
    >>> roles, guesses, notes = event_role_evidence(log)
    >>> roles["event_customer_id"], roles["event_timestamp"], guesses["event_customer_id"].confidence
    ('cust', 'date', 'high')
    """
    info = {column: _values(frame[column]) for column in frame.columns}
    same = customer_id if customer_id in frame.columns else None
    guesses: dict[str, RoleGuess] = {}
    taken: set[str] = set()

    def settle(role: str, candidates: list[Candidate]) -> str | None:
        guess = role_guess(role, [c for c in candidates if c.column not in taken])
        if guess.candidates:
            guesses[role] = guess
        if guess.chosen is not None:
            taken.add(guess.chosen)
        return guess.chosen

    roles: dict = dict.fromkeys(
        (
            "event_customer_id",
            "event_timestamp",
            "event_type",
            "event_amount",
            "event_days_late",
            "event_quantity",
            "event_unit_price",
            "event_reference",
        )
    )
    roles["event_customer_id"] = settle("event_customer_id", _id_candidates(frame, info, same))
    roles["event_timestamp"] = settle("event_timestamp", _timestamp_candidates(frame, info))
    roles["event_reference"] = settle("event_reference", _reference_candidates(frame, info))
    roles["event_days_late"] = settle("event_days_late", _days_late_candidates(frame, info))
    roles["event_quantity"] = settle("event_quantity", _quantity_candidates(frame, info))
    if roles["event_quantity"] is not None:
        roles["event_unit_price"] = settle("event_unit_price", _price_candidates(frame, info))
    price_is_amount = roles["event_quantity"] is None
    roles["event_amount"] = settle("event_amount", _amount_candidates(frame, info, price_is_amount))
    purchases = roles["event_amount"] is not None or roles["event_unit_price"] is not None
    customer = roles["event_customer_id"] or (
        guesses["event_customer_id"].best.column if "event_customer_id" in guesses else None
    )
    open_columns = frame[[c for c in frame.columns if c not in taken and c != customer]]
    types, notes = _type_candidates(open_columns, info, customer, frame, purchases)
    roles["event_type"] = settle("event_type", types)
    kinds = frame[roles["event_type"]].dropna().astype(str).unique() if roles["event_type"] else []
    roles["event_type_map"] = {str(raw): _guessed_kind(str(raw)) for raw in sorted(kinds)[:200]}
    return roles, guesses, [*_row_notes(frame, roles, info, purchases), *notes]


def _guessed_kind(raw: str) -> str:
    """The kind to propose for a raw type: a cancelled order or payment is ``other``, not a purchase."""
    kind = event_kind(raw)
    return "other" if kind in PURCHASE_KINDS and is_cancellation(raw) else kind


def _row_notes(frame: pd.DataFrame, roles: dict, info: dict[str, _Values], purchases: bool) -> list[Note]:
    """Notes on how rows will be read: missing customers and dates, cancellations, amounts, kinds."""
    notes = []
    total = len(frame)
    customer, stamp = roles["event_customer_id"], roles["event_timestamp"]
    if stamp is not None and info[stamp].kind == "compact":
        notes.append(Note("events.note_compact_dates", {"column": stamp}))
    if roles["event_amount"] is None and roles["event_unit_price"] is not None:
        values = {"quantity": roles["event_quantity"], "price": roles["event_unit_price"]}
        notes.append(Note("events.note_amount_from_quantity", values))
    no_customer = missing_ids(frame[customer]) if customer else pd.Series(False, index=frame.index)
    if no_customer.any():
        values = {"rows": int(no_customer.sum()), "total": total, "column": customer}
        notes.append(Note("events.note_no_customer", values))
    if stamp is not None:
        no_date = frame[stamp].isna() & ~no_customer
        if no_date.any():
            notes.append(Note("events.note_no_date", {"rows": int(no_date.sum()), "column": stamp}))
    cancelled = cancellation_rows(
        frame,
        quantity=roles["event_quantity"],
        amount=roles["event_amount"],
        reference=roles["event_reference"],
        event_type=roles["event_type"],
    )
    cancelled &= ~no_customer
    if cancelled.any():
        notes.append(Note("events.note_cancelled", {"rows": int(cancelled.sum())}))
    if roles["event_type"] is None and stamp is not None:
        notes.append(Note("events.note_no_type_orders" if purchases else "events.note_no_type_other"))
    return notes


def guess_event_roles(frame: pd.DataFrame, customer_id: str | None = None) -> dict:
    """Role guesses for an event log: the roles dict of :func:`event_role_evidence`.

    Example
    -------
    >>> log = pd.DataFrame({"Kundenr": ["1", "1", "2"], "Dato": pd.to_datetime(["2024-01-01"] * 3)})
    >>> guess_event_roles(log)["event_customer_id"]
    'Kundenr'
    """
    return event_role_evidence(frame, customer_id)[0]
