"""How often something happened per key, over a sliding window: the one count behind sign-in throttling
(:class:`~tiermatch.services.accounts.SignInThrottle`) and the service's write rates (``api.limits``)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

__all__ = ["RateLimit"]


class RateLimit:
    """Events per key in the last ``window`` seconds (per process; forgotten on restart).

    Examples
    --------
    >>> clock = iter([0, 1, 2, 61]).__next__
    >>> rate = RateLimit(window=60, clock=clock)
    >>> [rate.take("k", 2) for _ in range(4)]
    [0, 0, 58, 0]
    """

    MAX_KEYS = 100_000  # past this many keys (a flood of names), the quiet ones are forgotten

    def __init__(self, window: float = 60, clock=time.monotonic):
        self.window = window
        self.clock = clock
        self._events: dict = {}
        self._lock = threading.Lock()

    def _recent(self, key, t: float) -> deque:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0] <= t - self.window:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def wait(self, key, limit: int) -> int:
        """Seconds until ``key`` has fewer than ``limit`` events in the window; 0 if it has now."""
        t = self.clock()
        with self._lock:
            events = self._recent(key, t)
            return max(1, math.ceil(events[0] + self.window - t)) if len(events) >= limit else 0

    def add(self, key) -> None:
        """Count one event for ``key``."""
        t = self.clock()
        with self._lock:
            if len(self._events) > self.MAX_KEYS:
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > t - self.window}
            self._events.setdefault(key, deque()).append(t)

    def take(self, key, limit: int) -> int:
        """Count one event for ``key`` if it is within ``limit``: 0; else the seconds to wait (not counted)."""
        t = self.clock()
        with self._lock:
            events = self._recent(key, t)
            if len(events) >= limit:
                return max(1, math.ceil(events[0] + self.window - t))
            self._events.setdefault(key, events).append(t)
            return 0

    def forget(self, key) -> None:
        with self._lock:
            self._events.pop(key, None)
