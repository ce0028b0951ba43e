"""Undo: mark the sender's last record in this chat undone and restore what it replaced."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from handlers.formatting import FIELD_LABELS
from handlers.messages import Reply
from handlers.progress import milestone_named, restore
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Event,
    EventKind,
    ExceptionStatus,
    Order,
    OrderException,
    OrderStatus,
)

UNDOABLE = (EventKind.ORDER_CREATED, EventKind.PROGRESS, EventKind.CHANGE_REQUESTED, EventKind.EXCEPTION_OPENED)


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


async def _later_record(ctx: Context, event: Event) -> Event | None:
    """A record made after `event` on the same milestone and still standing: restoring the state
    from before `event` would silently wipe it out."""
    if event.before is None or event.order_id is None or not event.milestone:
        return None
    later = await ctx.session.scalars(
        select(Event)
        .where(
            Event.order_id == event.order_id,
            Event.milestone == event.milestone,
            Event.id > event.id,
            Event.kind.in_(UNDOABLE),
            Event.undone_at.is_(None),
        )
        .order_by(Event.id)
    )
    return next((e for e in later if e.before is not None), None)


async def _revert(ctx: Context, event: Event) -> str:
    order = event.order
    label = f"订单{order.order_no}" if order else ""
    later = await _later_record(ctx, event)
    if later is not None:
        raise UndoRefused(
            f"{label} {event.milestone} 之后 {later.actor_name} 又记录过"
            f"（{ctx.local_time(later.created_at):%m-%d %H:%M}），撤销会把它一起抹掉，所以没有撤销。"
            "请直接发送更正后的进度。"
        )
    if event.kind == EventKind.ORDER_CREATED:
        assert order is not None
        order.status = OrderStatus.CANCELLED
        order.updated_at = ctx.now
        return f"新建订单 {order.order_no}（订单已标记为“已撤销”）"
    if event.kind == EventKind.CHANGE_REQUESTED:
        change = await ctx.session.get(ChangeRequest, event.item["change_id"])
        assert change is not None
        if change.status != ChangeStatus.OPEN:
            raise UndoRefused(f"变更#{change.id} 已经审批过了，不能撤销。")
        change.status = ChangeStatus.WITHDRAWN
        return f"{label} 变更申请#{change.id}（{FIELD_LABELS.get(change.field, change.field)}）"
    what = f"{label} {event.milestone} 的进度记录"
    if event.kind == EventKind.EXCEPTION_OPENED:
        exception = await ctx.session.get(OrderException, event.item["exception_id"])
        assert exception is not None
        if exception.status != ExceptionStatus.OPEN:
            raise UndoRefused(f"异常#{exception.id} 已经处理关闭了，不能撤销。")
        exception.status = ExceptionStatus.WITHDRAWN
        what = f"{label} 异常#{exception.id}"
    # Progress, and the rework an exception caused, restore the milestone they changed.
    milestone = milestone_named(order, event.milestone) if order is not None else None
    if event.before is not None and milestone is not None:
        restore(order, milestone, event.before)
        order.updated_at = ctx.now
    return what


async def undo_last(ctx: Context) -> Reply:
    event = await last_undoable(ctx)
    if event is None:
        return Reply("你在这个群里没有可以撤销的记录。", ok=False)
    try:
        what = await _revert(ctx, event)
    except UndoRefused as refusal:
        return Reply(str(refusal), ok=False)
    undo = ctx.record(EventKind.UNDO, order=event.order, item={"undone_event_id": event.id}, milestone=event.milestone)
    await ctx.session.flush()
    event.undone_at = ctx.now
    event.undone_by = undo.id
    if event.order is not None:
        ctx.about_order = event.order.order_no
    return Reply(f"已撤销：{what}，已恢复到之前的状态。")
