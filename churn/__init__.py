"""Churn workshop: from a customer table and event log to decisions.

The domain layer; it never imports streamlit (the pages in ``pages/`` call it).
Its rooms follow the pipeline, lowest first. A module imports from its own room
and from rooms before it in :data:`LAYERS`, never from a later one
(``tests/test_layering.py`` checks this, and that there are no import cycles).
"""

__version__ = "0.1.0"

#: The subpackages of ``churn``, lowest first: each may import only from itself and earlier ones.
LAYERS = (
    "core",  # dataset contract, errors, formats, words, safe export: imports nothing else of churn
    "workspace",  # the SQLite store and background jobs, underneath every step
    "engine",  # the embedded columnar engine (DuckDB): SQL over every event, in memory or on disk
    "ingest",  # read a file and understand it: parsing, roles, quality, intake, sample data
    "analysis",  # when and why: monthly churn, survival, peaks, drivers, warning signals
    "model",  # features without leakage, baselines, evaluation, the churn model and its files
    "act",  # scoring, SHAP reasons in words, risk tiers and actions
    "value",  # ROI and scenarios
    "report",  # the workshop report
    "commands",  # the command line
)
