"""A PostgreSQL restart (every server connection dropped) between and during units of work."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from storage.models import Event
from tests.conftest import PG_ENV
from tests.helpers import ChatSession, count, create_order, events

pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"needs PostgreSQL: set {PG_ENV}")


async def _drop_every_connection(chat: ChatSession) -> None:
    import asyncpg

    url = os.environ[PG_ENV].replace("postgresql+asyncpg", "postgresql")
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


async def test_messages_after_a_server_restart_are_recorded_once(chat: ChatSession) -> None:
    await create_order(chat)
    await _drop_every_connection(chat)
    reply = await chat.say("订单123 焊接完成", message_id="after-restart")
    assert reply.ok, reply.text
    again = await chat.say("订单123 焊接完成", message_id="after-restart")
    assert again.duplicate
    assert len(await events(chat.runtime, "progress")) == 1
    assert await count(chat.runtime, Event) == 2
    async with chat.runtime.database.transaction() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
