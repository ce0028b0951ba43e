"""Change requests: impact note, change freeze, approval by a manager, propagation, rejection."""

from __future__ import annotations

from datetime import date, timedelta

from bot.config import Settings, parse_settings
from bot.runtime import open_runtime
from handlers.planning import lay_out
from handlers.templates import DEFAULT_TEMPLATE, MilestoneSpec, Template
from handlers.workdays import WorkCalendar
from storage.models import ChangeRequest, Event
from tests.conftest import NOW
from tests.helpers import ChatSession, accept, count, create_order, events, order, outbox


TODAY = NOW.date()
CALENDAR = WorkCalendar()


def expected_plan(due: date, done: tuple[str, ...] = ()) -> dict[str, date]:
    remaining = Template("rest", tuple(MilestoneSpec(s.name, (), s.days, s.department)
                                       for s in DEFAULT_TEMPLATE.milestones if s.name not in done))
    return {step.name: step.planned_date for step in lay_out(remaining, due, TODAY, CALENDAR).steps}


async def test_a_due_date_change_is_approved_and_propagated_with_its_impact(
    chat: ChatSession, manager: ChatSession, painters: ChatSession
) -> None:
    await create_order(chat, due="2026-12-30")
    await chat.say("订单123 排产完成")
    before = await order(chat.runtime, "123")
    planned_before = {m.name: m.planned_date for m in before.milestones}

    reply = await chat.say("客户要求123交期改到12月18号")
    assert reply.ok, reply.text
    assert "变更申请#1：交期 2026-12-30 → 2026-12-18" in reply.text and "待经理审批" in reply.text
    new_plan = expected_plan(date(2026, 12, 18), done=("排产",))
    welding_shift = CALENDAR.between(planned_before["焊接"], new_plan["焊接"])
    assert welding_shift < 0
    assert f"焊接 {planned_before['焊接']:%m-%d}→{new_plan['焊接']:%m-%d}（{welding_shift:+d}）" in reply.text
    assert "排产" not in reply.text.split("需调整的节点")[1].split("\n")[0]  # done: it does not move
    old_start = lay_out(Template("r", tuple(s for s in DEFAULT_TEMPLATE.milestones if s.name != "排产")),
                        date(2026, 12, 30), TODAY, CALENDAR).start
    new_start = lay_out(Template("r", tuple(s for s in DEFAULT_TEMPLATE.milestones if s.name != "排产")),
                        date(2026, 12, 18), TODAY, CALENDAR).start
    old_slack, new_slack = CALENDAR.between(TODAY, old_start), CALENDAR.between(TODAY, new_start)
    assert f"余量：原 {old_slack} 个工作日，变更后 {new_slack} 个工作日（减少 {old_slack - new_slack} 个）" in reply.text
    assert "在免费变更期" in reply.text
    [change] = await events(chat.runtime, "change_requested")
    assert change.item["new_value"] == "2026-12-18" and change.flagged is None
    assert "change:1:requested:local:经理群" in await outbox(chat.runtime)

    approved = await manager.say("同意 变更#1 已和客户确认")
    assert approved.ok, approved.text
    assert "已同意变更#1：订单123 交期 2026-12-30 → 2026-12-18" in approved.text
    assert "焊接车间群" in approved.text and "涂装车间群" in approved.text

    after = await order(chat.runtime, "123")
    assert after.due_date == date(2026, 12, 18)
    for milestone in after.milestones:
        expected = planned_before["排产"] if milestone.name == "排产" else new_plan[milestone.name]
        assert milestone.planned_date == expected, milestone.name
    queued = await outbox(chat.runtime)
    welding_notice = queued["change:1:approved:local:焊接车间群"]
    assert f"焊接 {planned_before['焊接']:%m-%d}→{new_plan['焊接']:%m-%d}" in welding_notice
    assert "涂装" in queued["change:1:approved:local:涂装车间群"]
    assert not any(key.startswith("change:1:approved:local:经理群") for key in queued)
    [decision] = await events(chat.runtime, "change_approved")
    assert decision.actor_name == "王经理" and decision.before["due_date"] == "2026-12-30"
    assert decision.item["moved"]["焊接"] == [planned_before["焊接"].isoformat(), new_plan["焊接"].isoformat()]
    assert "交期 2026-12-18" in (await chat.say("进度 123")).text

    again = await manager.say("同意 变更#1")
    assert not again.ok and "已同意，不能再审批" in again.text
    assert len(await events(chat.runtime, "change_approved")) == 1


