"""The manager board's read side: the open orders with their health, one order in full, the figures.

Lateness, at-risk and urgency are the scheduler's own assessment (`scheduler.health`), the figures are
the 月报's (`handlers.monthly_report.monthly_report`), so the board never disagrees with the digest or the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.formatting import CATEGORY_LABELS, FIELD_LABELS, SEVERITY_LABELS
from handlers.orders import normalize_order_no
from handlers.monthly_report import MonthlyReport, monthly_report
from handlers.customer_view import expected_delivery
from scheduler.health import OrderHealth, assess, current_milestone
from scheduler.read_model import MilestoneRow, OrderRow, open_orders
from scheduler.workindex import WorkdayIndex
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    Event,
    EventKind,
    ExceptionStatus,
    MilestoneStatus,
    Order,
    OrderException,
    OrderStatus,
)

EVENT_LABELS = {
    EventKind.ORDER_CREATED: "建单",
    EventKind.PROGRESS: "进度",
    EventKind.CHANGE_REQUESTED: "变更申请",
    EventKind.CHANGE_APPROVED: "变更同意",
    EventKind.CHANGE_REJECTED: "变更驳回",
    EventKind.EXCEPTION_OPENED: "异常",
    EventKind.EXCEPTION_RESOLVED: "异常解决",
    EventKind.UNDO: "撤销",
    EventKind.REFUSED: "拒绝",
}


@dataclass(frozen=True, slots=True)
class BoardFilter:
    customer: str | None = None
    status: OrderStatus | None = None
    late: bool = False
    at_risk: bool = False
    page: int = 1


@dataclass(frozen=True, slots=True)
class BoardRow:
    order: OrderRow
    health: OrderHealth
    stage: str
    expected: date

    @property
    def late(self) -> bool:
        return bool(self.health.late) or self.health.past_due

    @property
    def status_label(self) -> str:
        return OrderStatus(self.order.status).label


@dataclass(frozen=True, slots=True)
class BoardCounts:
    open: int
    late: int
    at_risk: int
    exceptions: int
    changes: int


@dataclass(frozen=True, slots=True)
class BoardIndex:
    counts: BoardCounts
    rows: list[BoardRow]
    """One page of the matching orders, most urgent first."""
    matching: int
    page: int
    pages: int
    customers: list[str]
    filters: BoardFilter


def _stage(order: OrderRow) -> str:
    milestone = current_milestone(order)
    if milestone is None:
        return "全部完成"
    if milestone.status == MilestoneStatus.IN_PROGRESS:
        return f"{milestone.name} {milestone.percent}%" if milestone.percent is not None else f"{milestone.name} 进行中"
    return f"待{milestone.name}"


def _matches(row: BoardRow, filters: BoardFilter) -> bool:
    if filters.customer and row.order.customer != filters.customer:
        return False
    if filters.status and row.order.status != filters.status:
        return False
    if filters.late and not row.late:
        return False
    return not (filters.at_risk and not row.health.at_risk)


@dataclass(slots=True)
class AssessedBook:
    """Every open order assessed, kept between requests with the state of the event log it reflects:
    assessing 5,000 orders means reading 50,000 milestone rows, while the log's state is one cheap
    query. Every change to an order appends an event naming it (the audit log records every write; an
    undo appends one too), so only the orders named by newer events are read again. When the count of
    events does not match (a transaction that took an earlier id committed late), every order is read
    again. On a new day the orders kept are assessed again without reading them."""

    today: date | None = None
    count: int = 0
    newest: int = 0
    rows: dict[int, BoardRow] = field(default_factory=dict)


async def _log_state(session: AsyncSession) -> tuple[int, int]:
    count, newest = (await session.execute(select(func.count(Event.id), func.max(Event.id)))).one()
    return count or 0, newest or 0


def _assessed(order: OrderRow, today: date, index: WorkdayIndex) -> BoardRow:
    health = assess(order, today, index)
    return BoardRow(order, health, _stage(order), expected_delivery(order, today, index))


async def _refresh(session: AsyncSession, book: AssessedBook, count: int, newest: int) -> set[int] | None:
    """Re-read the orders named by events newer than the book; the ids re-read, or None when the
    book cannot be brought up to date that way."""
    if book.today is None or newest < book.newest:
        return None
    if (count, newest) == (book.count, book.newest):
        return set()
    touched = [row[0] for row in await session.execute(select(Event.order_id).where(Event.id > book.newest))]
    if book.count + len(touched) != count:
        return None
    return {order_id for order_id in touched if order_id is not None}


async def assessed_orders(
    session: AsyncSession, today: date, index: WorkdayIndex, book: AssessedBook | None = None
) -> list[BoardRow]:
    count, newest = await _log_state(session)
    ids = await _refresh(session, book, count, newest) if book is not None else None
    if book is None or ids is None:
        rows = {order.id: _assessed(order, today, index) for order in await open_orders(session)}
        if book is not None:
            book.today, book.count, book.newest, book.rows = today, count, newest, rows
        return list(rows.values())
    if book.today != today:
        book.rows = {order_id: _assessed(row.order, today, index) for order_id, row in book.rows.items()}
    for order_id in ids:
        book.rows.pop(order_id, None)
    if ids:
        for order in await open_orders(session, order_ids=ids):
            book.rows[order.id] = _assessed(order, today, index)
    book.today, book.count, book.newest = today, count, newest
    return list(book.rows.values())


async def board_index(
    session: AsyncSession, filters: BoardFilter, today: date, index: WorkdayIndex, page_size: int = 100,
    book: AssessedBook | None = None,
) -> BoardIndex:
    """Every open order assessed (three queries whatever their number, or none when `book` is
    current), filtered, sorted by urgency, then paged."""
    rows = await assessed_orders(session, today, index, book)
    exceptions = await session.scalar(
        select(func.count()).select_from(OrderException).where(OrderException.status == ExceptionStatus.OPEN)
    ) or 0
    changes = await session.scalar(
        select(func.count()).select_from(ChangeRequest).where(ChangeRequest.status == ChangeStatus.OPEN)
    ) or 0
    counts = BoardCounts(
        open=len(rows),
        late=sum(row.late for row in rows),
        at_risk=sum(row.health.at_risk for row in rows),
        exceptions=exceptions,
        changes=changes,
    )
    matching = sorted((row for row in rows if _matches(row, filters)), key=lambda row: (row.health.urgency, row.order.order_no))
    pages = max(1, math.ceil(len(matching) / page_size))
    page = min(max(filters.page, 1), pages)
    return BoardIndex(
        counts=counts,
        rows=matching[(page - 1) * page_size: page * page_size],
        matching=len(matching),
        page=page,
        pages=pages,
        customers=sorted({row.order.customer for row in rows}),
        filters=filters,
    )


@dataclass(frozen=True, slots=True)
class GanttBar:
    """One bar of the Gantt: a milestone's plan, or what actually happened."""

    id: str
    name: str
    start: date
    end: date
    progress: int
    actual: bool
    late: bool = False


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    milestone: str | None
    actor: str
    text: str
    undone_at: datetime | None
    flagged: str | None


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    seq: int
    name: str
    planned_start: date
    planned_date: date
    status: MilestoneStatus
    percent: int | None
    department: str | None
    owner: str | None
    finished_on: date | None
    forecast_date: date | None
    days_late: int


