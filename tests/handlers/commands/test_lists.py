"""异常列表, 变更列表: what is still open, oldest first, narrowed to an order or a customer."""

from __future__ import annotations

from tests.helpers import ChatSession, create_order


async def _two_customers(chat: ChatSession) -> None:
    await create_order(chat, "123")
    assert (await chat.say("新建订单 456 南方重工 输送机 20套 2026-12-20")).ok
    assert (await chat.say("123 缺料，螺栓没到")).ok          # 异常#1
    assert (await chat.say("异常 456 设备 焊接 焊机坏了")).ok  # 异常#2
    assert (await chat.say("异常 123 其他 图纸待确认")).ok     # 异常#3
    assert (await chat.say("变更 456 数量 30")).ok             # 变更#1
    assert (await chat.say("变更 123 交期 2026-12-25")).ok     # 变更#2


async def test_open_exceptions_oldest_first_and_filtered(chat: ChatSession, manager: ChatSession) -> None:
    await _two_customers(chat)
    assert (await manager.say("解决 异常#3 已确认")).ok
    everything = (await chat.say("异常列表")).text
    assert everything.index("异常#1") < everything.index("异常#2") and "异常#3" not in everything
    assert "（2 条" in everything
    by_order = (await chat.say("异常列表 456")).text
    assert "异常#2" in by_order and "异常#1" not in by_order
    by_customer = (await chat.say("异常列表 华东机械")).text
    assert "异常#1" in by_customer and "异常#2" not in by_customer
    assert "没有找到订单或客户「不存在」" in (await chat.say("异常列表 不存在")).text


async def test_open_changes_oldest_first_and_filtered(chat: ChatSession, manager: ChatSession) -> None:
    await _two_customers(chat)
    everything = (await manager.say("变更列表")).text
    assert everything.index("变更#1") < everything.index("变更#2")
    assert (await manager.say("同意 变更#1")).ok
    assert "变更#1" not in (await chat.say("变更列表")).text
    assert "没有待审批的变更" in (await chat.say("变更列表 南方重工")).text
    assert "变更#2 订单123 交期" in (await chat.say("变更列表 123")).text


async def test_customer_groups_cannot_list_internal_exceptions(chat: ChatSession, customer_chat: ChatSession) -> None:
    await _two_customers(chat)
    reply = await customer_chat.say("异常列表")
    assert not reply.ok and "异常#" not in reply.text