async def test_a_rejected_quantity_change_leaves_the_order_untouched(chat: ChatSession, manager: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    await chat.say("订单123 排产完成")
    await chat.say("订单123 下料60%")
    before = await order(chat.runtime, "123")
    reply = await chat.say("变更 123 数量 2000 客户追加")
    assert reply.ok, reply.text
    assert "数量 50台 → 2000台（+1950）" in reply.text
    assert "已按原数量完成：排产（追加部分需补做）" in reply.text and "进行中：下料 60%" in reply.text
    request = await manager.say("驳回 变更#1")
    assert not request.ok and "请写上驳回原因" in request.text
    rejected = await manager.say("驳回 变更#1 产能已排满")
    assert rejected.ok and "订单保持不变" in rejected.text
    after = await order(chat.runtime, "123")
    assert after.quantity == 50 and after.due_date == before.due_date
    assert [(m.name, m.planned_date, m.status) for m in after.milestones] == [
        (m.name, m.planned_date, m.status) for m in before.milestones
    ]
    assert not any(":approved:" in key for key in await outbox(chat.runtime))
    [decision] = await events(chat.runtime, "change_rejected")
    assert decision.item["note"] == "产能已排满"
    late = await manager.say("同意 变更#1")
    assert not late.ok and "已驳回，不能再审批" in late.text
    assert (await order(chat.runtime, "123")).quantity == 50


async def test_free_text_quantity_change_is_a_request_not_a_change(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("123 数量改成2000台")
    assert "变更申请#1：数量 50 → 2000" in reply.text
    assert (await order(chat.runtime, "123")).quantity == 50


async def test_a_change_after_the_free_period_is_flagged_for_evaluation(chat: ChatSession) -> None:
    await create_order(chat, due="2026-12-30")
    chat.now += timedelta(days=7)  # five working days after intake; the default free period is three
    reply = await chat.say("变更 123 交期 2026-12-28 客户要求")
    assert "已过免费变更期（接单后 3 个工作日，现为第 5 个）" in reply.text and "需评估" in reply.text
    [change] = await events(chat.runtime, "change_requested")
    assert change.flagged and change.item["needs_evaluation"] is True


async def test_the_free_period_comes_from_configuration(settings: Settings, chat: ChatSession) -> None:
    configured = parse_settings({"database": {"url": settings.database.url}, "workflow": {"free_change_days": 10}},
                                environ={})
    async with open_runtime(configured) as runtime:
        assert runtime.handler_settings.workflow.free_change_days == 10
        staff = await ChatSession(runtime, now=NOW).bind_chat("department", department="焊接车间")
        await create_order(staff, due="2026-12-30")
        staff.now += timedelta(days=7)
        assert "在免费变更期（接单后 10 个工作日）内" in (await staff.say("变更 123 数量 60")).text


async def test_impossible_changes_are_refused_and_record_nothing(chat: ChatSession) -> None:
    await create_order(chat)
    logged = await count(chat.runtime, Event)
    past = await chat.say("变更 123 交期 2026-11-01")
    assert not past.ok and "已经过去" in past.text
    zero = await chat.say("变更 123 数量 -50")
    assert not zero.ok and "必须大于 0" in zero.text
    garbled = await chat.say("变更 123 数量 许多")
    assert not garbled.ok and "看不懂" in garbled.text
    unknown = await chat.say("变更 999 数量 10")
    assert not unknown.ok and "没有找到订单 999" in unknown.text
    assert await count(chat.runtime, ChangeRequest) == 0
    assert await count(chat.runtime, Event) == logged


async def test_an_accepted_order_cannot_be_changed(chat: ChatSession) -> None:
    await create_order(chat)
    await accept(chat)
    reply = await chat.say("变更 123 数量 60")
    assert not reply.ok and "已验收，不能再变更" in reply.text
    assert await count(chat.runtime, ChangeRequest) == 0


async def test_an_open_change_request_can_be_undone_by_its_requester(chat: ChatSession, manager: ChatSession) -> None:
    await create_order(chat)
    await chat.say("变更 123 数量 60")
    assert "变更申请#1" in (await chat.say("撤销")).text
    reply = await manager.say("同意 变更#1")
    assert not reply.ok and "已撤回" in reply.text


async def test_spec_change_impact_names_steps_under_way_and_keeps_the_verb_out(chat) -> None:
    """Issue 17 #7."""
    from tests.helpers import create_order

    await create_order(chat)
    assert (await chat.say("订单123 排产完成")).ok
    assert (await chat.say("订单123 领料50%")).ok
    reply = await chat.say("变更 123 规格 改沉金工艺")
    assert "尚未开工" not in reply.text, reply.text
    assert "进行中的节点" in reply.text and "领料 50%" in reply.text
    assert "→ 沉金工艺" in reply.text and "改沉金" not in reply.text


async def test_a_request_notice_delivered_after_the_decision_does_not_ask_for_it(chat: ChatSession, manager: ChatSession) -> None:
    """Issue 17 #17: a notice still in the outbox when the change is decided no longer asks 「同意/驳回」."""
    await create_order(chat)
    assert (await chat.say("变更 123 数量 60")).ok
    assert (await chat.say("变更 123 数量 70")).ok
    assert (await manager.say("同意 变更#1")).ok
    assert (await manager.say("驳回 变更#2 产能不够")).ok
    queued = await outbox(chat.runtime)
    first, second = queued["change:1:requested:local:经理群"], queued["change:2:requested:local:经理群"]
    assert "同意 变更#1" not in first and "已由 王经理" in first and "同意，无需再审批" in first
    assert "驳回 变更#2" not in second and "驳回，无需再审批" in second
