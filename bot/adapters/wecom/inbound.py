"""Decrypted 智能机器人 payloads (the same JSON in callback and websocket mode) as internal
messages, and the one handler path both transports feed: payload → dispatcher → the text to answer.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from bot.adapters.wecom import PLATFORM
from bot.attachments import SendAttachment, with_note
from handlers.dispatcher import strip_mentions
from handlers.intake import ReplyChannel, Ticket
from handlers.messages import InboundMessage, Reply

log = logging.getLogger(__name__)

IMAGE_ACK = "收到图片。图片不会自动记录，请用文字说明进度，例如：订单123 焊接完成"
FILE_ACK = "收到文件。文件不会自动记录，请用文字说明进度，例如：订单123 焊接完成"
VOICE_HINT = "收到语音，已按文字处理。"


_ORDER_NO = re.compile(r"(?<![0-9A-Za-z])([0-9]{3,}(?:-[0-9]{1,3})?)(?![0-9])")
"""A loose order-number shape (3+ digits), only to carry an order over from a quoted message."""


class PayloadError(ValueError):
    """The decrypted payload is not a message we can read."""


@dataclass(frozen=True)
class Incoming:
    """What a payload asks of us: a message for the dispatcher, a fixed answer, or nothing."""

    message: InboundMessage | None = None
    ack: str | None = None
    """An answer given without the dispatcher (attachments we acknowledge but do not record)."""
    response_url: str | None = None

    def channel(self, received_at: datetime) -> ReplyChannel | None:
        """The response_url as a reply channel: usable once, for one hour."""
        if not self.response_url:
            return None
        return ReplyChannel(RESPONSE_URL, self.response_url, received_at + RESPONSE_URL_LIFETIME)


RESPONSE_URL = "response_url"
RESPONSE_URL_LIFETIME = timedelta(hours=1)


def parse_payload(plaintext: str | bytes) -> dict[str, Any]:
    try:
        payload = json.loads(plaintext)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("payload is not JSON") from None
    if not isinstance(payload, dict):
        raise PayloadError("payload is not a JSON object")
    return payload


def _object(item: dict[str, Any], name: str) -> dict[str, Any]:
    """`item[name]`, which must be a JSON object when present ({} when absent)."""
    value = item.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{name} is not a JSON object")
    return value


def _content(item: dict[str, Any], name: str) -> str:
    value = _object(item, name).get("content")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{name}.content is not a string")
    return value


def _text_of(item: dict[str, Any]) -> str:
    """The text carried by a text, mixed or voice part; "" for anything else. A part of the wrong
    shape (a string where an object belongs, a number for a text) raises PayloadError."""
    msgtype = item.get("msgtype")
    if msgtype in ("text", "voice"):
        return _content(item, msgtype)
    if msgtype == "mixed":
        parts = _object(item, "mixed").get("msg_item") or []
        if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
            raise PayloadError("mixed.msg_item is not a list of objects")
        return "\n".join(t for t in (_text_of(p) for p in parts) if t)
    return ""


def to_incoming(payload: dict[str, Any], *, bot_names: tuple[str, ...], received_at: datetime) -> Incoming:
    """Turn one decrypted payload into what the adapter does with it.

    A quote (引用) is context, not news (quoted blocks are not parsed as progress): when the
    sender's own words name no order and the quote names exactly one, that order is put in front,
    so "焊接完成" quoting "订单123 今天能焊完吗" reads "订单123 焊接完成". Events and stream
    refreshes give an empty `Incoming`.
    """
    msgtype = payload.get("msgtype")
    msgid = payload.get("msgid")
    if msgtype in (None, "event", "stream"):
        return Incoming()
    sender = _object(payload, "from").get("userid")
    if not isinstance(msgid, str) or not msgid or not isinstance(sender, str) or not sender:
        raise PayloadError("message without msgid or sender")
    is_group = payload.get("chattype") == "group"
    chat_id = payload.get("chatid") if is_group else sender
    if not isinstance(chat_id, str) or not chat_id:
        raise PayloadError("group message without chatid")
    response_url = payload.get("response_url") if isinstance(payload.get("response_url"), str) else None

    if msgtype == "image":
        return Incoming(ack=IMAGE_ACK, response_url=response_url)
    if msgtype == "file":
        return Incoming(ack=FILE_ACK, response_url=response_url)
    if msgtype not in ("text", "mixed", "voice"):
        return Incoming()

    text = _text_of(payload)
    own_words = strip_mentions(text, bot_names, "")  # the dispatcher strips them from the text
    quote = _object(payload, "quote")
    quoted_text = _text_of(quote)  # read (and its shape checked) whether or not it is used
    if quote and own_words and not _ORDER_NO.search(own_words):
        quoted_orders = set(_ORDER_NO.findall(quoted_text))
        if len(quoted_orders) == 1:
            text = f"订单{quoted_orders.pop()} {text}"
    message = InboundMessage(
        platform=PLATFORM,
        chat_id=chat_id,
        sender_id=sender,
        text=text,
        message_id=msgid,
        sent_at=received_at.astimezone(timezone.utc),
        mentions=tuple(n for n in bot_names if n),
        is_group=is_group,
    )
    return Incoming(message=message, response_url=response_url)


class Accepting(Protocol):
    async def accept(
        self, message: InboundMessage, channel: ReplyChannel | None = None, *, carries_reply: bool = True
    ) -> Ticket: ...


class MessageHandling:
    """The one path both transports share: decrypted payload → intake (stored before the platform
    hears "received") → the text to answer in the response, when it is ready in time."""

    def __init__(
        self,
        intake: Callable[[], Accepting],
        bot_names: tuple[str, ...],
        send_attachment: SendAttachment | None = None,
    ) -> None:
        self._intake = intake
        self.bot_names = bot_names
        self.send_attachment = send_attachment
        """Sends a reply's picture or file to its chat (see `bot.attachments`)."""

    def incoming(self, payload: dict, received_at: datetime) -> Incoming:
        return to_incoming(payload, bot_names=self.bot_names, received_at=received_at)

    async def accept(self, incoming: Incoming, channel: ReplyChannel | None, *, waits: bool = True) -> Ticket:
        """Store the message durably; raises `NotAccepted` when it was not (do not acknowledge).
        `waits=False`: the transport will not wait for the reply (it goes through the channel)."""
        assert incoming.message is not None
        return await self._intake().accept(incoming.message, channel, carries_reply=waits)

    async def answer_text(self, message: InboundMessage, reply: Reply | None) -> str | None:
        """The markdown to answer `message` with, or None for nothing to say now.

        A stream reply is AI-bot markdown, where <@userid> shows as literal text and notifies
        nobody: the reply's text names people, and their ids are not written. A reply's picture or
        file goes to the chat first; the answer says so where it could not."""
        if reply is None:
            return None
        if reply.duplicate:
            log.info("%s message %s delivered again, answered from the record", PLATFORM, message.message_id)
        note = await self.send_attachment(message, reply) if self.send_attachment is not None else ""
        return with_note(reply.text, note) or None
