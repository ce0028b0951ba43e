"""DingTalk robot messages (Stream `data` or HTTP callback body) as gendan's `InboundMessage`."""

from __future__ import annotations

import hmac
import re
import time
from datetime import UTC, datetime
from typing import Any

from dingtalk_stream import ChatbotMessage

from bot.adapters.dingtalk.api import callback_signature
from handlers.messages import InboundMessage

PLATFORM = "dingtalk"
GROUP_CONVERSATION = "2"
CALLBACK_MAX_SKEW_MS = 3_600_000
"""DingTalk signs callbacks with a timestamp that must be within one hour of our clock."""

_MENTION = re.compile(r"(?:(?<=\s)|^)@(\S+)")

UNSUPPORTED_TYPE_REPLY = "目前只能识别文字消息。请用文字说明进度，例如：订单123 焊接完成"


def parse_chatbot_message(data: dict[str, Any]) -> ChatbotMessage:
    return ChatbotMessage.from_dict(data)


def message_text(message: ChatbotMessage) -> str | None:
    """The text the user typed, or None for pictures, voice, files and other non-text messages."""
    if message.message_type == "text" and message.text is not None:
        return message.text.content or ""
    if message.message_type == "richText" and message.rich_text_content is not None:
        return "".join(message.get_text_list())
    return None


def strip_mentions(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove the leading space DingTalk leaves after the bot's @ and every `@name` token."""
    mentions = tuple(_MENTION.findall(text))
    stripped = _MENTION.sub("", text)
    return " ".join(stripped.split()), mentions


def to_inbound(message: ChatbotMessage, text: str) -> InboundMessage:
    clean, mentions = strip_mentions(text)
    is_group = message.conversation_type == GROUP_CONVERSATION
    created_ms = message.create_at or int(time.time() * 1000)
    return InboundMessage(
        platform=PLATFORM,
        chat_id=message.conversation_id or "",
        sender_id=message.sender_staff_id or message.sender_id or "",
        text=clean,
        message_id=message.message_id or "",
        sent_at=datetime.fromtimestamp(int(created_ms) / 1000, tz=UTC),
        sender_name=message.sender_nick or "",
        chat_name=(message.conversation_title or "") if is_group else "",
        mentions=mentions,
        is_group=is_group,
    )


def verify_callback(timestamp: str | None, sign: str | None, secret: str, *, now_ms: int | None = None) -> bool:
    """True when the `timestamp` header is within an hour and `sign` is its HMAC under `secret`."""
    if not timestamp or not sign or not secret or not timestamp.isdigit():
        return False
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > CALLBACK_MAX_SKEW_MS:
        return False
    expected = callback_signature(timestamp, secret)
    return hmac.compare_digest(expected.encode("ascii"), sign.encode("utf-8", "replace"))
