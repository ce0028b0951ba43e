"""Shared fixtures: a real database (SQLite in a temp dir, or PostgreSQL when
GENDAN_TEST_DATABASE_URL is set), a runtime on it, and a chat to talk to the bot through."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.config import Settings, parse_settings
from bot.runtime import Runtime, open_runtime
from storage.database import Database
from tests.helpers import ChatSession

PG_ENV = "GENDAN_TEST_DATABASE_URL"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
"""A Monday, a working day: the reference time of most tests."""

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


async def reset_postgres(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await database.dispose()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = os.environ.get(PG_ENV)
    if url:
        await reset_postgres(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'gendan.db'}"


@pytest.fixture
def settings_data(database_url: str) -> dict:
    """The configuration of a test, as TOML data; tests add to it before `settings` is built."""
    return {"database": {"url": database_url}}


@pytest.fixture
def settings(settings_data: dict) -> Settings:
    return parse_settings(settings_data, environ={})


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as runtime:
        yield runtime


@pytest.fixture
async def database(runtime: Runtime) -> Database:
    return runtime.database


@pytest.fixture
async def chat(runtime: Runtime) -> ChatSession:
    """A person with no role of their own (so staff) in the 焊接车间 department group, speaking at NOW
    (each message a second later)."""
    return await ChatSession(runtime, now=NOW).bind_chat("department", department="焊接车间")