@dataclass(frozen=True, slots=True)
class OrderPage:
    order: Order
    health: OrderHealth
    expected: date
    milestones: list[MilestoneLine]
    bars: list[GanttBar]
    timeline: list[TimelineEntry]
    exceptions: list[OrderException]
    changes: list[ChangeRequest]

    @property
    def late(self) -> bool:
        return bool(self.health.late) or self.health.past_due

    @property
    def status_label(self) -> str:
        return OrderStatus(self.order.status).label


def order_row(order: Order) -> OrderRow:
    """An ORM order as the scheduler's plain row, to assess it the same way."""
    return OrderRow(
        id=order.id, order_no=order.order_no, customer_id=order.customer_id, customer=order.customer.name,
        product=order.product, quantity=order.quantity, unit=order.unit, due_date=order.due_date,
        status=str(order.status), owner=order.owner,
        milestones=[
            MilestoneRow(
                id=m.id, order_id=m.order_id, seq=m.seq, name=m.name, planned_date=m.planned_date, days=m.days,
                status=str(m.status), percent=m.percent, owner=m.owner, department=m.department,
                forecast_date=m.forecast_date,
            )
            for m in order.milestones
        ],
    )


def _event_text(event: Event) -> str:
    return event.raw_text or EVENT_LABELS.get(event.kind, event.kind)


def _first_activity(events: list[Event], tz: ZoneInfo) -> dict[str, date]:
    """The day each milestone was first reported on (standing records only)."""
    first: dict[str, date] = {}
    for event in events:
        if event.kind == EventKind.PROGRESS and event.milestone and event.undone_at is None:
            first.setdefault(event.milestone, event.created_at.astimezone(tz).date())
    return first


