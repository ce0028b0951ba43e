"""DingTalk robot messages (Stream `data` or HTTP callback body) as gendan's `InboundMessage`, and
the one handler path both transports feed: robot message → dispatcher → an answer on its way."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from dingtalk_stream import ChatbotMessage

from bot.adapters.dingtalk import PLATFORM
from bot.adapters.dingtalk.replying import Replier
from handlers.intake import ReplyChannel, Ticket
from handlers.messages import InboundMessage, Reply

log = logging.getLogger(__name__)

GROUP_CONVERSATION = "2"

_MENTION = re.compile(r"(?:(?<=\s)|^)@(\S+)")

UNSUPPORTED_TYPE_REPLY = "目前只能识别文字消息。请用文字说明进度，例如：订单123 焊接完成"

SESSION_WEBHOOK = "session_webhook"
"""The reply channel of a robot message: its sessionWebhook, until sessionWebhookExpiredTime."""


class Accepting(Protocol):
    async def accept(
        self, message: InboundMessage, channel: ReplyChannel | None = None, *, carries_reply: bool = True
    ) -> Ticket: ...


class BadPayload(ValueError):
    """A robot message that cannot be read (not a ChatbotMessage)."""


_STRING_FIELDS = ("msgId", "conversationId", "conversationType", "conversationTitle", "senderId", "senderNick",
                  "senderStaffId", "sessionWebhook", "msgtype", "robotCode", "chatbotUserId")
_EPOCH_MS_FIELDS = ("createAt", "sessionWebhookExpiredTime")
_MAX_EPOCH_MS = 10**14
"""Year 5138: beyond it a number of milliseconds is not a time DingTalk sent."""


def check_shape(data: dict[str, Any]) -> None:
    """BadPayload unless every field gendan reads has the type DingTalk documents: hostile or
    malformed input is refused here, before anything can raise on it deeper in."""
    for name in _STRING_FIELDS:
        if name in data and not isinstance(data[name], str):
            raise BadPayload(f"{name} is not a string")
    for name in _EPOCH_MS_FIELDS:
        value = data.get(name)
        if value is not None and (type(value) is not int or not 0 <= value < _MAX_EPOCH_MS):
            raise BadPayload(f"{name} is not a time in milliseconds")
    if data.get("msgtype") == "text":
        text = data.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("content", ""), str):
            raise BadPayload("text.content is not a string")
    at_users = data.get("atUsers", [])
    if not isinstance(at_users, list) or not all(isinstance(user, dict) for user in at_users):
        raise BadPayload("atUsers is not a list of objects")


def parse_chatbot_message(data: dict[str, Any]) -> ChatbotMessage:
    check_shape(data)
    try:
        return ChatbotMessage.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadPayload(f"not a robot message: {type(exc).__name__}") from None


def message_text(message: ChatbotMessage) -> str | None:
    """The text the user typed, or None for pictures, voice, files and other non-text messages."""
    if message.message_type == "text" and message.text is not None:
        return message.text.content or ""
    if message.message_type == "richText" and message.rich_text_content is not None:
        return "".join(message.get_text_list())
    return None


def mentions_in(text: str) -> tuple[str, ...]:
    """The names of every `@name` token (the bot's own first among them); the dispatcher strips them."""
    return tuple(_MENTION.findall(text))


def to_inbound(message: ChatbotMessage, text: str) -> InboundMessage:
    is_group = message.conversation_type == GROUP_CONVERSATION
    created_ms = message.create_at or int(time.time() * 1000)
    return InboundMessage(
        platform=PLATFORM,
        chat_id=message.conversation_id or "",
        sender_id=message.sender_staff_id or message.sender_id or "",
        text=text,
        message_id=message.message_id or "",
        sent_at=datetime.fromtimestamp(int(created_ms) / 1000, tz=UTC),
        sender_name=message.sender_nick or "",
        chat_name=(message.conversation_title or "") if is_group else "",
        mentions=mentions_in(text),
        is_group=is_group,
    )


def reply_channel(message: ChatbotMessage) -> ReplyChannel | None:
    if not message.session_webhook:
        return None
    expires = message.session_webhook_expired_time
    expires_at = datetime.fromtimestamp(int(expires) / 1000, tz=UTC) if expires else None
    return ReplyChannel(SESSION_WEBHOOK, message.session_webhook, expires_at)


def robot_message_for(message: InboundMessage, channel: ReplyChannel) -> ChatbotMessage:
    """The fields of a stored message the `Replier` needs, as the SDK's message type."""
    robot = ChatbotMessage()
    robot.message_id = message.message_id
    robot.conversation_id = message.chat_id
    robot.conversation_type = GROUP_CONVERSATION if message.is_group else "1"
    robot.session_webhook = channel.address
    robot.session_webhook_expired_time = int(channel.expires_at.timestamp() * 1000) if channel.expires_at else None
    return robot


class InboundHandler:
    """Receives robot messages from either transport, stores them through the intake, and answers
    through the `Replier` (the intake calls `send_late` once the message is handled)."""

    def __init__(self, intake: Callable[[], Accepting], replier: Replier) -> None:
        self._intake = intake
        self.replier = replier

    async def receive(self, data: dict[str, Any]) -> Ticket | None:
        """Store one robot message durably; its answer goes out once it is handled.

        Raises `NotAccepted` when it could not be stored: the caller must then not acknowledge,
        so DingTalk delivers the message again.
        """
        message = parse_chatbot_message(data)
        if not message.message_id or not message.conversation_id:
            raise BadPayload("robot message without msgId or conversationId")
        try:
            text = message_text(message)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadPayload(f"unreadable message content: {type(exc).__name__}") from None
        if text is None:
            log.info("DingTalk %s message %s is not text; answered with a hint", message.message_type, message.message_id)
            self.replier.start(message, Reply(UNSUPPORTED_TYPE_REPLY))
            return None
        # DingTalk has no answer in the acknowledgement: the reply always goes through the channel.
        ticket = await self._intake().accept(to_inbound(message, text), reply_channel(message), carries_reply=False)
        if ticket.duplicate:
            log.info("DingTalk message %s was delivered again; already stored, not answering twice", message.message_id)
        return ticket

    async def send_late(self, message: InboundMessage, channel: ReplyChannel, reply: Reply) -> None:
        """The intake's late sender: the reply's picture or file, then the sessionWebhook, the group
        send, or the outbox."""
        await self.replier.send(robot_message_for(message, channel), reply, message)
