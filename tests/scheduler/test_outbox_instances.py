"""Outbox workers on several instances: a killed worker's claims are delivered again promptly, with
the same idempotency key, and nothing else twice; two workers together keep a chat's rate limit."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select

from bot.adapters.sending import RateLimiter
from bot.config import Settings
from bot.runtime import Runtime
from handlers.messages import Outbound
from scheduler.outbox import OutboxWorker
from storage.database import Database
from storage.models import OutboxMessage
from tests.conftest import NOW
from tests.scheduler.conftest import RecordingSender, make_service
from tests.scheduler.test_outbox import put


class HangingSender(RecordingSender):
    """Sends until it meets `hang_on`, then waits forever there: a process killed mid-post."""

    def __init__(self, hang_on: str) -> None:
        super().__init__()
        self.hang_on = hang_on
        self.hanging = asyncio.Event()
        self.attempted: list[Outbound] = []

    async def send(self, message: Outbound) -> None:
        self.attempted.append(message)
        if message.text == self.hang_on:
            self.hanging.set()
            await asyncio.Event().wait()
        await super().send(message)


class PacedSender(RecordingSender):
    """Like the real senders: a per-chat rate limiter in the process, then the post (timed)."""

    def __init__(self, limit: int, period: float, times: list[float]) -> None:
        super().__init__()
        self.limiter = RateLimiter(limit, period)
        self.times = times

    async def send(self, message: Outbound) -> None:
        await self.limiter.acquire(message.chat_id)
        self.times.append(time.monotonic())
        await super().send(message)


async def _until_sent(runtime: Runtime, key: str) -> None:
    for _ in range(500):
        async with runtime.database.transaction() as session:
            status = await session.scalar(select(OutboxMessage.status).where(OutboxMessage.dedupe_key == key))
        if status == "sent":
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{key} was never marked sent")


async def test_a_killed_worker_s_claims_are_delivered_again_promptly_and_nothing_else_twice(
    runtime: Runtime, settings: Settings, sender: RecordingSender
) -> None:
    for n in (1, 2, 3):
        await put(runtime, f"digest:{n}", text=f"简报{n}")
    await put(runtime, "warn:1", chat_id="焊接群", text="预警1")
    config = make_service(runtime, settings, sender).config
    hanging = HangingSender("简报2")
    doomed = OutboxWorker(runtime.database, {"local": hanging}, config, instance="doomed")
    delivery = asyncio.create_task(doomed.deliver_due(NOW))
    await asyncio.wait_for(hanging.hanging.wait(), 10)
    await _until_sent(runtime, "warn:1")
    delivery.cancel()  # killed mid-post: no clean stop, its claim on 简报2 and 简报3 stays behind
    await asyncio.gather(delivery, return_exceptions=True)
    assert sorted(m.text for m in hanging.sent) == ["简报1", "预警1"]

    survivor = make_service(runtime, settings, sender, instance="survivor").worker
    # While the killed instance's heartbeat is fresh, its claims stand: nothing is sent twice.
    assert not await survivor.deliver_due(NOW + timedelta(seconds=10))
    assert sender.sent == []
    # Its heartbeat has stopped: after the handover (a minute, not a 5-minute lease) its messages go.
    report = await survivor.deliver_due(NOW + config.outbox_handover + timedelta(seconds=1))
    assert [m.text for m in sender.sent] == ["简报2", "简报3"] and len(report.sent) == 2
    # The post that may have reached the platform is repeated with the same idempotency key.
    (interrupted,) = [m for m in hanging.attempted if m.text == "简报2"]
    assert interrupted.idempotency_key == sender.sent[0].idempotency_key == "digest:2"
    assert not await survivor.deliver_due(NOW + timedelta(hours=1))
    async with runtime.database.transaction() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(m.status, m.attempts, m.claimed_by) for m in rows] == [
        ("sent", 1, None), ("sent", 2, None), ("sent", 2, None), ("sent", 1, None)
    ]


async def test_a_stopped_worker_hands_its_chats_over_at_once(
    runtime: Runtime, settings: Settings, sender: RecordingSender
) -> None:
    first = make_service(runtime, settings, RecordingSender(), instance="first").worker
    await put(runtime, "digest:1", text="简报1")
    assert len((await first.deliver_due(NOW)).sent) == 1
    await put(runtime, "digest:2", text="简报2")
    second = make_service(runtime, settings, sender, instance="second").worker
    assert not await second.deliver_due(NOW + timedelta(seconds=1))  # the chat is first's while it lives
    await first.retire()
    assert len((await second.deliver_due(NOW + timedelta(seconds=2))).sent) == 1
    assert [m.text for m in sender.sent] == ["简报2"]


async def test_two_workers_together_keep_a_chat_s_rate_limit(runtime: Runtime, settings: Settings) -> None:
    limit, period = 3, 1.0
    times: list[float] = []
    config = make_service(runtime, settings, RecordingSender()).config
    other_db = Database.from_url(settings.database.url)  # the second instance's own connections
    senders = PacedSender(limit, period, times), PacedSender(limit, period, times)
    workers = (
        OutboxWorker(runtime.database, {"local": senders[0]}, config, instance="A"),
        OutboxWorker(other_db, {"local": senders[1]}, config, instance="B"),
    )
    try:
        for round_ in range(4):  # new messages keep coming; the two instances take turns polling
            for n in range(limit):
                await put(runtime, f"warn:{round_}:{n}", text=f"预警{round_}-{n}")
            await workers[round_ % 2].deliver_due(NOW + timedelta(seconds=round_))
        for worker in workers:
            await worker.deliver_due(NOW + timedelta(seconds=5))
    finally:
        await other_db.dispose()
    delivered = sorted(m.text for s in senders for m in s.sent)
    assert delivered == sorted(f"预警{r}-{n}" for r in range(4) for n in range(limit))
    assert len(times) == 4 * limit
    crowded = [times[i + limit] - times[i] for i in range(len(times) - limit)]
    assert min(crowded) >= period * 0.95, f"{limit + 1} posts to one chat within {min(crowded):.2f} s"
