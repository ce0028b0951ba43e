"""Helpers shared by the WeCom tests: deliver a callback the way WeCom does and read the answer."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.keys import RUNTIME
from storage.models import Event, Order, OrderMilestone, ProcessedMessage
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, Signed, group_text

PATH = "/wecom/callback"


async def deliver(client: TestClient, fake: FakeWeCom, payload: dict[str, Any], **sign_kwargs: Any) -> tuple[int, dict | None]:
    """POST one encrypted callback; returns the status and the decrypted passive reply (None if empty)."""
    signed = fake.sign_callback(payload, **sign_kwargs)
    return await post_signed(client, fake, signed)


async def post_signed(client: TestClient, fake: FakeWeCom, signed: Signed) -> tuple[int, dict | None]:
    response = await client.post(PATH, params=signed.params, json=signed.body)
    if response.status != 200:
        return response.status, None
    raw = await response.read()
    if not raw:
        return 200, None
    return 200, fake.open_reply(await response.json(), signed.params["nonce"])


async def say(client: TestClient, fake: FakeWeCom, text: str, msgid: str, *, userid: str = "zhangsan") -> str:
    status, reply = await deliver(client, fake, group_text(text, msgid=msgid, userid=userid, response_url=fake.response_url()))
    assert status == 200 and reply is not None
    assert reply["msgtype"] == "stream" and reply["stream"]["finish"] is True and reply["stream"]["id"]
    return reply["stream"]["content"]


async def counts(client: TestClient) -> dict[str, int]:
    """Rows that a recorded message leaves behind: processed ids and audit events."""
    async with client.app[RUNTIME].database.transaction() as session:
        return {
            "processed": await session.scalar(select(func.count()).select_from(ProcessedMessage)),
            "events": await session.scalar(select(func.count()).select_from(Event)),
        }


async def milestone_status(client: TestClient, order_no: str, name: str) -> str | None:
    async with client.app[RUNTIME].database.transaction() as session:
        return await session.scalar(
            select(OrderMilestone.status).join(Order).where(Order.order_no == order_no, OrderMilestone.name == name)
        )
