"""A database that is busy when a message arrives: a clear answer, nothing half-written, and the
platform's redelivery of the same message is applied then."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.runtime import open_runtime
from handlers.dispatcher import Dispatcher
from storage.database import Database
from tests.conftest import NOW
from tests.helpers import ChatSession, create_order, events, milestone


@pytest.fixture
def settings_data(tmp_path: Path) -> dict:
    return {"database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}", "busy_timeout_ms": 50}}


async def test_a_locked_database_answers_clearly_and_the_redelivery_is_applied(settings, tmp_path: Path) -> None:
    async with open_runtime(settings) as runtime:
        runtime.database.retry_delay = 0.01
        chat = await ChatSession(runtime, now=NOW).bind_chat("department", department="焊接车间")
        await create_order(chat)
        blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            refused = await chat.say("订单123 焊接完成", message_id="m-locked")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert not refused.ok and "没有记录" in refused.text
        assert await events(runtime, "progress") == []

        redelivered = await chat.say("订单123 焊接完成", message_id="m-locked")
        assert redelivered.ok and not redelivered.duplicate
        assert (await milestone(runtime, "123", "焊接")).status == "done"
        assert len(await events(runtime, "progress")) == 1


async def test_an_unreachable_database_answers_clearly(runtime) -> None:
    unreachable = Database(
        Database.from_url("postgresql+asyncpg://postgres@127.0.0.1:1/test").engine, retries=1, retry_delay=0.01
    )
    dispatcher = Dispatcher(unreachable, runtime.handler_settings, runtime.dispatcher.parser)
    try:
        reply = await dispatcher.handle(ChatSession(runtime, now=NOW).message("订单123 焊接完成"))
    finally:
        await unreachable.dispose()
    assert not reply.ok and "连不上数据库" in reply.text
