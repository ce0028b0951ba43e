from __future__ import annotations

from datetime import date

import pytest

from handlers.planning import lay_out
from handlers.templates import DEFAULT_TEMPLATE
from handlers.workdays import WorkCalendar
from storage.models import Event, Order
from tests.helpers import ChatSession, count, create_order


async def test_new_order_lays_out_the_plan_backwards_from_the_due_date(chat: ChatSession) -> None:
    reply = await create_order(chat, due="2026-12-20")
    assert "已新建订单 123" in reply.text
    progress = await chat.say("进度 123")
    # 12-20 is a Sunday: 验收 falls on the working day before it, and every step before it ends
    # where the next one's working days begin.
    assert "10. 验收 ⏳ 未开始，计划 12-18" in progress.text
    assert "9. 发货 ⏳ 未开始，计划 12-15" in progress.text
    assert "1. 排产" in progress.text


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


async def test_a_plan_that_does_not_fit_is_compressed_and_flagged(chat: ChatSession) -> None:
    reply = await create_order(chat, due="2026-11-27")
    assert "来不及" in reply.text and "评审" in reply.text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("123 华东机械 搅拌机 50台 2026-12-20", "已经存在"),
        ("124 华东机械 搅拌机 50台 2026-11-01", "已经过去"),
        ("125 华东机械 搅拌机 0 2026-12-20", "大于 0"),
        ("126 华东机械 搅拌机 -5 2026-12-20", "负数"),
        ("127 华东机械 搅拌机 许多 2026-12-20", "不是一个数字"),
        ("128 华东机械 搅拌机 50台 2026-12-20 模板=不存在", "没有名为「不存在」的里程碑模板"),
        ("129 华东机械 搅拌机 50台 明年", "日期「明年」看不懂"),
        ("130 华东机械 搅拌机", "需要 5 项"),
        ("订单@@ 华东机械 搅拌机 50台 2026-12-20", "不合规"),
    ],
)
async def test_bad_order_input_gets_a_clear_reply_and_changes_nothing(chat: ChatSession, args: str, expected: str) -> None:
    await create_order(chat)
    orders, logged = await count(chat.runtime, Order), await count(chat.runtime, Event)
    reply = await chat.say(f"新建订单 {args}")
    assert not reply.ok
    assert expected in reply.text
    assert await count(chat.runtime, Order) == orders
    assert await count(chat.runtime, Event) == logged


async def test_unknown_order_in_a_query_suggests_close_ones(chat: ChatSession) -> None:
    await create_order(chat, "A2311-08")
    reply = await chat.say("进度 A2311-09")
    assert not reply.ok and "没有找到订单 A2311-09" in reply.text and "A2311-08" in reply.text


async def test_order_list_puts_late_orders_first(chat: ChatSession) -> None:
    await create_order(chat, "200", due="2026-12-30")
    await create_order(chat, "201", due="2026-11-27")  # compressed: its early steps are due today
    chat.now = chat.now.replace(day=26)
    reply = await chat.say("订单列表")
    lines = [line for line in reply.text.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- 201") and "逾期" in lines[0]
    assert lines[1].startswith("- 200") and "逾期" not in lines[1]
    assert "共 2 个，其中逾期 1 个" in reply.text


async def test_order_list_filters_by_customer(chat: ChatSession) -> None:
    await create_order(chat, "300")
    await chat.say("新建订单 301 南方重工 输送机 20套 2026-12-30")
    reply = await chat.say("订单列表 南方重工")
    assert "301" in reply.text and "300" not in reply.text
