"""Bring what configuration says (templates, chat and person bindings) into the database at start."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.directory import get_or_create_customer
from handlers.templates import TemplateSet
from storage.models import (
    Chat,
    ChatRole,
    Person,
    PersonRole,
    StoredTemplate,
    TemplateStep,
)


class ChatBindingLike(Protocol):
    platform: str
    chat_id: str
    role: str
    name: str
    department: str | None
    customer: str | None
    webhook_url: str | None


class PersonBindingLike(Protocol):
    platform: str
    user_id: str
    role: str
    name: str
    customer: str | None


async def sync_templates(session: AsyncSession, templates: TemplateSet) -> None:
    """Make the stored templates match the configured ones (orders keep their own milestone rows)."""
    stored = {
        row.name: row for row in await session.scalars(select(StoredTemplate).options(selectinload(StoredTemplate.steps)))
    }
    for template in templates.templates:
        row = stored.get(template.name)
        if row is None:
            row = StoredTemplate(name=template.name, description=template.description, steps=[])
            session.add(row)
        row.description = template.description
        wanted = [
            (seq, spec.name, list(spec.synonyms), spec.days, spec.department)
            for seq, spec in enumerate(template.milestones, start=1)
        ]
        current = [(s.seq, s.name, list(s.synonyms), s.days, s.department) for s in row.steps]
        if current != wanted:
            row.steps.clear()
            await session.flush()
            row.steps.extend(
                TemplateStep(seq=seq, name=name, synonyms=synonyms, days=days, department=department)
                for seq, name, synonyms, days, department in wanted
            )


async def apply_bindings(
    session: AsyncSession,
    chats: Sequence[ChatBindingLike],
    people: Sequence[PersonBindingLike],
) -> None:
    now = datetime.now(UTC)
    for binding in chats:
        chat = await session.scalar(
            select(Chat).where(Chat.platform == binding.platform, Chat.chat_id == binding.chat_id)
        )
        if chat is None:
            chat = Chat(platform=binding.platform, chat_id=binding.chat_id, created_at=now)
            session.add(chat)
        chat.role = ChatRole(binding.role)
        chat.name = binding.name or chat.name or ""
        chat.department = binding.department
        chat.customer_id = (await get_or_create_customer(session, binding.customer, now)).id if binding.customer else None
        if binding.webhook_url:
            chat.webhook_url = binding.webhook_url
    for binding in people:
        person = await session.scalar(
            select(Person).where(Person.platform == binding.platform, Person.user_id == binding.user_id)
        )
        if person is None:
            person = Person(platform=binding.platform, user_id=binding.user_id, created_at=now)
            session.add(person)
        person.role = PersonRole(binding.role)
        person.display_name = binding.name or person.display_name or ""
        person.customer_id = (
            (await get_or_create_customer(session, binding.customer, now)).id if binding.customer else None
        )
