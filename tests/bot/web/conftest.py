"""Web fixtures: the real app (aiohttp test client) on a real database, a deployment with two
customers, and links signed by the app's own signer at a controllable clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from bot.app import create_app
from bot.keys import RUNTIME
from bot.config import Settings
from bot.web.state import WEB
from handlers.directory import find_customer
from handlers.links import LinkScope
from storage.models import OrderException
from tests.conftest import NOW
from tests.helpers import ChatSession

LATER = NOW + timedelta(days=17)
"""2026-12-10, a Thursday: by then the seeded orders are late or at risk."""

CHATS = [
    {"platform": "local", "chat_id": "经理群", "name": "经理群", "role": "manager"},
    {"platform": "local", "chat_id": "焊接群", "name": "焊接群", "role": "department", "department": "焊接车间"},
    {"platform": "local", "chat_id": "华东群", "name": "华东群", "role": "customer", "customer": "华东机械"},
]

ORDERS = (
    # order_no, customer, product, due, progress
    ("A100", "华东机械", "搅拌机 50台", "2026-12-30", ["排产完成", "领料完成"]),
    ("A200", "华东机械", "料仓 8台", "2027-01-29", ["排产完成"]),
    ("B100", "南方重工", "输送机 20套", "2026-12-18", ["排产完成", "领料完成", "下料完成"]),
    ("B200", "南方重工", "烘干机 12台", "2027-02-26", []),
)


@pytest.fixture
def settings_data(database_url: str) -> dict:
    return {
        "database": {"url": database_url},
        "chats": CHATS,
        "people": [{"platform": "local", "user_id": "王经理", "role": "manager", "name": "王经理"}],
        "web": {"public_url": "https://gendan.example.com", "link_secret": "test-link-secret"},
        "schedule": {"enabled": False},
    }


@pytest.fixture
async def client(aiohttp_client, settings: Settings) -> TestClient:
    client = await aiohttp_client(create_app(settings))
    client.app[WEB].clock = lambda: LATER
    return client


@dataclass
class Seeded:
    client: TestClient
    manager: ChatSession

    async def link(self, scope: LinkScope, *, now: datetime = LATER, hours: int | None = None) -> str:
        """The path of a fresh link (the host part is the configured public_url)."""
        signer = self.client.app[WEB].signer
        issued = await self.client.app[RUNTIME].database.run(lambda s: signer.issue(s, scope, now, hours))
        assert issued.url.startswith("https://gendan.example.com/w/")
        return issued.url.removeprefix("https://gendan.example.com")

    async def customer(self, name: str) -> LinkScope:
        found = await self.client.app[RUNTIME].database.run(lambda s: find_customer(s, name))
        return LinkScope.customer(found.id)

    async def manager_link(self, **kwargs) -> str:
        return await self.link(LinkScope.managers(), **kwargs)

    async def customer_link(self, name: str, **kwargs) -> str:
        return await self.link(await self.customer(name), **kwargs)


@pytest.fixture
async def seeded(client: TestClient) -> Seeded:
    """Four orders of two customers; B100 has an internal exception, A100 a customer-visible one."""
    runtime = client.app[RUNTIME]
    manager = ChatSession(runtime, now=NOW, chat_id="经理群", user="王经理")
    for order_no, customer, product, due, progress in ORDERS:
        reply = await manager.say(f"新建订单 {order_no} {customer} {product} {due}")
        assert reply.ok, reply.text
        for step in progress:
            assert (await manager.say(f"订单{order_no} {step}")).ok
    assert (await manager.say("异常 B100 设备 焊接 焊机故障 负责人=李师傅 预计=12-12")).ok
    assert (await manager.say("异常 A100 物料 焊接 钢板晚到 负责人=赵采购 预计=12-15")).ok
    assert (await manager.say("订单A200 领料完成")).ok
    assert (await manager.say("撤销")).ok

    async def mark_visible(session) -> None:  # noqa: ANN001
        await session.execute(
            update(OrderException).where(OrderException.description.like("%钢板%")).values(customer_visible=True)
        )

    await runtime.database.run(mark_visible)
    return Seeded(client, manager)
