"""The weekly update to each customer group: that customer's orders only, in customer-facing words.

No staff names, departments or internal exceptions: only each order's stage, its expected delivery
date, and the exceptions marked `customer_visible`, described by their kind and expected date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.customer_view import customer_note, customer_order_line
from handlers.formatting import md
from handlers.links import IssuedLink, LinkIssuer, LinkScope
from scheduler.drafts import Draft
from scheduler.read_model import (
    ChatRow,
    DeliveredRow,
    ExceptionRow,
    OrderRow,
    chats,
    delivered_between,
    group_by_order,
    open_exceptions,
    open_orders,
)
from scheduler.workindex import WorkdayIndex
from storage.models import ChatRole, OrderStatus


def order_lines(order: OrderRow, exceptions: list[ExceptionRow], today: date, index: WorkdayIndex) -> list[str]:
    lines = [customer_order_line(order, today, index)]
    lines += [f"  - {customer_note(row.category, row.expected_date)}" for row in exceptions if row.customer_visible]
    return lines


def update_text(customer: str, orders: list[OrderRow], exceptions: dict[int, list[ExceptionRow]],
                today: date, index: WorkdayIndex, bot_name: str, delivered: Sequence[DeliveredRow] = (),
                portal: IssuedLink | None = None) -> str:
    lines = [f"**订单进度周报 · {today:%Y-%m-%d}**"]
    if orders:
        lines.append(f"{customer}您好，贵司在制订单的最新进度如下：")
        for order in orders:
            lines += order_lines(order, exceptions.get(order.id, []), today, index)
    else:
        lines.append(f"{customer}您好，贵司目前没有在制订单。")
    if delivered:
        lines += ["", f"**本周已交付（{len(delivered)} 单）**"]
        lines += [
            f"- 订单 {row.order_no} · {row.product} {row.quantity}{row.unit}："
            f"{'已验收' if row.status == OrderStatus.ACCEPTED else '已发货'}，交付日期 {row.delivered_on:%Y-%m-%d}"
            for row in delivered
        ]
    example = orders[0].order_no if orders else delivered[0].order_no
    lines.append(f"如需随时查询，请在群里 @{bot_name} 发送「进度 订单号」，例如「进度 {example}」。")
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
    """The update for one customer group (open orders, and those delivered in the week up to today), or
    None when the customer has neither. With `links`, it carries a link to that customer's portal
    (scoped to the customer, valid until after the next update)."""
    orders = await open_orders(session, customer_id=chat.customer_id)
    delivered = await delivered_between(session, chat.customer_id, today - timedelta(days=6), today)
    if not orders and not delivered:
        return None
    exceptions = group_by_order(await open_exceptions(session, customer_id=chat.customer_id))
    portal = None
    if links is not None and chat.customer_id is not None:
        portal = await links.issue(session, LinkScope.customer(chat.customer_id), now)
    customer = orders[0].customer if orders else delivered[0].customer
    return update_text(customer, orders, exceptions, today, index, bot_name, delivered, portal=portal)
