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


async def test_an_order_that_exactly_fits_is_not_told_it_is_too_late(chat) -> None:
    """Issue 17 #6: the first step starting today is on time; a day less is compressed, and the
    start date named is the working day the first step had to start on."""
    from tests.conftest import NOW
    from tests.helpers import create_order

    calendar = chat.runtime.handler_settings.calendar
    today = NOW.date()
    total = sum(step.days for step in DEFAULT_TEMPLATE.milestones)
    fits = calendar.add(today, total - 1)
    reply = await create_order(chat, "301", fits.isoformat())
    assert "来不及" not in reply.text, reply.text
    tight = calendar.add(today, total - 2)
    reply = await create_order(chat, "302", tight.isoformat())
    yesterday = calendar.add(today, -1)
    assert f"应在 {yesterday:%m-%d} 开工，已经来不及" in reply.text, reply.text
