"""Prepared statements run straight on the inline SQLite connection: the same rows as SQLAlchemy's
execution of the same statement, in the same transaction, errors raised as SQLAlchemy raises them."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError, InvalidRequestError

from storage import inline_sqlite
from storage.database import Database
from storage.migrate import upgrade
from storage.models import AnswerRoute, Event, InboxMessage, InboxStatus
from tests.conftest import NOW

_INBOX = InboxMessage.__table__


@pytest.fixture
async def database(tmp_path: Path):
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    await upgrade(database)
    yield database
    await database.dispose()


def _values(message_id: str) -> dict:
    return {
        "platform": "wecom", "message_id": message_id, "chat_id": "群1", "sender_id": "zhangsan",
        "text": "订单123 焊接80%", "sent_at": NOW, "sender_name": "张三", "chat_name": "生产群",
        "mentions": ["跟单助手"], "is_group": False, "channel_kind": None, "channel_address": "https://x/y?code=1",
        "channel_expires_at": NOW + timedelta(hours=1), "status": InboxStatus.RECEIVED, "received_at": NOW,
        "reply_ok": True, "mention_user_ids": [],
    }


def _raw_rows(database: Database) -> dict[str, tuple]:
    """Every inbox row as SQLite stores it (no type conversion), by message id, without the id."""
    path = database.engine.url.database
    with sqlite3.connect(path) as connection:
        cursor = connection.execute("SELECT * FROM inbox")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor]
    return {row["message_id"]: tuple(v for k, v in row.items() if k not in ("id", "message_id")) for row in rows}


async def test_a_prepared_insert_stores_what_sqlalchemy_stores(database: Database) -> None:
    statement = insert(_INBOX)
    prepared = inline_sqlite.prepare(statement, database.engine.dialect, list(_values("")))
    assert prepared is not None
    async with database.transaction() as session:
        connection = await session.connection()
        await connection.execute(statement, _values("by-sqlalchemy"))
        inline = await inline_sqlite.inline(connection)
        assert inline is not None
        inline_sqlite.run_prepared(inline, prepared, _values("prepared"))
    rows = _raw_rows(database)
    assert rows["prepared"] == rows["by-sqlalchemy"]
    async with database.read() as session:  # and read back through the ORM, types and all
        stored = await session.scalar(select(InboxMessage).where(InboxMessage.message_id == "prepared"))
        assert (stored.sent_at, stored.mentions, stored.is_group, stored.status) == (NOW, ["跟单助手"], False, "received")


async def test_a_prepared_update_changes_the_rows_sqlalchemy_would(database: Database) -> None:
    async with database.transaction() as session:
        await (await session.connection()).execute(insert(_INBOX), [_values("a"), _values("b")])
    statement = update(_INBOX).where(_INBOX.c.message_id == "a").values(
        status=InboxStatus.DONE, handled_at=NOW, answer_route=AnswerRoute.PASSIVE, mention_user_ids=["lisi"])
    async with database.transaction() as session:
        inline = await inline_sqlite.inline(await session.connection())
        cursor = inline_sqlite.run_prepared(inline, inline_sqlite.prepare(statement, database.engine.dialect), {})
        assert cursor.rowcount == 1
    async with database.read() as session:
        rows = {row.message_id: row for row in await session.scalars(select(InboxMessage))}
    assert (rows["a"].status, rows["a"].handled_at, rows["a"].answer_route, rows["a"].mention_user_ids) == (
        InboxStatus.DONE, NOW, AnswerRoute.PASSIVE, ["lisi"])
    assert (rows["b"].status, rows["b"].handled_at) == (InboxStatus.RECEIVED, None)


async def test_a_prepared_statement_is_part_of_its_transaction(database: Database) -> None:
    prepared = inline_sqlite.prepare(insert(_INBOX), database.engine.dialect, list(_values("")))
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            inline = await inline_sqlite.inline(await session.connection())
            inline_sqlite.run_prepared(inline, prepared, _values("rolled-back"))
            raise RuntimeError("the unit of work fails after the write")
    assert _raw_rows(database) == {}


async def test_a_constraint_violation_is_raised_as_sqlalchemy_raises_it(database: Database) -> None:
    prepared = inline_sqlite.prepare(insert(_INBOX), database.engine.dialect, list(_values("")))
    with pytest.raises(IntegrityError) as raised:  # what the dispatcher retries on
        async with database.transaction() as session:
            inline = await inline_sqlite.inline(await session.connection())
            inline_sqlite.run_prepared(inline, prepared, _values("twice"))
            inline_sqlite.run_prepared(inline, prepared, _values("twice"))
    assert "https://x/y" not in str(raised.value)  # parameters are never in the message (a channel is a credential)
    assert _raw_rows(database) == {}


async def test_listeners_see_a_prepared_statement(database: Database) -> None:
    seen: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: seen.append(statement.split()[0]))
    prepared = inline_sqlite.prepare(insert(_INBOX), database.engine.dialect, list(_values("")))
    async with database.transaction() as session:
        inline_sqlite.run_prepared(await inline_sqlite.inline(await session.connection()), prepared, _values("seen"))
    assert seen == ["INSERT"]


def test_statements_needing_sqlalchemys_execution_are_not_prepared(database: Database) -> None:
    dialect = database.engine.dialect
    # A column default computed at execution (Event.item defaults to {} when not given).
    assert inline_sqlite.prepare(insert(Event.__table__), dialect, ["kind", "platform"]) is None
    # Another database.
    assert inline_sqlite.prepare(insert(_INBOX), postgresql.dialect(), list(_values(""))) is None
    # An IN list expanded at execution.
    assert inline_sqlite.prepare(select(_INBOX.c.id).where(_INBOX.c.message_id.in_(["a", "b"])), dialect) is None


async def test_named_parameters_and_the_statements_own_values_both_reach_sqlite(database: Database) -> None:
    async with database.transaction() as session:
        await (await session.connection()).execute(insert(_INBOX), [_values("a"), _values("b"), _values("c")])
    by_name = update(_INBOX).where(_INBOX.c.message_id == bindparam("mid")).values(
        status=bindparam("status"), handled_at=bindparam("handled_at"))
    mixed = update(_INBOX).where(_INBOX.c.message_id == bindparam("mid"), _INBOX.c.status == InboxStatus.RECEIVED).values(
        reply_text=bindparam("reply_text"))
    async with database.transaction() as session:
        inline = await inline_sqlite.inline(await session.connection())
        dialect = database.engine.dialect
        done = inline_sqlite.run_prepared(
            inline, inline_sqlite.prepare(by_name, dialect), {"mid": "a", "status": InboxStatus.DONE, "handled_at": NOW})
        assert done.rowcount == 1
        prepared_mixed = inline_sqlite.prepare(mixed, dialect)
        assert inline_sqlite.run_prepared(inline, prepared_mixed, {"mid": "a", "reply_text": "甲"}).rowcount == 0
        assert inline_sqlite.run_prepared(inline, prepared_mixed, {"mid": "b", "reply_text": "乙"}).rowcount == 1
        with pytest.raises(InvalidRequestError, match="handled_at"):
            inline_sqlite.run_prepared(inline, inline_sqlite.prepare(by_name, dialect), {"mid": "c", "status": InboxStatus.DONE})
    async with database.read() as session:
        rows = {row.message_id: row for row in await session.scalars(select(InboxMessage))}
    assert (rows["a"].status, rows["a"].handled_at, rows["a"].reply_text) == (InboxStatus.DONE, NOW, None)
    assert (rows["b"].status, rows["b"].reply_text) == (InboxStatus.RECEIVED, "乙")
    assert (rows["c"].status, rows["c"].handled_at) == (InboxStatus.RECEIVED, None)
