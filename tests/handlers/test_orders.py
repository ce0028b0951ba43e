from __future__ import annotations

import pytest

from storage.models import Event, Order
from tests.helpers import ChatSession, count, create_order


async def test_new_order_lays_out_the_plan_backwards_from_the_due_date(chat: ChatSession) -> None:
    reply = await create_order(chat, due="2026-12-20")
    assert "已新建订单 123" in reply.text
    progress = await chat.say("进度 123")
    # 12-20 is a Sunday: 验收 falls on the working day before it, and every step before it ends
    # where the next one's working days begin.
    assert "10. 验收 ⏳ 未开始，计划 12-18" in progress.text
    assert "9. 发货 ⏳ 未开始，计划 12-15" in progress.text
    assert "1. 排产" in progress.text


async def test_a_plan_that_does_not_fit_is_compressed_and_flagged(chat: ChatSession) -> None:
    reply = await create_order(chat, due="2026-11-27")
    assert "来不及" in reply.text and "评审" in reply.text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("123 华东机械 搅拌机 50台 2026-12-20", "已经存在"),
        ("124 华东机械 搅拌机 50台 2026-11-01", "已经过去"),
        ("125 华东机械 搅拌机 0 2026-12-20", "大于 0"),
        ("126 华东机械 搅拌机 -5 2026-12-20", "负数"),
        ("127 华东机械 搅拌机 许多 2026-12-20", "不是一个数字"),
        ("128 华东机械 搅拌机 50台 2026-12-20 模板=不存在", "没有名为「不存在」的里程碑模板"),
        ("129 华东机械 搅拌机 50台 明年", "日期「明年」看不懂"),
        ("130 华东机械 搅拌机", "需要 5 项"),
        ("订单@@ 华东机械 搅拌机 50台 2026-12-20", "不合规"),
    ],
)
async def test_bad_order_input_gets_a_clear_reply_and_changes_nothing(chat: ChatSession, args: str, expected: str) -> None:
    await create_order(chat)
    orders, logged = await count(chat.runtime, Order), await count(chat.runtime, Event)
    reply = await chat.say(f"新建订单 {args}")
    assert not reply.ok
    assert expected in reply.text
    assert await count(chat.runtime, Order) == orders
    assert await count(chat.runtime, Event) == logged


async def test_a_compressed_plan_is_sent_to_the_managers_for_review(chat, manager) -> None:
    """Issue 17 feature: feasibility review in the manager group when the plan had to be squeezed."""
    from tests.helpers import create_order, outbox

    await create_order(chat, "123", "2026-11-30")
    await create_order(chat, "124", "2027-03-30")
    queued = await outbox(chat.runtime)
    assert "交期可行性评审：订单123" in queued["order:123:compressed:local:经理群"]
    assert not any(key.startswith("order:124") for key in queued)
