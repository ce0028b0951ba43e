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


async def test_a_question_about_an_order_not_visible_is_never_answered_as_a_record(chat: ChatSession, customer_chat: ChatSession) -> None:
    """Issue 17 #9: no 「还没有记录」, no 「是指…吗」 offering to record; plainly not visible here."""
    await create_order(chat, "203")
    await chat.say("新建订单 123 南方重工 输送机 20套 2026-12-20")
    for text in ("201进度", "订单123到哪一步了", "进度 201"):
        reply = await customer_chat.say(text)
        assert "记录" not in reply.text and "是指" not in reply.text and "回复「是」" not in reply.text, reply.text
        assert "这里查不到订单" in reply.text, reply.text
    assert (await chat.say("201进度")).text.startswith("这里查不到订单 201")


async def test_a_suggestion_never_crosses_number_forms(chat: ChatSession) -> None:
    """Issue 17 #13: 「PO-2026-017 客户追加50台」 must not offer order 202 (another form, another customer)."""
    await create_order(chat, "202")
    reply = await chat.say("PO-2026-017 客户追加50台")
    assert "订单 202" not in reply.text and "是哪个订单" in reply.text, reply.text
    assert not (await chat.say("是")).ok
    reply = await chat.say("订单203 焊接完成")  # same form: still offered
    assert "是指订单 202 吗" in reply.text


async def test_confirming_a_daily_report_applies_its_lines_in_order_and_flags_a_reversal(chat: ChatSession) -> None:
    """Issue 17 #14: 「149 领料完成」 (149 meant 141) then 「141 领料 完成一半」, confirmed with 是."""
    await create_order(chat, "141")
    reply = await chat.say("149 领料完成\n141 领料 完成一半")
    assert "是指订单 141 吗" in reply.text, reply.text
    confirmed = await chat.say("是")
    assert confirmed.ok, confirmed.text
    progress = await events(chat.runtime, "progress")
    assert [e.item["status"] for e in progress] == ["done", "in_progress"]
    assert progress[1].flagged and "倒退" in progress[1].flagged
    assert "⚠️" in confirmed.text
    picked = await milestone(chat.runtime, "141", "领料")
    assert picked.status == "in_progress" and picked.percent == 50


async def test_a_suggestion_stays_with_the_customer_the_message_names(chat: ChatSession) -> None:
    """Issue 17 #13: a close number of another customer is not offered when the message names one."""
    await create_order(chat, "202")  # 华东机械
    assert (await chat.say("新建订单 205 南方重工 输送机 20套 2026-12-20")).ok
    reply = await chat.say("南方重工 订单203 客户追加50套")
    assert "是指订单 205 吗" in reply.text and "202" not in reply.text, reply.text
    reply = await chat.say("华东机械 订单209 焊接完成")
    assert "是指订单 202 吗" in reply.text and "205" not in reply.text, reply.text


async def test_a_question_about_an_unseen_order_does_not_stop_the_rest_of_the_message(chat: ChatSession) -> None:
    await create_order(chat, "123")
    reply = await chat.say("订单123 排产完成\n888进度")
    assert "已记录：订单123 排产 ✅ 完成" in reply.text and "这里查不到订单 888" in reply.text, reply.text
    assert (await milestone(chat.runtime, "123", "排产")).status == "done"
