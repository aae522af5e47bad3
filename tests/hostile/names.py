"""Names that must reach the page as written: never an image, a link, HTML, code or maths.

``hostile_dataset()`` is the committed sample with every user-controlled string made
hostile: the dataset name, column headers, segment values, churn reasons and event
types. Pages must show them only through the escaping helper or as plain text.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

#: The host a rendered image or link would call; nothing listens there.
HOST = "127.0.0.1:9"
IMAGE = f"![x](http://{HOST}/name.png)"
LINK = f"[click me](http://{HOST}/link)"
HTML = "<img src=x onerror=alert(1)>"
CODE = "`rm -rf`"
MATHS = "$x^2$"
COLOUR = ":red[alarm]"

#: Substrings that appear only when one of the names above is shown unescaped.
MARKERS = ("![x]", f"](http://{HOST}", "<img", "`rm", "$x^2", ":red[")

DATASET_NAME = f"{IMAGE} {LINK}"
COLUMNS = {
    "industry": f"Bransje {IMAGE}",
    "region": f"Region {LINK}",
    "plan": f"Plan {HTML}",
    "contract_type": f"Avtale {CODE}",
    "acquisition_channel": f"Kanal {MATHS}",
    "monthly_value": f"Verdi {COLOUR}",
    "churn_reason": f"Årsak {IMAGE}",
}
#: Every value of these (renamed) columns gets a hostile suffix.
VALUE_SUFFIX = {"industry": IMAGE, "region": LINK, "churn_reason": HTML}
EVENT_SUFFIX = f" {LINK}"


def hostile_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample's customer table and event log with hostile headers and values."""
    customers = pd.read_csv(SAMPLE / "customers.csv", dtype=str)
    events = pd.read_csv(SAMPLE / "events.csv", dtype=str)
    for column, suffix in VALUE_SUFFIX.items():
        customers[column] = customers[column].where(
            customers[column].isna(), customers[column] + " " + suffix
        )
    events["event_type"] = events["event_type"] + EVENT_SUFFIX
    return customers.rename(columns=COLUMNS), events


def hostile_dataset():
    """The sample built through intake with hostile names everywhere a user controls one."""
    from churn.ingest.intake import build_dataset, guess_roles
    from churn.ingest.parsing import coerce_column

    customers, events = hostile_tables()
    customers = customers.apply(coerce_column)
    events = events.apply(coerce_column)
    mapping = replace(guess_roles(customers, events), value=COLUMNS["monthly_value"])
    return build_dataset(customers, events, mapping, name=DATASET_NAME)