def _bars(lines: list[MilestoneLine], started: dict[str, date], today: date) -> list[GanttBar]:
    bars: list[GanttBar] = []
    for line in lines:
        bars.append(GanttBar(f"p{line.seq}", f"{line.name}（计划）", line.planned_start, line.planned_date,
                             100 if line.status == MilestoneStatus.DONE else (line.percent or 0), actual=False,
                             late=line.days_late > 0))
        if line.status == MilestoneStatus.PENDING:
            continue
        end = line.finished_on or max(today, line.forecast_date or today)
        start = min(started.get(line.name, end), end)
        progress = 100 if line.status == MilestoneStatus.DONE else (line.percent or 0)
        bars.append(GanttBar(f"a{line.seq}", f"{line.name}（实际）", start, end, progress, actual=True,
                             late=line.finished_on is not None and line.finished_on > line.planned_date))
    return bars


async def order_page(
    session: AsyncSession, order_no: str, today: date, index: WorkdayIndex, tz: ZoneInfo
) -> OrderPage | None:
    order = await session.scalar(
        select(Order).where(Order.order_no == normalize_order_no(order_no)).options(selectinload(Order.milestones))
    )
    if order is None:
        return None
    row = order_row(order)
    health = assess(row, today, index)
    late_by_seq = {late.milestone.seq: late.days_late for late in health.late}
    lines = [
        MilestoneLine(
            seq=m.seq, name=m.name, planned_start=index.add(m.planned_date, -max(m.days - 1, 0)),
            planned_date=m.planned_date, status=MilestoneStatus(m.status), percent=m.percent,
            department=m.department, owner=m.owner,
            finished_on=m.finished_at.astimezone(tz).date() if m.finished_at else None,
            forecast_date=m.forecast_date, days_late=late_by_seq.get(m.seq, 0),
        )
        for m in order.milestones
    ]
    events = list(await session.scalars(select(Event).where(Event.order_id == order.id).order_by(Event.id)))
    timeline = [
        TimelineEntry(e.created_at.astimezone(tz), EVENT_LABELS.get(e.kind, e.kind), e.milestone, e.actor_name,
                      _event_text(e), e.undone_at.astimezone(tz) if e.undone_at else None, e.flagged)
        for e in reversed(events)
    ]
    exceptions = list(await session.scalars(
        select(OrderException).where(OrderException.order_id == order.id, OrderException.status == ExceptionStatus.OPEN)
        .order_by(OrderException.id)
    ))
    changes = list(await session.scalars(
        select(ChangeRequest).where(ChangeRequest.order_id == order.id, ChangeRequest.status == ChangeStatus.OPEN)
        .order_by(ChangeRequest.id)
    ))
    return OrderPage(
        order=order, health=health, expected=expected_delivery(order, today, index), milestones=lines,
        bars=_bars(lines, _first_activity(events, tz), today), timeline=timeline, exceptions=exceptions,
        changes=changes,
    )


@dataclass(frozen=True, slots=True)
class Figures:
    """The 月报's numbers over several months: on-time rate per customer per month, and the selected
    month's report (exceptions by category and by milestone)."""

    months: list[str]
    customers: list[str]
    on_time: dict[str, list[float | None]]
    """Per customer, the on-time rate of each month (None: nothing delivered that month)."""
    report: MonthlyReport
    category_labels: dict[str, str] = field(default_factory=lambda: dict(CATEGORY_LABELS))


def _month_before(year: int, month: int, back: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - back
    return index // 12, index % 12 + 1


async def figures(session: AsyncSession, year: int, month: int, tz: ZoneInfo, months: int = 6) -> Figures:
    reports = [
        await monthly_report(session, *_month_before(year, month, back), tz) for back in range(months - 1, -1, -1)
    ]
    customers = sorted({f.customer for report in reports for f in report.customers})
    on_time: dict[str, list[float | None]] = {name: [] for name in customers}
    for report in reports:
        by_name = {f.customer: f for f in report.customers}
        for name in customers:
            on_time[name].append(by_name[name].rate if name in by_name else None)
    return Figures(months=[r.month for r in reports], customers=customers, on_time=on_time, report=reports[-1])


def labels() -> dict[str, dict[str, str]]:
    """The zh-CN words the pages use for stored codes."""
    return {"category": dict(CATEGORY_LABELS), "severity": dict(SEVERITY_LABELS), "field": dict(FIELD_LABELS)}

