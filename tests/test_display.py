"""Column names as the reader knows them (churn/core/display.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.dataset import (
    CANONICAL_CUSTOMER_COLUMNS,
    CHURN_FROM_LABEL,
    TENURE,
    VALUE,
    Dataset,
    RoleMapping,
)
from churn.core.display import ROLE_OF_COLUMN, column_label, column_labels
from churn.core.i18n import LANGUAGES, catalogue


@pytest.mark.parametrize(
    "mapping,name,lang,expected",
    [
        # the client's header, as written (spaces and case kept), in either language
        (RoleMapping(tenure="tenure"), TENURE, "en", "tenure"),
        (RoleMapping(tenure="Lifetime"), TENURE, "nb", "Lifetime"),
        (RoleMapping(tenure="Subscription  Length"), TENURE, "en", "Subscription  Length"),
        (RoleMapping(value="MonthlyCharges"), VALUE, "nb", "MonthlyCharges"),
        (RoleMapping(value="Customer Value"), VALUE, "en", "Customer Value"),
        (RoleMapping(customer_id="customerID"), "customer_id", "en", "customerID"),
        (RoleMapping(churn_label="Customer Status"), "churned", "nb", "Customer Status"),
        (RoleMapping(start_date="Registreringsdato"), "start_date", "en", "Registreringsdato"),
        # derived (tenure from dates, value from events, churn from an end date): glossary words
        (RoleMapping(start_date="signup"), TENURE, "en", "Months as a customer"),
        (RoleMapping(start_date="signup"), TENURE, "nb", "Måneder som kunde"),
        (RoleMapping(event_amount="amount"), VALUE, "en", "Monthly value"),
        (RoleMapping(event_amount="amount"), VALUE, "nb", "Månedsverdi"),
        (RoleMapping(end_date="cancelled"), "churned", "nb", "Sluttet"),
        (RoleMapping(tenure="  "), TENURE, "en", "Months as a customer"),  # a blank header is no header
        # no id column: rows were numbered, so there is no header to show
        (RoleMapping(), "customer_id", "nb", "Kunde-ID"),
        # rows were subscriptions: the customers are the grain key's values
        (RoleMapping(customer_id="SubscriptionID", grain_key="AccountID"), "customer_id", "en", "AccountID"),
        # attribute columns already carry the client's names
        (RoleMapping(tenure="Lifetime"), "Bransje", "nb", "Bransje"),
        (None, "Contract", "en", "Contract"),
        (None, TENURE, "en", "Months as a customer"),
    ],
)
def test_column_label(mapping, name, lang, expected):
    assert column_label(mapping, name, lang) == expected


def _dataset(mapping: RoleMapping) -> Dataset:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "churned": [1, 0], TENURE: [3.0, 7.0]})
    return Dataset(frame, None, mapping, [], [], [], None, CHURN_FROM_LABEL, "gym.csv")


def test_a_dataset_is_read_through_its_mapping():
    assert column_label(_dataset(RoleMapping(tenure="Lifetime")), TENURE, "en") == "Lifetime"
    assert column_label(_dataset(RoleMapping()), TENURE, "nb") == "Måneder som kunde"


def test_a_bare_frame_gives_glossary_words_never_its_own_columns():
    """A frame is no mapping: its columns (even one called 'tenure') must not be read as headers."""
    frame = pd.DataFrame({"tenure": [1, 2], TENURE: [1.0, 2.0]})
    assert column_label(frame, TENURE, "en") == "Months as a customer"


def test_column_labels_renames_several_columns():
    mapping = RoleMapping(tenure="Lifetime")
    assert column_labels(mapping, [TENURE, VALUE, "plan"], "nb") == {
        TENURE: "Lifetime",
        VALUE: "Månedsverdi",
        "plan": "plan",
    }


def test_every_canonical_customer_column_has_a_role_and_a_glossary_word_in_every_language():
    assert set(ROLE_OF_COLUMN) == set(CANONICAL_CUSTOMER_COLUMNS)
    assert set(ROLE_OF_COLUMN.values()) <= set(RoleMapping.__dataclass_fields__)
    for lang in LANGUAGES:
        words = [catalogue(lang)[f"columns.{name}"] for name in CANONICAL_CUSTOMER_COLUMNS]
        assert len(set(words)) == len(words), lang  # one word per concept, none shared
        assert not set(words) & set(CANONICAL_CUSTOMER_COLUMNS), lang  # words, not internal names
