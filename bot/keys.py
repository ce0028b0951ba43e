"""Every application key of the aiohttp app, in one leaf module (it imports nothing of bot/ but
the types), so the app factory, the adapters' wiring and the scheduler's wiring never import
each other to share them."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.runtime import Runtime
from handlers.intake import Intake, LateSender
from handlers.messages import Sender
from scheduler.service import SchedulerService

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
HTTP = web.AppKey("http", aiohttp.ClientSession)
SENDERS = web.AppKey("senders", dict[str, Sender])
"""Proactive senders by platform name; each adapter's setup adds its own, the outbox worker uses them."""
HEALTH_CHECKS = web.AppKey("health_checks", dict[str, Callable[[], str | None]])
"""Per component, a check returning what is wrong (in words for the operator) or None; /healthz
reports them. Each adapter's setup adds its own."""
SCHEDULER = web.AppKey("scheduler", SchedulerService)
INTAKE = web.AppKey("intake", Intake)
"""Durable intake: adapters hand verified messages to it and wait briefly for the reply."""
REPLY_CHANNELS = web.AppKey("reply_channels", dict[tuple[str, str], LateSender])
"""Late senders by (platform, channel kind); each adapter's setup adds its own."""
