"""`gendan web link` and `gendan web revoke`: print a link, or revoke every link of a scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from bot.web.links import LinkSigner
from handlers.directory import find_customer
from handlers.links import IssuedLink, LinkScope


class ScopeNotFound(LookupError):
    """No customer of that name; the message is for the operator."""


async def _scope(session: AsyncSession, customer: str | None) -> LinkScope:
    if customer is None:
        return LinkScope.managers()
    found = await find_customer(session, customer.strip())
    if found is None:
        raise ScopeNotFound(f"no customer named {customer!r}")
    return LinkScope.customer(found.id)


async def print_link(runtime: Runtime, customer: str | None, hours: int | None, now: datetime) -> IssuedLink:
    signer = LinkSigner(runtime.settings)

    async def work(session: AsyncSession) -> IssuedLink:
        return await signer.issue(session, await _scope(session, customer), now, hours)

    return await runtime.database.run(work)


async def revoke(runtime: Runtime, customer: str | None, now: datetime) -> int:
    signer = LinkSigner(runtime.settings)

    async def work(session: AsyncSession) -> int:
        return await signer.revoke(session, await _scope(session, customer), now)

    return await runtime.database.run(work)
