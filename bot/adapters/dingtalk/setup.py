"""Wiring the DingTalk adapter into the aiohttp app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from bot.adapters.dingtalk.api import DingTalkApi
from bot.adapters.dingtalk.callback import callback_handler
from bot.adapters.dingtalk.inbound import PLATFORM
from bot.adapters.dingtalk.service import DingTalkBot, DingTalkSender
from bot.adapters.dingtalk.stream import GendanStreamClient, create_stream_client
from bot.adapters.sending import RateLimiter
from bot.config import Settings
from handlers.messages import InboundMessage, Outbound, Reply
from storage.outbox import enqueue

log = logging.getLogger(__name__)

DINGTALK_BOT = web.AppKey("dingtalk_bot", DingTalkBot)
DINGTALK_STREAM = web.AppKey("dingtalk_stream", GendanStreamClient)
STOP_TIMEOUT_SECONDS = 10.0


def setup_dingtalk(app: web.Application, settings: Settings) -> None:
    """Add the callback route or the Stream client, and the proactive sender, when enabled."""
    config = settings.dingtalk
    if not config.enabled:
        return
    # Imported here: bot.app imports the adapters to register them.
    from bot.app import HTTP, RUNTIME, SENDERS

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

    async def dispatch(message: InboundMessage) -> Reply:
        return await app[RUNTIME].dispatcher.handle(message)

    async def defer(message: Outbound, dedupe_key: str) -> None:
        await app[RUNTIME].database.run(
            lambda session: enqueue(
                session,
                dedupe_key=dedupe_key,
                platform=message.platform,
                chat_id=message.chat_id,
                text=message.text,
                mention_user_ids=message.mention_user_ids,
                now=datetime.now(UTC),
            )
        )

    bot = DingTalkBot(
        api,
        dispatch,
        limiter,
        bot_name=settings.general.bot_name,
        retry_attempts=config.retry_attempts,
        retry_base=config.retry_base_seconds,
        defer=defer,
    )
    app[DINGTALK_BOT] = bot
    app[SENDERS][PLATFORM] = DingTalkSender(
        lambda: api,
        lambda: app[RUNTIME].database,
        limiter,
        bot_name=settings.general.bot_name,
        retry_attempts=config.retry_attempts,
        retry_base=config.retry_base_seconds,
    )

    if config.mode == "http":
        app.router.add_post(config.callback_path, callback_handler(bot, secret))

        async def replies_ctx(app: web.Application) -> AsyncIterator[None]:
            yield
            await bot.close()

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
            await bot.close()
            log.info("DingTalk Stream client stopped")

    app.cleanup_ctx.append(stream_ctx)


