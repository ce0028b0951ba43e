"""Exceptions: opened with a severity from the configured rules, escalated when major, resolved with a note."""

from __future__ import annotations

import math
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from handlers.formatting import CATEGORY_LABELS, SEVERITY_LABELS, md
from handlers.messages import Reply
from handlers.notices import tell_managers
from handlers.progress import milestone_named, shipping_milestone, snapshot
from handlers.understanding.items import ParsedItem
from storage.models import (
    Customer,
    EventKind,
    ExceptionCategory,
    ExceptionSeverity,
    ExceptionStatus,
    MilestoneStatus,
    Order,
    OrderException,
    OrderMilestone,
    OrderStatus,
)


def delay_workdays(ctx: Context, milestone: OrderMilestone | None, delay: int | None, expected: date | None) -> int | None:
    """The delay in working days: as stated, or from the date the late milestone is now expected."""
    if delay is not None:
        return delay
    if expected is not None and milestone is not None:
        return max(ctx.settings.calendar.between(milestone.planned_date, expected), 0)
    return None


def projected_end(
    ctx: Context, order: Order, milestone: OrderMilestone | None, delay: int | None, expected: date | None
) -> date | None:
    """When the order would be done if the work left, at standard durations, starts today and slips by
    `delay` working days (or, for a milestone now expected on a date, resumes after that date)."""
    calendar = ctx.settings.calendar
    remaining = [m for m in order.milestones if m.status != MilestoneStatus.DONE]
    if expected is not None and milestone is not None and milestone in remaining:
        after = remaining[remaining.index(milestone) + 1:]
        return calendar.add(max(expected, ctx.today), sum(m.days for m in after))
    if delay:
        return calendar.add(ctx.today, sum(m.days for m in remaining) + delay)
    # No slip stated: the order's own outlook, as the digest judges it (work left at planned
    # durations, an in-progress step only its unfinished share, a reworked step in full, from today).
    needed = sum(_days_left(m) for m in remaining)
    if milestone is not None and milestone.status == MilestoneStatus.DONE:
        needed += milestone.days
    if needed <= 0:
        return None
    start = ctx.today if calendar.is_workday(ctx.today) else calendar.add(ctx.today, 1)
    return calendar.add(start, needed - 1)


def _days_left(milestone: OrderMilestone) -> int:
    if milestone.status == MilestoneStatus.IN_PROGRESS and milestone.percent is not None:
        return math.ceil(milestone.days * (100 - milestone.percent) / 100)
    return milestone.days


def severity_reasons(
    ctx: Context,
    order: Order,
    category: ExceptionCategory,
    milestone: OrderMilestone | None,
    delay: int | None,
    expected: date | None = None,
) -> list[str]:
    """Why an exception is major under the configured rules; empty when it is general."""
    rules = ctx.settings.workflow
    reasons = []
    if delay is not None and delay >= rules.major_delay_days:
        reasons.append(f"延误{delay}个工作日（≥{rules.major_delay_days}）")
    end = projected_end(ctx, order, milestone, delay, expected)
    if rules.major_when_due_at_risk and end is not None and end > order.due_date:
        reasons.append(f"交期 {md(order.due_date)} 有风险（预计 {md(end)} 完成）")
    if category == ExceptionCategory.QUALITY and milestone is not None and milestone.name in rules.major_quality_milestones:
        reasons.append(f"{milestone.name}不通过")
    return reasons


