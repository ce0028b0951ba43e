"""Fixtures for the WeCom adapter: the fake WeCom on 127.0.0.1 and the app configured against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom

GROUP = "wrTEST"
ADMIN = "zhangsan"
WORKER = "lisi"
GROUP_KEY = "group-key-0001"


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def wecom_mode() -> str:
    return "callback"


@pytest.fixture
def settings_data(settings_data: dict, fake: FakeWeCom, wecom_mode: str) -> dict:
    settings_data["wecom"] = {
        "enabled": True,
        "mode": wecom_mode,
        "token": fake.token,
        "encoding_aes_key": fake.encoding_aes_key,
        "bot_id": fake.bot_id,
        "secret": fake.bot_secret,
        "api_base": fake.base_url,
        "ws_url": fake.ws_url,
        "corp_id": fake.corp_id,
        "agent_id": 1000002,
        "agent_secret": fake.agent_secret,
    }
    settings_data["people"] = [
        {"platform": "wecom", "user_id": ADMIN, "role": "admin", "name": "张三"},
        {"platform": "wecom", "user_id": WORKER, "role": "staff", "name": "李四"},
    ]
    settings_data["chats"] = [
        {"platform": "wecom", "chat_id": GROUP, "role": "department", "name": "焊接车间", "department": "焊接车间",
         "webhook_url": fake.webhook_url(GROUP_KEY)},
    ]
    return settings_data


@pytest.fixture
async def client(aiohttp_client: Callable[..., Any], settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(settings))
