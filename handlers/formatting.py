"""How orders, milestones and records read in chat (zh-CN markdown both platforms render)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from handlers.workdays import WorkCalendar
from storage.models import (
    ChangeRequest,
    ExceptionCategory,
    ExceptionSeverity,
    MilestoneStatus,
    Order,
    OrderException,
    OrderMilestone,
    OrderStatus,
)

STATUS_MARK = {
    MilestoneStatus.DONE: "✅",
    MilestoneStatus.IN_PROGRESS: "🔄",
    MilestoneStatus.PENDING: "⏳",
}
FIELD_LABELS = {"quantity": "数量", "due_date": "交期", "spec": "规格"}
CATEGORY_LABELS = {
    ExceptionCategory.QUALITY: "质量",
    ExceptionCategory.MATERIAL: "物料",
    ExceptionCategory.EQUIPMENT: "设备",
    ExceptionCategory.DELAY: "延期",
    ExceptionCategory.OTHER: "其他",
}
SEVERITY_LABELS = {ExceptionSeverity.GENERAL: "一般", ExceptionSeverity.MAJOR: "重大"}


def md(day: date | datetime | None) -> str:
    return "—" if day is None else f"{day.month:02d}-{day.day:02d}"


def progress_words(status: str, percent: int | None) -> str:
    if status == MilestoneStatus.DONE:
        return "完成"
    if status == MilestoneStatus.IN_PROGRESS:
        return f"进行中 {percent}%" if percent is not None else "进行中"
    return "未开始"


def milestone_late_days(milestone: OrderMilestone, today: date, calendar: WorkCalendar) -> int:
    """Working days a milestone not yet done is past its planned date (0 when it is not late)."""
    if milestone.status == MilestoneStatus.DONE or milestone.planned_date >= today:
        return 0
    return max(calendar.between(milestone.planned_date, today), 0) or 1


def order_is_late(order: Order, today: date) -> bool:
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.CANCELLED):
        return False
    if order.due_date < today and order.status != OrderStatus.SHIPPED:
        return True
    return any(m.status != MilestoneStatus.DONE and m.planned_date < today for m in order.milestones)


def current_stage(order: Order) -> str:
    """The milestone the order is at: the first one not done, or 全部完成."""
    for milestone in order.milestones:
        if milestone.status != MilestoneStatus.DONE:
            return f"{milestone.name}（{progress_words(milestone.status, milestone.percent)}）"
    return "全部完成"


def milestone_line(milestone: OrderMilestone, today: date, calendar: WorkCalendar, tz) -> str:
    mark = STATUS_MARK[MilestoneStatus(milestone.status)]
    words = progress_words(milestone.status, milestone.percent)
    if milestone.status == MilestoneStatus.DONE and milestone.finished_at is not None:
        detail = f"{words} {md(milestone.finished_at.astimezone(tz))}"
    else:
        detail = f"{words}，计划 {md(milestone.planned_date)}"
        if milestone.forecast_date is not None:
            detail += f"，预计 {md(milestone.forecast_date)}"
    late = milestone_late_days(milestone, today, calendar)
    if late:
        detail += f" ⚠️ 逾期{late}个工作日"
    owner = f" · {milestone.owner}" if milestone.owner else ""
    return f"{milestone.seq}. {milestone.name} {mark} {detail}{owner}"


def order_header(order: Order, today: date, calendar: WorkCalendar) -> str:
    status = OrderStatus(order.status).label
    days_left = calendar.between(today, order.due_date)
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.CANCELLED):
        due = f"交期 {order.due_date:%Y-%m-%d}"
    elif days_left >= 0:
        due = f"交期 {order.due_date:%Y-%m-%d}（还有{days_left}个工作日）"
    else:
        due = f"交期 {order.due_date:%Y-%m-%d}（⚠️ 已过{-days_left}个工作日）"
    return (
        f"**订单 {order.order_no}** · {order.customer.name} · {order.product} {order.quantity}{order.unit}\n"
        f"{due} · 状态：{status}"
    )


def order_status_text(
    order: Order,
    today: date,
    calendar: WorkCalendar,
    tz,
    *,
    exceptions: Sequence[OrderException] = (),
    changes: Sequence[ChangeRequest] = (),
) -> str:
    lines = [order_header(order, today, calendar), ""]
    lines += [milestone_line(m, today, calendar, tz) for m in order.milestones]
    if exceptions:
        lines += ["", "**未关闭的异常**"]
        lines += [
            f"- 异常#{e.id} {CATEGORY_LABELS.get(e.category, e.category)}·{SEVERITY_LABELS.get(e.severity, e.severity)}"
            f"{'·' + e.milestone if e.milestone else ''}：{e.description}"
            for e in exceptions
        ]
    if changes:
        lines += ["", "**待审批的变更**"]
        lines += [
            f"- 变更#{c.id} {FIELD_LABELS.get(c.field, c.field)}：{c.old_value or '—'} → {c.new_value}"
            for c in changes
        ]
    return "\n".join(lines)


def order_list_line(order: Order, today: date) -> str:
    late = " ⚠️ 逾期" if order_is_late(order, today) else ""
    return (
        f"- {order.order_no} · {order.customer.name} · {order.product} {order.quantity}{order.unit}"
        f" · 交期 {md(order.due_date)} · 当前：{current_stage(order)}{late}"
    )


def customer_stage(order: Order) -> str:
    """Where an order stands, in words for the customer."""
    if order.status == OrderStatus.ACCEPTED:
        return "已验收"
    if order.status == OrderStatus.SHIPPED:
        return "已发货，等待验收"
    for milestone in order.milestones:
        if milestone.status != MilestoneStatus.DONE:
            return f"正在进行：{milestone.name}"
    return "已全部完成"


def customer_order_list(orders: Sequence[Order]) -> str:
    """The orders of one customer, as their own customer group reads them."""
    if not orders:
        return "您目前没有在制订单。如有疑问请联系对接的业务员。"
    name = orders[0].customer.name
    lines = [f"**{name}的订单**（共 {len(orders)} 个）"]
    lines += [
        f"- 订单 {o.order_no}：{o.product} {o.quantity}{o.unit}，交期 {o.due_date:%Y-%m-%d}，{customer_stage(o)}"
        for o in orders
    ]
    lines.append("发送「进度 订单号」查看某个订单的详细进度。")
    return "\n".join(lines)
