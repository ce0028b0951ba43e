"""Known-answer tests of the callback crypto, and the fake's independent AES against the same vectors."""

from __future__ import annotations

import json
import re

import pytest

from bot.adapters.wecom.crypto import (
    CallbackRejected,
    ReplayGuard,
    WeComCrypto,
    signature,
)
from tests.bot.adapters.wecom.fake_wecom import AesCodec
from tests.bot.adapters.wecom.vectors import AIBOT, OFFICIAL, WECHATPY


def _crypto(vectors: dict, receive_id: str = "", prefix: str | None = None) -> WeComCrypto:
    kwargs = {"random_prefix": lambda: prefix} if prefix else {}
    return WeComCrypto(vectors["token"], vectors["encoding_aes_key"], receive_id, **kwargs)


@pytest.mark.parametrize("vectors, receive_id", [(WECHATPY, WECHATPY["corp_id"]), (OFFICIAL, OFFICIAL["corp_id"]), (AIBOT, "")])
def test_url_verification_vectors(vectors: dict, receive_id: str) -> None:
    v = vectors["verify"]
    crypto = _crypto(vectors, receive_id)
    crypto.verify(v["msg_signature"], v["timestamp"], v["nonce"], v["echostr"])
    expected = v.get("plaintext") or v.get("expected_plaintext")
    assert crypto.decrypt(v["echostr"]) == expected


def test_wrong_nonce_fails_the_signature() -> None:
    v = WECHATPY["verify"]
    with pytest.raises(CallbackRejected) as info:
        _crypto(WECHATPY, WECHATPY["corp_id"]).verify(v["msg_signature"], v["timestamp"], v["wrong_nonce"], v["echostr"])
    assert info.value.status == 403


@pytest.mark.parametrize("vectors, encrypted_key", [(WECHATPY, None), (OFFICIAL, "Encrypt")])
def test_decrypt_vectors(vectors: dict, encrypted_key: str | None) -> None:
    v = vectors["decrypt"]
    encrypted = v[encrypted_key] if encrypted_key else re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", v["post_body"]).group(1)
    crypto = _crypto(vectors, vectors["corp_id"])
    crypto.verify(v["msg_signature"], v["timestamp"], v["nonce"], encrypted)
    assert crypto.decrypt(encrypted) == v["plaintext"]
    # The fake's independent implementation agrees.
    assert AesCodec(vectors["encoding_aes_key"], vectors["corp_id"]).decrypt(encrypted) == (v["plaintext"], vectors["corp_id"])


def test_encrypt_vector_with_fixed_prefix() -> None:
    v = WECHATPY["encrypt"]
    crypto = _crypto(WECHATPY, WECHATPY["corp_id"], prefix=v["random_prefix"])
    encrypted = crypto.encrypt(v["plaintext"])
    assert encrypted == v["encrypt"]
    assert signature(WECHATPY["token"], v["timestamp"], v["nonce"], encrypted) == v["msg_signature"]
    codec = AesCodec(WECHATPY["encoding_aes_key"], WECHATPY["corp_id"])
    assert codec.encrypt(v["plaintext"], v["random_prefix"].encode()) == v["encrypt"]


def test_aibot_callback_vector_decrypts_to_the_group_message() -> None:
    v = AIBOT["callback"]
    crypto = _crypto(AIBOT)
    crypto.verify(v["msg_signature"], v["timestamp"], v["nonce"], v["post_body"]["encrypt"])
    payload = json.loads(crypto.decrypt(v["post_body"]["encrypt"]))
    assert payload == json.loads(v["expected_plaintext"])
    assert payload["text"]["content"] == "@机器人 订单123 焊接完成"


def test_aibot_passive_reply_vector() -> None:
    v = AIBOT["passive_reply"]
    crypto = _crypto(AIBOT, prefix=AIBOT["random_prefix"])
    body = crypto.reply_envelope(v["plaintext"], v["response_body"]["nonce"], v["response_body"]["timestamp"])
    assert body == v["response_body"]


def test_foreign_receive_id_is_refused() -> None:
    v = OFFICIAL["decrypt"]
    with pytest.raises(CallbackRejected) as info:
        _crypto(OFFICIAL, "").decrypt(v["Encrypt"])
    assert (info.value.status, info.value.reason) == (400, "wrong receive id")


@pytest.mark.parametrize("garbage", ["not base64!!", "QUJD", "A" * 44, "////" * 8])
def test_malformed_ciphertext_is_a_400(garbage: str) -> None:
    with pytest.raises(CallbackRejected) as info:
        _crypto(AIBOT).decrypt(garbage)
    assert info.value.status == 400


def test_replay_guard_window_and_nonce() -> None:
    now = 1_700_000_000.0
    guard = ReplayGuard(clock=lambda: now)
    guard.check_time(str(int(now) - 300))
    for stale in (int(now) - 301, int(now) + 301):
        with pytest.raises(CallbackRejected):
            guard.check_time(str(stale))
    with pytest.raises(CallbackRejected) as info:
        guard.check_time("yesterday")
    assert info.value.status == 400
    assert guard.remember("1", "n1", "body") is False
    assert guard.remember("1", "n2", "body") is False
    assert guard.remember("1", "n1", "body") is True  # the identical request again: a redelivery
    with pytest.raises(CallbackRejected):
        guard.remember("1", "n1", "another body")


def test_replay_guard_forgets_after_two_hours_and_stays_bounded() -> None:
    clock = [0.0]
    guard = ReplayGuard(max_entries=3, clock=lambda: clock[0])
    guard.remember("1", "a", "x")
    clock[0] = 7201
    assert guard.remember("1", "a", "y") is False  # forgotten after the nonce's two-hour uniqueness period
    for n in "bcde":
        guard.remember("2", n, "x")
    assert len(guard._seen) <= 3
