"""The order ledger in Excel over a large book: 5,000 open orders x 10 milestones.

    .venv/bin/python benchmarks/ledger_bench.py [--orders 5000] [--database-url URL]

Builds the book in a fresh SQLite file (or the PostgreSQL database given, which is wiped), then
runs each phase in a child process of its own, so each one's peak RSS is its own:

- export: read the ledger (`load_ledger`) and write the workbook (`write_ledger`) — target < 3 s,
  < 300 MB peak RSS;
- import of the exported ledger (every row unchanged), dry run and real;
- import of a 5,000-row ledger of new orders, dry run and real (each order created with its
  10-milestone plan, one transaction per row) — target < 10 s.

Times are wall-clock for the whole phase, reading the file included, with the phase process's own
CPU time beside them (on a shared machine the wall-clock time also counts waiting for a core; the
database server's own time shows only in the wall-clock figure).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from openpyxl import Workbook  # noqa: E402

from bot.config import parse_settings  # noqa: E402
from bot.runtime import handler_settings  # noqa: E402
from digest_bench import NOW, build, empty_schema  # noqa: E402
from storage.database import Database  # noqa: E402


def new_orders_ledger(path: Path, orders: int) -> None:
    rng = random.Random(11)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["订单号", "客户名称", "品名", "订单数量", "交货日期", "跟单员"])
    for n in range(1, orders + 1):
        ws.append([f"NEW{n:06d}", f"客户{rng.randint(1, 200)}", "输送机", f"{rng.randint(1, 3000):,}台",
                   f"2027/{rng.randint(1, 3)}/{rng.randint(1, 28)}", f"员工{n % 50}"])
    wb.save(path)


async def phase(url: str, name: str, path: Path) -> dict:
    from handlers.ledger.applying import ImportMode, ImportSource, import_rows
    from handlers.ledger.export import write_ledger
    from handlers.ledger.model import LedgerScope, load_ledger
    from handlers.ledger.reading import parse_rows, read_ledger

    settings = handler_settings(parse_settings({}, environ={}))
    database = Database.from_url(url)
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        if name == "export":
            ledger = await database.run(lambda s: load_ledger(s, settings, NOW, LedgerScope()))
            buffer = io.BytesIO()
            await asyncio.to_thread(write_ledger, ledger, buffer)
            path.write_bytes(buffer.getvalue())
            detail = {"rows": len(ledger.orders), "bytes": len(buffer.getvalue())}
        else:
            sheet = await asyncio.to_thread(read_ledger, path)
            rows = parse_rows(sheet, NOW.date())
            report = await import_rows(
                database, settings, rows, mode=ImportMode.UPSERT, dry_run=name.endswith("dry-run"),
                source=ImportSource(path.name, "基准测试", NOW),
            )
            detail = {"summary": report.summary()}
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        await database.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"phase": name, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mb": round(peak, 1),
            **detail}


def run_phase(url: str, name: str, path: Path) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, "--database-url", url, "--phase", name, "--file", str(path)],
        capture_output=True, text=True,
    )
    if child.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{child.stderr}")
    return json.loads(child.stdout.strip().splitlines()[-1])


async def prepare(url: str, orders: int) -> None:
    database = Database.from_url(url)
    try:
        await empty_schema(database)
        await build(database, orders, events=0)
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--database-url")
    parser.add_argument("--only", help="run only the phases whose name contains this (e.g. export, import-new)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(asyncio.run(phase(args.database_url, args.phase, args.file)), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(prepare(url, args.orders))
        exported, fresh = Path(tmp) / "台账.xlsx", Path(tmp) / "新订单.xlsx"
        new_orders_ledger(fresh, args.orders)
        print(f"book: {args.orders} open orders x 10 milestones on {url.split(':')[0]}")
        for name, path in (("export", exported), ("import-unchanged dry-run", exported),
                           ("import-unchanged", exported), ("import-new dry-run", fresh), ("import-new", fresh)):
            if args.only and args.only not in name and name != "export":
                continue
            result = run_phase(url, name, path)
            extra = result.get("summary") or f"{result['rows']} rows, {result['bytes'] / 1e6:.1f} MB"
            print(f"{name:26s} {result['seconds']:6.2f} s (CPU {result['cpu_seconds']:5.2f} s)  "
                  f"peak RSS {result['peak_rss_mb']:6.1f} MB  {extra}")


if __name__ == "__main__":
    main()
