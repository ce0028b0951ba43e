"""What the scheduler needs to know of the deployment, built by the bot from its `[schedule]` section.

Schedules are 5-field crontab expressions (minute hour day month day-of-week) read in the
configured time zone; `parse_cron` is what the configuration validates them with. The defaults of
configurable values are defined once, in `bot.config`; only the outbox's backoff, which is not
configurable, has its values here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from handlers.links import LinkIssuer
from handlers.workdays import WorkCalendar
from scheduler.pictures.config import PictureConfig


def parse_cron(expression: str, tz: tzinfo) -> CronTrigger:
    """A CronTrigger for `expression` in `tz`, or ValueError saying what is wrong with it."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expression!r} is not a schedule: expected 5 fields 'minute hour day month day-of-week', "
            "e.g. '30 8 * * *'"
        )
    try:
        return CronTrigger.from_crontab(expression, timezone=tz)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{expression!r} is not a valid schedule: {exc}") from None


@dataclass(frozen=True)
class ScheduleConfig:
    daily_digest: str
    customer_update: str
    overdue_scan: str
    milestone_reminder: str
    escalate_after_days: int
    """An overdue milestone goes to the manager group once it is this many working days late."""
    misfire_grace: timedelta
    """A run missed (process down) is made up on start when at most this late; older ones are dropped."""
    digest_max_items: int
    """Lines listed per digest section; the rest are counted."""
    outbox_poll: timedelta
    outbox_max_attempts: int
    tz: ZoneInfo
    calendar: WorkCalendar
    bot_name: str
    outbox_backoff: timedelta = timedelta(seconds=30)
    links: LinkIssuer | None = None
    """Signs the portal link each customer update carries; None when the web pages are off."""
    outbox_backoff_max: timedelta = timedelta(hours=1)
    pictures: PictureConfig = field(default_factory=PictureConfig)
    job_retry: timedelta = timedelta(seconds=10)
    """A run that failed (the database down, say) is tried again after this, then twice as long each
    time up to `job_retry_max`, for as long as its due time is within `misfire_grace`."""
    job_retry_max: timedelta = timedelta(minutes=5)
    outbox_heartbeat_timeout: timedelta = timedelta(seconds=30)
    """An outbox worker not heard from for this long is taken for dead: its claims are void."""
    outbox_handover: timedelta = timedelta(seconds=60)
    """A chat taken over from a dead worker waits this long after its last heartbeat: the platforms'
    per-chat rate limits count a minute, and the dead worker's sends must age out of it first."""
