"""Progress: recording a milestone's progress, and a milestone's recordable state.

Every record that changes a milestone (progress, quality rework) stores `snapshot()` as its
event's `before`; undo hands the same dict to `restore()`. The order's lifecycle status follows
its milestones (`_advance_order`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from handlers.context import Context
from handlers.formatting import STATUS_MARK, md, progress_words
from handlers.templates import MilestoneRole
from handlers.understanding.items import ParsedItem
from handlers.workdays import forecast_note
from storage.models import EventKind, MilestoneStatus, Order, OrderMilestone, OrderStatus


def milestone_named(order: Order, name: str | None) -> OrderMilestone | None:
    if not name:
        return None
    return next((m for m in order.milestones if m.name == name), None)


def snapshot(order: Order, milestone: OrderMilestone) -> dict[str, Any]:
    return {
        "status": str(milestone.status),
        "percent": milestone.percent,
        "finished_at": milestone.finished_at.isoformat() if milestone.finished_at else None,
        "forecast_date": milestone.forecast_date.isoformat() if milestone.forecast_date else None,
        "order_status": str(order.status),
        "delivered_on": order.delivered_on.isoformat() if order.delivered_on else None,
    }


def restore(order: Order, milestone: OrderMilestone, before: dict[str, Any]) -> None:
    milestone.status = MilestoneStatus(before["status"])
    milestone.percent = before["percent"]
    milestone.finished_at = datetime.fromisoformat(before["finished_at"]) if before["finished_at"] else None
    milestone.forecast_date = date.fromisoformat(before["forecast_date"]) if before["forecast_date"] else None
    order.status = OrderStatus(before["order_status"])
    order.delivered_on = date.fromisoformat(before["delivered_on"]) if before.get("delivered_on") else None


def _stamp(ctx: Context) -> str:
    local = ctx.local_time(ctx.now)
    return f"{ctx.sender_name} {local:%m-%d %H:%M}"


def _finished_at(ctx: Context, day: date | None) -> datetime:
    if day is None or day == ctx.today:
        return ctx.now
    return datetime.combine(day, time(18, 0), tzinfo=ctx.settings.tz)


def record_progress(ctx: Context, order: Order, item: ParsedItem) -> str:
    milestone = milestone_named(order, item.milestone)
    assert milestone is not None
    before = snapshot(order, milestone)
    flags: list[str] = []
    day = item.date
    if item.status == MilestoneStatus.DONE:
        if milestone.status == MilestoneStatus.DONE:
            when = md(ctx.local_time(milestone.finished_at)) if milestone.finished_at else "此前"
            flags.append(f"该节点 {when} 已记为完成，这次是重复报完成")
        skipped = [m.name for m in order.milestones if m.seq < milestone.seq and m.status == MilestoneStatus.PENDING]
        if skipped:
            flags.append(f"前面的 {'、'.join(skipped)} 还没有开始的记录，请确认是否漏报")
        milestone.status = MilestoneStatus.DONE
        milestone.percent = None
        milestone.finished_at = _finished_at(ctx, day)
    else:
        if milestone.status == MilestoneStatus.DONE:
            flags.append("该节点原来已完成，现在改回进行中（进度倒退），请确认")
        elif item.percent is not None and milestone.percent is not None and item.percent < milestone.percent:
            flags.append(f"进度从 {milestone.percent}% 降到 {item.percent}%（进度倒退），请确认")
        milestone.status = MilestoneStatus.IN_PROGRESS
        milestone.finished_at = None
        if item.percent is not None:
            milestone.percent = item.percent
        if day is not None:
            milestone.forecast_date = day
    milestone.updated_at = ctx.now
    _advance_order(ctx, order, milestone)
    ctx.record(EventKind.PROGRESS, order=order, item=item.as_dict(), before=before, milestone=milestone.name, flagged="；".join(flags) or None)
    words = progress_words(milestone.status, milestone.percent)
    if milestone.status == MilestoneStatus.IN_PROGRESS and milestone.forecast_date and day:
        words += f"，预计 {md(milestone.forecast_date)} 完成"
    if milestone.status == MilestoneStatus.DONE and day and day != ctx.today:
        words += f"（完成于 {md(day)}）"
    line = f"订单{order.order_no} {milestone.name} {STATUS_MARK[MilestoneStatus(milestone.status)]} {words}（{_stamp(ctx)}）"
    line += "".join(f"\n  ⚠️ {flag}" for flag in flags)
    forecast = forecast_note(ctx.settings.calendar, day) if day is not None and day > ctx.today else None
    return line + (f"\n  {forecast}" if forecast else "")


def shipping_milestone(ctx: Context, order: Order) -> str | None:
    """The name of the order's shipping step (the template step with the shipping role), if it has one."""
    template = ctx.settings.templates.get(order.template_name) or ctx.settings.templates.default
    spec = template.with_role(MilestoneRole.SHIPPING)
    return spec.name if spec is not None else None


def _advance_order(ctx: Context, order: Order, milestone: OrderMilestone) -> None:
    """Keep the order's lifecycle status in step with its milestones."""
    order.updated_at = ctx.now
    if order.status in (OrderStatus.INTAKE, OrderStatus.REVIEW, OrderStatus.PLANNED):
        order.status = OrderStatus.IN_PRODUCTION
    last = order.milestones[-1]
    if milestone is last and milestone.status == MilestoneStatus.DONE:
        order.status = OrderStatus.ACCEPTED
        order.delivered_on = ctx.local_time(milestone.finished_at or ctx.now).date()
    elif milestone.name == shipping_milestone(ctx, order) and milestone.status == MilestoneStatus.DONE:
        order.status = OrderStatus.SHIPPED
        order.delivered_on = ctx.local_time(milestone.finished_at or ctx.now).date()
