"""The board and the portal over a large book: 5,000 open orders x 10 milestones, 50,000 events.

    .venv/bin/python benchmarks/board_bench.py [--orders 5000] [--runs 7] [--database-url URL]

Builds the digest benchmark's data set (`digest_bench.build`) in a fresh SQLite file (or the
PostgreSQL database given, which is wiped), serves the real app on 127.0.0.1 and times, through real
HTTP requests with signed links: the board index (every open order assessed, first page rendered),
one order's page (Gantt data, timeline), and one customer's portal. The board keeps its assessment
of the open orders while the event log does not move; "after a change" appends an event before each
request, so the orders it names are read again; "every order read" starts from nothing (the first
request after a start, or after a late-committed record); "a new day" assesses the kept orders for
the next day without reading them. Each figure is the median of
--runs requests after a warm-up, measured at the client over loopback, so it includes the HTTP
round trip. Targets: board index < 300 ms; order page < 100 ms; portal < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.keys import RUNTIME  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from bot.web.state import WEB  # noqa: E402
from digest_bench import NOW, build, empty_schema  # noqa: E402
from handlers.board import AssessedBook  # noqa: E402
from handlers.links import LinkScope  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.models import Event  # noqa: E402

TARGETS_MS = {"board index": 300, "order page": 100, "portal": 100}


async def prepare(url: str, orders: int) -> None:
    database = Database.from_url(url)
    try:
        await empty_schema(database)
        started = time.perf_counter()
        await build(database, orders, orders * 10)
        print(f"database: {database.dialect}; {orders} open orders x 10 milestones, {orders * 10} events, "
              f"{orders // 20} open exceptions (built in {time.perf_counter() - started:.1f} s)", flush=True)
    finally:
        await database.dispose()


async def touch(database: Database) -> None:
    """Append an event, as every record does: the board must assess every order again."""
    await database.run(lambda s: s.execute(insert(Event).values(
        kind="progress", order_id=1, milestone="焊接", platform="local", chat_id="bench", actor_id="bench",
        actor_name="bench", raw_text="", item={}, created_at=NOW)))


async def timed(client: TestClient, path: str, runs: int, *, changed: bool = False,
                cold: bool = False, new_day: bool = False) -> tuple[list[float], int]:
    response = await client.get(path)  # warm-up: template compilation, statement cache
    assert response.status == 200, (path, response.status)
    size = len(await response.read())
    timings = []
    for _ in range(runs):
        if changed:
            await touch(client.app[RUNTIME].database)
        if cold:
            client.app[WEB].book = AssessedBook()
        if new_day:
            client.app[WEB].book.today = date(2000, 1, 1)
        started = time.perf_counter()
        response = await client.get(path)
        await response.read()
        timings.append(time.perf_counter() - started)
        assert response.status == 200
    return timings, size


async def measure(url: str, runs: int) -> None:
    settings = parse_settings({"database": {"url": url}, "schedule": {"enabled": False},
                               "web": {"link_secret": "bench"}}, environ={})
    async with TestClient(TestServer(create_app(settings))) as client:
        client.app[WEB].clock = lambda: NOW
        signer, database = client.app[WEB].signer, client.app[RUNTIME].database
        manager = await database.run(lambda s: signer.issue(s, LinkScope.managers(), NOW))
        customer = await database.run(lambda s: signer.issue(s, LinkScope.customer(7), NOW))
        board_path = manager.url.removeprefix(settings.public_url)
        portal_path = customer.url.removeprefix(settings.public_url)
        pages = {
            "board index": (f"{board_path}/orders", False, False),
            "board index after a change": (f"{board_path}/orders", True, False),
            "board index, every order read": (f"{board_path}/orders", False, True),
            "board index on a new day": (f"{board_path}/orders", None, False),
            "order page": (f"{board_path}/orders/SO002500", False, False),
            "portal": (f"{portal_path}/portal", False, False),
        }
        for name, (path, changed, cold) in pages.items():
            timings, size = await timed(client, path, runs, changed=bool(changed), cold=cold, new_day=changed is None)
            median = statistics.median(timings) * 1000
            target = TARGETS_MS.get(name)
            verdict = "" if target is None else f" (target < {target} ms: {'ok' if median < target else 'OVER TARGET'})"
            print(f"{name:30s}: median {median:6.1f} ms, max {max(timings) * 1000:6.1f} ms over {runs} requests, "
                  f"{size / 1024:.0f} KiB{verdict}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await prepare(url, args.orders)
        await measure(url, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