async def record_exception(
    ctx: Context,
    order: Order,
    item: ParsedItem,
    *,
    description: str | None = None,
    owner: str | None = None,
) -> str:
    milestone = milestone_named(order, item.milestone)
    category = item.category or ExceptionCategory.OTHER
    expected = item.date
    stated = item.value if isinstance(item.value, int) and category == ExceptionCategory.DELAY else None
    delay = delay_workdays(ctx, milestone, stated, expected)
    reasons = severity_reasons(ctx, order, category, milestone, delay, expected)
    severity = ExceptionSeverity.MAJOR if reasons else ExceptionSeverity.GENERAL
    exception = OrderException(
        order=order,
        milestone=milestone.name if milestone else None,
        category=category,
        severity=severity,
        description=description if description is not None else ctx.text,
        owner=owner or (milestone.owner or milestone.department if milestone else order.owner),
        expected_date=expected,
        delay_days=delay,
        status=ExceptionStatus.OPEN,
        reported_by=ctx.sender_name,
        created_at=ctx.now,
    )
    ctx.session.add(exception)
    await ctx.session.flush()
    before, extra = None, ""
    if category == ExceptionCategory.QUALITY and milestone is not None:
        before, extra = snapshot(order, milestone), _rework(ctx, order, milestone)
    ctx.record(
        EventKind.EXCEPTION_OPENED,
        order=order,
        item={**item.as_dict(), "exception_id": exception.id, "category": category, "severity": severity,
              "delay_days": delay, "reasons": reasons},
        before=before,
        milestone=exception.milestone,
    )
    label = f"{CATEGORY_LABELS[category]}·{SEVERITY_LABELS[severity]}"
    where = f"·{exception.milestone}" if exception.milestone else ""
    details = [f"负责人 {exception.owner}" if exception.owner else "负责人待定"]
    if expected:
        details.append(f"预计 {md(expected)}")
    line = (
        f"订单{order.order_no} 异常#{exception.id}（{label}{where}），{'，'.join(details)}"
        f"（{ctx.sender_name} {ctx.local_time(ctx.now):%m-%d %H:%M}）{extra}"
    )
    if reasons:
        told = await tell_managers(
            ctx, f"exception:{exception.id}:escalated",
            f"🚨 重大异常升级：订单{order.order_no}（{order.customer.name}）异常#{exception.id} {label}{where}\n"
            f"原因：{'；'.join(reasons)}\n描述：{exception.description}\n"
            f"{'，'.join(details)}，报告人 {ctx.sender_name}。处理后请发「解决 异常#{exception.id} 处理说明」。",
        )
        line += f"\n  重大：{'；'.join(reasons)}。" + (f"已升级到{'、'.join(told)}" if told else "（没有绑定经理群，未能升级）")
    return line


_REWORK_FINISHED = re.compile(r"返工\s*(?:已经|已|都)?\s*(?:完成|好了|做好|做完|搞定|结束|完毕|ok|OK)")


async def open_quality_exceptions(ctx: Context, order: Order, milestone: str | None = None) -> list[OrderException]:
    query = select(OrderException).where(
        OrderException.order_id == order.id,
        OrderException.status == ExceptionStatus.OPEN,
        OrderException.category == ExceptionCategory.QUALITY,
    )
    if milestone:
        query = query.where(OrderException.milestone == milestone)
    return list(await ctx.session.scalars(query.order_by(OrderException.id)))


async def as_rework_finished(ctx: Context, order: Order, item: ParsedItem) -> ParsedItem | None:
    """「124 焊接返工完成」「124返工好了」 report the end of a rework, not a new defect: the progress
    item finishing the reworked milestone (the one named, else the one the open quality exception is
    on); None when the message is not that."""
    if item.intent != "exception" or item.category != ExceptionCategory.QUALITY or not _REWORK_FINISHED.search(ctx.text):
        return None
    milestone = item.milestone
    if milestone is None:
        open_ones = [e for e in await open_quality_exceptions(ctx, order) if e.milestone]
        if not open_ones:
            return None
        milestone = open_ones[-1].milestone
    return ParsedItem("progress", order_no=order.order_no, milestone=milestone, status="done")


async def rework_close_offer(ctx: Context, order: Order, milestone: str) -> str:
    """After a milestone with an open quality exception is finished: how to close that exception."""
    lines = [
        f"\n  异常#{e.id}（质量·{milestone}）还没有关闭；返工已合格请发「解决 异常#{e.id} 返工完成」。"
        for e in await open_quality_exceptions(ctx, order, milestone)
    ]
    return "".join(lines)


