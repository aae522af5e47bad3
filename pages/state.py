"""Every ``st.session_state`` key of the app, named once, each with a typed accessor.

Session state holds small things only: the workspace token, the language, ids,
settings and short notices. Datasets and trained models live in ``st.cache_resource``
(``pages/common.py``), keyed by these ids, so a page never keeps a frame or a model of
its own. No other module touches ``st.session_state`` (a test reads the code to check).

Widgets are keyed here too (:class:`Widget` and the ``*_widget`` functions), so two
pages can never share a key by accident and tests find widgets by the same names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

import streamlit as st

T = TypeVar("T")


@dataclass(frozen=True)
class Key(Generic[T]):
    """One session-state entry: ``KEY.get()``, ``KEY.set(value)``, ``KEY.pop()``, ``KEY.is_set()``."""

    name: str

    def get(self, default: T | None = None) -> T | None:
        """The value, or ``default`` when it was never set."""
        return st.session_state.get(self.name, default)

    def set(self, value: T) -> None:
        """Store ``value`` for the rest of the session."""
        st.session_state[self.name] = value

    def pop(self, default: T | None = None) -> T | None:
        """The value, removed (for one-off notices), or ``default``."""
        return st.session_state.pop(self.name, default)

    def is_set(self) -> bool:
        """True once a value was stored (even a falsy one)."""
        return self.name in st.session_state

    def set_default(self, value: T) -> T:
        """Store ``value`` unless there is one already; return the value in force."""
        if self.name not in st.session_state:
            st.session_state[self.name] = value
        return st.session_state[self.name]


# ---------------------------------------------------------------- the session (app.py, pages/common.py)

#: The workspace token (from ``?ws=``, or a new workspace).
WORKSPACE: Key[str] = Key("ws")
#: The UI language code, ``"en"`` or ``"nb"``.
LANGUAGE: Key[str] = Key("lang")
#: Id of the current dataset in the workspace, or None.
DATASET_ID: Key[int] = Key("dataset_id")
#: True once the shared workshop password was given in this session.
ACCESS_GRANTED: Key[bool] = Key("access_granted")
#: A random name for this session in the password throttle (never the token, never logged whole).
PASSWORD_SESSION: Key[str] = Key("password_session")
#: Set when a link's workspace token did not exist, so the sidebar says a new one was opened.
WORKSPACE_NOTICE: Key[bool] = Key("ws_notice")
#: True once ``app.py`` ran in this session (deep links go through it first).
ROUTED: Key[bool] = Key("_routed")
#: ``{"page": "pages/x.py", "query": {...}}`` of a deep link waiting for the router.
DEEP_LINK: Key[dict] = Key("_deep_link")

# ---------------------------------------------------------------- Data page

#: ``{"id", "lang", "report"}``: the quality report made at upload (it saw the raw file).
UPLOAD_REPORT: Key[dict] = Key("data_report")
#: ``{"job": id}``: a big upload being checked and saved in the background.
INTAKE_JOB: Key[dict] = Key("data_intake_job")

# ---------------------------------------------------------------- Model page

#: The training running for this session: ``{"job": id, "dataset_id": ..., "name": ...}``;
#: it carries the dataset it trains on, so switching datasets never mixes them up.
TRAINING_JOB: Key[dict] = Key("model_job")
#: The one-sentence reason a training failed, shown once.
TRAINING_ERROR: Key[str] = Key("model_error")
#: The finished training, shown once as a toast: ``{"seconds": ..., "name": ..., "here": bool}``.
TRAINED: Key[dict] = Key("model_trained")
#: Lower probability bounds of the risk tiers in force, ``{"low", "medium", "high"}`` (shared with Explain).
TIERS: Key[dict] = Key("tiers")
#: The sentence explaining why the typed tier bounds were refused, shown once.
TIERS_ERROR: Key[str] = Key("tiers_error")

# ---------------------------------------------------------------- Report page

#: The options of the last "make the report" click: language, sections, pseudonymise.
REPORT_OPTIONS: Key[dict] = Key("report_options")

# ---------------------------------------------------------------- ROI page

#: The query parameters last written to the URL (a link that differs is a new link to load).
ROI_WRITTEN: Key[dict] = Key("roi_written")
#: The inputs as query parameters, kept when the user visits other pages.
ROI_PARAMS: Key[dict] = Key("roi_params")
#: Names of link parameters that were out of range and fell back, shown once.
ROI_REJECTED: Key[tuple] = Key("roi_rejected")
#: Set when a euro cost preset was loaded while another currency is chosen, shown once.
ROI_PRESET_NOTICE: Key[bool] = Key("roi_preset_notice")


# ---------------------------------------------------------------- widget keys


class Widget(StrEnum):
    """Keys of the app's widgets with a fixed key, one name each."""

    LANGUAGE_CHOICE = "language_choice"
    UPLOAD_CUSTOMERS = "upload_customers"
    UPLOAD_EVENTS = "upload_events"
    WHEN_SEGMENT = "when_segment"
    WHEN_VALUES = "when_values"
    WHEN_PERIOD = "when_period"
    WHEN_COHORT_MEASURE = "when_cohort_measure"
    WHEN_INACTIVITY_DAYS = "when_inactivity_days"
    WHY_ATTRIBUTE = "why_attribute"
    WHY_CHANNEL = "why_channel"
    WHY_AS_OF = "why_as_of"
    WHY_HORIZON = "why_horizon"
    WHY_WINDOW = "why_window"
    WHY_REASON_SEGMENT = "why_reason_segment"
    WHY_THRESHOLD = "why_threshold"
    EXPLAIN_DEPENDENCE_FEATURE = "explain_dependence_feature"
    EXPLAIN_CUSTOMER = "explain_customer"
    ACTIONS_TIERS = "actions_tiers"
    ACTIONS_SEGMENT = "actions_segment"
    ACTIONS_LEVELS = "actions_levels"
    ACTIONS_MIN_VALUE = "actions_min_value"
    ACTIONS_TABLE = "actions_table"
    ACTIONS_PSEUDO = "actions_pseudo"
    ROI_SOURCE = "roi_source"
    ROI_SCENARIO_NAME = "roi_scenario_name"
    ROI_PICKED = "roi_picked"
    REPORT_LANG = "report_lang"
    REPORT_PSEUDO = "report_pseudo"
    REPORT_SECTIONS = "report_sections"
    REPORT_GENERATE = "report_generate"
    REPORT_DOWNLOAD_HTML = "report_download_html"
    REPORT_DOWNLOAD_PDF = "report_download_pdf"


