"""Header names: the words each role goes by, in the languages and CRM exports we meet.

A header is normalised (:func:`normalise_name`) before matching, so ``"Oppsagt dato "``,
``"oppsagt_dato"`` and ``"OPPSAGT-DATO"`` are the same name.
"""

from __future__ import annotations

import re

import pandas as pd

#: header words of a segment column (an industry, region, plan, channel, size, gender, ...)
SEGMENT_NAME = re.compile(
    r"(industry|bransje|branche|sector|sektor|segment|region|fylke|kommune|landsdel|country|land|city|by|postnr|"
    r"plan|produkt|product|pakke|package|abonnement|subscription|contract|kontrakt|avtale|aftale|channel|kanal|"
    r"size|størrelse|str|category|kategori|tier|gender|kjønn|køn|payment_?method|betalingsmåte|betalingsform|type)"
)


#: customer-table role -> (strength 0..1, regex on the normalised header), strongest first. Words in
#: English, Norwegian, Danish, Swedish, German and Spanish, and the headers of HubSpot, Salesforce and
#: Dynamics exports ("Record ID", "Account ID", "accountid", "createdon", "Create Date").
# fmt: off
ROLE_NAMES: dict[str, tuple[tuple[float, str], ...]] = {
    "customer_id": (
        (1.0, r"^(customer|client|account|member|subscriber|user|contact|company|kunde|konto|kund|kunden|cliente|socio|medlem|abonnent)_?(id|nr|no|number|nummer|num|key|code|kode|nro|numero|ident)$"),
        (1.0, r"^(kundenr|kundenummer|kundeid|kundnummer|kundnr|kundennummer|kundennr|customerid|clientid|accountid|clientnum|memberid|userid|contactid|record_id|hs_object_id|id_cliente|num_cliente|numero_cliente|codigo_cliente|kundekode|medlemsnummer|medlemsnr)$"),
        (0.9, r"^(id|nr|uuid|guid|org_?nr|orgnr|organisasjonsnummer|cvr|cvr_?nr|orgnummer|organisationsnummer|kundnr)$"),
        (0.8, r"(kunde|customer|client|account|member|subscriber|cliente|kund).*(id|nr|nummer|number|key|code|no)$"),
        (0.6, r"^(phone|phone_number|msisdn|telefon|telefonnummer|mobil|mobile|email|e_mail|epost|e_post|correo)$"),
        (0.5, r"(^|_)(id|nr|uuid)$"),
    ),
    "churn_label": (
        (1.0, r"^(is_|has_)?(churn|churned|churner|churn_flag|churn_label|churn_status|exited|exit|attrition|attrition_flag|attrited|left|lost|cancelled|canceled|terminated)(_flag|_yn|_ind|_indicator)?$"),
        (1.0, r"^(frafall|frafald|avgang|afgang|sagt_opp|sagt_op|oppsagt|opsagt|tapt|mistet|avsluttet|afsluttet|ophørt|opphørt|sluttet|churnet|uppsagd|avslutad|kündigung|gekündigt|abwanderung|abgewandert|baja|abandono|fuga|cancelado|perdido|résilié)$"),
        (0.9, r"(churn|frafall|frafald|oppsagt|opsagt|sagt_opp|attrition|attrited|abwanderung|kündigung|uppsägning|avhopp|abandono|fuga_de_clientes)"),
        (0.6, r"^(customer_|client_|account_|kunde_|kund_|member_)?(status|state|kundestatus|kundstatus|estado|estatus|stand|zustand|lifecycle_stage|lifecyclestage|statecode|statuscode)$"),
        (0.5, r"^(is_)?(active|aktiv|activo|current|retained|stayed|still_customer|er_aktiv|aktiv_kunde|kunde_aktiv)$"),
        (0.4, r"(status|estado)$"),
    ),
    "end_date": (
        (1.0, r"^(oppsagt|opsagt|sagt_opp|sagt_op|cancel|cancellation|cancelled|canceled|churn|churned|end|termination|terminated|stop|slutt|slut|oppsigelse|opsigelse|avgang|afgang|ophør|opphør|exit|close|closed|deleted|uppsägning|kündigung|austritt|baja|cancelacion|fin|term_end|contract_end|subscription_end|avslut)_?(date|dato|datum|fecha|at|on|tidspunkt|time|day|dag)$"),
        (1.0, r"^(fecha|dato|datum|date)_?(de_)?(baja|cancelacion|fin|termino|oppsigelse|opsigelse|slutt|slut|kündigung|austritt|uppsägning|cancel|churn|end)$"),
        (0.9, r"^(sluttdato|slutdato|slutdatum|avsluttet|afsluttet|ophørsdato|opphørsdato|oppsigelsesdato|opsigelsesdato|avgangsdato|afgangsdato|uppsägningsdatum|kündigungsdatum|austrittsdatum|enddatum|end|ended|ended_at|cancelled_at|canceled_at|churned_at|deleted_at|terminated_at|closed_at|actualend|date_canceled|date_cancelled)$"),
        (0.8, r"(cancel|slutt|opsig|oppsig|ophør|opphør|churn|kündig|uppsäg|baja|terminat).*(dato|date|datum|fecha|at|on)$"),
        (0.6, r"^(oppsagt|opsagt|sagt_opp|cancelled|canceled|churned|churn|frafall|frafald|avgang|afgang|slutt)$"),
    ),
    "start_date": (
        (1.0, r"^(signup|sign_up|start|join|joined|created|create|registration|registered|onboarding|onboard|onboarded|activation|activated|subscription_start|contract_start|member_since|customer_since|kunde_siden|kunde_fra|kund_sedan|kunde_seit|oppstart|opstart|registrert|registreret|oprettet|opprettet|innmeldt|indmeldt|alta|fecha_alta|eintritt|beginn|vertragsbeginn|startdatum|start_datum)_?(date|dato|datum|fecha|at|on|tidspunkt|time|day|dag)?$"),
        (1.0, r"^(startdato|oppstartsdato|opstartsdato|startdatum|registreringsdato|oprettelsesdato|opprettelsesdato|innmeldingsdato|indmeldelsesdato|eintrittsdatum|fecha_de_alta|fecha_alta|fecha_inicio|fecha_de_inicio|createdon|createddate|create_date|created_at|created_on|first_order_date|første_ordre|first_purchase_date|date_joined|date_created)$"),
        (0.7, r"(start|signup|oppstart|opstart|registr|opprett|oprett|siden|since|joined|eintritt|alta|inicio|creat).*(dato|date|datum|fecha|at|on)$"),
    ),
    "tenure": (
        (1.0, r"^(tenure|tenure_months|tenure_in_months|months|antall_mnd|antal_mdr|ansiennitet|anciennitet|varighet|varighed|kundeforhold_mnd|levetid|lifetime|customer_lifetime|months_as_customer|months_active|account_length|account_age|customer_age_months|subscription_length|membership_length|membership_months|months_on_book|months_on_network|vertragsdauer|kundendauer|laufzeit|antigüedad|antiguedad|permanencia|meses|meses_cliente|kundtid|månader|måneder|måneder_som_kunde|måneder_som_medlem)$"),
        (0.8, r"(tenure|ansiennitet|anciennitet|lifetime|levetid|antigüedad|antiguedad|permanencia|kundtid|kundendauer|months_as|months_on|subscription_length|account_length|membership_length)"),
        (0.8, r"^(months|mnd|mdr|måneder|månader|monate|meses)_(in|as|with|on|since|active|subscribed|of|som|siden)_|(in_service|service_months|service_length|customer_since_months)$"),
        (0.6, r"^(years|år|jahre|años|anos|years_as_customer|years_with_us|customer_years|kunde_år)$"),
    ),
    "value": (
        (1.0, r"^(monthly_?value|monthly_charges?|monthly_revenue|monthly_fee|monthly_price|monthly_amount|monthly_spend|mrr|arpu|arpa|månedsverdi|månedsværdi|månedsbeløp|månedsbeløb|månedspris|månadsavgift|monatsbeitrag|monatlicher_betrag|cuota_mensual|importe_mensual|maanedsbeloep|månedlig_beløp|md_beløp|mnd_beløp|kontingent)$"),
        (0.8, r"(mrr|monthly_(value|charge|revenue|fee|price|amount|spend)|månedsverdi|månedsværdi|månedsbeløp|månedsbeløb|månedspris|månadsavgift|monatsbeitrag|cuota_mensual)"),
        (0.7, r"^(customer_|client_|account_|kunde_)?(value|revenue|omsetning|omsætning|omsättning|umsatz|ingresos|verdi|værdi|värde|wert|valor|arr|acv|contract_value|kontraktsverdi|kontraktsværdi|annual_revenue|annual_value|årsverdi|årsværdi|clv|ltv|lifetime_value|average_ticket|avg_ticket|ticket_medio)$"),
        (0.5, r"(^|_)(revenue|omsetning|omsætning|umsatz|ingresos)(_|$)|^(price|pris|preis|precio|fee|avgift|beitrag)$"),
    ),
}
# fmt: on
#: names that rule a column out of a role, whatever its values (a birth date is not a start date)
NOT_NAMES: dict[str, str] = {
    "start_date": r"(birth|født|fødsel|foedsel|födelse|geburt|nacimiento|dob|updated|modified|changed|endret|ændret|last|siste|seneste|senaste|letzte|ultim|deleted|cancel|end|slutt|oppsig|churn)",
    "end_date": r"(birth|født|fødsel|födelse|geburt|nacimiento|created|signup|start|updated|modified|last_(purchase|order|login|seen|activity|contact)|siste_(kjøp|ordre|innlogging))",
    "tenure": r"(to_end|until|remaining|left|igjen|tilbage|kvar|(^|_)rest|bis_ende|hasta|(^|_)(age|alder|edad|alter|ålder)$)",
    "value": r"(score|rating|count|antall|antal|number|num_|calls|minutes|min$|sms|(^|_)(age|alder)(_|$)|salary|lønn|income|balance|saldo|credit|limit)",
    "customer_id": r"(row_?number|row_?num|^index$|^unnamed|^rad$|^linje$|^lfd|^nr_?rad)",
    "churn_label": r"(reason|årsak|arsak|grunn|årsag|cause|grund|motivo|date|dato|datum|fecha|score|prob|risk|predict|prediction)",
}


