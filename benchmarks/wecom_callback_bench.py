"""WeCom callback cost: the crypto alone, and whole encrypted callbacks through the real app.

    python benchmarks/wecom_callback_bench.py [--messages 300] [--concurrency 8]

End to end = POST an encrypted group message to the app built by `create_app` (served on
127.0.0.1, SQLite in a temp dir, the real dispatcher), which verifies, decrypts, records the
progress and answers with an encrypted passive reply that is then verified and decrypted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bot.adapters.wecom.crypto import WeComCrypto  # noqa: E402
from bot.adapters.wecom.replying import stream_reply  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, group_text  # noqa: E402


def bench_crypto(fake: FakeWeCom, n: int) -> float:
    crypto = WeComCrypto(fake.token, fake.encoding_aes_key)
    signed = [fake.sign_callback(group_text("@跟单助手 订单123 焊接完成", msgid=f"c{i}")) for i in range(n)]
    start = time.perf_counter()
    for s in signed:
        crypto.verify(s.params["msg_signature"], s.params["timestamp"], s.params["nonce"], s.body["encrypt"])
        json.loads(crypto.decrypt(s.body["encrypt"]))
        crypto.reply_envelope(stream_reply("已记录：订单123 焊接 ✅ 完成"), s.params["nonce"])
    return (time.perf_counter() - start) / n


async def bench_app(messages: int, concurrency: int) -> dict[str, float]:
    fake = FakeWeCom()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = parse_settings({
            "database": {"url": f"sqlite+aiosqlite:///{tmp}/bench.db"},
            "wecom": {"enabled": True, "token": fake.token, "encoding_aes_key": fake.encoding_aes_key, "api_base": fake.base_url},
            "people": [{"platform": "wecom", "user_id": "zhangsan", "role": "admin"}],
        }, environ={})
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            late = 0

            async def post(text: str, msgid: str) -> float:
                nonlocal late
                signed = fake.sign_callback(group_text(text, msgid=msgid, response_url=fake.response_url()))
                started = time.perf_counter()
                response = await client.post("/wecom/callback", params=signed.params, json=signed.body)
                if await response.read():
                    fake.open_reply(await response.json(), signed.params["nonce"])
                else:
                    late += 1  # answered later through response_url
                return time.perf_counter() - started

            orders = max(1, messages // 10)
            for o in range(orders):
                await post(f"@跟单助手 新建订单 {1000 + o} 华东机械 搅拌机 50台 2026-12-20", f"new{o}")
            steps = ["排产", "领料", "下料", "焊接", "涂装", "总装", "质检", "入库", "发货", "验收"]
            texts = [f"@跟单助手 订单{1000 + i % orders} {steps[(i // orders) % 10]}完成" for i in range(messages)]
            semaphore = asyncio.Semaphore(concurrency)

            async def one(i: int) -> float:
                async with semaphore:
                    return await post(texts[i], f"m{i}")

            started = time.perf_counter()
            latencies = sorted(await asyncio.gather(*(one(i) for i in range(messages))))
            wall = time.perf_counter() - started
        finally:
            await client.close()
            await fake.stop()
    return {
        "messages": messages,
        "concurrency": concurrency,
        "per_second": messages / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "late": late,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    fake = FakeWeCom()
    per = bench_crypto(fake, 2000)
    print(f"crypto (verify + decrypt + encrypted reply): {per * 1e6:.0f} µs per callback")
    result = asyncio.run(bench_app(args.messages, args.concurrency))
    print("end to end on SQLite: {messages} callbacks, concurrency {concurrency}: {per_second:.0f}/s, "
          "p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms, {late} answered late via response_url".format(**result))


if __name__ == "__main__":
    main()
