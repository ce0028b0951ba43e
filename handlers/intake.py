"""Durable intake: a verified message is stored before the platform is told "received", then handled
by a worker, in order per chat, and answered exactly once.

The path of one message:

1. `accept(message, channel)` stores it in the inbox with its reply channel (response_url,
   sessionWebhook, websocket req_id, and when that expires) in one short transaction, unique on
   (platform, message_id); only then may the adapter acknowledge it. A redelivery finds the stored
   row and gets its reply (once it is handled).
2. The worker hands the message to the dispatcher; the inbox row is marked done, with the reply and
   the route the reply takes, in the dispatcher's own transaction — so a message is either applied
   and marked done, or neither.
3. The route is decided in that transaction: the transport still waiting (`Ticket.reply`) gets it
   in its response (passive); otherwise the stored channel is used later, once; when there is no
   channel, it has expired, or it fails, the reply goes through the outbox to the chat.

A restart resumes every message received but not handled and every late answer still owed. `close`
stops taking new messages, finishes the ones taken, and waits for late answers in flight.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.boundary import id_refusal, normalise
from handlers.dispatcher import REUSED_ID, Dispatcher, Finish
from handlers.messages import InboundMessage, Reply
from storage import inline_sqlite
from storage.database import Database, DatabaseUnavailable
from storage.models import AnswerRoute, InboxMessage, InboxStatus
from storage.outbox import enqueue
from storage.writes import Writes

log = logging.getLogger(__name__)

FAILED = "这条消息处理时出错，**没有记录**。请稍后再发一次，或联系管理员。"
CHANNEL_MARGIN = timedelta(seconds=30)
"""A channel about to expire is not worth a late answer that may arrive after it closed."""
RETRY_DELAY = 1.0
"""First wait before handling again a message the database could not take (doubles, up to 30 s)."""
TOGETHER = 16
"""At most this many queued messages of one chat are handled in one transaction."""
TOGETHER_WITHIN = 0.03
"""…and only while the transaction is younger than this (seconds): it holds SQLite's write lock."""
ORPHAN_AFTER = timedelta(seconds=60)
"""A message left unhandled this long (another instance stopped with it) is taken over."""


class NotAccepted(Exception):
    """The message was not stored (the bot is stopping, or the database is unavailable): the
    adapter must not acknowledge it, so the platform delivers it again."""


