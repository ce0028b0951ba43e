"""The DingTalk `Sender`: proactive messages (digests, warnings) into DingTalk groups, for the outbox.

The app robot's OpenAPI group send first; the group's custom-robot webhook (resolved by the
outbox worker into `Outbound.route`) when the app robot cannot reach the group. Message size is
owned here: the text is split on line boundaries to DingTalk's limits, and the parts already
delivered are not sent again when the outbox retries after a failed part.

A picture or a file goes through the app robot only (one media upload, then `sampleImageMsg` or
`sampleFile` with the media id): a group reached only by a custom robot raises
`AttachmentNotSupported` and the worker sends the message's text instead.
"""

from __future__ import annotations

import logging

from bot.adapters.dingtalk import PLATFORM
from bot.adapters.dingtalk.api import FILE_UPLOAD_LIMIT_BYTES, IMAGE_UPLOAD_LIMIT_BYTES, DingTalkApi, RobotWebhook, markdown_title
from bot.adapters.sending import DeliveredParts, RateLimiter, RetryPolicy
from handlers.markdown import split_markdown
from handlers.messages import Attachment, AttachmentNotSupported, DeliveryError, Outbound

log = logging.getLogger(__name__)

MARKDOWN_LIMIT_BYTES = 5000
"""Per message; well under the group send's 15,000-byte msgParam and the webhooks' limits."""
MARKDOWN_LIMIT_CHARS = 5000
"""DingTalk counts characters (about 5000 per markdown message): every part keeps below this too."""


def markdown_parts(text: str) -> list[str]:
    """`text` split on line boundaries into parts DingTalk takes as one markdown message each."""
    return split_markdown(text, MARKDOWN_LIMIT_BYTES, MARKDOWN_LIMIT_CHARS)


class DingTalkSender:
    platform = PLATFORM

    def __init__(self, api: DingTalkApi, limiter: RateLimiter, policy: RetryPolicy, *, bot_name: str) -> None:
        self.api = api
        self.limiter = limiter
        self.policy = policy
        self.bot_name = bot_name
        self.delivered = DeliveredParts()

    async def send(self, message: Outbound) -> None:
        if message.attachment is not None:
            await self._send_attachment(message.chat_id, message.attachment)
            return
        parts = markdown_parts(message.text)
        title = markdown_title(message.text, self.bot_name)
        webhook_url = message.route.webhook_url

        async def send_part(index: int, part: str) -> None:
            at = message.mention_user_ids if index == len(parts) - 1 else ()
            key = f"{message.idempotency_key}#{index + 1}" if message.idempotency_key else ""
            await self.limiter.acquire(message.chat_id)
            await self._send_part(message.chat_id, webhook_url, title, part, at, key)

        await self.delivered.deliver(message.chat_id, message.text, parts, send_part)

    async def _send_attachment(self, chat_id: str, attachment: Attachment) -> None:
        """A picture (sampleImageMsg) or a file (sampleFile), each uploaded as media first, through
        the app robot only."""
        limit = IMAGE_UPLOAD_LIMIT_BYTES if attachment.kind == "image" else FILE_UPLOAD_LIMIT_BYTES
        if len(attachment.data) > limit:
            raise AttachmentNotSupported(f"{PLATFORM} chat {chat_id}: {attachment.kind} over {limit} bytes")
        api = self.api
        if not (api.can_send_to_groups and chat_id.startswith("cid")):
            raise AttachmentNotSupported(f"{PLATFORM} chat {chat_id}: pictures and files need the app robot in the group")
        await self.limiter.acquire(chat_id)
        try:
            await self.policy.run(
                lambda: api.send_group_attachment(chat_id, attachment), what=f"group {attachment.kind}"
            )
        except DeliveryError as exc:
            if exc.retryable:
                raise
            raise AttachmentNotSupported(
                f"{PLATFORM} chat {chat_id}: the app robot cannot send the {attachment.kind} ({exc})"
            ) from None

    async def _send_part(
        self, chat_id: str, webhook_url: str | None, title: str, text: str, at: tuple[str, ...], key: str
    ) -> None:
        """One part: the app robot's group send (no idempotency key there, so a timeout is left to
        the outbox), else the custom robot (whose `msgUuid` makes an immediate retry safe)."""
        api = self.api
        if api.can_send_to_groups and chat_id.startswith("cid"):
            try:
                await self.policy.run(lambda: api.send_group_markdown(chat_id, title, text), what="group send")
                return
            except DeliveryError as exc:
                if exc.retryable or not webhook_url:
                    raise
                log.warning("app robot cannot send to chat %s (%s); using the group's custom robot", chat_id, exc)
        if not webhook_url:
            raise DeliveryError(f"钉钉群 {chat_id} 没有可用的发送方式（不是应用机器人所在的群，也没有群机器人 webhook）", retryable=False)
        webhook = RobotWebhook.parse(webhook_url)
        await self.policy.run(
            lambda: api.send_robot_markdown(webhook, title, text, at, idempotency_key=key),
            what="custom robot send",
            idempotent=bool(key),
        )
