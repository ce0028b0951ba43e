"""The one path both transports share: decrypted payload → dispatcher → the text to answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.adapters.wecom.convert import Incoming, to_incoming
from handlers.messages import InboundMessage, Reply

log = logging.getLogger(__name__)

UNAVAILABLE = "系统暂时繁忙，这条消息没有记录，请稍后再发一次。"


class Dispatching(Protocol):
    async def handle(self, message: InboundMessage) -> Reply: ...


class MessageHandling:
    def __init__(self, dispatcher: Callable[[], Dispatching], bot_names: tuple[str, ...]) -> None:
        self._dispatcher = dispatcher
        self.bot_names = bot_names

    def incoming(self, payload: dict, received_at: datetime) -> Incoming:
        return to_incoming(payload, bot_names=self.bot_names, received_at=received_at)

    async def answer(self, incoming: Incoming) -> str | None:
        """The markdown to answer with, or None for nothing to say."""
        if incoming.ack is not None:
            return incoming.ack
        if incoming.message is None:
            return None
        message = incoming.message
        try:
            reply = await self._dispatcher().handle(message)
        except Exception:
            # The message is not recorded; say so, so the sender can send it again.
            log.exception("handling wecom message %s failed", message.message_id)
            return UNAVAILABLE
        if reply.duplicate:
            log.info("wecom message %s delivered again, answered from the record", message.message_id)
        return with_mentions(reply.text, reply.mention_user_ids) or None


def with_mentions(text: str, user_ids: tuple[str, ...]) -> str:
    """Markdown `<@userid>` mentions appended on their own line (WeCom markdown syntax)."""
    if not user_ids:
        return text
    return f"{text}\n" + " ".join(f"<@{uid}>" for uid in user_ids)
