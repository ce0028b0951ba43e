"""Who is talking where: customers, chats and people, created on first sight."""

from __future__ import annotations

import time
import weakref
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from handlers.messages import InboundMessage
from storage.limits import fit
from storage.models import Chat, Customer, Person, PersonRole


async def get_or_create_customer(session: AsyncSession, name: str, now: datetime) -> Customer:
    """The customer named `name` (clipped to the column, as stored), created on first sight."""
    name = fit(Customer.name, name)
    customer = await session.scalar(select(Customer).where(Customer.name == name))
    if customer is None:
        customer = Customer(name=name, created_at=now)
        session.add(customer)
        await session.flush()
    return customer


async def find_customer(session: AsyncSession, name: str) -> Customer | None:
    return await session.scalar(select(Customer).where(Customer.name == fit(Customer.name, name)))


async def chat_for(session: AsyncSession, message: InboundMessage) -> Chat:
    chat = await session.scalar(
        select(Chat).where(Chat.platform == message.platform, Chat.chat_id == message.chat_id)
    )
    if chat is None:
        chat = Chat(
            platform=message.platform,
            chat_id=message.chat_id,
            name=message.chat_name,
            created_at=message.sent_at,
        )
        session.add(chat)
        await session.flush()
    elif message.chat_name and chat.name != message.chat_name:
        chat.name = message.chat_name
    return chat


async def person_for(session: AsyncSession, message: InboundMessage) -> Person:
    person = await session.scalar(
        select(Person).where(Person.platform == message.platform, Person.user_id == message.sender_id)
    )
    if person is None:
        person = Person(
            platform=message.platform,
            user_id=message.sender_id,
            display_name=message.sender_name,
            created_at=message.sent_at,
        )
        session.add(person)
        await session.flush()
    elif message.sender_name and person.display_name != message.sender_name:
        person.display_name = message.sender_name
    return person


async def give_role_unless_set(
    session: AsyncSession, platform: str, user_id: str, name: str, role: PersonRole, now: datetime
) -> Person:
    """Give a person `role` only when they have none yet; a role (and customer) already given by
    「授权」 or the configuration stays. Returns the person as they now stand."""
    person = await session.scalar(select(Person).where(Person.platform == platform, Person.user_id == user_id))
    if person is None:
        person = Person(platform=platform, user_id=user_id, display_name=name, created_at=now)
        session.add(person)
    if person.role is None:
        person.role = role
    await session.flush()
    return person


CACHE_SECONDS = 10.0
"""How long a cached chat or person is trusted without a change seen in this process (bounds how
stale a change made by another process — another instance, the CLI — can look)."""


class Directory:
    """Chats and people by platform id, cached across messages so an ordinary message needs no
    SELECT for them. Any flush in this process that adds, changes or deletes a chat or a person
    drops it from every cache; entries also expire after `CACHE_SECONDS`."""

    _all: weakref.WeakSet[Directory] = weakref.WeakSet()

    def __init__(self, *, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[type, str, str], tuple[float, Any]] = {}
        Directory._all.add(self)

    async def chat_for(self, session: AsyncSession, message: InboundMessage) -> Chat:
        cached = self._cached(session, (Chat, message.platform, message.chat_id))
        if cached is not None and not (message.chat_name and cached.name != message.chat_name):
            return cached
        chat = await chat_for(session, message)
        self._keep(session, (Chat, message.platform, message.chat_id), chat)
        return chat

    async def person_for(self, session: AsyncSession, message: InboundMessage) -> Person:
        cached = self._cached(session, (Person, message.platform, message.sender_id))
        if cached is not None and not (message.sender_name and cached.display_name != message.sender_name):
            return cached
        person = await person_for(session, message)
        self._keep(session, (Person, message.platform, message.sender_id), person)
        return person

    def _cached(self, session: AsyncSession, key: tuple[type, str, str]) -> Any:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        state = inspect(entry[1])
        if state.unloaded or state.expired_attributes or state.modified:
            self._entries.pop(key, None)  # expired or changed since: load it afresh
            return None
        # A copy attached to this session without a SELECT (the cached one is detached and clean).
        return await_merge(session, entry[1])

    def _keep(self, session: AsyncSession, key: tuple[type, str, str], instance: Any) -> None:
        if instance in session.new or instance in session.dirty:
            return  # cached once it is stored as it is
        self._entries[key] = (time.monotonic(), instance)

    def forget(self, kind: type, platform: str, platform_id: str) -> None:
        self._entries.pop((kind, platform, platform_id), None)


def await_merge(session: AsyncSession, instance: Any) -> Any:
    return session.sync_session.merge(instance, load=False)


def _key_of(instance: Any) -> tuple[type, str, str] | None:
    if isinstance(instance, Chat):
        return (Chat, instance.platform, instance.chat_id)
    if isinstance(instance, Person):
        return (Person, instance.platform, instance.user_id)
    return None


@event.listens_for(Session, "after_flush")
def _forget_changed(session: Session, _context: Any) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        key = _key_of(instance)
        if key is not None:
            for directory in Directory._all:
                directory.forget(*key)
