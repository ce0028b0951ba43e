"""Undo: mark the sender's last record in this chat undone and restore what it replaced."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from handlers.formatting import FIELD_LABELS, event_words
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


_REFERENCE = re.compile(r"^(?:(异常|变更)\s*[#＃]?\s*|[#＃]\s*)(\d+)$")
_REFERENCED_BY = {"异常": (EventKind.EXCEPTION_OPENED, "exception_id"), "变更": (EventKind.CHANGE_REQUESTED, "change_id")}


async def chosen_event(ctx: Context, what: str, number: int) -> Event | None:
    """The record a 「撤销 异常#N / 变更#N / #事件号」 names, whoever made it."""
    options = selectinload(Event.order).selectinload(Order.milestones)
    if not what:
        return await ctx.session.scalar(select(Event).where(Event.id == number).options(options))
    kind, key = _REFERENCED_BY[what]
    candidates = await ctx.session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id).options(options))
    return next((e for e in candidates if (e.item or {}).get(key) == number), None)


async def undo(ctx: Context, args: str) -> Reply:
    """「撤销」 undoes the sender's last record here; 「撤销 异常#5」「撤销 变更#2」「撤销 #31」 the one named,
    under the same rules: only one's own record in this chat, only a kind that can be undone, never
    one a later record builds on."""
    reference = args.strip()
    if not reference:
        return await undo_event(ctx, await last_undoable(ctx))
    match = _REFERENCE.match(unicodedata.normalize("NFKC", reference).replace(" ", ""))
    if match is None:
        return Reply("格式：「撤销」（你的上一条记录）、「撤销 异常#5」「撤销 变更#2」或「撤销 #事件号」。", ok=False)
    what, number = match.group(1) or "", int(match.group(2))
    label = f"{what}#{number}" if what else f"记录 #{number}"
    event = await chosen_event(ctx, what, number)
    if event is None:
        return Reply(f"没有找到{label}，没有撤销任何记录。", ok=False)
    if (event.platform, event.chat_id, event.actor_id) != (ctx.message.platform, ctx.message.chat_id, ctx.message.sender_id):
        return Reply(f"{label} 不是你在本群记录的，只能撤销自己在本群的记录；请找记录人撤销，或直接发送更正。", ok=False)
    if event.kind not in UNDOABLE:
        return Reply(f"{label} 是「{event_words(event.kind, event.item, event.milestone)}」，这类记录不能撤销。", ok=False)
    if event.undone_at is not None:
        return Reply(f"{label} 已经撤销过了。", ok=False)
    return await undo_event(ctx, event)


async def undo_last(ctx: Context) -> Reply:
    return await undo_event(ctx, await last_undoable(ctx))


async def undo_event(ctx: Context, event: Event | None) -> Reply:
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
