"""Overdue warnings, escalations and the day-before reminders to department groups.

A warning goes once per (milestone, planned date, level) to each group of the milestone's
department (to the manager groups when the department has none), @-mentioning the owner. Only
late milestones someone can act on are warned about: the order's current one and any in progress
(those queued behind a late one are late because of it). The
escalation level goes to the manager groups when the milestone is `escalate_after` working days
late, or as soon as it is late while the order's due date is at risk.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.formatting import md
from scheduler.digest import weekday
from scheduler.drafts import Draft
from scheduler.health import LateMilestone, OrderHealth, assess
from scheduler.read_model import (
    ChatRow,
    MilestoneRow,
    OrderRow,
    chats,
    open_orders,
    user_ids_by_name,
)
from scheduler.workindex import WorkdayIndex
from storage.models import ChatRole, MilestoneStatus


def _by_department(rows: list[ChatRow]) -> dict[str, list[ChatRow]]:
    grouped: dict[str, list[ChatRow]] = defaultdict(list)
    for row in rows:
        if row.department:
            grouped[row.department].append(row)
    return grouped


def _owner(order: OrderRow, milestone: MilestoneRow) -> str | None:
    return milestone.owner or order.owner


def _mention(owner: str | None, chat: ChatRow, user_ids: dict[tuple[str, str], str]) -> tuple[str, tuple[str, ...]]:
    if not owner:
        return "", ()
    user_id = user_ids.get((chat.platform, owner))
    return f" @{owner}", ((user_id,) if user_id else ())


def _warning_text(health: OrderHealth, late: LateMilestone, mention: str) -> str:
    order, m = health.order, late.milestone
    return (
        f"⚠️ **逾期提醒** 订单{order.order_no}（{order.customer} · {order.product}）\n"
        f"{m.name} 计划 {md(m.planned_date)} 完成，已逾期 {late.days_late} 个工作日，交期 {md(order.due_date)}。{mention}\n"
        f"请尽快处理，完成后在群里回复，例如「订单{order.order_no} {m.name}完成」；"
        f"如有困难请回复原因和预计完成日期。"
    )


def _escalation_text(health: OrderHealth, late: LateMilestone, mention: str, escalate_after: int) -> str:
    order, m = health.order, late.milestone
    reasons = []
    if late.days_late >= escalate_after:
        reasons.append(f"已逾期 {late.days_late} 个工作日")
    if health.at_risk:
        reasons.append(
            f"交期 {md(order.due_date)} 有风险（剩余工序需 {health.days_needed} 个工作日，只剩 {health.days_left} 个）"
        )
    dept = f"（{m.department}）" if m.department else ""
    return (
        f"⛔ **逾期升级** 订单{order.order_no}（{order.customer} · {order.product}）\n"
        f"{m.name}{dept} 计划 {md(m.planned_date)}，{'；'.join(reasons)}。负责人：{_owner(order, m) or '未指定'}{mention}"
    )


async def overdue_drafts(
    session: AsyncSession, *, today: date, index: WorkdayIndex, escalate_after: int
) -> list[Draft]:
    orders = await open_orders(session)
    departments = _by_department(await chats(session, ChatRole.DEPARTMENT))
    managers = await chats(session, ChatRole.MANAGER)
    healths = [health for health in (assess(order, today, index) for order in orders) if health.late]
    owners = {owner for h in healths for late in h.actionable_late if (owner := _owner(h.order, late.milestone))}
    user_ids = await user_ids_by_name(session, owners)
    drafts: list[Draft] = []
    for health in healths:
        for late in health.actionable_late:
            m = late.milestone
            base = f"overdue:m{m.id}:{m.planned_date.isoformat()}"
            owner = _owner(health.order, m)
            for chat in departments.get(m.department or "", []) or managers:
                mention, ids = _mention(owner, chat, user_ids)
                drafts.append(Draft(f"{base}:warn:c{chat.id}", chat, _warning_text(health, late, mention), ids))
            if late.days_late >= escalate_after or health.at_risk:
                for chat in managers:
                    mention, ids = _mention(owner, chat, user_ids)
                    text = _escalation_text(health, late, mention, escalate_after)
                    drafts.append(Draft(f"{base}:escalate:c{chat.id}", chat, text, ids))
    return drafts


async def reminder_drafts(session: AsyncSession, *, today: date, index: WorkdayIndex) -> list[Draft]:
    """On a working day, each department group hears which of its milestones are planned for the
    next working day (and any day off in between)."""
    next_day = index.add(today, 1)
    departments = _by_department(await chats(session, ChatRole.DEPARTMENT))
    if not departments:
        return []
    due: dict[str, list[tuple[OrderRow, MilestoneRow]]] = defaultdict(list)
    for order in await open_orders(session):
        for m in order.milestones:
            if m.department in departments and today < m.planned_date <= next_day and m.status != MilestoneStatus.DONE:
                due[m.department].append((order, m))
    owners = {owner for items in due.values() for order, m in items if (owner := _owner(order, m))}
    user_ids = await user_ids_by_name(session, owners)
    when = "明天" if (next_day - today).days == 1 else "下个工作日"
    drafts: list[Draft] = []
    for department, items in due.items():
        for chat in departments[department]:
            lines = [f"📅 **{when}（{md(next_day)} {weekday(next_day)}）计划完成的节点 · {department}**"]
            mentions: list[str] = []
            for order, m in items:
                owner = _owner(order, m)
                mention, ids = _mention(owner, chat, user_ids)
                mentions += [i for i in ids if i not in mentions]
                state = "" if m.status == MilestoneStatus.PENDING else f"（目前进行中{f' {m.percent}%' if m.percent is not None else ''}）"
                lines.append(f"- 订单{order.order_no} {m.name}{state} · {order.product} {order.quantity}{order.unit}{mention}")
            lines.append(f"完成后请在群里回复，例如「订单{items[0][0].order_no} {items[0][1].name}完成」。")
            drafts.append(Draft(f"remind:{today.isoformat()}:c{chat.id}", chat, "\n".join(lines), tuple(mentions)))
    return drafts
