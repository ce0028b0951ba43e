"""Change requests and exceptions: the records raised against an order, read the same way.

Both are numbered (变更#12, 异常#7), loaded with their order and its milestones when someone acts
on one, and listed oldest first while open — for one order, one customer or every order.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from storage.models import ChangeRequest, ChangeStatus, Customer, ExceptionStatus, Order, OrderException

OrderRecord = TypeVar("OrderRecord", ChangeRequest, OrderException)


async def load_record(ctx: Context, model: type[OrderRecord], record_id: int) -> OrderRecord | None:
    """The record numbered record_id, with its order and the order's milestones, or None."""
    return await ctx.session.scalar(
        select(model)
        .where(model.id == record_id)
        .options(selectinload(model.order).selectinload(Order.milestones))
    )


async def oldest_open(
    ctx: Context,
    model: type[OrderRecord],
    open_status: ChangeStatus | ExceptionStatus,
    order: Order | None = None,
    customer: Customer | None = None,
) -> list[OrderRecord]:
    """The records still open, oldest first, of one order or one customer or all, with their orders."""
    query = (
        select(model)
        .join(Order, Order.id == model.order_id)
        .where(model.status == open_status)
        .options(selectinload(model.order))
        .order_by(model.created_at, model.id)
    )
    if order is not None:
        query = query.where(model.order_id == order.id)
    if customer is not None:
        query = query.where(Order.customer_id == customer.id)
    return list(await ctx.session.scalars(query))


def scope_name(order: Order | None, customer: Customer | None) -> str:
    """How a listing names what it covers: 「订单123」, the customer's name, or nothing for all orders."""
    return f"订单{order.order_no}" if order else customer.name if customer else ""


def days_open(ctx: Context, record: ChangeRequest | OrderException) -> int:
    """Whole local days since the record was raised."""
    return (ctx.today - ctx.local_time(record.created_at).date()).days
