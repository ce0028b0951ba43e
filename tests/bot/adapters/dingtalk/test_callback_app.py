"""HTTP callback mode end to end: DingTalk POSTs signed robot messages to the app on a real port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.keys import INTAKE, RUNTIME
from bot.app import create_app
from bot.config import Settings
from storage.models import Event, ProcessedMessage
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk

CREATE = "新建订单 123 华东机械 搅拌机 50台 2026-12-20"


@pytest.fixture
def dingtalk_mode() -> str:
    return "http"


@pytest.fixture
async def server(settings: Settings, aiohttp_server) -> AsyncIterator[TestServer]:  # type: ignore[no-untyped-def]
    yield await aiohttp_server(create_app(settings))


async def post(server: TestServer, fake: FakeDingTalk, data: dict, *, timestamp: str | None = None, sign: str | None = None) -> aiohttp.ClientResponse:
    timestamp = timestamp or str(int(time.time() * 1000))
    headers = {"timestamp": timestamp, "sign": sign if sign is not None else fake.sign(timestamp)}
    async with aiohttp.ClientSession() as http:
        async with http.post(server.make_url("/dingtalk/callback"), json=data, headers=headers) as response:
            await response.read()
            return response


async def count(app: web.Application, model: type) -> int:
    await app[INTAKE].settled()  # acknowledged once stored; counted once handled
    async with app[RUNTIME].database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_signed_callback_is_recorded_once_and_answered(server: TestServer, fake: FakeDingTalk) -> None:
    assert (await post(server, fake, fake.robot_message(CREATE))).status == 200
    data = fake.robot_message("订单123 焊接完成", session="s-weld")
    assert (await post(server, fake, data)).status == 200  # stored; handled and answered right after
    answers = await fake.wait_requests("session", 2)
    events = await count(server.app, Event)
    weld = [r for r in answers if r.query["session"] == "s-weld"]
    assert len(weld) == 1 and "焊接" in weld[0].body["markdown"]["text"]

    assert (await post(server, fake, data)).status == 200  # delivered again
    assert await count(server.app, ProcessedMessage) == 2
    assert await count(server.app, Event) == events
    await asyncio.sleep(0.1)
    assert len([r for r in fake.recorded("session") if r.query["session"] == "s-weld"]) == 1


@pytest.mark.parametrize(
    "case",
    ["wrong_sign", "other_secret", "stale", "future", "missing", "not_a_number"],
)
async def test_bad_or_stale_signature_is_refused_and_nothing_recorded(server: TestServer, fake: FakeDingTalk, case: str) -> None:
    now = int(time.time() * 1000)
    timestamp, sign = str(now), fake.sign(str(now))
    if case == "wrong_sign":
        sign = sign[:-4] + "AAA="
    elif case == "other_secret":
        sign = fake.sign(timestamp, "another-secret")
    elif case == "stale":
        timestamp = str(now - 3_600_000 - 60_000)
        sign = fake.sign(timestamp)
    elif case == "future":
        timestamp = str(now + 3_600_000 + 60_000)
        sign = fake.sign(timestamp)
    elif case == "missing":
        sign = ""
    elif case == "not_a_number":
        timestamp = "abc"
        sign = fake.sign(timestamp)
    response = await post(server, fake, fake.robot_message(CREATE), timestamp=timestamp, sign=sign)
    assert response.status == 403
    assert await count(server.app, ProcessedMessage) == 0
    assert await count(server.app, Event) == 0
    assert not fake.recorded("session")


async def test_signature_an_hour_old_is_still_accepted(server: TestServer, fake: FakeDingTalk) -> None:
    timestamp = str(int(time.time() * 1000) - 3_500_000)
    response = await post(server, fake, fake.robot_message(CREATE), timestamp=timestamp)
    assert response.status == 200
    assert await count(server.app, ProcessedMessage) == 1


async def test_malformed_body_is_a_clear_400(server: TestServer, fake: FakeDingTalk) -> None:
    response = await post(server, fake, {"msgtype": "text"})
    assert response.status == 400
    assert await count(server.app, ProcessedMessage) == 0


async def test_expired_session_falls_back_to_the_group_send(server: TestServer, fake: FakeDingTalk) -> None:
    fake.expired_sessions.add("gone")
    data = fake.robot_message(CREATE, session="gone")
    assert (await post(server, fake, data)).status == 200
    [sent] = await fake.wait_requests("group_send")
    assert sent.body["openConversationId"] == data["conversationId"]
