from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import InvalidRequestError

from storage.database import COMMITS_ALONE, Database, DatabaseUnavailable
from storage.limits import ValueRejected, ValueTooLong
from storage.migrate import upgrade
from storage.models import Customer
from tests.conftest import NOW, through
from tests.storage.fake_postgres import SHUTTING_DOWN, STARTING_UP, FakePostgres


async def _add_customer(session, name: str) -> None:
    session.add(Customer(name=name, created_at=NOW))


async def _names(database: Database) -> list[str]:
    async with database.transaction() as session:
        return list(await session.scalars(select(Customer.name).order_by(Customer.name)))


@pytest.fixture
async def sqlite_db(tmp_path: Path):
    database = Database(
        Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}", busy_timeout_ms=50).engine,
        retries=2,
        retry_delay=0.05,
    )
    await upgrade(database)
    yield database, tmp_path / "busy.db"
    await database.dispose()


async def test_a_locked_database_is_retried_then_reported(sqlite_db) -> None:
    database, path = sqlite_db
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await database.run(lambda session: _add_customer(session, "甲"))
        assert raised.value.busy
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert await _names(database) == []


async def test_a_briefly_locked_database_is_waited_for(sqlite_db) -> None:
    database, path = sqlite_db
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")

    async def release_soon() -> None:
        await asyncio.sleep(0.08)
        blocker.execute("ROLLBACK")

    release = asyncio.create_task(release_soon())
    await database.run(lambda session: _add_customer(session, "乙"))
    await release
    blocker.close()
    assert await _names(database) == ["乙"]


async def test_an_unreachable_server_is_reported_not_raised_raw() -> None:
    database = Database(
        Database.from_url("postgresql+asyncpg://postgres@127.0.0.1:1/test").engine, retries=1, retry_delay=0.01
    )
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await database.run(lambda session: _add_customer(session, "丙"))
        assert not raised.value.busy
    finally:
        await database.dispose()


async def test_work_that_fails_is_rolled_back_whole(database: Database) -> None:
    async def half_then_fail(session) -> None:
        session.add(Customer(name="丁", created_at=NOW))
        await session.flush()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await database.run(half_then_fail)
    assert "丁" not in await _names(database)


async def test_concurrent_writers_queue_in_memory_in_order_instead_of_timing_out(sqlite_db) -> None:
    """Twenty writers each holding the lock 20 ms: far beyond the 50 ms busy_timeout if they raced
    for SQLite's lock, so every one of them succeeds only because they queue behind one another."""
    database, _path = sqlite_db
    order: list[str] = []

    async def slow_add(session, name: str) -> None:
        await _add_customer(session, name)
        await session.flush()
        await asyncio.sleep(0.02)
        order.append(name)

    names = [f"客户{i:02d}" for i in range(20)]
    await asyncio.gather(*(database.run(lambda session, n=n: slow_add(session, n)) for n in names))
    assert order == names  # first come, first served
    assert await _names(database) == sorted(names)


async def test_reads_never_wait_for_a_writer(sqlite_db) -> None:
    database, _path = sqlite_db
    await database.run(lambda session: _add_customer(session, "甲"))
    writing = asyncio.Event()
    release = asyncio.Event()

    async def long_write(session) -> None:
        await _add_customer(session, "乙")
        await session.flush()
        writing.set()
        await release.wait()

    writer = asyncio.create_task(database.run(long_write))
    await writing.wait()
    async with database.read() as session:  # would block behind the writer if reads took the lock
        seen = list(await asyncio.wait_for(session.scalars(select(Customer.name)), 2))
    assert seen == ["甲"]  # the uncommitted write is not visible
    release.set()
    await writer
    assert await _names(database) == sorted(["甲", "乙"])


async def test_an_over_long_value_is_refused_before_the_database_sees_it(database: Database) -> None:
    # SQLite would store it and PostgreSQL refuse it: the flush guard refuses it on both, for good.
    attempts = 0

    async def add(session) -> None:
        nonlocal attempts
        attempts += 1
        session.add(Customer(name="戊", created_at=NOW))
        from storage.models import StoredTemplate

        session.add(StoredTemplate(name="模" * 101))

    with pytest.raises(ValueTooLong) as raised:
        await database.run(add)
    assert (raised.value.table, raised.value.column, raised.value.limit) == ("milestone_templates", "name", 100)
    assert attempts == 1 and "戊" not in await _names(database)


async def test_nul_is_dropped_and_a_name_clipped_by_the_flush_guard(database: Database) -> None:
    await database.run(lambda session: _add_customer(session, "己\x00" + "名" * 300))
    assert await _names(database) == ["己" + "名" * 199]


