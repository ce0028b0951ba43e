"""Delivering the outbox: claim due messages, send each through its platform's `Sender`, record
the outcome; failures retry with exponential backoff and are never dropped.

Claiming is one short transaction that moves the claimed rows' `next_attempt_at` a lease ahead, so
no other worker picks them while they are being sent (on PostgreSQL the claim reads with
`FOR UPDATE SKIP LOCKED`, so two instances never even wait on each other; SQLite has a single
writer, so the claim-by-update alone suffices). Sending happens outside any transaction. Messages
to one chat go out in order: one waiting for a retry holds back the later ones to that chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handlers.messages import DeliveryError, Outbound, Route, RouteMisconfigured, Sender
from scheduler.config import ScheduleConfig
from storage.database import Database
from storage.models import Chat, OutboxMessage, OutboxStatus, Person, PersonRole
from storage.outbox import enqueue

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
"""How long a claimed message is left to its worker before another may try it (a crashed worker)."""


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    platform: str
    chat_id: str
    text: str
    mention_user_ids: tuple[str, ...]
    attempts: int
    route: Route


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.retrying or self.failed)


def backoff(attempts: int, config: ScheduleConfig) -> timedelta:
    """Delay before attempt `attempts + 1`: base, 2×base, 4×base… capped."""
    delay = config.outbox_backoff * (2 ** max(attempts - 1, 0))
    return min(delay, config.outbox_backoff_max)


async def claim(session: AsyncSession, now: datetime, limit: int) -> list[Claimed]:
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        and_(
            earlier.platform == OutboxMessage.platform,
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.id < OutboxMessage.id,
            earlier.status == OutboxStatus.PENDING,
            earlier.next_attempt_at > now,
        )
    )
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now, ~blocked)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    rows = list(await session.scalars(query))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
    routes = await resolve_routes(session, {(row.platform, row.chat_id) for row in rows})
    return [
        Claimed(
            row.id,
            row.platform,
            row.chat_id,
            row.text,
            tuple(row.mention_user_ids or ()),
            row.attempts,
            routes[(row.platform, row.chat_id)],
        )
        for row in rows
    ]


class OutboxWorker:
    def __init__(self, database: Database, senders: Mapping[str, Sender], config: ScheduleConfig) -> None:
        self.database = database
        self.senders = senders
        """Looked up at each delivery: adapters may register theirs after the worker is built."""
        self.config = config

    async def deliver_due(self, now: datetime, limit: int = 200) -> DeliveryReport:
        """Deliver every message due at `now` (in batches of `limit`) once."""
        report = DeliveryReport()
        while True:
            batch = await self.database.run(lambda session: claim(session, now, limit))
            if not batch:
                return report
            by_chat: dict[tuple[str, str], list[Claimed]] = defaultdict(list)
            for message in batch:
                by_chat[(message.platform, message.chat_id)].append(message)
            await asyncio.gather(*(self._deliver_chat(messages, now, report) for messages in by_chat.values()))
            if len(batch) < limit:
                return report

    async def _deliver_chat(self, messages: Sequence[Claimed], now: datetime, report: DeliveryReport) -> None:
        for position, message in enumerate(messages):
            if not await self._deliver(message, now, report):
                await self._release([m.id for m in messages[position + 1:]], now)
                return

    async def _deliver(self, message: Claimed, now: datetime, report: DeliveryReport) -> bool:
        outbound = Outbound(message.platform, message.chat_id, message.text, message.mention_user_ids)
        try:
            await deliver(self.database, self.senders, outbound, route=message.route)
        except DeliveryError as error:
            await self._failed(message, now, str(error), retryable=error.retryable, report=report)
            return False
        except Exception as error:  # a sender bug or network fault: keep the message, try again later
            log.exception("outbox message %s: unexpected error from the %s sender", message.id, message.platform)
            await self._failed(message, now, f"{type(error).__name__}: {error}", retryable=True, report=report)
            return False
        await self.database.run(lambda session: self._mark_sent(session, message.id, now))
        report.sent.append(message.id)
        return True

    @staticmethod
    async def _mark_sent(session: AsyncSession, message_id: int, now: datetime) -> None:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=OutboxStatus.SENT, sent_at=now, last_error=None)
        )

    async def _failed(
        self, message: Claimed, now: datetime, error: str, *, retryable: bool, report: DeliveryReport
    ) -> None:
        give_up = not retryable or message.attempts >= self.config.outbox_max_attempts
        values: dict = {"last_error": error[:2000]}
        if give_up:
            values["status"] = OutboxStatus.FAILED
            report.failed.append(message.id)
            log.warning("outbox message %s failed for good after %d attempts: %s", message.id, message.attempts, error)
        else:
            values["next_attempt_at"] = now + backoff(message.attempts, self.config)
            report.retrying.append(message.id)
            log.info("outbox message %s: attempt %d failed, retrying later: %s", message.id, message.attempts, error)

        async def work(session: AsyncSession) -> None:
            await session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))

        await self.database.run(work)

    async def _release(self, ids: list[int], now: datetime) -> None:
        """Give claimed messages back untried (an earlier one to the same chat failed)."""
        if not ids:
            return

        async def work(session: AsyncSession) -> None:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(attempts=OutboxMessage.attempts - 1, next_attempt_at=now)
            )

        await self.database.run(work)


async def deliver(
    database: Database, senders: Mapping[str, Sender], message: Outbound, *, route: Route | None = None
) -> None:
    """Send `message` through its platform's sender, with its `route` (resolved from storage when
    not given: the worker resolves the routes of a whole batch when it claims it).

    A route the sender found unusable for good (`RouteMisconfigured`) is noted on the chat and told
    to the platform's admins before the error is raised on; senders themselves never read storage.
    """
    sender = senders.get(message.platform)
    if sender is None:
        raise DeliveryError(f"no sender for platform {message.platform!r}", retryable=True)
    if route is None:
        key = (message.platform, message.chat_id)
        route = (await database.run(lambda session: resolve_routes(session, {key})))[key]
    try:
        await sender.send(replace(message, route=route))
    except RouteMisconfigured as error:
        await _record_misconfigured(database, sender, message, error)
        raise


async def _record_misconfigured(database: Database, sender: Sender, message: Outbound, error: RouteMisconfigured) -> None:
    name, admins = await database.run(
        lambda session: mark_misconfigured(session, message.platform, message.chat_id, error.note)
    )
    log.warning("%s chat %s marked misconfigured: %s", message.platform, message.chat_id, error)
    if not admins:
        log.warning("no %s admin to tell about chat %s; see the chats table", message.platform, message.chat_id)
    for admin in admins:
        notice = Outbound(message.platform, admin, f"群「{name}」的{error.note}", route=Route(is_person=True))
        try:
            await sender.send(notice)
        except Exception as exc:  # best effort: the chats table keeps the note
            log.warning("telling the admins about chat %s failed: %s", message.chat_id, exc)


async def resolve_routes(session: AsyncSession, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Route]:
    """What storage knows about each (platform, chat id): a bound chat (its push webhook, whether it
    was found unusable) or a person's user id; senders route on it without reading storage."""
    if not keys:
        return {}
    chats = {
        (chat.platform, chat.chat_id): chat
        for chat in await session.scalars(select(Chat).where(tuple_(Chat.platform, Chat.chat_id).in_(keys)))
    }
    found = await session.execute(
        select(Person.platform, Person.user_id).where(tuple_(Person.platform, Person.user_id).in_(keys))
    )
    people = {(platform, user_id) for platform, user_id in found}
    routes: dict[tuple[str, str], Route] = {}
    for key in keys:
        chat = chats.get(key)
        if chat is not None:
            routes[key] = Route(is_chat=True, webhook_url=chat.webhook_url, misconfigured=chat.misconfigured)
        else:
            routes[key] = Route(is_person=key in people)
    return routes


