"""Wiring the WeCom adapter into the app: the route or the long connection, and the sender."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from bot.adapters.wecom import PLATFORM
from bot.adapters.wecom.api import AppMessenger, WebhookClient
from bot.adapters.wecom.callback import CallbackEndpoint, add_routes
from bot.adapters.wecom.crypto import WeComCrypto
from bot.adapters.wecom.inbound import RESPONSE_URL, MessageHandling
from bot.adapters.wecom.sender import WeComSender
from bot.adapters.wecom.websocket import REQ_ID, WsClient
from bot.attachments import attachment_sender
from bot.keys import HEALTH_CHECKS, HTTP, INTAKE, REPLY_CHANNELS, RUNTIME, SENDERS
from bot.config import Settings
from handlers.intake import ReplyChannel
from handlers.messages import InboundMessage, Reply

WS_CLIENT = web.AppKey("wecom_ws_client", WsClient)
CALLBACK = web.AppKey("wecom_callback", CallbackEndpoint)


def setup_wecom(app: web.Application, settings: Settings) -> None:
    """Add the callback route or the long connection, and the WeCom sender; nothing when disabled."""
    config = settings.wecom
    if not config.enabled:
        return
    handling = MessageHandling(
        lambda: app[INTAKE],
        bot_names=(settings.general.bot_name,),
        send_attachment=attachment_sender(lambda: app[RUNTIME].database, app[SENDERS]),
    )

    if config.mode == "callback":
        endpoint = CallbackEndpoint(
            WeComCrypto(config.token, config.encoding_aes_key),
            handling,
            api_base=config.api_base,
            max_body_bytes=settings.server.max_body_bytes,
            reply_within_seconds=config.reply_within_seconds,
        )
        app[CALLBACK] = endpoint
        add_routes(app, config.callback_path, endpoint)
        app[REPLY_CHANNELS][(PLATFORM, RESPONSE_URL)] = endpoint.send_late
    else:

        async def send_late(message: InboundMessage, channel: ReplyChannel, reply: Reply) -> None:
            await app[WS_CLIENT].send_late(message, channel, reply)

        app[REPLY_CHANNELS][(PLATFORM, REQ_ID)] = send_late

    async def wecom_ctx(app: web.Application) -> AsyncIterator[None]:
        session = app[HTTP]
        ws_client = None
        ws_task = None
        if config.mode == "callback":
            app[CALLBACK].session = session
        else:
            ws_client = WsClient(
                session, config.ws_url, config.bot_id, config.secret, handling,
                reply_within_seconds=config.reply_within_seconds,
            )
            app[WS_CLIENT] = ws_client
            app[HEALTH_CHECKS][PLATFORM] = lambda: ws_client.problem if ws_client is not None else None
            ws_task = asyncio.create_task(ws_client.run(), name="wecom-websocket")
        messenger = None
        if config.app_messages_enabled:
            assert config.agent_id is not None
            messenger = AppMessenger(session, config.api_base, config.corp_id, config.agent_id, config.agent_secret)
        webhooks = WebhookClient(session, config.api_base, per_minute=config.webhook_per_minute)
        app[SENDERS][PLATFORM] = WeComSender(webhooks, ws=ws_client, app=messenger)
        try:
            yield
        finally:
            app[SENDERS].pop(PLATFORM, None)
            app[HEALTH_CHECKS].pop(PLATFORM, None)
            if ws_task is not None and ws_client is not None:
                ws_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ws_task
                await ws_client.close()

    app.cleanup_ctx.append(wecom_ctx)


__all__ = ["setup_wecom", "WS_CLIENT", "CALLBACK"]
