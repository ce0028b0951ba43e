"""HTTP callback mode: DingTalk POSTs each robot message to `callback_path`, signed with the app
secret (`timestamp` and `sign` headers)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.adapters.dingtalk.inbound import verify_callback
from bot.adapters.dingtalk.service import BadPayload, DingTalkBot

log = logging.getLogger(__name__)


def callback_handler(bot: DingTalkBot, secret: str) -> web.Handler:
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
