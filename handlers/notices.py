"""Proactive notices the workflows queue in the outbox, in the same transaction as what caused them."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from storage.models import Chat, ChatRole, OutboxMessage, OutboxStatus
from storage.outbox import enqueue


async def tell_managers(ctx: Context, key: str, text: str) -> list[str]:
    """Queue `text` to every manager group (dedupe key: `key` plus the chat); the groups' names."""
    chats = list(await ctx.session.scalars(select(Chat).where(Chat.role == ChatRole.MANAGER).order_by(Chat.id)))
    for chat in chats:
        await enqueue(
            ctx.session, dedupe_key=f"{key}:{chat.platform}:{chat.chat_id}",
            platform=chat.platform, chat_id=chat.chat_id, text=text, now=ctx.now,
        )
    return [chat.name or chat.chat_id for chat in chats]


async def settle_undelivered(ctx: Context, key: str, drop_after: str, note: str) -> int:
    """Notices queued under `key` (to any group) and not delivered yet no longer ask for what has since
    been decided: their text from `drop_after` on is replaced by `note`. How many were amended."""
    rows = await ctx.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"{key}:"),
                                    OutboxMessage.status != OutboxStatus.SENT)
    )
    amended = 0
    for row in rows:
        row.text = row.text.split(drop_after, 1)[0].rstrip() + "\n" + note
        amended += 1
    return amended
