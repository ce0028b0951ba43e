"""Running due times once: the missed-digest grace, restarts, escalation thresholds, the live
APScheduler wiring."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from bot.config import Settings
from bot.runtime import Runtime
from scheduler.jobs import DAILY_DIGEST, OVERDUE_SCAN
from scheduler.service import CATCH_UP_JOB, OUTBOX_JOB, RETRY_SUFFIX, SchedulerService
from storage.models import JobRun, Order, OrderMilestone
from tests.helpers import ChatSession, database_outage
from tests.scheduler.conftest import RecordingSender, at, make_service


async def test_a_digest_missed_while_down_is_sent_once_on_start_within_the_grace(
    runtime: Runtime, settings: Settings, sender: RecordingSender
) -> None:
    # Down at 08:30; the process starts at 09:40 (grace 2 h): the digest goes out once.
    first = make_service(runtime, settings, sender, instance="boot-1")
    outcomes, _ = await first.tick(at(24, 9, 40))
    assert [(o.job_id, o.due_at, o.ran) for o in outcomes if o.job_id == DAILY_DIGEST] == [
        (DAILY_DIGEST, at(24, 8, 30), True)
    ]
    assert len(sender.to("经理群")) == 1
    # Restarted again at 10:00: nothing is sent twice.
    second = make_service(runtime, settings, sender, instance="boot-2")
    await second.tick(at(24, 10, 0))
    assert len(sender.to("经理群")) == 1


async def test_a_digest_missed_beyond_the_grace_is_not_replayed(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    outcomes, _ = await service.tick(at(24, 10, 31))  # 2 h 1 min after 08:30
    assert DAILY_DIGEST not in [o.job_id for o in outcomes]
    await service.tick(at(26, 9, 0))  # days later: only that day's digest
    assert [t.split("\n")[0] for t in sender.to("经理群")] == ["**每日简报 11-26（周四）**"]
    async with runtime.database.transaction() as session:
        runs = list(await session.scalars(select(JobRun.due_at).where(JobRun.job_id == DAILY_DIGEST)))
    assert runs == [at(26, 8, 30)]


async def test_no_digest_on_the_company_holiday_or_the_weekend(
    service: SchedulerService, sender: RecordingSender
) -> None:
    for day in (27, 28, 29):
        outcomes, _ = await service.tick(at(day, 8, 45))
        assert outcomes == []
    assert sender.sent == []


async def test_a_late_milestone_escalates_after_n_working_days_when_the_due_date_is_safe(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    chat = ChatSession(runtime, now=at(23, 8), chat_id="下料群")
    assert (await chat.say("新建订单 D400 华东机械 机架 3台 2026-12-25 模板=短线 负责人=张三")).ok
    # The planner pulled 下料 forward to 11-24; the due date leaves plenty of room.
    async with runtime.database.transaction() as session:
        order_id = await session.scalar(select(Order.id).where(Order.order_no == "D400"))
        await session.execute(
            update(OrderMilestone)
            .where(OrderMilestone.order_id == order_id, OrderMilestone.name == "下料")
            .values(planned_date=date(2026, 11, 24))
        )
    for day, month in ((25, 11), (26, 11), (30, 11), (1, 12), (2, 12)):
        await service.tick(at(day, 8, 0, month=month))
    warnings = sender.to("下料群")
    escalations = sender.to("经理群")
    assert len(warnings) == 1 and "已逾期 1 个工作日" in warnings[0]  # on 11-25
    # 11-25: 1, 11-26: 2, (27 holiday) 11-30: 3 working days late -> escalated once, on 11-30.
    assert len(escalations) == 1
    assert "已逾期 3 个工作日" in escalations[0] and "有风险" not in escalations[0]
    assert "负责人：张三" in escalations[0]


async def test_the_live_scheduler_registers_stable_jobs_and_catches_up_on_start(
    runtime: Runtime, settings: Settings, sender: RecordingSender
) -> None:
    notifying = RecordingSender()
    for boot in range(2):  # a restart builds the same jobs, not more
        service = SchedulerService(
            runtime.database,
            make_service(runtime, settings, sender).config,
            {"local": notifying},
            instance=f"boot-{boot}",
            clock=lambda: at(24, 9, 10),
        )
        service.start()
        try:
            await asyncio.wait_for(service.caught_up.wait(), timeout=30)
            ids = sorted(job.id for job in service.scheduler.get_jobs())
            assert ids == sorted([DAILY_DIGEST, OVERDUE_SCAN, "milestone_reminder", "customer_update", OUTBOX_JOB])
            job = service.scheduler.get_job(DAILY_DIGEST)
            assert job.misfire_grace_time == 7200 and job.coalesce and job.max_instances == 1
        finally:
            await service.stop()
    assert [t.split("\n")[0] for t in notifying.to("经理群")] == ["**每日简报 11-24（周二）**"]


async def _until(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), timeout)


def _live_service(runtime: Runtime, settings: Settings, sender: RecordingSender, clock: list[datetime]) -> SchedulerService:
    config = replace(make_service(runtime, settings, sender).config, job_retry=timedelta(milliseconds=100))
    return SchedulerService(runtime.database, config, {"local": sender}, instance="live", clock=lambda: clock[0])


async def test_a_digest_whose_wake_up_meets_a_database_outage_is_retried_within_the_grace(
    runtime: Runtime, settings: Settings, sender: RecordingSender
) -> None:
    clock = [at(24, 8, 29)]
    service = _live_service(runtime, settings, sender, clock)
    runtime.database.retry_delay = 0.01
    service.start()
    try:
        await asyncio.wait_for(service.caught_up.wait(), timeout=30)
        assert sender.to("经理群") == []
        clock[0] = at(24, 8, 30)
        with database_outage(runtime.database):
            # APScheduler wakes the digest at 08:30 while the database is down for about a second.
            service.scheduler.get_job(DAILY_DIGEST).modify(next_run_time=datetime.now(service.config.tz))
            await _until(lambda: service.scheduler.get_job(DAILY_DIGEST + RETRY_SUFFIX) is not None)
        await _until(lambda: sender.to("经理群"))
    finally:
        await service.stop()
    (digest,) = sender.to("经理群")
    assert digest.startswith("**每日简报 11-24（周二）**")


async def test_a_catch_up_on_start_that_meets_an_outage_is_retried(
    runtime: Runtime, settings: Settings, sender: RecordingSender
) -> None:
    clock = [at(24, 9, 0)]
    service = _live_service(runtime, settings, sender, clock)
    runtime.database.retry_delay = 0.01
    with database_outage(runtime.database):
        service.start()
        try:
            await asyncio.wait_for(service.caught_up.wait(), timeout=30)
            assert service.scheduler.get_job(CATCH_UP_JOB + RETRY_SUFFIX) is not None
        except BaseException:
            await service.stop()
            raise
    try:
        await _until(lambda: sender.to("经理群"))
    finally:
        await service.stop()
    assert len(sender.to("经理群")) == 1


async def test_no_retry_once_the_grace_is_over(runtime: Runtime, settings: Settings, sender: RecordingSender) -> None:
    clock = [at(24, 10, 29)]
    service = _live_service(runtime, settings, sender, clock)
    service.config = replace(service.config, job_retry=timedelta(minutes=2))
    runtime.database.retry_delay = 0.01
    service.scheduler.start(paused=True)
    try:
        with database_outage(runtime.database):
            await service._run_job(DAILY_DIGEST)  # the 08:30 digest, retried at 10:31: past the 2 h grace
        assert service.scheduler.get_job(DAILY_DIGEST + RETRY_SUFFIX) is None
    finally:
        service.scheduler.shutdown(wait=False)