async def mark_misconfigured(session: AsyncSession, platform: str, chat_id: str, note: str) -> tuple[str, list[str]]:
    """Note on the chat why its push route is unusable; returns its name and the platform's admins."""
    chat = await session.scalar(select(Chat).where(Chat.platform == platform, Chat.chat_id == chat_id))
    name = chat_id
    if chat is not None:
        chat.misconfigured = note
        name = chat.name or chat_id
    admins = await session.scalars(
        select(Person.user_id).where(Person.platform == platform, Person.role == PersonRole.ADMIN)
    )
    return name, list(admins)


async def defer_to_outbox(database: Database, message: Outbound, *, dedupe_key: str, now: datetime) -> None:
    """Leave a message an adapter could not send now (an answer) to the outbox, for later delivery."""
    await database.run(
        lambda session: enqueue(
            session,
            dedupe_key=dedupe_key,
            platform=message.platform,
            chat_id=message.chat_id,
            text=message.text,
            mention_user_ids=message.mention_user_ids,
            now=now,
        )
    )


async def undelivered(session: AsyncSession) -> list[OutboxMessage]:
    """Pending and failed messages, oldest first (what `gendan outbox` lists)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)))
        .order_by(OutboxMessage.id)
    )
    return list(await session.scalars(query))


async def retry_now(session: AsyncSession, now: datetime) -> int:
    """Make every failed message, and every one waiting for a retry, due now with a fresh attempt
    budget; returns how many. (Pending messages that never failed are left alone: they may be in
    flight at a running worker.)"""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            (OutboxMessage.status == OutboxStatus.FAILED)
            | ((OutboxMessage.status == OutboxStatus.PENDING) & OutboxMessage.last_error.is_not(None))
        )
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, attempts=0)
    )
    return result.rowcount or 0
