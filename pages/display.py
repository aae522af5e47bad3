"""Numbers on the page in the session's language: the workspace currency, tables, sliders.

Every figure a page shows goes through ``churn.core.formatting`` (``fmt_value`` and the
``fmt_*`` functions) with the session's language; this module adds what needs Streamlit:
the one currency of the workspace, tables whose cells are written that way, and
percentage sliders with a decimal comma in Norwegian.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from churn.core.formatting import CURRENCIES, dataset_currency, fmt_pct, fmt_value, sortable_texts
from churn.workspace import store
from pages import common, state

#: Tables with more rows than this are shown as pre-written texts (a styled table costs ~1 s).
STYLED_ROWS = 500


def currency() -> str:
    """The workspace's currency: the one chosen in the sidebar, else guessed from the data or language."""
    chosen = store.get_settings(common.workspace()).get("currency")
    if chosen in CURRENCIES:
        return chosen
    return dataset_currency(common.current_dataset(), common.lang())


def set_currency(code: str) -> None:
    """Keep ``code`` as the workspace's currency for every page, export and the report."""
    if code in CURRENCIES:
        store.update_settings(common.workspace(), currency=code)


def cell_formats(frame: pd.DataFrame, kinds: Mapping[str, str]) -> dict:
    """``{column: formatter}`` for ``Styler.format``: each kind written in the session's language."""
    lang, money = common.lang(), currency()
    return {
        column: (lambda value, kind=kind: fmt_value(None if pd.isna(value) else value, kind, lang, money))
        for column, kind in kinds.items()
        if column in frame.columns
    }


def written(frame: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` whose ``kinds`` columns are texts in the session's language that sort by size."""
    lang, money = common.lang(), currency()
    changes = {
        column: sortable_texts(frame[column].tolist(), kind, lang, money)
        for column, kind in kinds.items()
        if column in frame.columns
    }
    return frame.assign(**changes)


def number_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """Kinds for every number column of ``frame``: whole numbers as such, others with one decimal."""
    kinds = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            whole = values.dropna().eq(values.dropna().round()).all()
            kinds[column] = "number" if whole else "number:1"
    return kinds


def show_table(frame: pd.DataFrame, kinds: Mapping[str, str], **kwargs) -> None:
    """``st.dataframe`` with the ``kinds`` columns (see ``fmt_value``) written in the session's language.

    Small tables keep their numbers (a pandas Styler supplies the display text, so a click
    on a header still sorts by value); big ones get texts padded to sort the same way.
    Column configs given here must not set a number ``format`` for these columns: Streamlit
    lets that win over the display text.
    """
    if len(frame) <= STYLED_ROWS:
        shown = frame.style.format(cell_formats(frame, kinds), na_rep="–")
    else:
        shown = written(frame, kinds)
    st.dataframe(shown, **kwargs)


def pct_slider(label: str, key: str, step: float = 1.0, low: float = 0.0, high: float = 100.0, **kwargs):
    """A slider over percentages (the value is in percent, e.g. ``8.5``) written by the session's language.

    ``st.slider`` formats with printf, which has no decimal comma; a select slider over the
    steps writes each with ``fmt_pct``. The session-state value at ``key`` is snapped to a step.
    """
    decimals = 0 if step >= 1 else 1
    count = int(round((high - low) / step))
    options = [round(low + i * step, decimals) for i in range(count + 1)]
    widget = state.Key(key)
    current = widget.get()
    if current is not None and current not in options:
        widget.set(min(options, key=lambda option: abs(option - float(current))))
    lang = common.lang()
    return st.select_slider(
        label, options=options, key=key, format_func=lambda v: fmt_pct(v / 100, lang, decimals), **kwargs
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_buttons(file_name: str, excel, csv, where=None) -> None:
    """An Excel download (the default: it reads the same in every locale) and a CSV one beside it.

    ``excel`` and ``csv`` are callables that make the bytes, so nothing is written until a
    click; the CSV is in the reader's spreadsheet style (``to_csv_bytes(frame, lang)``).
    """
    left, right = (where or st).columns(2)
    left.download_button(
        common.tr("common.download_excel"), excel, file_name=f"{file_name}.xlsx", mime=XLSX,
        icon=":material/download:", type="primary", on_click="ignore", width="stretch",
    )  # fmt: skip
    right.download_button(
        common.tr("common.download_csv"), csv, file_name=f"{file_name}.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", width="stretch",
    )  # fmt: skip
