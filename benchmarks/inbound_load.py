"""Inbound load on the real `gendan run`: open-loop WeCom callbacks with the real crypto.

    python benchmarks/inbound_load.py [--rate 200] [--seconds 10] [--database URL] [--instances 1]
    python benchmarks/inbound_load.py --sigterm [--rate 250] [--seconds 10]

Starts `gendan run` as a subprocess (a temp config; SQLite in a temp dir unless --database gives a
PostgreSQL URL, in which it creates a database of its own, gendan_bench_<pid>, and drops it
afterwards; --instances 2 starts two processes on two ports, messages alternate between them)
against the fake WeCom, creates 30 orders, then sends distinct progress reports on them at --rate
per second for --seconds, each signed and encrypted as WeCom does, whatever the answers before did.
Beside it, the floor: a bare aiohttp handler doing the same signature check, decryption and
encrypted reply, driven the same way. Prints p50/p99/max, errors, answers that fell back to the
late channel (response_url), and how many messages ended up recorded exactly once (counted in the
database) and answered exactly once.

--sigterm: SIGTERM the server the moment the last HTTP answer arrived, restart it, and count the
acknowledged messages recorded exactly once and answered exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bot.adapters.wecom.crypto import WeComCrypto  # noqa: E402
from bot.adapters.wecom.replying import stream_reply  # noqa: E402
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom  # noqa: E402
from tests.bot.gendan_process import (  # noqa: E402
    PATH,
    GendanProcess,
    Load,
    answers,
    create_orders,
    drive,
    free_port,
    progress_texts,
    recorded_counts,
    settle,
    sign_all,
    write_config,
)
from tests.conftest import scratch_postgres  # noqa: E402

ORDERS = 30


async def floor_server(fake: FakeWeCom) -> web.AppRunner:
    """The same crypto as the bot, nothing else: verify, decrypt, parse, encrypted passive reply."""
    crypto = WeComCrypto(fake.token, fake.encoding_aes_key)

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        encrypted = (await request.json())["encrypt"]
        crypto.verify(q["msg_signature"], q["timestamp"], q["nonce"], encrypted)
        payload = json.loads(crypto.decrypt(encrypted))
        reply = stream_reply(f"已记录：{payload['text']['content'][:20]}")
        return web.json_response(crypto.reply_envelope(reply, q["nonce"]))

    app = web.Application()
    app.router.add_post(PATH, handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    return runner


def postgres_cpu_seconds() -> float:
    """User + system CPU time of the PostgreSQL server's processes on this machine so far (Linux
    /proc): the live ones, and through the server's parent process those that already exited
    (a connection the pool closed)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1] == "postgres":
            parts = fields.split()
            total += int(parts[11]) + int(parts[12])
            if parts[1] == "1" or not _is_postgres(parts[1]):  # the server's parent: its exited children too
                total += int(parts[13]) + int(parts[14])
    return total / os.sysconf("SC_CLK_TCK")


def _is_postgres(pid: str) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split("(", 1)[1].startswith("postgres)")
    except OSError:
        return False


def report(name: str, load: Load) -> None:
    p50, p99, worst = load.percentiles()
    print(f"{name}: {len(load.outcomes)} messages, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms, "
          f"errors {load.errors}, late answers (response_url) {load.late}")


async def run_floor(rate: float, count: int) -> None:
    fake = FakeWeCom()
    await fake.start()
    runner = await floor_server(fake)
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        signed = sign_all(fake, progress_texts(count, [str(1000 + i) for i in range(ORDERS)]), "floor-")
        report("floor (bare aiohttp, same crypto)", await drive(fake, [f"http://127.0.0.1:{port}"], signed, rate))
    finally:
        await runner.cleanup()
        await fake.stop()


