"""capped_rows: the one seeded way to draw a fixed subset of rows."""

from __future__ import annotations

import numpy as np
import pytest

from churn.core.sampling import capped_rows


def test_capped_rows_are_seeded_and_sorted():
    rows = capped_rows(100, 10, seed=1)
    assert len(rows) == 10 and np.all(np.diff(rows) > 0)
    assert np.array_equal(rows, capped_rows(100, 10, seed=1))
    assert np.array_equal(capped_rows(5, 10, seed=1), np.arange(5))


@pytest.mark.parametrize("n,limit", [(0, 10), (1, 1), (5, 10), (10, 10)])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_at_or_below_the_limit_every_row_comes_back_in_order(n, limit, seed):
    """n ≤ limit: positions 0..n-1, whatever the seed."""
    assert capped_rows(n, limit, seed).tolist() == list(range(n))


@pytest.mark.parametrize("n,limit", [(11, 10), (100, 10), (1000, 1), (30_001, 30_000)])
@pytest.mark.parametrize("seed", [0, 7])
def test_above_the_limit_exactly_limit_sorted_unique_positions(n, limit, seed):
    rows = capped_rows(n, limit, seed)
    assert len(rows) == limit
    assert np.all(np.diff(rows) > 0)  # strictly increasing: sorted and unique
    assert rows.min() >= 0 and rows.max() < n


@pytest.mark.parametrize("n,limit,seed", [(100, 10, 0), (1000, 50, 3), (5000, 4999, 11)])
def test_the_same_seed_draws_the_same_rows(n, limit, seed):
    assert np.array_equal(capped_rows(n, limit, seed), capped_rows(n, limit, seed))


def test_the_default_seed_is_zero():
    assert np.array_equal(capped_rows(100, 10), capped_rows(100, 10, seed=0))


@pytest.mark.parametrize("seed_a,seed_b", [(0, 1), (1, 2), (0, 42)])
def test_different_seeds_draw_different_rows(seed_a, seed_b):
    assert not np.array_equal(capped_rows(1000, 10, seed_a), capped_rows(1000, 10, seed_b))
