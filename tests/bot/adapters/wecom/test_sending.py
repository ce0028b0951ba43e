"""Sending: group webhooks (split, rate limit, errcodes), the sender's routing, app messages."""

from __future__ import annotations

import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.adapters.sending import RetryPolicy
from bot.adapters.wecom.api import AppMessenger, PartialSend, TransportError, WebhookClient, WebhookKeyInvalid
from bot.adapters.wecom.sender import WeComSender
from bot.keys import RUNTIME, SENDERS
from handlers.messages import DeliveryError, Outbound, Route
from storage.models import Chat
from tests.bot.adapters.wecom.conftest import ADMIN, GROUP, GROUP_KEY
from tests.bot.adapters.delivery import send_routed
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


def digest(lines: int) -> str:
    rows = [f"- 订单{n:04d} 焊接车间 焊接 进行中，计划 12 月 {n % 28 + 1} 日完成" for n in range(lines)]
    return "**今日简报**\n" + "\n".join(rows)


async def chat_row(client: TestClient, chat_id: str = GROUP) -> Chat:
    async with client.app[RUNTIME].database.transaction() as session:
        return await session.scalar(select(Chat).where(Chat.platform == "wecom", Chat.chat_id == chat_id))


async def test_digest_to_a_bound_group_arrives_within_the_byte_limit(client: TestClient, fake: FakeWeCom) -> None:
    text = digest(300)
    assert len(text.encode()) > 3 * 4096
    await send_routed(client.app, Outbound("wecom", GROUP, text))
    posts = [body for key, body in fake.webhook_posts if key == GROUP_KEY]
    assert len(posts) >= 4
    contents = [p["markdown"]["content"] for p in posts]
    assert all(p["msgtype"] == "markdown" for p in posts)
    assert all(len(c.encode()) <= 4096 for c in contents)
    assert "\n".join(contents) == text  # every line whole, in order, none lost


async def test_rate_limit_of_the_webhook_is_kept(fake: FakeWeCom) -> None:
    url = fake.webhook_url("limited")
    async with aiohttp.ClientSession() as session:
        client = WebhookClient(session, fake.base_url, per_minute=3, window=0.5, policy=FAST)
        started = time.monotonic()
        for n in range(4):
            await client.send_markdown(url, f"消息{n}", label="wrL")
        elapsed = time.monotonic() - started
    assert [b["markdown"]["content"] for _, b in fake.webhook_posts] == ["消息0", "消息1", "消息2", "消息3"]
    assert elapsed >= 0.5  # the fourth waited for the window to move


async def test_rate_limited_and_busy_answers_are_retried(fake: FakeWeCom, caplog) -> None:
    url = fake.webhook_url("busy-key-0042")
    fake.webhook_errors["busy-key-0042"].extend([45009, -1])
    async with aiohttp.ClientSession() as session:
        await WebhookClient(session, fake.base_url, policy=FAST).send_markdown(url, "简报", label="wrB")
    assert [b["markdown"]["content"] for _, b in fake.webhook_posts] == ["简报"]
    assert "errcode 45009" in caplog.text and "errcode -1" in caplog.text
    assert "busy-key-0042" not in caplog.text


async def test_a_hanging_request_times_out_and_is_retried(fake: FakeWeCom) -> None:
    url = fake.webhook_url("slow")
    fake.webhook_delays.extend([1.0])
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, timeout=0.2)
    async with aiohttp.ClientSession() as session:
        await WebhookClient(session, fake.base_url, policy=policy).send_markdown(url, "简报", label="wrS")
    assert [b["markdown"]["content"] for _, b in fake.webhook_posts] == ["简报"]


async def test_retries_are_bounded(fake: FakeWeCom) -> None:
    url = fake.webhook_url("down")
    fake.webhook_errors["down"].extend([45009] * 10)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(PartialSend) as info:
            await WebhookClient(session, fake.base_url, policy=FAST).send_markdown(url, "简报", label="wrD")
    assert info.value.retryable and info.value.sent_parts == 0
    assert len(fake.webhook_errors["down"]) == 10 - FAST.attempts


async def test_unreachable_wecom_is_a_retryable_failure(fake: FakeWeCom) -> None:
    url = fake.webhook_url("gone")
    await fake.stop()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(PartialSend) as info:
            await WebhookClient(session, fake.base_url, policy=FAST).send_markdown(url, "简报", label="wrG")
    assert info.value.retryable


async def test_webhook_on_another_host_is_refused_without_a_request(fake: FakeWeCom) -> None:
    other = FakeWeCom()
    await other.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = WebhookClient(session, fake.base_url, policy=FAST)
            for url in (other.webhook_url("k"), fake.base_url + "/cgi-bin/aibot/response?key=k",
                        fake.base_url + "/cgi-bin/webhook/send?key="):
                with pytest.raises(WebhookKeyInvalid):
                    await client.send_markdown(url, "简报", label="wrO")
        assert other.webhook_posts == [] and fake.webhook_posts == []
    finally:
        await other.stop()