def _rework(ctx: Context, order: Order, milestone: OrderMilestone) -> str:
    """Quality failure: a finished milestone goes back to in progress; a closed order is opened again."""
    extra = ""
    if milestone.status == MilestoneStatus.DONE:
        milestone.status = MilestoneStatus.IN_PROGRESS
        milestone.finished_at = None
        extra = f"\n  {milestone.name} 已退回“进行中”（返工）"
    elif milestone.status == MilestoneStatus.PENDING and milestone is order.milestones[-1]:
        milestone.status = MilestoneStatus.IN_PROGRESS
    milestone.updated_at = ctx.now
    if order.status == OrderStatus.ACCEPTED:
        shipping = shipping_milestone(ctx, order)
        shipped = any(m.name == shipping and m.status == MilestoneStatus.DONE for m in order.milestones)
        order.status = OrderStatus.SHIPPED if shipped else OrderStatus.IN_PRODUCTION
        order.delivered_on = None
        extra += "，订单重新打开"
    if milestone is order.milestones[-1]:
        extra += "\n  订单保持未关闭，整改后再验收"
    order.updated_at = ctx.now
    return extra


async def load_exception(ctx: Context, exception_id: int) -> OrderException | None:
    return await ctx.session.scalar(
        select(OrderException)
        .where(OrderException.id == exception_id)
        .options(selectinload(OrderException.order).selectinload(Order.milestones))
    )


def close(ctx: Context, exception: OrderException, note: str) -> None:
    exception.status = ExceptionStatus.RESOLVED
    exception.resolution = note
    exception.resolved_at = ctx.now
    ctx.record(
        EventKind.EXCEPTION_RESOLVED,
        order=exception.order,
        item={"exception_id": exception.id, "category": exception.category, "severity": exception.severity,
              "resolution": note},
        milestone=exception.milestone,
    )


async def resolve_exception(ctx: Context, exception_id: int, note: str) -> Reply:
    exception = await load_exception(ctx, exception_id)
    if exception is None:
        return Reply(f"没有找到异常#{exception_id}。", ok=False)
    if exception.status != ExceptionStatus.OPEN:
        word = "已解决" if exception.status == ExceptionStatus.RESOLVED else "已撤销"
        return Reply(f"异常#{exception.id} {word}，不用再处理。", ok=False)
    if not note:
        return Reply(f"请写上处理说明，例如「解决 异常#{exception.id} 已返工，复检合格」。", ok=False)
    close(ctx, exception, note)
    order = exception.order
    ctx.about_order = order.order_no
    text = f"已解决：订单{order.order_no} 异常#{exception.id}（{CATEGORY_LABELS.get(exception.category, '')}）—— {note}（{ctx.sender_name}）"
    if exception.severity == ExceptionSeverity.MAJOR:
        told = await tell_managers(
            ctx, f"exception:{exception.id}:resolved",
            f"✅ 重大异常已解决：订单{order.order_no}（{order.customer.name}）异常#{exception.id}"
            f"\n处理：{note}（{ctx.sender_name}）",
        )
        if told:
            text += f"\n已通知{'、'.join(told)}"
    return Reply(text)


async def open_exceptions_list(ctx: Context, order: Order | None = None, customer: Customer | None = None) -> str:
    """「异常列表」: the open exceptions, oldest first, of one order or one customer or all."""
    query = (
        select(OrderException)
        .join(Order, Order.id == OrderException.order_id)
        .where(OrderException.status == ExceptionStatus.OPEN)
        .options(selectinload(OrderException.order))
        .order_by(OrderException.created_at, OrderException.id)
    )
    if order is not None:
        query = query.where(OrderException.order_id == order.id)
    if customer is not None:
        query = query.where(Order.customer_id == customer.id)
    rows = list(await ctx.session.scalars(query))
    scope = f"订单{order.order_no}" if order else customer.name if customer else ""
    if not rows:
        return f"{scope}目前没有未关闭的异常。"
    lines = [f"**{scope}未关闭的异常**（{len(rows)} 条，最早的在前）"]
    for e in rows:
        age = (ctx.today - ctx.local_time(e.created_at).date()).days
        where = f"·{e.milestone}" if e.milestone else ""
        owner = f" · 负责人 {e.owner}" if e.owner else ""
        lines.append(
            f"- 异常#{e.id} 订单{e.order.order_no}（{CATEGORY_LABELS.get(e.category, e.category)}·"
            f"{SEVERITY_LABELS.get(e.severity, e.severity)}{where}）{' '.join(e.description.split())[:40]}"
            f"{owner} · {md(ctx.local_time(e.created_at))} 报告，已 {age} 天"
        )
    return "\n".join(lines)
