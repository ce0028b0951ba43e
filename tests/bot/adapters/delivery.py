"""Sending a proactive message the way the outbox worker does: the route resolved from storage,
then the platform's sender (which never reads storage itself)."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from bot.keys import RUNTIME, SENDERS
from handlers.messages import Outbound
from scheduler.outbox import deliver, resolve_routes


async def send_routed(app: web.Application, message: Outbound) -> None:
    await deliver(app[RUNTIME].database, app[SENDERS], message)


async def send_through_sender(app: web.Application, message: Outbound) -> None:
    """Straight to the platform's sender with the route resolved as the worker resolves it, but
    without the worker's handling: what the sender itself raises reaches the test."""
    key = (message.platform, message.chat_id)
    routes = await app[RUNTIME].database.run(lambda session: resolve_routes(session, {key}))
    await app[SENDERS][message.platform].send(replace(message, route=routes[key]))
