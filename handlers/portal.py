"""The customer portal's read side: one customer's orders, in the words of the weekly update.

Stage and expected delivery come from the one customer projection (`handlers.customer_view`), the
same the chat answers and the weekly update use, so the portal never disagrees with them. No staff names, departments or internal exceptions: only exceptions marked
customer-visible, described by their kind. Cancelled orders are never shown. Every query is narrowed
to the one customer, so another customer's order reads exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.board import order_row
from handlers.orders import normalize_order_no
from handlers.templates import MilestoneRole, TemplateSet
from handlers.customer_view import CUSTOMER_CATEGORY_WORDS, expected_delivery, stage_words

from scheduler.read_model import ExceptionRow, group_by_order, open_exceptions
from scheduler.workindex import WorkdayIndex
from storage.models import (
    OPEN_ORDER_STATUSES,
    Customer,
    ExceptionCategory,
    MilestoneStatus,
    Order,
    OrderStatus,
)

DELIVERED_SHOWN_DAYS = 90
"""Accepted orders stay on the portal this many days after acceptance."""


@dataclass(frozen=True, slots=True)
class PortalMilestone:
    name: str
    planned_date: date
    status: MilestoneStatus
    percent: int | None
    done_on: date | None


@dataclass(frozen=True, slots=True)
class PortalOrder:
    order_no: str
    product: str
    quantity: int
    unit: str
    stage: str
    due_date: date
    expected: date | None
    """The projected delivery for open orders; None once delivered."""
    shipped_on: date | None
    accepted_on: date | None
    notes: list[str]
    milestones: list[PortalMilestone]


@dataclass(frozen=True, slots=True)
class Portal:
    customer: str
    open: list[PortalOrder]
    delivered: list[PortalOrder]


def _notes(exceptions: list[ExceptionRow]) -> list[str]:
    notes = []
    for row in exceptions:
        if not row.customer_visible:
            continue
        words = CUSTOMER_CATEGORY_WORDS.get(row.category, CUSTOMER_CATEGORY_WORDS[ExceptionCategory.OTHER])
        until = f"，预计 {row.expected_date:%Y-%m-%d} 处理完毕" if row.expected_date else ""
        notes.append(f"{words}处理中{until}，我们会及时同步进展。")
    return notes


def _shipped_on(order: Order, tz: ZoneInfo, templates: TemplateSet) -> date | None:
    """When the order's shipping step (the template step with the shipping role) was done."""
    template = templates.get(order.template_name) or templates.default
    shipping = template.with_role(MilestoneRole.SHIPPING)
    for milestone in order.milestones:
        if shipping and milestone.name == shipping.name and milestone.status == MilestoneStatus.DONE \
                and milestone.finished_at:
            return milestone.finished_at.astimezone(tz).date()
    return order.delivered_on if order.status == OrderStatus.SHIPPED else None


def _milestones(order: Order, tz: ZoneInfo) -> list[PortalMilestone]:
    return [
        PortalMilestone(m.name, m.planned_date, MilestoneStatus(m.status), m.percent,
                        m.finished_at.astimezone(tz).date() if m.finished_at else None)
        for m in order.milestones
    ]


def _portal_order(order: Order, exceptions: list[ExceptionRow], today: date, index: WorkdayIndex,
                  tz: ZoneInfo, templates: TemplateSet) -> PortalOrder:
    row = order_row(order)
    accepted = order.status == OrderStatus.ACCEPTED
    expected = None if accepted else expected_delivery(row, today, index)
    return PortalOrder(
        order_no=order.order_no, product=order.product, quantity=order.quantity, unit=order.unit,
        stage="已验收" if accepted else stage_words(row), due_date=order.due_date, expected=expected,
        shipped_on=_shipped_on(order, tz, templates), accepted_on=order.delivered_on if accepted else None,
        notes=[] if accepted else _notes(exceptions), milestones=_milestones(order, tz),
    )


async def customer_name(session: AsyncSession, customer_id: int) -> str | None:
    return await session.scalar(select(Customer.name).where(Customer.id == customer_id))


async def portal(
    session: AsyncSession, customer_id: int, today: date, index: WorkdayIndex, tz: ZoneInfo, templates: TemplateSet
) -> Portal | None:
    """The customer's open orders (by due date) and those accepted in the last 90 days."""
    name = await customer_name(session, customer_id)
    if name is None:
        return None
    since = today - timedelta(days=DELIVERED_SHOWN_DAYS)
    orders = list(await session.scalars(
        select(Order)
        .where(Order.customer_id == customer_id)
        .where(Order.status.in_(OPEN_ORDER_STATUSES)
               | ((Order.status == OrderStatus.ACCEPTED) & (Order.delivered_on >= since)))
        .options(selectinload(Order.milestones))
        .order_by(Order.due_date, Order.order_no)
    ))
    exceptions = group_by_order(await open_exceptions(session, customer_id=customer_id))
    shown = [_portal_order(o, exceptions.get(o.id, []), today, index, tz, templates) for o in orders]
    return Portal(
        customer=name,
        open=[o for o in shown if o.accepted_on is None],
        delivered=sorted((o for o in shown if o.accepted_on is not None), key=lambda o: o.accepted_on, reverse=True),
    )


async def portal_order(
    session: AsyncSession, customer_id: int, order_no: str, today: date, index: WorkdayIndex, tz: ZoneInfo,
    templates: TemplateSet,
) -> PortalOrder | None:
    """One of the customer's orders; None for another customer's, a cancelled or an unknown one alike."""
    order = await session.scalar(
        select(Order)
        .where(Order.order_no == normalize_order_no(order_no), Order.customer_id == customer_id,
               Order.status != OrderStatus.CANCELLED)
        .options(selectinload(Order.milestones))
    )
    if order is None:
        return None
    exceptions = [e for e in await open_exceptions(session, customer_id=customer_id) if e.order_id == order.id]
    return _portal_order(order, exceptions, today, index, tz, templates)


