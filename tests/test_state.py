"""Session state holds small things only, each key named once (pages/state.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

PAGES = [
    "pages/data.py",
    "pages/when.py",
    "pages/why.py",
    "pages/model.py",
    "pages/explain.py",
    "pages/roi.py",
    "pages/report.py",
]
#: A session's state must stay this small as JSON (the upload report is the largest entry).
MAX_STATE_BYTES = 50_000


def small(value) -> bool:
    """True for ids, settings and short notices: plain scalars, dates and containers of them.

    A month picked on a slider is a ``pd.Period``, a widget number may be a numpy scalar.
    """
    if value is None or isinstance(value, bool | int | float | str | dt.date | pd.Period | np.generic):
        return True
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and small(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(small(v) for v in value)
    return False


def test_small_accepts_settings_and_refuses_frames_and_models(tiny_model):
    assert small({"low": 0.3, "sections": ["data", "when"], "as_of": dt.date(2026, 1, 1)})
    assert not small(pd.DataFrame({"a": [1]}))
    assert not small({"model": tiny_model})


@pytest.mark.slow
def test_every_page_keeps_only_ids_and_settings_in_session_state(app_test, tiny_model):
    at = app_test(model=tiny_model)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        state = at.session_state.to_dict()
        big = {key: type(value).__name__ for key, value in state.items() if not small(value)}
        assert big == {}, page
        assert len(json.dumps(state, default=str)) < MAX_STATE_BYTES, page


def test_every_key_is_named_once():
    from pages import state

    keys = [value.name for value in vars(state).values() if isinstance(value, state.Key)]
    widgets = [str(member) for member in state.Widget]
    made = [
        state.role_widget("x", "v"),
        state.role_form("v"),
        state.event_map_widget("v"),
        state.dataset_name_widget("v"),
        state.sheet_widget("customers", "v"),
        state.label_values_widget("v", "Status"),
        state.grain_widget("v"),
        state.kept_suspects_widget("v"),
        state.what_if_features_widget("c"),
        state.what_if_widget("c", "f"),
        state.tier_widget("low").name,
        state.threshold_widget(1),
        state.roi_widget("customers").name,
    ]
    prefixes = [name.split("_")[0] + "_" + name.split("_")[1] for name in made]
    names = keys + widgets
    assert len(names) == len(set(names))
    assert not set(names) & set(made)
    assert len(prefixes) == len(set(prefixes)), prefixes


def test_a_model_of_another_dataset_is_never_shown(app_test, tiny_model, sample_dataset):
    """The model belongs to the dataset it was trained on: on another dataset there is none."""
    from churn.core.i18n import t
    from churn.workspace import store

    at = app_test(model=tiny_model)
    token = at.session_state["ws"]
    at.session_state["dataset_id"] = store.save_dataset(token, sample_dataset.evolve(name="other"))
    at.switch_page("pages/model.py").run()
    assert not at.exception
    assert not at.metric, "no model metrics for a dataset without a model"
    assert [i.value for i in at.info][-1] == t("model.no_model", "en")

    again = app_test(model=tiny_model)
    again.switch_page("pages/model.py").run()
    assert any("CatBoost" in s.value for s in [*again.success, *again.warning])
