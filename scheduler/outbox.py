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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, undefer

from handlers.messages import Attachment, AttachmentNotSupported, DeliveryError, Outbound, Sender
from scheduler.config import ScheduleConfig
from storage.database import Database
from storage.models import OutboxMessage, OutboxStatus

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
    attachment: Attachment | None = None

    def outbound(self, *, with_attachment: bool = True) -> Outbound:
        return Outbound(self.platform, self.chat_id, self.text, self.mention_user_ids,
                        attachment=self.attachment if with_attachment else None)


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
        .options(undefer(OutboxMessage.attachment_data))
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    rows = list(await session.scalars(query))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
    return [
        Claimed(row.id, row.platform, row.chat_id, row.text, tuple(row.mention_user_ids or ()), row.attempts,
                _attachment(row))
        for row in rows
    ]


def _attachment(row: OutboxMessage) -> Attachment | None:
    if row.attachment_kind is None or row.attachment_data is None:
        return None
    return Attachment(row.attachment_kind, row.attachment_filename or "", row.attachment_data)


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
        sender = self.senders.get(message.platform)
        try:
            if sender is None:
                raise DeliveryError(f"no sender for platform {message.platform!r}", retryable=True)
            await self._send(sender, message)
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
    async def _send(sender: Sender, message: Claimed) -> None:
        """Send the message; an attachment the route cannot carry is replaced by the text, which
        says where to look."""
        try:
            await sender.send(message.outbound())
        except AttachmentNotSupported as error:
            log.info("outbox message %s: %s; sending its text instead", message.id, error)
            await sender.send(message.outbound(with_attachment=False))

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
