"""What a sender said a moment ago: the order they were talking about, and questions awaiting a yes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, select

from handlers.context import Context
from handlers.redaction import redact_secrets
from handlers.understanding.items import ParsedItem
from storage.models import PendingConfirmation, ProcessedMessage

CONFIRM_WORDS = frozenset({"是", "对", "是的", "对的", "确认", "没错", "嗯", "yes", "ok", "好的，确认"})
PENDING_TTL = timedelta(minutes=30)


def is_confirmation(text: str) -> bool:
    return text.strip().strip("。.!！~").lower() in CONFIRM_WORDS


_RECENT_ORDER_NO = (
    select(ProcessedMessage.order_no)
    .where(
        ProcessedMessage.platform == bindparam("platform"),
        ProcessedMessage.chat_id == bindparam("chat_id"),
        ProcessedMessage.sender_id == bindparam("sender_id"),
        ProcessedMessage.order_no.is_not(None),
        ProcessedMessage.processed_at >= bindparam("since"),
        ProcessedMessage.message_id != bindparam("message_id"),
    )
    .order_by(ProcessedMessage.processed_at.desc(), ProcessedMessage.id.desc())
    .limit(1)
)
"""Built once: statements asked on every message are not rebuilt (nor their cache keys) each time."""


def sender_params(ctx: Context) -> dict[str, Any]:
    """The bound values naming this message's sender in this chat."""
    return {"platform": ctx.message.platform, "chat_id": ctx.message.chat_id, "sender_id": ctx.message.sender_id}


async def recent_order_no(ctx: Context) -> str | None:
    """The order this sender's last message in this chat was about, within the context window."""
    since = ctx.now - timedelta(minutes=ctx.settings.context_minutes)
    return await ctx.session.scalar(
        _RECENT_ORDER_NO, {**sender_params(ctx), "since": since, "message_id": ctx.message.message_id}
    )


def _pending_filter(ctx: Context) -> tuple[Any, ...]:
    return (
        PendingConfirmation.platform == ctx.message.platform,
        PendingConfirmation.chat_id == ctx.message.chat_id,
        PendingConfirmation.sender_id == ctx.message.sender_id,
    )


_OPEN_QUESTION = select(PendingConfirmation).where(
    PendingConfirmation.platform == bindparam("platform"),
    PendingConfirmation.chat_id == bindparam("chat_id"),
    PendingConfirmation.sender_id == bindparam("sender_id"),
)


_PENDING = PendingConfirmation.__table__
QUESTION_OPEN = exists(_PENDING.c.id).where(
    _PENDING.c.platform == bindparam("platform"),
    _PENDING.c.chat_id == bindparam("chat_id"),
    _PENDING.c.sender_id == bindparam("sender_id"),
)
"""Whether the sender (`sender_params`) has a question open in this chat: asked before every message
(with the other checks of `handlers.dispatcher`, in one statement), so the question itself is
loaded only when there is one."""


async def open_question(ctx: Context) -> PendingConfirmation | None:
    """This sender's open question in this chat, left in place."""
    if ctx.question_open is False:
        return None
    return await ctx.session.scalar(_OPEN_QUESTION, sender_params(ctx))


async def take_pending(ctx: Context) -> PendingConfirmation | None:
    """Remove and return this sender's open question in this chat, if it has not expired."""
    pending = await ctx.session.scalar(select(PendingConfirmation).where(*_pending_filter(ctx)))
    if pending is None:
        return None
    # A plain DELETE whose row count tells whether this transaction took the question: a racing
    # second "是" (PostgreSQL, READ COMMITTED) waits for the first, then deletes nothing.
    taken = await ctx.session.execute(delete(PendingConfirmation).where(PendingConfirmation.id == pending.id))
    if taken.rowcount != 1:
        return None
    if ctx.now - pending.created_at > PENDING_TTL:
        return None
    return pending


async def drop_pending(ctx: Context) -> None:
    await ctx.session.execute(delete(PendingConfirmation).where(*_pending_filter(ctx)))


async def hold_for_confirmation(ctx: Context, items: Sequence[ParsedItem], question: str) -> None:
    """Keep the items, as the bot understood them, until the sender answers 「是」 (stored as JSON)."""
    await drop_pending(ctx)
    ctx.session.add(
        PendingConfirmation(
            platform=ctx.message.platform,
            chat_id=ctx.message.chat_id,
            sender_id=ctx.message.sender_id,
            message_id=ctx.message.message_id,
            raw_text=redact_secrets(ctx.text),
            items=[item.as_dict() for item in items],
            question=question,
            created_at=ctx.now,
        )
    )
