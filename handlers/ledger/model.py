"""The ledger's read model: plain typed rows loaded in a bounded number of queries.

An export of thousands of orders must not issue a query per order, and writing the workbook runs
in a worker thread, away from the session: so everything the workbook shows is read here first,
into frozen dataclasses, and the workbook writer never touches the database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.formatting import CATEGORY_LABELS, FIELD_LABELS, SEVERITY_LABELS, progress_words
from handlers.monthly_report import monthly_report
from handlers.settings import HandlerSettings
from handlers.workdays import WorkCalendar
from storage.models import (
    OPEN_ORDER_STATUSES,
    ChangeRequest,
    Customer,
    MilestoneStatus,
    Order,
    OrderException,
    OrderMilestone,
    OrderStatus,
)

REVIEW_MONTHS = 12
"""How many months, the current one included, the 月度复盘 sheet covers."""
EXCEPTION_STATUS_LABELS = {"open": "未关闭", "resolved": "已解决", "withdrawn": "已撤回"}
CHANGE_STATUS_LABELS = {"open": "待审批", "approved": "已同意", "rejected": "已驳回", "withdrawn": "已撤回"}


class LedgerInputError(ValueError):
    """A ledger request that cannot be served; the message is the zh-CN answer."""


@dataclass(frozen=True, slots=True)
class LedgerScope:
    """Which orders a ledger holds and for whom it is written."""

    customer: str | None = None
    """Only this customer's orders (by name)."""
    customer_id: int | None = None
    """Only this customer's orders (by id; a customer group's own)."""
    include_closed: bool = False
    """Accepted and cancelled orders too, not only open ones."""
    customer_view: bool = False
    """Written for the customer: no internal columns, exceptions the customer may see, no causes."""


@dataclass(frozen=True, slots=True)
class MilestoneDates:
    name: str
    planned: date
    actual: date | None


@dataclass(frozen=True, slots=True)
class LedgerOrder:
    order_no: str
    customer: str
    product: str
    spec: str
    quantity: int
    unit: str
    due_date: date
    stage: str
    status: OrderStatus
    days_late: int
    """Working days the order or its most overdue milestone is late (0: on time)."""
    at_risk: bool
    owner: str | None
    priority: str
    notes: str
    template: str
    milestones: tuple[MilestoneDates, ...]


@dataclass(frozen=True, slots=True)
class ExceptionLine:
    id: int
    order_no: str
    customer: str
    milestone: str | None
    category: str
    severity: str
    description: str
    owner: str | None
    status: str
    raised_at: datetime
    """Local time, naive (Excel keeps no offset)."""
    closed_at: datetime | None
    age_days: int
    """Days open so far, or days it took to close."""


@dataclass(frozen=True, slots=True)
class ChangeLine:
    id: int
    order_no: str
    customer: str
    field: str
    old_value: str | None
    new_value: str | None
    status: str
    requested_by: str
    decided_by: str | None
    raised_at: datetime
    decided_at: datetime | None
    age_days: int


@dataclass(frozen=True, slots=True)
class OnTimeLine:
    month: str
    customer: str
    delivered: int
    on_time: int
    rate: float
    average_delay: float


@dataclass(frozen=True, slots=True)
class CauseLine:
    month: str
    category: str
    count: int


@dataclass(frozen=True, slots=True)
class Ledger:
    generated_at: datetime
    """Local time the ledger was read, naive."""
    scope: LedgerScope
    milestone_names: tuple[str, ...]
    """Every milestone column pair, in template order (the union over the configured templates)."""
    orders: tuple[LedgerOrder, ...]
    exceptions: tuple[ExceptionLine, ...]
    changes: tuple[ChangeLine, ...]
    on_time: tuple[OnTimeLine, ...]
    causes: tuple[CauseLine, ...]


def milestone_columns(settings: HandlerSettings) -> tuple[str, ...]:
    names: list[str] = []
    for template in settings.templates.templates:
        names += [name for name in template.milestone_names if name not in names]
    return tuple(names)


def _remaining_days(status: str, percent: int | None, days: int) -> int:
    """Working days a milestone still needs: all of `days`, an in-progress one only its unfinished share."""
    if status == MilestoneStatus.DONE:
        return 0
    if status == MilestoneStatus.IN_PROGRESS and percent is not None:
        return math.ceil(days * (100 - percent) / 100)
    return days


