"""Roles and isolation: every refusal path, and a customer group that learns nothing of other customers."""

from __future__ import annotations

import pytest

from storage.models import ChangeRequest, Event, OrderException, Person
from tests.helpers import ChatSession, count, create_order, events, milestone, order


async def refused(chat: ChatSession, text: str) -> str:
    before = len(await events(chat.runtime, "refused"))
    reply = await chat.say(text)
    assert not reply.ok, reply.text
    assert len(await events(chat.runtime, "refused")) == before + 1, text
    return reply.text


async def test_staff_cannot_approve_or_reject_changes(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("变更 123 数量 60")
    assert "只有管理员、经理可以用" in await refused(chat, "同意 变更#1")
    assert "只有管理员、经理可以用" in await refused(chat, "驳回 变更#1 不行")
    assert "只有管理员、经理可以用" in await refused(chat, "月报 2026-11")
    assert "只有管理员可以用" in await refused(chat, "授权 李四 经理")
    [refusal, *_] = await events(chat.runtime, "refused")
    assert refusal.item == {"role": "staff", "command": "同意"} and refusal.actor_id == "张三"
    async with chat.runtime.database.transaction() as session:
        assert (await session.get(ChangeRequest, 1)).status == "open"


async def test_an_unknown_person_in_an_unbound_chat_is_told_politely_and_records_nothing(chat: ChatSession) -> None:
    await create_order(chat)
    stranger = chat.other(user="路人甲", chat_id="随便一个群")
    logged = await count(chat.runtime, Event)
    for text in ("订单123 焊接完成", "进度 123", "订单列表", "新建订单 9 某厂 某机 1台 2026-12-30", "123 质检没过"):
        reply = await stranger.say(text)
        assert not reply.ok and "还没有绑定用途" in reply.text and "绑定" in reply.text, text
    assert (await stranger.say("帮助")).ok
    assert (await milestone(chat.runtime, "123", "焊接")).status == "pending"
    refusals = await events(chat.runtime, "refused")
    assert len(refusals) == 5 and all(e.item["role"] is None for e in refusals)
    assert await count(chat.runtime, Event) == logged + 5  # the refusals and nothing else


async def test_a_person_with_a_role_may_record_in_an_unbound_chat(chat: ChatSession) -> None:
    await create_order(chat)
    private = await chat.other(user="李四", chat_id="李四私聊").as_role("staff")
    assert (await private.say("订单123 焊接完成")).ok
    assert (await milestone(chat.runtime, "123", "焊接")).status == "done"


async def test_an_admin_grants_roles(chat: ChatSession) -> None:
    await create_order(chat)
    stranger = chat.other(user="李四", chat_id="李四私聊")
    assert not (await stranger.say("订单123 焊接完成")).ok
    admin = await chat.other(user="老板").as_role("admin")
    assert "格式" in (await admin.say("授权 李四")).text
    assert "请写上客户名" in (await admin.say("授权 李四 客户")).text
    granted = await admin.say("授权 @李四 员工")
    assert granted.ok and "李四 的身份是员工" in granted.text
    assert (await stranger.say("订单123 焊接完成")).ok
    [grant] = await events(chat.runtime, "role_granted")
    assert grant.item["role"] == "staff" and grant.before == {"role": None, "customer_id": None}
    ahead = await admin.say("授权 wang.wu 经理")  # a user id not seen yet
    assert ahead.ok
    async with chat.runtime.database.transaction() as session:
        from sqlalchemy import select

        person = await session.scalar(select(Person).where(Person.user_id == "wang.wu"))
        assert person.role == "manager"


async def test_a_customer_contact_can_ask_but_not_record(chat: ChatSession) -> None:
    await create_order(chat)
    admin = await chat.other(user="老板").as_role("admin")
    await admin.say("授权 客户小王 客户 华东机械")
    contact = chat.other(user="客户小王")  # in the department group, still a customer
    assert "客户群只能查询" in await refused(contact, "订单123 焊接完成")
    assert "只有" in await refused(contact, "新建订单 9 华东机械 某机 1台 2026-12-30")
    assert "订单 123" in (await contact.say("进度 123")).text


CUSTOMER_CHAT_REFUSALS = [
    "订单123 焊接完成",
    "123 质检没过，返工",
    "客户要求123交期改到12月18号",
    "新建订单 9 华东机械 某机 1台 2026-12-30",
    "撤销",
    "变更 123 数量 60",
    "同意 变更#1",
    "驳回 变更#1 不要",
    "异常 123 质量 划伤",
    "解决 异常#1 好了",
    "验收 123 通过",
    "月报 2026-11",
]


@pytest.mark.parametrize("text", CUSTOMER_CHAT_REFUSALS)
async def test_a_customer_group_can_neither_record_nor_approve(
    chat: ChatSession, customer_chat: ChatSession, text: str
) -> None:
    await create_order(chat)
    await chat.say("变更 123 数量 60")
    await chat.say("异常 123 质量 划伤")
    await customer_chat.as_role("manager")  # even a manager speaking in a customer group
    reply = await refused(customer_chat, text)
    assert "客户群" in reply
    assert (await order(chat.runtime, "123")).quantity == 50
    assert (await milestone(chat.runtime, "123", "焊接")).status == "pending"
    assert await count(chat.runtime, ChangeRequest) == 1 and await count(chat.runtime, OrderException) == 1
    async with chat.runtime.database.transaction() as session:
        assert (await session.get(ChangeRequest, 1)).status == "open"
        assert (await session.get(OrderException, 1)).status == "open"


OTHER = ("456", "南方重工", "输送机")


async def test_a_customer_group_learns_nothing_of_another_customers_orders(
    chat: ChatSession, customer_chat: ChatSession
) -> None:
    await create_order(chat, "123")
    await chat.say("新建订单 456 南方重工 输送机 20套 2026-12-30")
    await chat.say("新建订单 457 南方重工 输送机 10套 2026-12-30")
    await chat.say("异常 456 物料 缺螺栓")
    await chat.say("进度 456")  # staff talked about 456 a moment ago in their own group

    def clean(text: str) -> None:
        for word in OTHER:
            assert word not in text, (word, text)

    own = await customer_chat.say("进度 123")
    assert own.ok and "订单 123" in own.text and "异常" not in own.text  # internal exceptions stay internal
    missing = await customer_chat.say("进度 999")
    foreign = await customer_chat.say("进度 456")
    assert foreign.text == missing.text.replace("999", "456")  # as if it did not exist
    assert "456" not in (await customer_chat.say("进度 45")).text.replace("进度 45", "")  # no close-number hint
    assert "457" not in (await customer_chat.say("进度 458")).text.replace("458", "")

    for text in ("订单列表", "订单列表 南方重工", "进度", "我的订单到哪一步了", "哪些订单逾期了", "帮助"):
        reply = await customer_chat.say(text)
        assert reply.ok, text
        clean(reply.text)
    listing = await customer_chat.say("我的订单到哪一步了")
    assert "订单 123" in listing.text and "华东机械" in listing.text

    guess = await customer_chat.say("458进度")  # free text: no "是指订单 457 吗"
    assert "是指" not in guess.text
    clean(guess.text.replace("458", ""))
    assert "没有等你确认的消息" in (await customer_chat.say("是")).text
    foreign_text = await customer_chat.say("456到哪一步了")
    assert foreign_text.text.replace("456", "999") == (await customer_chat.say("999到哪一步了")).text
    clean((await customer_chat.say("456 焊接完成")).text)


async def test_a_customer_group_without_a_customer_sees_no_orders(chat: ChatSession) -> None:
    await create_order(chat)
    contact = await chat.other(user="无名客户", chat_id="私聊").as_role("customer")
    assert "没有在制订单" in (await contact.say("订单列表")).text
    assert "这里查不到订单 123" in (await contact.say("进度 123")).text
