"""Read a file and understand it: parsing, column roles, data quality, intake, the sample."""

from churn.ingest.big_events import OutOfCore, build_out_of_core, events_in_memory
from churn.ingest.columns import customer_ids
from churn.ingest.confirm import confirm_upload
from churn.ingest.customer_roles import customer_role_evidence
from churn.ingest.event_kinds import cancellation_rows
from churn.ingest.event_roles import event_role_evidence
from churn.ingest.event_sample import (
    ENGINE_MIN_BYTES,
    EventSample,
    NeedsMemory,
    read_sample,
    reads_out_of_core,
)
from churn.ingest.events import (
    LEFT_OUT_CAUSES,
    canonical_events,
    default_inactivity_days,
    derive_customers_from_events,
    left_out_events,
)
from churn.ingest.evidence import Candidate, Note, RoleEvidence, RoleGuess
from churn.ingest.excel import read_excel
from churn.ingest.grain import to_customer_grain
from churn.ingest.intake import (
    CustomerRows,
    build_dataset,
    customer_dataset,
    customer_rows,
    excluded_rows,
    load_files,
    load_sample,
    repeated_ids,
    row_numbers,
    with_inactivity,
)
from churn.ingest.labels import label_value_map, value_class
from churn.ingest.leaks import Leak, leak_evidence, single_column_auc
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
    DateColumn,
    EventFileSummary,
    client_columns,
    history_months,
    implausible_dates,
    leak_report,
    leakage_reasons,
    leakage_suspects,
    missing_by_column,
    missing_share,
    plausible_ranges,
    profile,
    quality_checks,
    roles_summary,
    verdict,
)
from churn.ingest.roles import (
    event_kind,
    explain_roles,
    guess_customer_roles,
    guess_event_roles,
    guess_roles,
    normalise_name,
    parse_churn_label,
    repeated_id_column,
)
from churn.ingest.sample import (
    generate_sample,
    write_sample,
)

__all__ = [
    "confirm_upload",
    "ENGINE_MIN_BYTES",
    "EventSample",
    "NeedsMemory",
    "OutOfCore",
    "build_out_of_core",
    "events_in_memory",
    "read_sample",
    "reads_out_of_core",
    "CustomerRows",
    "customer_rows",
    "customer_dataset",
    "DateColumn",
    "EventFileSummary",
    "plausible_ranges",
    "Candidate",
    "Note",
    "RoleEvidence",
    "RoleGuess",
    "explain_roles",
    "customer_role_evidence",
    "event_role_evidence",
    "cancellation_rows",
    "LEFT_OUT_CAUSES",
    "left_out_events",
    "to_customer_grain",
    "excluded_rows",
    "row_numbers",
    "label_value_map",
    "value_class",
    "Leak",
    "leak_evidence",
    "single_column_auc",
    "client_columns",
    "leak_report",
    "MAX_BYTES",
    "decode_text",
    "sniff_delimiter",
    "read_table",
    "read_excel",
    "coerce_column",
    "to_dates",
    "normalise_name",
    "parse_churn_label",
    "guess_customer_roles",
    "guess_event_roles",
    "event_kind",
    "guess_roles",
    "repeated_id_column",
    "Check",
    "leakage_reasons",
    "implausible_dates",
    "leakage_suspects",
    "history_months",
    "missing_by_column",
    "missing_share",
    "quality_checks",
    "verdict",
    "roles_summary",
    "profile",
    "customer_ids",
    "repeated_ids",
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
