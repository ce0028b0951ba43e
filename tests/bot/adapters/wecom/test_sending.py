"""Sending: group webhooks (split, rate limit, errcodes), the sender's routing, app messages."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from PIL import Image
from sqlalchemy import select

from bot.adapters.sending import RetryPolicy
from bot.adapters.wecom.api import AppMessenger, PartialSend, TransportError, WebhookClient, WebhookKeyInvalid
from bot.adapters.wecom.sender import WeComSender
from bot.keys import RUNTIME
from handlers.messages import Attachment, AttachmentNotSupported, DeliveryError, Outbound, Route
from storage.models import Chat
from tests.bot.adapters.wecom.conftest import ADMIN, GROUP, GROUP_KEY
from tests.bot.adapters.delivery import send_routed, send_through_sender
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


async def test_a_request_that_times_out_is_left_to_the_outbox_not_posted_again(fake: FakeWeCom) -> None:
    # The webhook has no idempotency key: WeCom may have shown a post whose answer never came, so
    # it is not posted again inside this attempt (that multiplied posts); the outbox retries later.
    url = fake.webhook_url("slow")
    fake.webhook_delays.extend([0.6])
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, timeout=0.2)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(PartialSend) as info:
            await WebhookClient(session, fake.base_url, policy=policy).send_markdown(url, "简报", label="wrS")
    assert info.value.retryable
    await asyncio.sleep(0.8)  # the platform finishes the slow request it did receive
    assert [b["markdown"]["content"] for _, b in fake.webhook_posts] == ["简报"]


async def test_a_post_the_platform_answered_busy_is_retried_at_once(fake: FakeWeCom) -> None:
    url = fake.webhook_url("wrC")
    fake.webhook_errors["wrC"].extend([-1])  # WeCom "busy": it did not take the post
    async with aiohttp.ClientSession() as session:
        await WebhookClient(session, fake.base_url, policy=FAST).send_markdown(url, "简报", label="wrC")
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


def _png(size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "#2e86c1").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_picture_goes_to_the_group_as_an_image_message(client: TestClient, fake: FakeWeCom) -> None:
    data = _png()
    picture = Outbound("wecom", GROUP, "进度图无法显示时的说明", attachment=Attachment("image", "每日简报.png", data))
    await send_through_sender(client.app, picture)
    [(key, body)] = fake.webhook_posts
    assert key == GROUP_KEY and body["msgtype"] == "image"
    assert base64.b64decode(body["image"]["base64"]) == data
    assert body["image"]["md5"] == hashlib.md5(data).hexdigest()


async def test_the_fake_refuses_an_image_with_a_wrong_md5(fake: FakeWeCom) -> None:
    url = fake.webhook_url("md5-key")
    async with aiohttp.ClientSession() as session:
        # the real client always computes the md5: post a wrong one by hand
        async with session.post(url, json={"msgtype": "image", "image": {"base64": "iVBORw0KGgo=", "md5": "0" * 32}}) as r:
            answer = await r.json()
    assert answer["errcode"] != 0 and fake.webhook_posts == []


async def test_an_oversized_or_unroutable_picture_is_not_supported(client: TestClient, fake: FakeWeCom) -> None:
    big = Attachment("image", "大图.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024))
    with pytest.raises(AttachmentNotSupported):
        await send_through_sender(client.app, Outbound("wecom", GROUP, "说明", attachment=big))
    with pytest.raises(AttachmentNotSupported):
        await send_through_sender(client.app, Outbound("wecom", "wrNOHOOK", "说明", attachment=Attachment("image", "图.png", _png())))
    assert fake.webhook_posts == []


async def test_through_the_outbox_a_picture_the_route_cannot_carry_becomes_its_text(
    client: TestClient, fake: FakeWeCom
) -> None:
    big = Attachment("image", "大图.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024))
    await send_routed(client.app, Outbound("wecom", GROUP, "进度图太大，请到看板查看", attachment=big))
    [(key, body)] = fake.webhook_posts
    assert key == GROUP_KEY and body["msgtype"] == "markdown"
    assert body["markdown"]["content"] == "进度图太大，请到看板查看"


async def test_a_file_is_uploaded_then_sent_as_a_file_message_only_through_the_push_webhook(
    client: TestClient, fake: FakeWeCom
) -> None:
    data = b"PK\x03\x04" + b"x" * 200
    await send_through_sender(client.app, Outbound("wecom", GROUP, "说明", attachment=Attachment("file", "台账.xlsx", data)))
    (media_id, (key, filename, uploaded)), = fake.uploads.items()
    assert key == GROUP_KEY and filename == "台账.xlsx" and uploaded == data
    assert fake.webhook_posts == [(GROUP_KEY, {"msgtype": "file", "file": {"media_id": media_id}})]
    with pytest.raises(AttachmentNotSupported):
        await send_through_sender(client.app, Outbound("wecom", "wrNOHOOK", "说明", attachment=Attachment("file", "台账.xlsx", data)))
    assert len(fake.uploads) == 1


async def test_a_group_webhook_mentions_by_user_id(client: TestClient, fake: FakeWeCom) -> None:
    await send_routed(client.app, Outbound("wecom", GROUP, "订单123 焊接逾期 @李四", ("lisi",)))
    [(key, body)] = fake.webhook_posts
    assert key == GROUP_KEY and body["markdown"]["content"] == "订单123 焊接逾期 @李四\n<@lisi>"


async def test_a_stream_reply_names_people_and_never_writes_user_ids(fake: FakeWeCom) -> None:
    from datetime import datetime, timezone

    from bot.adapters.wecom.inbound import MessageHandling
    from handlers.messages import Reply
    from tests.bot.adapters.wecom.fake_wecom import group_text

    class NoIntake:
        async def accept(self, message, channel=None, *, carries_reply=True):  # pragma: no cover - not reached
            raise AssertionError

    handling = MessageHandling(lambda: NoIntake(), ("跟单助手",))
    incoming = handling.incoming(group_text("@跟单助手 订单123", msgid="m1"), datetime.now(timezone.utc))
    reply = Reply("订单123 请 @李四 确认", mention_user_ids=("lisi",))
    assert await handling.answer_text(incoming.message, reply) == "订单123 请 @李四 确认"
