"""Helpers shared by the tests: talking to the real dispatcher and reading back what it stored."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.runtime import Runtime
from handlers.config_sync import apply_bindings
from handlers.ledger.applying import ImportMode, ImportReport, ImportSource, import_rows
from handlers.ledger.export import ledger_bytes
from handlers.ledger.model import LedgerScope
from handlers.ledger.reading import parse_rows, read_ledger
from handlers.messages import InboundMessage, Reply
from storage.database import Database
from storage.models import Event, Order, OrderException, OrderMilestone

_ids = itertools.count(1)


class ChatSession:
    """One sender in one chat, talking to the real dispatcher with a controllable clock."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        now: datetime,
        platform: str = "local",
        chat_id: str = "焊接车间群",
        user: str = "张三",
    ) -> None:
        self.runtime = runtime
        self.now = now
        self.platform = platform
        self.chat_id = chat_id
        self.user = user

    def message(self, text: str, *, message_id: str | None = None, mentions: tuple[str, ...] = ()) -> InboundMessage:
        self.now += timedelta(seconds=1)
        return InboundMessage(
            platform=self.platform,
            chat_id=self.chat_id,
            chat_name=self.chat_id,
            sender_id=self.user,
            sender_name=self.user,
            text=text,
            message_id=message_id or f"test-{next(_ids)}",
            sent_at=self.now,
            mentions=mentions,
        )

    async def say(self, text: str, **kwargs: Any) -> Reply:
        return await self.runtime.dispatcher.handle(self.message(text, **kwargs))

    async def as_role(self, role: str) -> ChatSession:
        from bot.config import PersonBinding

        binding = PersonBinding(platform=self.platform, user_id=self.user, role=role, name=self.user)
        await self.runtime.database.run(lambda session: apply_bindings(session, (), (binding,)))
        return self

    async def bind_chat(self, role: str, *, department: str | None = None, customer: str | None = None) -> ChatSession:
        """Bind this chat as configuration would ([[chats]])."""
        from bot.config import ChatBinding

        binding = ChatBinding(platform=self.platform, chat_id=self.chat_id, role=role, name=self.chat_id,
                              department=department, customer=customer)
        await self.runtime.database.run(lambda session: apply_bindings(session, (binding,), ()))
        return self

    def other(self, *, user: str | None = None, chat_id: str | None = None) -> ChatSession:
        return ChatSession(
            self.runtime, now=self.now, platform=self.platform, chat_id=chat_id or self.chat_id, user=user or self.user
        )


async def milestone(runtime: Runtime, order_no: str, name: str) -> OrderMilestone:
    async with runtime.database.transaction() as session:
        return await session.scalar(
            select(OrderMilestone).join(Order).where(Order.order_no == order_no, OrderMilestone.name == name)
        )


async def events(runtime: Runtime, kind: str | None = None) -> list[Event]:
    async with runtime.database.transaction() as session:
        query = select(Event).order_by(Event.id)
        if kind:
            query = query.where(Event.kind == kind)
        return list(await session.scalars(query))


async def count_rows(database: Database, model: type, *where: Any) -> int:
    """How many rows of `model` the database holds (matching every `where` condition)."""
    async with database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def count(runtime: Runtime, model: type, *where: Any) -> int:
    return await count_rows(runtime.database, model, *where)


async def create_order(chat: ChatSession, order_no: str = "123", due: str = "2026-12-20", extra: str = "") -> Reply:
    reply = await chat.say(f"新建订单 {order_no} 华东机械 搅拌机 50台 {due} {extra}".strip())
    assert reply.ok, reply.text
    return reply


async def accept(chat: ChatSession, order_no: str = "123") -> Reply:
    """Pass acceptance of an order, answering 「是」 when the bot asks because steps are unfinished."""
    reply = await chat.say(f"验收 {order_no} 通过")
    if "确定要关闭吗" in reply.text:
        reply = await chat.say("是")
    assert reply.ok and "订单已验收关闭" in reply.text, reply.text
    return reply


async def outbox(runtime: Runtime) -> dict[str, str]:
    """Every queued proactive message: dedupe key -> text."""
    from storage.models import OutboxMessage

    async with runtime.database.transaction() as session:
        return {m.dedupe_key: m.text for m in await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


async def order(runtime: Runtime, order_no: str) -> Order:
    from sqlalchemy.orm import selectinload

    async with runtime.database.transaction() as session:
        return await session.scalar(
            select(Order).where(Order.order_no == order_no).options(selectinload(Order.milestones))
        )


async def exception(chat: ChatSession, exception_id: int) -> OrderException:
    """The exception with this id, as stored."""
    async with chat.runtime.database.transaction() as session:
        return await session.get(OrderException, exception_id)


# ---- the order ledger (Excel) ------------------------------------------------------------------

LEDGER_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""tests.conftest.NOW (not imported from there: conftest imports this module)."""


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def import_bytes(
    runtime: Runtime, data: bytes, *, now: datetime | None = None, mode: ImportMode = ImportMode.UPSERT,
    dry_run: bool = False, file_name: str = "台账.xlsx", importer: str = "王经理",
) -> ImportReport:
    now = now or LEDGER_NOW
    sheet = read_ledger(data, file_name)
    rows = parse_rows(sheet, now.astimezone(runtime.handler_settings.tz).date())
    source = ImportSource(file_name=file_name, importer=importer, now=now)
    return await import_rows(runtime.database, runtime.handler_settings, rows, mode=mode, dry_run=dry_run,
                             source=source)


async def export_bytes(runtime: Runtime, now: datetime | None = None, **scope: Any) -> bytes:
    return await ledger_bytes(runtime.database, runtime.handler_settings, now or LEDGER_NOW, LedgerScope(**scope))


def sheet_rows(data: bytes, sheet: str = "台账") -> list[tuple]:
    return list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


def as_dicts(data: bytes, sheet: str = "台账") -> list[dict[str, Any]]:
    header, *rows = sheet_rows(data, sheet)
    return [dict(zip(header, row, strict=True)) for row in rows if any(v is not None for v in row)]


async def raw_http_post(
    host: str,
    port: int,
    target: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    split_at: int | None = None,
    pause: float = 0.2,
) -> tuple[int, bytes]:
    """POST `body` to `target` (path and query, already encoded) over a raw socket, the way a proxy
    that streams bodies does: the request head, then the body in two writes `pause` seconds apart
    (split after `split_at` bytes; the middle when None). Returns the status and the response body."""
    import asyncio

    reader, writer = await asyncio.open_connection(host, port)
    try:
        lines = [f"POST {target} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
                 f"Content-Length: {len(body)}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        cut = len(body) // 2 if split_at is None else split_at
        writer.write(body[:cut])
        await writer.drain()
        await asyncio.sleep(pause)
        writer.write(body[cut:])
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        payload = _unchunk(payload)
    return status, payload


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out


UNREACHABLE = {
    "sqlite": "sqlite+aiosqlite:////nonexistent-dir/gendan.db",
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:1/test",
}


@contextmanager
def database_outage(database: Database) -> Iterator[None]:
    """While the block runs, every unit of work on `database` meets a database that cannot be
    reached (the real driver's error: no such file / connection refused); afterwards it is back."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    down = Database.from_url(UNREACHABLE[database.dialect])
    sessions = database.sessions
    database.sessions = async_sessionmaker(down.engine, expire_on_commit=False)
    try:
        yield
    finally:
        database.sessions = sessions
        down.engine.sync_engine.dispose()
