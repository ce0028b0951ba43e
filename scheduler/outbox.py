"""Delivering the outbox: claim due messages, send each through its platform's `Sender`, record
the outcome; failures retry with exponential backoff and are never dropped.

The guarantee is **at least once**: a message is marked sent after its platform accepted it, so
a crash between the two, or a request whose answer never came, sends it again; the platforms'
idempotency keys (`Outbound.idempotency_key`, the outbox dedupe key) absorb that where a platform
has them. Nothing is dropped, and nothing is posted more than once per outbox attempt: the senders
never re-post a request that may have arrived (see `bot.adapters.sending.RetryPolicy`).

Claims belong to an instance (`OutboxWorkerInstance`) that keeps a heartbeat while it delivers:
the claims of an instance whose heartbeat stopped (killed, or its machine gone) are void, so its
messages are due again after `outbox_heartbeat_timeout`, not after a long lease. Claiming is one
short transaction (on PostgreSQL `FOR UPDATE SKIP LOCKED` on the messages; SQLite has a single
writer). Each chat is delivered by one live instance at a time (`OutboxRoute.owner`): that
instance's per-chat rate limiter then sees every send to the chat, so two instances never double a
webhook's rate. Messages to one chat go out in order: one waiting for a retry, or in flight at a
live instance, holds back the later ones to that chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, undefer

from handlers.messages import (
    Attachment,
    AttachmentNotSupported,
    DeliveryError,
    Outbound,
    Route,
    RouteMisconfigured,
    Sender,
)
from scheduler.config import ScheduleConfig
from storage.database import Database
from storage.models import (
    Chat,
    OutboxMessage,
    OutboxRoute,
    OutboxStatus,
    OutboxWorkerInstance,
    Person,
    PersonRole,
)
from storage.outbox import enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    platform: str
    chat_id: str
    text: str
    mention_user_ids: tuple[str, ...]
    attempts: int
    route: Route
    attachment: Attachment | None = None
    dedupe_key: str = ""

    def outbound(self) -> Outbound:
        return Outbound(
            self.platform, self.chat_id, self.text, self.mention_user_ids, attachment=self.attachment,
            idempotency_key=self.dedupe_key,
        )


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.retrying or self.failed)


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who claims: an instance name (unique per process start) and how its liveness is judged."""

    instance: str
    heartbeat_timeout: timedelta
    """An instance not heard from for this long is dead: its claims and its chats are free."""
    handover: timedelta
    """A chat taken over from a dead instance waits this long after that instance's last
    heartbeat (one rate-limit period), so the sends it made have aged out of the platform's window."""


def backoff(attempts: int, config: ScheduleConfig) -> timedelta:
    """Delay before attempt `attempts + 1`: base, 2×base, 4×base… capped."""
    delay = config.outbox_backoff * (2 ** max(attempts - 1, 0))
    return min(delay, config.outbox_backoff_max)


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def beat(session: AsyncSession, instance: str, at: datetime) -> None:
    """Record that `instance` is alive at `at`."""
    statement = _insert(session)(OutboxWorkerInstance).values(instance=instance, heartbeat_at=at, started_at=at)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["instance"], set_={"heartbeat_at": statement.excluded.heartbeat_at})
    )


