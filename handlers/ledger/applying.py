"""Applying ledger rows to orders, through the same domain rules as the chat.

Each row is decided against the order as stored (`decide`): new, changed (which fields), unchanged
or an error. A dry run stops there. A real run applies each row that is new or changed as its own
unit of work, deciding again inside that transaction on the order as it is then:

- a new order is created by the rules of `handlers.orders.create_order` (`create_orders` for a
  group of them), so it gets its milestone plan from its template, exactly as 新建订单 would;
- a changed due date or quantity becomes a change request approved by the importer
  (`handlers.changes.approve_change`), so the plan re-lays and the department groups are told
  exactly as for a change approved in chat;
- product, spec, unit, owner, priority and notes are plain fields, updated with their old values
  kept in the audit event.

Every unit appends an audit event naming the file and the row. Importing the same file again
finds every row unchanged and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.changes import approve_change, impact_lines
from handlers.context import Context
from handlers.ledger.columns import BY_FIELD, PRIORITY_LABELS, Field
from handlers.ledger.reading import LedgerRow, RowError
from handlers.messages import InboundMessage
from handlers.orders import NewOrder, OrderInputError, create_order, create_orders
from handlers.planning import Plan
from handlers.settings import HandlerSettings
from storage.database import Database
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Chat,
    Event,
    EventKind,
    Order,
    OrderStatus,
    Person,
    PersonRole,
)

IMPORT_CHAT = "台账导入"
"""The chat id the audit events of an import carry (there is no chat: the file is the source)."""
PLAIN_FIELDS = (Field.PRODUCT, Field.SPEC, Field.UNIT, Field.OWNER, Field.PRIORITY, Field.NOTES)
CHANGE_FIELDS = (Field.QUANTITY, Field.DUE_DATE)
_ATTRIBUTES = {Field.PRODUCT: "product", Field.SPEC: "spec", Field.UNIT: "unit", Field.OWNER: "owner",
               Field.PRIORITY: "priority", Field.NOTES: "requirements", Field.QUANTITY: "quantity",
               Field.DUE_DATE: "due_date"}
_CLOSED = (OrderStatus.ACCEPTED, OrderStatus.CANCELLED)


class ImportMode(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    UPSERT = "upsert"


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {"new": "新建", "changed": "更新", "unchanged": "无变化", "error": "错误"}[self.value]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: Field
    old: object
    new: object

    def describe(self) -> str:
        return f"{BY_FIELD[self.field].header} {_shown(self.field, self.old)} → {_shown(self.field, self.new)}"


@dataclass(frozen=True, slots=True)
class RowResult:
    number: int
    order_no: str | None
    outcome: Outcome
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""

    def describe(self) -> str:
        head = f"第{self.number}行 {self.order_no or ''}".rstrip()
        if self.outcome == Outcome.ERROR:
            return f"{head}：错误 —— {self.reason}"
        if self.outcome == Outcome.CHANGED:
            return f"{head}：更新 —— " + "；".join(change.describe() for change in self.changes)
        return f"{head}：{self.outcome.label}"


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(result.outcome == outcome for result in self.results)

    @property
    def errors(self) -> list[RowResult]:
        return [result for result in self.results if result.outcome == Outcome.ERROR]

    def summary(self) -> str:
        counts = Counter(result.outcome for result in self.results)
        head = "预览（没有改动任何数据）" if self.dry_run else "导入完成"
        verbs = ("将新建", "将更新") if self.dry_run else ("新建", "更新")
        return (
            f"{head}：{self.file_name} 共 {len(self.results)} 行，{verbs[0]} {counts[Outcome.NEW]}，"
            f"{verbs[1]} {counts[Outcome.CHANGED]}，无变化 {counts[Outcome.UNCHANGED]}，错误 {counts[Outcome.ERROR]}"
        )


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """What a row is compared with: the order's importable fields as stored."""

    order_no: str
    customer: str
    template: str
    status: OrderStatus
    values: dict[Field, object]


