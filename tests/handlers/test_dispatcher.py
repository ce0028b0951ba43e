from __future__ import annotations

import asyncio

from handlers.dispatcher import strip_mentions
from storage.models import Event, ProcessedMessage
from tests.helpers import ChatSession, count, create_order, events, milestone


def test_mentions_are_stripped_wherever_they_stand() -> None:
    assert strip_mentions("@跟单助手 订单123 焊接完成", (), "跟单助手") == "订单123 焊接完成"
    assert strip_mentions("订单123 焊接完成@跟单助手 ", (), "跟单助手") == "订单123 焊接完成"
    assert strip_mentions("订单123 @李四 焊接完成", ("李四",), "跟单助手") == "订单123 焊接完成"
    assert strip_mentions("＠跟单助手\n123 涂装80%\n\n124 焊接完成", (), "跟单助手") == "123 涂装80%\n124 焊接完成"


async def test_the_same_message_id_is_applied_once(chat: ChatSession) -> None:
    await create_order(chat)
    first = await chat.say("订单123 焊接完成", message_id="wecom-msg-1")
    again = await chat.say("订单123 焊接完成", message_id="wecom-msg-1")
    assert not first.duplicate and again.duplicate
    assert again.text == first.text
    assert len(await events(chat.runtime, "progress")) == 1


async def test_concurrent_redeliveries_are_applied_once(chat: ChatSession) -> None:
    await create_order(chat)
    message = chat.message("订单123 焊接完成", message_id="dup-race")
    replies = await asyncio.gather(*(chat.runtime.dispatcher.handle(message) for _ in range(4)))
    assert sum(not r.duplicate for r in replies) == 1
    assert len(await events(chat.runtime, "progress")) == 1
    assert await count(chat.runtime, ProcessedMessage) == 2  # the order and this message


async def test_an_over_long_message_is_refused_and_changes_nothing(chat: ChatSession) -> None:
    await create_order(chat)
    before = await count(chat.runtime, Event)
    reply = await chat.say("订单123 焊接完成\n" + "今天车间很忙。" * 400)
    assert not reply.ok
    assert "太长" in reply.text and "没有记录" in reply.text
    assert await count(chat.runtime, Event) == before
    assert (await milestone(chat.runtime, "123", "焊接")).status == "pending"


async def test_chit_chat_records_nothing_and_says_so(chat: ChatSession) -> None:
    reply = await chat.say("今天食堂的饭不错")
    assert not reply.ok and "没有记录" in reply.text
    assert await count(chat.runtime, Event) == 0


async def test_a_bare_mention_gets_a_prompt(chat: ChatSession) -> None:
    reply = await chat.say("@跟单助手")
    assert "帮助" in reply.text


async def test_a_chat_bound_between_messages_applies_to_the_next_one(chat: ChatSession) -> None:
    """Chats and people are cached across messages; a change to them is seen at once."""
    await create_order(chat)
    unbound = chat.other(chat_id="新建的群", user="赵六")
    for _ in range(2):  # the first creates the chat, the second finds it and caches it
        refused = await unbound.say("订单123 焊接完成")
        assert not refused.ok  # nobody in an unbound chat may record
    await unbound.bind_chat("department", department="焊接车间")  # another transaction binds it
    allowed = await unbound.say("订单123 焊接完成")
    assert allowed.ok, allowed.text
