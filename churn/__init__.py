"""Churn workshop: from a customer table and event log to decisions.

The domain layer. Never imports streamlit; the pages in ``pages/`` call it.
"""

__version__ = "0.1.0"
