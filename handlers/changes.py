"""Change requests: recorded with the bot's impact note, approved or rejected by a manager.

An approved change is applied in the message's one transaction: the order, the re-laid plan of
its remaining milestones, the audit event and the outbox notices to the department groups that
own those milestones all commit together or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from handlers.formatting import FIELD_LABELS, md
from handlers.messages import Reply
from handlers.notices import settle_undelivered, tell_managers
from handlers.planning import lay_out
from handlers.templates import MilestoneSpec, Template
from handlers.understanding.items import ParsedItem
from handlers.workdays import unknown_year_note
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Chat,
    ChatRole,
    Customer,
    EventKind,
    MilestoneStatus,
    Order,
    OrderMilestone,
    OrderStatus,
)
from storage.outbox import enqueue

CLOSED = (OrderStatus.ACCEPTED, OrderStatus.CANCELLED)


class ChangeInputError(ValueError):
    """A change that cannot be recorded or applied; the message is the zh-CN answer."""


def new_value(order: Order, item: ParsedItem) -> tuple[str | None, str | None]:
    """(old, new) as stored on the change request; new is None when the message left it unclear."""
    field, op, value = item.field, item.op or "set", item.value
    if field == "quantity":
        old = order.quantity
        if value is None:
            return str(old), None
        new = int(value) if op == "set" else old + int(value) if op == "add" else old - int(value)
        return str(old), str(new)
    if field == "due_date":
        old_due = order.due_date
        if op == "set" and value:
            return old_due.isoformat(), str(value)
        if value is not None and op in ("add", "sub"):
            delta = timedelta(days=int(value))
            return old_due.isoformat(), (old_due + delta if op == "add" else old_due - delta).isoformat()
        return old_due.isoformat(), None
    return order.spec or None, spec_value(value)


_SPEC_VERB = re.compile(r"^(?:改成|改为|改用|换成|换为|变成|调整为|改)\s*")


def spec_value(value: object) -> str | None:
    """The new spec itself: 「改不锈钢」「改成沉金工艺」 ask for 不锈钢, 沉金工艺 (the verb is not the value)."""
    if value is None:
        return None
    text = _SPEC_VERB.sub("", str(value).strip())
    return text or None


def _remaining(order: Order) -> list[OrderMilestone]:
    return [m for m in order.milestones if m.status != MilestoneStatus.DONE]


@dataclass(frozen=True)
class Replan:
    planned: dict[str, date]
    """New planned date of every milestone not yet done."""
    slack: int
    """Working days between today and the latest start of the remaining work (negative: too late)."""


def replan(ctx: Context, order: Order, due: date) -> Replan:
    """Lay the milestones not yet done out again backwards from `due` (handlers.planning logic)."""
    remaining = _remaining(order)
    if not remaining:
        return Replan({}, ctx.settings.calendar.between(ctx.today, due))
    template = Template(
        name=order.template_name,
        milestones=tuple(MilestoneSpec(m.name, (), m.days, m.department) for m in remaining),
    )
    plan = lay_out(template, due, ctx.today, ctx.settings.calendar)
    return Replan({s.name: s.planned_date for s in plan.steps}, ctx.settings.calendar.between(ctx.today, plan.start))


def _workdays(n: int) -> str:
    return f"{'推后' if n > 0 else '提前'}{abs(n)}个工作日"


def due_date_impact(ctx: Context, order: Order, new_due: date) -> list[str]:
    calendar = ctx.settings.calendar
    lines = [f"交期 {order.due_date:%Y-%m-%d} → {new_due:%Y-%m-%d}（{_workdays(calendar.between(order.due_date, new_due))}）"
             if new_due != order.due_date else f"交期不变（{new_due:%Y-%m-%d}）"]
    old, new = replan(ctx, order, order.due_date), replan(ctx, order, new_due)
    moved = []
    for milestone in _remaining(order):
        target = new.planned[milestone.name]
        if target != milestone.planned_date:
            shift = calendar.between(milestone.planned_date, target)
            moved.append(f"{milestone.name} {md(milestone.planned_date)}→{md(target)}（{shift:+d}）")
    lines.append("需调整的节点：" + ("、".join(moved) if moved else "无"))
    lost = old.slack - new.slack
    lines.append(
        f"余量：原 {old.slack} 个工作日，变更后 {new.slack} 个工作日"
        + (f"（减少 {lost} 个）" if lost > 0 else f"（增加 {-lost} 个）" if lost < 0 else "（不变）")
    )
    if new.slack < 0:
        lines.append(f"⚠️ 按标准工期已来不及，剩余节点需压缩 {-new.slack} 个工作日")
    unknown = unknown_year_note(calendar, [new_due, *new.planned.values()])
    if unknown is not None:
        lines.append(unknown)
    return lines


def quantity_impact(order: Order, new_quantity: int) -> list[str]:
    delta = new_quantity - order.quantity
    lines = [f"数量 {order.quantity}{order.unit} → {new_quantity}{order.unit}（{delta:+d}）"]
    done = [m.name for m in order.milestones if m.status == MilestoneStatus.DONE]
    doing = [f"{m.name}{f' {m.percent}%' if m.percent is not None else ''}"
             for m in order.milestones if m.status == MilestoneStatus.IN_PROGRESS]
    if done:
        consequence = "追加部分需补做" if delta > 0 else "减少部分可能已投料" if delta < 0 else "不受影响"
        lines.append(f"已按原数量完成：{'、'.join(done)}（{consequence}）")
    if doing:
        lines.append(f"进行中：{'、'.join(doing)}")
    if not done and not doing:
        lines.append("尚未开工，不影响已完成的工作")
    return lines


def spec_impact(order: Order) -> list[str]:
    done = [m.name for m in order.milestones if m.status == MilestoneStatus.DONE]
    doing = [f"{m.name}{f' {m.percent}%' if m.percent is not None else ''}"
             for m in order.milestones if m.status == MilestoneStatus.IN_PROGRESS]
    lines = []
    if done:
        lines.append(f"已完成的节点可能需要返工：{'、'.join(done)}，请技术评估")
    if doing:
        lines.append(f"进行中的节点需立即确认是否停工或改按新规格：{'、'.join(doing)}")
    return lines or ["尚未开工，按新规格生产即可"]


def freeze_note(ctx: Context, order: Order) -> tuple[str, bool]:
    """The change-freeze rule as it applies; True when the change needs evaluation."""
    limit = ctx.settings.workflow.free_change_days
    intake = ctx.local_time(order.created_at).date()
    age = ctx.settings.calendar.between(intake, ctx.today)
    if age <= limit:
        return f"接单后第 {age} 个工作日，在免费变更期（接单后 {limit} 个工作日）内", False
    return f"⚠️ 已过免费变更期（接单后 {limit} 个工作日，现为第 {age} 个），需评估成本和交期后再审批", True


def _check(order: Order, field: str, new: str | None, today: date) -> None:
    if order.status in CLOSED:
        raise ChangeInputError(f"订单 {order.order_no} {OrderStatus(order.status).label}，不能再变更。")
    if new is None:
        return
    if field == "quantity" and int(new) <= 0:
        raise ChangeInputError(f"变更后的数量必须大于 0（得到 {new}）。")
    if field == "due_date" and date.fromisoformat(new) < today:
        raise ChangeInputError(f"新交期 {new} 已经过去了（今天是 {today:%Y-%m-%d}）。")


def impact_lines(ctx: Context, order: Order, field: str, new: str | None) -> list[str]:
    if new is None:
        return ["新的值不明确，请补充后再审批"]
    if field == "due_date":
        return due_date_impact(ctx, order, date.fromisoformat(new))
    if field == "quantity":
        return quantity_impact(order, int(new))
    return spec_impact(order)


async def record_change(ctx: Context, order: Order, item: ParsedItem, reason: str | None = None) -> str:
    """Record a change request with its impact; the reply line. Raises ChangeInputError (nothing
    recorded) when the change cannot be requested."""
    old, new = new_value(order, item)
    _check(order, item.field, new, ctx.today)
    freeze, needs_evaluation = freeze_note(ctx, order)
    impact = "\n".join([*impact_lines(ctx, order, item.field, new), freeze])
    change = ChangeRequest(
        order=order,
        field=item.field,
        op=item.op or "set",
        old_value=old,
        new_value=new,
        reason=reason if reason is not None else ctx.text,
        impact=impact,
        status=ChangeStatus.OPEN,
        requested_by=ctx.sender_name,
        created_at=ctx.now,
    )
    ctx.session.add(change)
    await ctx.session.flush()
    ctx.record(
        EventKind.CHANGE_REQUESTED,
        order=order,
        item={**item.as_dict(), "change_id": change.id, "old_value": old, "new_value": new, "needs_evaluation": needs_evaluation},
        flagged="已过免费变更期，需评估" if needs_evaluation else None,
    )
    label = FIELD_LABELS.get(change.field, change.field)
    text = (
        f"订单{order.order_no} 变更申请#{change.id}：{label} {_shown(change.field, old)} → {_shown(change.field, new)}"
        f"，待经理审批（{ctx.sender_name} {ctx.local_time(ctx.now):%m-%d %H:%M}）\n"
        + "\n".join(f"  {line}" for line in impact.splitlines())
    )
    await tell_managers(
        ctx, f"change:{change.id}:requested",
        f"📝 订单{order.order_no}（{order.customer.name}）变更申请#{change.id}：{label} "
        f"{_shown(change.field, old)} → {_shown(change.field, new)}，申请人 {ctx.sender_name}。\n{impact}\n"
        f"{APPROVAL_ASK}「同意 变更#{change.id}」或「驳回 变更#{change.id} 原因」",
    )
    return text


APPROVAL_ASK = "审批："


async def _settle_request_notice(ctx: Context, change: ChangeRequest, decision: str) -> None:
    """A request notice still waiting in the outbox must not ask for a decision already made."""
    await settle_undelivered(
        ctx, f"change:{change.id}:requested", APPROVAL_ASK,
        f"（此申请已由 {ctx.sender_name} 于 {ctx.local_time(ctx.now):%m-%d %H:%M} {decision}，无需再审批）",
    )


def _shown(field: str, value: str | None) -> str:
    if value is None:
        return "（待明确）"
    return value


async def load_change(ctx: Context, change_id: int) -> ChangeRequest | None:
    return await ctx.session.scalar(
        select(ChangeRequest)
        .where(ChangeRequest.id == change_id)
        .options(selectinload(ChangeRequest.order).selectinload(Order.milestones))
    )


async def _decidable(ctx: Context, change_id: int) -> ChangeRequest | str:
    change = await load_change(ctx, change_id)
    if change is None:
        return f"没有找到变更#{change_id}。"
    if change.status != ChangeStatus.OPEN:
        word = {"approved": "已同意", "rejected": "已驳回", "withdrawn": "已撤回"}[str(change.status)]
        return f"变更#{change.id} {word}，不能再审批。"
    return change


async def approve_change(ctx: Context, change_id: int, note: str) -> Reply:
    change = await _decidable(ctx, change_id)
    if isinstance(change, str):
        return Reply(change, ok=False)
    order = change.order
    try:
        _check(order, change.field, change.new_value, ctx.today)
        if change.new_value is None:
            raise ChangeInputError(f"变更#{change.id} 的新值不明确，请驳回后重新申请。")
    except ChangeInputError as error:
        return Reply(f"没有同意：{error}", ok=False)
    impact = impact_lines(ctx, order, change.field, change.new_value)
    before = {
        "due_date": order.due_date.isoformat(),
        "quantity": order.quantity,
        "spec": order.spec,
        "planned": {m.name: m.planned_date.isoformat() for m in order.milestones},
    }
    moved: dict[str, list[str]] = {}
    if change.field == "due_date":
        new_due = date.fromisoformat(change.new_value)
        plan = replan(ctx, order, new_due)
        for milestone in _remaining(order):
            target = plan.planned[milestone.name]
            if target != milestone.planned_date:
                moved[milestone.name] = [milestone.planned_date.isoformat(), target.isoformat()]
                milestone.planned_date = target
        order.due_date = new_due
    elif change.field == "quantity":
        order.quantity = int(change.new_value)
    else:
        order.spec = change.new_value
    order.updated_at = ctx.now
    change.status = ChangeStatus.APPROVED
    change.decided_by = ctx.sender_name
    change.decided_at = ctx.now
    change.decision_note = note or None
    ctx.record(
        EventKind.CHANGE_APPROVED,
        order=order,
        item={"change_id": change.id, "field": change.field, "old_value": change.old_value,
              "new_value": change.new_value, "moved": moved, "note": note},
        before=before,
    )
    ctx.about_order = order.order_no
    await _settle_request_notice(ctx, change, "同意")
    label = FIELD_LABELS.get(change.field, change.field)
    notified = await _tell_departments(ctx, order, change, label, moved)
    lines = [f"已同意变更#{change.id}：订单{order.order_no} {label} {change.old_value} → {change.new_value}（{ctx.sender_name}）"]
    lines += [f"  {line}" for line in impact]
    lines.append(f"已通知：{'、'.join(notified)}" if notified else "没有绑定的部门群需要通知")
    return Reply("\n".join(lines))


async def reject_change(ctx: Context, change_id: int, note: str) -> Reply:
    change = await _decidable(ctx, change_id)
    if isinstance(change, str):
        return Reply(change, ok=False)
    if not note:
        return Reply(f"请写上驳回原因，例如「驳回 变更#{change.id} 产能已排满」。", ok=False)
    change.status = ChangeStatus.REJECTED
    change.decided_by = ctx.sender_name
    change.decided_at = ctx.now
    change.decision_note = note
    ctx.record(EventKind.CHANGE_REJECTED, order=change.order, item={"change_id": change.id, "field": change.field, "note": note})
    ctx.about_order = change.order.order_no
    await _settle_request_notice(ctx, change, "驳回")
    label = FIELD_LABELS.get(change.field, change.field)
    return Reply(f"已驳回变更#{change.id}（订单{change.order.order_no} {label}），原因：{note}。订单保持不变。")


async def _tell_departments(
    ctx: Context, order: Order, change: ChangeRequest, label: str, moved: dict[str, list[str]]
) -> list[str]:
    """Queue a notice to every department group bound to one of the order's remaining milestones."""
    remaining = _remaining(order)
    departments = {m.department for m in remaining if m.department}
    if not departments:
        return []
    chats = list(
        await ctx.session.scalars(
            select(Chat)
            .where(Chat.role == ChatRole.DEPARTMENT, Chat.department.in_(departments))
            .order_by(Chat.id)
        )
    )
    told = []
    for chat in chats:
        own = [m for m in remaining if m.department == chat.department]
        steps = "、".join(
            f"{m.name} {md(date.fromisoformat(moved[m.name][0]))}→{md(m.planned_date)}" if m.name in moved
            else f"{m.name} {md(m.planned_date)}（不变）"
            for m in own
        )
        text = (
            f"📢 变更通知：订单{order.order_no}（{order.customer.name}）{label} {change.old_value} → {change.new_value}"
            f"（变更#{change.id}，{ctx.sender_name} 已批准）。\n贵部门的节点：{steps}"
        )
        await enqueue(
            ctx.session, dedupe_key=f"change:{change.id}:approved:{chat.platform}:{chat.chat_id}",
            platform=chat.platform, chat_id=chat.chat_id, text=text, now=ctx.now,
        )
        told.append(chat.name or chat.department or chat.chat_id)
    return told


