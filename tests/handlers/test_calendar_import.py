"""A year the calendar does not know is warned about; `gendan calendar import` teaches it (holiday-cn JSON)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.config import Settings, parse_settings
from bot.runtime import open_runtime
from handlers.calendar_import import CalendarFileError, parse_holiday_cn, store_year
from handlers.workdays import WorkCalendar
from tests.conftest import NOW
from tests.helpers import ChatSession, create_order, milestone

YEAR_2027 = {
    "year": 2027,
    "papers": [],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-06", "isOffDay": True},
        {"name": "春节", "date": "2027-02-07", "isOffDay": True},
        {"name": "春节", "date": "2027-02-08", "isOffDay": True},
        {"name": "春节", "date": "2027-02-09", "isOffDay": True},
        {"name": "春节", "date": "2027-02-10", "isOffDay": True},
        {"name": "春节", "date": "2027-02-11", "isOffDay": True},
        {"name": "春节", "date": "2027-02-12", "isOffDay": True},
        {"name": "春节", "date": "2027-02-13", "isOffDay": False},
    ],
}


def test_an_imported_year_replaces_the_weekday_guess() -> None:
    calendar = WorkCalendar()
    assert calendar.unknown_years([date(2026, 12, 1), date(2027, 1, 4)]) == [2027]
    assert calendar.is_workday(date(2027, 1, 1))  # a Friday, only guessed
    calendar.load_year(*parse_holiday_cn(json.dumps(YEAR_2027)))
    assert calendar.unknown_years([date(2027, 1, 4)]) == []
    assert not calendar.is_workday(date(2027, 1, 1)) and calendar.holiday_name(date(2027, 1, 1)) == "元旦"
    assert calendar.is_workday(date(2027, 2, 13))  # a make-up Saturday
    assert not calendar.is_workday(date(2027, 2, 10))
    assert calendar.holiday_name(date(2026, 10, 1)) == "国庆节"  # the library's years keep their names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "不是合法的 JSON"),
        ('{"days": []}', "缺少 year"),
        ('{"year": 2027, "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}]}', "不在 2027 年"),
        ('{"year": 2027, "days": [{"name": "元旦", "date": "1月1日", "isOffDay": true}]}', "日期"),
        ('{"year": 2027, "days": [{"date": "2027-01-01"}]}', "isOffDay"),
        ('{"year": 2027, "days": []}', "没有任何日期"),
    ],
)
def test_a_bad_calendar_file_is_refused_in_chinese(text: str, expected: str) -> None:
    with pytest.raises(CalendarFileError, match=expected):
        parse_holiday_cn(text)


async def test_a_plan_into_an_unknown_year_warns_until_the_year_is_imported(chat: ChatSession, settings: Settings) -> None:
    reply = await create_order(chat, "201", due="2027-01-08")
    assert "工作日历里没有 2027 年的法定节假日" in reply.text
    assert (await milestone(chat.runtime, "201", "验收")).planned_date == date(2027, 1, 8)

    year, days = parse_holiday_cn(json.dumps(YEAR_2027))
    await chat.runtime.database.run(lambda session: store_year(session, year, days, NOW))
    async with open_runtime(settings) as restarted:  # stored in the database, loaded at start
        again = ChatSession(restarted, now=NOW)
        reply = await create_order(again, "202", due="2027-01-04")
        assert "工作日历里没有" not in reply.text
        # 验收 takes 3 working days back from Monday 01-04: 12-31, 12-30, 12-29 (元旦 is off); unknown, 12-30
        assert (await milestone(restarted, "202", "发货")).planned_date == date(2026, 12, 29)


async def test_a_due_date_change_into_an_unknown_year_warns(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-20")
    reply = await chat.say("客户要求123交期改到1月15号")
    assert "工作日历里没有 2027 年" in reply.text


async def test_a_forecast_on_a_holiday_is_pointed_out(chat: ChatSession) -> None:
    chat.runtime.handler_settings.calendar.load_year(*parse_holiday_cn(json.dumps(YEAR_2027)))
    await create_order(chat, due="2027-01-20")
    reply = await chat.say("123 焊接预计1月1号完成")
    assert reply.ok and "01-01 是元旦假期" in reply.text


def test_list_settings_accept_the_environment_variable_form() -> None:
    settings = parse_settings({}, environ={"GENDAN_CALENDAR_HOLIDAYS": "2027-01-01, 2027-02-06",
                                           "GENDAN_CALENDAR_WORKDAYS": "2027-02-13"})
    assert settings.calendar.holidays == (date(2027, 1, 1), date(2027, 2, 6))
    assert settings.calendar.workdays == (date(2027, 2, 13),)
