"""Confirming an upload in one step: build the dataset, profile it, save it in the workspace.

The Data page runs this in the background for big uploads (see
:func:`churn.workspace.jobs.submit_intake`), so the page shows progress and a
second person's clicks are not kept waiting behind a 5 M-event file.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from churn.core.dataset import RoleMapping
from churn.ingest.intake import build_dataset
from churn.ingest.quality import profile
from churn.workspace import store


def confirm_upload(
    token: str,
    customers: pd.DataFrame | None,
    events: pd.DataFrame | None,
    mapping: RoleMapping,
    name: str,
    lang: str = "en",
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """Build, profile and store an upload with the confirmed mapping.

    Parameters
    ----------
    token : str
        The workspace the dataset is saved in (created by this save if it is new).
    customers, events : pd.DataFrame or None
        The tables as read from the files (never changed).
    progress : callable, optional
        ``progress(fraction, step)`` with step one of ``build``, ``profile``, ``save``.

    Returns
    -------
    dict
        ``id`` of the saved dataset, its ``name``, ``customers`` (rows) and the
        quality ``report`` (:func:`churn.ingest.quality.profile`, which saw the raw files).

    Raises
    ------
    ChurnError
        When the mapping does not build a dataset; nothing is saved then.
    """
    report_progress = progress or (lambda fraction, step: None)
    report_progress(0.05, "build")
    dataset = build_dataset(customers, events, mapping, name=name)
    report_progress(0.4, "profile")
    report = profile(dataset, lang, raw_customers=customers, raw_events=events)
    report_progress(0.8, "save")
    dataset_id = store.save_dataset(token, dataset)
    return {"id": dataset_id, "name": dataset.name, "customers": len(dataset.customers), "report": report}
