"""The live scheduler inside `gendan run`: APScheduler 3 (AsyncIOScheduler) waking the jobs, and
the outbox worker polling.

APScheduler keeps its jobs in memory under stable ids (`replace_existing`), so a restart never
duplicates them; what survives a restart is the `job_runs` table. On start a catch-up pass runs
whatever fell due while the process was down, if no older than the misfire grace — once, because
the run's lease row is written with its messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import chinese_calendar
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from handlers.messages import Sender
from scheduler.config import ScheduleConfig
from scheduler.jobs import JobOutcome, JobRunner
from scheduler.outbox import DeliveryReport, OutboxWorker
from storage.database import Database

log = logging.getLogger(__name__)

OUTBOX_JOB = "outbox_delivery"
HORIZON = timedelta(days=90)
CATCH_UP_JOB = "catch_up"


def unknown_holiday_years(today: date, company_holidays: frozenset[date], horizon: timedelta = HORIZON) -> list[int]:
    """Years within `horizon` whose statutory holidays chinese-calendar does not know and for which
    no company holiday is configured either: there every Monday–Friday counts as a working day."""
    years = sorted({today.year, (today + horizon).year})
    unknown = []
    for year in years:
        try:
            chinese_calendar.is_holiday(date(year, 1, 1))
        except NotImplementedError:
            if not any(day.year == year for day in company_holidays):
                unknown.append(year)
    return unknown


class SchedulerService:
    def __init__(
        self,
        database: Database,
        config: ScheduleConfig,
        senders: Mapping[str, Sender],
        *,
        instance: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self.runner = JobRunner(database, config, instance=instance)
        self.worker = OutboxWorker(database, senders, config)
        self.clock = clock or (lambda: datetime.now(config.tz))
        self._running: set[asyncio.Task[None]] = set()
        self.caught_up = asyncio.Event()
        """Set once the start-up catch-up pass has finished (whether or not it had anything to do)."""
        self.scheduler = AsyncIOScheduler(
            timezone=config.tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(config.misfire_grace.total_seconds()),
            },
        )

    async def tick(self, now: datetime, only: list[str] | None = None) -> tuple[list[JobOutcome], DeliveryReport]:
        """Run what is due at `now` and deliver what is then due in the outbox: the unit the live
        scheduler, the start-up catch-up and `gendan tick` share."""
        outcomes = await self.runner.run_due(now, only)
        report = await self.worker.deliver_due(now)
        return outcomes, report

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run_job(self, job_id: str) -> None:
        self._track()
        try:
            for outcome in (await self.tick(self.clock(), [job_id]))[0]:
                log.info("job %s due %s: ran=%s messages=%d", outcome.job_id, outcome.due_at, outcome.ran,
                         outcome.messages)
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next wake-up within the grace", job_id)

    async def _catch_up(self) -> None:
        self._track()
        try:
            outcomes, _ = await self.tick(self.clock())
            for outcome in outcomes:
                if outcome.ran:
                    log.info("caught up %s due %s (%d messages)", outcome.job_id, outcome.due_at, outcome.messages)
        except Exception:
            log.exception("catch-up after start failed")
        finally:
            self.caught_up.set()

    async def _deliver(self) -> None:
        self._track()
        try:
            await self.worker.deliver_due(self.clock())
        except Exception:
            log.exception("outbox delivery failed; retrying at the next poll")

    def start(self) -> None:
        for year in unknown_holiday_years(self.clock().date(), self.config.calendar.holidays):
            log.warning(
                "chinese-calendar does not know the statutory holidays of %d: Monday–Friday count as working "
                "days there. Upgrade chinese-calendar or list that year's holidays in [calendar] holidays.",
                year,
            )
        for job in self.runner.jobs.values():
            self.scheduler.add_job(
                self._run_job, job.trigger(), args=[job.id], id=job.id, name=job.id, replace_existing=True
            )
        self.scheduler.add_job(
            self._deliver,
            IntervalTrigger(seconds=self.config.outbox_poll.total_seconds(), timezone=self.config.tz),
            id=OUTBOX_JOB,
            name=OUTBOX_JOB,
            replace_existing=True,
        )
        self.scheduler.add_job(self._catch_up, id=CATCH_UP_JOB, name=CATCH_UP_JOB, replace_existing=True)
        self.scheduler.start()

    @property
    def running_jobs(self) -> frozenset[asyncio.Task[None]]:
        return frozenset(self._running)

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop waking jobs, let running ones finish (cancelling them after `timeout`), then shut down.

        Awaiting them matters: the database they use is closed right after, and a job task left
        behind would be cancelled mid-query at loop close and could hang it.
        """
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        running = set(self._running)
        if running:
            _, pending = await asyncio.wait(running, timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=timeout)
        self.scheduler.shutdown(wait=False)
