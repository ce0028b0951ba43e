from __future__ import annotations

import gc

from aiohttp.test_utils import TestClient

from bot.keys import RUNTIME
from bot.app import create_app, create_server_app


async def test_the_app_opens_its_runtime_and_answers_health_checks(aiohttp_client, settings) -> None:
    client: TestClient = await aiohttp_client(create_app(settings))
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}
    assert client.app[RUNTIME].dispatcher is not None


async def test_an_oversized_body_is_refused_before_it_is_read(aiohttp_client, settings) -> None:
    app = create_app(settings)

    async def echo(request):
        return await request.read()

    app.router.add_post("/echo", echo)
    client = await aiohttp_client(app)
    response = await client.post("/echo", data=b"x" * (settings.server.max_body_bytes + 1))
    assert response.status == 413


async def test_the_server_app_freezes_its_start_up_heap_once_started(aiohttp_client, settings) -> None:
    # the segmenter's dictionary and compiled patterns out of every later full collection
    gc.unfreeze()
    try:
        client: TestClient = await aiohttp_client(create_server_app(settings))
        assert (await client.get("/healthz")).status == 200
        assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()


async def test_an_app_for_tests_and_one_shot_commands_freezes_nothing(aiohttp_client, settings) -> None:
    gc.unfreeze()
    await aiohttp_client(create_app(settings))
    assert gc.get_freeze_count() == 0
