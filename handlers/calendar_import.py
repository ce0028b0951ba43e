"""A year's statutory holidays and make-up days, imported from holiday-cn JSON and kept in the database.

The file format is the one of the holiday-cn project (from the State Council notice):
`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}`.
Stored rows are loaded into the shared `WorkCalendar` at start and at import, so plans use them at once.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.workdays import CalendarDay, WorkCalendar
from storage.models import StoredCalendarDay


class CalendarFileError(ValueError):
    """The file is not a usable holiday-cn year; the message says why, in zh-CN."""


def parse_holiday_cn(text: str) -> tuple[int, list[CalendarDay]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CalendarFileError(f"不是合法的 JSON：{error.msg}（第 {error.lineno} 行）") from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise CalendarFileError("缺少 year（年份，整数），格式：{\"year\": 2027, \"days\": [...]}")
    year = data["year"]
    if not isinstance(data.get("days"), list) or not data["days"]:
        raise CalendarFileError(f"{year} 年的文件里没有任何日期（days 为空）")
    days: list[CalendarDay] = []
    for number, entry in enumerate(data["days"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("isOffDay"), bool):
            raise CalendarFileError(f"第 {number} 个日期缺少 isOffDay（true 放假 / false 调休上班）")
        try:
            day = date.fromisoformat(str(entry.get("date")))
        except ValueError:
            raise CalendarFileError(f"第 {number} 个日期「{entry.get('date')}」不是 YYYY-MM-DD 格式的日期") from None
        if day.year != year:
            raise CalendarFileError(f"第 {number} 个日期 {day} 不在 {year} 年")
        days.append(CalendarDay(day, str(entry.get("name") or "节假日")[:32], entry["isOffDay"]))
    return year, days


def summary(year: int, days: list[CalendarDay]) -> str:
    off = Counter(d.name for d in days if d.off)
    make_up = sum(1 for d in days if not d.off)
    holidays = "、".join(f"{name} {count} 天" for name, count in off.items())
    return f"已导入 {year} 年的放假安排：放假 {sum(off.values())} 天（{holidays}），调休上班 {make_up} 天。"


async def store_year(session: AsyncSession, year: int, days: list[CalendarDay], now: datetime) -> None:
    """Replace the stored schedule of `year` with `days`."""
    await session.execute(delete(StoredCalendarDay).where(StoredCalendarDay.year == year))
    session.add_all(
        StoredCalendarDay(year=year, day=d.day, name=d.name, off=d.off, imported_at=now) for d in days
    )
    await session.flush()


async def load_stored(session: AsyncSession, calendar: WorkCalendar) -> list[int]:
    """Load every stored year into the calendar; returns the years loaded."""
    rows = list(await session.scalars(select(StoredCalendarDay).order_by(StoredCalendarDay.day)))
    by_year: dict[int, list[CalendarDay]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(CalendarDay(row.day, row.name, row.off))
    for year, days in by_year.items():
        calendar.load_year(year, days)
    return sorted(by_year)
