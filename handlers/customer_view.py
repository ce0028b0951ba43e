"""What a customer reads about an order: one projection, used everywhere a customer reads.

The chat answer in a customer group, the customer's order list and the weekly customer update all
say the same: the order's stage in customer words and its expected delivery date (the due date,
or later when the work left at planned durations no longer fits), never internal lateness, staff
or departments. Works on the ORM orders of the handlers and the plain rows of the scheduler alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from handlers.formatting import md
from storage.models import ExceptionCategory, MilestoneStatus, OrderStatus

CUSTOMER_CATEGORY_WORDS = {
    ExceptionCategory.QUALITY: "质量复检",
    ExceptionCategory.MATERIAL: "物料到货",
    ExceptionCategory.EQUIPMENT: "设备检修",
    ExceptionCategory.DELAY: "进度调整",
    ExceptionCategory.OTHER: "生产安排调整",
}


class WorkdayCounter(Protocol):
    def is_workday(self, day: date) -> bool: ...
    def add(self, day: date, workdays: int) -> date: ...


class MilestoneLike(Protocol):
    seq: int
    name: str
    status: str
    percent: int | None
    days: int


class OrderLike(Protocol):
    order_no: str
    product: str
    quantity: int
    unit: str
    due_date: date
    status: str

    @property
    def milestones(self) -> Sequence[MilestoneLike]: ...


def remaining_days(milestone: MilestoneLike) -> int:
    """Working days a milestone still needs at its planned duration (in progress: its unfinished share)."""
    if milestone.status == MilestoneStatus.DONE:
        return 0
    if milestone.status == MilestoneStatus.IN_PROGRESS and milestone.percent is not None:
        return math.ceil(milestone.days * (100 - milestone.percent) / 100)
    return milestone.days


def expected_delivery(order: OrderLike, today: date, calendar: WorkdayCounter) -> date:
    """The due date, or the day the work left finishes at planned durations starting today if later."""
    needed = sum(remaining_days(m) for m in order.milestones)
    if needed <= 0:
        past_due = order.due_date < today and order.status != OrderStatus.SHIPPED
        return max(order.due_date, today) if past_due else order.due_date
    start = today if calendar.is_workday(today) else calendar.add(today, 1)
    return max(calendar.add(start, needed - 1), order.due_date)


def current_milestone(order: OrderLike) -> MilestoneLike | None:
    return next((m for m in order.milestones if m.status != MilestoneStatus.DONE), None)


def stage_words(order: OrderLike) -> str:
    status = OrderStatus(order.status)
    if status is OrderStatus.ACCEPTED:
        return "已验收"
    if status is OrderStatus.SHIPPED:
        return "已发货，等待验收"
    milestone = current_milestone(order)
    if milestone is None:
        return "已全部完成"
    if status in (OrderStatus.INTAKE, OrderStatus.REVIEW):
        return "订单评审中"
    if all(m.status == MilestoneStatus.PENDING for m in order.milestones):
        return "已排好生产计划，等待开工"
    percent = f" {milestone.percent}%" if milestone.status == MilestoneStatus.IN_PROGRESS and milestone.percent else ""
    return f"生产中（当前工序：{milestone.name}{percent}）"


def delivery_words(order: OrderLike, today: date, calendar: WorkdayCounter) -> str:
    if order.status == OrderStatus.ACCEPTED:
        return f"交期 {order.due_date:%Y-%m-%d}"
    expected = expected_delivery(order, today, calendar)
    words = f"预计交付 {expected:%Y-%m-%d}"
    if expected > order.due_date:
        words += f"（原定 {md(order.due_date)}）"
    return words


def customer_order_line(order: OrderLike, today: date, calendar: WorkdayCounter) -> str:
    """The one line a customer reads about an order, in chat and in the weekly update."""
    return (
        f"- **订单 {order.order_no}** · {order.product} {order.quantity}{order.unit}："
        f"{stage_words(order)} · {delivery_words(order, today, calendar)}"
    )


def customer_order_list(orders: Sequence[OrderLike], customer: str, today: date, calendar: WorkdayCounter) -> str:
    """The orders of one customer, as their own customer group reads them."""
    if not orders:
        return "您目前没有在制订单。如有疑问请联系对接的业务员。"
    lines = [f"**{customer}的订单**（共 {len(orders)} 个）"]
    lines += [customer_order_line(o, today, calendar) for o in orders]
    lines.append("发送「进度 订单号」查看某个订单的详细进度。")
    return "\n".join(lines)


def customer_note(category: str, expected: date | None) -> str:
    """An exception marked for customers, in words for them: its kind, never its description."""
    words = CUSTOMER_CATEGORY_WORDS.get(category, CUSTOMER_CATEGORY_WORDS[ExceptionCategory.OTHER])
    until = f"，预计 {md(expected)} 处理完毕" if expected else ""
    return f"说明：{words}处理中{until}，我们会及时同步进展。"


def customer_order_status(order: OrderLike, today: date, calendar: WorkdayCounter, notes: Sequence[str] = ()) -> str:
    """One order as a customer asking 「进度 123」 reads it: stage, expected delivery, each step done or
    not (no internal lateness, no staff), and the notes meant for customers."""
    lines = [customer_order_line(order, today, calendar).removeprefix("- "), ""]
    for milestone in order.milestones:
        mark = {"done": "✅ 已完成", "in_progress": "🔄 进行中"}.get(str(milestone.status), "⏳ 未开始")
        lines.append(f"{milestone.seq}. {milestone.name} {mark}")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines)
