"""The live scheduler inside `gendan run`: APScheduler 3 (AsyncIOScheduler) waking the jobs, and
the outbox worker polling.

APScheduler keeps its jobs in memory under stable ids (`replace_existing`), so a restart never
duplicates them; what survives a restart is the `job_runs` table. On start a catch-up pass runs
whatever fell due while the process was down, if no older than the misfire grace — once, because
the run's lease row is written with its messages.

A wake-up that fails (the database restarting at 08:30, say) is not left to the job's next
occurrence — tomorrow's digest: it is woken again after `job_retry`, backing off, for as long as
the due time it stands for is still within the misfire grace. A retry that finds the due time
already run (by another instance) does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import chinese_calendar
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
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
RETRY_SUFFIX = ":retry"


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
        self.worker = OutboxWorker(database, senders, config, instance=self.runner.instance)
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

    async def _run_job(self, job_id: str, attempt: int = 0) -> None:
        self._track()
        try:
            for outcome in (await self.tick(self.clock(), [job_id]))[0]:
                log.info("job %s due %s: ran=%s messages=%d", outcome.job_id, outcome.due_at, outcome.ran,
                         outcome.messages)
        except Exception:
            self._retry_later(job_id, attempt, [job_id])

    async def _catch_up(self, attempt: int = 0) -> None:
        self._track()
        try:
            outcomes, _ = await self.tick(self.clock())
            for outcome in outcomes:
                if outcome.ran:
                    log.info("caught up %s due %s (%d messages)", outcome.job_id, outcome.due_at, outcome.messages)
        except Exception:
            self._retry_later(CATCH_UP_JOB, attempt, list(self.runner.jobs))
        finally:
            self.caught_up.set()

    def retry_delay(self, attempt: int) -> timedelta:
        """How long after failed attempt number `attempt` (0 = the scheduled wake-up) to try again."""
        return min(self.config.job_retry * (2**attempt), self.config.job_retry_max)

    def _retry_later(self, name: str, attempt: int, job_ids: list[str]) -> None:
        """Wake `name` again after a failure while any of `job_ids` still has a due time within the grace."""
        delay = self.retry_delay(attempt)
        when = self.clock() + delay
        still_due = [
            job_id for job_id in job_ids
            if self.runner.jobs[job_id].timing.latest_due(when, self.config.misfire_grace, self.config.calendar)
        ]
        if not still_due:
            log.exception("scheduled %s failed and its misfire grace is over; it runs at its next due time", name)
            return
        log.warning("scheduled %s failed (attempt %d); trying again in %s", name, attempt + 1, delay, exc_info=True)
        run = self._catch_up if name == CATCH_UP_JOB else self._run_job
        args = [attempt + 1] if name == CATCH_UP_JOB else [name, attempt + 1]
        self.scheduler.add_job(
            run,
            DateTrigger(datetime.now(self.config.tz) + delay, timezone=self.config.tz),
            args=args,
            id=f"{name}{RETRY_SUFFIX}",
            name=f"{name}{RETRY_SUFFIX}",
            replace_existing=True,
            misfire_grace_time=None,
        )

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
        try:
            await self.worker.retire()
        except Exception:  # the database may be down: the heartbeat timeout frees the chats then
            log.warning("outbox worker could not hand its chats over on stop", exc_info=True)
