"""Working days: mainland-China statutory holidays and make-up days, plus company exceptions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar


class WorkCalendar:
    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # Beyond the years the library knows: fall back to Monday–Friday.
            return day.weekday() < 5

    def add(self, day: date, workdays: int) -> date:
        """The date `workdays` working days after (or, if negative, before) `day`."""
        step = 1 if workdays >= 0 else -1
        remaining = abs(workdays)
        while remaining:
            day += timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count
