"""Stream mode end to end: the app from `create_app` on a real port, the SDK-based client inside
it, connected to the fake DingTalk gateway, the real dispatcher and database behind it."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.adapters.dingtalk.setup import DINGTALK_STREAM
from bot.keys import INTAKE, RUNTIME
from bot.app import create_app
from bot.keys import SCHEDULER
from bot.config import Settings
from storage.models import Event, OutboxMessage, ProcessedMessage
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk

CREATE = "新建订单 123 华东机械 搅拌机 50台 2026-12-20"


@pytest.fixture
async def app(settings: Settings, aiohttp_server) -> AsyncIterator[web.Application]:  # type: ignore[no-untyped-def]
    server: TestServer = await aiohttp_server(create_app(settings))
    yield server.app


async def scalar(app: web.Application, query) -> int:  # type: ignore[no-untyped-def]
    await app[INTAKE].settled()  # acknowledged once stored; counted once handled
    async with app[RUNTIME].database.transaction() as session:
        return await session.scalar(query)


async def processed(app: web.Application, msg_id: str) -> int:
    return await scalar(
        app, select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.message_id == msg_id)
    )


async def events(app: web.Application) -> int:
    return await scalar(app, select(func.count()).select_from(Event))


async def say(fake: FakeDingTalk, text: str, **kwargs) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    data = fake.robot_message(text, **kwargs)
    frame_id = await fake.send_callback(data)
    return frame_id, data


async def test_group_message_is_acked_recorded_once_and_answered(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    opened = fake.recorded("open")[0].body
    assert opened["clientId"] == fake.client_id
    assert opened["subscriptions"] == [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]

    frame_id, _ = await say(fake, CREATE)
    await fake.wait_ack(frame_id)
    frame_id, data = await say(fake, "订单123 焊接完成", session="s-weld")
    [ack] = await fake.wait_ack(frame_id)
    assert ack["code"] == 200
    assert ack["headers"] == {"messageId": frame_id, "contentType": "application/json"}
    assert await processed(app, data["msgId"]) == 1
    after_first = await events(app)

    answers = await fake.wait_requests("session", 2)
    answer = next(r for r in answers if r.query["session"] == "s-weld")
    assert answer.body["msgtype"] == "markdown"
    assert "123" in answer.body["markdown"]["text"] and "焊接" in answer.body["markdown"]["text"]

    # The same message again: the same frame (replayed ACK) and a new frame with the same msgId.
    await fake.send_callback(data, message_id=frame_id)
    acks = await fake.wait_ack(frame_id, count=2)
    assert [a["code"] for a in acks] == [200, 200]
    second_frame = await fake.send_callback(data)
    await fake.wait_ack(second_frame)
    assert await processed(app, data["msgId"]) == 1
    assert await events(app) == after_first
    await asyncio.sleep(0.1)
    assert len([r for r in fake.recorded("session") if r.query["session"] == "s-weld"]) == 1


async def test_messages_from_one_group_are_applied_in_order(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    frames = []
    for text in (CREATE, "123 焊接完成", "123 涂装80%"):
        frame_id, _ = await say(fake, text)
        frames.append(frame_id)
    for frame_id in frames:
        [ack] = await fake.wait_ack(frame_id)
        assert ack["code"] == 200
    answers = await fake.wait_requests("session", 3)
    texts = [r.body["markdown"]["text"] for r in answers]
    assert "焊接" in texts[1] and "涂装" in texts[2]


async def test_ping_is_echoed_and_disconnect_reconnects_with_a_new_ticket(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    ping = await fake.send_system("ping", {"opaque": "op-1"})
    [ack] = await fake.wait_ack(ping)
    assert ack["code"] == 200 and json.loads(ack["data"]) == {"opaque": "op-1"}

    await fake.send_system("disconnect", {"reason": "persistent connection is timeout"})
    await fake.wait_connected(2)
    assert len(set(fake.tickets)) == 2
    frame_id, data = await say(fake, CREATE)
    await fake.wait_ack(frame_id)
    assert await processed(app, data["msgId"]) == 1


async def test_dropped_connection_and_failed_open_are_retried_without_losing_messages(
    app: web.Application, fake: FakeDingTalk
) -> None:
    await fake.wait_connected()
    fake.fail("open", 503, times=2)
    fake.drop_connection()
    await fake.wait_connected(2, timeout=15)
    assert len(fake.recorded("open")) == 4  # first, two refused, the one that worked
    # A message whose ACK was lost with the connection is delivered again on the new one.
    frame_id, data = await say(fake, CREATE)
    await fake.wait_ack(frame_id)
    await fake.send_callback(data, message_id=frame_id)
    assert len(await fake.wait_ack(frame_id, count=2)) == 2
    assert await processed(app, data["msgId"]) == 1


async def test_bad_frames_are_survived(app: web.Application, fake: FakeDingTalk) -> None:
    ws = await fake.wait_connected()
    await ws.send_str("not json")
    unknown = await fake.send_callback({"x": 1}, topic="/v1.0/unknown/topic")
    [ack] = await fake.wait_ack(unknown)
    assert ack["code"] == 404
    broken = await fake.send_callback({"msgtype": "text"})  # no msgId, no conversation
    [ack] = await fake.wait_ack(broken)
    assert ack["code"] == 400
    frame_id, data = await say(fake, CREATE)
    [ack] = await fake.wait_ack(frame_id)
    assert ack["code"] == 200


async def test_non_text_message_gets_a_hint(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    data = fake.robot_message("x")
    data["msgtype"] = "picture"
    data.pop("text")
    data["content"] = {"downloadCode": "abc"}
    frame_id = await fake.send_callback(data)
    await fake.wait_ack(frame_id)
    [answer] = await fake.wait_requests("session")
    assert "文字" in answer.body["markdown"]["text"]
    assert await processed(app, data["msgId"]) == 0


async def test_expired_session_webhook_falls_back_to_the_group_send(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    fake.expired_sessions.add("gone")
    frame_id, data = await say(fake, CREATE, session="gone")
    await fake.wait_ack(frame_id)
    [sent] = await fake.wait_requests("group_send")
    assert sent.body["openConversationId"] == data["conversationId"]
    assert "123" in json.loads(sent.body["msgParam"])["text"]
    # Known to be expired from sessionWebhookExpiredTime: no session call at all.
    frame_id, data = await say(fake, "123 焊接完成", session="late", session_expires_ms=1)
    await fake.wait_ack(frame_id)
    await fake.wait_requests("group_send", 2)
    assert not [r for r in fake.recorded("session") if r.query["session"] == "late"]


async def test_reply_is_retried_through_5xx_and_token_failures(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    fake.fail("session", 502, times=2)
    frame_id, _ = await say(fake, CREATE, session="flaky")
    await fake.wait_ack(frame_id)
    answers = await fake.wait_requests("session", 3)
    assert len(answers) == 3 and not fake.recorded("group_send")

    fake.expired_sessions.add("gone")
    fake.fail("token", 500)
    fake.fail("group_send", 503)
    frame_id, _ = await say(fake, "123 焊接完成", session="gone")
    await fake.wait_ack(frame_id)
    sent = await fake.wait_requests("group_send", 2)
    assert len(sent) == 2 and len(fake.tokens_issued) == 1


async def test_an_answer_that_cannot_be_sent_now_waits_in_the_outbox(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    fake.fail("session", 502, times=50)
    fake.fail("group_send", 503, times=50)
    frame_id, data = await say(fake, CREATE, session="down")
    await fake.wait_ack(frame_id)
    key = f"reply:dingtalk:{data['msgId']}"

    async def waiting() -> OutboxMessage | None:
        async with app[RUNTIME].database.transaction() as session:
            return await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))

    for _ in range(200):
        if (row := await waiting()) is not None:
            break
        await asyncio.sleep(0.05)
    assert row is not None and row.chat_id == data["conversationId"] and "已新建订单 123" in row.text

    fake.recover()
    await app[SCHEDULER].worker.deliver_due(datetime.now(UTC) + timedelta(minutes=10))
    delivered = [r for r in fake.recorded("group_send") if "已新建订单 123" in json.loads(r.body["msgParam"])["text"]]
    assert delivered
    assert (await waiting()).status == "sent"


async def test_stop_leaves_no_task_behind(settings: Settings, fake: FakeDingTalk) -> None:
    from aiohttp.test_utils import TestServer

    before = {t for t in asyncio.all_tasks()}
    server = TestServer(create_app(settings))
    await server.start_server()
    await fake.wait_connected()
    frame_id, _ = await say(fake, CREATE)
    await fake.wait_ack(frame_id)
    client = server.app[DINGTALK_STREAM]
    await server.close()
    await asyncio.sleep(0)
    leftover = {t for t in asyncio.all_tasks() - before if not t.done() and t is not asyncio.current_task()}
    assert not [t for t in leftover if t.get_name().startswith("dingtalk")], leftover
    assert not client._tasks


async def test_no_secret_or_token_in_any_log_line(app: web.Application, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await fake.wait_connected()
    fake.expired_sessions.add("secret-session-key")
    fake.fail("group_send", 400, {"code": "InvalidAuthentication", "message": "不合法的access_token"})
    frame_id, _ = await say(fake, CREATE, session="secret-session-key")
    await fake.wait_ack(frame_id)
    await fake.wait_requests("group_send", 2)
    fake.fail("open", 400, {"code": "invalidClientIdOrSecret"})
    await fake.send_system("disconnect", {"reason": "test"})
    await fake.wait_connected(2, timeout=15)
    await asyncio.sleep(0.1)
    assert caplog.records
    secrets = [fake.client_secret, "secret-session-key", *fake.tokens_issued, *fake.tickets]
    leaks = [(r.name, s) for r in caplog.records for s in secrets if s in r.getMessage() + str(r.args)]
    assert not leaks
