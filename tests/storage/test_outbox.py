from __future__ import annotations

from sqlalchemy import select

from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import enqueue
from tests.conftest import NOW


async def test_enqueue_is_idempotent_on_the_dedupe_key(database: Database) -> None:
    async def add(session) -> bool:
        return await enqueue(
            session, dedupe_key="digest:mgr:2026-11-23", platform="wecom", chat_id="wrMGR", text="简报", now=NOW
        )

    assert await database.run(add) is True
    assert await database.run(add) is False
    async with database.transaction() as session:
        stored = list(await session.scalars(select(OutboxMessage)))
    assert [(m.dedupe_key, m.status, m.attempts) for m in stored] == [("digest:mgr:2026-11-23", "pending", 0)]