async def test_a_value_the_database_refuses_is_permanent_not_retried(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite stores a NUL byte and any length; only PostgreSQL refuses them (SQLSTATE 22)")
    attempts = 0

    async def insert(session) -> None:
        nonlocal attempts
        attempts += 1
        await session.execute(
            text("INSERT INTO customers (name, created_at) VALUES (:name, now())"), {"name": "庚\x00"}
        )

    with pytest.raises(ValueRejected):
        await database.run(insert)
    assert attempts == 1


@pytest.mark.parametrize("reason", [STARTING_UP, SHUTTING_DOWN], ids=["starting_up", "shutting_down"])
async def test_a_restarting_postgresql_is_transient_and_retried(
    database: Database, database_url: str, fake_postgres: FakePostgres, reason: tuple[str, str]
) -> None:
    # SQLSTATE 57P03 (CannotConnectNow) while the server starts or stops: wait and try again.
    restarting = Database(Database.from_url(through(fake_postgres, database_url)).engine, retries=3, retry_delay=0.01)
    fake_postgres.refuse_startups(2, reason)
    try:
        await restarting.run(lambda session: _add_customer(session, "辛"))
    finally:
        await restarting.dispose()
    assert fake_postgres.refused == 2
    assert "辛" in await _names(database)


async def test_a_postgresql_that_stays_in_startup_is_reported_unavailable(
    database_url: str, fake_postgres: FakePostgres
) -> None:
    restarting = Database(Database.from_url(through(fake_postgres, database_url)).engine, retries=2, retry_delay=0.01)
    fake_postgres.refuse_startups(10)
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await restarting.run(lambda session: _add_customer(session, "壬"))
    finally:
        await restarting.dispose()
    assert not raised.value.busy and fake_postgres.refused == 3


async def test_pooled_connections_the_server_dropped_are_replaced_without_a_failure(
    database: Database, database_url: str
) -> None:
    # No ping before each checkout: a connection PostgreSQL closed (a restart, an idle timeout) fails
    # on first use as a disconnect; the unit of work runs again on a fresh connection.
    if database.dialect != "postgresql":
        pytest.skip("PostgreSQL drops connections; SQLite has none to drop")
    await database.run(lambda session: _add_customer(session, "癸"))  # a pooled connection now exists
    killer = Database.from_url(database_url)
    try:
        async with killer.engine.connect() as other:
            killed = await other.scalar(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ))
    finally:
        await killer.dispose()
    assert killed >= 1
    await database.run(lambda session: _add_customer(session, "子"))
    assert {"癸", "子"} <= set(await _names(database))


def _begins(database: Database) -> list[str]:
    """The statements a BEGIN went out with (PostgreSQL: `storage.database` defers it)."""
    begun: list[str] = []

    def seen(connection, _cursor, statement, *_rest) -> None:  # noqa: ANN001 - after the database's own listener
        driver = connection.connection.dbapi_connection
        if driver._transaction is None and driver.isolation_level != "autocommit":
            begun.append(statement.split()[0])

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    return begun


async def test_reads_before_the_first_write_go_without_begin_and_the_writes_still_roll_back_whole(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("BEGIN is deferred on PostgreSQL only")
    begun = _begins(database)

    async def read_write_fail(session) -> None:
        await session.scalar(select(Customer.id).where(Customer.name == "戊"))
        session.add(Customer(name="戊", created_at=NOW))
        await session.flush()
        session.add(Customer(name="己", created_at=NOW))
        await session.flush()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await database.run(read_write_fail)
    assert begun == ["INSERT"]  # the read went alone; the first write began the transaction
    assert not {"戊", "己"} & set(await _names(database))  # both writes rolled back
    begun.clear()
    async with database.read() as session:
        await session.scalar(select(Customer.id))
    assert begun == []  # a read-only unit of work sends neither BEGIN nor COMMIT


async def test_a_locking_read_begins_the_transaction(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("BEGIN is deferred on PostgreSQL only")
    begun = _begins(database)
    async with database.transaction() as session:
        await session.scalar(select(Customer.id).with_for_update())
        await session.scalar(select(text("1")))
    assert begun == ["SELECT"]  # FOR UPDATE holds its locks until COMMIT: it cannot go alone


async def test_nothing_may_follow_a_statement_that_committed_alone(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("BEGIN is deferred on PostgreSQL only")
    statement = insert(Customer.__table__).values(name="庚", created_at=NOW)
    with pytest.raises(InvalidRequestError):
        async with database.transaction() as session:
            await session.execute(statement, execution_options={COMMITS_ALONE: True})
            await session.execute(insert(Customer.__table__).values(name="辛", created_at=NOW))
    assert "辛" not in await _names(database)


async def test_a_cancelled_unit_of_work_is_rolled_back_and_lets_go_of_its_lock_and_connection(database: Database) -> None:
    started = asyncio.Event()

    async def write_then_wait(session) -> None:
        await _add_customer(session, "戊")
        await session.flush()
        started.set()
        await asyncio.sleep(10)

    task = asyncio.create_task(database.run(write_then_wait))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert database.engine.sync_engine.pool.checkedout() == 0
    await asyncio.wait_for(database.run(lambda session: _add_customer(session, "己")), 1)
    assert "戊" not in await _names(database) and "己" in await _names(database)


async def test_a_unit_of_work_commits_what_it_wrote_and_returns_its_result(database: Database) -> None:
    async def add_and_count(session) -> int:
        await _add_customer(session, "庚")
        await session.flush()
        return int(await session.scalar(select(text("count(*)")).select_from(Customer).where(Customer.name == "庚")))

    for single_statement in (False, True):
        async with database.transaction() as session:
            await session.execute(text("DELETE FROM customers WHERE name = '庚'"))
        assert await database.run(add_and_count, single_statement=single_statement) == 1
        assert "庚" in await _names(database)
    assert database.engine.sync_engine.pool.checkedout() == 0
