"""The shared sending helpers: per-target rate limit, retry with backoff."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.sending import RateLimiter, retry_with_backoff
from handlers.messages import DeliveryError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_window_is_per_target() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 60.0, clock=clock)
    for _ in range(2):
        assert limiter.delay("a") == 0
        limiter._sent["a"].append(clock())
    assert limiter.delay("a") == pytest.approx(60.0)
    assert limiter.delay("b") == 0
    clock.now += 30
    assert limiter.delay("a") == pytest.approx(30.0)
    clock.now += 30.5
    assert limiter.delay("a") == 0


async def test_rate_limiter_makes_the_extra_send_wait() -> None:
    limiter = RateLimiter(2, 0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(3):
        await limiter.acquire("group")
    assert loop.time() - started >= 0.25


async def test_retry_until_success_on_retryable_errors() -> None:
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise DeliveryError("503", retryable=True)
        return "ok"

    assert await retry_with_backoff(flaky, attempts=5, base=0.001) == "ok"
    assert len(calls) == 3


async def test_no_retry_on_a_permanent_error_and_last_error_raised() -> None:
    calls = []

    async def refused() -> None:
        calls.append(1)
        raise DeliveryError("invalidParameter", retryable=False)

    with pytest.raises(DeliveryError) as info:
        await retry_with_backoff(refused, attempts=5, base=0.001)
    assert not info.value.retryable and len(calls) == 1

    async def always_down() -> None:
        calls.append(1)
        raise DeliveryError("down", retryable=True)

    calls.clear()
    with pytest.raises(DeliveryError):
        await retry_with_backoff(always_down, attempts=3, base=0.001)
    assert len(calls) == 3


