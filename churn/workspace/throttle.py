"""Slow down password guessing: a lock-out that grows with each failure, per key.

The hosted app's shared password is checked by the UI; this module only counts.
A key is a session or a client address. The first few failures are free (people
mistype); after that every failure locks the key for twice as long as the last
one, up to a ceiling, and while a key is locked no guess is checked at all, so
even the right password waits. Forty guesses take hours instead of a minute.

State lives in the process (one server), bounded in size and forgotten after an
hour of quiet, so nothing about guesses is ever written to disk.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class Throttle:
    """Count failed attempts per key and lock a key out, longer after each failure.

    Parameters
    ----------
    free_attempts : int
        Failures in a row allowed before the first lock-out.
    base_seconds : float
        Length of the first lock-out; each further failure doubles it.
    max_seconds : float
        The longest lock-out.
    forget_after : float
        Seconds of quiet after which a key starts afresh.
    max_keys : int
        Keys remembered at most (the quietest are dropped first), so a flood of
        new sessions cannot grow memory without bound.
    clock : callable
        Returns seconds (``time.monotonic``); tests pass a fake one.

    Example
    -------
    With 3 free attempts and a 2 s base, the 4th failure locks for 2 s, the 5th
    for 4 s, the 6th for 8 s:

    >>> now = [0.0]
    >>> gate = Throttle(free_attempts=3, base_seconds=2, clock=lambda: now[0])
    >>> [gate.failed("s") for _ in range(6)]
    [0.0, 0.0, 0.0, 2.0, 4.0, 8.0]
    >>> gate.wait_seconds("s")
    8.0
    """

    def __init__(
        self,
        free_attempts: int = 3,
        base_seconds: float = 2.0,
        max_seconds: float = 300.0,
        forget_after: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.free_attempts = free_attempts
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds
        self.forget_after = forget_after
        self.max_keys = max_keys
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def _record(self, key: str, now: float) -> _Record:
        record = self._records.get(key)
        if record is None or now - record.last > self.forget_after:
            record = _Record(last=now)
        self._records[key] = record
        self._records.move_to_end(key)
        while len(self._records) > self.max_keys:
            self._records.popitem(last=False)
        return record

    def wait_seconds(self, key: str) -> float:
        """Seconds until ``key`` may try again (0.0 when it may try now)."""
        with self._lock:
            record = self._records.get(key)
            return 0.0 if record is None else max(0.0, record.locked_until - self.clock())

    def failed(self, key: str) -> float:
        """Record a wrong attempt for ``key``; return the lock-out it now serves, in seconds."""
        with self._lock:
            now = self.clock()
            record = self._record(key, now)
            record.failures += 1
            record.last = now
            over = record.failures - self.free_attempts
            if over <= 0:
                return 0.0
            seconds = min(self.base_seconds * 2 ** (over - 1), self.max_seconds)
            record.locked_until = now + seconds
            return float(seconds)

    def failures(self, key: str) -> int:
        """Wrong attempts in a row recorded for ``key``."""
        with self._lock:
            record = self._records.get(key)
            return 0 if record is None else record.failures

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures after a right attempt."""
        with self._lock:
            self._records.pop(key, None)


#: Per session: people mistype, so three free tries.
SESSIONS = Throttle(free_attempts=3)
#: Per client address: a workshop room may share one address, so more free tries,
#: but an attacker who opens new sessions is still slowed down.
ADDRESSES = Throttle(free_attempts=10)
