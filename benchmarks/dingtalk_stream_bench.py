"""DingTalk Stream: time from a CALLBACK frame leaving the gateway to its ACK arriving, with the
real app (create_app), dispatcher and SQLite database, against the local fake gateway.

    python benchmarks/dingtalk_stream_bench.py [--messages 300]

Each message is a progress update to one of 20 orders; frames are sent one at a time (latency)
and then all at once (throughput, ACKs in arrival order).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestServer  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk  # noqa: E402

MILESTONES = ["焊接完成", "涂装80%", "装配完成", "质检通过"]


async def run(messages: int) -> None:
    fake = await FakeDingTalk().start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = parse_settings(
            {
                "database": {"url": f"sqlite+aiosqlite:///{tmp}/bench.db"},
                "dingtalk": {
                    "enabled": True,
                    "client_id": fake.client_id,
                    "client_secret": fake.client_secret,
                    "api_base": fake.base_url,
                    "oapi_base": fake.base_url,
                    "rate_limit_per_minute": 600,
                },
                "people": [{"platform": "dingtalk", "user_id": "user001", "role": "admin"}],
            },
            environ={},
        )
        server = TestServer(create_app(settings))
        await server.start_server()
        try:
            await fake.wait_connected()
            for n in range(20):
                frame = await fake.send_callback(fake.robot_message(f"新建订单 B{n} 华东机械 搅拌机 50台 2026-12-20"))
                await fake.wait_ack(frame)
            latencies = []
            for i in range(messages):
                started = time.perf_counter()
                frame = await fake.send_callback(fake.robot_message(f"B{i % 20} {MILESTONES[i % 4]}"))
                await fake.wait_ack(frame)
                latencies.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            frames = [await fake.send_callback(fake.robot_message(f"B{i % 20} {MILESTONES[i % 4]}")) for i in range(messages)]
            await fake.wait_ack(frames[-1], timeout=300)
            burst = time.perf_counter() - started
        finally:
            await server.close()
            await fake.close()
    latencies.sort()
    print(f"messages: {messages} (SQLite)")
    print(f"ack latency ms: median {statistics.median(latencies):.1f}, p95 {latencies[int(len(latencies) * 0.95)]:.1f}, max {latencies[-1]:.1f}")
    print(f"burst: {messages} frames acked in {burst:.2f} s ({messages / burst:.0f} msg/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    asyncio.run(run(parser.parse_args().messages))


if __name__ == "__main__":
    main()
