"""aiosqlite without its thread: every SQLite call runs at once, on the event loop.

aiosqlite hands each call (cursor, execute, fetch, close, commit — about 90 for one ordinary
message) to a worker thread and back. SQLite calls on a local file take microseconds, so the hops
cost more than the work, and on a busy machine each hop waits for the OS to schedule the other
thread. Running them inline removes the hops. The one call that could block for long — waiting
for another process's write lock — is bounded by a short `busy_timeout` (`INLINE_BUSY_MS`) and
retried asynchronously by `Database.run` up to the configured budget, so the event loop never
stalls for longer than that (writers of this process queue on `Database.write_lock` first and
never wait on SQLite's lock).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from collections.abc import Callable, Generator, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.exc import DBAPIError

INLINE_BUSY_MS = 50
"""SQLite's own wait for a lock held by another process, per try, blocking the event loop."""


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread (SQLAlchemy also puts calls on it directly)."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as aiosqlite's thread does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An `aiosqlite.Connection` whose calls run in the caller's thread (no worker thread)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()

    def begin(self, statement: str) -> None:
        """Run `statement` (a BEGIN) on the sqlite3 connection itself: a transaction is begun twice
        for every message, and SQLAlchemy's statement machinery (an execution context, a cursor, a
        result) cost more than SQLite's own work for it. Raises sqlite3's own errors."""
        if self._connection is None:
            raise ValueError("Connection closed")
        self._connection.execute(statement)

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()

    def __del__(self) -> None:
        self.stop()


def connect(database: str, **kwargs: Any) -> InlineConnection:
    """The `async_creator_fn` SQLAlchemy's aiosqlite dialect calls instead of `aiosqlite.connect`."""
    kwargs["check_same_thread"] = False  # the pool may close a connection from the GC's thread
    return InlineConnection(lambda: sqlite3.connect(database, **kwargs))


class Prepared:
    """A Core statement compiled once for SQLite, with its bind processors in parameter order, run
    straight on the inline connection's sqlite3 connection (`run_prepared`).

    SQLAlchemy's execution of one statement (an execution context, its parameters processed by
    name, a cursor wrapper, a result, a greenlet hop) costs several times SQLite's own work for a
    one-row write; an ordinary message makes about six of them. The SQL, the parameters and their
    conversions are SQLAlchemy's own (the same compiled statement, the same bind processors); only
    the steps around them are left out. `prepare` refuses statements that need more than that.
    """

    __slots__ = ("compiled", "sql", "names", "processors", "by_name")

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup)
        found = compiled._bind_processors
        self.processors: tuple[Callable[[Any], Any] | None, ...] = tuple(found.get(name) for name in self.names)
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        self.by_name = not compiled.escaped_bind_names and not getattr(compiled, "_collected_params", None) and all(
            name in binds and binds[name].key == name and binds[name].callable is None for name in self.names
        )
        """Every parameter is a plain bind named as its key: when `params` gives them all, they are
        read from it directly (what `construct_params` would do for them, without its general steps)."""

    def parameters(self, params: dict[str, Any]) -> tuple[Any, ...]:
        """The DBAPI parameters for `params` (bind name → value), converted as SQLAlchemy would."""
        values: list[Any] | None = None
        if self.by_name:
            try:
                values = [params[name] for name in self.names]
            except KeyError:
                pass  # one not given: its default, or the error, as `construct_params` has it
        if values is None:
            constructed = self.compiled.construct_params(params, escape_names=False)
            values = [constructed[name] for name in self.names]
        return tuple([value if process is None else process(value) for value, process in zip(values, self.processors)])


def prepare(statement: Any, dialect: Any, column_keys: Sequence[str] | None = None) -> Prepared | None:
    """`statement` compiled for `dialect` to run with `run_prepared`, or None when it must go through
    SQLAlchemy: not SQLite, or values computed at execution time (a column default or onupdate the
    statement does not set, an expanding IN) or any other step a plain execute would skip.
    `column_keys`: for an INSERT or UPDATE without values of its own, the columns it is given (as
    SQLAlchemy compiles it for a parameter dictionary of those keys)."""
    if dialect.name != "sqlite":
        return None
    compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) if column_keys is not None else None)
    if (
        not compiled.positional
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or getattr(compiled, "postfetch", None)
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.schema_translate_map
    ):
        return None
    return Prepared(compiled)


@dataclass(frozen=True, slots=True)
class Inline:
    """A SQLAlchemy connection (sync side) and the `InlineConnection` under it, to run `Prepared`
    statements on (`run_prepared`)."""

    connection: Any
    driver: InlineConnection


async def inline(connection: Any) -> Inline | None:
    """`connection` (a SQLAlchemy `AsyncConnection`) ready for `run_prepared`, or None when its
    statements must go through SQLAlchemy: another driver's connection, or one that echoes SQL."""
    sync = connection.sync_connection
    if sync is not None and not sync.closed and not sync.invalidated:
        raw = sync.connection  # held already: an attribute, without a greenlet switch to ask for it
    else:
        raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, InlineConnection) or driver._connection is None or sync is None or sync._echo:
        return None
    return Inline(sync, driver)


def run_prepared(inline: Inline, prepared: Prepared, params: dict[str, Any]) -> sqlite3.Cursor:
    """Run `prepared` with `params` (bind name → value) on `inline`'s connection, in the transaction
    it is in. Listeners of `before_cursor_execute` / `after_cursor_execute` see the statement as they
    see any other (without an execution context); sqlite3's errors are raised as SQLAlchemy raises
    them (`DBAPIError.instance`: IntegrityError, OperationalError…), parameters hidden."""
    connection = inline.driver._connection
    if connection is None:
        raise ValueError("Connection closed")
    parameters = prepared.parameters(params)
    events = inline.connection._has_events or inline.connection.engine._has_events
    try:
        if events:
            inline.connection.dispatch.before_cursor_execute(inline.connection, None, prepared.sql, parameters, None, False)
        cursor = connection.execute(prepared.sql, parameters)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(
            prepared.sql, None, exc, sqlite3.Error, hide_parameters=True, dialect=prepared.compiled.dialect
        ) from exc
    if events:
        inline.connection.dispatch.after_cursor_execute(inline.connection, cursor, prepared.sql, parameters, None, False)
    return cursor
