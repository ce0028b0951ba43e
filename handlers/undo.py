"""Undo: mark the sender's last record in this chat undone and restore what it replaced."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from handlers.formatting import FIELD_LABELS
from handlers.milestone_state import restore
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Event,
    ExceptionStatus,
    Order,
    OrderException,
    OrderStatus,
)

UNDOABLE = ("order_created", "progress", "change_requested", "exception_opened")


class UndoRefused(Exception):
    """The last record cannot be undone any more; the message says why, in zh-CN."""


async def last_undoable(ctx: Context) -> Event | None:
    return await ctx.session.scalar(
        select(Event)
        .where(
            Event.platform == ctx.message.platform,
            Event.chat_id == ctx.message.chat_id,
            Event.actor_id == ctx.message.sender_id,
            Event.kind.in_(UNDOABLE),
            Event.undone_at.is_(None),
        )
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(1)
        .options(selectinload(Event.order).selectinload(Order.milestones))
    )


async def _revert(ctx: Context, event: Event) -> str:
    order = event.order
    if event.kind == "order_created":
        assert order is not None
        order.status = OrderStatus.CANCELLED
        order.updated_at = ctx.now
        return f"新建订单 {order.order_no}（订单已标记为“已撤销”）"
    if event.kind == "change_requested":
        change = await ctx.session.get(ChangeRequest, event.item["change_id"])
        assert change is not None
        if change.status != ChangeStatus.OPEN:
            raise UndoRefused(f"变更#{change.id} 已经审批过了，不能撤销。")
        change.status = ChangeStatus.WITHDRAWN
        return f"订单{order.order_no if order else ''} 变更申请#{change.id}（{FIELD_LABELS.get(change.field, change.field)}）"
    if event.kind == "exception_opened":
        exception = await ctx.session.get(OrderException, event.item["exception_id"])
        assert exception is not None
        if exception.status != ExceptionStatus.OPEN:
            raise UndoRefused(f"异常#{exception.id} 已经处理关闭了，不能撤销。")
        exception.status = ExceptionStatus.WITHDRAWN
    if event.before is not None and order is not None and event.milestone:
        milestone = next(m for m in order.milestones if m.name == event.milestone)
        restore(order, milestone, event.before)
        order.updated_at = ctx.now
    if event.kind == "exception_opened":
        return f"订单{order.order_no if order else ''} 异常#{event.item['exception_id']}"
    return f"订单{order.order_no if order else ''} {event.milestone} 的进度记录"


async def undo_last(ctx: Context) -> str:
    event = await last_undoable(ctx)
    if event is None:
        return "你在这个群里没有可以撤销的记录。"
    try:
        what = await _revert(ctx, event)
    except UndoRefused as refusal:
        return str(refusal)
    undo = ctx.record("undo", order=event.order, item={"undone_event_id": event.id}, milestone=event.milestone)
    await ctx.session.flush()
    event.undone_at = ctx.now
    event.undone_by = undo.id
    if event.order is not None:
        ctx.about_order = event.order.order_no
    return f"已撤销：{what}，已恢复到之前的状态。"
