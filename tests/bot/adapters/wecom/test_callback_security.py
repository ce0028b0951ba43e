"""Every refused callback: a clear 4xx, a log line without secrets, nothing recorded."""

from __future__ import annotations

import json
import logging
import time

import pytest
from aiohttp.test_utils import TestClient

from bot.adapters.wecom.setup import CALLBACK
from bot.keys import INTAKE
from tests.bot.adapters.wecom.fake_wecom import (
    AesCodec,
    FakeWeCom,
    Signed,
    group_text,
    sign,
)
from tests.bot.adapters.wecom.helpers import PATH, counts, deliver, post_signed, say

WELD = "@跟单助手 订单123 焊接完成"


def resign(fake: FakeWeCom, signed: Signed, encrypted: str) -> Signed:
    """The same callback with another `encrypt` value, correctly signed."""
    params = dict(signed.params)
    params["msg_signature"] = sign(fake.token, params["timestamp"], params["nonce"], encrypted)
    return Signed(params, {"encrypt": encrypted})


async def assert_refused(client: TestClient, status: int, params: dict, data: bytes | str, reason: str,
                         caplog: pytest.LogCaptureFixture) -> None:
    before = await counts(client)
    with caplog.at_level(logging.INFO):
        response = await client.post(PATH, params=params, data=data, headers={"Content-Type": "application/json"})
    assert response.status == status
    assert reason in await response.text()
    assert reason in caplog.text and "wecom callback refused" in caplog.text
    assert await counts(client) == before


def body(signed: Signed) -> str:
    return json.dumps(signed.body)


async def test_forged_signature(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = fake.sign_callback(group_text(WELD, msgid="forged"))
    signed.params["msg_signature"] = "0" * 40
    await assert_refused(client, 403, signed.params, body(signed), "signature mismatch", caplog)


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce"])
async def test_missing_signature_parameters(client: TestClient, fake: FakeWeCom, caplog, missing: str) -> None:
    signed = fake.sign_callback(group_text(WELD, msgid="missing"))
    del signed.params[missing]
    await assert_refused(client, 403, signed.params, body(signed), "missing", caplog)


async def test_signed_with_another_token(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = fake.sign_callback(group_text(WELD, msgid="other-token"))
    signed.params["msg_signature"] = sign("another-token", signed.params["timestamp"], signed.params["nonce"], signed.body["encrypt"])
    await assert_refused(client, 403, signed.params, body(signed), "signature mismatch", caplog)


# A margin beyond the 300 s window, so a slow run cannot drift a future timestamp back inside it.
@pytest.mark.parametrize("skew", [-330, 330, -86400])
async def test_timestamp_outside_the_window(client: TestClient, fake: FakeWeCom, caplog, skew: int) -> None:
    signed = fake.sign_callback(group_text(WELD, msgid=f"stale{skew}"), timestamp=int(time.time()) + skew)
    await assert_refused(client, 403, signed.params, body(signed), "timestamp outside", caplog)


async def test_replayed_timestamp_and_nonce_with_another_body(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 帮助", msgid="replayed"))
    status, reply = await post_signed(client, fake, signed)
    assert status == 200 and reply is not None
    other = fake.sign_callback(group_text(WELD, msgid="replayed-2"), timestamp=int(signed.params["timestamp"]),
                               nonce=signed.params["nonce"])
    await assert_refused(client, 403, other.params, body(other), "replay", caplog)


async def test_malformed_json_body(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = fake.sign_callback(group_text(WELD, msgid="badjson"))
    await assert_refused(client, 400, signed.params, '{"encrypt": ', "not JSON", caplog)


async def test_body_without_encrypt(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = fake.sign_callback(group_text(WELD, msgid="noencrypt"))
    await assert_refused(client, 400, signed.params, '{"Encrypt": "x"}', "no encrypt", caplog)


async def test_signed_but_malformed_base64(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = resign(fake, fake.sign_callback(group_text(WELD, msgid="b64")), "%%%not-base64%%%")
    await assert_refused(client, 400, signed.params, body(signed), "base64", caplog)


async def test_signed_but_plaintext_not_json(client: TestClient, fake: FakeWeCom, caplog) -> None:
    signed = resign(fake, fake.sign_callback(group_text(WELD, msgid="x")), fake.codec.encrypt("<xml>not json</xml>"))
    await assert_refused(client, 400, signed.params, body(signed), "not JSON", caplog)


async def test_wrong_receive_id(client: TestClient, fake: FakeWeCom, caplog) -> None:
    other = AesCodec(fake.encoding_aes_key, receive_id="wwSOMECORP")
    signed = fake.sign_callback(group_text(WELD, msgid="receiveid"), codec=other)
    await assert_refused(client, 400, signed.params, body(signed), "wrong receive id", caplog)


async def test_oversized_body(client: TestClient, fake: FakeWeCom, settings, caplog) -> None:
    signed = fake.sign_callback(group_text("@跟单助手 " + "很长" * settings.server.max_body_bytes, msgid="huge"))
    await assert_refused(client, 413, signed.params, body(signed), "max_body_bytes", caplog)


async def test_url_verification_with_a_forged_signature(client: TestClient, fake: FakeWeCom) -> None:
    params = fake.sign_echo("1616140317555161061")
    params["msg_signature"] = "f" * 40
    response = await client.get(PATH, params=params)
    assert response.status == 403
    assert "1616140317555161061" not in await response.text()


async def test_response_url_on_another_host_is_never_posted(aiohttp_client, settings_data: dict, fake: FakeWeCom, caplog) -> None:
    from bot.app import create_app
    from bot.config import parse_settings

    settings_data["wecom"]["reply_within_seconds"] = 0
    client = await aiohttp_client(create_app(parse_settings(settings_data, environ={})))
    other = FakeWeCom()
    await other.start()
    try:
        payload = group_text("@跟单助手 帮助", msgid="redirect", response_url=other.response_url("stolen"))
        with caplog.at_level(logging.INFO):
            assert await deliver(client, fake, payload) == (200, None)
            await client.app[INTAKE].settled()
        assert other.responses == [] and fake.responses == []
        assert "response_url refused" in caplog.text
    finally:
        await other.stop()


async def test_secrets_never_reach_the_logs(client: TestClient, fake: FakeWeCom, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    code = "secret-response-code"
    await say(client, fake, "@跟单助手 帮助", "log-1")
    signed = fake.sign_callback(group_text(WELD, msgid="log-2", response_url=fake.response_url(code)))
    signed.params["msg_signature"] = "0" * 40
    await post_signed(client, fake, signed)
    text = caplog.text
    for secret in (fake.token, fake.encoding_aes_key, fake.bot_secret, fake.agent_secret, code, signed.body["encrypt"]):
        assert secret not in text


async def test_a_response_url_older_than_an_hour_is_not_retried(client: TestClient, fake: FakeWeCom, caplog) -> None:
    endpoint = client.app[CALLBACK]
    with caplog.at_level(logging.INFO):
        assert not await endpoint.post_response_url(fake.response_url("old", issued_seconds_ago=3601), "迟到的回答")
        assert await endpoint.post_response_url(fake.response_url("fresh"), "回答")
        assert not await endpoint.post_response_url(fake.response_url("fresh"), "第二次")  # once only
    assert [code for code, _ in fake.responses] == ["fresh"]
    assert "late answer not delivered" in caplog.text
