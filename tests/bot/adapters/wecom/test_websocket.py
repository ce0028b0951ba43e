"""Websocket mode end to end: the app's long connection against the fake's real websocket."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.adapters.sending import RetryPolicy
from bot.adapters.wecom.inbound import MessageHandling
from bot.adapters.wecom.setup import WS_CLIENT
from bot.adapters.wecom.websocket import WsClient
from bot.keys import SENDERS
from handlers.messages import DeliveryError, Outbound
from tests.bot.adapters.delivery import send_routed
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, group_text
from tests.bot.adapters.wecom.helpers import counts, milestone_status


@pytest.fixture
def wecom_mode() -> str:
    return "websocket"


async def ask(fake: FakeWeCom, text: str, msgid: str) -> str:
    waiter = await fake.push_callback(group_text(text, msgid=msgid))
    frame = await asyncio.wait_for(waiter, 10)
    assert frame["cmd"] == "aibot_respond_msg"
    stream = frame["body"]["stream"]
    assert frame["body"]["msgtype"] == "stream" and stream["finish"] is True
    return stream["content"]


async def test_subscribes_with_bot_id_and_secret(client: TestClient, fake: FakeWeCom) -> None:
    await asyncio.wait_for(fake.subscribed.wait(), 10)
    subscribe = fake.sent_frames("aibot_subscribe")[0]
    assert subscribe["body"] == {"bot_id": fake.bot_id, "secret": fake.bot_secret}


async def test_progress_recorded_once_and_answered_on_the_callbacks_req_id(client: TestClient, fake: FakeWeCom) -> None:
    assert "123" in await ask(fake, "@跟单助手 新建订单 123 华东机械 搅拌机 50台 2026-12-20", "ws-create")
    before = await counts(client)
    first = await ask(fake, "@跟单助手 订单123 焊接完成", "ws-weld")
    assert "焊接" in first
    assert await milestone_status(client, "123", "焊接") == "done"
    after = await counts(client)
    assert after["processed"] == before["processed"] + 1
    assert await ask(fake, "@跟单助手 订单123 焊接完成", "ws-weld") == first
    assert await counts(client) == after


async def test_reconnects_after_a_dropped_connection(client: TestClient, fake: FakeWeCom) -> None:
    await asyncio.wait_for(fake.subscribed.wait(), 10)
    await fake.drop_connections()
    for _ in range(300):
        if fake.subscriptions >= 2 and fake.subscribed.is_set():
            break
        await asyncio.sleep(0.02)
    assert fake.subscriptions == 2
    assert "跟单助手" in await ask(fake, "@跟单助手 帮助", "after-reconnect")


async def test_proactive_message_without_webhook_goes_by_aibot_send_msg(client: TestClient, fake: FakeWeCom) -> None:
    await asyncio.wait_for(client.app[WS_CLIENT].connected.wait(), 10)
    await send_routed(client.app, Outbound("wecom", "wrNOHOOK", "**简报**\n订单123 焊接逾期 @李四", ("lisi",)))
    frame = fake.sent_frames("aibot_send_msg")[-1]
    assert frame["body"]["chatid"] == "wrNOHOOK" and frame["body"]["msgtype"] == "markdown"
    # AI-bot markdown shows <@userid> as literal text and notifies nobody: the name stands there.
    assert frame["body"]["markdown"]["content"] == "**简报**\n订单123 焊接逾期 @李四"


class _NoIntake:
    async def accept(self, message, channel=None, *, carries_reply=True):  # pragma: no cover - never reached
        raise AssertionError


def _client(session: aiohttp.ClientSession, fake: FakeWeCom, *, secret: str | None = None, **kwargs) -> WsClient:
    return WsClient(session, fake.ws_url, fake.bot_id, secret or fake.bot_secret,
                    MessageHandling(lambda: _NoIntake(), ("跟单助手",)), **kwargs)


async def test_pings_keep_the_connection_and_unanswered_pings_end_it(fake: FakeWeCom) -> None:
    async with aiohttp.ClientSession() as session:
        ws = _client(session, fake, ping_interval=0.05, backoff=RetryPolicy(base_delay=0.05, max_delay=0.1))
        task = asyncio.create_task(ws.run())
        try:
            for _ in range(200):
                if len(fake.sent_frames("ping")) >= 3:
                    break
                await asyncio.sleep(0.02)
            assert len(fake.sent_frames("ping")) >= 3
            assert fake.subscriptions == 1  # answered pings keep the one connection
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await ws.close()


async def test_refused_subscription_is_retried_with_backoff_and_secret_not_logged(fake: FakeWeCom, caplog) -> None:
    async with aiohttp.ClientSession() as session:
        ws = _client(session, fake, secret="wrong-secret-value", backoff=RetryPolicy(base_delay=0.05, max_delay=0.1))
        task = asyncio.create_task(ws.run())
        try:
            for _ in range(200):
                if len(fake.sent_frames("aibot_subscribe")) >= 3:
                    break
                await asyncio.sleep(0.02)
            assert len(fake.sent_frames("aibot_subscribe")) >= 3
            assert fake.subscriptions == 0 and not ws.connected.is_set()
            assert "subscription refused" in caplog.text and "wrong-secret-value" not in caplog.text
            with pytest.raises(Exception):
                await asyncio.wait_for(ws.send_markdown("wrX", "hi"), 0.5)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await ws.close()


async def test_send_while_disconnected_is_a_retryable_delivery_error(client: TestClient, fake: FakeWeCom) -> None:
    ws = client.app[WS_CLIENT]
    await asyncio.wait_for(ws.connected.wait(), 10)
    ws.ack_timeout = 0.2
    await fake.stop()  # WeCom unreachable: the client keeps trying to reconnect
    for _ in range(100):
        if not ws.connected.is_set():
            break
        await asyncio.sleep(0.02)
    with pytest.raises(DeliveryError) as info:
        await send_routed(client.app, Outbound("wecom", "wrNOHOOK", "简报"))
    assert info.value.retryable


async def wait_for(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_displaced_by_another_connection_it_stops_and_says_so(client: TestClient, fake: FakeWeCom, caplog) -> None:
    ours = client.app[WS_CLIENT]
    await asyncio.wait_for(ours.connected.wait(), 10)
    async with aiohttp.ClientSession() as session:
        other = _client(session, fake, backoff=RetryPolicy(base_delay=0.05, max_delay=0.1))
        task = asyncio.create_task(other.run())  # a second instance with the same bot
        try:
            await wait_for(lambda: ours.displaced)
            await asyncio.sleep(0.5)  # time for several reconnects, were it still fighting
            assert fake.subscriptions == 2  # ours did not subscribe again and kick the other
            assert other.connected.is_set() and not ours.connected.is_set()
            assert "another connection" in caplog.text
            response = await client.get("/healthz")
            assert response.status == 503
            health = await response.json()
            assert health["status"] == "degraded" and "wecom" in health["problems"]
            with pytest.raises(DeliveryError) as info:
                await send_routed(client.app, Outbound("wecom", "wrNOHOOK", "简报"))
            assert info.value.retryable  # kept in the outbox for when this instance is restarted
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await other.close()


async def test_health_is_ok_while_connected(client: TestClient, fake: FakeWeCom) -> None:
    await asyncio.wait_for(client.app[WS_CLIENT].connected.wait(), 10)
    response = await client.get("/healthz")
    assert response.status == 200 and (await response.json())["status"] == "ok"


async def test_a_connection_that_drops_right_after_subscribing_backs_off_more_each_time(fake: FakeWeCom) -> None:
    fake.kick_after_subscribe = True
    async with aiohttp.ClientSession() as session:
        ws = _client(session, fake, backoff=RetryPolicy(base_delay=0.05, max_delay=5.0))
        task = asyncio.create_task(ws.run())
        try:
            await wait_for(lambda: fake.subscriptions >= 5)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await ws.close()
    gaps = [b - a for a, b in zip(fake.subscribe_times, fake.subscribe_times[1:])]
    assert ws.failures >= 4
    assert gaps[-1] > 2 * gaps[0]  # the backoff grew although every connection subscribed


async def test_replies_and_sends_are_paced_per_conversation(fake: FakeWeCom) -> None:
    fake.conversation_limits = ((3, 0.5), (5, 60.0))
    async with aiohttp.ClientSession() as session:
        ws = _client(session, fake, backoff=RetryPolicy(base_delay=0.05, max_delay=0.1),
                     conversation_limits=((3, 0.6), (5, 60.0)), pace_max_wait=2.0)  # a margin, as in production
        task = asyncio.create_task(ws.run())
        try:
            await asyncio.wait_for(ws.connected.wait(), 10)
            for n in range(5):  # the fourth waits for the minute window to move, none is refused
                await ws.send_markdown("wrPACED", f"消息{n}")
            assert fake.over_limit == []
            with pytest.raises(DeliveryError) as info:  # the hour's budget is spent: later, by the outbox
                await ws.send_markdown("wrPACED", "消息5")
            assert info.value.retryable
            await ws.send_markdown("wrOTHER", "别的群不受影响")
            assert fake.over_limit == []
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await ws.close()


async def test_an_over_limit_answer_is_retryable(client: TestClient, fake: FakeWeCom) -> None:
    await asyncio.wait_for(client.app[WS_CLIENT].connected.wait(), 10)
    fake.ws_errors.extend([45009])
    with pytest.raises(DeliveryError) as info:
        await send_routed(client.app, Outbound("wecom", "wrNOHOOK", "简报"))
    assert info.value.retryable
    await send_routed(client.app, Outbound("wecom", "wrNOHOOK", "简报"))  # the outbox's next try
    assert fake.sent_frames("aibot_send_msg")[-1]["body"]["markdown"]["content"] == "简报"
