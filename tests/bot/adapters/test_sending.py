"""The shared sending helpers: markdown splitting, per-target rate limit, retry with backoff."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.sending import RateLimiter, retry_with_backoff, split_markdown
from handlers.messages import DeliveryError


def test_short_text_is_one_part() -> None:
    assert split_markdown("订单123 焊接完成", 100) == ["订单123 焊接完成"]
    assert split_markdown("  \n\n", 100) == []


def test_parts_break_between_lines_and_fit_the_byte_limit() -> None:
    lines = [f"- 订单{n} 焊接完成，涂装 80%" for n in range(200)]
    parts = split_markdown("\n".join(lines), 1000)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 1000 for p in parts)
    # Every line arrives whole, in order.
    assert [line for p in parts for line in p.split("\n")] == lines


def test_only_a_line_longer_than_the_limit_is_wrapped_at_character_boundaries() -> None:
    long_line = "焊" * 50  # 150 bytes
    parts = split_markdown(f"标题\n{long_line}\n结尾", 40)
    assert all(len(p.encode()) <= 40 for p in parts)
    assert "".join(parts).replace("\n", "") == f"标题{long_line}结尾"
    assert parts[0] == "标题"


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=60), max_size=40), st.integers(8, 300))
def test_split_never_exceeds_the_limit_and_keeps_all_text(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    parts = split_markdown(text, limit)
    assert all(len(p.encode("utf-8")) <= limit for p in parts)
    # Nothing but whitespace at part edges is dropped.
    assert "".join("".join(parts).split()) == "".join(text.split())


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


def test_split_markdown_keeps_lines_whole_and_parts_within_the_limit() -> None:
    lines = [f"- 订单{n:04d} 焊接 {'完成' if n % 2 else '进行中'}，计划 12-{n % 28 + 1:02d}" for n in range(600)]
    text = "**今日简报**\n" + "\n".join(lines)
    parts = split_markdown(text, 4096)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == text.split("\n")


def test_split_markdown_cuts_an_overlong_line_at_characters() -> None:
    parts = split_markdown("短行\n" + "焊" * 2000 + "\n尾", 4096)
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == "短行" + "焊" * 2000 + "尾"
