"""Engines, sessions and units of work.

`Database` owns the engine and the `async_sessionmaker`; callers open one transaction per unit
of work with `database.transaction()` and never keep a session beyond it.

On SQLite there is one writer: every write transaction of this process first takes an in-memory
lock (first come, first served), so concurrent messages queue in order in memory instead of
spinning on `busy_timeout`; `busy_timeout` then only covers other processes (the CLI). Reads
(`database.read()`) open a deferred transaction that takes neither lock and, in WAL mode, never
waits for a writer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InvalidRequestError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import inline_sqlite
from storage.limits import GuardedSession, ValueRejected

log = logging.getLogger(__name__)

# aiosqlite logs every call with its arguments at DEBUG: stored credentials (a chat's webhook, an
# inbox message's reply channel) would land in the log. Its INFO and above say nothing of the kind.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database is locked past the retry budget, or cannot be reached."""

    def __init__(self, message: str, *, busy: bool) -> None:
        super().__init__(message)
        self.busy = busy


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind `exc` (SQLAlchemy wraps the driver's error), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(code, str) and code:
            return code
        current = getattr(current, "orig", None) or current.__cause__
    return None


def _is_rejected_value(exc: BaseException) -> bool:
    """Class 22 (data exception): the value itself is refused, e.g. 22001 too long, 22021 a NUL byte."""
    return (sqlstate(exc) or "").startswith("22")


BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
"""Serialization failure, deadlock, lock not available: another transaction was in the way."""
UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
"""Admin shutdown, crash shutdown, cannot connect now (starting up / shutting down), too many
connections — and all of class 08 (connection exception): the server is restarting or overloaded."""


def _is_busy(exc: BaseException) -> bool:
    if sqlstate(exc) in BUSY_SQLSTATES:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "deadlock detected" in text


def _is_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (ConnectionError, OSError)):
        return True
    code = sqlstate(exc) or ""
    if code in UNREACHABLE_SQLSTATES or code.startswith("08"):
        return True
    text = str(exc).lower()
    return any(
        marker in text
        for marker in (
            "connection refused",
            "connection was closed",
            "connection is closed",
            "server closed the connection",
            "terminating connection",
            "cannot connect",
            "unable to open database file",
            "the database system is starting up",
            "the database system is shutting down",
            "the database system is in recovery mode",
        )
    )


def create_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> AsyncEngine:
    # hide_parameters: SQL parameters can hold a webhook key or a message's text; they never go
    # into an exception's message (and so into a log line or a traceback).
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args={"async_creator_fn": inline_sqlite.connect}
        )
        _configure_sqlite(engine, busy_timeout_ms)
        engine.sync_engine.gendan_busy_timeout_ms = busy_timeout_ms  # type: ignore[attr-defined]
        return engine
    # No ping before each checkout (a round trip per transaction, a sixth of an ordinary message's
    # time on PostgreSQL): a connection the server dropped fails on first use as a disconnect, which
    # invalidates the pool and is retried by `Database.run` like any other unreachable moment.
    engine = create_async_engine(url, echo=echo, hide_parameters=True)
    if engine.dialect.name == "postgresql":
        _defer_begin(engine)
    return engine


COMMITS_ALONE = "gendan_commits_alone"
"""Execution option of a unit of work's last statement, one that writes everything it writes: on
PostgreSQL, when nothing was written before it, it runs without BEGIN and COMMIT (it is atomic and
durable on its own). No statement may follow it in that unit of work."""
WRITES = "gendan_writes"
"""Execution option of a SELECT that writes (its WITH holds data-modifying queries)."""
_DEFERRABLE = (None, "read_committed")
"""Isolation settings under which a read outside the transaction sees what it would see inside it
(a new snapshot per statement either way)."""
_ALONE_DONE: weakref.WeakSet[Any] = weakref.WeakSet()
"""Connections (one per unit of work) whose last statement committed alone."""


