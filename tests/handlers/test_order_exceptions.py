"""Exceptions (severity rules, escalation, resolution, rework)."""

from __future__ import annotations

from storage.models import OrderException
from tests.helpers import ChatSession, count, create_order, events, exception, milestone, outbox


async def test_a_major_quality_exception_is_escalated_and_resolved(chat: ChatSession, manager: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    reply = await chat.say("123 验收不通过")
    assert reply.ok, reply.text
    assert "异常#1（质量·重大·验收）" in reply.text and "验收不通过" in reply.text and "已升级到经理群" in reply.text
    escalation = (await outbox(chat.runtime))["exception:1:escalated:local:经理群"]
    assert "重大异常升级" in escalation and "订单123" in escalation and "华东机械" in escalation
    opened = await exception(chat, 1)
    assert opened.severity == "major" and opened.status == "open" and opened.owner == "销售部"

    missing_note = await chat.say("解决 异常#1")
    assert not missing_note.ok and "处理说明" in missing_note.text
    resolved = await chat.say("解决 异常#1 已返修，客户复验合格")
    assert resolved.ok and "已解决" in resolved.text and "已通知经理群" in resolved.text
    closed = await exception(chat, 1)
    assert closed.status == "resolved" and closed.resolution == "已返修，客户复验合格" and closed.resolved_at
    assert "已返修" in (await outbox(chat.runtime))["exception:1:resolved:local:经理群"]
    assert not (await chat.say("解决 异常#1 再来一次")).ok
    assert len(await events(chat.runtime, "exception_resolved")) == 1


async def test_a_quality_failure_sends_a_finished_milestone_back_and_stays_general(
    chat: ChatSession, manager: ChatSession
) -> None:
    await create_order(chat, due="2026-12-30")
    await chat.say("订单123 质检完成")
    reply = await chat.say("123 质检没过，返工")
    assert "质量·一般·质检" in reply.text and "已退回“进行中”（返工）" in reply.text
    assert (await milestone(chat.runtime, "123", "质检")).status == "in_progress"
    assert not any(key.startswith("exception:") for key in await outbox(chat.runtime))


async def test_delay_severity_follows_the_configured_rules(chat: ChatSession, manager: ChatSession) -> None:
    await create_order(chat, "200", due="2026-12-31")  # 28 working days away, 19 of standard work
    await create_order(chat, "201", due="2026-12-18")  # exactly 19: none to spare
    small = await chat.say("200 焊接推迟1天")
    assert "延期·一般·焊接" in small.text
    big = await chat.say("200 焊接推迟5天")
    assert "延期·重大·焊接" in big.text and "延误5个工作日（≥3）" in big.text
    tight = await chat.say("201 焊接推迟1天")
    assert "延期·重大·焊接" in tight.text and "交期 12-18 有风险" in tight.text
    queued = await outbox(chat.runtime)
    assert "exception:1:escalated:local:经理群" not in queued
    assert "exception:2:escalated:local:经理群" in queued and "exception:3:escalated:local:经理群" in queued


async def test_an_exception_by_command_carries_owner_and_expected_date(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    reply = await chat.say("异常 123 物料 领料 螺栓不够 负责人=王五 预计=11-26")
    assert reply.ok and "物料·一般·领料" in reply.text and "负责人 王五" in reply.text and "预计 11-26" in reply.text
    stored = await exception(chat, 1)
    assert (stored.owner, stored.expected_date.isoformat(), stored.description) == ("王五", "2026-11-26", "螺栓不够")
    assert not (await chat.say("异常 123 天气 下雨")).ok
    assert not (await chat.say("异常 123 物料 螺栓 预计=明年")).ok
    assert await count(chat.runtime, OrderException) == 1


async def test_without_a_manager_group_a_major_exception_says_it_could_not_escalate(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    reply = await chat.say("123 验收不通过")
    assert "没有绑定经理群，未能升级" in reply.text


async def test_rework_on_an_order_whose_due_date_is_already_at_risk_is_major(chat) -> None:
    """Issue 17 #8: the plan was already compressed (due date at risk); a rework there is 重大."""
    from handlers.templates import DEFAULT_TEMPLATE
    from tests.conftest import NOW
    from tests.helpers import create_order

    calendar = chat.runtime.handler_settings.calendar
    total = sum(step.days for step in DEFAULT_TEMPLATE.milestones)
    tight = calendar.add(NOW.date(), total - 3)
    assert "来不及" in (await create_order(chat, "123", tight.isoformat())).text
    reply = await chat.say("123 焊接有气孔，需要返工")
    assert "质量·重大" in reply.text and "有风险" in reply.text, reply.text


async def test_rework_with_room_to_spare_stays_general(chat) -> None:
    from tests.helpers import create_order

    await create_order(chat, "123", "2027-03-31")
    reply = await chat.say("123 焊接有气孔，需要返工")
    assert "质量·一般" in reply.text, reply.text


async def test_finishing_rework_finishes_the_milestone_and_offers_to_close_the_exception(chat) -> None:
    """Issue 17 #3: 「124 焊接返工完成」「124返工好了」 are no new defect."""
    from storage.models import OrderException
    from tests.helpers import count, create_order, milestone

    await create_order(chat, "124")
    await chat.say("订单124 焊接完成")
    assert "异常#1" in (await chat.say("124 焊接有气孔，需要返工")).text
    for text in ("124 焊接返工完成", "124返工好了"):
        reply = await chat.say(text)
        assert reply.ok and "焊接 ✅ 完成" in reply.text, reply.text
        assert "解决 异常#1" in reply.text
        assert await count(chat.runtime, OrderException) == 1
        assert (await milestone(chat.runtime, "124", "焊接")).status == "done"
