"""WorkdayIndex.add answers exactly what WorkCalendar.add answers, from any day, either way."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.workdays import WorkCalendar
from scheduler.workindex import WorkdayIndex

CALENDAR = WorkCalendar(holidays=(date(2026, 11, 27), date(2027, 3, 1)), workdays=(date(2026, 12, 5),))
AROUND = date(2026, 11, 23)


@settings(max_examples=300, deadline=None)
@given(offset=st.integers(-500, 500), workdays=st.integers(-120, 120), span=st.sampled_from([10, 60, 400]))
def test_add_agrees_with_the_calendar(offset: int, workdays: int, span: int) -> None:
    index = WorkdayIndex(CALENDAR, AROUND, span_days=span)
    day = AROUND + timedelta(days=offset)
    assert index.add(day, workdays) == CALENDAR.add(day, workdays)


def test_add_across_a_holiday_and_a_working_weekend() -> None:
    index = WorkdayIndex(CALENDAR, AROUND, span_days=30)
    assert index.add(date(2026, 11, 26), 1) == date(2026, 11, 30)  # Friday 27th is a company holiday
    assert index.add(date(2026, 12, 4), 1) == date(2026, 12, 5)  # a working Saturday
    assert index.add(date(2026, 11, 30), -1) == date(2026, 11, 26)
