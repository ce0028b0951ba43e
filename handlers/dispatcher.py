"""The dispatcher: one inbound message in, one reply out, everything it records in one transaction.

Steps: make the message storable (`handlers.boundary`), strip @-mentions, cap the length, skip a
message id already processed (answering with the reply it got the first time), then run a command,
a pending confirmation, or free-text understanding, and remember the message id with its reply —
all in the same transaction, so a message is either fully applied and marked processed, or not at
all.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, literal_column, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from handlers.access import GUEST, command_refusal, is_guest, refuse
from handlers.boundary import id_refusal, normalise, rejected_value_reply
from handlers.commands import match_command
from handlers.context import Context, PreParsed, TextParser
from handlers.conversation import QUESTION_OPEN, drop_pending, is_confirmation, open_question, take_pending
from handlers.directory import Directory
from handlers.free_text import apply_items, handle_free_text
from handlers.learning.examples import UNDONE_LATELY, correction_window_start, learn_confirmation, learn_correction
from handlers.messages import InboundMessage, Reply
from handlers.settings import HandlerSettings
from handlers.understanding.items import ParsedItem
from storage.database import Database, DatabaseUnavailable
from storage.limits import ValueRejected
from storage.models import Order, ProcessedMessage
from storage.writes import Writes, pending_writes

log = logging.getLogger(__name__)

DATABASE_BUSY = "系统繁忙（数据库被占用），这条消息**没有记录**，请过一分钟再发一次。"
DATABASE_DOWN = "系统暂时连不上数据库，这条消息**没有记录**，请稍后再发一次。"
REUSED_ID = "这条消息的编号和之前的一条消息重复，**没有处理**。请重新发送一次。"
EMPTY = "在的～有什么要记录的？例如「订单123 焊接完成」，或发送「帮助」。"


class Finish(Protocol):
    """Extra work committed in the same transaction as the message's records (the inbox marks it done).

    `writes`: the message's writes not yet run — its records (when simple) and its row of processed
    messages — which `finish` runs (`Writes.run`) together with its own, so that all go out as one
    statement, one round trip on PostgreSQL; None when there is nothing to write (a duplicate, a
    message answered without being recorded)."""

    def __call__(
        self, session: AsyncSession, message: InboundMessage, reply: Reply, writes: Writes | None = None
    ) -> Awaitable[None]: ...


_SPACES = re.compile(r"[ \t\u3000\u2005\u00a0]+")


def strip_mentions(text: str, mentions: tuple[str, ...], bot_name: str) -> str:
    """Remove every @name of `mentions` (and the bot's own) wherever it stands in the text."""
    for name in sorted({*mentions, bot_name}, key=len, reverse=True):
        if name:
            text = re.sub(r"[@＠]" + re.escape(name.lstrip("@＠")), " ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


class Dispatcher:
    def __init__(self, database: Database, settings: HandlerSettings, parser: TextParser) -> None:
        self.database = database
        self.settings = settings
        self.parser = parser
        self.directory = Directory()

    async def handle(self, message: InboundMessage, finish: Finish | None = None) -> Reply:
        """Apply `message`; a database that stays unavailable is answered with a refusal."""
        try:
            return await self.apply(message, finish)
        except DatabaseUnavailable as exc:
            return Reply(DATABASE_BUSY if exc.busy else DATABASE_DOWN, ok=False)

    async def apply(self, message: InboundMessage, finish: Finish | None = None) -> Reply:
        """Apply `message` in one transaction, with `finish` run in it last; raises
        `DatabaseUnavailable` when the database stays busy or unreachable (nothing was applied).
        A message that can never be stored (an over-long id, a value the database refuses) is
        answered, not raised: a raised error would have the platform deliver it again, forever."""
        message = normalise(message)
        refusal = id_refusal(message)
        if refusal is not None:
            log.warning("%s message refused: a platform id is longer than its column", message.platform)
            return await self._finished(message, refusal, finish)
        text = strip_mentions(message.text, message.mentions, self.settings.bot_name)
        if len(text) > self.settings.max_message_chars:
            reply = Reply(
                f"消息太长了（{len(text)} 字，上限 {self.settings.max_message_chars} 字），**没有记录**。"
                "请分成几条发送。",
                ok=False,
            )
            return await self._finished(message, reply, finish)
        parser = await self._understood_first(text, message.sent_at)
        try:
            try:
                return await self.database.run(
                    lambda session: self._handle(session, message, text, parser, finish, alone=True))
            except IntegrityError:
                # A concurrent transaction committed the same message id (a racing redelivery) or the
                # same new order first; running again sees its result and answers accordingly.
                return await self.database.run(
                    lambda session: self._handle(session, message, text, parser, finish, alone=True))
        except ValueRejected as exc:
            log.warning("%s message %s not recorded: %s", message.platform, message.message_id, exc)
            return await self._finished(message, rejected_value_reply(exc), finish)

    async def apply_together(
        self, messages: Sequence[tuple[InboundMessage, Finish]], *, within: float
    ) -> list[Reply]:
        """Apply several messages of one chat, in order, in one transaction, while less than
        `within` seconds went by (the transaction's begin and commit, a good part of an ordinary
        message's cost, are paid once). Returns the replies of the messages applied: a prefix of
        `messages`, each with its records and its `finish` committed in the one transaction. Stops
        before a message `apply` answers without recording (a refused id, an over-long text), and
        raises on any failure (nothing is applied then): the caller applies those with `apply`,
        which answers every fault as it does for a message alone."""
        loop = asyncio.get_running_loop()

        async def work(session: AsyncSession) -> list[Reply]:
            started = loop.time()
            replies: list[Reply] = []
            for message, finish in messages:
                message = normalise(message)
                text = self._ordinary_text(message)
                if text is None or (replies and loop.time() - started >= within):
                    break
                # Understood here, not before the transaction: the messages before it may have
                # changed what the parser knows (a learnt synonym), as they would one by one.
                parser = await self._understood_first(text, message.sent_at)
                replies.append(await self._handle(session, message, text, parser, finish))
            return replies

        return await self.database.run(work)

    def _ordinary_text(self, message: InboundMessage) -> str | None:
        """The text to understand, or None when `apply` answers the message without recording it."""
        if id_refusal(message) is not None:
            return None
        text = strip_mentions(message.text, message.mentions, self.settings.bot_name)
        return text if len(text) <= self.settings.max_message_chars else None

    async def _finished(self, message: InboundMessage, reply: Reply, finish: Finish | None) -> Reply:
        """`reply` to a message nothing is recorded for; `finish` still runs (in its own transaction)."""
        if finish is not None:
            await self.database.run(lambda session: finish(session, message, reply))
        return reply

    async def _understood_first(self, text: str, now: datetime) -> TextParser:
        """Free text understood before the transaction opens (commands and confirmations are not)."""
        if not text or is_confirmation(text) or match_command(text) is not None:
            return self.parser
        # On the event loop, not in a thread: a parsing thread would hold the GIL against the
        # database's own thread and stretch every other chat's transaction.
        return PreParsed(self.parser, text, now, self.parser.parse(text, now))

    async def _handle(
        self, session: AsyncSession, message: InboundMessage, text: str, parser: TextParser, finish: Finish | None,
        *, alone: bool = False,
    ) -> Reply:
        """`alone`: the message is its transaction's only one (its writes end the unit of work)."""
        reply, writes = await self._record(session, message, text, parser)
        if writes is not None:
            writes.ends_unit = alone
        if finish is not None:
            await finish(session, message, reply, writes)
        elif writes is not None:
            await writes.run(session)
        return reply

    async def _record(
        self, session: AsyncSession, message: InboundMessage, text: str, parser: TextParser
    ) -> tuple[Reply, Writes | None]:
        """The reply, and the writes still to run: the handler's records (when simple) and the
        processed-message row (None for a duplicate; run by the caller)."""
        before = await _before(session, message, _named_order(parser))
        previous = before.processed
        if previous is not None and previous[:2] != (message.chat_id, message.sender_id):
            # Not a redelivery: another chat's message carried this id. Its reply is not ours to show.
            log.warning("%s message id %s reused by another chat or sender", message.platform, message.message_id)
            return Reply(REUSED_ID, ok=False, duplicate=True), None
        if previous is not None:
            log.info("duplicate delivery of %s message %s ignored", message.platform, message.message_id)
            return Reply(previous[2], duplicate=True), None
        ctx = Context(
            session=session,
            message=message,
            text=text,
            chat=await self.directory.chat_for(session, message),
            person=await self.directory.person_for(session, message),
            settings=self.settings,
            parser=parser,
            question_open=before.question_open,
            undone_lately=before.undone_lately,
            orders_read=before.orders,
        )
        reply = await self._route(ctx)
        writes = await pending_writes(session)  # the handler's records first (without the ORM's flush if simple)
        # A Core insert, not an ORM object: nothing reads it back in this transaction, and the unit
        # of work's bookkeeping for one more object cost more than the statement itself.
        writes.insert(_PROCESSED_TABLE, {
            "platform": message.platform,
            "message_id": message.message_id,
            "chat_id": message.chat_id,
            "sender_id": message.sender_id,
            "order_no": ctx.about_order,
            "reply_text": reply.text,
            "processed_at": message.sent_at,
        })
        return reply, writes

    async def _route(self, ctx: Context) -> Reply:
        if not ctx.text:
            return Reply(EMPTY)
        if is_confirmation(ctx.text):
            pending = await take_pending(ctx)
            if pending is None:
                return Reply("没有等你确认的消息。", ok=False)
            ctx.text = pending.raw_text  # the records carry the message that was confirmed
            reply = await apply_items(ctx, [ParsedItem.from_dict(item) for item in pending.items], confirmed=True)
            if reply.ok:
                await learn_confirmation(ctx, pending)
            return reply
        questioned = await open_question(ctx)
        if questioned is not None:
            await drop_pending(ctx)
        reply = await self._understand(ctx)
        await learn_correction(ctx, questioned)
        return reply

    async def _understand(self, ctx: Context) -> Reply:
        matched = match_command(ctx.text)
        if matched is not None:
            command, args = matched
            refusal = command_refusal(ctx, command.name, command.roles)
            if refusal is not None:
                return refuse(ctx, refusal, command=command.name)
            return await command.run(ctx, args)
        if is_guest(ctx):
            return refuse(ctx, GUEST, intent="free_text")
        return await handle_free_text(ctx)


_PROCESSED_TABLE = ProcessedMessage.__table__
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
_BEFORE = select(
    _PROCESSED_TABLE.c.chat_id, _PROCESSED_TABLE.c.sender_id, _PROCESSED_TABLE.c.reply_text,
    QUESTION_OPEN.label("question_open"), UNDONE_LATELY.label("undone_lately"),
).select_from(
    _ONE_ROW.outerjoin(_PROCESSED_TABLE, and_(
        _PROCESSED_TABLE.c.platform == bindparam("platform"),
        _PROCESSED_TABLE.c.message_id == bindparam("message_id"),
    ))
)
"""What is asked before every message, in one statement (one row, whatever is found): whether the
message id was processed before (chat_id, sender_id, reply_text; NULL when not), whether the
sender has a question open in this chat, and whether they undid a record lately. Built once, read
from the tables (no ORM object for a row that is nearly never there)."""


_BEFORE_WITH_ORDER = (
    select(Order, *_BEFORE.selected_columns)
    .select_from(_BEFORE.get_final_froms()[0].outerjoin(Order, Order.order_no == bindparam("order_no")))
    .options(joinedload(Order.milestones))
)
"""The same, with the order the message names (and its steps, NULL when there is none) read in the
same statement: one round trip fewer for an ordinary progress report on PostgreSQL."""


@dataclass(frozen=True)
class _Before:
    processed: tuple[str, str, str] | None
    """(chat_id, sender_id, reply_text) of the message id processed before, or None."""
    question_open: bool
    undone_lately: bool
    orders: dict[str, Order | None]
    """The order the message names, by number (None: there is no such order), when it was read."""


def _named_order(parser: TextParser) -> str | None:
    """The first order number of a message understood before its transaction (free text), if any."""
    if not isinstance(parser, PreParsed):
        return None
    return next((item.order_no for item in parser.items if item.order_no), None)


async def _before(session: AsyncSession, message: InboundMessage, order_no: str | None) -> _Before:
    params = {
        "platform": message.platform, "message_id": message.message_id, "chat_id": message.chat_id,
        "sender_id": message.sender_id, "undo_since": correction_window_start(message.sent_at),
    }
    if order_no is None:
        row = (await session.execute(_BEFORE, params)).one()
        orders: dict[str, Order | None] = {}
    else:
        row = (await session.execute(_BEFORE_WITH_ORDER, params | {"order_no": order_no})).unique().one()
        orders = {order_no: row[0]}
    processed = None if row.chat_id is None else (row.chat_id, row.sender_id, row.reply_text)
    return _Before(processed, bool(row.question_open), bool(row.undone_lately), orders)
