"""The managers' daily digest over a large book: 5,000 open orders x 10 milestones, 50,000 events.

    .venv/bin/python benchmarks/digest_bench.py [--orders 5000] [--events 50000] [--database-url URL]

Builds the data set in a fresh SQLite file (or the PostgreSQL database given, which is wiped),
then times `scheduler.digest.daily_digest` (median of 5 runs), measures its peak Python memory
(tracemalloc) and the process's peak RSS, and counts the SQL statements it issues
(`before_cursor_execute`): a bounded number, none per order. Targets: < 1 s, < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, text  # noqa: E402

from handlers.templates import DEFAULT_TEMPLATE  # noqa: E402
from handlers.workdays import WorkCalendar  # noqa: E402
from scheduler.digest import daily_digest  # noqa: E402
from scheduler.workindex import WorkdayIndex  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Customer, Event, Order, OrderException, OrderMilestone  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 8, 30, tzinfo=TZ)


async def empty_schema(database: Database) -> None:
    """A database at the newest migration with no rows (PostgreSQL: its public schema recreated)."""
    if database.dialect == "postgresql":
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(database)


async def build(database: Database, orders: int, events: int) -> None:
    """`orders` open orders of 200 customers, 10 milestones each, `events` progress events and an
    open exception for one order in twenty, with explicit ids (the sequences moved past them)."""
    rng = random.Random(7)
    today = NOW.date()
    calendar = WorkCalendar()
    async with database.transaction() as session:
        await session.execute(
            insert(Customer), [{"id": c, "name": f"客户{c}", "created_at": NOW} for c in range(1, 201)]
        )
        order_rows, milestone_rows = [], []
        for n in range(1, orders + 1):
            due = calendar.add(today, rng.randint(-3, 40))
            order_rows.append({
                "id": n, "order_no": f"SO{n:06d}", "customer_id": rng.randint(1, 200), "product": "搅拌机",
                "spec": "", "quantity": rng.randint(1, 500), "unit": "台", "due_date": due, "priority": "normal",
                "owner": f"员工{n % 50}", "requirements": "", "status": "in_production", "template_name": "标准",
                "created_at": NOW - timedelta(days=30), "updated_at": NOW,
            })
            end = due
            planned = []
            for spec in reversed(DEFAULT_TEMPLATE.milestones):
                planned.append(end)
                end = calendar.add(end, -spec.days)
            planned.reverse()
            done_upto = rng.randint(0, 9)
            for seq, (spec, day) in enumerate(zip(DEFAULT_TEMPLATE.milestones, planned, strict=True), start=1):
                status = "done" if seq <= done_upto else ("in_progress" if seq == done_upto + 1 else "pending")
                milestone_rows.append({
                    "order_id": n, "seq": seq, "name": spec.name, "planned_date": day, "days": spec.days,
                    "status": status, "percent": 50 if status == "in_progress" else None, "owner": None,
                    "department": spec.department, "forecast_date": None,
                    "finished_at": NOW - timedelta(days=1) if status == "done" else None, "updated_at": NOW,
                })
        await session.execute(insert(Order), order_rows)
        await session.execute(insert(OrderMilestone), milestone_rows)
        if events:  # an empty list would insert one row of defaults
            await session.execute(insert(Event), [
                {
                    "kind": "progress", "order_id": rng.randint(1, orders), "milestone": "焊接", "platform": "wecom",
                    "chat_id": "wr1", "actor_id": "u1", "actor_name": "张三", "message_id": f"m{e}",
                    "raw_text": "焊接完成", "item": {"status": "done"}, "before": None, "flagged": None,
                    # one in ten events falls since the previous digest, the rest over the month before it
                    "created_at": NOW - timedelta(minutes=rng.randint(1, 1440 if e % 10 == 0 else 43200)),
                    "undone_at": None, "undone_by": None,
                }
                for e in range(events)
            ])
        await session.execute(insert(OrderException), [
            {
                "order_id": rng.randint(1, orders), "milestone": "焊接", "category": "quality", "severity": "general",
                "description": "焊缝返工", "owner": None, "expected_date": None, "delay_days": None,
                "customer_visible": False, "status": "open", "resolution": None, "reported_by": "李四",
                "created_at": NOW - timedelta(days=rng.randint(0, 10)), "resolved_at": None,
            }
            for _ in range(orders // 20)
        ])
        if database.dialect == "postgresql":  # explicit ids above: move the sequences past them
            for table in ("customers", "orders"):
                await session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, because ru_maxrss survives fork+exec on Linux and would
    report the parent's (the data builder's) peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(database: Database, runs: int) -> dict:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    index = WorkdayIndex(WorkCalendar(), NOW.date())
    since = NOW - timedelta(days=1)

    async def once():
        async with database.transaction() as session:
            return await daily_digest(session, now=NOW, since=since, index=index, tz=TZ, max_items=40)

    await once()  # warm-up: imports, statement cache
    timings = []
    digest = None
    for _ in range(runs):
        started = time.perf_counter()
        digest = await once()
        timings.append(time.perf_counter() - started)
    rss_mb = peak_rss_mb()  # before tracemalloc's own overhead
    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    tracemalloc.start()
    await once()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    return {
        "median_s": statistics.median(timings),
        "max_s": max(timings),
        "peak_traced_mb": peak / 2**20,
        "selects": sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")),
        "statements": len(statements),
        "digest": digest,
        "rss_mb": rss_mb,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.measure_only:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            database = Database.from_url(url)
            try:
                await empty_schema(database)
                started = time.perf_counter()
                await build(database, args.orders, args.events)
                print(f"database: {database.dialect}; {args.orders} open orders x 10 milestones, {args.events} "
                      f"events (data built in {time.perf_counter() - started:.1f} s)", flush=True)
            finally:
                await database.dispose()
            # Measure in a fresh process, so its peak RSS is the digest's and not the data builder's.
            command = [sys.executable, __file__, "--measure-only", "--database-url", url, "--runs", str(args.runs)]
            subprocess.run(command, check=True)
        return
    database = Database.from_url(args.database_url)
    try:
        result = await measure(database, args.runs)
    finally:
        await database.dispose()
    digest = result["digest"]
    rss_mb = result["rss_mb"]
    print(f"digest: {len(digest.text.encode())} bytes; late {digest.late}, at risk {digest.at_risk}, "
          f"exceptions {digest.exceptions}, moved {digest.moved}, planned today {digest.planned_today}")
    print(f"time: median {result['median_s'] * 1000:.0f} ms, max {result['max_s'] * 1000:.0f} ms "
          f"over {args.runs} runs (target < 1000 ms)")
    print(f"memory: peak traced {result['peak_traced_mb']:.1f} MB during one digest; "
          f"process peak RSS {rss_mb:.0f} MB (interpreter, libraries and {args.runs + 1} digests, measured before tracing; target < 200 MB)")
    print(f"SQL: {result['selects']} SELECTs, {result['statements']} statements in all for one digest "
          f"(independent of the number of orders)")


if __name__ == "__main__":
    asyncio.run(main())
