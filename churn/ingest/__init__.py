"""Read a file and understand it: parsing, column roles, data quality, intake, the sample."""

from churn.ingest.intake import (
    build_dataset,
    canonical_events,
    customer_ids,
    default_inactivity_days,
    derive_customers_from_events,
    load_files,
    load_sample,
    with_inactivity,
)
from churn.ingest.parsing import (
    MAX_BYTES,
    coerce_column,
    decode_text,
    read_table,
    sniff_delimiter,
    to_dates,
)
from churn.ingest.quality import (
    Check,
    history_months,
    leakage_reasons,
    leakage_suspects,
    missing_by_column,
    missing_share,
    profile,
    quality_checks,
    roles_summary,
    verdict,
)
from churn.ingest.roles import (
    event_kind,
    guess_customer_roles,
    guess_event_roles,
    guess_roles,
    normalise_name,
    parse_churn_label,
)
from churn.ingest.sample import (
    generate_sample,
    write_sample,
)

__all__ = [
    "MAX_BYTES",
    "decode_text",
    "sniff_delimiter",
    "read_table",
    "coerce_column",
    "to_dates",
    "normalise_name",
    "parse_churn_label",
    "guess_customer_roles",
    "guess_event_roles",
    "event_kind",
    "guess_roles",
    "Check",
    "leakage_reasons",
    "leakage_suspects",
    "history_months",
    "missing_by_column",
    "missing_share",
    "quality_checks",
    "verdict",
    "roles_summary",
    "profile",
    "customer_ids",
    "canonical_events",
    "default_inactivity_days",
    "derive_customers_from_events",
    "build_dataset",
    "with_inactivity",
    "load_files",
    "load_sample",
    "generate_sample",
    "write_sample",
]
