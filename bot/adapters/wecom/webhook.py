"""Group webhooks (消息推送): markdown split to the byte limit, 20 messages a minute per webhook."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

import aiohttp

from bot.adapters.wecom.api import ApiError, RetryPolicy, TransportError, call_with_retry, checked_url, webhook_key

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/cgi-bin/webhook/send"
MARKDOWN_LIMIT_BYTES = 4096
INVALID_KEY_ERRCODES = frozenset({93000, 40001})
"""93000 "invalid webhook url" is what a deleted or mistyped key gives."""


def split_markdown(text: str, limit: int = MARKDOWN_LIMIT_BYTES) -> list[str]:
    """Split into parts of at most `limit` UTF-8 bytes, breaking only between lines.

    A single line longer than the limit (nothing to break between) is cut at character
    boundaries; blank lines at a break are dropped so no part starts or ends empty.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = _cut_line(line, limit)
        for piece in pieces:
            piece_size = len(piece.encode())
            extra = piece_size + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current).strip("\n"))
                current, size = [], 0
                extra = piece_size
            if not current and not piece.strip():
                continue
            current.append(piece)
            size += extra
    if current:
        parts.append("\n".join(current).strip("\n"))
    return [p for p in parts if p.strip()]


def _cut_line(line: str, limit: int) -> list[str]:
    if len(line.encode()) <= limit:
        return [line]
    pieces, piece, size = [], [], 0
    for char in line:
        n = len(char.encode())
        if size + n > limit:
            pieces.append("".join(piece))
            piece, size = [], 0
        piece.append(char)
        size += n
    pieces.append("".join(piece))
    return pieces


class SlidingWindowLimiter:
    """At most `limit` acquisitions per `window` seconds per key; callers wait for a free slot.

    Failed sends count as well (the platform counts them), which is why the slot is taken
    before the request and not after a success.
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def acquire(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(key, deque())
            while True:
                now = self._clock()
                while sent and now - sent[0] >= self.window:
                    sent.popleft()
                if len(sent) < self.limit:
                    sent.append(now)
                    return
                await asyncio.sleep(self.window - (now - sent[0]))


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
        self.limiter = SlidingWindowLimiter(per_minute, window)

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
        parts = split_markdown(text)
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


class PartialSend(Exception):
    def __init__(self, reason: str, *, sent_parts: int, retryable: bool) -> None:
        super().__init__(reason)
        self.sent_parts = sent_parts
        self.retryable = retryable
