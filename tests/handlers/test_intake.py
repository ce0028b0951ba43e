"""Durable intake: stored before acknowledged, handled once in order per chat, answered once through
the transport, the stored channel, or the outbox; a restart resumes what was not handled."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select

from bot.runtime import Runtime
from handlers import intake as intake_module
from handlers.intake import Intake, NotAccepted, ReplyChannel
from handlers.messages import InboundMessage, Reply
from storage.models import AnswerRoute, Event, InboxMessage, InboxStatus, OutboxMessage, ProcessedMessage
from tests.helpers import ChatSession

ORDER = "新建订单 123 华东机械 搅拌机 50台 2026-12-20"


class LateChannel:
    """A late sender that records what it was asked to send, or fails when told to."""

    def __init__(self, *, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    async def __call__(self, message: InboundMessage, channel: ReplyChannel, reply: Reply) -> None:
        if self.fail:
            raise ConnectionError("channel gone")
        self.sent.append((message.message_id, reply.text))


@pytest.fixture
async def intake(runtime: Runtime) -> AsyncIterator[Intake]:
    intake = Intake(runtime.database, runtime.dispatcher)
    await intake.start()
    yield intake
    await intake.close()


@pytest.fixture
async def admin(chat: ChatSession) -> ChatSession:
    await chat.as_role("admin")
    await chat.say(ORDER)
    return chat


@contextmanager
def slow_handling(runtime: Runtime) -> Iterator[asyncio.Event]:
    """Handling waits until the event is set (a slow message)."""
    go = asyncio.Event()
    real_apply = runtime.dispatcher.apply

    async def slow(message, finish=None, **options):
        await go.wait()
        return await real_apply(message, finish, **options)

    runtime.dispatcher.apply = slow  # type: ignore[method-assign]
    try:
        yield go
    finally:
        runtime.dispatcher.apply = real_apply  # type: ignore[method-assign]


def live_channel() -> ReplyChannel:
    return ReplyChannel("url", "https://example.invalid/once", datetime.now(timezone.utc) + timedelta(hours=1))


async def inbox_row(runtime: Runtime, message_id: str) -> InboxMessage:
    async with runtime.database.read() as session:
        row = await session.scalar(select(InboxMessage).where(InboxMessage.message_id == message_id))
        assert row is not None
        return row


async def processed(runtime: Runtime, message_id: str) -> int:
    async with runtime.database.read() as session:
        return await session.scalar(
            select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.message_id == message_id)
        )


async def outbox_texts(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.database.read() as session:
        return [(row.dedupe_key, row.text) for row in await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


async def test_the_transport_gets_the_reply_when_it_is_ready_in_time(runtime, intake, admin) -> None:
    message = admin.message("订单123 焊接完成")
    ticket = await intake.accept(message, live_channel())
    reply = await ticket.reply(5.0)
    assert reply is not None and "焊接" in reply.text
    row = await inbox_row(runtime, message.message_id)
    assert (row.status, row.answer_route) == (InboxStatus.DONE, AnswerRoute.PASSIVE)
    assert row.reply_text == reply.text
    assert await processed(runtime, message.message_id) == 1


async def test_a_redelivery_finds_the_stored_message_and_its_reply(runtime, intake, admin) -> None:
    message = admin.message("订单123 焊接完成")
    first = await (await intake.accept(message)).reply(5.0)
    again = await intake.accept(message)
    assert again.duplicate
    second = await again.reply(5.0)
    assert second is not None and second.duplicate and second.text == first.text
    assert await processed(runtime, message.message_id) == 1


async def test_a_late_answer_goes_once_through_the_stored_channel(runtime, intake, admin) -> None:
    late = LateChannel()
    intake.register_channel("local", "url", late)
    message = admin.message("订单123 焊接完成")
    with slow_handling(runtime) as go:
        ticket = await intake.accept(message, live_channel())
        assert await ticket.reply(0.05) is None  # the transport could not wait longer
        go.set()
        await intake.settled()
    assert [mid for mid, _ in late.sent] == [message.message_id]
    row = await inbox_row(runtime, message.message_id)
    assert row.answer_route == AnswerRoute.CHANNEL and row.answered_at is not None
    assert await outbox_texts(runtime) == []


async def test_without_a_live_channel_the_answer_goes_to_the_outbox(runtime, intake, admin) -> None:
    late = LateChannel()
    intake.register_channel("local", "url", late)
    expired = ReplyChannel("url", "https://example.invalid/old", datetime.now(timezone.utc) - timedelta(minutes=1))
    message = admin.message("订单123 焊接完成")
    await intake.accept(message, expired, carries_reply=False)
    await intake.settled()
    assert late.sent == []
    [(key, text)] = await outbox_texts(runtime)
    assert key == f"reply:local:{message.message_id}" and "焊接" in text
    assert (await inbox_row(runtime, message.message_id)).answer_route == AnswerRoute.OUTBOX


async def test_a_failing_channel_hands_the_answer_to_the_outbox_once(runtime, intake, admin) -> None:
    intake.register_channel("local", "url", LateChannel(fail=True))
    message = admin.message("订单123 焊接完成")
    await intake.accept(message, live_channel(), carries_reply=False)
    await intake.settled()
    assert [key for key, _ in await outbox_texts(runtime)] == [f"reply:local:{message.message_id}"]
    row = await inbox_row(runtime, message.message_id)
    assert row.answer_route == AnswerRoute.OUTBOX and row.answered_at is not None


async def test_one_chat_is_handled_in_the_order_received(runtime, intake, admin) -> None:
    steps = ["排产", "领料", "下料", "焊接", "涂装"]
    messages = [admin.message(f"订单123 {step}完成") for step in steps]
    for m in messages:
        await intake.accept(m, carries_reply=False)
    await intake.settled()
    async with runtime.database.read() as session:
        order = list(await session.scalars(
            select(ProcessedMessage.message_id).where(ProcessedMessage.message_id.in_([m.message_id for m in messages]))
            .order_by(ProcessedMessage.id)
        ))
    assert order == [m.message_id for m in messages]


async def test_a_restart_resumes_what_was_received_but_not_handled(runtime, admin) -> None:
    first = Intake(runtime.database, runtime.dispatcher)
    await first.start()
    gate = asyncio.Event()
    real_apply = runtime.dispatcher.apply

    async def stalled(message, finish=None, **options):
        await gate.wait()  # the process dies before handling
        return await real_apply(message, finish, **options)

    runtime.dispatcher.apply = stalled  # type: ignore[method-assign]
    message = admin.message("订单123 焊接完成")
    await first.accept(message, carries_reply=False)
    await first.close(timeout=0.1)
    runtime.dispatcher.apply = real_apply  # type: ignore[method-assign]
    assert (await inbox_row(runtime, message.message_id)).status == InboxStatus.RECEIVED
    assert await processed(runtime, message.message_id) == 0

    second = Intake(runtime.database, runtime.dispatcher)
    await second.start()
    await second.settled()
    await second.close()
    assert await processed(runtime, message.message_id) == 1
    row = await inbox_row(runtime, message.message_id)
    assert row.status == InboxStatus.DONE and row.answer_route == AnswerRoute.OUTBOX  # no channel left
    assert len(await outbox_texts(runtime)) == 1


async def test_a_stopping_intake_takes_no_new_message(runtime, intake, admin) -> None:
    intake.stop_accepting()
    with pytest.raises(NotAccepted):
        await intake.accept(admin.message("订单123 焊接完成"))


async def test_an_answer_through_the_outbox_keeps_its_file(runtime, intake, admin) -> None:
    # 导出台账 answers with the ledger workbook: where the answer goes out late, the file goes too
    # (first, as the passive route sends it), not only the text.
    expired = ReplyChannel("url", "https://example.invalid/old", datetime.now(timezone.utc) - timedelta(minutes=1))
    message = admin.message("导出台账")
    await intake.accept(message, expired, carries_reply=False)
    await intake.settled()
    async with runtime.database.read() as session:
        rows = list(await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.attachment_kind, OutboxMessage.attachment_filename,
                   OutboxMessage.attachment_data).order_by(OutboxMessage.id)
        ))
    assert [row[0] for row in rows] == [f"reply:{message.message_id}:attachment", f"reply:local:{message.message_id}"]
    assert rows[0][1] == "file" and rows[0][2].endswith(".xlsx") and rows[0][3]
    assert rows[1][3] is None


async def test_a_message_with_an_over_long_id_is_refused_at_once_and_not_stored(runtime, intake, admin) -> None:
    message = admin.message("订单123 焊接完成", message_id="m" * 500)
    ticket = await intake.accept(message, live_channel())
    reply = await ticket.reply(1.0)
    assert reply is not None and not reply.ok and "没有记录" in reply.text
    async with runtime.database.read() as session:
        assert await session.scalar(select(func.count()).select_from(InboxMessage)) == 0


async def test_a_nul_character_is_stored_and_handled_on_either_database(runtime, intake, admin) -> None:
    message = admin.message("订单123 焊接\x00完成")
    reply = await (await intake.accept(message)).reply(5.0)
    assert reply is not None and reply.ok and "焊接" in reply.text
    assert "\x00" not in (await inbox_row(runtime, message.message_id)).text


async def queue_then_release(runtime: Runtime, intake: Intake, messages: list[InboundMessage]) -> list[Reply | None]:
    """Accept `messages` while the chat's first message is still being handled, so the rest queue
    behind it (and are handled together), then wait for every answer."""
    with slow_handling(runtime) as go:
        first = await intake.accept(messages[0])
        rest = [await intake.accept(m) for m in messages[1:]]
        go.set()
        return [await asyncio.wait_for(ticket.reply(None), 10) for ticket in [first, *rest]]


async def test_queued_messages_of_one_chat_are_handled_together_each_with_its_own_reply(
    runtime, intake, admin, monkeypatch
) -> None:
    together: list[int] = []
    real = runtime.dispatcher.apply_together

    async def counting(messages, **options):
        replies = await real(messages, **options)
        together.append(len(replies))
        return replies

    monkeypatch.setattr(runtime.dispatcher, "apply_together", counting)
    monkeypatch.setattr(intake_module, "TOGETHER_WITHIN", 10.0)  # a loaded machine splits no batch
    steps = ["排产", "领料", "下料", "焊接"]
    messages = [admin.message(f"订单123 {step}完成") for step in steps]
    replies = await queue_then_release(runtime, intake, messages)
    assert together == [3]  # the first alone (it was being handled), the three queued in one transaction
    for step, reply in zip(steps, replies):
        assert reply is not None and reply.ok and step in reply.text
    for m in messages:
        assert await processed(runtime, m.message_id) == 1
        row = await inbox_row(runtime, m.message_id)
        assert (row.status, row.answer_route) == (InboxStatus.DONE, AnswerRoute.PASSIVE)


async def test_a_fault_in_a_queued_message_loses_none_of_the_others(runtime, intake, admin, monkeypatch) -> None:
    import handlers.dispatcher as dispatcher_module

    real = dispatcher_module.handle_free_text

    async def faulty(ctx):
        if "焊接" in ctx.text:
            raise RuntimeError("a fault in one message")
        return await real(ctx)

    monkeypatch.setattr(dispatcher_module, "handle_free_text", faulty)
    steps = ["排产", "领料", "焊接", "涂装"]
    messages = [admin.message(f"订单123 {step}完成") for step in steps]
    replies = await queue_then_release(runtime, intake, messages)
    assert [reply is not None and reply.ok for reply in replies] == [True, True, False, True]
    assert "没有记录" in replies[2].text
    assert [await processed(runtime, m.message_id) for m in messages] == [1, 1, 0, 1]
    assert [(await inbox_row(runtime, m.message_id)).status for m in messages] == [InboxStatus.DONE] * 4


async def test_an_over_long_message_in_the_queue_is_answered_and_the_rest_recorded(runtime, intake, admin) -> None:
    limit = runtime.dispatcher.settings.max_message_chars
    texts = ["订单123 排产完成", "订单123 领料完成", "订单123 " + "很" * limit, "订单123 下料完成"]
    messages = [admin.message(text) for text in texts]
    replies = await queue_then_release(runtime, intake, messages)
    assert [reply is not None and reply.ok for reply in replies] == [True, True, False, True]
    assert "消息太长了" in replies[2].text
    assert [await processed(runtime, m.message_id) for m in messages] == [1, 1, 0, 1]


@contextmanager
def sent_alone(runtime: Runtime, start: str, *, sets: tuple[str, ...] = ()) -> Iterator[list[bool]]:
    """For each statement beginning with `start` sent while the block runs (an UPDATE: setting
    exactly the columns `sets`), whether it went out alone, in autocommit, without BEGIN and COMMIT."""
    sent: list[bool] = []
    engine = runtime.database.engine.sync_engine

    def on_execute(connection, _cursor, statement, _parameters, _context, _many) -> None:
        assigned = tuple(sorted(re.findall(r"(\w+)=", statement.split(" WHERE ")[0])))
        if statement.startswith(start) and (not sets or assigned == tuple(sorted(sets))):
            sent.append(bool(getattr(connection.connection.dbapi_connection, "autocommit", False)))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


@contextmanager
def inbox_inserts(runtime: Runtime) -> Iterator[list[object]]:
    """The transaction each INSERT INTO inbox sent while the block runs went out in (None: alone)."""
    transactions: list[object] = []
    engine = runtime.database.engine.sync_engine

    def on_execute(connection, _cursor, statement, _parameters, _context, _many) -> None:
        if statement.startswith("INSERT INTO inbox"):
            transactions.append(connection.get_transaction())

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield transactions
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def test_messages_arriving_together_are_stored_by_one_insert(runtime, intake, admin) -> None:
    messages = [admin.message(f"订单123 {step}完成") for step in ("排产", "领料", "下料", "焊接")]
    with sent_alone(runtime, "INSERT INTO inbox") as inserts, inbox_inserts(runtime) as transactions:
        tickets = await asyncio.gather(*(intake.accept(m) for m in messages))
        replies = [await asyncio.wait_for(t.reply(None), 10) for t in tickets]
    if runtime.database.dialect == "postgresql":
        assert inserts == [True]  # one INSERT that commits on its own: no BEGIN/COMMIT round trips
    else:
        # One INSERT per message (SQLite has no round trips to save), all in one transaction: the
        # write lock is taken and the commit paid once for the batch.
        assert len(transactions) == len(messages) and transactions[0] is not None
        assert all(t is transactions[0] for t in transactions)
    for step, reply in zip(("排产", "领料", "下料", "焊接"), replies):
        assert reply is not None and reply.ok and step in reply.text
    for m in messages:
        assert (await inbox_row(runtime, m.message_id)).status == InboxStatus.DONE
        assert await processed(runtime, m.message_id) == 1


async def test_a_late_answer_is_marked_by_one_update_alone(runtime, intake, admin) -> None:
    channel = LateChannel()
    intake.register_channel(admin.platform, "url", channel)
    message = admin.message("订单123 焊接完成")
    with sent_alone(runtime, "UPDATE inbox SET", sets=("answer_route", "answered_at")) as marks:
        await intake.accept(message, live_channel(), carries_reply=False)  # the answer always goes late
        await intake.settled()
    assert [m for m, _ in channel.sent] == [message.message_id]
    row = await inbox_row(runtime, message.message_id)
    assert row.answer_route == AnswerRoute.CHANNEL and row.answered_at is not None
    assert marks == ([True] if runtime.database.dialect == "postgresql" else [False])


async def test_a_message_twice_in_one_batch_is_handled_once_and_both_answered(runtime, intake, admin) -> None:
    message = admin.message("订单123 焊接完成")
    other = admin.message("订单123 涂装完成")
    first, second, third = await asyncio.gather(intake.accept(message), intake.accept(other), intake.accept(message))
    assert (first.duplicate, second.duplicate, third.duplicate) == (False, False, True)
    assert first.row_id == third.row_id
    one, _two, again = [await asyncio.wait_for(t.reply(None), 10) for t in (first, second, third)]
    assert one is not None and again is not None and again.duplicate and again.text == one.text
    assert await processed(runtime, message.message_id) == 1
    assert await processed(runtime, other.message_id) == 1


async def test_a_redelivery_among_new_messages_is_answered_from_the_inbox(runtime, intake, admin) -> None:
    old = admin.message("订单123 焊接完成")
    answered = await (await intake.accept(old)).reply(5.0)
    new = admin.message("订单123 涂装完成")
    again, fresh = await asyncio.gather(intake.accept(old), intake.accept(new))
    assert again.duplicate and not fresh.duplicate
    replayed = await again.reply(5.0)
    assert replayed is not None and replayed.duplicate and answered is not None and replayed.text == answered.text
    reply = await fresh.reply(5.0)
    assert reply is not None and reply.ok and "涂装" in reply.text
    assert await processed(runtime, old.message_id) == 1
    assert await processed(runtime, new.message_id) == 1



async def test_a_message_applied_before_it_reached_the_inbox_is_recorded_once(runtime, intake, admin) -> None:
    message = admin.message("订单123 焊接完成")
    first = await runtime.dispatcher.handle(message)  # applied without the inbox (as another instance might)
    assert first.ok and not first.duplicate
    ticket = await intake.accept(message)
    assert not ticket.duplicate  # new to the inbox
    await intake.settled()
    assert await processed(runtime, message.message_id) == 1
    assert (await inbox_row(runtime, message.message_id)).status == InboxStatus.DONE
    assert await ticket.reply(1.0) is None  # a duplicate: nothing said twice
    async with runtime.database.read() as session:
        events = await session.scalar(select(func.count()).select_from(Event).where(Event.message_id == message.message_id))
    assert events == 1


async def test_remembering_a_message_and_marking_it_handled_is_one_statement_on_postgresql(runtime, intake, admin) -> None:
    sent: list[str] = []

    def on_execute(_connection, _cursor, statement, _parameters, _context, _many) -> None:
        if "INSERT INTO processed_messages" in statement or "UPDATE inbox" in statement:
            sent.append(statement)

    engine = runtime.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        message = admin.message("订单123 焊接完成")
        reply = await (await intake.accept(message)).reply(5.0)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert reply is not None and reply.ok
    assert len(sent) == (1 if runtime.database.dialect == "postgresql" else 2)  # one round trip on PostgreSQL
    assert await processed(runtime, message.message_id) == 1
    row = await inbox_row(runtime, message.message_id)
    assert (row.status, row.reply_text) == (InboxStatus.DONE, reply.text)


async def test_an_ordinary_progress_report_is_three_statements_and_no_begin_on_postgresql(runtime, intake, admin) -> None:
    # Stored (one INSERT), read (the checks and the order, one SELECT), written (one statement):
    # each a round trip on PostgreSQL, and the write commits alone (no BEGIN/COMMIT round trips).
    sent: list[str] = []
    begun: list[str] = []

    def on_execute(connection, _cursor, statement, _parameters, _context, _many) -> None:
        sent.append(statement.split()[0])
        driver = connection.connection.dbapi_connection
        if getattr(driver, "_transaction", 0) is None and driver.isolation_level != "autocommit":
            begun.append(statement.split()[0])

    engine = runtime.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        message = admin.message("订单123 焊接80%")
        reply = await (await intake.accept(message)).reply(5.0)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert reply is not None and reply.ok and "80%" in reply.text
    if runtime.database.dialect == "postgresql":
        assert (sent, begun) == (["INSERT", "SELECT", "WITH"], [])
    assert await processed(runtime, message.message_id) == 1
    async with runtime.database.read() as session:
        events = await session.scalar(select(func.count()).select_from(Event).where(Event.message_id == message.message_id))
    assert events == 1
    assert (await inbox_row(runtime, message.message_id)).status == InboxStatus.DONE


@pytest.mark.parametrize("together", [False, True], ids=["stored before", "in the same batch"])
async def test_a_message_id_reused_by_another_chat_is_not_answered_with_the_first_chats_reply(
    runtime, intake, admin, together
) -> None:
    # A message id is the platform's; another chat's message carrying the same id is no redelivery:
    # the first chat's stored reply must not be shown to it (nor its text recorded as the first one).
    other = ChatSession(runtime, now=admin.now, chat_id="涂装车间群", user="李四")
    first = admin.message("订单123 焊接完成", message_id="shared-id")
    second = other.message("订单123 涂装完成", message_id="shared-id")
    if together:
        tickets = await asyncio.gather(intake.accept(first), intake.accept(second))
    else:
        tickets = [await intake.accept(first)]
        await tickets[0].reply(5.0)
        tickets.append(await intake.accept(second))
    answered, reused = [await ticket.reply(5.0) for ticket in tickets]
    assert answered is not None and answered.ok and "焊接" in answered.text
    assert reused is not None and not reused.ok and "重复" in reused.text and "焊接" not in reused.text
    assert await processed(runtime, "shared-id") == 1