async def open_changes_list(ctx: Context, order: Order | None = None, customer: Customer | None = None) -> str:
    """「变更列表」: the change requests waiting for a decision, oldest first, of one order or customer or all."""
    query = (
        select(ChangeRequest)
        .join(Order, Order.id == ChangeRequest.order_id)
        .where(ChangeRequest.status == ChangeStatus.OPEN)
        .options(selectinload(ChangeRequest.order))
        .order_by(ChangeRequest.created_at, ChangeRequest.id)
    )
    if order is not None:
        query = query.where(ChangeRequest.order_id == order.id)
    if customer is not None:
        query = query.where(Order.customer_id == customer.id)
    rows = list(await ctx.session.scalars(query))
    scope = f"订单{order.order_no}" if order else customer.name if customer else ""
    if not rows:
        return f"{scope}目前没有待审批的变更。"
    lines = [f"**{scope}待审批的变更**（{len(rows)} 条，最早的在前）"]
    for c in rows:
        age = (ctx.today - ctx.local_time(c.created_at).date()).days
        lines.append(
            f"- 变更#{c.id} 订单{c.order.order_no} {FIELD_LABELS.get(c.field, c.field)}：{_shown(c.field, c.old_value)}"
            f" → {_shown(c.field, c.new_value)} · {c.requested_by} {md(ctx.local_time(c.created_at))} 申请，已等 {age} 天"
        )
    lines.append("审批：「同意 变更#编号」或「驳回 变更#编号 原因」（经理）")
    return "\n".join(lines)
