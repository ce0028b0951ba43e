"""Read what the scheduled jobs look at in a bounded number of queries: plain rows, not ORM objects.

A digest over thousands of open orders must not issue a query per order; each loader below is one
SELECT whatever the number of orders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Chat,
    ChatRole,
    Customer,
    Event,
    EventKind,
    ExceptionStatus,
    OPEN_ORDER_STATUSES,
    Order,
    OrderException,
    OrderMilestone,
    OrderStatus,
    Person,
)

QUIET_EVENT_KINDS = (EventKind.UNDO, EventKind.REFUSED, EventKind.CHAT_BOUND)
"""Audit events that are not news for a digest."""


@dataclass(slots=True)
class MilestoneRow:
    id: int
    order_id: int
    seq: int
    name: str
    planned_date: date
    days: int
    status: str
    percent: int | None
    owner: str | None
    department: str | None
    forecast_date: date | None


@dataclass(slots=True)
class OrderRow:
    id: int
    order_no: str
    customer_id: int
    customer: str
    product: str
    quantity: int
    unit: str
    due_date: date
    status: str
    owner: str | None
    milestones: list[MilestoneRow] = field(default_factory=list)


@dataclass(slots=True)
class ExceptionRow:
    id: int
    order_id: int
    order_no: str
    milestone: str | None
    category: str
    severity: str
    description: str
    expected_date: date | None
    customer_visible: bool
    created_at: datetime


@dataclass(slots=True)
class ChangeRow:
    id: int
    order_no: str
    field: str
    old_value: str | None
    new_value: str | None
    created_at: datetime


@dataclass(slots=True)
class EventRow:
    id: int
    kind: EventKind
    order_no: str | None
    milestone: str | None
    actor_name: str
    item: dict
    created_at: datetime


@dataclass(slots=True)
class ChatRow:
    id: int
    platform: str
    chat_id: str
    name: str
    role: str | None
    department: str | None
    customer_id: int | None


async def open_orders(
    session: AsyncSession, customer_id: int | None = None, order_ids: Collection[int] | None = None
) -> list[OrderRow]:
    """Open orders (of one customer, or of the given ids) with their milestones in plan order, by due
    date: two queries."""
    order_query = (
        select(
            Order.id, Order.order_no, Order.customer_id, Customer.name, Order.product, Order.quantity,
            Order.unit, Order.due_date, Order.status, Order.owner,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.status.in_(OPEN_ORDER_STATUSES))
        .order_by(Order.due_date, Order.order_no)
    )
    milestone_query = (
        select(
            OrderMilestone.id, OrderMilestone.order_id, OrderMilestone.seq, OrderMilestone.name,
            OrderMilestone.planned_date, OrderMilestone.days, OrderMilestone.status, OrderMilestone.percent,
            OrderMilestone.owner, OrderMilestone.department, OrderMilestone.forecast_date,
        )
        .join(Order, Order.id == OrderMilestone.order_id)
        .where(Order.status.in_(OPEN_ORDER_STATUSES))
        .order_by(OrderMilestone.order_id, OrderMilestone.seq)
    )
    if customer_id is not None:
        order_query = order_query.where(Order.customer_id == customer_id)
        milestone_query = milestone_query.where(Order.customer_id == customer_id)
    if order_ids is not None:
        order_query = order_query.where(Order.id.in_(order_ids))
        milestone_query = milestone_query.where(Order.id.in_(order_ids))
    orders = [OrderRow(*row) for row in (await session.execute(order_query)).all()]
    by_id = {order.id: order for order in orders}
    for row in (await session.execute(milestone_query)).all():
        by_id[row[1]].milestones.append(MilestoneRow(*row))
    return orders


async def open_exceptions(session: AsyncSession, customer_id: int | None = None) -> list[ExceptionRow]:
    query = (
        select(
            OrderException.id, OrderException.order_id, Order.order_no, OrderException.milestone,
            OrderException.category, OrderException.severity, OrderException.description,
            OrderException.expected_date, OrderException.customer_visible, OrderException.created_at,
        )
        .join(Order, Order.id == OrderException.order_id)
        .where(OrderException.status == ExceptionStatus.OPEN)
        .order_by(OrderException.created_at, OrderException.id)
    )
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    return [ExceptionRow(*row) for row in (await session.execute(query)).all()]


async def open_changes(session: AsyncSession) -> list[ChangeRow]:
    query = (
        select(
            ChangeRequest.id, Order.order_no, ChangeRequest.field, ChangeRequest.old_value,
            ChangeRequest.new_value, ChangeRequest.created_at,
        )
        .join(Order, Order.id == ChangeRequest.order_id)
        .where(ChangeRequest.status == ChangeStatus.OPEN)
        .order_by(ChangeRequest.created_at, ChangeRequest.id)
    )
    return [ChangeRow(*row) for row in (await session.execute(query)).all()]


def _news(start: datetime, end: datetime):
    return (
        Event.created_at >= start,
        Event.created_at < end,
        Event.undone_at.is_(None),
        Event.order_id.is_not(None),
        Event.kind.not_in(QUIET_EVENT_KINDS),
    )


async def count_events_between(session: AsyncSession, start: datetime, end: datetime) -> int:
    return await session.scalar(select(func.count()).select_from(Event).where(*_news(start, end))) or 0


async def events_between(
    session: AsyncSession, start: datetime, end: datetime, limit: int | None = None
) -> list[EventRow]:
    """Records made in [start, end) that still stand (undone ones and the undos themselves left
    out), oldest first, at most `limit` of them."""
    query = (
        select(
            Event.id, Event.kind, Order.order_no, Event.milestone, Event.actor_name, Event.item, Event.created_at,
        )
        .join(Order, Order.id == Event.order_id)
        .where(*_news(start, end))
        .order_by(Event.created_at, Event.id)
        .limit(limit)
    )
    return [EventRow(*row) for row in (await session.execute(query)).all()]


async def chats(session: AsyncSession, role: ChatRole | None = None) -> list[ChatRow]:
    query = select(
        Chat.id, Chat.platform, Chat.chat_id, Chat.name, Chat.role, Chat.department, Chat.customer_id
    ).order_by(Chat.id)
    if role is not None:
        query = query.where(Chat.role == role)
    return [ChatRow(*row) for row in (await session.execute(query)).all()]


async def user_ids_by_name(session: AsyncSession, names: set[str]) -> dict[tuple[str, str], str]:
    """(platform, display name) -> user id, for @-mentioning owners recorded by name."""
    if not names:
        return {}
    query = select(Person.platform, Person.display_name, Person.user_id).where(Person.display_name.in_(names))
    return {(platform, name): user_id for platform, name, user_id in (await session.execute(query)).all()}


def group_by_order(rows: list[ExceptionRow]) -> dict[int, list[ExceptionRow]]:
    grouped: dict[int, list[ExceptionRow]] = defaultdict(list)
    for row in rows:
        grouped[row.order_id].append(row)
    return grouped


@dataclass(slots=True)
class DeliveredRow:
    order_no: str
    customer: str
    product: str
    quantity: int
    unit: str
    delivered_on: date
    status: str


async def delivered_between(session: AsyncSession, customer_id: int, first: date, last: date) -> list[DeliveredRow]:
    """One customer's orders delivered (shipped or accepted) on a day in [first, last], by date: one query."""
    query = (
        select(Order.order_no, Customer.name, Order.product, Order.quantity, Order.unit, Order.delivered_on,
               Order.status)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.customer_id == customer_id, Order.delivered_on >= first, Order.delivered_on <= last,
               Order.status.in_((OrderStatus.SHIPPED, OrderStatus.ACCEPTED)))
        .order_by(Order.delivered_on, Order.order_no)
    )
    return [DeliveredRow(*row) for row in (await session.execute(query)).all()]
