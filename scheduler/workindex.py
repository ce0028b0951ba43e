"""Fast working-day arithmetic for scans over thousands of orders.

`WorkCalendar.between` walks day by day; a digest asks it tens of thousands of times over the
same few months, so this index memoises each day's answer and keeps running counts.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from handlers.workdays import WorkCalendar


class WorkdayIndex:
    def __init__(self, calendar: WorkCalendar, around: date, span_days: int = 400) -> None:
        self.calendar = calendar
        self.origin = around - timedelta(days=span_days)
        self._prefix: list[int] = [0]  # _prefix[i] = working days in (origin, origin + i]
        self._extend(2 * span_days)

    def _extend(self, length: int) -> None:
        prefix = self._prefix
        day = self.origin + timedelta(days=len(prefix) - 1)
        while len(prefix) <= length:
            day += timedelta(days=1)
            prefix.append(prefix[-1] + (1 if self.calendar.is_workday(day) else 0))

    def _cover(self, day: date) -> None:
        offset = (day - self.origin).days
        if offset < 0:  # rebuild from further back, over the same end
            end = len(self._prefix) - offset + 30
            self.origin, self._prefix = day - timedelta(days=30), [0]
            self._extend(end)
        elif offset >= len(self._prefix):
            self._extend(offset + 60)

    def _rank(self, day: date) -> int:
        return self._prefix[(day - self.origin).days]

    def is_workday(self, day: date) -> bool:
        offset = (day - self.origin).days
        if 0 < offset < len(self._prefix):
            return self._prefix[offset] != self._prefix[offset - 1]
        return self.calendar.is_workday(day)

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
        self._cover(start)
        self._cover(end)
        return self._rank(end) - self._rank(start)

    def add(self, day: date, workdays: int) -> date:
        """The same date as `WorkCalendar.add`, found by binary search over the running counts
        (the board projects a finish date for every open order on each request)."""
        if workdays == 0:
            return day
        if workdays > 0:
            self._cover(day)
            target = self._rank(day) + workdays
        else:  # the |workdays|-th working day before `day`
            before = day - timedelta(days=1)
            self._cover(before)
            target = self._rank(before) + workdays + 1
            if target < 1:
                return self.calendar.add(day, workdays)
        while (offset := bisect_left(self._prefix, target)) >= len(self._prefix):
            self._extend(len(self._prefix) + 2 * abs(workdays) + 60)
        return self.origin + timedelta(days=offset)