def _defer_begin(engine: AsyncEngine) -> None:
    """On PostgreSQL, BEGIN goes out with a unit of work's first statement that needs it, not its first.

    Under READ COMMITTED each statement reads its own snapshot whether a transaction is open or not,
    and a plain SELECT takes no lock: a read before the first write reads the same outside the
    transaction, one round trip (BEGIN) fewer; a unit of work that only reads sends neither BEGIN nor
    COMMIT. A statement marked `COMMITS_ALONE` when nothing was written yet runs without them too.
    Everything else — a write, a locking read (FOR UPDATE), a text statement — begins the
    transaction as before, which then commits or rolls back as a whole.
    """

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _begin_when_needed(connection: Any, _cursor: Any, _statement: Any, _params: Any, context: Any, _many: Any) -> None:
        driver = connection.connection.dbapi_connection  # SQLAlchemy's asyncpg adapter
        if getattr(driver, "_transaction", True) is not None or getattr(driver, "_isolation_setting", "") not in _DEFERRABLE:
            return  # in a transaction already, a connection that runs each statement alone anyway, or another driver
        if connection in _ALONE_DONE:
            raise InvalidRequestError("a statement after the one that committed its unit of work alone")
        options = context.execution_options if context is not None else {}
        alone = bool(options.get(COMMITS_ALONE))
        if alone:
            _ALONE_DONE.add(connection)
        elif not _plain_read(context, options):
            driver.isolation_level = driver._isolation_setting  # BEGIN goes out with this statement
            return
        driver.isolation_level = "autocommit"

    @event.listens_for(engine.sync_engine, "checkin")
    def _restore(driver: Any, _record: Any) -> None:
        if getattr(driver, "isolation_level", None) == "autocommit" and driver._isolation_setting != "autocommit":
            driver.isolation_level = driver._isolation_setting


