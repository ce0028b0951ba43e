"""The outbox: proactive messages written in the same transaction as what caused them.

`enqueue` is idempotent on `dedupe_key`, so a warning or digest computed twice (a restart, a
double-fired job, two instances) is stored — and later delivered — once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    platform: str,
    chat_id: str,
    text: str,
    now: datetime,
    mention_user_ids: Sequence[str] = (),
    attachment_kind: str | None = None,
    attachment_filename: str | None = None,
    attachment_data: bytes | None = None,
) -> bool:
    """Add a message unless one with the same dedupe key exists; True when it was added.

    A message with an attachment carries it instead of `text`, which is its fallback."""
    values = {
        "dedupe_key": dedupe_key,
        "platform": platform,
        "chat_id": chat_id,
        "text": text,
        "mention_user_ids": list(mention_user_ids),
        "attachment_kind": attachment_kind,
        "attachment_filename": attachment_filename,
        "attachment_data": attachment_data,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(statement)
    return bool(result.rowcount)
