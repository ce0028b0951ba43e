from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text, update

from storage.database import Database
from storage.models import Customer

EAST_8 = timezone(timedelta(hours=8))


async def _stored(database: Database, moment: datetime) -> datetime:
    async with database.transaction() as session:
        await session.execute(insert(Customer).values(name="甲", created_at=moment))
    async with database.read() as session:
        return await session.scalar(select(Customer.created_at).where(Customer.name == "甲"))


async def test_a_moment_reads_back_as_the_same_aware_utc_moment(database: Database) -> None:
    for moment in (
        datetime(2026, 11, 27, 8, 30, 0, 123456, tzinfo=timezone.utc),
        datetime(2026, 11, 27, 16, 30, tzinfo=EAST_8),  # no microseconds, another offset
        datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc),
    ):
        async with database.transaction() as session:
            await session.execute(text("DELETE FROM customers"))
        read = await _stored(database, moment)
        assert read == moment
        assert read.tzinfo is timezone.utc
        assert read.utcoffset() == timedelta(0)


async def test_a_moment_stored_in_another_text_form_still_reads_as_utc(database: Database) -> None:
    if database.dialect != "sqlite":
        pytest.skip("PostgreSQL stores a timestamp, not text")
    await _stored(database, datetime(2026, 11, 27, 8, 30, tzinfo=timezone.utc))
    for stored, expected in (
        ("2026-11-27 09:15:00", datetime(2026, 11, 27, 9, 15, tzinfo=timezone.utc)),  # as SQL's CURRENT_TIMESTAMP writes
        ("2026-11-27 09:15:00.5", datetime(2026, 11, 27, 9, 15, 0, 500000, tzinfo=timezone.utc)),
    ):
        async with database.transaction() as session:
            await session.execute(update(Customer).values(created_at=text(f"'{stored}'")))
        async with database.read() as session:
            read = await session.scalar(select(Customer.created_at))
        assert read == expected and read.tzinfo is timezone.utc
