"""Payload → internal message: text, mixed, quote, mentions anywhere, attachments acknowledged."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.adapters.wecom.inbound import (
    FILE_ACK,
    IMAGE_ACK,
    PayloadError,
    to_incoming,
)
from handlers.dispatcher import strip_mentions

NAMES = ("跟单助手",)
AT = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


def incoming(payload: dict):
    return to_incoming(payload, bot_names=NAMES, received_at=AT)


def as_read(message) -> str:
    """The text as the dispatcher reads it: mentions are stripped there, in one place."""
    return strip_mentions(message.text, message.mentions, "")


def group(msgtype: str, body: dict, **extra) -> dict:
    return {"msgid": "m1", "aibotid": "B", "chatid": "wrTEST", "chattype": "group", "from": {"userid": "zhangsan"},
            "response_url": "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=X",
            "msgtype": msgtype, msgtype: body, **extra}


@pytest.mark.parametrize("text", ["@跟单助手 订单123 焊接完成", "订单123 焊接完成@跟单助手 ", "订单123@跟单助手\u2005焊接完成"])
def test_mention_is_stripped_wherever_it_stands(text: str) -> None:
    message = incoming(group("text", {"content": text})).message
    assert strip_mentions(message.text, message.mentions, "").replace(" ", "") == "订单123焊接完成"
    assert (message.platform, message.chat_id, message.sender_id, message.message_id) == ("wecom", "wrTEST", "zhangsan", "m1")
    assert message.is_group and message.sent_at == AT


def test_other_mentions_stay() -> None:
    assert strip_mentions("@跟单助手 @李四 看一下123", NAMES, "") == "@李四 看一下123"


def test_mixed_message_joins_its_text_parts() -> None:
    body = {"msg_item": [{"msgtype": "text", "text": {"content": "@跟单助手 订单123"}},
                         {"msgtype": "image", "image": {"url": "https://x/y"}},
                         {"msgtype": "text", "text": {"content": "焊接完成"}}]}
    assert as_read(incoming(group("mixed", body)).message) == "订单123\n焊接完成"


def _quoting(own: str, quoted: str) -> str:
    payload = group("text", {"content": own}, quote={"msgtype": "text", "text": {"content": quoted}})
    return as_read(incoming(payload).message)


def test_a_quote_supplies_the_order_when_the_sender_names_none() -> None:
    assert _quoting("@跟单助手 焊接完成", "订单123 今天能焊完吗") == "订单123 焊接完成"


def test_a_quote_is_not_read_as_news() -> None:
    assert _quoting("@跟单助手 订单124 焊接完成", "订单123 焊接完成") == "订单124 焊接完成"
    assert _quoting("@跟单助手 焊接完成", "123和124 焊接") == "焊接完成"  # ambiguous: no order carried


def test_single_chat_uses_the_sender_as_chat() -> None:
    payload = {"msgid": "m2", "chattype": "single", "from": {"userid": "lisi"}, "msgtype": "text", "text": {"content": "进度 123"}}
    message = incoming(payload).message
    assert (message.chat_id, message.is_group) == ("lisi", False)


@pytest.mark.parametrize("msgtype, ack", [("image", IMAGE_ACK), ("file", FILE_ACK)])
def test_attachments_in_single_chat_are_acknowledged(msgtype: str, ack: str) -> None:
    payload = {"msgid": "m3", "chattype": "single", "from": {"userid": "lisi"}, "msgtype": msgtype, msgtype: {"url": "https://x"}}
    result = incoming(payload)
    assert result.message is None and result.ack == ack


def test_events_and_stream_refreshes_need_no_answer() -> None:
    assert incoming({"msgtype": "event", "event": {"eventtype": "enter_chat"}}) == incoming({"msgtype": "stream", "stream": {"id": "s"}})
    assert incoming({"msgtype": "event"}).message is None


@pytest.mark.parametrize("payload", [{"msgtype": "text"}, group("text", {"content": "x"}, chatid=None), {**group("text", {"content": "x"}), "from": "zhangsan"}])
def test_unreadable_messages_are_refused(payload: dict) -> None:
    with pytest.raises(PayloadError):
        incoming(payload)
