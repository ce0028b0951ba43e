"""The scheduled jobs and running each due time once.

`JobRunner.run_due(now)` runs every job whose latest due time (see `scheduler.timing`) lies within
the misfire grace. Each run claims its (job_id, due_at) row in `job_runs` and enqueues its messages
in ONE transaction: a second scheduler (another instance, or this one after a restart) finds the
row and does nothing; a run that fails leaves no row, and the next tick within the grace runs it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.config import ScheduleConfig, parse_cron
from scheduler.customer_update import customer_update_drafts, customer_update_for
from scheduler.digest import daily_digest
from scheduler.drafts import Draft
from scheduler.pictures.compose import Pictures
from scheduler.read_model import ChatRow, chats, open_orders
from scheduler.timing import OffDays, Timing
from scheduler.warnings import overdue_drafts, reminder_drafts
from scheduler.workindex import WorkdayIndex
from storage.database import Database
from storage.models import ChatRole, JobRun
from storage.outbox import enqueue

DAILY_DIGEST = "daily_digest"
OVERDUE_SCAN = "overdue_scan"
MILESTONE_REMINDER = "milestone_reminder"
CUSTOMER_UPDATE = "customer_update"


@dataclass(frozen=True)
class JobContext:
    job_id: str
    due_at: datetime
    """The scheduled time this run stands for; what it reports is as of this moment."""
    now: datetime
    previous_due: datetime
    config: ScheduleConfig
    index: WorkdayIndex
    pictures: Pictures

    @property
    def today(self) -> date:
        return self.due_at.astimezone(self.config.tz).date()


Build = Callable[[AsyncSession, JobContext], Awaitable[list[Draft]]]


@dataclass(frozen=True)
class Job:
    id: str
    timing: Timing
    build: Build

    def trigger(self) -> CronTrigger:
        """What the live scheduler wakes on; `run_due` then decides whether this is a due time."""
        if self.timing.off_days is OffDays.SKIP:
            return self.timing.trigger
        fields = {f.name: str(f) for f in self.timing.trigger.fields}
        return CronTrigger(minute=fields["minute"], hour=fields["hour"], timezone=self.timing.trigger.timezone)


@dataclass(frozen=True)
class JobOutcome:
    job_id: str
    due_at: datetime
    ran: bool
    """False when the due time had been run already (here, before a restart, or by another instance)."""
    messages: int = 0


async def _digest(session: AsyncSession, ctx: JobContext) -> list[Draft]:
    managers = await chats(session, ChatRole.MANAGER)
    if not managers:
        return []
    orders = await open_orders(session)
    digest = await daily_digest(
        session, now=ctx.due_at, since=ctx.previous_due, index=ctx.index, tz=ctx.config.tz,
        max_items=ctx.config.digest_max_items, orders=orders,
    )
    key = f"digest:{ctx.today.isoformat()}"
    texts = [Draft(f"{key}:c{chat.id}", chat, digest.text) for chat in managers]
    pictures = await ctx.pictures.digest_drafts(session, orders, managers, key_prefix=key, today=ctx.today,
                                                index=ctx.index)
    return texts + pictures


async def _overdue(session: AsyncSession, ctx: JobContext) -> list[Draft]:
    return await overdue_drafts(session, today=ctx.today, index=ctx.index, escalate_after=ctx.config.escalate_after_days)


async def _reminders(session: AsyncSession, ctx: JobContext) -> list[Draft]:
    return await reminder_drafts(session, today=ctx.today, index=ctx.index)


async def _customer_updates(session: AsyncSession, ctx: JobContext) -> list[Draft]:
    year, week, _ = ctx.today.isocalendar()
    drafts = await customer_update_drafts(
        session, today=ctx.today, index=ctx.index, bot_name=ctx.config.bot_name, week_key=f"{year}-W{week:02d}",
        now=ctx.due_at, links=ctx.config.links,
    )
    return drafts + await _customer_pictures(session, ctx, drafts)


async def _customer_pictures(session: AsyncSession, ctx: JobContext, updates: list[Draft]) -> list[Draft]:
    """A picture after each customer's weekly update, of that customer's orders only."""
    pictures: list[Draft] = []
    if not ctx.pictures.usable():
        return pictures
    for weekly in updates:
        orders = await open_orders(session, customer_id=weekly.chat.customer_id)
        if orders:
            draft = await ctx.pictures.customer_draft(weekly.chat, orders[0].customer, orders,
                                                      key=weekly.dedupe_key, today=ctx.today, index=ctx.index)
            pictures += [draft] if draft else []
    return pictures


def build_jobs(config: ScheduleConfig) -> list[Job]:
    def timing(expression: str, off_days: OffDays = OffDays.SKIP) -> Timing:
        return Timing(parse_cron(expression, config.tz), off_days)

    return [
        Job(DAILY_DIGEST, timing(config.daily_digest), _digest),
        Job(OVERDUE_SCAN, timing(config.overdue_scan), _overdue),
        Job(MILESTONE_REMINDER, timing(config.milestone_reminder), _reminders),
        Job(CUSTOMER_UPDATE, timing(config.customer_update, OffDays.NEXT_WORKDAY), _customer_updates),
    ]


def default_instance() -> str:
    """Unique per process start (a container's pid is 1 every time): host, pid and a random tag."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def enqueue_drafts(session: AsyncSession, drafts: Iterable[Draft], now: datetime) -> int:
    """Write each draft to the outbox whole (its platform's sender splits it); returns how many were new."""
    added = 0
    for draft in drafts:
        text = draft.text.strip("\n")
        attachment = draft.attachment
        if not text.strip() and attachment is None:
            continue
        added += await enqueue(
            session,
            dedupe_key=draft.dedupe_key,
            platform=draft.chat.platform,
            chat_id=draft.chat.chat_id,
            text=text,
            now=now,
            mention_user_ids=draft.mention_user_ids,
            attachment_kind=attachment.kind if attachment else None,
            attachment_filename=attachment.filename if attachment else None,
            attachment_data=attachment.data if attachment else None,
        )
    return added


async def _claim(session: AsyncSession, job_id: str, due_at: datetime, instance: str, now: datetime) -> bool:
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(JobRun)
        .values(job_id=job_id, due_at=due_at, instance=instance, messages=0, ran_at=now)
        .on_conflict_do_nothing(index_elements=["job_id", "due_at"])
    )
    return bool((await session.execute(statement)).rowcount)


