"""Recording progress: who and when, repeated and backwards progress flagged."""

from __future__ import annotations

from tests.helpers import ChatSession, create_order, events, milestone


async def test_progress_is_recorded_with_who_and_when(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("订单123 焊接完成")
    assert reply.text == "已记录：订单123 焊接 ✅ 完成（张三 11-23 10:00）"
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
