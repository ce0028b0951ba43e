"""The weekly update to each customer group: that customer's orders only, in customer-facing words.

No staff names, departments or internal exceptions: only each order's stage, its expected delivery
date, and the exceptions marked `customer_visible`, described by their kind and expected date.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.formatting import md
from handlers.links import IssuedLink, LinkIssuer, LinkScope
from scheduler.drafts import Draft
from scheduler.health import assess, current_milestone, projected_finish
from scheduler.read_model import (
    ChatRow,
    ExceptionRow,
    OrderRow,
    chats,
    group_by_order,
    open_exceptions,
    open_orders,
)
from scheduler.workindex import WorkdayIndex
from storage.models import ChatRole, ExceptionCategory, MilestoneStatus, OrderStatus

CUSTOMER_CATEGORY_WORDS = {
    ExceptionCategory.QUALITY: "质量复检",
    ExceptionCategory.MATERIAL: "物料到货",
    ExceptionCategory.EQUIPMENT: "设备检修",
    ExceptionCategory.DELAY: "进度调整",
    ExceptionCategory.OTHER: "生产安排调整",
}


def stage_words(order: OrderRow) -> str:
    status = OrderStatus(order.status)
    if status is OrderStatus.SHIPPED:
        return "已发货，等待验收"
    milestone = current_milestone(order)
    if milestone is None:
        return "已全部完成"
    if status in (OrderStatus.INTAKE, OrderStatus.REVIEW):
        return "订单评审中"
    if milestone.seq == 1 and milestone.status == MilestoneStatus.PENDING:
        return "已排产，等待开工"
    percent = f" {milestone.percent}%" if milestone.status == MilestoneStatus.IN_PROGRESS and milestone.percent else ""
    return f"生产中（当前工序：{milestone.name}{percent}）"


def order_lines(order: OrderRow, exceptions: list[ExceptionRow], today: date, index: WorkdayIndex) -> list[str]:
    health = assess(order, today, index)
    expected = projected_finish(health, today, index)
    delivery = f"预计交付 {expected:%Y-%m-%d}"
    if expected > order.due_date:
        delivery += f"（原定 {md(order.due_date)}）"
    lines = [f"- **订单 {order.order_no}** · {order.product} {order.quantity}{order.unit}：{stage_words(order)} · {delivery}"]
    for row in exceptions:
        if not row.customer_visible:
            continue
        words = CUSTOMER_CATEGORY_WORDS.get(row.category, CUSTOMER_CATEGORY_WORDS[ExceptionCategory.OTHER])
        until = f"，预计 {md(row.expected_date)} 处理完毕" if row.expected_date else ""
        lines.append(f"  - 说明：{words}处理中{until}，我们会及时同步进展。")
    return lines


def update_text(customer: str, orders: list[OrderRow], exceptions: dict[int, list[ExceptionRow]],
                today: date, index: WorkdayIndex, bot_name: str, portal: IssuedLink | None = None) -> str:
    lines = [f"**订单进度周报 · {today:%Y-%m-%d}**", f"{customer}您好，贵司在制订单的最新进度如下："]
    for order in orders:
        lines += order_lines(order, exceptions.get(order.id, []), today, index)
    lines.append(f"如需随时查询，请在群里 @{bot_name} 发送「进度 订单号」，例如「进度 {orders[0].order_no}」。")
    if portal is not None:
        lines.append(f"也可以打开贵司的订单进度页面（有效期至 {md(portal.expires_at)}）：{portal.url}")
    return "\n".join(lines)


async def customer_update_drafts(
    session: AsyncSession, *, today: date, index: WorkdayIndex, bot_name: str, week_key: str,
    now: datetime, links: LinkIssuer | None = None,
) -> list[Draft]:
    drafts: list[Draft] = []
    for chat in await chats(session, ChatRole.CUSTOMER):
        if chat.customer_id is None:
            continue
        text = await customer_update_for(session, chat, today=today, index=index, bot_name=bot_name, now=now,
                                         links=links)
        if text is not None:
            drafts.append(Draft(f"weekly:{week_key}:c{chat.id}", chat, text))
    return drafts


async def customer_update_for(
    session: AsyncSession, chat: ChatRow, *, today: date, index: WorkdayIndex, bot_name: str,
    now: datetime, links: LinkIssuer | None = None,
) -> str | None:
    """The update for one customer group, or None when the customer has no open order. With `links`,
    it carries a link to that customer's portal (scoped to the customer, valid until after the next update)."""
    orders = await open_orders(session, customer_id=chat.customer_id)
    if not orders:
        return None
    exceptions = group_by_order(await open_exceptions(session, customer_id=chat.customer_id))
    portal = None
    if links is not None and chat.customer_id is not None:
        portal = await links.issue(session, LinkScope.customer(chat.customer_id), now)
    return update_text(orders[0].customer, orders, exceptions, today, index, bot_name, portal)
