"""Bounded work: one message cannot hold the write lock for long or stall the other chats, however
many unknown order numbers it names and however many orders are open.

Asserted by structure, not by timing (a timed bound is noise on a busy machine; the figures are in
benchmarks/inbound_load.py): a message's transaction runs the same statements whether 200 or 5,000
orders are open, and every read over open orders is capped with a LIMIT."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import event, insert, select

from bot.runtime import Runtime
from handlers.free_text import MAX_ITEMS
from handlers.intake import Intake
from storage.models import Customer, Order, OrderStatus
from tests.helpers import ChatSession

OPEN_ORDERS = 5_000


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """Every SQL statement the engine runs while the block runs (its text)."""
    seen: list[str] = []
    engine = runtime.database.engine.sync_engine

    def executed(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", executed)


def order_scans(seen: list[str]) -> list[str]:
    """Reads over orders that are not a look-up of one order number: each must carry a LIMIT."""
    return [text for text in seen if text.startswith("SELECT") and "FROM orders" in text
            and "orders.order_no = " not in text and "orders.id = " not in text]


async def open_orders(runtime: Runtime, count: int, *, first: int = 100000) -> None:
    now = datetime.now(timezone.utc)
    async with runtime.database.transaction() as session:
        customer = Customer(name=f"华东机械{first}", created_at=now)
        session.add(customer)
        await session.flush()
        await session.execute(insert(Order), [
            {"order_no": str(first + i), "customer_id": customer.id, "product": "搅拌机", "quantity": 1,
             "due_date": date(2026, 12, 20), "status": OrderStatus.PLANNED, "template_name": "标准",
             "created_at": now, "updated_at": now}
            for i in range(count)
        ])


def unknown_numbers(count: int) -> list[str]:
    """Numbers like the open ones (same length, same first digits) that are not open orders."""
    return [str(105000 + i) for i in range(count)]


async def test_a_message_naming_220_unknown_orders_is_refused_quickly_and_others_are_answered(
    runtime: Runtime, chat: ChatSession
) -> None:
    await chat.as_role("admin")
    await open_orders(runtime, OPEN_ORDERS)
    text = " ".join(f"{no}焊完" for no in unknown_numbers(220))
    assert len(text) >= 1_900
    other = chat.other(chat_id="涂装车间群", user="王五")
    intake = Intake(runtime.database, runtime.dispatcher)
    await intake.start()
    try:
        with statements(runtime) as seen:
            big = await intake.accept(chat.message(text))
            small = await intake.accept(other.message("帮助"))
            small_reply, big_reply = await asyncio.gather(small.reply(30), big.reply(30))
    finally:
        await intake.close()
    assert small_reply is not None and small_reply.ok
    assert big_reply is not None and not big_reply.ok
    assert "220" in big_reply.text and f"最多 {MAX_ITEMS} 条" in big_reply.text and "没有记录" in big_reply.text
    assert not order_scans(seen)  # refused by the cap before any look-up over the open orders


async def test_unknown_numbers_up_to_the_cap_are_each_answered_without_scanning_every_order(
    runtime: Runtime, chat: ChatSession
) -> None:
    await chat.as_role("admin")
    await open_orders(runtime, 200, first=100000)
    numbers = unknown_numbers(MAX_ITEMS)
    await chat.say(" ".join(f"{no}焊完" for no in numbers))  # leaves its question open, as the next ones do
    with statements(runtime) as few_open:
        await chat.say(" ".join(f"{no}焊完" for no in numbers))
    await open_orders(runtime, OPEN_ORDERS - 200, first=100200)
    with statements(runtime) as many_open:
        reply = await chat.say(" ".join(f"{no}焊完" for no in numbers))
    assert not reply.ok
    assert all(no in reply.text for no in numbers)  # every unknown number is reported
    assert "是指订单" in reply.text  # close matches are still offered for the first ones
    assert len(many_open) == len(few_open)  # 25 times the open orders, not one statement more
    scans = order_scans(many_open)
    assert scans and all("LIMIT" in text for text in scans), scans
    async with runtime.database.read() as session:
        assert await session.scalar(select(Order.order_no).where(Order.order_no == numbers[0])) is None
