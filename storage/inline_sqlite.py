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
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

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