def name_blocked(column: str, role: str) -> bool:
    """True when a word in the header rules the column out of ``role`` (see :data:`NOT_NAMES`).

    Example
    -------
    >>> name_blocked("birth_date", "start_date"), name_blocked("created_at", "start_date")
    (True, False)
    """
    pattern = NOT_NAMES.get(role)
    return bool(pattern) and any(re.search(pattern, key) for key in name_keys(column))


def name_strength(column: str, role: str) -> float:
    """How strongly a header names ``role`` (0..1); 0 when it does not, or a word rules it out.

    Example
    -------
    >>> name_strength("Customer ID", "customer_id"), name_strength("birth_date", "start_date")
    (1.0, 0.0)
    """
    if name_blocked(column, role):
        return 0.0
    keys = name_keys(column)
    for strength, pattern in ROLE_NAMES[role]:
        if any(re.search(pattern, key) for key in keys):
            return strength
    return 0.0


_ASCII = str.maketrans(
    {
        "é": "e",
        "è": "e",
        "ê": "e",
        "á": "a",
        "à": "a",
        "â": "a",
        "í": "i",
        "ó": "o",
        "ò": "o",
        "ô": "o",
        "ú": "u",
        "ñ": "n",
        "ç": "c",
        "ß": "ss",
    }
)


