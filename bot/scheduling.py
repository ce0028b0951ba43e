"""The scheduler in the app: its settings from `[schedule]`, and the cleanup context that runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from bot.config import Settings
from bot.keys import RUNTIME, SCHEDULER, SENDERS, SETTINGS
from bot.web.links import LinkSigner
from scheduler.config import ScheduleConfig
from scheduler.pictures.config import PictureConfig
from scheduler.printing import PrintSender
from scheduler.service import SchedulerService


def schedule_config(settings: Settings) -> ScheduleConfig:
    schedule = settings.schedule
    return ScheduleConfig(
        daily_digest=schedule.daily_digest,
        customer_update=schedule.customer_update,
        overdue_scan=schedule.overdue_scan,
        milestone_reminder=schedule.milestone_reminder,
        escalate_after_days=schedule.escalate_after_days,
        misfire_grace=timedelta(minutes=schedule.misfire_grace_minutes),
        digest_max_items=schedule.digest_max_items,
        outbox_poll=timedelta(seconds=schedule.outbox_poll_seconds),
        outbox_max_attempts=schedule.outbox_max_attempts,
        tz=settings.general.tz,
        calendar=settings.calendar.work_calendar,
        bot_name=settings.general.bot_name,
        links=LinkSigner(settings) if settings.web.enabled else None,
        pictures=picture_config(settings),
    )


def picture_config(settings: Settings) -> PictureConfig:
    pictures = settings.pictures
    return PictureConfig(
        enabled=pictures.enabled,
        font_path=pictures.font_path or None,
        max_bars=pictures.max_bars,
        # where to look instead when a route cannot carry the picture: the board, when it is served
        board_url=settings.public_url if settings.web.enabled else None,
    )


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the scheduler after the runtime is open; stop it before the runtime closes."""
    settings = app[SETTINGS]
    app[SENDERS].setdefault(PrintSender.platform, PrintSender())
    if not settings.schedule.enabled:
        yield
        return
    service = SchedulerService(app[RUNTIME].database, schedule_config(settings), app[SENDERS])
    app[SCHEDULER] = service
    service.start()
    try:
        yield
    finally:
        await service.stop()
