"""Outgoing calls to the WeCom HTTP API, all through the app's one aiohttp ClientSession.

Every WeCom API answers HTTP 200 with an `errcode`; this module turns that into `ApiError`,
retries what is worth retrying (network faults, timeouts, -1 "busy", 45009 rate limit) a bounded
number of times with backoff, and only ever posts to the configured WeCom host: a URL that
came in a payload or was typed by an admin is checked before anything is sent to it.
Nothing here logs a URL, a key, a token or a secret.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

log = logging.getLogger(__name__)

BUSY = -1
RATE_LIMITED = 45009
RETRYABLE_ERRCODES = frozenset({BUSY, RATE_LIMITED})


class ApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def retryable(self) -> bool:
        return self.errcode in RETRYABLE_ERRCODES


class TransportError(Exception):
    """The request did not get an answer (connection refused, timeout, HTTP 5xx, not JSON)."""


class UnsafeUrl(ValueError):
    """A URL that does not point at the configured WeCom API host and endpoint."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    timeout: float = 10.0
    """Per request, well under the shared session's own 15 s."""

    def delay(self, attempt: int) -> float:
        """Backoff before attempt `attempt + 1` (attempt counts from 1), with ±20 % jitter."""
        base = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return base * random.uniform(0.8, 1.2)


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


async def call_once(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """One request; returns the JSON answer when errcode is 0, else raises ApiError/TransportError."""
    try:
        async with session.request(
            method, url, json=json_body, params=params, timeout=aiohttp.ClientTimeout(total=timeout)
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
        raise TransportError(type(exc).__name__) from None
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
) -> dict[str, Any]:
    """`call_once`, retried on transport faults and retryable errcodes; `what` names it in logs."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call_once(session, method, url, json_body=json_body, params=params, timeout=policy.timeout)
        except ApiError as exc:
            if not exc.retryable or attempt >= policy.attempts:
                raise
            reason = f"errcode {exc.errcode}"
        except TransportError as exc:
            if attempt >= policy.attempts:
                raise
            reason = str(exc)
        delay = policy.delay(attempt)
        log.warning("%s failed (%s), retrying in %.1f s (attempt %d of %d)", what, reason, delay, attempt, policy.attempts)
        await asyncio.sleep(delay)
