"""A thread-safe sliding-window rate limiter."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``max_calls`` calls to ``acquire`` in any ``period`` seconds.

    ``acquire`` blocks (via ``sleep``) until a call is allowed. Share one instance between the
    clients that spend the same vendor quota (e.g. one per token). ``clock`` and ``sleep`` are
    injectable so tests need not wait; ``clock`` must be monotonic.
    """

    def __init__(
        self,
        max_calls: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RateLimiter(max_calls={self.max_calls}, period={self.period})"

    def acquire(self) -> float:
        """Wait until a call is allowed and record it; returns the seconds waited."""
        waited = 0.0
        # Held while sleeping: callers queue up in order and none overtakes the one waiting.
        with self._lock:
            while True:
                now = self._clock()
                while self._calls and self._calls[0] <= now - self.period:
                    self._calls.popleft()
                if len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    return waited
                wait = self._calls[0] + self.period - now
                self._sleep(wait)
                waited += wait
