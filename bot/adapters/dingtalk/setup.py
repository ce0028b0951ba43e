"""Wiring the DingTalk adapter into the aiohttp app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from bot.adapters.dingtalk import PLATFORM
from bot.adapters.dingtalk.api import DingTalkApi
from bot.adapters.dingtalk.callback import callback_handler
from bot.adapters.dingtalk.inbound import SESSION_WEBHOOK, InboundHandler
from bot.adapters.dingtalk.replying import Replier
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.adapters.dingtalk.stream import GendanStreamClient, create_stream_client
from bot.adapters.sending import RateLimiter, RetryPolicy
from bot.attachments import attachment_sender
from bot.config import Settings
from bot.keys import HTTP, INTAKE, REPLY_CHANNELS, RUNTIME, SENDERS
from handlers.messages import Outbound
from scheduler.outbox import defer_to_outbox

log = logging.getLogger(__name__)

DINGTALK_INBOUND = web.AppKey("dingtalk_inbound", InboundHandler)
DINGTALK_STREAM = web.AppKey("dingtalk_stream", GendanStreamClient)
STOP_TIMEOUT_SECONDS = 10.0


def setup_dingtalk(app: web.Application, settings: Settings) -> None:
    """Add the callback route or the Stream client, and the proactive sender, when enabled."""
    config = settings.dingtalk
    if not config.enabled:
        return
    secret = config.client_secret.get_secret_value()
    api = DingTalkApi(
        lambda: app[HTTP],
        api_base=config.api_base,
        oapi_base=config.oapi_base,
        client_id=config.client_id,
        client_secret=secret,
        robot_code=config.robot,
    )
    limiter = RateLimiter(config.rate_limit_per_minute, 60.0)
    policy = RetryPolicy(attempts=config.retry_attempts, base_delay=config.retry_base_seconds, max_delay=60.0)

    async def defer(message: Outbound, dedupe_key: str) -> None:
        await defer_to_outbox(app[RUNTIME].database, message, dedupe_key=dedupe_key, now=datetime.now(UTC))

    replier = Replier(
        api, limiter, policy, bot_name=settings.general.bot_name, defer=defer,
        send_attachment=attachment_sender(lambda: app[RUNTIME].database, app[SENDERS]),
    )
    bot = InboundHandler(lambda: app[INTAKE], replier)
    app[DINGTALK_INBOUND] = bot
    app[REPLY_CHANNELS][(PLATFORM, SESSION_WEBHOOK)] = bot.send_late
    app[SENDERS][PLATFORM] = DingTalkSender(api, limiter, policy, bot_name=settings.general.bot_name)

    if config.mode == "http":
        app.router.add_post(config.callback_path, callback_handler(bot, secret))

        async def replies_ctx(app: web.Application) -> AsyncIterator[None]:
            yield
            await replier.close()

        app.cleanup_ctx.append(replies_ctx)
        return

    async def stream_ctx(app: web.Application) -> AsyncIterator[None]:
        client = create_stream_client(
            bot,
            client_id=config.client_id,
            client_secret=secret,
            api_base=config.api_base,
            http=lambda: app[HTTP],
            reconnect_base=config.retry_base_seconds,
        )
        app[DINGTALK_STREAM] = client
        task = asyncio.create_task(client.start(), name="dingtalk-stream")
        log.info("DingTalk Stream client started")
        try:
            yield
        finally:
            await client.stop()
            try:
                await asyncio.wait_for(task, STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                log.warning("DingTalk Stream client did not stop in %.0f s; cancelled", STOP_TIMEOUT_SECONDS)
            await replier.close()
            log.info("DingTalk Stream client stopped")

    app.cleanup_ctx.append(stream_ctx)