def normalise_name(name: str) -> str:
    """Lower-case a header and turn every run of punctuation/space into ``_``.

    Nordic and German letters (``æøåäöü``) are kept; other accents are dropped
    (``Cancelación`` -> ``cancelacion``).

    Example
    -------
    >>> normalise_name(" Oppsagt dato "), normalise_name("Cancelación")
    ('oppsagt_dato', 'cancelacion')
    """
    return re.sub(r"[^0-9a-zæøåäöü]+", "_", str(name).lower().translate(_ASCII)).strip("_")


def split_camel(name: str) -> str:
    """``"MonthlyCharges"`` -> ``"Monthly_Charges"``, ``"XGBScore"`` -> ``"XGB_Score"`` (case kept).

    Example
    -------
    >>> split_camel("AssociatedCompanyID"), split_camel("XGBScore")
    ('Associated_Company_ID', 'XGB_Score')
    """
    text = re.sub(r"([a-zæøåäöü0-9])([A-ZÆØÅÄÖÜ])", r"\1_\2", str(name))
    return re.sub(r"([A-ZÆØÅÄÖÜ]+)([A-ZÆØÅÄÖÜ][a-zæøåäöü])", r"\1_\2", text)


def name_keys(name: str) -> tuple[str, ...]:
    """The normalised header, and with camelCase split when that differs (``MonthlyCharges``).

    Example
    -------
    >>> name_keys("customerID"), name_keys("churn")
    (('customerid', 'customer_id'), ('churn',))
    """
    keys = (normalise_name(name), normalise_name(split_camel(name)))
    return keys[:1] if keys[0] == keys[1] else keys


def is_segment_name(column: str) -> bool:
    """True when a header names a segment (``Industry``, ``Region``, ``PaymentMethod``, ``Kjønn``)."""
    return bool(SEGMENT_NAME.search(normalise_name(column)))


def is_date(series: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(series)


def is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
