"""Labelled examples learned from use, and their export as contract JSONL.

A confirmation (「是」 to a question naming the bot's reading) labels the questioned message with the
items it confirmed. A correction labels a message with what its sender recorded instead: a message
sent while a question on an earlier one was open (it replaces it), or a new record within
`CORRECTION_MINUTES` of undoing one (the undone message's other records still stand and keep their
part of the label). An order number the labelled text does not contain is labelled null, as the
contract has it: the bot took it from the conversation, not from the words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.conversation import PENDING_TTL, sender_params
from handlers.understanding.items import CONTRACT_KEYS
from storage.models import Event, EventKind, ExampleSource, LabelledExample, PendingConfirmation

CORRECTION_MINUTES = 10
"""How soon after an undo a new record from the same sender counts as its correction."""
_RECORDS = (EventKind.PROGRESS, EventKind.CHANGE_REQUESTED, EventKind.EXCEPTION_OPENED)


def _label(text: str, items: Iterable[dict[str, Any]], written: set[str]) -> list[dict[str, Any]]:
    """Contract dicts only. An order number the text does not contain is the one the text wrote
    when it wrote exactly one (the bot suggested a near number: 「是指订单 123 吗」), else null."""
    plain = unicodedata.normalize("NFKC", text).upper()
    labelled = []
    for item in items:
        entry = {key: item.get(key) for key in CONTRACT_KEYS}
        if entry["order_no"] and not _names(plain, str(entry["order_no"]).upper()):
            entry["order_no"] = next(iter(written)) if len(written) == 1 else None
        labelled.append(entry)
    return labelled


def _names(text: str, order_no: str) -> bool:
    return re.search(rf"(?<![0-9A-Z]){re.escape(order_no)}(?![0-9A-Z])", text) is not None


async def _keep(ctx: Context, key: str, source: ExampleSource, text: str, sent_at: datetime,
                items: list[dict[str, Any]], replacement: str | None = None) -> None:
    if not items or await ctx.session.scalar(select(LabelledExample.id).where(LabelledExample.dedupe_key == key)):
        return
    written = {item.order_no for item in ctx.parser.parse(text, sent_at) if item.order_no}
    ctx.session.add(LabelledExample(
        dedupe_key=key, source=source, text=text, reference_time=sent_at, items=_label(text, items, written),
        replacement_text=replacement, platform=ctx.message.platform, chat_id=ctx.message.chat_id,
        sender_id=ctx.message.sender_id, created_at=ctx.now,
    ))


def _recorded_items(ctx: Context) -> list[dict[str, Any]]:
    """The items this message recorded, as the context kept them (no query over the event log)."""
    return [event.item for event in ctx.recorded if event.kind in _RECORDS]


async def learn_confirmation(ctx: Context, pending: PendingConfirmation) -> None:
    """The sender answered 「是」: the questioned message meant the items it confirmed."""
    key = f"{ExampleSource.CONFIRMATION}:{pending.platform}:{pending.message_id or pending.id}"
    await _keep(ctx, key, ExampleSource.CONFIRMATION, pending.raw_text, pending.created_at, list(pending.items))


async def learn_correction(ctx: Context, questioned: PendingConfirmation | None) -> None:
    """After a message is handled: if it recorded something and replaces a questioned message or
    follows an undo of the sender's own record within minutes, label the earlier message with it."""
    if questioned is not None and ctx.now - questioned.created_at > PENDING_TTL:
        questioned = None
    items = _recorded_items(ctx)
    if not items:
        return
    if questioned is not None:
        key = f"{ExampleSource.CORRECTION}:{questioned.platform}:{questioned.message_id or questioned.id}"
        await _keep(ctx, key, ExampleSource.CORRECTION, questioned.raw_text, questioned.created_at, items, ctx.text)
        return
    undone = await _recently_undone(ctx)
    if undone is None:
        return
    standing = await ctx.session.scalars(
        select(Event).where(
            Event.platform == undone.platform, Event.message_id == undone.message_id,
            Event.kind.in_(_RECORDS), Event.undone_at.is_(None),
        ).order_by(Event.id)
    )
    key = f"{ExampleSource.CORRECTION}:{undone.platform}:{undone.message_id}"
    await _keep(ctx, key, ExampleSource.CORRECTION, undone.raw_text, undone.created_at,
                [event.item for event in standing] + items, ctx.text)


_EVENTS = Event.__table__
UNDONE_LATELY = exists(_EVENTS.c.id).where(
    _EVENTS.c.kind == EventKind.UNDO, _EVENTS.c.created_at >= bindparam("undo_since"),
    _EVENTS.c.platform == bindparam("platform"), _EVENTS.c.chat_id == bindparam("chat_id"),
    _EVENTS.c.actor_id == bindparam("sender_id"),
)
"""Whether the sender (`sender_params`) undid something in this chat since `undo_since`
(`correction_window_start`): asked before every message with the other checks of
`handlers.dispatcher`, in one statement; asked alone by `learn_correction` otherwise."""
_ANY_UNDO = select(UNDONE_LATELY)


def correction_window_start(now: datetime) -> datetime:
    """Since when an undo makes a new record its correction."""
    return now - timedelta(minutes=CORRECTION_MINUTES)


async def _recently_undone(ctx: Context) -> Event | None:
    """The sender's record in this chat undone within the last minutes, when no record of theirs
    came between the undo and this message."""
    since = correction_window_start(ctx.now)
    # Undos are rare: one query on the kind index settles the common case (no undo, nothing to do)
    # before the sender's latest record is looked for.
    # It cannot see this message's own records (an undo message records no item, so it never gets
    # here): no flush is needed first, and the message's records are flushed once, at its end.
    any_undo = ctx.undone_lately
    if any_undo is None:
        with ctx.session.no_autoflush:
            any_undo = bool(await ctx.session.scalar(_ANY_UNDO, {**sender_params(ctx), "undo_since": since}))
    if not any_undo:
        return None
    last = await ctx.session.scalar(
        select(Event).where(
            Event.platform == ctx.message.platform, Event.chat_id == ctx.message.chat_id,
            Event.actor_id == ctx.message.sender_id, Event.kind.in_((*_RECORDS, EventKind.UNDO)),
            Event.message_id != ctx.message.message_id, Event.created_at >= since,
        ).order_by(Event.created_at.desc(), Event.id.desc()).limit(1)
    )
    if last is None or last.kind != EventKind.UNDO:
        return None
    undone = await ctx.session.get(Event, last.item.get("undone_event_id"))
    if undone is None or undone.kind not in _RECORDS or not undone.message_id:
        return None
    return undone


async def all_examples(session: AsyncSession) -> Sequence[LabelledExample]:
    return list(await session.scalars(select(LabelledExample).order_by(LabelledExample.id)))


def as_jsonl(examples: Iterable[LabelledExample], tz: tzinfo) -> Iterator[str]:
    """One contract line per example: {"text", "now", "items"}, `now` in the deployment's zone."""
    for example in examples:
        record = {"text": example.text, "now": example.reference_time.astimezone(tz).isoformat(),
                  "items": example.items}
        yield json.dumps(record, ensure_ascii=False) + "\n"
