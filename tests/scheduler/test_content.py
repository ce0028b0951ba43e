"""What the digest and the customer update say about exceptions and change requests."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from bot.runtime import Runtime
from scheduler.service import SchedulerService
from handlers.formatting import event_words
from storage.models import EventKind, OrderException
from tests.helpers import ChatSession
from tests.scheduler.conftest import RecordingSender, at


async def test_exceptions_and_changes_reach_managers_but_customers_see_only_visible_ones(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    assert (await chat.say("新建订单 A100 华东机械 搅拌机 20台 2026-12-18 模板=短线")).ok
    assert (await chat.say("A100 焊接变形，返工")).ok
    assert (await chat.say("A100 缺料，钢板还没到")).ok
    assert (await chat.say("客户要求A100交期改到12月25号")).ok
    async with runtime.database.transaction() as session:
        exceptions = list(await session.scalars(select(OrderException).order_by(OrderException.id)))
        assert [e.category for e in exceptions] == ["quality", "material"]
        await session.execute(
            update(OrderException).where(OrderException.id == exceptions[1].id).values(customer_visible=True)
        )

    await service.tick(at(25, 9, 0))  # Wednesday: digest only
    notice, digest = sender.to("经理群")  # the change-request notice the workflow enqueued, then the digest
    assert notice.startswith("📝 订单A100（华东机械）变更申请#1") and digest.startswith("**每日简报 11-25")
    assert "**❗ 未关闭的异常（2）**" in digest
    assert "异常#1 订单A100（质量·一般·焊接）A100 焊接变形，返工 · 已2天" in digest
    assert "**📝 待审批的变更（1）**" in digest and "交期：2026-12-18 → 2026-12-25 · 已等2天" in digest

    await service.tick(at(30, 9, 0))  # Monday: weekly update
    [update_text] = sender.to("华东群")
    assert "说明：物料到货处理中" in update_text
    assert "返工" not in update_text and "质量" not in update_text and "焊接变形" not in update_text


async def test_the_digest_says_every_decision_in_chinese(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    """Issue 17 #5: approvals, rejections and resolutions read in Chinese in 「以来的进展」."""
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    boss = ChatSession(runtime, now=at(23, 8, 30), chat_id="经理群", user="王经理")
    await boss.as_role("manager")
    assert (await chat.say("新建订单 A100 华东机械 搅拌机 20台 2026-12-18 模板=短线")).ok
    assert (await chat.say("客户要求A100交期改到12月25号")).ok
    assert (await chat.say("A100 数量改成30台")).ok
    assert (await chat.say("A100 缺料，钢板还没到")).ok
    assert (await boss.say("同意 变更#1")).ok
    assert (await boss.say("驳回 变更#2 产能不够")).ok
    assert (await boss.say("解决 异常#1 钢板已到")).ok
    await service.tick(at(24, 9, 0))
    digest = sender.to("经理群")[-1]
    assert "变更#1（交期）已同意" in digest and "变更#2（数量）被驳回" in digest and "异常#1（物料）已解决" in digest
    assert not any(kind.value in digest for kind in EventKind), digest


def test_every_event_kind_has_chinese_words() -> None:
    """A new EventKind cannot reach a digest or `gendan show` as its code name."""
    for kind in EventKind:
        words = event_words(kind, {"change_id": 1, "exception_id": 2, "field": "due_date", "category": "quality",
                                   "status": "done", "undone_event_id": 3}, "焊接")
        assert words and not re.search(r"[a-z_]{3,}", words), (kind, words)


async def test_the_digest_header_counts_what_its_body_marks(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    """Issue 17 #11: 「交期有风险 0 单」 above rows marked ⛔ 交期有风险 contradicted itself."""
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    assert (await chat.say("新建订单 A100 华东机械 搅拌机 20台 2026-12-01 模板=短线")).ok
    assert (await chat.say("新建订单 A101 华东机械 料仓 5台 2026-12-02 模板=短线")).ok
    await service.tick(at(30, 9, 0))
    [digest] = [text for text in sender.to("经理群") if text.startswith("**每日简报")]
    marked = sum(1 for line in digest.splitlines() if line.startswith("- ") and "⛔" in line)
    risky_rows = digest.split("⛔ 交期有风险")[-1].count("\n- ") if "**⛔ 交期有风险" in digest else 0
    header = digest.splitlines()[1]
    assert marked + risky_rows >= 1, digest
    assert f"交期有风险 {marked + risky_rows} 单" in header, digest


async def test_a_customer_reads_one_projection_in_chat_and_in_the_weekly_update(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    """Issue 17 #12: the chat answer said 「逾期8个工作日」 while the update said 「预计交付 …（原定 …）」."""
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    assert (await chat.say("新建订单 A100 华东机械 搅拌机 20台 2026-12-01 模板=短线")).ok
    await service.tick(at(30, 9, 0))
    [weekly] = sender.to("华东群")
    [line] = [row for row in weekly.splitlines() if "订单 A100" in row]
    buyer = ChatSession(runtime, now=at(30, 9, 5), chat_id="华东群", user="华东采购")
    answer = (await buyer.say("进度 A100")).text
    listing = (await buyer.say("订单列表")).text
    assert "（原定 12-01）" in line
    assert line.removeprefix("- ") in answer and line in listing, (line, answer, listing)
    for text in (answer, listing, weekly):
        assert "逾期" not in text and "工作日" not in text and "车间" not in text


async def test_the_weekly_update_lists_the_orders_delivered_that_week(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    """Issue 17 feature: a customer hears about what was delivered, not only what is still open."""
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    assert (await chat.say("新建订单 A100 华东机械 搅拌机 20台 2026-12-18 模板=短线")).ok
    assert (await chat.say("新建订单 A101 华东机械 料仓 5台 2026-12-18 模板=短线")).ok
    assert (await chat.say("新建订单 A099 华东机械 料仓 1台 2026-12-18 模板=短线")).ok
    chat.now = at(20, 10)  # a week before: delivered last week, not this one
    for step in ("下料", "焊接", "涂装", "发货"):
        assert (await chat.say(f"A099 {step}完成")).ok
    chat.now = at(26, 10)
    for step in ("下料", "焊接", "涂装", "发货"):
        assert (await chat.say(f"A100 {step}完成")).ok
    await service.tick(at(30, 9, 0))
    [weekly] = sender.to("华东群")
    delivered = weekly.split("**本周已交付（1 单）**")[1]
    assert "订单 A100 · 搅拌机 20台：已验收，交付日期 2026-11-26" in delivered  # 短线 ends with 发货
    assert "A099" not in weekly.split("**本周已交付")[1]
    assert "订单 A101" in weekly.split("**本周已交付")[0]
