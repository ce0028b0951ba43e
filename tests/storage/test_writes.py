"""write_pending: an ordinary message's changes written with plain statements must leave the
database and the session exactly as the ORM's flush would; anything else goes to the flush."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from storage.database import Database
from storage.limits import ValueTooLong
from storage.models import Customer, Event, EventKind, MilestoneStatus, Order, OrderMilestone, OrderStatus
from storage.writes import write_pending
from tests.conftest import NOW


async def _order(database: Database, order_no: str = "123") -> None:
    async with database.transaction() as session:
        customer = Customer(name="华东机械", created_at=NOW)
        session.add(Order(
            order_no=order_no, customer=customer, product="搅拌机", quantity=5, due_date=date(2026, 12, 20),
            template_name="标准", created_at=NOW, updated_at=NOW, status=OrderStatus.PLANNED,
            milestones=[OrderMilestone(seq=i, name=name, planned_date=date(2026, 12, 1 + i))
                        for i, name in enumerate(["下料", "焊接", "涂装"])],
        ))


async def _load(session, order_no: str = "123") -> Order:
    return await session.scalar(select(Order).where(Order.order_no == order_no).options(selectinload(Order.milestones)))


def _progress(session, order: Order, *, actor_name: str = "张三", raw_text: str = "123 焊接80%") -> Event:
    later = NOW + timedelta(minutes=5)
    milestone = order.milestones[1]
    milestone.status = MilestoneStatus.IN_PROGRESS
    milestone.percent = 80
    milestone.updated_at = later
    order.status = OrderStatus.IN_PRODUCTION
    order.updated_at = later
    recorded = Event(kind=EventKind.PROGRESS, order=order, milestone="焊接", platform="wecom", chat_id="g1",
                     actor_id="zhangsan", actor_name=actor_name, message_id="m1", raw_text=raw_text,
                     item={"order_no": "123", "percent": 80}, before={"status": "pending"}, created_at=later)
    session.add(recorded)
    return recorded


def _statements(database: Database, *, whole: bool = False) -> list[str]:
    seen: list[str] = []

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if whole or statement.startswith("WITH"):
            seen.append(" ".join(statement.split()))
        else:
            seen.append(statement.split()[0] + " " + statement.split()[2 if statement.startswith("INSERT") else 1])

    return seen


def _writes_in(statement: str) -> list[str]:
    """The data-modifying WITH queries of one statement, in the order written: "UPDATE orders"…"""
    return re.findall(r"\((UPDATE \w+|INSERT INTO \w+)", statement)


async def test_an_ordinary_messages_changes_are_written_as_the_flush_writes_them(database: Database) -> None:
    await _order(database)
    seen = _statements(database)
    async with database.transaction() as session:
        order = await _load(session)
        recorded = _progress(session, order)
        await write_pending(session)
        assert not session.new and not session.dirty  # nothing left for the flush at commit
        assert recorded.id is not None
        # Read back in the same transaction: the rows are there, as a query sees them.
        stored = await session.scalar(select(Event.raw_text).where(Event.id == recorded.id))
        assert stored == "123 焊接80%"
    writes = [s for s in seen if not s.startswith("SELECT")]
    if database.dialect == "postgresql":  # one statement, one round trip: the writes in its WITH, in order
        assert [s.split(" AS ")[0] for s in writes] == ["WITH w0"]
        assert _writes_in(writes[0]) == ["UPDATE orders", "UPDATE order_milestones", "INSERT INTO events"]
    else:
        assert writes == ["UPDATE orders", "UPDATE order_milestones", "INSERT events"]
    async with database.read() as session:
        order = await _load(session)
        assert order.status == OrderStatus.IN_PRODUCTION
        assert order.updated_at == NOW + timedelta(minutes=5)
        assert [(m.name, m.status, m.percent) for m in order.milestones] == [
            ("下料", MilestoneStatus.PENDING, None), ("焊接", MilestoneStatus.IN_PROGRESS, 80),
            ("涂装", MilestoneStatus.PENDING, None),
        ]
        stored = await session.scalar(select(Event).where(Event.id == recorded.id))
        assert (stored.order_id, stored.item, stored.before, stored.undone_at) == (
            order.id, {"order_no": "123", "percent": 80}, {"status": "pending"}, None,
        )


async def test_the_values_are_guarded_as_a_flush_guards_them(database: Database) -> None:
    await _order(database)
    async with database.transaction() as session:
        recorded = _progress(session, await _load(session), actor_name="张" * 300, raw_text="焊接\x00完成")
        await write_pending(session)
    async with database.read() as session:
        stored = await session.scalar(select(Event).where(Event.id == recorded.id))
        assert (len(stored.actor_name), stored.raw_text) == (200, "焊接完成")  # clipped name, NUL dropped
    with pytest.raises(ValueTooLong):
        async with database.transaction() as session:
            order = await _load(session)
            order.milestones[0].department = "车" * 101  # not a clipped column: refused, as the flush refuses it
            await write_pending(session)


async def test_anything_else_pending_goes_to_the_flush(database: Database) -> None:
    await _order(database)
    async with database.transaction() as session:
        order = await _load(session)
        _progress(session, order)
        order.milestones.append(OrderMilestone(seq=3, name="包装", planned_date=date(2026, 12, 10)))  # a new row
        await write_pending(session)
        assert not session.new and not session.dirty
    async with database.read() as session:
        order = await _load(session)
        assert [m.name for m in order.milestones] == ["下料", "焊接", "涂装", "包装"]
        assert order.milestones[1].percent == 80
        assert await session.scalar(select(Event.milestone)) == "焊接"
