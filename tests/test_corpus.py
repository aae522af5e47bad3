"""The profile of every real export in ``../shared/corpus`` against what a careful analyst decided.

``../shared/corpus/EXPECTED.json`` (next to the repository, read only, never copied
in) says for each file its shape (a customer table or an event log), the column
of each role (null: the file has none and none may be invented; a list: any one
is right), the customer and churn counts, the label values meaning *left* and
*still a customer*, and the columns that leak the outcome. Each file is its own
test; all of them skip when the folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from churn.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
EXPECTED_FILE = CORPUS / "EXPECTED.json"


def _cases() -> list:
    if not EXPECTED_FILE.is_file():
        return [
            pytest.param(None, None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"), id="no-corpus")
        ]
    expected = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
    return [pytest.param(name, spec, id=name) for name, spec in expected.items() if not name.startswith("_")]


def _profile(capsys, name: str, shape: str) -> dict:
    path = str(CORPUS / name)
    argv = ["profile", path, "--json"] if shape == "customers" else ["profile", "--events", path, "--json"]
    code = main(argv)
    captured = capsys.readouterr()
    if code != 0:
        pytest.fail(f"{name}: profile exited {code}: {captured.err.strip()}", pytrace=False)
    return json.loads(captured.out)


def _matches(got, want) -> bool:
    if want is None:
        return got is None
    if isinstance(want, list):
        return got in want
    return got == want


def mismatches(spec: dict, result: dict) -> list[str]:
    """One line per check that fails: what was checked, what was expected and what came out."""
    wrong = []
    roles = result.get("roles", {})
    for role, want in spec["roles"].items():
        got = roles.get(role)
        if not _matches(got, want):
            wrong.append(f"role {role}: expected {want!r}, got {got!r}")
    for key in ("customers", "churned"):
        if key in spec and result.get(key) != spec[key]:
            wrong.append(f"{key}: expected {spec[key]:,}, got {result.get(key)!r}")
    labels = result.get("label_values") or {}
    for key, got_key in (("churned_values", "churned"), ("active_values", "active")):
        if key in spec and set(labels.get(got_key) or ()) != set(spec[key]):
            wrong.append(f"{key}: expected {sorted(spec[key])}, got {sorted(labels.get(got_key) or ())}")
    if "leaks" in spec:
        got = set(result.get("leakage", ()))
        if got != set(spec["leaks"]):
            wrong.append(
                f"leaks: expected {sorted(spec['leaks'])}, got {sorted(got)} "
                f"(missed {sorted(set(spec['leaks']) - got)}, extra {sorted(got - set(spec['leaks']))})"
            )
    return wrong


@pytest.mark.parametrize("name,spec", _cases())
def test_profile_matches_what_an_analyst_decided(capsys, name, spec):
    result = _profile(capsys, name, spec["shape"])
    wrong = mismatches(spec, result)
    if wrong:
        pytest.fail(f"{name}:\n  " + "\n  ".join(wrong), pytrace=False)
