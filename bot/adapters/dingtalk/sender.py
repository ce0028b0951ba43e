"""The DingTalk `Sender`: proactive messages (digests, warnings) into DingTalk groups, for the outbox.

The app robot's OpenAPI group send first; the group's custom-robot webhook (resolved by the
outbox worker into `Outbound.route`) when the app robot cannot reach the group. Message size is
owned here: the text is split on line boundaries to DingTalk's limits, and the parts already
delivered are not sent again when the outbox retries after a failed part.
"""

from __future__ import annotations

import logging

from bot.adapters.dingtalk import PLATFORM
from bot.adapters.dingtalk.api import DingTalkApi, RobotWebhook, markdown_title
from bot.adapters.sending import DeliveredParts, RateLimiter, RetryPolicy
from handlers.markdown import split_markdown
from handlers.messages import DeliveryError, Outbound

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
        parts = markdown_parts(message.text)
        title = markdown_title(message.text, self.bot_name)
        webhook_url = message.route.webhook_url

        async def send_part(index: int, part: str) -> None:
            at = message.mention_user_ids if index == len(parts) - 1 else ()
            await self.limiter.acquire(message.chat_id)
            await self._send_part(message.chat_id, webhook_url, title, part, at)

        await self.delivered.deliver(message.chat_id, message.text, parts, send_part)

    async def _send_part(
        self, chat_id: str, webhook_url: str | None, title: str, text: str, at: tuple[str, ...]
    ) -> None:
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
        await self.policy.run(lambda: api.send_robot_markdown(webhook, title, text, at), what="custom robot send")
