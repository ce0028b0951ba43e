"""HTTP callback mode end to end: DingTalk POSTs signed robot messages to the app on a real port."""

from __future__ import annotations

import asyncio
import json
import logging
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
from tests.helpers import raw_http_post

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


async def post_raw(server: TestServer, fake: FakeDingTalk, body: bytes, *, timestamp: str | None = None,
                   sign: str | None = None, **kwargs) -> tuple[int, bytes]:
    timestamp = timestamp or str(int(time.time() * 1000))
    headers = {"timestamp": timestamp, "sign": sign if sign is not None else fake.sign(timestamp)}
    return await raw_http_post(server.host, server.port, "/dingtalk/callback", body, headers=headers, **kwargs)


async def test_a_session_webhook_on_another_host_is_never_posted(server: TestServer, fake: FakeDingTalk, caplog) -> None:
    attacker = await FakeDingTalk().start()
    try:
        data = fake.robot_message(CREATE, session="stolen")
        data["sessionWebhook"] = f"{attacker.base_url}/robot/sendBySession?session=stolen"
        caplog.set_level(logging.INFO)
        assert (await post(server, fake, data)).status == 200
        [sent] = await fake.wait_requests("group_send")  # answered on the configured host instead
        assert sent.body["openConversationId"] == data["conversationId"]
        assert not attacker.recorded("session") and not fake.recorded("session")
        assert "sessionWebhook refused" in caplog.text
        assert attacker.base_url not in caplog.text
    finally:
        await attacker.close()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:1/robot/sendBySession?session=x",        # another port
    "BASE/robot/send?access_token=x",                          # another endpoint
    "http://user@HOSTPORT/robot/sendBySession?session=x",      # user info
    "javascript:alert(1)",
])
async def test_session_webhook_pinning(api, fake: FakeDingTalk, url: str) -> None:
    from bot.adapters.dingtalk.api import SessionGone

    url = url.replace("BASE", fake.base_url).replace("HOSTPORT", fake.base_url.removeprefix("http://"))
    with pytest.raises(SessionGone):
        await api.send_session_markdown(url, "t", "x")
    assert not fake.recorded("session") and not fake.recorded("robot_send")


async def test_a_seen_timestamp_and_sign_with_another_body_is_refused(server: TestServer, fake: FakeDingTalk) -> None:
    timestamp = str(int(time.time() * 1000))
    assert (await post(server, fake, fake.robot_message(CREATE), timestamp=timestamp)).status == 200
    forged = fake.robot_message("订单123 焊接完成", session="forged")
    response = await post(server, fake, forged, timestamp=timestamp)  # the captured pair, another body
    assert response.status == 403
    assert await count(server.app, ProcessedMessage) == 1


async def test_the_identical_signed_request_again_is_a_redelivery(server: TestServer, fake: FakeDingTalk) -> None:
    timestamp = str(int(time.time() * 1000))
    data = fake.robot_message(CREATE)
    assert (await post(server, fake, data, timestamp=timestamp)).status == 200
    assert (await post(server, fake, data, timestamp=timestamp)).status == 200
    assert await count(server.app, ProcessedMessage) == 1


async def test_a_body_in_two_tcp_segments_is_read_whole(server: TestServer, fake: FakeDingTalk) -> None:
    data = fake.robot_message(CREATE + " " + "备注" * 800)
    status, raw = await post_raw(server, fake, json.dumps(data, ensure_ascii=False).encode(), pause=0.3)
    assert status == 200, raw
    assert await count(server.app, ProcessedMessage) == 1


HOSTILE = {
    "content_is_a_number": lambda d: d["text"].update(content=123),
    "content_is_a_list": lambda d: d["text"].update(content=["x"]),
    "text_is_a_string": lambda d: d.update(text="订单123"),
    "createAt_is_a_word": lambda d: d.update(createAt="yesterday"),
    "createAt_is_huge": lambda d: d.update(createAt=10**30),
    "createAt_is_a_list": lambda d: d.update(createAt=[1]),
    "expiry_is_a_word": lambda d: d.update(sessionWebhookExpiredTime="soon"),
    "msgId_is_a_number": lambda d: d.update(msgId=5),
    "nick_is_an_object": lambda d: d.update(senderNick={"a": 1}),
    "atUsers_is_a_string": lambda d: d.update(atUsers="x"),
    "rich_text_is_a_string": lambda d: d.update(msgtype="richText", content="x"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_a_malformed_robot_message_is_a_clean_400(server: TestServer, fake: FakeDingTalk, caplog, case: str) -> None:
    data = fake.robot_message(CREATE)
    HOSTILE[case](data)
    caplog.set_level(logging.INFO)
    response = await post(server, fake, data)
    assert response.status == 400  # not 5xx: DingTalk must not deliver it again
    await asyncio.sleep(0.05)
    assert "Traceback" not in caplog.text
    assert await count(server.app, ProcessedMessage) == 0


@pytest.mark.parametrize("timestamp", ["9" * 400, "1" * 5000, "１２３", "-1"])
async def test_a_hostile_timestamp_is_refused_without_a_traceback(server: TestServer, fake: FakeDingTalk, caplog,
                                                                    timestamp: str) -> None:
    caplog.set_level(logging.INFO)
    response = await post(server, fake, fake.robot_message(CREATE), timestamp=timestamp, sign=fake.sign(timestamp))
    assert response.status == 403
    assert "Traceback" not in caplog.text


async def test_a_message_that_can_never_be_stored_is_answered_not_redelivered(server: TestServer, fake: FakeDingTalk) -> None:
    # A product name over its column: PostgreSQL refuses it for good. A 503 would make DingTalk
    # deliver it again forever; the sender is told plainly instead, and DingTalk gets 200.
    data = fake.robot_message(f"新建订单 124 华东机械 {'机' * 300} 5台 2026-12-20", session="s-long")
    assert (await post(server, fake, data)).status == 200
    (answer,) = await fake.wait_requests("session", 1)
    assert "没有记录" in answer.body["markdown"]["text"] and "产品名称太长" in answer.body["markdown"]["text"]
    assert await count(server.app, Event) == 0
