"""ROI scenarios as short query strings, plus the presets from seed 004.

A scenario travels in the app's URL (``?n=380&v=85000&cr=0.08...``) and is
stored in the workspace in the same form, so there is one format to check.
:func:`decode_query` never raises: whatever a URL holds (text in numbers,
NaN, infinity, negative or huge values, script tags, repeated keys), each bad
value falls back to its default and is reported, never an error page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

from churn.core.formatting import CURRENCIES
from churn.value.roi import INTEGER_FIELDS, RANGES, ROUNDING, RoiInputs

#: RoiInputs field → short query-string key.
QUERY_KEYS: dict[str, str] = {
    "customers": "n",
    "annual_value": "v",
    "gross_margin": "gm",
    "churn_rate": "cr",
    "new_churn_rate": "nr",
    "setup_cost": "sc",
    "monthly_cost": "mc",
    "cost_per_contact": "cc",
    "contacts_per_year": "nc",
    "horizon_years": "y",
    "acquisition_cost": "cac",
    "currency": "cur",
    "rounding": "rd",
}
_ROUNDING_CODES = {"whole": "w", "fractional": "f"}
_MAX_LENGTH = 40
# Plain decimal notation only: no hex, no underscores, no 'nan'/'inf', no spaces.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")

DEFAULT = RoiInputs()
_BAD = object()  # marks a value that fell back to its default


@dataclass(frozen=True)
class DecodedScenario:
    """The inputs read from a query string and the fields that fell back to defaults."""

    inputs: RoiInputs
    rejected: tuple[str, ...] = ()


def _format_number(value: float) -> str:
    # repr() is the shortest text that reads back to the same float.
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def encode_query(inputs: RoiInputs) -> dict[str, str]:
    """The scenario as ``{short key: text}`` for ``st.query_params`` or the workspace.

    Example
    -------
    >>> encode_query(RoiInputs())["cr"], encode_query(RoiInputs())["rd"]
    ('0.08', 'w')
    """
    out: dict[str, str] = {}
    for field in fields(RoiInputs):
        key, value = QUERY_KEYS[field.name], getattr(inputs, field.name)
        if field.name == "currency":
            out[key] = value
        elif field.name == "rounding":
            out[key] = _ROUNDING_CODES[value]
        elif value is not None:
            out[key] = _format_number(value)
    return out


def _parse_number(name: str, text: str) -> float | int | None:
    """The number in ``text`` if it is a plain, finite number inside the field's range."""
    text = text.strip()
    if len(text) > _MAX_LENGTH or not _NUMBER.match(text):
        return None
    value = float(text)
    low, high = RANGES[name]
    if not math.isfinite(value) or not low <= value <= high:
        return None
    if name in INTEGER_FIELDS:
        return int(value) if value.is_integer() else None
    return value


def _parse(name: str, text: str):
    """Parsed value of one field, or ``_BAD`` when the text is not acceptable."""
    if name == "currency":
        code = text.strip().upper()
        return code if code in CURRENCIES else _BAD
    if name == "rounding":
        code = text.strip().lower()
        by_code = {c: mode for mode, c in _ROUNDING_CODES.items()} | {mode: mode for mode in ROUNDING}
        return by_code.get(code, _BAD)
    if name == "acquisition_cost" and not text.strip():
        return None
    value = _parse_number(name, text)
    return _BAD if value is None else value


def decode_query(params: Mapping[str, str | Sequence[str]]) -> DecodedScenario:
    """Read a scenario from query parameters; never raises.

    Parameters
    ----------
    params
        ``{key: value}`` or ``{key: [values]}`` (as ``st.query_params.get_all``
        gives). Unknown keys are ignored; missing keys take the default.

    Returns
    -------
    DecodedScenario
        ``rejected`` names (in field order) every field whose value was
        malformed, out of range or repeated, and which fell back to its default.

    Example
    -------
    >>> decoded = decode_query({"n": "500", "cr": "nan", "cur": "<script>"})
    >>> decoded.inputs.customers, decoded.inputs.churn_rate, decoded.rejected
    (500, 0.08, ('churn_rate', 'currency'))
    """
    values, rejected = {}, []
    for name, key in QUERY_KEYS.items():
        if key not in params:
            continue
        raw = params[key]
        if isinstance(raw, str):
            raw = [raw]
        try:
            items = [str(item) for item in raw]
        except TypeError:
            items = []
        if not items:
            continue
        parsed = _parse(name, items[0]) if len(items) == 1 else _BAD
        if parsed is _BAD:
            rejected.append(name)
        else:
            values[name] = parsed
    return DecodedScenario(RoiInputs(**values), tuple(rejected))


# ---------------------------------------------------------------- presets


@dataclass(frozen=True)
class CostPreset:
    """One row of seed 004's cost table (euros): ranges and the midpoints used."""

    employees: str
    setup_range: tuple[float, float]
    monthly_range: tuple[float, float]
    expected_roi: tuple[int, int]

    @property
    def setup_cost(self) -> float:
        return sum(self.setup_range) / 2

    @property
    def monthly_cost(self) -> float:
        return sum(self.monthly_range) / 2


#: Seed 004: "Bedriftsstørrelse | Oppstartskostnader | Månedlige kostnader | Forventet ROI".
COST_PRESETS: dict[str, CostPreset] = {
    "small": CostPreset("50–100", (15_000, 25_000), (2_000, 4_000), (3, 5)),
    "medium": CostPreset("100–250", (25_000, 45_000), (4_000, 8_000), (4, 7)),
    "large": CostPreset("250+", (45_000, 85_000), (8_000, 15_000), (5, 10)),
}


def seed004_example(currency: str = "EUR") -> RoiInputs:
    """Seed 004's worked example: 380 customers, 85,000 € a year, 8 % → 4.8 %, 65,000 €."""
    return replace(DEFAULT, currency=currency) if currency != DEFAULT.currency else DEFAULT


def apply_cost_preset(inputs: RoiInputs, size: str) -> RoiInputs:
    """``inputs`` with set-up and monthly cost at the midpoints of a cost-table row.

    Example
    -------
    >>> apply_cost_preset(RoiInputs(), "medium").setup_cost
    35000.0
    """
    preset = COST_PRESETS[size]
    return replace(inputs, setup_cost=preset.setup_cost, monthly_cost=preset.monthly_cost)


VARIANTS = ("conservative", "base", "optimistic")


def scenario_variants(inputs: RoiInputs) -> dict[str, RoiInputs]:
    """Conservative, base and optimistic versions of ``inputs``.

    Conservative: half the churn reduction, all costs 20 % higher.
    Optimistic: one and a half times the churn reduction (churn never below 0),
    costs unchanged. Base: ``inputs`` as they are.
    """
    reduction = inputs.churn_rate - inputs.new_churn_rate

    def cost(value: float, name: str) -> float:
        return min(value * 1.2, RANGES[name][1])

    conservative = replace(
        inputs,
        new_churn_rate=min(max(inputs.churn_rate - reduction * 0.5, 0.0), 1.0),
        setup_cost=cost(inputs.setup_cost, "setup_cost"),
        monthly_cost=cost(inputs.monthly_cost, "monthly_cost"),
        cost_per_contact=cost(inputs.cost_per_contact, "cost_per_contact"),
    )
    optimistic = replace(inputs, new_churn_rate=min(max(inputs.churn_rate - reduction * 1.5, 0.0), 1.0))
    return {"conservative": conservative, "base": inputs, "optimistic": optimistic}
