"""When a job is due: its crontab fire times, kept to working days, within the misfire grace.

A job is due at `now` when its latest fire time at or before `now` is no older than the grace
window. The live scheduler, start-up catch-up and `gendan tick` all ask this same question, and the
`job_runs` lease makes sure each due time is run once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from apscheduler.triggers.cron import CronTrigger

from handlers.workdays import WorkCalendar

_TICK = timedelta(microseconds=1)


class OffDays(Enum):
    SKIP = "skip"
    """Fire times on days off are dropped (digests, scans, reminders)."""
    NEXT_WORKDAY = "next_workday"
    """A fire time on a day off moves to the same time on the next working day (weekly updates)."""


@dataclass(frozen=True)
class Timing:
    trigger: CronTrigger
    off_days: OffDays

    def fire_times(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """The crontab's own fire times in [start, end]."""
        moment = self.trigger.get_next_fire_time(None, start)
        while moment is not None and moment <= end:
            yield moment
            moment = self.trigger.get_next_fire_time(moment, moment + _TICK)

    def due_times(self, start: datetime, end: datetime, calendar: WorkCalendar) -> list[datetime]:
        """Working-day fire times in [start, end], after moving or dropping those on days off."""
        lookback = timedelta(days=15) if self.off_days is OffDays.NEXT_WORKDAY else timedelta(0)
        found: set[datetime] = set()
        for moment in self.fire_times(start - lookback, end):
            if not calendar.is_workday(moment.date()):
                if self.off_days is OffDays.SKIP:
                    continue
                moment = _next_workday_same_time(moment, calendar)
            if start <= moment <= end:
                found.add(moment)
        return sorted(found)

    def latest_due(self, now: datetime, grace: timedelta, calendar: WorkCalendar) -> datetime | None:
        """The latest due time within (now - grace, now], or None."""
        local_now = now.astimezone(self.trigger.timezone)
        times = self.due_times(local_now - grace, local_now, calendar)
        return times[-1] if times else None

    def previous_due(self, before: datetime, calendar: WorkCalendar, within: timedelta) -> datetime | None:
        times = self.due_times(before - within, before - _TICK, calendar)
        return times[-1] if times else None


def _next_workday_same_time(moment: datetime, calendar: WorkCalendar) -> datetime:
    day = moment.date()
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return moment.replace(year=day.year, month=day.month, day=day.day)