def _shown(field: Field, value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if field == Field.PRIORITY:
        return PRIORITY_LABELS.get(str(value), str(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def stored(order: Order) -> StoredOrder:
    return StoredOrder(
        order_no=order.order_no,
        customer=order.customer.name,
        template=order.template_name,
        status=OrderStatus(order.status),
        values={f: getattr(order, attribute) for f, attribute in _ATTRIBUTES.items()},
    )


def _row_value(row: LedgerRow, field_: Field) -> object:
    return {
        Field.PRODUCT: row.product, Field.SPEC: row.spec, Field.UNIT: row.unit, Field.OWNER: row.owner,
        Field.PRIORITY: row.priority, Field.NOTES: row.notes, Field.QUANTITY: row.quantity,
        Field.DUE_DATE: row.due_date,
    }[field_]


def _decide_new(row: LedgerRow, settings: HandlerSettings, today: date) -> RowResult:
    missing = [BY_FIELD[f].header for f, value in ((Field.CUSTOMER, row.customer), (Field.PRODUCT, row.product),
                                                    (Field.QUANTITY, row.quantity), (Field.DUE_DATE, row.due_date))
               if value is None]
    if missing:
        return RowResult(row.number, row.order_no, Outcome.ERROR, reason=f"新订单缺少{'、'.join(missing)}。")
    if settings.templates.get(row.template) is None:
        names = "、".join(settings.templates.names)
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"没有名为「{row.template}」的里程碑模板。可用的模板：{names}。")
    if row.due_date < today:
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"新订单的交期 {row.due_date:%Y-%m-%d} 已经过去了（今天是 {today:%Y-%m-%d}）。")
    return RowResult(row.number, row.order_no, Outcome.NEW)


def decide(
    row: LedgerRow | RowError, order: StoredOrder | None, mode: ImportMode, settings: HandlerSettings, today: date
) -> RowResult:
    """What importing this row would do to the order as stored (None: no such order)."""
    if isinstance(row, RowError):
        return RowResult(row.number, row.order_no, Outcome.ERROR, reason=row.reason)
    if order is None:
        if mode == ImportMode.UPDATE:
            return RowResult(row.number, row.order_no, Outcome.ERROR,
                             reason=f"系统里没有订单 {row.order_no}（更新模式只改已有订单）。")
        return _decide_new(row, settings, today)
    if mode == ImportMode.INSERT:
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"订单 {row.order_no} 已经存在（新增模式只建新订单）。")
    if row.customer is not None and row.customer != order.customer:
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"订单 {row.order_no} 在系统里属于「{order.customer}」，台账写的是「{row.customer}」；"
                                "客户不能通过导入修改。")
    if row.template is not None and row.template != order.template:
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"订单 {row.order_no} 用的是模板「{order.template}」，台账写的是「{row.template}」；"
                                "模板不能通过导入修改。")
    changes = tuple(
        FieldChange(f, order.values[f], _row_value(row, f))
        for f in (*CHANGE_FIELDS, *PLAIN_FIELDS)
        if _row_value(row, f) is not None and _row_value(row, f) != (order.values[f] if order.values[f] != "" else None)
    )
    if not changes:
        return RowResult(row.number, row.order_no, Outcome.UNCHANGED)
    if order.status in _CLOSED:
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"订单 {row.order_no} {order.status.label}，不能再修改。")
    if row.due_date is not None and row.due_date != order.values[Field.DUE_DATE] and row.due_date < today:
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"新交期 {row.due_date:%Y-%m-%d} 已经过去了（今天是 {today:%Y-%m-%d}）。")
    return RowResult(row.number, row.order_no, Outcome.CHANGED, changes)


# ---- one row, one unit of work ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportSource:
    """Who imports which file, when: what the audit events of an import say."""

    file_name: str
    importer: str
    now: datetime
    platform: str = "local"


class RowRefused(Exception):
    """A row the domain rules refused while applying it; its unit of work is rolled back."""


def _context(session: AsyncSession, source: ImportSource, settings: HandlerSettings, number: int) -> Context:
    """The context the domain functions record in: the importer, acting as a manager, on this row."""
    text = f"{IMPORT_CHAT} {source.file_name} 第{number}行"
    message = InboundMessage(
        platform=source.platform, chat_id=IMPORT_CHAT, sender_id=source.importer, text=text,
        message_id=f"ledger:{source.file_name}:{number}:{source.now.isoformat()}", sent_at=source.now,
        sender_name=source.importer, chat_name=IMPORT_CHAT, is_group=False,
    )
    chat = Chat(platform=source.platform, chat_id=IMPORT_CHAT, name=IMPORT_CHAT)
    person = Person(platform=source.platform, user_id=source.importer, display_name=source.importer,
                    role=PersonRole.MANAGER)
    return Context(session=session, message=message, text=text, chat=chat, person=person, settings=settings,
                   parser=None)  # type: ignore[arg-type]  # imports never parse free text


def _where(source: ImportSource, number: int) -> dict[str, object]:
    return {"file": source.file_name, "row": number}


async def _load(session: AsyncSession, order_no: str) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.order_no == order_no).options(selectinload(Order.milestones))
    )