@dataclass
class _Clock:
    """Working-day arithmetic from today, memoised per date (thousands of orders share few dates)."""

    today: date
    calendar: WorkCalendar

    def __post_init__(self) -> None:
        self.late = cache(self._late)
        self.left = cache(self._left)

    def _late(self, day: date) -> int:
        return max(self.calendar.between(day, self.today), 1) if day < self.today else 0

    def _left(self, due: date) -> int:
        """Working days from today up to the due date, today included when it is a working day."""
        left = self.calendar.between(self.today, due) + (1 if self.calendar.is_workday(self.today) else 0)
        return max(left, 0)


async def _scope_clauses(session: AsyncSession, scope: LedgerScope) -> list:
    clauses: list = []
    if scope.customer is not None:
        customer_id = await session.scalar(select(Customer.id).where(Customer.name == scope.customer))
        if customer_id is None:
            raise LedgerInputError(f"没有名为「{scope.customer}」的客户。")
        clauses.append(Order.customer_id == customer_id)
    if scope.customer_id is not None:
        clauses.append(Order.customer_id == scope.customer_id)
    if not scope.include_closed:
        clauses.append(Order.status.in_(OPEN_ORDER_STATUSES))
    if scope.customer_view:
        clauses.append(Order.status != OrderStatus.CANCELLED)
    return clauses


async def load_ledger(
    session: AsyncSession, settings: HandlerSettings, now: datetime, scope: LedgerScope
) -> Ledger:
    """Everything the ledger workbook shows, as of `now`, in a bounded number of queries."""
    clauses = await _scope_clauses(session, scope)
    local_now = now.astimezone(settings.tz)
    clock = _Clock(local_now.date(), settings.calendar)
    orders = await _orders(session, clauses, clock, settings)
    exceptions = await _exceptions(session, clauses, settings, local_now, customer_view=scope.customer_view)
    changes = await _changes(session, clauses, settings, local_now)
    on_time, causes = await _review(session, settings, local_now.date(), scope)
    return Ledger(
        generated_at=local_now.replace(tzinfo=None),
        scope=scope,
        milestone_names=milestone_columns(settings),
        orders=tuple(orders),
        exceptions=tuple(exceptions),
        changes=tuple(changes),
        on_time=tuple(on_time),
        causes=tuple(causes),
    )


async def _orders(session: AsyncSession, clauses: list, clock: _Clock, settings: HandlerSettings) -> list[LedgerOrder]:
    order_rows = (
        await session.execute(
            select(
                Order.id, Order.order_no, Customer.name, Order.product, Order.spec, Order.quantity, Order.unit,
                Order.due_date, Order.status, Order.owner, Order.priority, Order.requirements, Order.template_name,
            )
            .join(Customer, Customer.id == Order.customer_id)
            .where(*clauses)
            .order_by(Order.due_date, Order.order_no)
        )
    ).all()
    milestones: dict[int, list] = defaultdict(list)
    milestone_rows = await session.execute(
        select(
            OrderMilestone.order_id, OrderMilestone.name, OrderMilestone.planned_date, OrderMilestone.days,
            OrderMilestone.status, OrderMilestone.percent, OrderMilestone.finished_at,
        )
        .join(Order, Order.id == OrderMilestone.order_id)
        .where(*clauses)
        .order_by(OrderMilestone.order_id, OrderMilestone.seq)
    )
    for row in milestone_rows.all():
        milestones[row[0]].append(row)
    tz = settings.tz
    result = []
    for row in order_rows:
        status = OrderStatus(row.status)
        open_ = status in OPEN_ORDER_STATUSES
        late = clock.late(row.due_date) if open_ and status != OrderStatus.SHIPPED else 0
        needed, current, dates = 0, None, []
        for step in milestones.get(row.id, ()):
            if step.status != MilestoneStatus.DONE:
                current = current or step
                needed += _remaining_days(step.status, step.percent, step.days)
                if open_:
                    late = max(late, clock.late(step.planned_date))
            finished = step.finished_at.astimezone(tz).date() if step.finished_at else None
            dates.append(MilestoneDates(step.name, step.planned_date, finished))
        at_risk = open_ and status != OrderStatus.SHIPPED and (
            row.due_date < clock.today or needed > clock.left(row.due_date)
        )
        stage = f"{current.name}（{progress_words(current.status, current.percent)}）" if current else "全部完成"
        result.append(
            LedgerOrder(
                order_no=row.order_no, customer=row.name, product=row.product, spec=row.spec or "",
                quantity=row.quantity, unit=row.unit, due_date=row.due_date, stage=stage, status=status,
                days_late=late, at_risk=at_risk, owner=row.owner, priority=row.priority,
                notes=row.requirements or "", template=row.template_name, milestones=tuple(dates),
            )
        )
    return result


