"""The real `gendan run` as a subprocess against the fake WeCom, and an open-loop driver of signed
callbacks: shared by the restart test and `benchmarks/inbound_load.py`."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from storage.database import Database
from storage.models import InboxMessage, InboxStatus, ProcessedMessage
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, Signed, group_text

REPO = Path(__file__).resolve().parents[2]
PATH = "/wecom/callback"
GROUP = "wrLOAD"
GROUP_KEY = "load-group-key"
STEPS = ["排产", "领料", "下料", "焊接", "涂装", "总装", "质检", "入库"]


def write_config(path: Path, *, database_url: str, port: int, fake: FakeWeCom, reply_within_seconds: float = 3.0) -> None:
    fake.webhook_url(GROUP_KEY)
    path.write_text(
        f"""
[database]
url = "{database_url}"

[server]
host = "127.0.0.1"
port = {port}

[wecom]
enabled = true
mode = "callback"
token = "{fake.token}"
encoding_aes_key = "{fake.encoding_aes_key}"
api_base = "{fake.base_url}"
reply_within_seconds = {reply_within_seconds}

[schedule]
outbox_poll_seconds = 1

[[people]]
platform = "wecom"
user_id = "zhangsan"
role = "admin"
name = "张三"

[[chats]]
platform = "wecom"
chat_id = "{GROUP}"
role = "department"
name = "生产群"
department = "生产部"
webhook_url = "{fake.base_url}/cgi-bin/webhook/send?key={GROUP_KEY}"
""",
        encoding="utf-8",
    )


class GendanProcess:
    """`python -m bot --config … run` in its own process, stopped with SIGTERM like a service manager."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config = config
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(self.config), "run"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gendan run exited with {self.process.returncode}; see {self.log}")
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"gendan run did not answer on {self.url} within {timeout} s")

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the process used so far (Linux /proc), None where unknown."""
        if self.process is None:
            return None
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 90.0) -> int:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                raise TimeoutError("gendan run did not stop after SIGTERM")
            await asyncio.sleep(0.05)
        return self.process.returncode

    async def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.terminate()
        return await self.wait()


@dataclass
class Outcome:
    msgid: str
    status: int
    seconds: float
    passive: str | None
    """The passive reply's content, or None when the answer was left for later."""


@dataclass
class Load:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def acknowledged(self) -> list[str]:
        return [o.msgid for o in self.outcomes if o.status == 200]

    @property
    def errors(self) -> int:
        return sum(1 for o in self.outcomes if o.status != 200)

    @property
    def late(self) -> int:
        return sum(1 for o in self.outcomes if o.status == 200 and o.passive is None)

    def percentiles(self) -> tuple[float, float, float]:
        ms = sorted(1000 * o.seconds for o in self.outcomes if o.status == 200) or [0.0]
        return statistics.median(ms), ms[int(0.99 * (len(ms) - 1))], ms[-1]


def progress_texts(count: int, orders: list[str]) -> list[str]:
    """`count` distinct progress reports spread over `orders` (milestone and percentage vary)."""
    texts = []
    for i in range(count):
        order = orders[i % len(orders)]
        step = STEPS[(i // len(orders)) % len(STEPS)]
        percent = 1 + (i // (len(orders) * len(STEPS))) % 99
        texts.append(f"@跟单助手 订单{order} {step}{percent}%")
    return texts


def sign_all(fake: FakeWeCom, texts: list[str], prefix: str) -> list[tuple[str, Signed]]:
    """Signed callbacks, each with its own response_url (code = msgid, so late answers are counted)."""
    signed = []
    for i, text in enumerate(texts):
        msgid = f"{prefix}{i}"
        payload = group_text(text, msgid=msgid, chatid=GROUP, response_url=fake.response_url(msgid))
        signed.append((msgid, fake.sign_callback(payload)))
    return signed


async def post(http: aiohttp.ClientSession, fake: FakeWeCom, base: str, msgid: str, signed: Signed) -> Outcome:
    started = time.perf_counter()
    try:
        async with http.post(base + PATH, params=signed.params, json=signed.body) as response:
            status = response.status
            body = await response.read()
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return Outcome(msgid, 0, time.perf_counter() - started, None)
    seconds = time.perf_counter() - started
    passive = None
    if status == 200 and body:
        import json

        passive = fake.open_reply(json.loads(body), signed.params["nonce"])["stream"]["content"]
    return Outcome(msgid, status, seconds, passive)


async def drive(fake: FakeWeCom, bases: list[str], signed: list[tuple[str, Signed]], rate: float) -> Load:
    """Open loop: message i is sent at start + i / rate whatever the answers before it did."""
    load = Load()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        start = time.perf_counter() + 0.05
        tasks = []
        for i, (msgid, callback) in enumerate(signed):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(http, fake, bases[i % len(bases)], msgid, callback)))
        load.outcomes = list(await asyncio.gather(*tasks))
    return load


async def recorded_counts(database_url: str, msgids: list[str]) -> Counter[str]:
    """How many times each message id was recorded (processed) in the database."""
    database = Database.from_url(database_url)
    try:
        async with database.read() as session:
            rows = await session.execute(
                select(ProcessedMessage.message_id, func.count())
                .where(ProcessedMessage.platform == "wecom")
                .group_by(ProcessedMessage.message_id)
            )
            counts = Counter({message_id: n for message_id, n in rows})
    finally:
        await database.dispose()
    return Counter({m: counts.get(m, 0) for m in msgids})


async def unhandled(database_url: str) -> int:
    database = Database.from_url(database_url)
    try:
        async with database.read() as session:
            return await session.scalar(
                select(func.count()).select_from(InboxMessage).where(InboxMessage.status == InboxStatus.RECEIVED)
            )
    finally:
        await database.dispose()


def answers(fake: FakeWeCom, load: Load) -> Counter[str]:
    """How many times each message was answered: in the response, or later through its response_url."""
    counted: Counter[str] = Counter(o.msgid for o in load.outcomes if o.status == 200 and o.passive is not None)
    counted.update(code for code, _ in fake.responses)
    return counted


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def create_orders(fake: FakeWeCom, base: str, count: int, first: int = 1000) -> list[str]:
    """`count` new orders through the callback itself (answered in the response)."""
    orders = [str(first + i) for i in range(count)]
    async with aiohttp.ClientSession() as http:
        for order in orders:
            text = f"@跟单助手 新建订单 {order} 华东机械 搅拌机 50台 2026-12-20"
            signed = fake.sign_callback(group_text(text, msgid=f"create-{order}", chatid=GROUP))
            outcome = await post(http, fake, base, f"create-{order}", signed)
            if outcome.status != 200:
                raise RuntimeError(f"creating order {order} failed: HTTP {outcome.status}")
    return orders


async def settle(fake: FakeWeCom, database_url: str, expected_answers: int, timeout: float = 60.0) -> None:
    """Wait until nothing is left unhandled and `expected_answers` late answers arrived (or timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await unhandled(database_url) == 0 and len(fake.responses) >= expected_answers:
            return
        await asyncio.sleep(0.2)
