"""Fixtures for the DingTalk adapter: the fake DingTalk on 127.0.0.1 and settings pointing at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.adapters.dingtalk.api import DingTalkApi
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk

STAFF_ID = "user001"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDingTalk]:
    fake = await FakeDingTalk().start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api(fake: FakeDingTalk, http: aiohttp.ClientSession) -> DingTalkApi:
    return DingTalkApi(
        lambda: http,
        api_base=fake.base_url,
        oapi_base=fake.base_url,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        robot_code=fake.client_id,
    )


@pytest.fixture
def dingtalk_mode() -> str:
    return "stream"


@pytest.fixture
def settings_data(database_url: str, fake: FakeDingTalk, dingtalk_mode: str) -> dict:
    """The app's configuration: DingTalk pointing at the fake, the test sender an admin."""
    return {
        "database": {"url": database_url},
        "dingtalk": {
            "enabled": True,
            "mode": dingtalk_mode,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "api_base": fake.base_url,
            "oapi_base": fake.base_url,
            "retry_base_seconds": 0.02,
            "retry_attempts": 3,
        },
        "people": [{"platform": "dingtalk", "user_id": STAFF_ID, "role": "admin", "name": "张三"}],
    }