@dataclass(frozen=True, slots=True)
class ReplyChannel:
    """Where a late answer to one message can go: an adapter-defined `kind` (its late sender is
    registered under that kind) and `address` (a bearer credential: never logged)."""

    kind: str
    address: str
    expires_at: datetime | None = None

    def alive(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at - CHANNEL_MARGIN > now


LateSender = Callable[[InboundMessage, ReplyChannel, Reply], Awaitable[None]]
"""Sends a late answer through a stored channel; raises (any exception) when it did not go out."""


class _Waiting(enum.Enum):
    WAITING = "waiting"
    """The transport waits for the answer to put in its response."""
    CLAIMED = "claimed"
    """The answer is committed to the transport's response; it waits however long that takes."""
    GONE = "gone"
    """The transport returned without the answer; it goes out later."""


@dataclass(eq=False)
class Ticket:
    """One accepted message: the reply for the transport, if it comes in time."""

    message: InboundMessage
    channel: ReplyChannel | None
    row_id: int
    duplicate: bool = False
    """A redelivery of a message already stored."""
    route: AnswerRoute | None = None
    """How the reply goes out, once the message is handled."""
    _answer: asyncio.Future[Reply | None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    _state: _Waiting = _Waiting.WAITING

    async def reply(self, within: float | None) -> Reply | None:
        """The reply if it is ready within `within` seconds (None: however long it takes);
        None when it goes out later through the stored channel or the outbox."""
        if self._state is _Waiting.GONE:
            return None
        if within is None:
            self._state = _Waiting.CLAIMED
        else:
            try:
                return await asyncio.wait_for(asyncio.shield(self._answer), within)
            except TimeoutError:
                if self._state is _Waiting.WAITING:
                    self._state = _Waiting.GONE
                    return None
        return await asyncio.shield(self._answer)

    def answer_later(self) -> None:
        """The transport will not carry the reply (it has no response to put it in)."""
        if self._state is _Waiting.WAITING:
            self._state = _Waiting.GONE

    def _claim(self) -> bool:
        """True when the transport is (still) to carry the reply; decided once, in the handling
        transaction, so the transport's deadline and the commit cannot both let go of it."""
        if self._state is _Waiting.WAITING:
            self._state = _Waiting.CLAIMED
        return self._state is _Waiting.CLAIMED

    def _release(self) -> None:
        """Handling is postponed (the database is unavailable): the transport answers nothing now."""
        self._state = _Waiting.GONE
        self._resolve(None)

    def _resolve(self, reply: Reply | None) -> None:
        if not self._answer.done():
            self._answer.set_result(reply)


class Intake:
    def __init__(self, database: Database, dispatcher: Dispatcher, *, concurrency: int = 4) -> None:
        self.database = database
        self.dispatcher = dispatcher
        self._senders: dict[tuple[str, str], LateSender] = {}
        self._lanes: dict[tuple[str, str], deque[Ticket]] = {}
        self._workers: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._tickets: dict[int, Ticket] = {}
        self._late: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._accepting = False
        self._sweeper: asyncio.Task[None] | None = None
        self._arrivals: list[tuple[InboundMessage, ReplyChannel | None, bool, asyncio.Future[Ticket]]] = []
        self._storer: asyncio.Task[None] | None = None

    def register_channel(self, platform: str, kind: str, sender: LateSender) -> None:
        """The adapter's late sender for its channels of `kind`."""
        self._senders[(platform, kind)] = sender

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Take messages; resume those received but not handled, and late answers still owed."""
        self._accepting = True
        await self._resume(datetime.now(timezone.utc), orphans_only=False)
        self._sweeper = asyncio.create_task(self._sweep(), name="intake-sweeper")

    async def close(self, timeout: float = 30.0) -> None:
        """Stop taking messages, finish the ones taken (within `timeout`), wait for late answers."""
        self._accepting = False
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self._storer is not None:
            await asyncio.gather(self._storer, return_exceptions=True)
        pending = set(self._workers.values()) | self._late
        if pending:
            _done, still = await asyncio.wait(pending, timeout=timeout)
            for task in still:
                task.cancel()
            if still:
                log.warning("%d message(s) still being handled at shutdown; resumed on the next start", len(still))
                await asyncio.gather(*still, return_exceptions=True)
        # Anything taken but not handled stays "received" in the inbox: the next start resumes it.

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until every message taken is handled and every late answer went out (tests, CLI)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (pending := set(self._workers.values()) | self._late) and loop.time() < deadline:
            await asyncio.wait(pending, timeout=deadline - loop.time())

    @property
    def accepting(self) -> bool:
        return self._accepting

    def stop_accepting(self) -> None:
        self._accepting = False

    # --- accepting -------------------------------------------------------------------------

    async def accept(
        self, message: InboundMessage, channel: ReplyChannel | None = None, *, carries_reply: bool = True
    ) -> Ticket:
        """Store `message` durably and queue it; when this returns, the platform may be told
        "received". Raises `NotAccepted` when it was not stored. `carries_reply=False`: the
        transport has no response to put the reply in (it always goes through the channel).

        Messages arriving together are stored together, in one short transaction (a group
        commit): under load the write lock is taken once per batch, not once per message.
        """
        if not self._accepting:
            raise NotAccepted("the bot is stopping")
        message = normalise(message)  # stored as the dispatcher will see it: both databases take it
        refusal = id_refusal(message)
        if refusal is not None:
            # It can never be stored (an id longer than its column): answered now, not retried.
            log.warning("%s message refused: a platform id is longer than its column", message.platform)
            ticket = Ticket(message, channel, row_id=0, route=AnswerRoute.PASSIVE)
            ticket._resolve(refusal)
            if not carries_reply:
                ticket.answer_later()
                self._refuse_late(message, channel, refusal)
            return ticket
        arrival: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        self._arrivals.append((message, channel, carries_reply, arrival))
        if self._storer is None or self._storer.done():
            self._storer = asyncio.create_task(self._store_arrivals(), name="intake-storer")
        return await asyncio.shield(arrival)

    async def _store_arrivals(self) -> None:
        while self._arrivals:
            batch, self._arrivals = self._arrivals, []
            now = datetime.now(timezone.utc)
            try:
                # One INSERT for the batch, which commits on its own (no BEGIN/COMMIT on PostgreSQL).
                stored = await self.database.run(lambda session: _store_all(session, batch, now), single_statement=True)
            except Exception as exc:
                failure = NotAccepted("the database is unavailable" if isinstance(exc, DatabaseUnavailable)
                                      else f"storing failed: {type(exc).__name__}")
                if not isinstance(exc, DatabaseUnavailable):
                    log.exception("storing %d inbound message(s) failed", len(batch))
                for *_arrived, arrival in batch:
                    if not arrival.done():
                        arrival.set_exception(failure)
                continue
            for (message, channel, carries_reply, arrival), (row_id, new, earlier) in zip(batch, stored):
                if new:
                    ticket = Ticket(message, channel, row_id)
                    if not carries_reply:
                        ticket.answer_later()
                    self._tickets[row_id] = ticket
                    self._queue(ticket)
                else:
                    ticket = self._redelivered(message, channel, row_id, earlier)
                if not arrival.done():
                    arrival.set_result(ticket)

    def _redelivered(
        self, message: InboundMessage, channel: ReplyChannel | None, row_id: int, stored: InboxMessage | None
    ) -> Ticket:
        """A message stored before (`stored`, its row), or twice in the same batch (None: not handled yet)."""
        ticket = Ticket(message, channel, row_id, duplicate=True)
        first = self._tickets.get(row_id)
        earlier = stored or (first.message if first is not None else None)
        if earlier is not None and (earlier.chat_id, earlier.sender_id) != (message.chat_id, message.sender_id):
            # Not a redelivery: another chat's or sender's message carried this id. The stored reply
            # is not ours to show; the sender is asked to send it again (as the dispatcher does).
            log.warning("%s message id %s reused by another chat or sender", message.platform, message.message_id)
            ticket._resolve(Reply(REUSED_ID, ok=False, duplicate=True))
            return ticket
        log.info("%s message %s delivered again; answered from the inbox", message.platform, message.message_id)
        if stored is not None and stored.status == InboxStatus.DONE:
            # Only a reply that went out in the platform's response may have been lost with it.
            passive = stored.answer_route == AnswerRoute.PASSIVE
            ticket._resolve(_stored_reply(stored, duplicate=True) if passive else None)
            return ticket
        if first is None:
            ticket._resolve(None)  # handled elsewhere (another instance, or resumed): answered there
        else:
            first._answer.add_done_callback(
                lambda done: ticket._resolve(_duplicate(done.result()) if not done.cancelled() else None)
            )
        return ticket

    def _refuse_late(self, message: InboundMessage, channel: ReplyChannel | None, refusal: Reply) -> None:
        """A refusal of a message that was never stored, through its channel (nothing to record)."""
        sender = self._senders.get((message.platform, channel.kind)) if channel is not None else None
        if sender is None or channel is None:
            return

        async def send() -> None:
            try:
                await sender(message, channel, refusal)
            except Exception as exc:
                log.warning("refusal of %s message not delivered (%s)", message.platform, type(exc).__name__)

        task = asyncio.create_task(send(), name="intake-refusal")
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    def _queue(self, ticket: Ticket) -> None:
        key = (ticket.message.platform, ticket.message.chat_id)
        self._lanes.setdefault(key, deque()).append(ticket)
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._drain(key), name=f"intake-{ticket.message.platform}")

    # --- handling --------------------------------------------------------------------------

    async def _drain(self, key: tuple[str, str]) -> None:
        """Handle one chat's messages in the order they were received."""
        lane = self._lanes[key]
        try:
            while lane:
                async with self._slots:
                    handled = await self._handle_together(list(itertools.islice(lane, TOGETHER)))
                    if not handled:
                        await self._handle(lane[0])
                        handled = 1
                for _ in range(handled):
                    self._tickets.pop(lane.popleft().row_id, None)
        finally:
            if not lane:
                self._lanes.pop(key, None)
            self._workers.pop(key, None)

    async def _handle(self, ticket: Ticket) -> None:
        delay = RETRY_DELAY
        while True:
            try:
                reply = await self.dispatcher.apply(ticket.message, self._finisher(ticket))
                break
            except DatabaseUnavailable:
                ticket._release()
                log.warning("database unavailable; %s message %s handled again in %.0f s",
                            ticket.message.platform, ticket.message.message_id, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            except Exception:
                log.exception("handling %s message %s failed", ticket.message.platform, ticket.message.message_id)
                reply = Reply(FAILED, ok=False)
                try:
                    await self.database.run(lambda session: self._finisher(ticket)(session, ticket.message, reply))
                except DatabaseUnavailable:
                    ticket._release()
                    return  # stays "received": resumed on the next sweep or start
                break
        self._answer(ticket, reply)

    async def _handle_together(self, tickets: list[Ticket]) -> int:
        """Handle the first messages of a chat's queue in one transaction; how many were handled
        (0: the first is handled alone — it waits alone, or the batch failed and every message is
        handled alone again, with its own answer to whatever went wrong)."""
        if len(tickets) < 2:
            return 0
        try:
            replies = await self.dispatcher.apply_together(
                [(ticket.message, self._finisher(ticket)) for ticket in tickets], within=TOGETHER_WITHIN
            )
        except Exception as exc:
            log.info("%d queued message(s) handled one by one after %s", len(tickets), type(exc).__name__)
            return 0
        for ticket, reply in zip(tickets, replies):
            self._answer(ticket, reply)
        return len(replies)

    def _answer(self, ticket: Ticket, reply: Reply) -> None:
        """The handled message's reply: to the transport still waiting, or late through its channel."""
        ticket._resolve(reply if ticket.route is AnswerRoute.PASSIVE else None)
        if ticket.route is AnswerRoute.CHANNEL:
            self._deliver_late(ticket.row_id, ticket.message, ticket.channel, reply)

    def _finisher(self, ticket: Ticket) -> Finish:
        async def finish(
            session: AsyncSession, message: InboundMessage, reply: Reply, writes: Writes | None = None
        ) -> None:
            now = datetime.now(timezone.utc)
            route = self._route(ticket, reply, now)
            writes = Writes() if writes is None else writes
            # With the message's records: one statement on PostgreSQL (see `storage.writes`).
            marked = writes.update(_INBOX, {"id": ticket.row_id, "status": InboxStatus.RECEIVED}, {
                "status": InboxStatus.DONE,
                "handled_at": now,
                "reply_text": reply.text,
                "reply_ok": reply.ok,
                "mention_user_ids": list(reply.mention_user_ids),
                "answer_route": route,
                "answered_at": None if route is AnswerRoute.CHANNEL else now,
            })
            if route is AnswerRoute.OUTBOX:
                writes.ends_unit = False  # the answer is put in the outbox after them
            done = (await writes.run(session))[marked]
            if not done:
                route = AnswerRoute.NONE  # handled already (another instance took it over)
            elif route is AnswerRoute.OUTBOX:
                await _to_outbox(session, message, reply, now)
            ticket.route = route

        return finish

    def _route(self, ticket: Ticket, reply: Reply, now: datetime) -> AnswerRoute:
        if reply.duplicate or not (reply.text or reply.mention_user_ids):
            return AnswerRoute.NONE
        if ticket._claim():
            return AnswerRoute.PASSIVE
        channel = ticket.channel
        if channel is not None and channel.alive(now) and (ticket.message.platform, channel.kind) in self._senders:
            return AnswerRoute.CHANNEL
        return AnswerRoute.OUTBOX

    # --- late answers ----------------------------------------------------------------------

    def _deliver_late(self, row_id: int, message: InboundMessage, channel: ReplyChannel | None, reply: Reply) -> None:
        task = asyncio.create_task(self._late_answer(row_id, message, channel, reply), name="intake-late-answer")
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def _late_answer(self, row_id: int, message: InboundMessage, channel: ReplyChannel | None, reply: Reply) -> None:
        """Send once through the stored channel; on failure (or expiry) hand it to the outbox."""
        now = datetime.now(timezone.utc)
        sender = self._senders.get((message.platform, channel.kind)) if channel is not None else None
        route = AnswerRoute.OUTBOX
        if sender is not None and channel is not None and channel.alive(now):
            try:
                await sender(message, channel, reply)
                route = AnswerRoute.CHANNEL
            except Exception as exc:  # logged by type only: the channel address is a credential
                log.warning("late answer to %s message %s not delivered (%s); handed to the outbox",
                            message.platform, message.message_id, type(exc).__name__)
        try:
            # Marked by one UPDATE alone (no BEGIN/COMMIT on PostgreSQL) unless the outbox takes it too.
            await self.database.run(lambda session: _mark_answered(session, row_id, message, reply, route),
                                    single_statement=route is not AnswerRoute.OUTBOX)
        except DatabaseUnavailable:
            log.warning("late answer to %s message %s: not marked answered; retried on the next start",
                        message.platform, message.message_id)

    # --- resuming --------------------------------------------------------------------------

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(ORPHAN_AFTER.total_seconds() / 2)
            try:
                await self._resume(datetime.now(timezone.utc), orphans_only=True)
            except DatabaseUnavailable:
                log.warning("inbox sweep skipped: database unavailable")

    async def _resume(self, now: datetime, *, orphans_only: bool) -> None:
        cutoff = now - ORPHAN_AFTER if orphans_only else now
        async with self.database.read() as session:
            received = list(await session.scalars(
                select(InboxMessage)
                .where(InboxMessage.status == InboxStatus.RECEIVED, InboxMessage.received_at <= cutoff)
                .order_by(InboxMessage.id)
            ))
            owed = list(await session.scalars(
                select(InboxMessage)
                .where(InboxMessage.answer_route == AnswerRoute.CHANNEL, InboxMessage.answered_at.is_(None),
                       InboxMessage.handled_at <= cutoff)
                .order_by(InboxMessage.id)
            ))
        for row in received:
            if row.id in self._tickets:
                continue
            ticket = Ticket(_message_of(row), _channel_of(row), row.id)
            ticket._state = _Waiting.GONE
            self._tickets[row.id] = ticket
            self._queue(ticket)
        if received:
            log.info("resuming %d received message(s) not yet handled", len(received))
        for row in owed:
            self._deliver_late(row.id, _message_of(row), _channel_of(row), _stored_reply(row, duplicate=False))


_INBOX = InboxMessage.__table__
_INSERTS = {
    dialect: insert(_INBOX).on_conflict_do_nothing(index_elements=["platform", "message_id"])
    .returning(_INBOX.c.id, _INBOX.c.platform, _INBOX.c.message_id)
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
"""Insert messages unless stored before (the ids of those inserted): built once, executed with the
values of a whole batch (SQLAlchemy sends them as one multi-row INSERT; on SQLite see `_insert`)."""
_PREPARED_INSERT: dict[str, inline_sqlite.Prepared | None] = {}
_INBOX_KEYS = ("platform", "message_id", "chat_id", "sender_id", "text", "sent_at", "sender_name", "chat_name", "mentions",
               "is_group", "channel_kind", "channel_address", "channel_expires_at", "status", "received_at", "reply_ok",
               "mention_user_ids")
"""The same INSERT for one message, prepared (per dialect, on first use) to run on SQLite's connection
directly (`storage.inline_sqlite`); None where it cannot be."""
_ANSWERED = (
    update(_INBOX)
    .where(_INBOX.c.id == bindparam("row_id"), _INBOX.c.answered_at.is_(None))
    .values(answered_at=bindparam("now"), answer_route=bindparam("route"))
)
"""Mark a late answer sent (no row when it was marked already)."""


async def _store_all(
    session: AsyncSession, batch: list[tuple[InboundMessage, ReplyChannel | None, bool, Any]], now: datetime
) -> list[tuple[int, bool, InboxMessage | None]]:
    """Insert the batch's messages unless stored before, in one statement: per message (row id,
    True, None) when new, (id, False, the stored row) if not, and (id, False, None) for a message
    twice in the batch, after the first time."""
    keys = [(message.platform, message.message_id) for message, *_rest in batch]
    fresh: dict[tuple[str, str], dict[str, Any]] = {}
    for (message, channel, *_rest), key in zip(batch, keys):
        fresh.setdefault(key, _inbox_values(message, channel, now))
    inserted = {(platform, message_id): row_id for row_id, platform, message_id in await _insert(session, fresh.values())}
    earlier: dict[tuple[str, str], InboxMessage] = {}
    if len(inserted) < len(fresh):  # a redelivery: its stored row tells how it was answered
        for platform, message_ids in _by_platform(key for key in fresh if key not in inserted).items():
            for row in await session.scalars(
                select(InboxMessage).where(InboxMessage.platform == platform, InboxMessage.message_id.in_(message_ids))
            ):
                earlier[(row.platform, row.message_id)] = row
    stored: list[tuple[int, bool, InboxMessage | None]] = []
    first: set[tuple[str, str]] = set()
    for key in keys:
        if key in inserted:
            stored.append((inserted[key], key not in first, None))
            first.add(key)
        else:
            stored.append((earlier[key].id, False, earlier[key]))
    return stored


async def _insert(session: AsyncSession, values: Iterable[dict[str, Any]]) -> list[Any]:
    """Store each message of `values` unless stored before: (id, platform, message_id) of those
    inserted. On SQLite one prepared INSERT per message straight on the connection (no round trips
    to save, and SQLAlchemy's steps for a multi-row INSERT cost more than SQLite's work); elsewhere
    the batch's one multi-row INSERT."""
    dialect = session.bind.dialect
    if dialect.name not in _PREPARED_INSERT:
        _PREPARED_INSERT[dialect.name] = inline_sqlite.prepare(_INSERTS[dialect.name], dialect, _INBOX_KEYS)
    prepared = _PREPARED_INSERT[dialect.name]
    inline = await inline_sqlite.inline(await session.connection()) if prepared is not None else None
    if prepared is None or inline is None:
        return list(await session.execute(_INSERTS[dialect.name], list(values)))
    return [row for values_of_one in values for row in inline_sqlite.run_prepared(inline, prepared, values_of_one).fetchall()]


def _by_platform(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for platform, message_id in keys:
        grouped.setdefault(platform, []).append(message_id)
    return grouped


def _inbox_values(message: InboundMessage, channel: ReplyChannel | None, now: datetime) -> dict[str, Any]:
    """An inbox row's values (`_INBOX_KEYS`, in that order)."""
    return dict(zip(_INBOX_KEYS, (
        message.platform, message.message_id, message.chat_id, message.sender_id, message.text, message.sent_at,
        message.sender_name, message.chat_name, list(message.mentions), message.is_group,
        channel.kind if channel else None, channel.address if channel else None,
        channel.expires_at if channel else None, InboxStatus.RECEIVED, now, True, [],
    )))


ATTACHMENT_NOT_SENT = "（文件或图片没能随回复发出，请稍后再发一次同样的命令。）"
"""The outbox's text for a reply's attachment where the chat cannot receive it."""


async def _to_outbox(session: AsyncSession, message: InboundMessage, reply: Reply, now: datetime) -> None:
    """The answer through the outbox: its picture or file first (as the passive route sends it),
    then its text."""
    attachment = reply.attachment
    if attachment is not None and not reply.duplicate and message.is_group:
        await enqueue(
            session,
            dedupe_key=f"reply:{message.message_id}:attachment",
            platform=message.platform,
            chat_id=message.chat_id,
            text=reply.attachment_fallback or ATTACHMENT_NOT_SENT,
            now=now,
            attachment_kind=attachment.kind,
            attachment_filename=attachment.filename,
            attachment_data=attachment.data,
        )
    await enqueue(
        session,
        dedupe_key=f"reply:{message.platform}:{message.message_id}",
        platform=message.platform,
        chat_id=message.chat_id,
        text=reply.text,
        now=now,
        mention_user_ids=reply.mention_user_ids,
    )


async def _mark_answered(session: AsyncSession, row_id: int, message: InboundMessage, reply: Reply, route: AnswerRoute) -> None:
    now = datetime.now(timezone.utc)
    marked = await session.execute(_ANSWERED, {"row_id": row_id, "now": now, "route": route})
    if marked.rowcount and route is AnswerRoute.OUTBOX:
        await _to_outbox(session, message, reply, now)


def _message_of(row: InboxMessage) -> InboundMessage:
    return InboundMessage(
        platform=row.platform,
        chat_id=row.chat_id,
        sender_id=row.sender_id,
        text=row.text,
        message_id=row.message_id,
        sent_at=row.sent_at,
        sender_name=row.sender_name,
        chat_name=row.chat_name,
        mentions=tuple(row.mentions or ()),
        is_group=row.is_group,
    )


def _channel_of(row: InboxMessage) -> ReplyChannel | None:
    if not row.channel_kind or not row.channel_address:
        return None
    return ReplyChannel(row.channel_kind, row.channel_address, row.channel_expires_at)


def _stored_reply(row: InboxMessage, *, duplicate: bool) -> Reply:
    return Reply(row.reply_text or "", ok=row.reply_ok, duplicate=duplicate,
                 mention_user_ids=tuple(row.mention_user_ids or ()))


def _duplicate(reply: Reply | None) -> Reply | None:
    if reply is None:
        return None
    return Reply(reply.text, ok=reply.ok, duplicate=True, mention_user_ids=reply.mention_user_ids)