async def _take_routes(
    session: AsyncSession, keys: list[tuple[str, str]], claimant: Claimant, now: datetime, alive: set[str]
) -> set[tuple[str, str]]:
    """Own the chats `keys` (locked in a fixed order, so two claims never deadlock) unless a live
    instance owns them; returns those that may be sent to now."""
    if not keys:
        return set()
    await session.execute(
        _insert(session)(OutboxRoute)
        .values([{"platform": platform, "chat_id": chat_id} for platform, chat_id in keys])
        .on_conflict_do_nothing(index_elements=["platform", "chat_id"])
    )
    query = (
        select(OutboxRoute)
        .where(tuple_(OutboxRoute.platform, OutboxRoute.chat_id).in_(keys))
        .order_by(OutboxRoute.platform, OutboxRoute.chat_id)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    routes = list(await session.scalars(query))
    dead = {route.owner for route in routes if route.owner and route.owner != claimant.instance and route.owner not in alive}
    last_heard = dict(
        (await session.execute(
            select(OutboxWorkerInstance.instance, OutboxWorkerInstance.heartbeat_at)
            .where(OutboxWorkerInstance.instance.in_(dead))
        )).all()
    ) if dead else {}
    granted: set[tuple[str, str]] = set()
    for route in routes:
        if route.owner and route.owner != claimant.instance and route.owner in alive:
            continue
        if route.owner in dead:
            heard = last_heard.get(route.owner)
            if heard is not None:
                route.resume_at = max(route.resume_at or heard, heard + claimant.handover)
            log.warning("outbox: taking over chat %s from instance %s, whose heartbeat stopped", route.chat_id, route.owner)
        route.owner = claimant.instance
        if route.resume_at is None or route.resume_at <= now:
            granted.add((route.platform, route.chat_id))
    return granted


async def claim(session: AsyncSession, now: datetime, limit: int, claimant: Claimant) -> list[Claimed]:
    await beat(session, claimant.instance, now)
    alive_query = select(OutboxWorkerInstance.instance).where(
        OutboxWorkerInstance.heartbeat_at > now - claimant.heartbeat_timeout
    )
    alive = set(await session.scalars(alive_query))
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        and_(
            earlier.platform == OutboxMessage.platform,
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.id < OutboxMessage.id,
            earlier.status == OutboxStatus.PENDING,
            or_(
                and_(earlier.claimed_by.is_(None), earlier.next_attempt_at > now),
                earlier.claimed_by.in_(alive_query.scalar_subquery()),
            ),
        )
    )
    route = aliased(OutboxRoute)
    held = exists().where(
        and_(
            route.platform == OutboxMessage.platform,
            route.chat_id == OutboxMessage.chat_id,
            or_(
                and_(route.owner != claimant.instance, route.owner.in_(alive_query.scalar_subquery())),
                route.resume_at > now,
            ),
        )
    )
    due = or_(
        and_(OutboxMessage.claimed_by.is_(None), OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.claimed_by.is_not(None), OutboxMessage.claimed_by.not_in(alive_query.scalar_subquery())),
    )
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, due, ~blocked, ~held)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .options(undefer(OutboxMessage.attachment_data))
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    rows = list(await session.scalars(query))
    granted = await _take_routes(session, sorted({(row.platform, row.chat_id) for row in rows}), claimant, now, alive)
    rows = [row for row in rows if (row.platform, row.chat_id) in granted]
    for row in rows:
        if row.claimed_by is not None:
            log.warning("outbox message %s: instance %s stopped while sending it; sending again", row.id, row.claimed_by)
        row.attempts += 1
        row.claimed_by = claimant.instance
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
            _attachment(row),
            row.dedupe_key,
        )
        for row in rows
    ]


def _attachment(row: OutboxMessage) -> Attachment | None:
    if row.attachment_kind is None or row.attachment_data is None:
        return None
    return Attachment(row.attachment_kind, row.attachment_filename or "", row.attachment_data)


