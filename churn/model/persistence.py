"""Saving and loading a fitted :class:`churn.model.ChurnModel`: workspace records and model files.

A model is stored as CatBoost's own ``cbm`` bytes plus JSON (settings, metrics,
feature list, the rule baseline and the held-out test scores), never as a
pickle, so a file from a client can be read without running its code.

* :func:`model_record` / :func:`model_from_record`: the dict :mod:`churn.workspace.store`
  saves and returns (``store.save_model`` / ``store.latest_model``);
* :func:`save_bundle` / :func:`load_bundle`: one zip file (``model.cbm`` +
  ``record.json``) for ``python -m churn train --model`` and ``score``;
* :func:`train_and_save`: fit and store in one call, for a background job.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile

import pandas as pd
from catboost import CatBoostClassifier

from churn.core.dataset import Dataset
from churn.core.errors import ModelError
from churn.model import calibration, features
from churn.model.baselines import RuleBaseline
from churn.model.churn_model import ChurnModel, Progress

FORMAT_VERSION = 1


def model_record(model: ChurnModel) -> dict:
    """``model_bytes`` (CatBoost cbm), ``settings``, ``metrics`` and ``features`` of a fitted model.

    The keys match :func:`churn.workspace.store.save_model`'s arguments.
    """
    model.check_fitted()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.cbm")
        model.model_.save_model(path, format="cbm")
        with open(path, "rb") as handle:
            blob = handle.read()
    test = model.test_frame_.round(5)
    settings = {
        **model.get_params(),
        "format": FORMAT_VERSION,
        "mode": model.mode_,
        "cutoff": None if model.cutoff_ is None else model.cutoff_.isoformat(),
        "cat_features": list(model.cat_features_),
        "excluded": dict(model.excluded_),
        "validation": model.validation_,
        "recommendation": model.recommendation_,
        "calibration": list(model.calibration_),
        "quality": bool(model.quality_),
        "rule": model.rule_.to_dict(),
        "test_frame": {c: test[c].tolist() for c in test.columns},
    }
    metrics = {**model.metrics_, "baselines": model.baselines_}
    return {
        "model_bytes": blob,
        "settings": settings,
        "metrics": metrics,
        "features": list(model.features_),
    }


def model_from_record(record: dict) -> ChurnModel:
    """Rebuild a fitted model from :func:`churn.workspace.store.latest_model`'s dict (or a bundle's contents).

    Raises
    ------
    ModelError
        When the CatBoost bytes cannot be read.
    """
    settings = dict(record["settings"])
    params = {k: settings[k] for k in ChurnModel().get_params() if k in settings}
    params["windows"] = tuple(params.get("windows") or features.WINDOWS)
    model = ChurnModel(**params)
    booster = CatBoostClassifier()
    try:
        booster.load_model(blob=bytes(record.get("model") or record.get("model_bytes")))
    except Exception as error:
        raise ModelError("errors.saved_model_unreadable") from error
    model.model_ = booster
    model.record_id_ = record.get("id")
    model.mode_ = settings.get("mode", features.MODE_SNAPSHOT)
    model.cutoff_ = pd.Timestamp(settings["cutoff"]) if settings.get("cutoff") else None
    model.features_ = list(record["features"])
    model.cat_features_ = list(settings.get("cat_features", []))
    model.excluded_ = dict(settings.get("excluded", {}))
    model.validation_ = settings.get("validation")
    model.recommendation_ = settings.get("recommendation", {})
    model.calibration_ = tuple(float(v) for v in settings.get("calibration") or calibration.IDENTITY)
    model.quality_ = bool(settings.get("quality", False))
    model.rule_ = RuleBaseline.from_dict(settings.get("rule") or {})
    metrics = dict(record["metrics"])
    model.baselines_ = metrics.pop("baselines", {})
    model.metrics_ = metrics
    model.test_frame_ = pd.DataFrame(settings.get("test_frame") or {})
    return model


def save_bundle(model: ChurnModel, path: str | os.PathLike) -> None:
    """Write the model as one zip file: ``model.cbm`` plus ``record.json`` (no pickle)."""
    record = model_record(model)
    meta = {k: record[k] for k in ("settings", "metrics", "features")}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("model.cbm", record["model_bytes"])
        bundle.writestr("record.json", json.dumps(meta, default=str))


def load_bundle(path: str | os.PathLike) -> ChurnModel:
    """Read a file written by :func:`save_bundle`.

    Raises
    ------
    ModelError
        When the file is missing or not such a zip.
    """
    try:
        with zipfile.ZipFile(path) as bundle:
            blob = bundle.read("model.cbm")
            meta = json.loads(bundle.read("record.json").decode("utf-8"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as error:
        raise ModelError("errors.not_a_model_file", path=os.fspath(path)) from error
    return model_from_record({"model": blob, **meta})


def train_and_save(
    dataset: Dataset, token: str, dataset_id: int, settings: dict, progress: Progress | None = None
) -> tuple[ChurnModel, int]:
    """Fit a model (for a background job) and store it in the workspace; returns (model, model_id)."""
    from churn.workspace import store

    model = ChurnModel(**settings).fit(dataset, progress=progress)
    record = model_record(model)
    model_id = store.save_model(
        token, dataset_id, record["model_bytes"], record["settings"], record["metrics"], record["features"]
    )
    model.record_id_ = model_id
    return model, model_id
