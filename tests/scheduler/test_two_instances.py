"""Two schedulers on one PostgreSQL database: every due time runs once, every message is sent once."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduling import schedule_config
from scheduler.service import SchedulerService
from storage.database import Database
from storage.models import JobRun, OutboxMessage
from tests.conftest import PG_ENV
from tests.helpers import ChatSession, count
from tests.scheduler.conftest import RecordingSender, at

pytestmark = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"needs PostgreSQL: set {PG_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
)


async def test_two_schedulers_fire_each_job_once_and_deliver_each_message_once(
    runtime: Runtime, settings: Settings
) -> None:
    chat = ChatSession(runtime, now=at(23, 8), chat_id="下料群")
    for n in range(40):
        assert (await chat.say(f"新建订单 P{n:03d} 华东机械 机架 3台 2026-12-0{1 + n % 8} 模板=短线 负责人=张三")).ok

    other_db = Database.from_url(settings.database.url)  # a second process's own connections
    senders = RecordingSender(), RecordingSender()
    instances = [
        SchedulerService(runtime.database, schedule_config(settings), {"local": senders[0]}, instance="A"),
        SchedulerService(other_db, schedule_config(settings), {"local": senders[1]}, instance="B"),
    ]
    try:
        moments = [at(day, hour, minute, month=month)
                   for day, month in ((24, 11), (25, 11), (26, 11), (30, 11), (1, 12), (2, 12))
                   for hour, minute in ((8, 0), (8, 30), (9, 0), (16, 0))]
        for moment in moments:
            results = await asyncio.gather(*(s.tick(moment) for s in instances))
            ran = Counter((o.job_id, o.due_at) for outcomes, _ in results for o in outcomes if o.ran)
            assert all(count == 1 for count in ran.values()), ran
        # The next polls, 20 s apart as in a running deployment (the moments above jump days, so every
        # heartbeat looked stale and a chat could change owner, pausing it for the one-minute handover):
        # what the last moment enqueued goes out, each message once.
        for seconds in range(20, 181, 20):
            await asyncio.gather(*(s.tick(moments[-1] + timedelta(seconds=seconds)) for s in instances))
    finally:
        await other_db.dispose()

    async with runtime.database.transaction() as session:
        runs = list((await session.execute(select(JobRun.job_id, JobRun.due_at, JobRun.instance))).all())
    total = await count(runtime, OutboxMessage)
    unsent = await count(runtime, OutboxMessage, OutboxMessage.status != "sent")
    assert len(runs) == len({(job, due) for job, due, _ in runs}) >= len(moments)
    assert {instance for *_, instance in runs} == {"A", "B"}  # both took part
    delivered = [m.text for s in senders for m in s.sent]
    assert total > 50 and unsent == 0
    assert len(delivered) == total
    # Which instance delivers is not fixed: each chat is delivered by one live instance at a time (issue 12
    # #14), so one instance may own every chat; once each, across both, is what must hold (above).
