"""Planning: laying out a plan backwards over working days."""

from __future__ import annotations

from datetime import date

from handlers.planning import lay_out
from handlers.templates import DEFAULT_TEMPLATE
from handlers.workdays import WorkCalendar


def test_plan_counts_working_days_and_skips_statutory_holidays() -> None:
    calendar = WorkCalendar()
    # 2026-10-01..07 is the National Day holiday; the plan must jump over it.
    plan = lay_out(DEFAULT_TEMPLATE, date(2026, 10, 9), date(2026, 9, 1), calendar)
    dates = [step.planned_date for step in plan.steps]
    assert dates == sorted(dates)
    assert all(calendar.is_workday(d) for d in dates)
    assert not any(date(2026, 10, 1) <= d <= date(2026, 10, 7) for d in dates)
    assert not plan.compressed


def test_company_holidays_and_workdays_come_from_configuration() -> None:
    calendar = WorkCalendar(holidays=[date(2026, 11, 25)], workdays=[date(2026, 11, 28)])
    assert not calendar.is_workday(date(2026, 11, 25))
    assert calendar.is_workday(date(2026, 11, 28))  # a Saturday made a working day
    assert calendar.add(date(2026, 11, 24), 1) == date(2026, 11, 26)
