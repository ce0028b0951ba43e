"""Acceptance (验收): the last milestone of an order's plan, and every rule that follows from it.

Passing acceptance closes the order (its lifecycle status is kept by `progress`) and resolves the
open quality exceptions on that milestone; an accepted order takes no more progress; failing
acceptance is a quality exception on the acceptance milestone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers.context import Context
from handlers.formatting import md
from handlers.order_exceptions import close
from handlers.understanding.items import ParsedItem
from storage.models import ExceptionCategory, ExceptionStatus, MilestoneStatus, Order, OrderException, OrderStatus


def progress_refusal(order: Order) -> str | None:
    """Why progress may not be recorded on an accepted order, or None when it may."""
    if order.status != OrderStatus.ACCEPTED:
        return None
    return (
        f"订单 {order.order_no} 已验收关闭，进度没有记录。"
        f"如有质量问题请报异常，例如「验收 {order.order_no} 不通过 原因」。"
    )


def acceptance_item(order: Order, passed: bool) -> ParsedItem:
    """The item the 验收 command records: progress done on the last milestone, or a quality exception on it."""
    last = order.milestones[-1].name
    if passed:
        return ParsedItem("progress", order_no=order.order_no, milestone=last, status="done")
    return ParsedItem("exception", order_no=order.order_no, milestone=last, category=ExceptionCategory.QUALITY)


def closing_question(order: Order, item: ParsedItem) -> str | None:
    """The question to ask before an item closes an order whose earlier steps are not all finished
    (a merchandiser expects to be asked, not refused: acceptance may come before the paperwork of
    earlier steps), or None when the item closes nothing or every earlier step is done."""
    if item.intent != "progress" or item.status != "done" or order.status == OrderStatus.ACCEPTED:
        return None
    last = order.milestones[-1]
    if item.milestone != last.name:
        return None
    unfinished = [m.name for m in order.milestones[:-1] if m.status != MilestoneStatus.DONE]
    if not unfinished:
        return None
    return (
        f"订单 {order.order_no} 还有 {len(unfinished)} 步没有完成（{'、'.join(unfinished)}），"
        f"「{last.name}」是计划的最后一步，记为完成会把订单验收关闭。确定要关闭吗？"
    )


async def after_progress(ctx: Context, order: Order, milestone: str) -> str:
    """What finishing the last step did besides the progress itself: the note to add to the reply, or ""."""
    if order.status != OrderStatus.ACCEPTED or milestone != order.milestones[-1].name:
        return ""
    note = f"\n  订单已验收关闭（「{milestone}」是计划的最后一步，交付日期记为 {md(order.delivered_on)}）"
    closed = await close_on_acceptance(ctx, order, milestone)
    if closed:
        note += f"；{'、'.join(f'异常#{n}' for n in closed)} 随验收通过关闭"
    return note


async def close_on_acceptance(ctx: Context, order: Order, milestone: str) -> list[int]:
    """Acceptance passed: open quality exceptions on that milestone are resolved by it."""
    open_ones = list(
        await ctx.session.scalars(
            select(OrderException)
            .where(
                OrderException.order_id == order.id,
                OrderException.milestone == milestone,
                OrderException.category == ExceptionCategory.QUALITY,
                OrderException.status == ExceptionStatus.OPEN,
            )
            .options(selectinload(OrderException.order))
        )
    )
    for exception in open_ones:
        close(ctx, exception, f"{milestone}通过（自动关闭）")
    return [e.id for e in open_ones]
