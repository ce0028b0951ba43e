"""What the scheduler needs to know of the deployment, built by the bot from its `[schedule]` section.

Schedules are 5-field crontab expressions (minute hour day month day-of-week) read in the
configured time zone; `parse_cron` is what the configuration validates them with. The defaults of
configurable values are defined once, in `bot.config`; only the outbox's backoff, which is not
configurable, has its values here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from handlers.workdays import WorkCalendar

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
    outbox_backoff_max: timedelta = timedelta(hours=1)