async def run_bot(args: argparse.Namespace, tmp: Path) -> None:
    if args.database and args.database.startswith("postgresql"):
        async with scratch_postgres(args.database) as database_url:  # never the database tests use
            await run_bot_on(args, tmp, database_url)
    else:
        await run_bot_on(args, tmp, args.database or f"sqlite+aiosqlite:///{tmp / 'gendan.db'}")


async def run_bot_on(args: argparse.Namespace, tmp: Path, database_url: str) -> None:
    fake = FakeWeCom()
    await fake.start()
    servers = []
    for n in range(args.instances):
        port = free_port()
        config = tmp / f"gendan-{n}.toml"
        write_config(config, database_url=database_url, port=port, fake=fake,
                     reply_within_seconds=args.reply_within)
        servers.append(GendanProcess(config, port, tmp / f"gendan-{n}.log"))
    try:
        for server in servers:  # one after the other: the first applies the migrations
            await server.start()
        orders = await create_orders(fake, servers[0].url, ORDERS)
        count = int(args.rate * args.seconds)
        signed = sign_all(fake, progress_texts(count, orders), "load-")
        cpu_before = [server.cpu_seconds() for server in servers]
        postgres_before, own_before = postgres_cpu_seconds(), time.process_time()
        load = await drive(fake, [s.url for s in servers], signed, args.rate)
        if args.sigterm:
            for server in servers:
                server.terminate()  # the moment the last HTTP answer arrived
            codes = [await server.wait() for server in servers]
            print(f"SIGTERM after the last answer: exit codes {codes}")
            for server in servers:
                await server.start()
        await settle(fake, database_url, expected_answers=load.late, timeout=120)
        cpu_after = [server.cpu_seconds() for server in servers]
        postgres_used, own_used = postgres_cpu_seconds() - postgres_before, time.process_time() - own_before
        where = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        report(f"gendan run on {where}, {args.instances} instance(s), {args.rate:.0f}/s for {args.seconds:.0f} s", load)
        acknowledged = load.acknowledged
        recorded = await recorded_counts(database_url, acknowledged)
        answered = answers(fake, load)
        print(f"acknowledged {len(acknowledged)} of {count}; recorded exactly once {sum(1 for m in acknowledged if recorded[m] == 1)}"
              f" (never {sum(1 for m in acknowledged if recorded[m] == 0)}, more than once {sum(1 for m in acknowledged if recorded[m] > 1)});"
              f" answered exactly once {sum(1 for m in acknowledged if answered[m] == 1)}"
              f" (never {sum(1 for m in acknowledged if answered[m] == 0)}, twice or more {sum(1 for m in acknowledged if answered[m] > 1)});"
              f" group posts through the outbox {len(fake.webhook_posts)}")
        if not args.sigterm and None not in cpu_before + cpu_after:
            used = sum(after - before for before, after in zip(cpu_before, cpu_after))  # type: ignore[operator]
            print(f"server CPU {1000 * used / count:.2f} ms per message (all instances, HTTP, crypto, storing,"
                  f" handling; load average {os.getloadavg()[0]:.1f})")
            if database_url.startswith("postgresql"):
                print(f"PostgreSQL CPU {1000 * postgres_used / count:.2f} ms per message (its processes on this machine);"
                      f" this load generator {1000 * own_used / count:.2f} ms")
    finally:
        for server in servers:
            await server.stop()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second (open loop)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", help="a PostgreSQL URL (postgresql+asyncpg://…); default SQLite in a temp dir")
    parser.add_argument("--instances", type=int, default=1, help="gendan run processes, on their own ports")
    parser.add_argument("--reply-within", type=float, default=3.0, help="wecom.reply_within_seconds")
    parser.add_argument("--sigterm", action="store_true", help="SIGTERM after the last answer, restart, count")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare aiohttp floor")
    args = parser.parse_args()
    if not args.no_floor:
        asyncio.run(run_floor(args.rate, int(args.rate * args.seconds)))
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run_bot(args, Path(tmp)))


if __name__ == "__main__":
    main()
