"""Undo (撤销): the sender's last record in this chat, restored."""

from __future__ import annotations

from storage.models import Event
from tests.helpers import ChatSession, count, create_order, events, milestone


async def test_undo_restores_the_previous_state_and_keeps_the_record(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单123 涂装50%")
    await chat.say("订单123 涂装完成")
    reply = await chat.say("撤销")
    assert "已撤销" in reply.text
    painted = await milestone(chat.runtime, "123", "涂装")
    assert painted.status == "in_progress" and painted.percent == 50
    progress = await events(chat.runtime, "progress")
    assert [e.undone_at is not None for e in progress] == [False, True]
    [undo] = await events(chat.runtime, "undo")
    assert progress[1].undone_by == undo.id
    assert await count(chat.runtime, Event) == 4  # created, two progress, one undo: nothing deleted


async def test_undo_only_touches_the_senders_own_records_in_this_chat(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单123 焊接完成")
    other = chat.other(user="李四")
    assert "没有可以撤销的记录" in (await other.say("撤销")).text
    assert (await milestone(chat.runtime, "123", "焊接")).status == "done"


async def test_undoing_a_new_order_marks_it_cancelled(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("撤销")
    progress = await chat.say("进度 123")
    assert "已撤销" in progress.text
    assert "123" not in (await chat.say("订单列表")).text.replace("没有在制订单", "")


async def test_undo_of_a_named_exception_undoes_that_one_not_the_last_record(chat: ChatSession) -> None:
    """Issue 17 #4: 「撤销 异常#1」 names its target; the sender's later progress stays."""
    await create_order(chat)
    assert (await chat.say("123 缺料，螺栓没到")).ok
    assert (await chat.say("订单123 排产完成")).ok
    reply = await chat.say("撤销 异常#1")
    assert "已撤销：订单123 异常#1" in reply.text, reply.text
    assert (await milestone(chat.runtime, "123", "排产")).status == "done"
    [opened] = await events(chat.runtime, "exception_opened")
    assert opened.undone_at is not None


async def test_undo_of_a_named_change_and_event_number(chat: ChatSession) -> None:
    await create_order(chat)
    assert (await chat.say("变更 123 数量 60")).ok
    assert (await chat.say("订单123 排产完成")).ok
    assert "变更申请#1" in (await chat.say("撤销 变更#1")).text
    [progress] = await events(chat.runtime, "progress")
    assert "已撤销" in (await chat.say(f"撤销 #{progress.id}")).text
    assert (await milestone(chat.runtime, "123", "排产")).status == "pending"


async def test_undo_of_a_named_record_keeps_the_safety_rules(chat: ChatSession) -> None:
    await create_order(chat)
    assert (await chat.say("123 缺料，螺栓没到")).ok
    other = chat.other(user="李四")
    assert "只能撤销自己" in (await other.say("撤销 异常#1")).text
    assert "没有找到异常#9" in (await chat.say("撤销 异常#9")).text
    assert "撤销" in (await chat.say("撤销 异常#1")).text
    assert "已经撤销过" in (await chat.say("撤销 异常#1")).text
    assert "格式" in (await chat.say("撤销 那条")).text
