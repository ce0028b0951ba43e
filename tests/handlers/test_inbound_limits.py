"""What SQLite accepts and PostgreSQL refuses — a NUL character, a name over its column, an id over
its column — is settled before the database sees it, so both answer alike; a value that still
cannot be stored gets a plain answer saying why, never "busy, try again"."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from storage.models import Customer, Event, Person
from tests.helpers import ChatSession, count, create_order, events, milestone, order


async def test_a_nul_character_is_dropped_and_the_message_recorded(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("订单123 焊接\x00完成")
    assert reply.ok, reply.text
    assert (await milestone(chat.runtime, "123", "焊接")).status == "done"
    (progress,) = await events(chat.runtime, "progress")
    assert "\x00" not in progress.raw_text and progress.raw_text == "订单123 焊接完成"


async def test_nul_in_names_is_dropped_too(chat: ChatSession) -> None:
    message = replace(chat.message("订单列表"), sender_name="张\x00三", chat_name="焊接\x00车间群")
    reply = await chat.runtime.dispatcher.handle(message)
    assert reply.ok, reply.text
    async with chat.runtime.database.transaction() as session:
        person = await session.scalar(select(Person).where(Person.user_id == chat.user))
    assert person.display_name == "张三"


async def test_an_over_long_display_name_is_clipped_to_its_column(chat: ChatSession) -> None:
    await create_order(chat)
    long_name = "名" * 300
    message = replace(chat.message("订单123 焊接完成"), sender_name=long_name)
    reply = await chat.runtime.dispatcher.handle(message)
    assert reply.ok, reply.text
    async with chat.runtime.database.transaction() as session:
        person = await session.scalar(select(Person).where(Person.user_id == chat.user))
    assert person.display_name == long_name[:200]
    (progress,) = await events(chat.runtime, "progress")
    assert progress.actor_name == long_name[:200]


async def test_an_over_long_platform_id_is_refused_with_a_clear_answer(chat: ChatSession) -> None:
    await create_order(chat)
    before = await count(chat.runtime, Event)
    for field in ("sender_id", "chat_id", "message_id"):
        message = replace(chat.message("订单123 焊接完成"), **{field: "x" * 300})
        reply = await chat.runtime.dispatcher.handle(message)
        assert not reply.ok
        assert "没有记录" in reply.text and "编号" in reply.text and "128" in reply.text
        assert "繁忙" not in reply.text and "稍后" not in reply.text
    assert await count(chat.runtime, Event) == before
    assert (await milestone(chat.runtime, "123", "焊接")).status != "done"


async def test_over_long_customer_and_owner_names_are_clipped(chat: ChatSession) -> None:
    customer, owner = "客" * 250, "负" * 150
    reply = await chat.say(f"新建订单 777 {customer} 搅拌机 5台 2026-12-20 负责人={owner}")
    assert reply.ok, reply.text
    created = await order(chat.runtime, "777")
    assert created.owner == owner[:100]
    assert created.customer.name == customer[:200]
    # The same over-long name names the same customer the next time.
    assert (await chat.say(f"新建订单 778 {customer} 搅拌机 5台 2026-12-20")).ok
    assert await count(chat.runtime, Customer) == 1


async def test_a_value_too_long_for_its_column_is_refused_plainly_not_as_busy(chat: ChatSession) -> None:
    reply = await chat.say(f"新建订单 779 华东机械 {'机' * 300} 5台 2026-12-20")
    assert not reply.ok
    assert "没有记录" in reply.text and "产品" in reply.text and "200" in reply.text
    assert "繁忙" not in reply.text and "稍后" not in reply.text and "再发一次" not in reply.text
    assert await order(chat.runtime, "779") is None
    # The same message again gets the same answer: nothing about it will change by resending.
    again = await chat.say(f"新建订单 779 华东机械 {'机' * 300} 5台 2026-12-20")
    assert not again.ok and "产品" in again.text