class OutboxWorker:
    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender],
        config: ScheduleConfig,
        *,
        instance: str,
    ) -> None:
        self.database = database
        self.senders = senders
        """Looked up at each delivery: adapters may register theirs after the worker is built."""
        self.config = config
        self.claimant = Claimant(instance, config.outbox_heartbeat_timeout, config.outbox_handover)

    async def deliver_due(self, now: datetime, limit: int = 200) -> DeliveryReport:
        """Deliver every message due at `now` (in batches of `limit`) once."""
        report = DeliveryReport()
        async with self._heartbeat(now):
            while True:
                batch = await self.database.run(lambda session: claim(session, now, limit, self.claimant))
                if not batch:
                    return report
                by_chat: dict[tuple[str, str], list[Claimed]] = defaultdict(list)
                for message in batch:
                    by_chat[(message.platform, message.chat_id)].append(message)
                await asyncio.gather(*(self._deliver_chat(messages, now, report) for messages in by_chat.values()))
                if len(batch) < limit:
                    return report

    @asynccontextmanager
    async def _heartbeat(self, now: datetime) -> AsyncIterator[None]:
        """Keep this instance's heartbeat fresh while it delivers (a send may wait on a rate limit)."""
        started = time.monotonic()
        interval = max(self.claimant.heartbeat_timeout.total_seconds() / 3, 0.05)

        async def keep_beating() -> None:
            while True:
                await asyncio.sleep(interval)
                at = now + timedelta(seconds=time.monotonic() - started)
                try:
                    await self.database.run(lambda session: beat(session, self.claimant.instance, at))
                except Exception:
                    log.warning("outbox heartbeat failed; retrying at the next beat", exc_info=True)

        task = asyncio.create_task(keep_beating())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def retire(self) -> None:
        """Leave cleanly (a stop, not a crash): give back this instance's chats and unsent claims, so
        another instance takes them at once instead of after the heartbeat timeout."""
        instance = self.claimant.instance

        async def work(session: AsyncSession) -> None:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.claimed_by == instance, OutboxMessage.status == OutboxStatus.PENDING)
                .values(claimed_by=None, attempts=OutboxMessage.attempts - 1)
            )
            await session.execute(update(OutboxRoute).where(OutboxRoute.owner == instance).values(owner=None))
            await session.execute(delete(OutboxWorkerInstance).where(OutboxWorkerInstance.instance == instance))

        await self.database.run(work)

    async def _deliver_chat(self, messages: Sequence[Claimed], now: datetime, report: DeliveryReport) -> None:
        for position, message in enumerate(messages):
            if not await self._deliver(message, now, report):
                await self._release([m.id for m in messages[position + 1:]], now)
                return

    async def _deliver(self, message: Claimed, now: datetime, report: DeliveryReport) -> bool:
        try:
            await deliver(self.database, self.senders, message.outbound(), route=message.route)
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
            .values(status=OutboxStatus.SENT, sent_at=now, last_error=None, claimed_by=None)
        )

    async def _failed(
        self, message: Claimed, now: datetime, error: str, *, retryable: bool, report: DeliveryReport
    ) -> None:
        give_up = not retryable or message.attempts >= self.config.outbox_max_attempts
        values: dict = {"last_error": error[:2000], "claimed_by": None}
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
                .values(attempts=OutboxMessage.attempts - 1, next_attempt_at=now, claimed_by=None)
            )

        await self.database.run(work)


async def deliver(
    database: Database,
    senders: Mapping[str, Sender],
    message: Outbound,
    *,
    route: Route | None = None,
    text_instead: bool = True,
) -> None:
    """Send `message` through its platform's sender, with its `route` (resolved from storage when
    not given: the worker resolves the routes of a whole batch when it claims it).

    A route the sender found unusable for good (`RouteMisconfigured`) is noted on the chat and told
    to the platform's admins before the error is raised on; senders themselves never read storage.
    An attachment the route cannot carry (`AttachmentNotSupported`) is replaced by the message's
    text, which says where to look instead; with `text_instead` False the error is raised on (a
    chat answer puts that text in its own reply).
    """
    sender = senders.get(message.platform)
    if sender is None:
        raise DeliveryError(f"no sender for platform {message.platform!r}", retryable=True)
    if route is None:
        key = (message.platform, message.chat_id)
        route = (await database.run(lambda session: resolve_routes(session, {key})))[key]
    try:
        routed = replace(message, route=route)
        await (_send(sender, routed) if text_instead else sender.send(routed))
    except RouteMisconfigured as error:
        await _record_misconfigured(database, sender, message, error)
        raise


async def _send(sender: Sender, message: Outbound) -> None:
    try:
        await sender.send(message)
    except AttachmentNotSupported as error:
        log.info("%s chat %s: %s; sending the text instead", message.platform, message.chat_id, error)
        await sender.send(replace(message, attachment=None))


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
            attachment_kind=message.attachment.kind if message.attachment else None,
            attachment_filename=message.attachment.filename if message.attachment else None,
            attachment_data=message.attachment.data if message.attachment else None,
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
