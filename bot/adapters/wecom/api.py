"""Outgoing calls to the WeCom HTTP API, all through the app's one aiohttp ClientSession.

Every WeCom API answers HTTP 200 with an `errcode`; this module maps that, in one place, into
`ApiError` / `TransportError` (both `DeliveryError`s), retries what is worth retrying (network
faults, timeouts, -1 "busy", 45009 rate limit) through the adapters' one retry helper, keeps the
self-built app's one access-token cache, and only ever posts to the configured WeCom host: a URL
that came in a payload or was typed by an admin is checked before anything is sent to it.
Nothing here logs a URL, a key, a token or a secret.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.adapters.sending import RateLimiter, RetryPolicy, TokenCache, may_have_arrived
from handlers.messages import DeliveryError

log = logging.getLogger(__name__)

BUSY = -1
RATE_LIMITED = 45009
CONVERSATION_RATE_LIMITED = 846607
"""Reported for the long connection's per-conversation limit; not in the documents, so it is
treated as the rate limit it was reported as (retryable), never as a permanent refusal."""
RETRYABLE_ERRCODES = frozenset({BUSY, RATE_LIMITED, CONVERSATION_RATE_LIMITED})
TOKEN_INVALID = frozenset({40014, 42001})
"""Invalid / expired access_token: WeCom may revoke a token early, so fetch anew once and retry."""
INVALID_KEY_ERRCODES = frozenset({93000, 40001})
"""93000 "invalid webhook url" is what a deleted or mistyped key gives."""

WEBHOOK_PATH = "/cgi-bin/webhook/send"
UPLOAD_MEDIA_PATH = "/cgi-bin/webhook/upload_media"
"""The group webhook's media upload (`type=file`, multipart field `media`): a `file` message takes its media_id."""
IMAGE_LIMIT_BYTES = 2 * 1024 * 1024
"""A webhook image message carries at most 2 MB of JPG/PNG (before base64)."""
DUPLICATE_CHECK_SECONDS = 4 * 3600
"""`message/send` de-duplicates identical content within this many seconds (4 h, its maximum): the
outbox's retries of a message fall within it (all but the last of a long run of failures)."""
FILE_LIMIT_BYTES = 20 * 1024 * 1024
"""`upload_media` takes files of 5 bytes to 20 MB."""
RESPONSE_PATH = "/cgi-bin/aibot/response"


class ApiError(DeliveryError):
    """WeCom answered with a nonzero errcode; retryable for "busy" and the rate limit."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}", retryable=errcode in RETRYABLE_ERRCODES)
        self.errcode = errcode
        self.errmsg = errmsg


class TransportError(DeliveryError):
    """The request did not get an answer (connection refused, timeout, HTTP 5xx, not JSON)."""

    def __init__(self, message: str, *, may_have_arrived: bool = False) -> None:
        super().__init__(message, retryable=True, may_have_arrived=may_have_arrived)


class UnsafeUrl(ValueError):
    """A URL that does not point at the configured WeCom API host and endpoint."""


class WebhookKeyInvalid(DeliveryError):
    """The webhook was refused for good (deleted robot, wrong key, wrong host)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class PartialSend(DeliveryError):
    """A webhook message failed after `sent_parts` of its parts went through."""

    def __init__(self, reason: str, *, sent_parts: int, retryable: bool) -> None:
        super().__init__(reason, retryable=retryable)
        self.sent_parts = sent_parts


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def checked_url(url: str, api_base: str, path: str, required_param: str) -> str:
    """`url` itself if it is `api_base` + `path` with a non-empty `required_param`; else UnsafeUrl.

    Scheme, host and port must equal the configured base; no user info, no fragment.
    """
    try:
        parts = urlsplit(url.strip())
        same_origin = _origin(url.strip()) == _origin(api_base)
    except ValueError:
        raise UnsafeUrl("not a URL") from None
    if not same_origin or parts.username or parts.password or parts.fragment:
        raise UnsafeUrl("not the configured WeCom API host")
    if parts.path != path:
        raise UnsafeUrl(f"not a {path} URL")
    values = parse_qs(parts.query).get(required_param, [])
    if len(values) != 1 or not values[0].strip():
        raise UnsafeUrl(f"missing {required_param}")
    return url.strip()


