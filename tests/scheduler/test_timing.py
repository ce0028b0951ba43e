from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.workdays import WorkCalendar
from scheduler.config import parse_cron
from scheduler.timing import OffDays, Timing
from scheduler.workindex import WorkdayIndex
from tests.conftest import SHANGHAI

GRACE = timedelta(hours=2)


def moment(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def test_daily_jobs_skip_statutory_holidays_and_run_on_make_up_workdays() -> None:
    digest = Timing(parse_cron("30 8 * * *", SHANGHAI), OffDays.SKIP)
    days = [t.date() for t in digest.due_times(moment(2026, 9, 26), moment(2026, 10, 12), WorkCalendar())]
    # National Day 2026: Oct 1–7 off; Sun Sep 20 and Sat Oct 10 are 调休 working days.
    assert date(2026, 10, 1) not in days and date(2026, 10, 7) not in days
    assert date(2026, 10, 10) in days
    assert date(2026, 9, 27) not in days  # an ordinary Sunday


def test_weekly_update_on_a_holiday_monday_moves_to_the_next_working_day() -> None:
    weekly = Timing(parse_cron("0 9 * * mon", SHANGHAI), OffDays.NEXT_WORKDAY)
    times = weekly.due_times(moment(2026, 9, 27), moment(2026, 10, 20), WorkCalendar())
    # Mon Oct 5 is inside the National Day holiday: that week's update goes out Thu Oct 8.
    assert times == [moment(2026, 9, 28, 9), moment(2026, 10, 8, 9), moment(2026, 10, 12, 9), moment(2026, 10, 19, 9)]


def test_the_latest_due_time_is_found_only_within_the_grace() -> None:
    scan = Timing(parse_cron("0 8-20 * * *", SHANGHAI), OffDays.SKIP)
    calendar = WorkCalendar()
    assert scan.latest_due(moment(2026, 11, 23, 10, 59), GRACE, calendar) == moment(2026, 11, 23, 10)
    assert scan.latest_due(moment(2026, 11, 23, 7, 59), GRACE, calendar) is None
    assert scan.latest_due(moment(2026, 11, 23, 22, 0), GRACE, calendar) == moment(2026, 11, 23, 20)
    assert scan.latest_due(moment(2026, 11, 23, 23, 1), GRACE, calendar) is None


def test_beyond_the_years_chinese_calendar_knows_days_fall_back_to_monday_to_friday() -> None:
    calendar = WorkCalendar()
    assert calendar.is_workday(date(2027, 1, 1))  # New Year's Day 2027, not known yet: a Friday
    assert not calendar.is_workday(date(2027, 1, 2))
    assert not WorkCalendar(holidays=[date(2027, 1, 1)]).is_workday(date(2027, 1, 1))


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
)
def test_the_workday_index_agrees_with_the_work_calendar(start: date, end: date) -> None:
    calendar = WorkCalendar(holidays=[date(2026, 11, 27)], workdays=[date(2026, 11, 28)])
    index = WorkdayIndex(calendar, date(2026, 11, 23), span_days=60)
    assert index.between(start, end) == calendar.between(start, end)
    assert index.is_workday(end) == calendar.is_workday(end)


def test_years_without_known_holidays_are_reported_unless_configured() -> None:
    from scheduler.service import unknown_holiday_years

    assert unknown_holiday_years(date(2026, 11, 23), frozenset()) == [2027]
    assert unknown_holiday_years(date(2026, 11, 23), frozenset({date(2027, 2, 8)})) == []
    assert unknown_holiday_years(date(2026, 6, 1), frozenset()) == []
