"""An adversarial pass: isolation after undo, records on closed orders, refusals that read as refusals."""

from __future__ import annotations

import pytest

from storage.models import ChangeRequest
from tests.handlers.test_templates import ELECTRONICS, _standard
from tests.helpers import ChatSession, accept, count, create_order, events, milestone, order


async def test_a_free_text_change_that_cannot_be_recorded_is_not_reported_as_recorded(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("123 数量改成0台")
    assert not reply.ok
    assert "已记录" not in reply.text and "没有记录" in reply.text and "大于 0" in reply.text
    assert await count(chat.runtime, ChangeRequest) == 0
    assert await events(chat.runtime, "change_requested") == []


async def test_a_daily_report_refusing_one_change_still_says_what_it_recorded(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("123 焊接完成\n123 数量改成0台")
    assert reply.ok
    assert "已记录：订单123 焊接 ✅ 完成" in reply.text
    assert "没有记录" in reply.text and "大于 0" in reply.text
    assert [e.milestone for e in await events(chat.runtime, "progress")] == ["焊接"]


async def test_nothing_is_recorded_on_an_undone_order(chat: ChatSession) -> None:
    await create_order(chat, "789")
    await chat.say("撤销")
    for text in ("789 焊接完成", "789 质检没过，返工", "客户要求789数量改成60台"):
        reply = await chat.say(text)
        assert not reply.ok and "订单 789 已撤销" in reply.text and "没有记录" in reply.text, reply.text
    assert "没有等你确认的消息" in (await chat.say("是")).text  # nothing was held for a "yes" either
    assert (await milestone(chat.runtime, "789", "焊接")).status == "pending"
    assert [e.kind for e in await events(chat.runtime)] == ["order_created", "undo"]
    assert "已撤销" in (await chat.say("进度 789")).text  # asking is still fine


async def test_progress_on_an_accepted_order_is_refused(chat: ChatSession) -> None:
    await create_order(chat)
    await accept(chat)
    reply = await chat.say("123 涂装完成")
    assert not reply.ok and "已验收" in reply.text and "没有记录" in reply.text
    assert (await milestone(chat.runtime, "123", "涂装")).status == "pending"
    assert (await order(chat.runtime, "123")).status == "accepted"
    failed = await chat.say("验收 123 不通过 外观划伤")  # a failed acceptance still reopens it
    assert failed.ok and (await order(chat.runtime, "123")).status != "accepted"


async def test_a_customer_never_sees_an_order_undone_after_being_keyed_to_them(
    chat: ChatSession, customer_chat: ChatSession
) -> None:
    await create_order(chat, "123")
    await chat.say("新建订单 789 华东机械 输送机 5台 2026-12-30")  # meant for another customer
    await chat.say("撤销")
    missing = await customer_chat.say("进度 999")
    assert (await customer_chat.say("进度 789")).text == missing.text.replace("999", "789")
    assert (await customer_chat.say("789到哪一步了")).text == (await customer_chat.say("999到哪一步了")).text.replace(
        "999", "789"
    )
    assert "789" not in (await customer_chat.say("进度 78")).text.replace("进度 78", "")


async def test_an_undo_that_is_refused_says_so(chat: ChatSession, manager: ChatSession) -> None:
    await create_order(chat)
    await chat.say("变更 123 数量 60")
    await manager.say("同意 变更#1")
    reply = await chat.say("撤销")
    assert not reply.ok and "已经审批" in reply.text
    assert await events(chat.runtime, "undo") == []


async def test_undo_does_not_overwrite_a_later_record_by_someone_else(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("123 焊接50%")
    colleague = chat.other(user="李四")
    assert (await colleague.say("123 焊接完成")).ok
    reply = await chat.say("撤销")
    assert not reply.ok and "李四" in reply.text
    assert (await milestone(chat.runtime, "123", "焊接")).status == "done"
    assert await events(chat.runtime, "undo") == []
    assert (await colleague.say("撤销")).ok  # the later record itself can be undone, then the earlier one
    assert (await chat.say("撤销")).ok
    assert (await milestone(chat.runtime, "123", "焊接")).status == "pending"


async def test_a_report_naming_the_same_milestone_twice_keeps_the_latest_line(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("123 涂装50%\n下午：\n123 涂装完成")
    assert reply.ok, reply.text
    assert (await milestone(chat.runtime, "123", "涂装")).status == "done"


class TestOtherTemplates:
    @pytest.fixture
    def settings_data(self, settings_data: dict) -> dict:
        return {**settings_data, "templates": [_standard(), ELECTRONICS]}

    async def test_no_far_fetched_milestone_is_offered(self, chat: ChatSession) -> None:
        await create_order(chat, "E2", extra="模板=电子")
        reply = await chat.say("E2 验收完成")
        assert not reply.ok and "是指" not in reply.text and "没有「验收」" in reply.text
        assert "没有等你确认的消息" in (await chat.say("是")).text
        close = await chat.say("E2 焊接完成")
        assert "是指「波峰焊」吗" in close.text


async def test_a_reused_message_id_from_another_chat_does_not_replay_that_chats_reply(
    chat: ChatSession, customer_chat: ChatSession
) -> None:
    await chat.say("新建订单 456 南方重工 输送机 20套 2026-12-30", message_id="same-id")
    reply = await customer_chat.say("进度", message_id="same-id")
    assert "456" not in reply.text and "南方重工" not in reply.text
    assert not reply.ok and "没有处理" in reply.text


async def test_a_customer_contact_in_another_customers_group_sees_neither(
    chat: ChatSession, customer_chat: ChatSession
) -> None:
    await create_order(chat, "123")  # 华东机械, the group's customer
    await chat.say("新建订单 456 南方重工 输送机 20套 2026-12-30")
    admin = await chat.other(user="老板").as_role("admin")
    await admin.say("授权 南方采购 客户 南方重工")
    visitor = customer_chat.other(user="南方采购")
    for text in ("进度 123", "进度 456", "订单列表", "123到哪一步了"):
        reply = await visitor.say(text)
        assert "华东机械" not in reply.text and "搅拌机" not in reply.text, (text, reply.text)
        assert "南方重工" not in reply.text and "输送机" not in reply.text, (text, reply.text)
