"""Shared fixtures: a real database (SQLite in a temp dir, or PostgreSQL when
GENDAN_TEST_DATABASE_URL is set), a runtime on it, and a chat to talk to the bot through."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings, parse_settings
from bot.runtime import Runtime, open_runtime
from storage.database import Database
from tests.helpers import ChatSession
from tests.storage.fake_postgres import FakePostgres

PG_ENV = "GENDAN_TEST_DATABASE_URL"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
"""A Monday, a working day: the reference time of most tests."""

_PG_KEY = pytest.StashKey[tuple[str, str]]()

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_plain(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    """On PostgreSQL, run this session in a database of its own, so concurrent runs never collide."""
    base = os.environ.get(PG_ENV)
    if not base or os.environ.get("GENDAN_TEST_DATABASE_OWNED"):
        return
    name = f"gendan_test_{os.getpid()}"
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    config.stash[_PG_KEY] = (base, name)
    os.environ[PG_ENV] = make_url(base).set(database=name).render_as_string(hide_password=False)
    os.environ["GENDAN_TEST_DATABASE_OWNED"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    owned = config.stash.get(_PG_KEY, None)
    if owned is None:
        return
    base, name = owned
    os.environ[PG_ENV] = base
    os.environ.pop("GENDAN_TEST_DATABASE_OWNED", None)
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@asynccontextmanager
async def scratch_postgres(url: str, name: str = "gendan_bench") -> AsyncIterator[str]:
    """A database of its own on the server of `url` (`name` plus this process's id), created empty
    and dropped afterwards: a benchmark never touches the database tests or other runs use."""
    own = f"{name}_{os.getpid()}"
    await _admin(url, f'DROP DATABASE IF EXISTS "{own}"')
    await _admin(url, f'CREATE DATABASE "{own}"')
    try:
        yield make_url(url).set(database=own).render_as_string(hide_password=False)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


async def reset_postgres(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await database.dispose()


@pytest.fixture
async def fake_postgres(database_url: str) -> AsyncIterator[FakePostgres]:
    """A proxy in front of the test PostgreSQL that can play a restart or an outage (PostgreSQL runs only)."""
    if not database_url.startswith("postgresql"):
        pytest.skip(f"needs PostgreSQL: set {PG_ENV}")
    url = make_url(database_url)
    proxy = await FakePostgres(url.host or "127.0.0.1", url.port or 5432).start()
    yield proxy
    await proxy.close()


def through(proxy: FakePostgres, database_url: str) -> str:
    """`database_url` pointed at `proxy`."""
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


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
