"""Pieces every outgoing platform client needs: splitting long markdown, pacing, retrying.

`split_markdown` keeps whole lines together so a table row or a list item never arrives cut in
two; only a single line longer than the whole limit is wrapped, at a character boundary.
"""

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


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _wrap_line(line: str, max_bytes: int) -> list[str]:
    """Cut one over-long line into pieces of at most `max_bytes`, never inside a character."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = _utf8_len(char)
        if size + width > max_bytes and current:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return pieces


def split_markdown(text: str, max_bytes: int) -> list[str]:
    """Split `text` into parts of at most `max_bytes` UTF-8 bytes, breaking only between lines.

    Lines are packed greedily in order; blank lines at a part's edges are dropped. Empty input
    gives no parts.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must allow at least one character")
    text = text.strip("\n")
    if not text.strip():
        return []
    if _utf8_len(text) <= max_bytes:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for raw_line in text.split("\n"):
        pieces = _wrap_line(raw_line, max_bytes) if _utf8_len(raw_line) > max_bytes else [raw_line]
        for line in pieces:
            added = _utf8_len(line) + (1 if current else 0)
            if current and size + added > max_bytes:
                parts.append("\n".join(current))
                current, size, added = [], 0, _utf8_len(line)
            current.append(line)
            size += added
    if current:
        parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if part.strip()]


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