def _new_order(row: LedgerRow, today: date) -> NewOrder:
    return NewOrder(
        order_no=row.order_no, customer=row.customer or "", product=row.product or "", quantity=row.quantity or 0,
        due_date=row.due_date or today, unit=row.unit, template=row.template, spec=row.spec or "",
        priority=row.priority or "normal", owner=row.owner, requirements=row.notes or "",
    )


def _created_item(new: NewOrder, plan: Plan, source: ImportSource, number: int) -> dict[str, object]:
    return {
        "order_no": new.order_no, "customer": new.customer, "product": new.product, "quantity": new.quantity,
        "unit": new.unit, "due_date": new.due_date.isoformat(), "template": new.template,
        "compressed": plan.compressed, **_where(source, number),
    }


async def _create(ctx: Context, row: LedgerRow, source: ImportSource) -> None:
    new = _new_order(row, ctx.today)
    try:
        order, plan = await create_order(ctx.session, new, ctx.settings, ctx.now)
    except OrderInputError as error:
        raise RowRefused(str(error)) from None
    ctx.record(EventKind.ORDER_CREATED, order=order, item=_created_item(new, plan, source, row.number))


async def _create_many(
    session: AsyncSession, rows: Sequence[LedgerRow], settings: HandlerSettings, source: ImportSource
) -> None:
    """New orders of a group in a handful of statements (`create_orders`), each with its audit event
    exactly as `_create` would record it."""
    today = source.now.astimezone(settings.tz).date()
    news = [_new_order(row, today) for row in rows]
    try:
        created = await create_orders(session, news, settings, source.now)
    except OrderInputError as error:
        raise RowRefused(str(error)) from None
    events = []
    for row, new in zip(rows, news, strict=True):
        ctx = _context(session, source, settings, row.number)
        order_id, plan = created[new.order_no]
        events.append({
            "kind": EventKind.ORDER_CREATED, "order_id": order_id, "milestone": None, "platform": source.platform,
            "chat_id": IMPORT_CHAT, "actor_id": source.importer, "actor_name": ctx.sender_name,
            "message_id": ctx.message.message_id, "raw_text": ctx.text,
            "item": _created_item(new, plan, source, row.number), "before": None, "flagged": None,
            "created_at": source.now,
        })
    await session.execute(insert(Event), events)


async def _approved_change(ctx: Context, order: Order, change: FieldChange, source: ImportSource, number: int) -> None:
    """A change request for `change`, approved at once by the importer (plan re-laid, departments told)."""
    name = _ATTRIBUTES[change.field]
    new = change.new.isoformat() if isinstance(change.new, date) else str(change.new)
    old = change.old.isoformat() if isinstance(change.old, date) else str(change.old)
    request = ChangeRequest(
        order=order, field=name, op="set", old_value=old, new_value=new, reason=ctx.text,
        impact="\n".join(impact_lines(ctx, order, name, new)), status=ChangeStatus.OPEN,
        requested_by=ctx.sender_name, created_at=ctx.now,
    )
    ctx.session.add(request)
    await ctx.session.flush()
    ctx.record(EventKind.CHANGE_REQUESTED, order=order, item={
        "field": name, "op": "set", "value": new, "change_id": request.id, "old_value": old, "new_value": new,
        **_where(source, number),
    })
    reply = await approve_change(ctx, request.id, ctx.text)
    if not reply.ok:
        raise RowRefused(reply.text.removeprefix("没有同意："))


async def _update(ctx: Context, order: Order, result: RowResult, source: ImportSource) -> None:
    plain = [c for c in result.changes if c.field in PLAIN_FIELDS]
    if plain:
        before = {_ATTRIBUTES[c.field]: _json(c.old) for c in plain}
        for change in plain:
            setattr(order, _ATTRIBUTES[change.field], change.new)
        order.updated_at = ctx.now
        ctx.record(EventKind.LEDGER_UPDATED, order=order, before=before, item={
            "order_no": order.order_no, "fields": {_ATTRIBUTES[c.field]: _json(c.new) for c in plain},
            **_where(source, result.number),
        })
    for change in result.changes:
        if change.field in CHANGE_FIELDS:
            await _approved_change(ctx, order, change, source, result.number)


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