def webhook_key(url: str) -> str:
    values = parse_qs(urlsplit(url).query).get("key", [])
    return values[0] if values else ""


def push_webhook_problem(url: str) -> str | None:
    """Why an admin-typed `url` is not a group push webhook (消息推送), in words for the admin;
    None when it is one. Only the shape is checked here: the sender posts to its configured API
    host alone and refuses (and reports) a webhook on any other host."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path != WEBHOOK_PATH:
        return f"这不是企业微信群的消息推送地址。应当形如 https://qyapi.weixin.qq.com{WEBHOOK_PATH}?key=……"
    if parts.username or parts.password or parts.fragment:
        return "地址里不能带用户名、密码或 # 片段。"
    keys = parse_qs(parts.query).get("key", [])
    if len(keys) != 1 or not keys[0].strip():
        return "地址里缺少 key=…… 这一段，请在群设置→消息推送里复制完整地址。"
    return None


async def call_once(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    form: Callable[[], aiohttp.FormData] | None = None,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """One request; returns the JSON answer when errcode is 0, else raises ApiError/TransportError.
    `form` makes a multipart body (a new one per attempt: aiohttp sends a FormData once)."""
    try:
        async with session.request(
            method, url, json=json_body, data=form() if form else None, params=params,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            if response.status >= 500 or response.status == 429:
                raise TransportError(f"HTTP {response.status}")
            if response.status != 200:
                raise ApiError(-response.status, f"HTTP {response.status}")
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                raise TransportError("answer is not JSON") from None
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        # str(exc) of some client errors contains the URL (and with it a key): keep the type only.
        raise TransportError(type(exc).__name__, may_have_arrived=may_have_arrived(exc)) from None
    if not isinstance(answer, dict):
        raise TransportError("answer is not a JSON object")
    errcode = answer.get("errcode", 0)
    if errcode != 0:
        raise ApiError(int(errcode), str(answer.get("errmsg", "")))
    return answer


async def call_with_retry(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    what: str,
    policy: RetryPolicy,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    form: Callable[[], aiohttp.FormData] | None = None,
    idempotent: bool = False,
) -> dict[str, Any]:
    """`call_once`, retried on transport faults and retryable errcodes; `what` names it in logs.
    A timeout is retried here only for an `idempotent` call (see `RetryPolicy.run`)."""
    return await policy.run(
        lambda: call_once(
            session, method, url, json_body=json_body, params=params, form=form, timeout=policy.timeout
        ),
        what=what,
        idempotent=idempotent,
    )


class WebhookClient:
    """Group webhooks (消息推送): markdown and image posts, 20 messages a minute per webhook."""

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

    async def send_markdown(self, webhook_url: str, text: str, *, label: str) -> None:
        """Post `text` (one part, within the webhook's limit) as a markdown message.

        `label` (a chat id, never the key) names the webhook in logs. A refused key raises
        `WebhookKeyInvalid`; any other failure after the retries raises `PartialSend`.
        """
        await self._post(webhook_url, {"msgtype": "markdown", "markdown": {"content": text}}, what=f"webhook post to {label}")

    async def send_image(self, webhook_url: str, data: bytes, *, label: str) -> None:
        """Post one `image` message: the base64 of the PNG/JPG and the md5 of its raw bytes
        (at most `IMAGE_LIMIT_BYTES` before base64); failures as for `send_markdown`."""
        if len(data) > IMAGE_LIMIT_BYTES:
            raise ValueError(f"image of {len(data)} bytes exceeds the webhook's {IMAGE_LIMIT_BYTES}-byte limit")
        image = {"base64": base64.b64encode(data).decode("ascii"), "md5": hashlib.md5(data).hexdigest()}
        await self._post(webhook_url, {"msgtype": "image", "image": image}, what=f"webhook image to {label}")

    async def send_file(self, webhook_url: str, filename: str, data: bytes, *, label: str) -> None:
        """Upload `data` as the webhook's media (`upload_media?type=file`), then post a `file` message
        with its media_id; failures as for `send_markdown`. The upload is safe to repeat (an unused
        media_id expires), the post is not: it goes as any message does."""
        if len(data) > FILE_LIMIT_BYTES:
            raise ValueError(f"file of {len(data)} bytes exceeds the webhook's {FILE_LIMIT_BYTES}-byte limit")
        url = self.check(webhook_url)

        def form() -> aiohttp.FormData:
            body = aiohttp.FormData(quote_fields=False)  # the file name as UTF-8, not percent-encoded
            body.add_field("media", data, filename=filename, content_type="application/octet-stream")
            return body

        with _send_errors():
            answer = await call_with_retry(
                self.session, "POST", f"{self.api_base}{UPLOAD_MEDIA_PATH}", form=form,
                params={"key": webhook_key(url), "type": "file"}, what=f"webhook upload to {label}",
                policy=self.policy, idempotent=True,
            )
        media_id = answer.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise PartialSend("upload answer has no media_id", sent_parts=0, retryable=True)
        await self._post(webhook_url, {"msgtype": "file", "file": {"media_id": media_id}}, what=f"webhook file to {label}")

    async def _post(self, webhook_url: str, body: dict[str, Any], *, what: str) -> None:
        url = self.check(webhook_url)
        await self.limiter.acquire(webhook_key(url))
        with _send_errors():
            await call_with_retry(self.session, "POST", url, json_body=body, what=what, policy=self.policy)


@contextmanager
def _send_errors() -> Iterator[None]:
    """A webhook call's failures as the sender reads them: a refused key is `WebhookKeyInvalid`,
    anything else `PartialSend`."""
    try:
        yield
    except ApiError as exc:
        if exc.errcode in INVALID_KEY_ERRCODES:
            raise WebhookKeyInvalid(f"webhook refused: errcode {exc.errcode} {exc.errmsg}") from None
        raise PartialSend(str(exc), sent_parts=0, retryable=exc.retryable) from None
    except TransportError as exc:
        raise PartialSend(str(exc), sent_parts=0, retryable=True) from None


class AppMessenger:
    """Messages to people through a self-built app (`message/send`), with the one cached access token."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        corp_id: str,
        agent_id: int,
        agent_secret: str,
        *,
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.session = session
        self.api_base = api_base
        self.corp_id = corp_id
        self.agent_id = agent_id
        self._secret = agent_secret
        self.policy = policy
        self.tokens = TokenCache(self._fetch_token)

    async def _fetch_token(self) -> tuple[str, int]:
        answer = await call_with_retry(
            self.session,
            "GET",
            f"{self.api_base}/cgi-bin/gettoken",
            params={"corpid": self.corp_id, "corpsecret": self._secret},
            what="gettoken",
            policy=self.policy,
            idempotent=True,
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))

    async def send_markdown(self, user_ids: list[str], text: str, *, deduplicate: bool = False) -> None:
        """Send `text` (one part, within the app message's limit) to `user_ids`.

        `deduplicate` asks WeCom to drop the same content to the same people within
        `DUPLICATE_CHECK_SECONDS` (`enable_duplicate_check`, the only idempotency `message/send`
        has): the outbox uses it, so a resend after a lost answer is not shown twice, and the call
        may then be retried at once after a timeout.
        """
        body: dict[str, Any] = {
            "touser": "|".join(user_ids),
            "msgtype": "markdown",
            "agentid": self.agent_id,
            "markdown": {"content": text},
        }
        if deduplicate:
            body |= {"enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}
        token = await self.tokens.get()
        for refetched in (False, True):
            try:
                await call_with_retry(
                    self.session,
                    "POST",
                    f"{self.api_base}/cgi-bin/message/send",
                    params={"access_token": token},
                    json_body=body,
                    what="message/send",
                    policy=self.policy,
                    idempotent=deduplicate,
                )
                return
            except ApiError as exc:
                if exc.errcode not in TOKEN_INVALID or refetched:
                    raise
                log.info("access token refused (errcode %d), fetching a new one", exc.errcode)
                self.tokens.invalidate(token)
                token = await self.tokens.get()
