"""HTTP callback mode: DingTalk POSTs each robot message to `callback_path`, signed with the app
secret (`timestamp` and `sign` headers).

Order of checks, each refusal logged without secrets and answered with a clear 4xx (never a 5xx
for bad input: DingTalk must not deliver it again): the timestamp a plain number of at most 15
digits, within an hour, and `sign` its HMAC (403) → the body read whole, a JSON object (400) →
(timestamp, sign) not seen before with another body (403; the sign covers only the timestamp, so a
captured pair would otherwise let anyone post any body for an hour; the identical request again is
a redelivery, answered by the msgId de-duplication) → the robot message's fields of the right
types (400). Only a fault of our own (the database down) is a 503, so the message comes again.
"""

from __future__ import annotations

import hmac
import json
import logging
import time

from aiohttp import web

from bot.adapters.dingtalk.api import callback_signature
from bot.adapters.dingtalk.inbound import BadPayload, InboundHandler
from bot.adapters.replay import Replayed, SeenRequests

log = logging.getLogger(__name__)

CALLBACK_MAX_SKEW_MS = 3_600_000
"""DingTalk signs callbacks with a timestamp that must be within one hour of our clock."""
MAX_TIMESTAMP_DIGITS = 15
"""Milliseconds since 1970 have 13 digits; anything much longer is not a timestamp."""


def verify_callback(timestamp: str | None, sign: str | None, secret: str, *, now_ms: int | None = None) -> bool:
    """True when the `timestamp` header is within an hour and `sign` is its HMAC under `secret`.
    The format is checked before any arithmetic, so a hostile header never raises."""
    if not timestamp or not sign or not secret:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        return False
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > CALLBACK_MAX_SKEW_MS:
        return False
    expected = callback_signature(timestamp, secret)
    return hmac.compare_digest(expected.encode("ascii"), sign.encode("utf-8", "replace"))


def callback_handler(bot: InboundHandler, secret: str, *, seen: SeenRequests | None = None) -> web.Handler:
    # Two hours: the hour of the window either side of our clock.
    seen = seen or SeenRequests(2 * CALLBACK_MAX_SKEW_MS / 1000)

    async def handle(request: web.Request) -> web.StreamResponse:
        timestamp, sign = request.headers.get("timestamp"), request.headers.get("sign")
        if not verify_callback(timestamp, sign, secret):
            log.warning("DingTalk callback from %s refused: bad or stale signature", request.remote)
            return web.json_response({"errcode": 403, "errmsg": "签名校验失败"}, status=403)
        assert timestamp is not None and sign is not None
        raw = await request.read()  # the whole body, within the app's client_max_size
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            log.warning("DingTalk callback from %s refused: body is not a JSON object", request.remote)
            return web.json_response({"errcode": 400, "errmsg": "请求体不是 JSON 对象"}, status=400)
        try:
            if seen.remember((timestamp, sign), raw):
                log.info("DingTalk callback delivered again (same signed request)")
        except Replayed:
            log.warning("DingTalk callback from %s refused: timestamp and sign seen before (replay)", request.remote)
            return web.json_response({"errcode": 403, "errmsg": "签名已使用过"}, status=403)
        try:
            await bot.receive(data)
        except BadPayload as exc:
            log.warning("DingTalk callback refused: %s", exc)
            return web.json_response({"errcode": 400, "errmsg": "无法识别的机器人消息"}, status=400)
        except Exception:
            log.exception("DingTalk callback could not be recorded; answering 503 so it is delivered again")
            return web.json_response({"errcode": 503, "errmsg": "暂时无法处理，请稍后重试"}, status=503)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    return handle
