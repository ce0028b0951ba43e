"""Answers on the channel a robot message came in: the message's sessionWebhook, falling back to
the OpenAPI group send when the session is gone; an answer that cannot be sent now is left to the
outbox (through `defer`), which retries it later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field, replace

from dingtalk_stream import ChatbotMessage

from bot.adapters.dingtalk import PLATFORM
from bot.adapters.dingtalk.api import DingTalkApi, SessionGone, markdown_title
from bot.adapters.dingtalk.sender import markdown_parts
from bot.adapters.sending import RateLimiter, RetryPolicy
from bot.attachments import NOT_SENT, SendAttachment, with_note
from handlers.messages import DeliveryError, InboundMessage, Outbound, Reply

log = logging.getLogger(__name__)

REPLY_GRACE_SECONDS = 5.0
"""How long a stopping app waits for replies still being sent."""
GROUP_CONVERSATION = "2"

Defer = Callable[[Outbound, str], Awaitable[None]]
"""Store an outbound message in the outbox under a dedupe key, for later delivery."""


@dataclass
class Replier:
    """Sends the answers to robot messages; owns the tasks that send them."""

    api: DingTalkApi
    limiter: RateLimiter
    policy: RetryPolicy
    _: KW_ONLY
    bot_name: str
    defer: Defer | None = None
    """Hands an answer that could not be sent now to the outbox, which retries it later."""
    send_attachment: SendAttachment | None = None
    """Sends a reply's picture or file to its chat (see `bot.attachments`)."""
    _replies: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def start(self, message: ChatbotMessage, reply: Reply, inbound: InboundMessage | None = None) -> None:
        """Answer `message` in a task of its own; `inbound` (what the dispatcher was given) lets a
        reply's picture or file go to the chat too."""
        task = asyncio.create_task(self._reply(message, reply, inbound), name=f"{PLATFORM}-reply-{message.message_id}")
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def send(self, message: ChatbotMessage, reply: Reply, inbound: InboundMessage | None = None) -> None:
        """Answer now and return once it went out or was left to the outbox (never raises)."""
        await self._reply(message, reply, inbound)

    async def _reply(self, message: ChatbotMessage, reply: Reply, inbound: InboundMessage | None) -> None:
        """The reply's picture or file first (through the proactive sender, see `bot.attachments`),
        then the answer, which says where else to look when the attachment could not go."""
        note = ""
        if reply.attachment is not None and inbound is not None and self.send_attachment is not None:
            try:
                note = await self.send_attachment(inbound, reply)
            except Exception:
                log.exception("%s of DingTalk message %s failed", reply.attachment.kind, message.message_id)
                note = NOT_SENT
        await self._reply_text(message, replace(reply, text=with_note(reply.text, note)))

    async def _reply_text(self, message: ChatbotMessage, reply: Reply) -> None:
        chat_id = message.conversation_id
        session: str | None = message.session_webhook
        title = markdown_title(reply.text, self.bot_name)
        parts = markdown_parts(reply.text)
        for index, part in enumerate(parts):
            await self.limiter.acquire(chat_id)
            try:
                if session and _session_alive(message):
                    try:
                        await self.policy.run(
                            lambda: self.api.send_session_markdown(session, title, part, reply.mention_user_ids),
                            what="reply via sessionWebhook",
                        )
                        continue
                    except SessionGone:
                        log.info("sessionWebhook of chat %s is gone; answering through the group send", chat_id)
                        session = None
                    except DeliveryError as exc:
                        if exc.retryable:
                            log.warning("sessionWebhook kept failing for chat %s; answering through the group send", chat_id)
                            session = None
                        else:
                            raise
                if message.conversation_type != GROUP_CONVERSATION:
                    raise DeliveryError("单聊会话已过期，无法再回复", retryable=False)
                await self.policy.run(
                    lambda: self.api.send_group_markdown(chat_id, title, part), what="reply via group send"
                )
            except DeliveryError as exc:
                if exc.retryable and message.conversation_type == GROUP_CONVERSATION and self.defer is not None:
                    rest = Outbound(PLATFORM, chat_id, "\n".join(parts[index:]), reply.mention_user_ids)
                    await self.defer(rest, f"reply:{PLATFORM}:{message.message_id}")
                    log.warning("answer to DingTalk message %s not delivered now (%s); left to the outbox",
                                message.message_id, exc)
                    return
                log.error("answer to DingTalk message %s in chat %s was not delivered: %s", message.message_id, chat_id, exc)
                return
            except Exception:
                log.exception("answer to DingTalk message %s failed", message.message_id)
                return

    async def close(self, grace: float = REPLY_GRACE_SECONDS) -> None:
        """Let answers in flight finish for `grace` seconds, then cancel the rest."""
        pending = set(self._replies)
        if not pending:
            return
        _done, still = await asyncio.wait(pending, timeout=grace)
        for task in still:
            task.cancel()
        if still:
            log.warning("%d DingTalk answers were still being sent at shutdown and were cancelled", len(still))
            await asyncio.gather(*still, return_exceptions=True)


def _session_alive(message: ChatbotMessage) -> bool:
    expires = message.session_webhook_expired_time
    # A little margin: a session about to expire is not worth a failed round trip.
    return expires is None or expires > int(time.time() * 1000) + 5_000
