"""CPU per ordinary message, in-process, with an optional profile of where it goes.

    python benchmarks/message_profile.py [--messages 600] [--burst 1] [--database URL] [--profile] [--top 40]

Opens the real runtime (migrations, configuration sync, the parser) on a temp SQLite database
(or, given --database, a PostgreSQL URL, a database of its own created on that server and dropped
afterwards), creates 30 orders, then puts distinct progress reports on them
(as `benchmarks/inbound_load.py` sends) through the durable intake exactly as an adapter does:
`Intake.accept`, then the answer. `--burst N` accepts N messages of the one chat at a time before
waiting for their answers (the load benchmark's situation: messages queue behind each other);
`--burst 1` is one message alone. Prints CPU ms per message (process time, and its user/system split:
Python work or system calls) and wall ms; with
--profile, Python function calls per message (a figure a busy machine does not change) and the
cProfile functions with the most time (own time and cumulative). Also the statements and
transactions per message (each costs a round trip on PostgreSQL, BEGIN and COMMIT one each).

No HTTP and no crypto (24–70 µs a message, see wecom_callback_bench.py): this is the part of a
message the bot's own code spends.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, Engine, event, text  # noqa: E402

from bot.config import parse_settings  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from handlers.intake import Intake  # noqa: E402
from handlers.messages import InboundMessage  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.bot.gendan_process import GROUP, progress_texts  # noqa: E402
from tests.conftest import scratch_postgres  # noqa: E402

ORDERS = 30


def settings_for(database_url: str):  # noqa: ANN201 - bot.config.Settings
    return parse_settings({
        "database": {"url": database_url},
        "people": [{"platform": "wecom", "user_id": "zhangsan", "role": "admin", "name": "张三"}],
        "chats": [{"platform": "wecom", "chat_id": GROUP, "role": "department", "name": "生产群",
                   "department": "生产部"}],
    })


def message(text: str, msgid: str) -> InboundMessage:
    return InboundMessage(platform="wecom", chat_id=GROUP, sender_id="zhangsan", text=text, message_id=msgid,
                          sent_at=datetime.now(timezone.utc), mentions=("跟单助手",), chat_name="生产群")


class RoundTrips:
    """Counts the statements sent and the transactions begun (not statements run alone, in autocommit).

    On PostgreSQL a transaction is counted when a BEGIN goes out (with the statement that needs it:
    `storage.database` defers it), on SQLite when one is begun."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0
        self.transactions = 0
        self.postgresql = engine.dialect.name == "postgresql"
        event.listen(engine, "before_cursor_execute", self._statement)  # after the database's own listener
        event.listen(engine, "begin", self._begin)

    def _statement(self, connection: Connection, *_args: object) -> None:
        self.statements += 1
        driver = connection.connection.dbapi_connection
        if self.postgresql and driver._transaction is None and driver.isolation_level != "autocommit":
            self.transactions += 1

    def _begin(self, connection: Connection) -> None:
        if not self.postgresql and not getattr(connection.connection.dbapi_connection, "autocommit", False):
            self.transactions += 1

    def stop(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)


async def server_cpu(database: Database) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving this run's own (scratch) database
    (0 on SQLite): read from /proc, so only for a server on this machine."""
    if database.dialect != "postgresql":
        return 0.0
    async with database.read() as session:
        pids = list(await session.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
    ticks = os.sysconf("SC_CLK_TCK")
    used = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


async def send(intake: Intake, messages: list[InboundMessage], burst: int) -> None:
    for start in range(0, len(messages), burst):
        tickets = await asyncio.gather(*(intake.accept(m) for m in messages[start:start + burst]))
        replies = await asyncio.gather(*(ticket.reply(None) for ticket in tickets))
        if any(reply is None or not reply.ok for reply in replies):
            raise RuntimeError(f"a message was not recorded: {[r.text if r else None for r in replies][:3]}")


async def run(args: argparse.Namespace, tmp: Path) -> None:
    if args.database and args.database.startswith("postgresql"):
        async with scratch_postgres(args.database) as database_url:  # never the database tests use
            await run_on(args, database_url)
    else:
        await run_on(args, args.database or f"sqlite+aiosqlite:///{tmp / 'gendan.db'}")


async def run_on(args: argparse.Namespace, database_url: str) -> None:
    async with open_runtime(settings_for(database_url)) as runtime:
        intake = Intake(runtime.database, runtime.dispatcher)
        await intake.start()
        try:
            orders = [str(1000 + i) for i in range(ORDERS)]
            await send(intake, [message(f"@跟单助手 新建订单 {o} 华东机械 搅拌机 50台 2026-12-20", f"create-{o}")
                                for o in orders], 1)
            texts = progress_texts(args.messages + 60, orders)
            await send(intake, [message(t, f"warm-{i}") for i, t in enumerate(texts[:60])], args.burst)
            measured = [message(t, f"load-{i}") for i, t in enumerate(texts[60:])]
            profiler = cProfile.Profile() if args.profile else None
            trips = RoundTrips(runtime.database.engine.sync_engine)
            backends = await server_cpu(runtime.database)
            cpu, wall, before = time.process_time(), time.perf_counter(), os.times()
            if profiler is not None:
                profiler.enable()
            await send(intake, measured, args.burst)
            if profiler is not None:
                profiler.disable()
            cpu, wall, after = time.process_time() - cpu, time.perf_counter() - wall, os.times()
            user, system = after.user - before.user, after.system - before.system
            trips.stop()
            backends = await server_cpu(runtime.database) - backends
        finally:
            await intake.close()
    where = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"{where}, {args.messages} progress messages, {args.burst} at a time: CPU {1000 * cpu / args.messages:.2f} ms"
          f" per message (user {1000 * user / args.messages:.2f}, system {1000 * system / args.messages:.2f}),"
          f" wall {1000 * wall / args.messages:.2f} ms{' (under cProfile)' if profiler else ''};"
          f" per message {trips.statements / args.messages:.2f} statements and {trips.transactions / args.messages:.2f}"
          f" transactions (BEGIN … COMMIT)"
          + (f"; PostgreSQL backends {1000 * backends / args.messages:.2f} ms CPU per message" if backends else ""))
    if profiler is not None:
        # Python function calls per message: unlike CPU time, the same on a busy machine as on an idle one.
        print(f"Python function calls per message: {pstats.Stats(profiler).total_calls / args.messages:.0f}")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--burst", type=int, default=1, help="messages accepted together before awaiting answers")
    parser.add_argument("--database", help="a PostgreSQL URL (postgresql+asyncpg://…); default SQLite in a temp dir")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the measured messages")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
