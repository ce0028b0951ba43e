"""What the DingTalk adapter does with a robot message, whichever way it came (Stream or HTTP
callback): hand it to the dispatcher, answer in the group through the sessionWebhook (falling back
to the OpenAPI group send when the session is gone), and send proactive messages for the outbox.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from dingtalk_stream import ChatbotMessage
from sqlalchemy import select

from bot.adapters.dingtalk.api import IMAGE_UPLOAD_LIMIT_BYTES, DingTalkApi, RobotWebhook, SessionGone
from bot.adapters.dingtalk.inbound import (
    PLATFORM,
    UNSUPPORTED_TYPE_REPLY,
    message_text,
    parse_chatbot_message,
    to_inbound,
)
from bot.adapters.sending import RateLimiter, retry_with_backoff
from handlers.markdown import split_markdown
from handlers.messages import (
    Attachment,
    AttachmentNotSupported,
    DeliveryError,
    InboundMessage,
    Outbound,
    Reply,
)
from storage.database import Database
from storage.models import Chat

log = logging.getLogger(__name__)

MAX_MARKDOWN_BYTES = 5000
"""Per message; well under the group send's 15,000-byte msgParam and the webhooks' limits."""
REPLY_GRACE_SECONDS = 5.0
"""How long a stopping app waits for replies still being sent."""
PROGRESS_TTL_SECONDS = 3600.0

Dispatch = Callable[[InboundMessage], Awaitable[Reply]]
Defer = Callable[[Outbound, str], Awaitable[None]]
"""Store an outbound message in the outbox under a dedupe key, for later delivery."""


class BadPayload(ValueError):
    """A robot message that cannot be read (not a ChatbotMessage)."""


def markdown_title(text: str, fallback: str) -> str:
    """The notification preview title: the first line without markdown marks, at most 30 chars."""
    for line in text.splitlines():
        plain = re.sub(r"[#*>`_~\[\]]", "", line).strip()
        if plain:
            return plain[:30]
    return fallback


class DingTalkBot:
    """Receives robot messages and answers them; owns the tasks that send the answers."""

    def __init__(
        self,
        api: DingTalkApi,
        dispatch: Dispatch,
        limiter: RateLimiter,
        *,
        bot_name: str,
        retry_attempts: int,
        retry_base: float,
        defer: Defer | None = None,
    ) -> None:
        self.api = api
        self.dispatch = dispatch
        self.defer = defer
        """Hands an answer that could not be sent now to the outbox, which retries it later."""
        self.limiter = limiter
        self.bot_name = bot_name
        self.retry_attempts = retry_attempts
        self.retry_base = retry_base
        self._replies: set[asyncio.Task[None]] = set()

    async def receive(self, data: dict[str, Any]) -> Reply | None:
        """Record one robot message and start answering it; returns what the dispatcher said.

        Raises on infrastructure failure (database down): the caller must then not acknowledge,
        so DingTalk delivers the message again.
        """
        try:
            message = parse_chatbot_message(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadPayload(f"not a robot message: {type(exc).__name__}") from None
        if not message.message_id or not message.conversation_id:
            raise BadPayload("robot message without msgId or conversationId")
        text = message_text(message)
        if text is None:
            log.info("DingTalk %s message %s is not text; answered with a hint", message.message_type, message.message_id)
            self._start_reply(message, Reply(UNSUPPORTED_TYPE_REPLY))
            return None
        inbound = to_inbound(message, text)
        reply = await self.dispatch(inbound)
        if reply.duplicate:
            log.info("DingTalk message %s was delivered again; already applied, not answering twice", inbound.message_id)
            return reply
        if reply.text:
            self._start_reply(message, reply)
        return reply

    def _start_reply(self, message: ChatbotMessage, reply: Reply) -> None:
        task = asyncio.create_task(self._reply(message, reply), name=f"dingtalk-reply-{message.message_id}")
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def _reply(self, message: ChatbotMessage, reply: Reply) -> None:
        chat_id = message.conversation_id
        session: str | None = message.session_webhook
        title = markdown_title(reply.text, self.bot_name)
        parts = split_markdown(reply.text, MAX_MARKDOWN_BYTES)
        for index, part in enumerate(parts):
            await self.limiter.acquire(chat_id)
            try:
                if session and _session_alive(message):
                    try:
                        await self._retry(
                            lambda: self.api.send_session_markdown(session, title, part, reply.mention_user_ids),
                            "reply via sessionWebhook",
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
                if message.conversation_type != "2":
                    raise DeliveryError("单聊会话已过期，无法再回复", retryable=False)
                await self._retry(
                    lambda: self.api.send_group_markdown(chat_id, title, part), "reply via group send"
                )
            except DeliveryError as exc:
                if exc.retryable and message.conversation_type == "2" and self.defer is not None:
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

    async def _retry(self, operation: Callable[[], Awaitable[Any]], what: str) -> Any:
        return await retry_with_backoff(
            operation,
            attempts=self.retry_attempts,
            base=self.retry_base,
            max_delay=60.0,
            retry_on=lambda exc: isinstance(exc, DeliveryError) and exc.retryable,
            what=what,
        )

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


class DingTalkSender:
    """Proactive messages (digests, warnings) into DingTalk groups, for the outbox.

    The app robot's OpenAPI group send first; a custom-robot webhook (`Chat.webhook_url`) when the
    group has one and the app robot cannot reach the group. A message split into parts remembers
    which parts went out, so an outbox retry after a failed part does not repeat the earlier ones.
    """

    platform = PLATFORM

    def __init__(
        self,
        api: Callable[[], DingTalkApi],
        database: Callable[[], Database],
        limiter: RateLimiter,
        *,
        bot_name: str,
        retry_attempts: int,
        retry_base: float,
    ) -> None:
        self._api = api
        self._database = database
        self.limiter = limiter
        self.bot_name = bot_name
        self.retry_attempts = retry_attempts
        self.retry_base = retry_base
        self._progress: dict[str, tuple[int, float]] = {}

    async def send(self, message: Outbound) -> None:
        api = self._api()
        if message.attachment is not None:
            await self._send_attachment(api, message.chat_id, message.attachment)
            return
        parts = split_markdown(message.text, MAX_MARKDOWN_BYTES)
        if not parts:
            return
        key = _progress_key(message)
        done = self._sent_parts(key)
        webhook_url = await self._webhook_url(message.chat_id)
        title = markdown_title(message.text, self.bot_name)
        for index, part in enumerate(parts):
            if index < done:
                continue
            at = message.mention_user_ids if index == len(parts) - 1 else ()
            await self.limiter.acquire(message.chat_id)
            await self._send_part(api, message.chat_id, webhook_url, title, part, at)
            self._progress[key] = (index + 1, time.monotonic())
        self._progress.pop(key, None)

    async def _send_attachment(self, api: DingTalkApi, chat_id: str, attachment: Attachment) -> None:
        """Pictures go through the app robot (media upload + sampleImageMsg); a group reached only
        by a custom robot gets the message's text instead (its webhook has no image message)."""
        if attachment.kind != "image" or len(attachment.data) > IMAGE_UPLOAD_LIMIT_BYTES:
            raise AttachmentNotSupported(f"dingtalk chat {chat_id}: only images can be sent")
        if not (api.can_send_to_groups and chat_id.startswith("cid")):
            raise AttachmentNotSupported(f"dingtalk chat {chat_id}: pictures need the app robot in the group")
        await self.limiter.acquire(chat_id)
        try:
            await self._retry(lambda: api.send_group_image(chat_id, attachment.data, attachment.filename), "group image")
        except DeliveryError as exc:
            if exc.retryable:
                raise
            raise AttachmentNotSupported(f"dingtalk chat {chat_id}: the app robot cannot send the picture ({exc})") from None

    async def _send_part(
        self, api: DingTalkApi, chat_id: str, webhook_url: str | None, title: str, text: str, at: tuple[str, ...]
    ) -> None:
        if api.can_send_to_groups and chat_id.startswith("cid"):
            try:
                await self._retry(lambda: api.send_group_markdown(chat_id, title, text), "group send")
                return
            except DeliveryError as exc:
                if exc.retryable or not webhook_url:
                    raise
                log.warning("app robot cannot send to chat %s (%s); using the group's custom robot", chat_id, exc)
        if not webhook_url:
            raise DeliveryError(f"钉钉群 {chat_id} 没有可用的发送方式（不是应用机器人所在的群，也没有群机器人 webhook）", retryable=False)
        webhook = RobotWebhook.parse(webhook_url)
        await self._retry(lambda: api.send_robot_markdown(webhook, title, text, at), "custom robot send")

    async def _webhook_url(self, chat_id: str) -> str | None:
        async def lookup(session: Any) -> str | None:
            result = await session.execute(
                select(Chat.webhook_url).where(Chat.platform == PLATFORM, Chat.chat_id == chat_id)
            )
            return result.scalar_one_or_none()

        return await self._database().run(lookup)

    def _sent_parts(self, key: str) -> int:
        now = time.monotonic()
        for stale in [k for k, (_, at) in self._progress.items() if now - at > PROGRESS_TTL_SECONDS]:
            del self._progress[stale]
        return self._progress.get(key, (0, 0.0))[0]

    async def _retry(self, operation: Callable[[], Awaitable[Any]], what: str) -> Any:
        return await retry_with_backoff(
            operation,
            attempts=self.retry_attempts,
            base=self.retry_base,
            max_delay=60.0,
            retry_on=lambda exc: isinstance(exc, DeliveryError) and exc.retryable,
            what=what,
        )


def _progress_key(message: Outbound) -> str:
    digest = hashlib.sha256(message.text.encode("utf-8")).hexdigest()[:16]
    return f"{message.chat_id}:{digest}"
