"""Sending a proactive message the way the outbox worker does: the route resolved from storage,
then the platform's sender (which never reads storage itself)."""

from __future__ import annotations

from aiohttp import web

from bot.keys import RUNTIME, SENDERS
from handlers.messages import Outbound
from scheduler.outbox import deliver


async def send_routed(app: web.Application, message: Outbound) -> None:
    await deliver(app[RUNTIME].database, app[SENDERS], message)
