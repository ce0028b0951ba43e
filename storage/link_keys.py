"""The per-scope keys that web links are signed with: read, created on first use, rotated to revoke."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LinkKey


def _new_key() -> str:
    return secrets.token_urlsafe(32)


async def find_key(session: AsyncSession, scope: str) -> LinkKey | None:
    return await session.scalar(select(LinkKey).where(LinkKey.scope == scope))


async def key_for(session: AsyncSession, scope: str, now: datetime) -> LinkKey:
    """The scope's key, created on first use (a racing creator's row wins; ours is discarded)."""
    found = await find_key(session, scope)
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            key = LinkKey(scope=scope, key=_new_key(), generation=1, rotated_at=now)
            session.add(key)
    except IntegrityError:
        found = await find_key(session, scope)
        assert found is not None
        return found
    return key


async def rotate_key(session: AsyncSession, scope: str, now: datetime) -> LinkKey:
    """A new key for the scope: every link signed with the old one stops working."""
    key = await find_key(session, scope)
    if key is None:
        key = LinkKey(scope=scope, key=_new_key(), generation=1, rotated_at=now)
        session.add(key)
    else:
        key.key = _new_key()
        key.generation += 1
        key.rotated_at = now
    await session.flush()
    return key
