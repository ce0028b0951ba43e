"""Rendering the digest picture of 40 late orders (and a customer picture of 12 orders).

    .venv/bin/python benchmarks/picture_bench.py [--orders 40] [--runs 15] [--out digest.png]

Builds the chart data from in-memory read-model rows (no database: this measures drawing and PNG
encoding, which run in a worker thread), renders once to warm matplotlib and the font up, then
reports the median and worst of `--runs` renders (wall and CPU time), the PNG size and pixel size.
Target: < 300 ms (judged on the CPU time, which a loaded machine disturbs least).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from handlers.workdays import WorkCalendar  # noqa: E402
from handlers.customer_view import stage_words  # noqa: E402
from scheduler.pictures.charts import customer_chart, digest_chart, on_time_trend  # noqa: E402
from scheduler.pictures.fonts import find_cjk_font  # noqa: E402
from scheduler.pictures.render import render_customer, render_digest  # noqa: E402
from scheduler.read_model import MilestoneRow, OrderRow  # noqa: E402
from scheduler.workindex import WorkdayIndex  # noqa: E402

TODAY = date(2026, 12, 3)
MILESTONES = ("排产", "领料", "下料", "焊接", "涂装", "总装", "质检", "入库", "发货", "验收")
CUSTOMERS = ("华东机械", "西北重工", "南方电机股份有限公司", "北方农机", "江南泵业")


def late_order(n: int) -> OrderRow:
    start = TODAY - timedelta(days=12 + n % 10)
    done = n % 4
    milestones = [
        MilestoneRow(n * 100 + seq, n, seq, name, start + timedelta(days=2 * seq), 2,
                     "done" if seq <= done else ("in_progress" if seq == done + 1 else "pending"),
                     40 if seq == done + 1 else None, None, None, None)
        for seq, name in enumerate(MILESTONES, start=1)
    ]
    return OrderRow(n, f"SO2026{n:05d}", n % 5, CUSTOMERS[n % 5], "搅拌机", 10, "台",
                    milestones[-1].planned_date, "in_production", None, milestones)


def timed(render, runs: int) -> tuple[list[float], list[float], bytes]:  # noqa: ANN001
    """Wall-clock and CPU seconds of each run (on a shared machine the CPU time is the steadier)."""
    render()  # warm-up: matplotlib import caches, font loading
    wall, cpu, data = [], [], b""
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        data = render()
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return wall, cpu, data


def report(name: str, wall: list[float], cpu: list[float], data: bytes) -> None:
    size = Image.open(io.BytesIO(data)).size
    print(f"{name}: median {statistics.median(wall) * 1000:.0f} ms wall ({statistics.median(cpu) * 1000:.0f} ms CPU), "
          f"worst {max(wall) * 1000:.0f} ms over {len(wall)} runs; PNG {len(data) / 1024:.0f} KB, "
          f"{size[0]}x{size[1]} px")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", help="also write the digest picture here")
    args = parser.parse_args()

    font = find_cjk_font()
    index = WorkdayIndex(WorkCalendar(), TODAY)
    orders = [late_order(n) for n in range(1, args.orders + 1)]
    deliveries = [(TODAY - timedelta(days=d), TODAY - timedelta(days=d - d % 5 + 1)) for d in range(0, 56, 2)]
    chart = digest_chart(orders, on_time_trend(deliveries, TODAY), today=TODAY, index=index, max_bars=args.orders)
    print(f"font: {font.family} ({font.path}); {len(chart.bars)} bars")
    wall, cpu, data = timed(lambda: render_digest(chart, font), args.runs)
    report(f"digest picture, {len(chart.bars)} orders", wall, cpu, data)
    if args.out:
        Path(args.out).write_bytes(data)
    mine = [o for o in orders if o.customer == CUSTOMERS[0]][:12]
    customer = customer_chart(CUSTOMERS[0], mine, today=TODAY, index=index, stage_words=stage_words)
    report(f"customer picture, {len(customer.bars)} orders", *timed(lambda: render_customer(customer, font), args.runs))
    # The verdict goes by CPU time: on a shared machine the wall time mostly measures the others.
    verdict = "OK" if statistics.median(cpu) < 0.3 else "SLOWER than the 300 ms target"
    print(f"target < 300 ms for {args.orders} orders (median CPU time): {verdict}")


if __name__ == "__main__":
    main()
