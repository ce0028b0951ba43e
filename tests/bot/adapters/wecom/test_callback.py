"""Callback mode end to end: the real app, the real dispatcher and database, the fake WeCom."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from tests.bot.adapters.wecom.conftest import GROUP_KEY
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, group_text
from tests.bot.adapters.wecom.helpers import (
    PATH,
    counts,
    deliver,
    milestone_status,
    say,
)


async def create_order(client: TestClient, fake: FakeWeCom) -> None:
    content = await say(client, fake, "@跟单助手 新建订单 123 华东机械 搅拌机 50台 2026-12-20", "create-123")
    assert "123" in content


async def test_url_verification_answers_the_plaintext(client: TestClient, fake: FakeWeCom) -> None:
    params = fake.sign_echo("1616140317555161061")
    response = await client.get(PATH, params=params)
    assert response.status == 200
    assert await response.text() == "1616140317555161061"


async def test_group_progress_is_recorded_once_when_delivered_twice(client: TestClient, fake: FakeWeCom) -> None:
    await create_order(client, fake)
    before = await counts(client)
    first = await say(client, fake, "@跟单助手 订单123 焊接完成", "msg-weld-1")
    assert "焊接" in first
    assert await milestone_status(client, "123", "焊接") == "done"
    after_first = await counts(client)
    assert after_first["processed"] == before["processed"] + 1
    assert after_first["events"] > before["events"]

    second = await say(client, fake, "@跟单助手 订单123 焊接完成", "msg-weld-1")
    assert second == first  # answered from the record
    assert await counts(client) == after_first


async def test_mention_in_the_middle_and_a_quote(client: TestClient, fake: FakeWeCom) -> None:
    await create_order(client, fake)
    payload = group_text("焊接完成@跟单助手 ", msgid="msg-quote")
    payload["quote"] = {"msgtype": "text", "text": {"content": "订单123 今天能焊完吗？"}}
    status, reply = await deliver(client, fake, payload)
    assert status == 200 and reply is not None
    assert await milestone_status(client, "123", "焊接") == "done"


async def test_image_in_single_chat_is_acknowledged(client: TestClient, fake: FakeWeCom) -> None:
    payload = {"msgid": "img-1", "chattype": "single", "from": {"userid": "lisi"}, "msgtype": "image",
               "image": {"url": "https://example.invalid/img"}}
    status, reply = await deliver(client, fake, payload)
    assert status == 200 and "收到图片" in reply["stream"]["content"]


async def test_event_gets_an_empty_answer(client: TestClient, fake: FakeWeCom) -> None:
    status, reply = await deliver(client, fake, {"msgtype": "event", "create_time": 1, "from": {"userid": "lisi"},
                                                 "event": {"eventtype": "enter_chat"}})
    assert (status, reply) == (200, None)


async def test_slow_answers_go_through_response_url(aiohttp_client, settings_data: dict, fake: FakeWeCom) -> None:
    from bot.app import create_app
    from bot.config import parse_settings

    settings_data["wecom"]["reply_within_seconds"] = 0
    client = await aiohttp_client(create_app(parse_settings(settings_data, environ={})))
    code = "late-code-1"
    payload = group_text("@跟单助手 帮助", msgid="late-1", response_url=fake.response_url(code))
    status, reply = await deliver(client, fake, payload)
    assert (status, reply) == (200, None)
    for _ in range(200):
        if fake.responses:
            break
        await asyncio.sleep(0.02)
    assert [c for c, _ in fake.responses] == [code]
    body = fake.responses[0][1]
    assert body["msgtype"] == "markdown" and "跟单助手" in body["markdown"]["content"]


async def test_without_response_url_a_slow_answer_goes_to_the_group(
    aiohttp_client, settings_data: dict, fake: FakeWeCom
) -> None:
    from bot.app import create_app
    from bot.config import parse_settings

    settings_data["wecom"]["reply_within_seconds"] = 0
    settings_data["schedule"] = {"outbox_poll_seconds": 1}
    client = await aiohttp_client(create_app(parse_settings(settings_data, environ={})))
    status, reply = await deliver(client, fake, group_text("@跟单助手 帮助", msgid="no-url"))
    assert (status, reply) == (200, None)  # stored and acknowledged; the answer follows
    for _ in range(300):
        if fake.webhook_posts:
            break
        await asyncio.sleep(0.02)
    assert [key for key, _ in fake.webhook_posts] == [GROUP_KEY]
    assert "跟单助手" in fake.webhook_posts[0][1]["markdown"]["content"]
    assert fake.responses == []
