"""Free text: a message understood into items, resolved (or asked about) and recorded in one go."""

from __future__ import annotations

from storage.models import Event, PendingConfirmation
from tests.helpers import ChatSession, count, create_order, events, milestone


async def test_unknown_order_is_asked_about_and_yes_confirms(chat: ChatSession) -> None:
    await create_order(chat, "A2311-08")
    reply = await chat.say("订单A2311-09 焊接完成")
    assert not reply.ok and "是指订单 A2311-08 吗" in reply.text and "还没有记录" in reply.text
    assert await count(chat.runtime, PendingConfirmation) == 1
    assert await events(chat.runtime, "progress") == []
    someone_else = chat.other(user="李四")
    assert not (await someone_else.say("是")).ok  # only the sender can confirm
    confirmed = await chat.say("是")
    assert confirmed.ok and "订单A2311-08 焊接 ✅ 完成" in confirmed.text
    [event] = await events(chat.runtime, "progress")
    assert event.raw_text == "订单A2311-09 焊接完成"  # the record carries the message that was confirmed
    assert await count(chat.runtime, PendingConfirmation) == 0


async def test_a_corrected_message_replaces_the_question(chat: ChatSession) -> None:
    await create_order(chat, "A2311-08")
    await chat.say("订单A2311-09 焊接完成")
    await chat.say("订单A2311-08 焊接80%")
    assert not (await chat.say("是")).ok  # nothing is waiting any more
    welded = await milestone(chat.runtime, "A2311-08", "焊接")
    assert welded.status == "in_progress" and welded.percent == 80


async def test_an_order_nobody_knows_records_nothing(chat: ChatSession) -> None:
    reply = await chat.say("订单777 焊接完成")
    assert not reply.ok and "没有找到订单 777" in reply.text
    assert await count(chat.runtime, Event) == 0


async def test_a_multi_line_daily_report_records_every_line_in_one_go(chat: ChatSession) -> None:
    from storage.models import ChangeRequest, OrderException

    await create_order(chat, "123")
    await create_order(chat, "124")
    report = "12月10日进度汇报\n1. 123 焊接完成\n2. 客户要求124交期改到12月28号\n3. 124 喷漆发现流挂，返工"
    reply = await chat.say(report)
    assert reply.ok, reply.text
    assert "订单123 焊接 ✅ 完成" in reply.text
    assert "变更申请#" in reply.text and "交期 2026-12-20 → 2026-12-28" in reply.text
    assert "异常#" in reply.text and "质量" in reply.text
    assert (await milestone(chat.runtime, "123", "焊接")).status == "done"
    assert await count(chat.runtime, ChangeRequest) == 1
    assert await count(chat.runtime, OrderException) == 1
    kinds = [e.kind for e in await events(chat.runtime)][2:]
    assert sorted(kinds) == ["change_requested", "exception_opened", "progress"]
    assert len({e.message_id for e in (await events(chat.runtime))[2:]}) == 1


async def test_a_message_naming_no_order_takes_the_senders_last_order(chat: ChatSession) -> None:
    await create_order(chat, "123")
    await chat.say("订单123 焊接完成")
    reply = await chat.say("涂装开始了")
    assert reply.ok and "订单123 涂装" in reply.text and "按你刚才说的订单 123" in reply.text
    assert (await milestone(chat.runtime, "123", "涂装")).status == "in_progress"


async def test_the_assumed_order_expires_and_belongs_to_the_sender(chat: ChatSession) -> None:
    from datetime import timedelta

    await create_order(chat, "123")
    await chat.say("订单123 焊接完成")
    other = chat.other(user="李四")
    assert not (await other.say("涂装开始了")).ok  # 李四 never named an order here
    chat.now += timedelta(minutes=11)
    reply = await chat.say("涂装开始了")
    assert not reply.ok and "哪个订单" in reply.text
    assert (await milestone(chat.runtime, "123", "涂装")).status == "pending"


async def test_two_racing_confirmations_apply_the_question_once(chat: ChatSession) -> None:
    import asyncio

    await create_order(chat, "A2311-08")
    await chat.say("订单A2311-09 焊接完成")
    first, second = chat.message("是"), chat.message("对")
    replies = await asyncio.gather(*(chat.runtime.dispatcher.handle(m) for m in (first, second)))
    assert sorted(r.ok for r in replies) == [False, True]
    assert len(await events(chat.runtime, "progress")) == 1
