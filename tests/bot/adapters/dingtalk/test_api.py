"""DingTalk's outgoing APIs against the fake: token cache, group send, webhooks, error mapping."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from bot.adapters.dingtalk.api import (
    AccessTokenCache,
    DingTalkApi,
    RobotWebhook,
    SessionGone,
    callback_signature,
)
from handlers.messages import DeliveryError
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk


def test_signature_matches_the_published_vector() -> None:
    assert callback_signature("1577262236757", "this is a secret") == "DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA="


async def test_group_send_posts_sample_markdown_with_the_token_header(api: DingTalkApi, fake: FakeDingTalk) -> None:
    key = await api.send_group_markdown("cidGroupA==", "进度汇总", "**订单123** 焊接完成")
    assert key
    [request] = fake.recorded("group_send")
    assert request.headers["x-acs-dingtalk-access-token"] == fake.tokens_issued[0]
    assert request.body["robotCode"] == fake.client_id
    assert request.body["openConversationId"] == "cidGroupA=="
    assert request.body["msgKey"] == "sampleMarkdown"
    assert isinstance(request.body["msgParam"], str)
    assert json.loads(request.body["msgParam"]) == {"title": "进度汇总", "text": "**订单123** 焊接完成"}
    assert "access_token" not in request.query


async def test_token_is_cached_and_refreshed_before_expiry(fake: FakeDingTalk, http: aiohttp.ClientSession) -> None:
    now = [0.0]
    cache = AccessTokenCache(lambda: http, fake.base_url, fake.client_id, fake.client_secret, clock=lambda: now[0])
    first = await cache.get()
    now[0] = 7200 - 301
    assert await cache.get() == first
    now[0] = 7200 - 299  # inside the 300 s margin: replaced before DingTalk would reject it
    second = await cache.get()
    assert second != first
    assert len(fake.recorded("token")) == 2


async def test_rejected_token_is_refreshed_once_and_the_send_goes_through(api: DingTalkApi, fake: FakeDingTalk) -> None:
    await api.send_group_markdown("cidGroupA==", "t", "一")
    fake.revoked_tokens.add(fake.tokens_issued[0])
    await api.send_group_markdown("cidGroupA==", "t", "二")
    assert len(fake.tokens_issued) == 2
    sent = fake.recorded("group_send")
    assert [r.headers["x-acs-dingtalk-access-token"] for r in sent] == [fake.tokens_issued[0]] * 2 + [fake.tokens_issued[1]]


async def test_token_endpoint_failures(api: DingTalkApi, fake: FakeDingTalk) -> None:
    fake.fail("token", 503)
    with pytest.raises(DeliveryError) as info:
        await api.send_group_markdown("cidGroupA==", "t", "x")
    assert info.value.retryable
    fake.fail("token", 400, {"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"})
    with pytest.raises(DeliveryError) as info:
        await api.send_group_markdown("cidGroupA==", "t", "x")
    assert not info.value.retryable
    assert "client_secret" in str(info.value)
    assert not fake.recorded("group_send")


@pytest.mark.parametrize(
    ("status", "body", "retryable"),
    [
        (400, {"code": "invalidParameter.robotCode.notExsit", "message": "robotCode不存在"}, False),
        (400, {"code": "invalid.openConversationId", "message": "群不存在"}, False),
        (400, {"code": "bot.stopped", "message": "stopped"}, False),
        (400, {"code": "Throttling.Api", "message": "too fast"}, True),
        (429, {}, True),
        (500, {"code": "InternalError"}, True),
        (502, {}, True),
    ],
)
async def test_group_send_errors_map_to_retry_or_give_up(
    api: DingTalkApi, fake: FakeDingTalk, status: int, body: dict, retryable: bool, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("group_send", status, body)
    with caplog.at_level(logging.INFO):
        with pytest.raises(DeliveryError) as info:
            await api.send_group_markdown("cidGroupA==", "t", "x")
    assert info.value.retryable is retryable
    line = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert f"HTTP {status}" in line
    if body.get("code"):
        assert body["code"] in line


async def test_group_send_timeout_is_retryable(fake: FakeDingTalk, http: aiohttp.ClientSession) -> None:
    api = DingTalkApi(
        lambda: http,
        api_base=fake.base_url,
        oapi_base=fake.base_url,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        robot_code=fake.client_id,
        timeout=aiohttp.ClientTimeout(total=0.2),
    )
    fake.fail("group_send", 200, {}, delay=1.0)
    with pytest.raises(DeliveryError) as info:
        await api.send_group_markdown("cidGroupA==", "t", "x")
    assert info.value.retryable
    fake.fail("token", 200, {}, delay=1.0)
    api.tokens.invalidate(fake.tokens_issued[0])
    with pytest.raises(DeliveryError) as info:
        await api.send_group_markdown("cidGroupA==", "t", "x")
    assert info.value.retryable


async def test_custom_robot_is_signed_and_sent_to_oapi_base(api: DingTalkApi, fake: FakeDingTalk) -> None:
    fake.robot_secrets["robottoken1"] = "SECabc+/=secret"
    webhook = RobotWebhook.parse("https://oapi.dingtalk.com/robot/send?access_token=robottoken1&secret=SECabc%2B%2F%3Dsecret")
    assert webhook.secret == "SECabc+/=secret"
    for _ in range(5):  # several timestamps: a sign with + or / must survive URL encoding
        await api.send_robot_markdown(webhook, "汇总", "内容", ("user001",))
    request = fake.recorded("robot_send")[0]
    assert request.body["msgtype"] == "markdown"
    assert request.body["markdown"]["text"].endswith("@user001")
    assert request.body["at"]["atUserIds"] == ["user001"]
    assert "secret" not in request.query


async def test_custom_robot_errors(api: DingTalkApi, fake: FakeDingTalk) -> None:
    fake.robot_secrets["robottoken1"] = "SECright"
    wrong = RobotWebhook.parse("https://oapi.dingtalk.com/robot/send?access_token=robottoken1&secret=SECwrong")
    with pytest.raises(DeliveryError) as info:
        await api.send_robot_markdown(wrong, "t", "x")
    assert not info.value.retryable and "加签" in str(info.value)
    fake.fail("robot_send", 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    right = RobotWebhook.parse("https://oapi.dingtalk.com/robot/send?access_token=robottoken1&secret=SECright")
    with pytest.raises(DeliveryError) as info:
        await api.send_robot_markdown(right, "t", "x")
    assert info.value.retryable
    with pytest.raises(DeliveryError) as info:
        RobotWebhook.parse("https://oapi.dingtalk.com/robot/send?secret=SECx")
    assert not info.value.retryable


async def test_expired_session_is_reported_as_gone(api: DingTalkApi, fake: FakeDingTalk) -> None:
    fake.expired_sessions.add("old")
    with pytest.raises(SessionGone):
        await api.send_session_markdown(f"{fake.base_url}/robot/sendBySession?session=old", "t", "x")
    fake.fail("session", 502)
    with pytest.raises(DeliveryError) as info:
        await api.send_session_markdown(f"{fake.base_url}/robot/sendBySession?session=s1", "t", "x")
    assert info.value.retryable and not isinstance(info.value, SessionGone)
