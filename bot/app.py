"""The aiohttp application behind `gendan run`: platform routes, long connections, the scheduler.

Typed state lives under `web.AppKey`s; every resource is opened and closed by a cleanup context,
so a stopped app leaves no connection or task behind.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from bot.adapters.dingtalk.setup import setup_dingtalk
from bot.adapters.wecom.setup import setup_wecom
from bot.config import Settings
from bot.keys import HEALTH_CHECKS, HTTP, INTAKE, REPLY_CHANNELS, RUNTIME, SENDERS, SETTINGS
from bot.runtime import open_runtime
from bot.scheduling import scheduler_ctx
from bot.web.setup import setup_web
from handlers.intake import Intake

AdapterSetup = Callable[[web.Application, Settings], None]
ADAPTER_SETUPS: tuple[AdapterSetup, ...] = (setup_wecom, setup_dingtalk)
"""Each configured platform adds its routes and cleanup contexts; registered here, in one place."""


async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
    async with open_runtime(app[SETTINGS]) as runtime:
        app[RUNTIME] = runtime
        yield


async def http_client_ctx(app: web.Application) -> AsyncIterator[None]:
    """One outgoing HTTP client for every platform API call, with timeouts."""
    timeout = aiohttp.ClientTimeout(total=15, connect=5)
    async with aiohttp.ClientSession(timeout=timeout, raise_for_status=False) as session:
        app[HTTP] = session
        yield


async def intake_ctx(app: web.Application) -> AsyncIterator[None]:
    """Durable intake, started once every adapter's reply channels are registered (it may resume
    late answers at once) and closed before them: in-flight messages finish, late answers go out."""
    runtime = app[RUNTIME]
    intake = Intake(runtime.database, runtime.dispatcher)
    for (platform, kind), sender in app[REPLY_CHANNELS].items():
        intake.register_channel(platform, kind, sender)
    app[INTAKE] = intake
    await intake.start()
    try:
        yield
    finally:
        await intake.close()


async def stop_taking_messages(app: web.Application) -> None:
    """On shutdown (SIGTERM), before anything closes: no new message is accepted (the platform
    is not acknowledged and delivers it again); the ones accepted are finished."""
    if INTAKE in app:
        app[INTAKE].stop_accepting()


async def health(request: web.Request) -> web.Response:
    """200 {"status": "ok"}, or 503 {"status": "degraded", "problems": {component: what}} when a
    component reports a problem that needs an operator (a displaced long connection)."""
    problems = {name: problem for name, check in request.app[HEALTH_CHECKS].items() if (problem := check())}
    if problems:
        return web.json_response({"status": "degraded", "problems": problems}, status=503)
    return web.json_response({"status": "ok"})


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app[SETTINGS] = settings
    app[SENDERS] = {}
    app[REPLY_CHANNELS] = {}
    app[HEALTH_CHECKS] = {}
    app.cleanup_ctx.append(runtime_ctx)
    app.cleanup_ctx.append(http_client_ctx)
    app.router.add_get("/healthz", health)
    for setup in ADAPTER_SETUPS:
        setup(app, settings)
    app.cleanup_ctx.append(intake_ctx)  # after the adapters: closed before their connections
    app.on_shutdown.append(stop_taking_messages)
    setup_web(app, settings)  # the board and the customer portal ([web])
    app.cleanup_ctx.append(scheduler_ctx)  # last: starts once every adapter's sender is registered
    return app


async def freeze_startup_heap(app: web.Application) -> None:
    """Once started, everything made so far (the segmenter's dictionary, compiled patterns, the
    configuration: millions of objects that live as long as the process) goes to the permanent
    generation, so a full collection walks only what messages made since. Without it a full
    collection under load took ~120 ms and held every message behind it (benchmarks/inbound_load.py:
    max 140 ms, p99 46-73 ms at 200/s; with it 2-3 ms)."""
    gc.collect()
    gc.freeze()


def create_server_app(settings: Settings) -> web.Application:
    """`create_app` for a long-running server (`gendan run`), its start-up heap frozen once started
    (not in tests or one-shot commands, where frozen objects would never be freed)."""
    app = create_app(settings)
    app.on_startup.append(freeze_startup_heap)
    return app

