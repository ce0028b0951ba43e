"""Acceptance (验收): failing it opens a quality exception, passing it closes the order and its quality exceptions."""

from __future__ import annotations

from tests.conftest import NOW
from tests.helpers import ChatSession, create_order, exception, milestone, order, outbox


async def test_failed_then_passed_acceptance(chat: ChatSession, manager: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    for step in ("排产", "领料", "下料", "焊接", "涂装", "总装", "质检", "入库", "发货"):
        await chat.say(f"订单123 {step}完成")
    assert (await order(chat.runtime, "123")).status == "shipped"

    failed = await chat.say("验收 123 不通过 外观有划伤")
    assert failed.ok and "质量·重大·验收" in failed.text and "订单保持未关闭" in failed.text
    still_open = await order(chat.runtime, "123")
    assert still_open.status == "shipped"
    assert (await milestone(chat.runtime, "123", "验收")).status == "in_progress"
    assert "exception:1:escalated:local:经理群" in await outbox(chat.runtime)

    chat.now = NOW.replace(day=28)
    passed = await chat.say("123 验收通过")
    assert passed.ok and "订单已验收关闭" in passed.text and "异常#1 随验收通过关闭" in passed.text
    closed = await order(chat.runtime, "123")
    assert closed.status == "accepted" and closed.delivered_on.isoformat() == "2026-11-28"
    assert (await exception(chat, 1)).status == "resolved"
    assert "已验收" in (await chat.say("进度 123")).text


async def test_failing_acceptance_after_it_was_recorded_reopens_the_order(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    await chat.say("验收 123 通过")
    await chat.say("是")  # every step is still 未开始: the bot asks before closing
    assert (await order(chat.runtime, "123")).status == "accepted"
    reply = await chat.say("验收 123 不通过 客户退回")
    assert "订单重新打开" in reply.text
    reopened = await order(chat.runtime, "123")
    assert reopened.status == "in_production" and reopened.delivered_on is None
    await chat.say("撤销")  # undoing the failure restores the acceptance
    restored = await order(chat.runtime, "123")
    assert restored.status == "accepted" and restored.delivered_on is not None


async def test_accepting_an_order_with_unfinished_steps_asks_first(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    asked = await chat.say("验收 123 通过")
    assert not asked.ok and "还没有记录" in asked.text
    assert "订单 123 还有 9 步没有完成（排产、领料、下料、焊接、涂装、总装、质检、入库、发货）" in asked.text
    assert (await order(chat.runtime, "123")).status != "accepted"
    confirmed = await chat.say("是")
    assert confirmed.ok and "订单已验收关闭" in confirmed.text
    assert (await order(chat.runtime, "123")).status == "accepted"


async def test_finishing_the_last_step_in_free_text_with_steps_left_asks_too(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    for step in ("排产", "领料", "下料", "焊接", "涂装", "总装", "质检", "入库"):
        await chat.say(f"订单123 {step}完成")
    asked = await chat.say("123 签收了")
    assert not asked.ok and "还有 1 步没有完成（发货）" in asked.text
    await chat.say("订单123 发货完成")
    closed = await chat.say("123 验收通过")
    assert closed.ok and "订单已验收关闭" in closed.text