async def test_a_failed_long_digest_resumes_where_it_stopped(client: TestClient, fake: FakeWeCom) -> None:
    text = digest(200)
    async with aiohttp.ClientSession() as session:
        sender = WeComSender(WebhookClient(session, fake.base_url, policy=FAST))
        message = Outbound("wecom", GROUP, text, route=Route(is_chat=True, webhook_url=fake.webhook_url(GROUP_KEY)))
        fake.webhook_rate_limit = 1  # the fake answers 45009 from the second post in its minute on
        with pytest.raises(DeliveryError) as info:
            await sender.send(message)
        assert info.value.retryable
        delivered = [b["markdown"]["content"] for _, b in fake.webhook_posts]
        assert len(delivered) == 1
        fake.webhook_rate_limit = 1000  # the platform's window has moved on
        await sender.send(message)
    contents = [b["markdown"]["content"] for _, b in fake.webhook_posts]
    assert "\n".join(contents) == text  # no part twice, none lost


async def test_bad_key_marks_the_chat_misconfigured_and_tells_the_admin(client: TestClient, fake: FakeWeCom, caplog) -> None:
    fake.webhook_keys.discard(GROUP_KEY)  # the robot was removed from the group
    with pytest.raises(DeliveryError) as info:
        await send_routed(client.app, Outbound("wecom", GROUP, "简报"))
    assert not info.value.retryable
    chat = await chat_row(client)
    assert chat.misconfigured and "绑定推送" in chat.misconfigured
    assert [m["touser"] for m in fake.app_messages] == [ADMIN]
    assert "焊接车间" in fake.app_messages[0]["markdown"]["content"]
    # refused at once from now on, without posting or telling the admin again
    with pytest.raises(DeliveryError):
        await send_routed(client.app, Outbound("wecom", GROUP, "简报"))
    assert len(fake.app_messages) == 1
    assert GROUP_KEY not in caplog.text and fake.agent_secret not in caplog.text


async def test_message_to_one_person_uses_the_app_and_refetches_an_expired_token(client: TestClient, fake: FakeWeCom) -> None:
    await send_routed(client.app, Outbound("wecom", "lisi", "订单123 焊接已逾期 1 天"))
    await send_routed(client.app, Outbound("wecom", "lisi", "第二条"))
    assert fake.token_fetches == 1  # cached
    fake.expire_tokens()
    await send_routed(client.app, Outbound("wecom", "lisi", "第三条"))
    assert fake.token_fetches == 2
    assert [(m["touser"], m["agentid"], m["markdown"]["content"]) for m in fake.app_messages] == [
        ("lisi", 1000002, "订单123 焊接已逾期 1 天"), ("lisi", 1000002, "第二条"), ("lisi", 1000002, "第三条")]


async def test_a_long_message_to_one_person_is_split_not_cut(client: TestClient, fake: FakeWeCom) -> None:
    text = digest(100)
    assert len(text.encode()) > 2 * 2048
    await send_routed(client.app, Outbound("wecom", "lisi", text))
    contents = [m["markdown"]["content"] for m in fake.app_messages]
    assert len(contents) >= 3 and all(len(c.encode()) <= 2048 for c in contents)
    assert "\n".join(contents) == text  # every line whole, in order, none lost


async def test_app_token_refetched_once_only(fake: FakeWeCom) -> None:
    async with aiohttp.ClientSession() as session:
        app = AppMessenger(session, fake.base_url, fake.corp_id, 1000002, fake.agent_secret, policy=FAST)
        fake.app_errors.extend([40014, 40014])
        with pytest.raises(Exception) as info:
            await app.send_markdown(["lisi"], "x")
        assert getattr(info.value, "errcode", None) == 40014
        assert fake.token_fetches == 2 and fake.app_messages == []


async def test_unknown_chat_without_webhook_in_callback_mode_is_not_retried(client: TestClient) -> None:
    with pytest.raises(DeliveryError) as info:
        await send_routed(client.app, Outbound("wecom", "wrUNBOUND", "简报"))
    assert not info.value.retryable and "绑定推送" in str(info.value)


async def test_transport_error_hides_the_url() -> None:
    async with aiohttp.ClientSession() as session:
        from bot.adapters.wecom.api import call_once

        with pytest.raises(TransportError) as info:
            await call_once(session, "POST", "http://127.0.0.1:9/cgi-bin/webhook/send?key=SECRETKEY", json_body={})
    assert "SECRETKEY" not in str(info.value)
