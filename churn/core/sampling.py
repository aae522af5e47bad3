"""Seeded sampling: the one way the app draws a fixed subset of rows.

Training caps, the logistic baseline, the customer sample of very large tables and the
SHAP strip chart all draw through :func:`capped_rows`, so the same data and seed always
give the same subset, in the rows' original order.
"""

from __future__ import annotations

import numpy as np


def capped_rows(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """All positions ``0..n-1``, or a seeded sorted sample of ``limit`` of them when ``n`` is larger.

    Example
    -------
    >>> capped_rows(3, 10).tolist()
    [0, 1, 2]
    >>> len(capped_rows(100, 10, seed=1))
    10
    """
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))
