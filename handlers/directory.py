"""Who is talking where: customers, chats and people, created on first sight."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.messages import InboundMessage
from storage.limits import fit
from storage.models import Chat, Customer, Person


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
