"""Order status: queries and the order list."""

from __future__ import annotations

from storage.models import Order
from tests.helpers import ChatSession, create_order


async def test_unknown_order_in_a_query_suggests_close_ones(chat: ChatSession) -> None:
    await create_order(chat, "A2311-08")
    reply = await chat.say("进度 A2311-09")
    assert not reply.ok and "这里查不到订单 A2311-09" in reply.text and "A2311-08" in reply.text


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


async def test_status_agrees_with_the_plan(chat: ChatSession) -> None:
    """Issue 17 #15: 「状态：已排产」 while the 排产 step is ⏳ 未开始 contradicted the plan."""
    await create_order(chat)
    reply = await chat.say("进度 123")
    assert "排产 ⏳ 未开始" in reply.text and "已排产" not in reply.text, reply.text
    assert "状态：已排计划，未开工" in reply.text
    await chat.say("订单123 排产完成")
    assert "状态：生产中" in (await chat.say("进度 123")).text


async def test_urgency_and_owner_are_shown_in_progress_and_the_list(chat: ChatSession) -> None:
    """Issue 17 #17: 加急 and 负责人 were shown nowhere."""
    await create_order(chat, "123", extra="优先级=加急 负责人=李娜")
    await create_order(chat, "124")
    progress = (await chat.say("进度 123")).text
    assert "🔴加急" in progress and "负责人 李娜" in progress
    listing = (await chat.say("订单列表")).text
    [line] = [row for row in listing.splitlines() if row.startswith("- 123")]
    assert "🔴加急" in line and "负责人 李娜" in line
    [plain] = [row for row in listing.splitlines() if row.startswith("- 124")]
    assert "加急" not in plain and "负责人" not in plain


async def test_a_bare_quantity_takes_the_templates_unit(chat: ChatSession) -> None:
    reply = await chat.say("新建订单 203 华南电子 控制板 100 2026-12-20")
    assert "控制板 100台" in reply.text  # the default template counts 台
