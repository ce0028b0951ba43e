"""Order status: queries and the order list."""

from __future__ import annotations

from storage.models import Order
from tests.helpers import ChatSession, create_order


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
