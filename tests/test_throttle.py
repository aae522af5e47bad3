"""The password throttle: free attempts, doubling lock-outs, a ceiling, forgetting, bounded memory."""

from __future__ import annotations

import pytest

from churn.workspace.throttle import Throttle


class Clock:
    """A hand-moved clock (seconds)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_lockouts_double_after_the_free_attempts_up_to_the_ceiling(clock):
    """3 free, base 2 s, ceiling 30 s: failures 4..9 lock 2, 4, 8, 16, 30, 30 s."""
    gate = Throttle(free_attempts=3, base_seconds=2, max_seconds=30, clock=clock)
    assert [gate.failed("s") for _ in range(9)] == [0, 0, 0, 2, 4, 8, 16, 30, 30]
    assert gate.failures("s") == 9


def test_a_locked_key_waits_and_the_wait_runs_down(clock):
    gate = Throttle(free_attempts=1, base_seconds=10, clock=clock)
    gate.failed("s")
    assert gate.wait_seconds("s") == 0.0  # the free attempt does not lock
    gate.failed("s")
    assert gate.wait_seconds("s") == 10.0
    clock.now = 7.5
    assert gate.wait_seconds("s") == pytest.approx(2.5)
    clock.now = 10.0
    assert gate.wait_seconds("s") == 0.0


def test_keys_are_independent_and_success_forgets(clock):
    gate = Throttle(free_attempts=0, base_seconds=5, clock=clock)
    gate.failed("a")
    assert gate.wait_seconds("a") == 5.0 and gate.wait_seconds("b") == 0.0
    gate.succeeded("a")
    assert gate.wait_seconds("a") == 0.0 and gate.failures("a") == 0


def test_a_quiet_hour_starts_a_key_afresh(clock):
    gate = Throttle(free_attempts=2, base_seconds=1, forget_after=3600, clock=clock)
    for _ in range(4):
        gate.failed("s")
    clock.now = 3601 + 8  # past the lock and an hour of quiet since the last failure
    assert gate.failed("s") == 0.0 and gate.failures("s") == 1


def test_memory_is_bounded_by_dropping_the_quietest_keys(clock):
    gate = Throttle(free_attempts=0, base_seconds=100, max_keys=3, clock=clock)
    for key in "abcd":
        clock.now += 1
        gate.failed(key)
    assert gate.failures("a") == 0  # dropped: the oldest
    assert [gate.failures(k) for k in "bcd"] == [1, 1, 1]
