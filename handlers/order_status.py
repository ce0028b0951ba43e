"""Order status: answers to queries in chat, and an order's full history (plan and event log) for `gendan show`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.access import scope_for, visible_open_orders
from handlers.context import Context
from handlers.customer_view import customer_note, customer_order_list, customer_order_status
from handlers.formatting import event_words, order_list_line, order_status_text
from handlers.orders import find_order, normalize_order_no
from handlers.settings import HandlerSettings
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Event,
    EventKind,
    ExceptionStatus,
    Order,
    OrderException,
)

async def answer_query(ctx: Context, order: Order | None, milestone: str | None) -> str:
    if order is None:
        orders = await visible_open_orders(ctx)
        if scope_for(ctx).restricted:
            return await customer_orders_text(ctx)
        if not orders:
            return "目前没有在制订单。"
        return "**在制订单**\n" + "\n".join(order_list_line(o, ctx.today) for o in orders)
    return await status_text(ctx, order)


async def customer_orders_text(ctx: Context) -> str:
    """The open orders of the customer this chat may see, in the customer projection."""
    orders = await visible_open_orders(ctx)
    customer = orders[0].customer.name if orders else ""
    return customer_order_list(orders, customer, ctx.today, ctx.settings.calendar)


async def status_text(ctx: Context, order: Order) -> str:
    exceptions = list(
        await ctx.session.scalars(
            select(OrderException)
            .where(OrderException.order_id == order.id, OrderException.status == ExceptionStatus.OPEN)
            .order_by(OrderException.id)
        )
    )
    if scope_for(ctx).restricted:  # a customer reads the customer projection, and only notes marked for them
        notes = [customer_note(e.category, e.expected_date) for e in exceptions if e.customer_visible]
        return customer_order_status(order, ctx.today, ctx.settings.calendar, notes)
    changes = list(
        await ctx.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.order_id == order.id, ChangeRequest.status == ChangeStatus.OPEN)
            .order_by(ChangeRequest.id)
        )
    )
    return order_status_text(
        order, ctx.today, ctx.settings.calendar, ctx.settings.tz, exceptions=exceptions, changes=changes
    )


@dataclass(frozen=True)
class OrderHistory:
    """An order with its milestone plan and full event log."""

    order: Order
    events: list[Event]
    settings: HandlerSettings
    today: date

    def as_text(self) -> str:
        status = order_status_text(self.order, self.today, self.settings.calendar, self.settings.tz)
        lines = [status.replace("**", ""), "", "事件记录："]
        for event in self.events:
            when = event.created_at.astimezone(self.settings.tz).strftime("%Y-%m-%d %H:%M:%S")
            undone = f"  [已撤销 {event.undone_at.astimezone(self.settings.tz):%m-%d %H:%M}]" if event.undone_at else ""
            flag = f"  ⚠️ {event.flagged}" if event.flagged else ""
            target = f" {event.milestone}" if event.milestone and event.kind != EventKind.PROGRESS else ""
            words = event_words(event.kind, event.item, event.milestone)
            lines.append(f"#{event.id} {when} {words}{target} · {event.actor_name} · 「{event.raw_text}」{undone}{flag}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        order = self.order
        return {
            "order_no": order.order_no,
            "customer": order.customer.name,
            "product": order.product,
            "spec": order.spec,
            "quantity": order.quantity,
            "unit": order.unit,
            "due_date": order.due_date.isoformat(),
            "priority": order.priority,
            "owner": order.owner,
            "status": str(order.status),
            "template": order.template_name,
            "delivered_on": _iso(order.delivered_on),
            "milestones": [
                {
                    "seq": m.seq,
                    "name": m.name,
                    "planned_date": m.planned_date.isoformat(),
                    "status": str(m.status),
                    "percent": m.percent,
                    "owner": m.owner,
                    "department": m.department,
                    "forecast_date": _iso(m.forecast_date),
                    "finished_at": _iso(m.finished_at),
                }
                for m in order.milestones
            ],
            "events": [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "milestone": e.milestone,
                    "platform": e.platform,
                    "chat_id": e.chat_id,
                    "actor_id": e.actor_id,
                    "actor_name": e.actor_name,
                    "message_id": e.message_id,
                    "raw_text": e.raw_text,
                    "item": e.item,
                    "before": e.before,
                    "flagged": e.flagged,
                    "created_at": e.created_at.isoformat(),
                    "undone_at": _iso(e.undone_at),
                    "undone_by": e.undone_by,
                }
                for e in self.events
            ],
        }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def order_history(
    session: AsyncSession, order_no: str, settings: HandlerSettings, now: datetime | None = None
) -> OrderHistory | None:
    """The order with its plan and event log, its lateness judged as of `now` (default: the clock)."""
    order = await find_order(session, normalize_order_no(order_no))
    if order is None:
        return None
    events = list(await session.scalars(select(Event).where(Event.order_id == order.id).order_by(Event.id)))
    today = (now or datetime.now(settings.tz)).astimezone(settings.tz).date()
    return OrderHistory(order=order, events=events, settings=settings, today=today)