def _naive_local(moment: datetime | None, settings: HandlerSettings) -> datetime | None:
    return None if moment is None else moment.astimezone(settings.tz).replace(tzinfo=None, microsecond=0)


def _age(raised: datetime, closed: datetime | None, now: datetime) -> int:
    """Calendar days from the day it was raised to the day it closed (or today)."""
    return max(((closed or now).date() - raised.date()).days, 0)


async def _exceptions(
    session: AsyncSession, clauses: list, settings: HandlerSettings, now: datetime, *, customer_view: bool
) -> list[ExceptionLine]:
    query = (
        select(OrderException, Order.order_no, Customer.name)
        .join(Order, Order.id == OrderException.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(*clauses)
        .order_by(OrderException.created_at, OrderException.id)
    )
    if customer_view:
        query = query.where(OrderException.customer_visible.is_(True), OrderException.status != "withdrawn")
    lines = []
    for exception, order_no, customer in (await session.execute(query)).all():
        raised = _naive_local(exception.created_at, settings)
        closed = _naive_local(exception.resolved_at, settings)
        lines.append(
            ExceptionLine(
                id=exception.id, order_no=order_no, customer=customer, milestone=exception.milestone,
                category=CATEGORY_LABELS.get(exception.category, exception.category),
                severity=SEVERITY_LABELS.get(exception.severity, exception.severity),
                description=exception.description, owner=exception.owner,
                status=EXCEPTION_STATUS_LABELS.get(str(exception.status), str(exception.status)),
                raised_at=raised, closed_at=closed, age_days=_age(raised, closed, now.replace(tzinfo=None)),
            )
        )
    return lines


async def _changes(session: AsyncSession, clauses: list, settings: HandlerSettings, now: datetime) -> list[ChangeLine]:
    query = (
        select(ChangeRequest, Order.order_no, Customer.name)
        .join(Order, Order.id == ChangeRequest.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(*clauses)
        .order_by(ChangeRequest.created_at, ChangeRequest.id)
    )
    lines = []
    for change, order_no, customer in (await session.execute(query)).all():
        raised = _naive_local(change.created_at, settings)
        decided = _naive_local(change.decided_at, settings)
        lines.append(
            ChangeLine(
                id=change.id, order_no=order_no, customer=customer,
                field=FIELD_LABELS.get(change.field, change.field), old_value=change.old_value,
                new_value=change.new_value, status=CHANGE_STATUS_LABELS.get(str(change.status), str(change.status)),
                requested_by=change.requested_by, decided_by=change.decided_by,
                raised_at=raised, decided_at=decided, age_days=_age(raised, decided, now.replace(tzinfo=None)),
            )
        )
    return lines


def _months(today: date, count: int) -> list[tuple[int, int]]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


async def _review(
    session: AsyncSession, settings: HandlerSettings, today: date, scope: LedgerScope
) -> tuple[list[OnTimeLine], list[CauseLine]]:
    """The 月报 figures of the last REVIEW_MONTHS months, one tidy row per customer (or cause) and month."""
    keep: Callable[[str], bool] = (lambda name: True)
    if scope.customer is not None:
        keep = (lambda name: name == scope.customer)
    elif scope.customer_id is not None:
        name = await session.scalar(select(Customer.name).where(Customer.id == scope.customer_id))
        keep = (lambda candidate: candidate == name)
    on_time: list[OnTimeLine] = []
    causes: list[CauseLine] = []
    for year, month in _months(today, REVIEW_MONTHS):
        report = await monthly_report(session, year, month, settings.tz)
        on_time += [
            OnTimeLine(report.month, f.customer, f.delivered, f.on_time, f.rate, f.average_delay)
            for f in report.customers if keep(f.customer)
        ]
        if scope.customer is None and scope.customer_id is None and not scope.customer_view:
            causes += [
                CauseLine(report.month, CATEGORY_LABELS.get(category, category), count)
                for category, count in report.exceptions_by_category.items()
            ]
    return on_time, causes
