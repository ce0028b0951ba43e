"""The callback route over a real socket, driven the way WeCom, a streaming proxy and a hostile sender
do: a body in two TCP writes, the identical signed request twice, hostile fields."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, Signed, group_text
from tests.bot.adapters.wecom.helpers import PATH, counts, post_signed
from tests.helpers import raw_http_post


async def post_raw(client: TestClient, signed: Signed, body: bytes | None = None, **kwargs) -> tuple[int, bytes]:
    raw = json.dumps(signed.body).encode() if body is None else body
    return await raw_http_post(client.server.host, client.server.port, f"{PATH}?{urlencode(signed.params)}", raw, **kwargs)


def mixed_with_image(msgid: str) -> dict:
    """A 图文混排 message: text and an image URL, well over one TCP segment once encrypted."""
    return {
        "msgid": msgid, "aibotid": "AIBOTID", "chatid": "wrTEST", "chattype": "group",
        "from": {"userid": "zhangsan"}, "msgtype": "mixed",
        "mixed": {"msg_item": [
            {"msgtype": "text", "text": {"content": "@跟单助手 帮助"}},
            {"msgtype": "image", "image": {"url": "https://wework.qpic.cn/wwpic/" + "a" * 1500}},
        ]},
    }


async def test_a_body_in_two_tcp_segments_is_read_whole(client: TestClient, fake: FakeWeCom) -> None:
    signed = fake.sign_callback(mixed_with_image("two-segments"))
    status, raw = await post_raw(client, signed, pause=0.3)
    assert status == 200, raw
    reply = fake.open_reply(json.loads(raw), signed.params["nonce"])
    assert reply["msgtype"] == "stream" and reply["stream"]["content"]
    assert (await counts(client))["processed"] == 1


async def test_a_body_cut_after_one_byte_is_read_whole(client: TestClient, fake: FakeWeCom) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 帮助", msgid="one-byte"))
    status, _ = await post_raw(client, signed, split_at=1, pause=0.2)
    assert status == 200


async def test_a_body_over_the_cap_in_two_segments_is_413(client: TestClient, fake: FakeWeCom, settings) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 " + "长" * settings.server.max_body_bytes, msgid="huge"))
    status, _ = await post_raw(client, signed)
    assert status == 413


async def test_the_identical_signed_request_again_is_answered_as_a_redelivery(client: TestClient, fake: FakeWeCom) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 新建订单 123 华东机械 搅拌机 50台 2026-12-20", msgid="redelivered"))
    status, first = await post_signed(client, fake, signed)
    assert status == 200 and first is not None
    before = await counts(client)
    status, again = await post_signed(client, fake, signed)  # WeCom got no answer and sends it again
    assert status == 200 and again is not None
    assert again["stream"]["content"] == first["stream"]["content"]
    assert await counts(client) == before


async def test_a_seen_timestamp_and_nonce_with_another_body_stays_refused(client: TestClient, fake: FakeWeCom) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 帮助", msgid="first"))
    assert (await post_signed(client, fake, signed))[0] == 200
    other = fake.sign_callback(group_text("@跟单助手 帮助", msgid="second"),
                               timestamp=int(signed.params["timestamp"]), nonce=signed.params["nonce"])
    before = await counts(client)
    status, _ = await post_signed(client, fake, other)
    assert status == 403
    assert await counts(client) == before


HOSTILE_PAYLOADS = {
    "text_is_a_string": {"msgtype": "text", "text": "订单123 焊接完成"},
    "mixed_is_a_string": {"msgtype": "mixed", "mixed": "x"},
    "msg_item_is_a_string": {"msgtype": "mixed", "mixed": {"msg_item": "x"}},
    "quote_is_a_string": {"msgtype": "text", "text": {"content": "@跟单助手 焊接完成"}, "quote": "订单123"},
    "quote_text_is_a_string": {"msgtype": "text", "text": {"content": "@跟单助手 焊接完成"},
                               "quote": {"msgtype": "text", "text": "订单123"}},
    "content_is_a_number": {"msgtype": "text", "text": {"content": 123}},
    "voice_is_a_list": {"msgtype": "voice", "voice": ["x"]},
    "from_is_a_string": {"msgtype": "text", "text": {"content": "帮助"}, "from": "zhangsan"},
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PAYLOADS))
async def test_a_malformed_but_decryptable_payload_is_a_clean_400(client: TestClient, fake: FakeWeCom, caplog,
                                                                    case: str) -> None:
    payload = {"msgid": f"hostile-{case}", "chatid": "wrTEST", "chattype": "group", "from": {"userid": "zhangsan"}}
    payload.update(HOSTILE_PAYLOADS[case])
    caplog.set_level(logging.INFO)
    signed = fake.sign_callback(payload)
    response = await client.post(PATH, params=signed.params, json=signed.body)
    assert response.status == 400
    assert "not JSON" not in await response.text()  # the payload's shape was refused, not the envelope
    assert "Traceback" not in caplog.text and "Error" not in caplog.text.replace("PayloadError", "")
    assert (await counts(client))["processed"] == 0


@pytest.mark.parametrize("timestamp", ["9" * 400, "1" * 5000, "-1", "１２３", "1e9", " 123"])
async def test_a_hostile_timestamp_is_refused_before_anything_that_can_raise(client: TestClient, fake: FakeWeCom,
                                                                               caplog, timestamp: str) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 帮助", msgid="ts"))
    signed.params["timestamp"] = timestamp
    caplog.set_level(logging.INFO)
    status, _ = await post_raw(client, signed)
    assert status in (400, 403)
    assert "Traceback" not in caplog.text
