"""Pieces every outgoing platform client needs: pacing, retrying with backoff, and remembering which
parts of a split message were delivered (each platform's sender splits to its own limits)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import aiohttp

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
            self.record(key)

    def record(self, key: str) -> None:
        """Count one send to `key` now."""
        self._sent[key].append(self._clock())


class RateLimited(DeliveryError):
    """A target's budget is spent for longer than is worth waiting: try again later (the outbox does)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class Pacing:
    """Several sliding windows per target at once (e.g. 30 a minute and 1,000 an hour).

    `acquire(key)` waits until every window allows a send to `key`, at most `max_wait` seconds;
    when the wait would be longer it raises `RateLimited` instead of blocking the caller.
    """

    def __init__(
        self, limits: Sequence[tuple[int, float]], *, max_wait: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_wait = max_wait
        self._windows = [RateLimiter(count, seconds, clock=clock) for count, seconds in limits]
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def delay(self, key: str) -> float:
        return max((window.delay(key) for window in self._windows), default=0.0)

    async def acquire(self, key: str) -> None:
        async with self._locks[key]:
            while (wait := self.delay(key)) > 0:
                if wait > self.max_wait:
                    raise RateLimited(f"rate limit of the conversation reached; allowed again in {wait:.0f} s")
                log.info("rate limit reached for a conversation, waiting %.1f s", wait)
                await asyncio.sleep(wait)
            for window in self._windows:
                window.record(key)


def backoff_delay(attempt: int, *, base: float, max_delay: float) -> float:
    """Exponential backoff with full jitter on the upper half: attempt 0 waits about `base`."""
    ceiling = min(max_delay, base * (2**attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, DeliveryError):
        return exc.retryable
    return isinstance(exc, (TimeoutError, ConnectionError, OSError))


def may_have_arrived(exc: BaseException) -> bool:
    """Whether a request that failed with `exc` may still have reached the platform: a timeout or a
    connection lost after sending may have; a connection that was never made (refused, no route,
    a connect timeout) has not."""
    if isinstance(exc, DeliveryError):
        return exc.may_have_arrived
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        return False
    return isinstance(exc, (TimeoutError, aiohttp.ClientError))


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


@dataclass(frozen=True)
class RetryPolicy:
    """How one platform call is retried: `attempts` in all, backoff from `base_delay` up to
    `max_delay`; `timeout` bounds each request (well under the shared session's own 15 s)."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    timeout: float = 10.0

    def delay(self, attempt: int) -> float:
        """Backoff before attempt `attempt + 1` (attempt counts from 1)."""
        return backoff_delay(attempt - 1, base=self.base_delay, max_delay=self.max_delay)

    async def run(self, operation: Callable[[], Awaitable[T]], *, what: str, idempotent: bool = False) -> T:
        """`operation` under `retry_with_backoff` with this policy; `what` names it in logs.

        One policy for every platform call: a failure that may have reached the platform (a timeout)
        is retried here only when the request is `idempotent` (a read, or a send carrying the
        platform's idempotency key); otherwise it is raised, and the outbox tries again later —
        once per outbox attempt, never several posts per attempt.
        """

        def retry_on(exc: BaseException) -> bool:
            return is_retryable(exc) and (idempotent or not may_have_arrived(exc))

        return await retry_with_backoff(
            operation, attempts=self.attempts, base=self.base_delay, max_delay=self.max_delay, what=what,
            retry_on=retry_on,
        )


class DeliveredParts:
    """How many parts of a split proactive message already went out, per chat and text.

    A sender that splits a message records each delivered part here; when a later part fails and
    the outbox retries the whole message, the sender resumes after the delivered parts instead of
    sending them twice. Kept in memory for `ttl` seconds: after a restart a retried message is
    sent from its first part again (the outbox row holds the whole text, not the progress).
    """

    def __init__(self, ttl: float = 3600.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._done: dict[str, tuple[int, float]] = {}

    @staticmethod
    def key(chat_id: str, text: str) -> str:
        return f"{chat_id}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"

    def sent(self, key: str) -> int:
        now = self._clock()
        for stale in [k for k, (_, at) in self._done.items() if now - at > self.ttl]:
            del self._done[stale]
        return self._done.get(key, (0, 0.0))[0]

    def record(self, key: str, parts: int) -> None:
        self._done[key] = (parts, self._clock())

    def finish(self, key: str) -> None:
        self._done.pop(key, None)

    async def deliver(self, chat_id: str, text: str, parts: list[str], send: Callable[[int, str], Awaitable[None]]) -> None:
        """Send `parts` of `text` in order through `send(index, part)`, skipping those delivered
        before; a part that fails raises and leaves the progress for the retry. A refusal for
        good (a non-retryable `DeliveryError`) forgets the progress."""
        key = self.key(chat_id, text)
        for index in range(self.sent(key), len(parts)):
            try:
                await send(index, parts[index])
            except DeliveryError as exc:
                if not exc.retryable:
                    self.finish(key)
                raise
            self.record(key, index + 1)
        self.finish(key)


class TokenCache:
    """One platform access token: fetched on first use, shared by concurrent callers, renewed
    `margin` seconds before it expires (at the latest halfway through its life), or at once after
    the platform rejected it (`invalidate`). `fetch` returns the token and its lifetime in seconds."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[tuple[str, int]]],
        *,
        margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.margin = margin
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None

    async def get(self) -> str:
        async with self._lock:
            if self._token is not None and self._clock() < self._expires_at:
                return self._token
            self._token, lifetime = await self._fetch()
            self._expires_at = self._clock() + max(lifetime - self.margin, lifetime / 2)
            log.info("access token refreshed, valid for %d s", lifetime)
            return self._token
