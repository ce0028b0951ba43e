"""The context one message is handled in: its session (one transaction), chat, sender and clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.messages import InboundMessage
from handlers.redaction import redact_secrets
from handlers.settings import HandlerSettings
from handlers.understanding.items import ParsedItem
from storage.models import Chat, ChatRole, Event, EventKind, Order, Person, PersonRole


class TextParser(Protocol):
    def parse(self, text: str, now: datetime) -> list[ParsedItem]: ...


@dataclass(frozen=True)
class PreParsed:
    """A parser that already understood one text: understanding is pure CPU work, so it is done
    before the message's transaction opens (which then holds the write lock only for the writes)."""

    parser: TextParser
    text: str
    now: datetime
    items: list[ParsedItem]

    def parse(self, text: str, now: datetime) -> list[ParsedItem]:
        if (text, now) == (self.text, self.now):
            return list(self.items)
        return self.parser.parse(text, now)


@dataclass
class Context:
    session: AsyncSession
    message: InboundMessage
    text: str
    """The message text with @-mentions stripped."""
    chat: Chat
    person: Person
    settings: HandlerSettings
    parser: TextParser
    about_order: str | None = None
    """The order this message turned out to be about; later messages naming none default to it."""
    recorded: list[Event] = field(default_factory=list)
    """The events this message appended, in order (the session's identity map keeps them only weakly)."""
    question_open: bool | None = None
    """Whether the sender has a question open in this chat, when read before handling (None: ask)."""
    undone_lately: bool | None = None
    """Whether the sender undid a record in this chat within the correction window, when read
    before handling (None: ask)."""
    orders_read: dict[str, Order | None] = field(default_factory=dict)
    """Orders read before handling (with the checks every message needs, in one statement), by
    number, whoever may see them; None: there is no such order. `visible_order` asks no more for
    them."""

    @property
    def now(self) -> datetime:
        return self.message.sent_at

    @property
    def today(self) -> date:
        return self.now.astimezone(self.settings.tz).date()

    @property
    def role(self) -> PersonRole | None:
        """The sender's role: their own when given; else staff in a bound group, customer in a customer
        group; None for an unknown person in an unbound chat, who may record nothing."""
        if self.person.role:
            return PersonRole(self.person.role)
        if self.chat.role == ChatRole.CUSTOMER:
            return PersonRole.CUSTOMER
        if self.chat.role:
            return PersonRole.STAFF
        return None

    @property
    def sender_name(self) -> str:
        return self.person.display_name or self.message.sender_name or self.message.sender_id

    def local_time(self, moment: datetime) -> datetime:
        return moment.astimezone(self.settings.tz)

    def record(
        self,
        kind: EventKind,
        *,
        order: Order | None = None,
        item: dict[str, Any] | None = None,
        before: dict[str, Any] | None = None,
        milestone: str | None = None,
        flagged: str | None = None,
    ) -> Event:
        """Append one event to the audit log for what this message did."""
        event = Event(
            kind=kind,
            order=order,
            milestone=milestone,
            platform=self.message.platform,
            chat_id=self.message.chat_id,
            actor_id=self.message.sender_id,
            actor_name=self.sender_name,
            message_id=self.message.message_id,
            raw_text=redact_secrets(self.text),
            item=item or {},
            before=before,
            flagged=flagged,
            created_at=self.now,
        )
        self.session.add(event)
        self.recorded.append(event)
        return event
