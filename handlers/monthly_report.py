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

from handlers.formatting import CATEGORY_LABELS
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


@dataclass
class MonthlyReport:
    month: str
    customers: list[CustomerFigures]
    exceptions_by_category: dict[str, int]
    exceptions_by_milestone: dict[str, int]
    changes_per_order: dict[str, ChangeFigures] = field(default_factory=dict)

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
    for order in delivered:
        figures = by_customer.setdefault(order.customer.name, CustomerFigures(order.customer.name))
        figures.delivered += 1
        late = (order.delivered_on - order.due_date).days
        figures.on_time += late <= 0
        figures.delay_days += max(late, 0)
    exceptions = list(
        await session.scalars(
            select(OrderException).where(
                OrderException.created_at >= since,
                OrderException.created_at < until,
                OrderException.status != ExceptionStatus.WITHDRAWN,
            )
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
    )


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def as_table(report: MonthlyReport) -> str:
    lines = [f"**{report.month} 月报**", "", "准时交付（按客户）", "客户 | 交付 | 准时 | 准时率 | 平均延误(天)"]
    rows = report.customers + ([report.total] if report.customers else [])
    lines += [f"{f.customer} | {f.delivered} | {f.on_time} | {_percent(f.rate)} | {f.average_delay:.1f}" for f in rows]
    if not report.customers:
        lines.append("（本月没有交付的订单）")
    lines += ["", "异常（按类别）"]
    lines += [f"{CATEGORY_LABELS.get(k, k)} | {n}" for k, n in report.exceptions_by_category.items()] or ["（本月没有异常）"]
    lines += ["", "异常（按节点）"]
    lines += [f"{k} | {n}" for k, n in report.exceptions_by_milestone.items()] or ["（本月没有异常）"]
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
    for order_no, c in report.changes_per_order.items():
        for metric in ("total", "approved", "rejected", "open"):
            writer.writerow([report.month, "changes_per_order", order_no, metric, getattr(c, metric)])
    return out.getvalue()
