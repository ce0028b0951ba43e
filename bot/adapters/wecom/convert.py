"""Decrypted 智能机器人 payloads (the same JSON in callback and websocket mode) ⇄ internal messages."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from handlers.messages import InboundMessage

PLATFORM = "wecom"

# WeCom puts a narrow no-break space (U+2005) or a plain space after a mention.
_MENTION_GAP = "[\\s\u2005\u00a0]*"

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


def parse_payload(plaintext: str | bytes) -> dict[str, Any]:
    try:
        payload = json.loads(plaintext)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("payload is not JSON") from None
    if not isinstance(payload, dict):
        raise PayloadError("payload is not a JSON object")
    return payload


def strip_mentions(text: str, names: tuple[str, ...]) -> str:
    """Remove "@name" for each of `names` wherever it stands, then tidy the whitespace."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = re.sub("@" + re.escape(name) + _MENTION_GAP, " ", text)
    return re.sub("[ \t\u2005\u00a0]+", " ", text).strip()


def _text_of(item: dict[str, Any]) -> str:
    """The text carried by a text, mixed or voice part; "" for anything else."""
    msgtype = item.get("msgtype")
    if msgtype == "text":
        return str((item.get("text") or {}).get("content") or "")
    if msgtype == "voice":
        return str((item.get("voice") or {}).get("content") or "")
    if msgtype == "mixed":
        parts = (item.get("mixed") or {}).get("msg_item") or []
        return "\n".join(t for t in (_text_of(p) for p in parts if isinstance(p, dict)) if t)
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
    sender = (payload.get("from") or {}).get("userid") if isinstance(payload.get("from"), dict) else None
    if msgtype in (None, "event", "stream"):
        return Incoming()
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

    text = strip_mentions(_text_of(payload), bot_names)
    quote = payload.get("quote")
    if isinstance(quote, dict) and text and not _ORDER_NO.search(text):
        quoted_orders = set(_ORDER_NO.findall(_text_of(quote)))
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


def stream_reply(content: str, stream_id: str | None = None) -> str:
    """The plaintext of a finished passive reply: one `stream` message, markdown content."""
    body = {
        "msgtype": "stream",
        "stream": {"id": stream_id or secrets.token_hex(8), "finish": True, "content": fit_bytes(content, 20480)},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def markdown_body(content: str, limit: int = 20480) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": fit_bytes(content, limit)}}


def fit_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes at a line end (or a character when one line is longer)."""
    if len(text.encode()) <= limit:
        return text
    marker = "\n……"
    budget = limit - len(marker.encode())
    kept = text.encode()[:budget].decode(errors="ignore")
    if "\n" in kept:
        kept = kept[: kept.rindex("\n")]
    return kept + marker