class JobRunner:
    def __init__(self, database: Database, config: ScheduleConfig, *, instance: str | None = None) -> None:
        self.database = database
        self.config = config
        self.instance = instance or default_instance()
        self.jobs = {job.id: job for job in build_jobs(config)}
        self.pictures = Pictures(config.pictures)

    def index(self, now: datetime) -> WorkdayIndex:
        return WorkdayIndex(self.config.calendar, now.astimezone(self.config.tz).date())

    async def previous_due(self, session: AsyncSession, job: Job, due_at: datetime) -> datetime:
        """When this job last ran before `due_at` — what "since the last digest" means — else the
        schedule's previous due time, else a day earlier."""
        last = await session.scalar(
            select(func.max(JobRun.due_at)).where(JobRun.job_id == job.id, JobRun.due_at < due_at)
        )
        if last is not None:
            return last
        scheduled = job.timing.previous_due(due_at, self.config.calendar, timedelta(days=15))
        return scheduled or due_at - timedelta(days=1)

    async def run_due(self, now: datetime, only: Iterable[str] | None = None) -> list[JobOutcome]:
        outcomes: list[JobOutcome] = []
        names = set(only) if only is not None else set(self.jobs)
        for job in self.jobs.values():
            if job.id not in names:
                continue
            due_at = job.timing.latest_due(now, self.config.misfire_grace, self.config.calendar)
            if due_at is not None:
                outcomes.append(await self.run_once(job, due_at, now))
        return outcomes

    async def run_once(self, job: Job, due_at: datetime, now: datetime) -> JobOutcome:
        index = self.index(due_at)

        async def work(session: AsyncSession) -> JobOutcome:
            if not await _claim(session, job.id, due_at, self.instance, now):
                return JobOutcome(job.id, due_at, ran=False)
            previous = await self.previous_due(session, job, due_at)
            ctx = JobContext(job.id, due_at, now, previous, self.config, index, self.pictures)
            count = await enqueue_drafts(session, await job.build(session, ctx), now)
            await session.execute(
                update(JobRun).where(JobRun.job_id == job.id, JobRun.due_at == due_at).values(messages=count)
            )
            return JobOutcome(job.id, due_at, ran=True, messages=count)

        return await self.database.run(work)

    async def preview(self, chat: ChatRow, now: datetime) -> str | None:
        """What `chat` would be sent at `now` by its role's jobs, without recording anything."""
        index = self.index(now)
        today = now.astimezone(self.config.tz).date()

        async def work(session: AsyncSession) -> str | None:
            if chat.role == ChatRole.MANAGER:
                job = self.jobs[DAILY_DIGEST]
                since = await self.previous_due(session, job, now)
                digest = await daily_digest(
                    session, now=now, since=since, index=index, tz=self.config.tz,
                    max_items=self.config.digest_max_items,
                )
                return digest.text
            if chat.role == ChatRole.CUSTOMER:
                return await customer_update_for(session, chat, today=today, index=index, bot_name=self.config.bot_name,
                                                 now=now, links=self.config.links)
            if chat.role == ChatRole.DEPARTMENT:
                drafts = await overdue_drafts(session, today=today, index=index,
                                              escalate_after=self.config.escalate_after_days)
                drafts += await reminder_drafts(session, today=today, index=index)
                texts = [d.text for d in drafts if d.chat.id == chat.id]
                return "\n\n".join(texts) or None
            return None

        async with self.database.transaction() as session:
            return await work(session)

    async def preview_picture(self, chat: ChatRow, now: datetime) -> bytes | None:
        """The picture `chat` would be sent at `now` (managers: the digest's; customers: the weekly
        update's), or None when there is none to send; FontUnavailable when no CJK font is found."""
        index = self.index(now)
        today = now.astimezone(self.config.tz).date()
        self.pictures.font()
        async with self.database.transaction() as session:
            if chat.role == ChatRole.MANAGER:
                return await self.pictures.digest_png(session, await open_orders(session), today=today, index=index)
            if chat.role == ChatRole.CUSTOMER and chat.customer_id is not None:
                orders = await open_orders(session, customer_id=chat.customer_id)
                if orders:
                    return await self.pictures.customer_png(orders[0].customer, orders, today=today, index=index)
            return None