def _plain_read(context: Any, options: Any) -> bool:
    """A SELECT that neither writes nor locks rows."""
    compiled = getattr(context, "compiled", None)
    if compiled is None or options.get(WRITES) or context.isinsert or context.isupdate or context.isdelete:
        return False
    statement = compiled.statement
    return bool(getattr(statement, "is_select", False)) and getattr(statement, "_for_update_arg", None) is None


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, manage transactions, so BEGIN IMMEDIATE below takes effect.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={min(int(busy_timeout_ms), inline_sqlite.INLINE_BUSY_MS)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a read-then-write transaction then never fails midway
        # with SQLITE_BUSY, it waits (busy_timeout) at its start instead. Reads begin deferred.
        statement = "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        driver = connection.connection.driver_connection
        if not isinstance(driver, inline_sqlite.InlineConnection):
            connection.exec_driver_sql(statement)
            return
        try:
            driver.begin(statement)
        except sqlite3.Error as exc:  # raised as SQLAlchemy would (Database.run tells busy from the rest)
            raise DBAPIError.instance(
                statement, None, exc, sqlite3.Error, hide_parameters=True, dialect=connection.dialect
            ) from exc


def _commit_and_close(session: Any) -> None:
    """Commit `session` (a sync `Session`) and close it, closed even when the commit fails."""
    try:
        session.commit()
    finally:
        session.close()


async def _close_to_the_end(session: AsyncSession) -> None:
    """Close `session` in a task of its own and wait for it, even when the caller is cancelled
    meanwhile (then cancelled once it is closed): a close abandoned halfway could leave its
    connection out of the pool, or return it after the engine was disposed of."""
    closing = asyncio.ensure_future(session.close())
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            await asyncio.shield(closing)
            break
        except asyncio.CancelledError as exc:
            if closing.done():
                raise
            cancelled = exc
    if cancelled is not None:
        raise cancelled


BUSY_POLL_SECONDS = 0.02
"""How often a write waiting for another process's SQLite lock tries again."""

READ_ONLY = "gendan_read_only"
"""Execution option marking a read-only unit of work (a deferred BEGIN on SQLite)."""


class Database:
    def __init__(self, engine: AsyncEngine, *, retries: int = 3, retry_delay: float = 0.2) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=GuardedSession)
        self.readers = async_sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False, sync_session_class=GuardedSession
        )
        self.statements = (
            async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False,
                               sync_session_class=GuardedSession)
            if engine.dialect.name == "postgresql" else None
        )
        """On PostgreSQL, sessions whose statements each commit on their own (`run(..., single_statement=True)`)."""
        self.retries = retries
        self.retry_delay = retry_delay
        self._busy_wait_s = getattr(engine.sync_engine, "gendan_busy_timeout_ms", 0) / 1000
        """On SQLite: how long one attempt waits for another process's lock (asynchronously)."""
        self.write_lock: asyncio.Lock | None = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        """The one writer of this process on SQLite (None on PostgreSQL, which has row locks)."""

    @classmethod
    def from_url(cls, url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> Database:
        return cls(create_engine(url, busy_timeout_ms=busy_timeout_ms, echo=echo))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back on any exception.

        On SQLite it waits its turn behind this process's other writers first.
        """
        if self.write_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
        else:
            async with self.write_lock, self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work: never queues behind writers (WAL); nothing is committed."""
        async with self.readers() as session:  # closing the session rolls the read back
            yield session

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, single_statement: bool = False) -> T:
        """Run `work` in one transaction, retrying briefly while the database is busy or restarting.
        `single_statement`: `work` runs ONE statement (a multi-row insert, an update of many rows), atomic and
        durable on its own: on PostgreSQL it runs without BEGIN/COMMIT; never run more than one in it.

        Raises `DatabaseUnavailable` when the retries are spent; `work` must therefore be safe to
        run again from the start (it is: a failed attempt was rolled back). A value the database
        refuses (too long, a NUL byte…) is not retried: it raises `ValueRejected`, which is permanent.
        """
        attempt = 0
        loop = asyncio.get_running_loop()
        busy_since: float | None = None
        while True:
            try:
                return await self._attempt(work, single_statement)
            except (OperationalError, DBAPIError, OSError) as exc:
                if _is_rejected_value(exc):
                    raise ValueRejected(str(getattr(exc, "orig", exc)).splitlines()[0][:200]) from exc
                busy = _is_busy(exc)
                if not busy and not _is_unreachable(exc):
                    raise
                if busy and self._busy_wait_s:
                    # SQLite's own wait is kept short (it blocks the loop): keep waiting here,
                    # asynchronously, until one attempt's busy_timeout is spent.
                    busy_since = loop.time() if busy_since is None else busy_since
                    if loop.time() - busy_since < self._busy_wait_s:
                        await asyncio.sleep(BUSY_POLL_SECONDS)
                        continue
                    busy_since = None
                attempt += 1
                if attempt > self.retries:
                    what = "busy" if busy else "unreachable"
                    log.warning("database %s after %d attempts: %s", what, attempt, type(exc).__name__)
                    raise DatabaseUnavailable(f"database {what}", busy=busy) from exc
                log.info("database %s, retrying (attempt %d)", "busy" if busy else "unreachable", attempt)
                await asyncio.sleep(self.retry_delay * attempt)

    async def _attempt(self, work: Callable[[AsyncSession], Awaitable[T]], single_statement: bool) -> T:
        """One try of `run`'s unit of work (on SQLite, its turn behind this process's other writers first)."""
        if self.write_lock is None:
            return await self._unit(work, single_statement)
        async with self.write_lock:
            return await self._unit(work, single_statement)

    async def _unit(self, work: Callable[[AsyncSession], Awaitable[T]], single_statement: bool) -> T:
        """`work` in a session of its own, committed, the session closed whatever happens.

        Without the session's context managers (`transaction()`), which cost a greenlet switch each
        (begin, commit, close) and the close a task of its own: the session begins with its first
        statement, and commits and closes in one switch — a message pays this twice (its inbox row,
        then its handling). The close still ends before this returns, as the context manager's
        does: after a cancellation or a failure it runs in a task of its own, waited for to the end.
        """
        maker = self.statements if single_statement and self.statements is not None else self.sessions
        session = maker()
        try:
            result = await work(session)
        except BaseException:
            await _close_to_the_end(session)  # rolls back what `work` did
            raise
        try:
            await session.run_sync(_commit_and_close)
        except BaseException:
            await _close_to_the_end(session)  # closed already, unless cancelled again meanwhile
            raise
        return result

    async def dispose(self) -> None:
        await self.engine.dispose()
