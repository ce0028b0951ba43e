"""Pieces every outgoing platform client needs: pacing and retrying (splitting is handlers.markdown)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from handlers.messages import DeliveryError

log = logging.getLogger(__name__)

T = TypeVar("T")


class RateLimiter:
    """At most `limit` sends per `period` seconds for each target (a sliding window).

    `acquire(key)` waits until a send to `key` is allowed; targets do not wait on each other.
    """

    def __init__(self, limit: int, period: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def delay(self, key: str) -> float:
        """Seconds until a send to `key` would be allowed (0 when it is allowed now)."""
        now = self._clock()
        sent = self._sent[key]
        while sent and sent[0] <= now - self.period:
            sent.popleft()
        if len(sent) < self.limit:
            return 0.0
        return sent[0] + self.period - now

    async def acquire(self, key: str) -> None:
        async with self._locks[key]:
            while (wait := self.delay(key)) > 0:
                log.info("rate limit reached for a target, waiting %.1f s", wait)
                await asyncio.sleep(wait)
            self._sent[key].append(self._clock())


def backoff_delay(attempt: int, *, base: float, max_delay: float) -> float:
    """Exponential backoff with full jitter on the upper half: attempt 0 waits about `base`."""
    ceiling = min(max_delay, base * (2**attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, DeliveryError):
        return exc.retryable
    return isinstance(exc, (TimeoutError, ConnectionError, OSError))


async def retry_with_backoff(
    operation: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    base: float = 1.0,
    max_delay: float = 30.0,
    retry_on: Callable[[BaseException], bool] = is_retryable,
    what: str = "request",
) -> T:
    """Run `operation` until it succeeds, retrying errors `retry_on` accepts, at most `attempts` times.

    The last error is raised unchanged, so a caller still sees whether it was retryable.
    """
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    for attempt in range(attempts):
        try:
            return await operation()
        except Exception as exc:
            if attempt + 1 >= attempts or not retry_on(exc):
                raise
            wait = backoff_delay(attempt, base=base, max_delay=max_delay)
            log.warning("%s failed (%s), retry %d/%d in %.2f s", what, exc, attempt + 1, attempts - 1, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
