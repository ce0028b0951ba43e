"""Robot messages as InboundMessage, and callback signature checks."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.dingtalk.api import callback_signature
from bot.adapters.dingtalk.callback import verify_callback
from bot.adapters.dingtalk.inbound import mentions_in, parse_chatbot_message, to_inbound
from handlers.dispatcher import strip_mentions
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk


def test_group_message_becomes_an_inbound_message() -> None:
    fake = FakeDingTalk()
    data = fake.robot_message("@李四 订单123 焊接完成", msg_id="msgA", staff_id="u9", nick="王五")
    data["createAt"] = 1690362101894
    inbound = to_inbound(parse_chatbot_message(data), data["text"]["content"])
    assert inbound.platform == "dingtalk"
    assert strip_mentions(inbound.text, inbound.mentions, "") == "订单123 焊接完成"  # as the dispatcher reads it
    assert inbound.mentions == ("李四",)
    assert inbound.chat_id == "cidGroupA==" and inbound.chat_name == "焊接车间群" and inbound.is_group
    assert inbound.sender_id == "u9" and inbound.sender_name == "王五"
    assert inbound.message_id == "msgA"
    assert inbound.sent_at == datetime.fromtimestamp(1690362101.894, tz=UTC)


def test_single_chat_has_no_group_name() -> None:
    data = FakeDingTalk().robot_message("进度", conversation_type="1")
    inbound = to_inbound(parse_chatbot_message(data), data["text"]["content"])
    assert not inbound.is_group and inbound.chat_name == ""


def test_mentions_are_stripped_but_emails_kept() -> None:
    def stripped(text: str) -> tuple[str, tuple[str, ...]]:
        return strip_mentions(text, mentions_in(text), ""), mentions_in(text)

    assert stripped(" @跟单助手 123 涂装80%") == ("123 涂装80%", ("跟单助手",))
    assert stripped("发给 a@b.com") == ("发给 a@b.com", ())


def test_verify_callback() -> None:
    now = 1_700_000_000_000
    ts = str(now - 1000)
    good = callback_signature(ts, "s3cret")
    assert verify_callback(ts, good, "s3cret", now_ms=now)
    assert not verify_callback(ts, good, "other", now_ms=now)
    assert not verify_callback(ts, good, "s3cret", now_ms=now + 3_600_001)
    assert not verify_callback(None, good, "s3cret", now_ms=now)
    assert not verify_callback(ts, "签名", "s3cret", now_ms=now)
    assert not verify_callback(ts, good, "", now_ms=now)
