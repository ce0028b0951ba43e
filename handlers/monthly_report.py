"""The monthly review: on-time delivery per customer, delays, exceptions and changes.

An order counts in the month it was delivered (accepted): on time when its delivery date is on
or before the due date in force (after every approved change). Delay is in calendar days, the
average taken over all delivered orders with on-time ones counting 0. Exceptions and change
requests count in the month they were raised; withdrawn (undone) ones do not count.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.formatting import CATEGORY_LABELS, SEVERITY_LABELS
from storage.models import (
    ChangeRequest,
    ChangeStatus,
    ExceptionStatus,
    Order,
    OrderException,
    OrderStatus,
)

_MONTH = re.compile(r"^(\d{4})[-/年.](\d{1,2})月?$")
NO_MILESTONE = "（未指定节点）"


class ReportInputError(ValueError):
    """A month that cannot be read; the message is the zh-CN answer."""


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ReportInputError(f"月份「{text}」看不懂，请写成 2026-11。")
    return int(match.group(1)), int(match.group(2))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


@dataclass
class CustomerFigures:
    customer: str
    delivered: int = 0
    on_time: int = 0
    delay_days: int = 0
    """Sum of days late over the delivered orders."""

    @property
    def rate(self) -> float:
        return self.on_time / self.delivered if self.delivered else 0.0

    @property
    def average_delay(self) -> float:
        return self.delay_days / self.delivered if self.delivered else 0.0


@dataclass
class ChangeFigures:
    total: int = 0
    approved: int = 0
    rejected: int = 0
    open: int = 0


@dataclass(frozen=True)
class LateDelivery:
    order_no: str
    customer: str
    due_date: date
    delivered_on: date

    @property
    def days_late(self) -> int:
        return (self.delivered_on - self.due_date).days


@dataclass(frozen=True)
class ExceptionCause:
    """One exception of the month with what was said about it: the cause as reported, and how it was
    resolved (category and step alone do not tell a merchandiser what to fix)."""

    exception_id: int
    order_no: str
    category: str
    severity: str
    milestone: str | None
    cause: str
    resolution: str | None
    delay_days: int | None


@dataclass
class MonthlyReport:
    month: str
    customers: list[CustomerFigures]
    exceptions_by_category: dict[str, int]
    exceptions_by_milestone: dict[str, int]
    changes_per_order: dict[str, ChangeFigures] = field(default_factory=dict)
    late_deliveries: list[LateDelivery] = field(default_factory=list)
    exception_causes: list[ExceptionCause] = field(default_factory=list)

    @property
    def total(self) -> CustomerFigures:
        total = CustomerFigures("合计")
        for figures in self.customers:
            total.delivered += figures.delivered
            total.on_time += figures.on_time
            total.delay_days += figures.delay_days
        return total


async def monthly_report(session: AsyncSession, year: int, month: int, tz: ZoneInfo) -> MonthlyReport:
    first, next_first = month_bounds(year, month)
    since = datetime.combine(first, time(0), tzinfo=tz)
    until = datetime.combine(next_first, time(0), tzinfo=tz)
    delivered = list(
        await session.scalars(
            select(Order)
            .where(Order.status == OrderStatus.ACCEPTED, Order.delivered_on >= first, Order.delivered_on < next_first)
            .order_by(Order.order_no)
        )
    )
    by_customer: dict[str, CustomerFigures] = {}
    late_deliveries: list[LateDelivery] = []
    for order in delivered:
        figures = by_customer.setdefault(order.customer.name, CustomerFigures(order.customer.name))
        figures.delivered += 1
        late = (order.delivered_on - order.due_date).days
        figures.on_time += late <= 0
        figures.delay_days += max(late, 0)
        if late > 0:
            late_deliveries.append(LateDelivery(order.order_no, order.customer.name, order.due_date, order.delivered_on))
    exceptions = list(
        await session.scalars(
            select(OrderException).where(
                OrderException.created_at >= since,
                OrderException.created_at < until,
                OrderException.status != ExceptionStatus.WITHDRAWN,
            )
            .options(selectinload(OrderException.order))
            .order_by(OrderException.created_at, OrderException.id)
        )
    )
    changes = list(
        await session.scalars(
            select(ChangeRequest)
            .where(
                ChangeRequest.created_at >= since,
                ChangeRequest.created_at < until,
                ChangeRequest.status != ChangeStatus.WITHDRAWN,
            )
            .options(selectinload(ChangeRequest.order))
        )
    )
    per_order: dict[str, ChangeFigures] = defaultdict(ChangeFigures)
    for change in changes:
        figures = per_order[change.order.order_no]
        figures.total += 1
        status = str(change.status)
        setattr(figures, status, getattr(figures, status) + 1)
    return MonthlyReport(
        month=f"{year:04d}-{month:02d}",
        customers=sorted(by_customer.values(), key=lambda f: f.customer),
        exceptions_by_category=dict(sorted(Counter(e.category for e in exceptions).items())),
        exceptions_by_milestone=dict(sorted(Counter(e.milestone or NO_MILESTONE for e in exceptions).items())),
        changes_per_order=dict(sorted(per_order.items())),
        late_deliveries=sorted(late_deliveries, key=lambda d: (-d.days_late, d.order_no)),
        exception_causes=[
            ExceptionCause(e.id, e.order.order_no, str(e.category), str(e.severity), e.milestone,
                           " ".join(e.description.split()), e.resolution, e.delay_days)
            for e in exceptions
        ],
    )


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def as_table(report: MonthlyReport) -> str:
    lines = [f"**{report.month} 月报**", "", "准时交付（按客户）", "客户 | 交付 | 准时 | 准时率 | 平均延误(天)"]
    rows = report.customers + ([report.total] if report.customers else [])
    lines += [f"{f.customer} | {f.delivered} | {f.on_time} | {_percent(f.rate)} | {f.average_delay:.1f}" for f in rows]
    if not report.customers:
        lines.append("（本月没有交付的订单）")
    lines += ["", "逾期交付的订单", "订单 | 客户 | 交期 | 交付 | 延误(天)"]
    lines += [f"{d.order_no} | {d.customer} | {d.due_date:%Y-%m-%d} | {d.delivered_on:%Y-%m-%d} | {d.days_late}"
              for d in report.late_deliveries] or ["（本月没有逾期交付）"]
    lines += ["", "异常（按类别）"]
    lines += [f"{CATEGORY_LABELS.get(k, k)} | {n}" for k, n in report.exceptions_by_category.items()] or ["（本月没有异常）"]
    lines += ["", "异常（按节点）"]
    lines += [f"{k} | {n}" for k, n in report.exceptions_by_milestone.items()] or ["（本月没有异常）"]
    lines += ["", "异常原因", "异常 | 订单 | 类别·严重度 | 节点 | 原因 | 处理"]
    lines += [
        f"#{c.exception_id} | {c.order_no} | {CATEGORY_LABELS.get(c.category, c.category)}·"
        f"{SEVERITY_LABELS.get(c.severity, c.severity)} | {c.milestone or NO_MILESTONE} | {_short(c.cause)}"
        f"{f'（延误{c.delay_days}天）' if c.delay_days else ''} | {_short(c.resolution) if c.resolution else '未解决'}"
        for c in report.exception_causes
    ] or ["（本月没有异常）"]
    lines += ["", "变更（按订单）", "订单 | 变更数 | 同意 | 驳回 | 待审批"]
    lines += [f"{no} | {c.total} | {c.approved} | {c.rejected} | {c.open}" for no, c in report.changes_per_order.items()]
    if not report.changes_per_order:
        lines.append("（本月没有变更）")
    return "\n".join(lines)


def as_csv(report: MonthlyReport) -> str:
    """One tidy table: section, key, metric, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "section", "key", "metric", "value"])
    rows = report.customers + ([report.total] if report.customers else [])
    for f in rows:
        key = "TOTAL" if f.customer == "合计" else f.customer
        writer.writerow([report.month, "on_time", key, "delivered", f.delivered])
        writer.writerow([report.month, "on_time", key, "on_time", f.on_time])
        writer.writerow([report.month, "on_time", key, "on_time_rate", f"{f.rate:.4f}"])
        writer.writerow([report.month, "on_time", key, "average_delay_days", f"{f.average_delay:.2f}"])
    for category, n in report.exceptions_by_category.items():
        writer.writerow([report.month, "exceptions_by_category", category, "count", n])
    for milestone, n in report.exceptions_by_milestone.items():
        writer.writerow([report.month, "exceptions_by_milestone", milestone, "count", n])
    for d in report.late_deliveries:
        writer.writerow([report.month, "late_deliveries", d.order_no, "days_late", d.days_late])
    for c in report.exception_causes:
        writer.writerow([report.month, "exception_causes", f"{c.exception_id}", "cause", c.cause])
        writer.writerow([report.month, "exception_causes", f"{c.exception_id}", "resolution", c.resolution or ""])
    for order_no, c in report.changes_per_order.items():
        for metric in ("total", "approved", "rejected", "open"):
            writer.writerow([report.month, "changes_per_order", order_no, metric, getattr(c, metric)])
    return out.getvalue()
