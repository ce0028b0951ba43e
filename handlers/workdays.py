"""Working days: mainland-China statutory holidays and make-up days, plus company exceptions.

The statutory years come from the `chinese_calendar` library, or from a year imported with
`gendan calendar import` (stored in the database, loaded at start and at import). A year neither
knows is guessed Monday–Friday, and every plan or forecast reaching it says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

WEEKEND = ("周六", "周日")
_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}
"""The library names a holiday in English ("National Day"); the bot says 国庆节."""


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day of a year's official schedule: a day off (holiday) or a make-up working day."""

    day: date
    name: str
    off: bool


@lru_cache(maxsize=64)
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self._imported: dict[int, dict[date, CalendarDay]] = {}

    def load_year(self, year: int, days: Iterable[CalendarDay]) -> None:
        """Use this schedule for `year` from now on (replacing the library's or an earlier import)."""
        self._imported[year] = {d.day: d for d in days}

    def knows(self, year: int) -> bool:
        return year in self._imported or _library_knows(year)

    def unknown_years(self, days: Iterable[date]) -> list[int]:
        return sorted({day.year for day in days if not self.knows(day.year)})

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        imported = self._imported.get(day.year)
        if imported is not None:
            entry = imported.get(day)
            return not entry.off if entry is not None else day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # Beyond the years the library knows: fall back to Monday–Friday (and warn: `unknown_years`).
            return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        """What makes `day` a day off ("国庆节", "公司假期", "周六"), or None on a working day."""
        if self.is_workday(day):
            return None
        if day in self.holidays:
            return "公司假期"
        entry = self._imported.get(day.year, {}).get(day)
        if entry is not None:
            return entry.name
        if _library_knows(day.year):
            _, holiday = chinese_calendar.get_holiday_detail(day)
            if holiday is not None:
                return _CHINESE_NAMES.get(holiday, holiday)
        return WEEKEND[day.weekday() - 5] if day.weekday() >= 5 else "休息日"

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


def unknown_year_note(calendar: WorkCalendar, days: Iterable[date]) -> str | None:
    """The warning for a plan or forecast that reaches a year the calendar does not know, or None."""
    years = calendar.unknown_years(days)
    if not years:
        return None
    named = "、".join(str(year) for year in years)
    return (
        f"⚠️ 工作日历里没有 {named} 年的法定节假日和调休安排，这些日期暂按周一至周五算（元旦、春节等没有避开）。"
        f"请管理员导入当年安排：gendan calendar import 文件.json"
    )


def forecast_note(calendar: WorkCalendar, day: date) -> str | None:
    """The warning for a forecast date on a day off, or in a year the calendar does not know."""
    unknown = unknown_year_note(calendar, [day])
    if unknown is not None:
        return unknown
    name = calendar.holiday_name(day)
    if name is None:
        return None
    what = f"{name}假期" if name not in (*WEEKEND, "休息日") else name
    return f"⚠️ {day.month:02d}-{day.day:02d} 是{what}（不是工作日），请确认这天真的有人做。"
