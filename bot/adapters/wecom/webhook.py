"""Group webhooks (消息推送): markdown split to the byte limit, 20 messages a minute per webhook."""

from __future__ import annotations

import base64
import hashlib
import logging

import aiohttp

from bot.adapters.sending import RateLimiter
from bot.adapters.wecom.api import (
    ApiError,
    RetryPolicy,
    TransportError,
    call_with_retry,
    checked_url,
    webhook_key,
)
from handlers.markdown import split_markdown

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/cgi-bin/webhook/send"
MARKDOWN_LIMIT_BYTES = 4096
IMAGE_LIMIT_BYTES = 2 * 1024 * 1024
"""An image message carries at most 2 MB of JPG/PNG (before base64)."""
INVALID_KEY_ERRCODES = frozenset({93000, 40001})
"""93000 "invalid webhook url" is what a deleted or mistyped key gives."""


class WebhookKeyInvalid(Exception):
    """The webhook was refused for good (deleted robot, wrong key, wrong host)."""


class WebhookClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        *,
        per_minute: int = 20,
        window: float = 60.0,
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.session = session
        self.api_base = api_base
        self.policy = policy
        self.limiter = RateLimiter(per_minute, window)

    def check(self, webhook_url: str) -> str:
        """The URL to post to, or WebhookKeyInvalid when it is not a webhook on the configured host."""
        try:
            return checked_url(webhook_url, self.api_base, WEBHOOK_PATH, "key")
        except ValueError as exc:
            raise WebhookKeyInvalid(f"webhook URL refused: {exc}") from None

    async def send_markdown(self, webhook_url: str, text: str, *, label: str, start_part: int = 0) -> int:
        """Post `text` as markdown messages from part `start_part` on; returns the number of parts.

        `label` (a chat id, never the key) names the webhook in logs. A failure after the retries
        raises `PartialSend` telling how many parts went through, so the caller can resume there.
        """
        url = self.check(webhook_url)
        key = webhook_key(url)
        parts = split_markdown(text, MARKDOWN_LIMIT_BYTES)
        for index in range(start_part, len(parts)):
            await self.limiter.acquire(key)
            body = {"msgtype": "markdown", "markdown": {"content": parts[index]}}
            try:
                await call_with_retry(
                    self.session, "POST", url, json_body=body, what=f"webhook post to {label}", policy=self.policy
                )
            except ApiError as exc:
                if exc.errcode in INVALID_KEY_ERRCODES:
                    raise WebhookKeyInvalid(f"webhook refused: errcode {exc.errcode} {exc.errmsg}") from None
                raise PartialSend(str(exc), sent_parts=index, retryable=exc.retryable) from None
            except TransportError as exc:
                raise PartialSend(str(exc), sent_parts=index, retryable=True) from None
        return len(parts)


    async def send_image(self, webhook_url: str, data: bytes, *, label: str) -> None:
        """Post one `image` message: base64 of the PNG/JPG and the md5 of its raw bytes."""
        if len(data) > IMAGE_LIMIT_BYTES:
            raise ValueError(f"image of {len(data)} bytes exceeds the webhook's {IMAGE_LIMIT_BYTES}-byte limit")
        url = self.check(webhook_url)
        await self.limiter.acquire(webhook_key(url))
        body = {
            "msgtype": "image",
            "image": {"base64": base64.b64encode(data).decode("ascii"), "md5": hashlib.md5(data).hexdigest()},
        }
        try:
            await call_with_retry(
                self.session, "POST", url, json_body=body, what=f"webhook image to {label}", policy=self.policy
            )
        except ApiError as exc:
            if exc.errcode in INVALID_KEY_ERRCODES:
                raise WebhookKeyInvalid(f"webhook refused: errcode {exc.errcode} {exc.errmsg}") from None
            raise PartialSend(str(exc), sent_parts=0, retryable=exc.retryable) from None
        except TransportError as exc:
            raise PartialSend(str(exc), sent_parts=0, retryable=True) from None


class PartialSend(Exception):
    def __init__(self, reason: str, *, sent_parts: int, retryable: bool) -> None:
        super().__init__(reason)
        self.sent_parts = sent_parts
        self.retryable = retryable
