"""Implausible dates (churn.ingest.plausible_dates): far outside the quartiles, or long after the export."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.core.dataset import END_DATE, START_DATE
from churn.ingest.plausible_dates import far_bounds, implausible_dates
from tests.test_quality import _stray_dates_table


@pytest.mark.parametrize(
    "count,q25,q75,expected",
    [
        # IQR 100 days: 3 x 100 = 300 days < 30 years (10957.5 days), so 30 years either side
        (10, 1000.0, 1100.0, (1000.0 - 10957.5, 1100.0 + 10957.5)),
        # IQR 5000 days: 3 x 5000 = 15000 days > 30 years
        (10, 0.0, 5000.0, (-15000.0, 20000.0)),
        # fewer than 5 dates: no bounds
        (4, 1000.0, 1100.0, (float("-inf"), float("inf"))),
    ],
)
def test_far_bounds_golden(count, q25, q75, expected):
    assert far_bounds(count, q25, q75) == pytest.approx(expected)


def test_implausible_dates_golden():
    """Start quartiles 2023-02-08 and 2023-12-09 (IQR 304 days): margin max(3 x 304 days, 30 years) = 30 years.

    1900-01-01 is 123 years before the lower quartile -> far outside. The export date is the
    latest start, 2024-06-30; 2100-12-31 is more than 2 years after it (and 76 years past the
    end dates' upper quartile 2024-07-09). Nothing else is flagged.
    """
    raw = _stray_dates_table()
    flags = implausible_dates({START_DATE: raw["Startdato"], END_DATE: raw["Sluttdato"]})
    assert flags[START_DATE].tolist() == [i == 5 for i in range(10)]
    assert flags[END_DATE].tolist() == [i == 6 for i in range(10)]


@pytest.mark.parametrize(
    "end,implausible",
    [("2024-05-01", False), ("2026-12-01", False), ("2027-01-02", True), ("2100-12-31", True)],
)
def test_without_start_or_event_dates_today_is_the_export(end, implausible):
    """Only two end dates (too few for quartiles): implausible when more than 2 years after today.

    today 2024-12-31 + 2 x 365.25 days = 2027-01-01 (noon).
    """
    ends = pd.Series(pd.to_datetime(["2024-02-01", end]))
    flags = implausible_dates({END_DATE: ends}, today=pd.Timestamp("2024-12-31"))
    assert flags[END_DATE].tolist() == [False, implausible]