def role_widget(role: str, version: str) -> str:
    """The role picker for ``role`` on the Data page, per upload (``version`` = the files' hash)."""
    return f"role_{role}_{version}"


def role_form(version: str) -> str:
    """The Data page's container of role choices for one upload."""
    return f"roles_{version}"


def event_map_widget(version: str) -> str:
    """The event-type mapping editor for one upload."""
    return f"event_map_{version}"


def dataset_name_widget(version: str) -> str:
    """The dataset-name input for one upload."""
    return f"name_{version}"


def sheet_widget(table: str, version: str) -> str:
    """The sheet picker of a workbook upload (``table``: "customers" or "events"; ``version``: the file's hash)."""
    return f"sheet_{table}_{version}"


def label_values_widget(version: str, column: str) -> str:
    """The label-value editor for one upload and one label column (another column starts afresh)."""
    return f"label_values_{version}_{hashlib.sha1(str(column).encode()).hexdigest()[:10]}"


def grain_widget(version: str) -> str:
    """The "one row per customer" checkbox for one upload."""
    return f"customer_grain_{version}"


def kept_suspects_widget(version: str) -> str:
    """The picker of leakage suspects to bring back as features, for one upload."""
    return f"kept_suspects_{version}"


def what_if_features_widget(customer: str) -> str:
    """The Explain page's choice of features to change, per customer."""
    return f"whatif_features_{customer}"


def what_if_widget(customer: str, feature: str) -> str:
    """The Explain page's input for one feature of one customer."""
    return f"whatif_{customer}_{feature}"


def tier_widget(code: str) -> Key[int]:
    """The Model page's input of the lower bound (in %) of tier ``code``; its value is read on change."""
    return Key(f"tier_{code}_from")


def threshold_widget(*identity) -> str:
    """The Model page's threshold slider; a new model or money setting gives a new one (new default)."""
    return "threshold_" + "_".join(str(part) for part in identity)


def roi_widget(name: str) -> Key:
    """The ROI page's input for :class:`churn.value.roi.RoiInputs` field ``name``; read and seeded here."""
    return Key(f"roi_{name}")


def widget_value(key: str, default=None):
    """The current value of the widget keyed ``key`` (``default`` before it was first drawn)."""
    return Key(str(key)).get(default)
