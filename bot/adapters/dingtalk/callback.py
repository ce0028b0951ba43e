"""HTTP callback mode: DingTalk POSTs each robot message to `callback_path`, signed with the app
secret (`timestamp` and `sign` headers)."""

from __future__ import annotations

import hmac
import logging
import time

from aiohttp import web

from bot.adapters.dingtalk.api import callback_signature
from bot.adapters.dingtalk.inbound import BadPayload, InboundHandler

log = logging.getLogger(__name__)

CALLBACK_MAX_SKEW_MS = 3_600_000
"""DingTalk signs callbacks with a timestamp that must be within one hour of our clock."""


def verify_callback(timestamp: str | None, sign: str | None, secret: str, *, now_ms: int | None = None) -> bool:
    """True when the `timestamp` header is within an hour and `sign` is its HMAC under `secret`."""
    if not timestamp or not sign or not secret or not timestamp.isdigit():
        return False
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > CALLBACK_MAX_SKEW_MS:
        return False
    expected = callback_signature(timestamp, secret)
    return hmac.compare_digest(expected.encode("ascii"), sign.encode("utf-8", "replace"))


def callback_handler(bot: InboundHandler, secret: str) -> web.Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if not verify_callback(request.headers.get("timestamp"), request.headers.get("sign"), secret):
            log.warning("DingTalk callback from %s refused: bad or stale signature", request.remote)
            return web.json_response({"errcode": 403, "errmsg": "签名校验失败"}, status=403)
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return web.json_response({"errcode": 400, "errmsg": "请求体不是 JSON 对象"}, status=400)
        try:
            await bot.receive(data)
        except BadPayload as exc:
            log.warning("DingTalk callback ignored: %s", exc)
            return web.json_response({"errcode": 400, "errmsg": "无法识别的机器人消息"}, status=400)
        except Exception:
            log.exception("DingTalk callback could not be recorded; answering 503 so it is delivered again")
            return web.json_response({"errcode": 503, "errmsg": "暂时无法处理，请稍后重试"}, status=503)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    return handle
