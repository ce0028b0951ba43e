"""Recording progress: who and when, repeated and backwards progress flagged, the order following its steps."""

from __future__ import annotations

import pytest

from bot.config import parse_settings
from bot.runtime import open_runtime
from tests.conftest import NOW
from tests.helpers import ChatSession, create_order, events, milestone, order


async def test_progress_is_recorded_with_who_and_when(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("订单123 焊接完成")
    assert reply.text.startswith("已记录：订单123 焊接 ✅ 完成（张三 11-23 10:00）")
    welded = await milestone(chat.runtime, "123", "焊接")
    assert welded.status == "done" and welded.finished_at is not None
    [event] = await events(chat.runtime, "progress")
    assert event.actor_id == "张三" and event.chat_id == "焊接车间群" and event.message_id
    assert event.raw_text == "订单123 焊接完成"
    assert event.item["milestone"] == "焊接" and event.item["status"] == "done"
    assert event.before["status"] == "pending"


async def test_progress_on_a_finished_milestone_is_recorded_and_flagged(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单123 焊接完成")
    reply = await chat.say("订单123 焊接完成")
    assert "已记为完成" in reply.text and "重复" in reply.text
    assert len(await events(chat.runtime, "progress")) == 2
    assert (await events(chat.runtime, "progress"))[1].flagged


async def test_progress_going_backwards_is_recorded_and_flagged(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单123 涂装80%")
    reply = await chat.say("订单123 涂装60%")
    assert "进度倒退" in reply.text
    assert (await milestone(chat.runtime, "123", "涂装")).percent == 60


@pytest.mark.parametrize("role", ["shipping", None])
async def test_the_shipping_step_is_the_one_with_the_shipping_role(settings_data: dict, role: str | None) -> None:
    shipping_step = {"name": "装车", "days": 1} | ({"role": role} if role else {})
    settings_data["templates"] = [{"name": "线A", "milestones": [{"name": "总装", "days": 2}, shipping_step,
                                                                {"name": "签收", "days": 1}]}]
    async with open_runtime(parse_settings(settings_data, environ={})) as runtime:
        chat = await ChatSession(runtime, now=NOW).bind_chat("department", department="总装车间")
        await create_order(chat, due="2026-12-30")
        await chat.say("订单123 总装完成")
        assert (await chat.say("订单123 装车完成")).ok
        assert (await order(runtime, "123")).status == ("shipped" if role else "in_production")


async def test_finishing_a_step_while_earlier_ones_are_not_started_is_flagged(chat) -> None:
    """Issue 17 feature: 焊接 done while 排产、领料、下料 have no record is worth a question."""
    from tests.helpers import create_order, events

    await create_order(chat)
    reply = await chat.say("订单123 焊接完成")
    assert reply.ok and "⚠️ 前面的 排产、领料、下料 还没有开始的记录" in reply.text, reply.text
    [event] = await events(chat.runtime, "progress")
    assert "漏报" in event.flagged
    assert "⚠️" not in (await chat.say("订单123 排产完成")).text  # nothing before 排产