async def apply_rows(
    session: AsyncSession, rows: Sequence[LedgerRow], mode: ImportMode, settings: HandlerSettings,
    source: ImportSource,
) -> list[RowResult]:
    """Decide and apply a group of rows in `session` (one transaction): the new orders together, the
    changed ones one by one. Raises RowRefused (or IntegrityError) to roll the group back."""
    today = source.now.astimezone(settings.tz).date()
    orders = {
        order.order_no: order
        for order in await session.scalars(
            select(Order).where(Order.order_no.in_([row.order_no for row in rows]))
            .options(selectinload(Order.milestones))
        )
    }
    results, new_rows = [], []
    for row in rows:
        order = orders.get(row.order_no)
        result = decide(row, stored(order) if order else None, mode, settings, today)
        results.append(result)
        if result.outcome == Outcome.NEW:
            new_rows.append(row)
        elif result.outcome == Outcome.CHANGED and order is not None:
            await _update(_context(session, source, settings, row.number), order, result, source)
    await _create_many(session, new_rows, settings, source)
    return results


async def apply_row(
    session: AsyncSession, row: LedgerRow, mode: ImportMode, settings: HandlerSettings, source: ImportSource
) -> RowResult:
    """Decide and apply one row in `session` (its own transaction). Raises RowRefused to roll back."""
    ctx = _context(session, source, settings, row.number)
    order = await _load(session, row.order_no)
    result = decide(row, stored(order) if order else None, mode, settings, ctx.today)
    if result.outcome == Outcome.NEW:
        await _create(ctx, row, source)
    elif result.outcome == Outcome.CHANGED and order is not None:
        await _update(ctx, order, result, source)
    return result


async def stored_orders(session: AsyncSession, order_nos: Sequence[str]) -> dict[str, StoredOrder]:
    """The stored orders of these numbers, in chunks of one query each (not a query per row)."""
    found: dict[str, StoredOrder] = {}
    unique = sorted(set(order_nos))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        for order in await session.scalars(select(Order).where(Order.order_no.in_(chunk))):
            found[order.order_no] = stored(order)
    return found


async def import_rows(
    database: Database,
    settings: HandlerSettings,
    rows: Sequence[LedgerRow | RowError],
    *,
    mode: ImportMode,
    dry_run: bool,
    source: ImportSource,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Import typed rows: a dry run only decides; a real run applies the new and changed rows.

    Rows are applied in groups of GROUP_ROWS per transaction (one commit per row would make a
    first-day import of thousands of orders take minutes). Each row is still all-or-nothing: when
    the domain rules refuse one row of a group, the group is rolled back and applied again row by
    row, each in its own transaction, so a bad row never takes good ones down with it.
    `progress(n)` is called as rows are done."""
    today = source.now.astimezone(settings.tz).date()
    order_nos = [row.order_no for row in rows if isinstance(row, LedgerRow)]
    known = await database.run(lambda session: stored_orders(session, order_nos))
    results: list[RowResult | None] = []
    pending: list[tuple[int, LedgerRow]] = []
    for row in rows:
        planned = decide(row, known.get(row.order_no) if row.order_no else None, mode, settings, today)
        if dry_run or planned.outcome in (Outcome.UNCHANGED, Outcome.ERROR) or not isinstance(row, LedgerRow):
            results.append(planned)
            progress(1)
        else:
            pending.append((len(results), row))
            results.append(None)
    for start in range(0, len(pending), GROUP_ROWS):
        group = pending[start:start + GROUP_ROWS]
        for (index, _row), result in zip(group, await _apply_group(database, group, mode, settings, source),
                                         strict=True):
            results[index] = result
        progress(len(group))
    report = ImportReport(source.file_name, dry_run)
    report.results = [result for result in results if result is not None]
    return report


GROUP_ROWS = 200


async def _apply_group(
    database: Database, group: list[tuple[int, LedgerRow]], mode: ImportMode, settings: HandlerSettings,
    source: ImportSource,
) -> list[RowResult]:
    async def work(session: AsyncSession) -> list[RowResult]:
        return await apply_rows(session, [row for _index, row in group], mode, settings, source)

    if len(group) > 1:
        try:
            return await database.run(work)
        except (RowRefused, IntegrityError):
            pass  # rolled back: apply row by row below
    return [await _apply(database, row, mode, settings, source) for _index, row in group]


async def _apply(
    database: Database, row: LedgerRow, mode: ImportMode, settings: HandlerSettings, source: ImportSource
) -> RowResult:
    try:
        return await database.run(lambda session: apply_row(session, row, mode, settings, source))
    except RowRefused as refused:
        return RowResult(row.number, row.order_no, Outcome.ERROR, reason=str(refused))
    except IntegrityError:
        # Another writer created or changed this order at the same moment; nothing of the row applied.
        return RowResult(row.number, row.order_no, Outcome.ERROR,
                         reason=f"订单 {row.order_no} 同时被别人修改了，这一行没有导入，请再导入一次。")
