"""What the pictures show, as typed values built from the scheduler's read model.

The digest chart: the late and at-risk orders, most urgent first, each with where the milestone
plan says it should be today against where it is, its days late and its due date; and the weekly
on-time delivery rate. The customer chart: one customer's open orders, each as a stage bar with its
expected delivery, in customer wording (no staff, departments or exceptions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.customer_view import expected_delivery
from scheduler.health import OrderHealth, assess, current_milestone
from scheduler.read_model import OrderRow
from scheduler.workindex import WorkdayIndex
from storage.models import MilestoneStatus, Order, OrderStatus

TREND_WEEKS = 8


@dataclass(frozen=True, slots=True)
class OrderBar:
    """One late or at-risk order: plan against actual, as shares (0–1) of its milestone plan."""

    order_no: str
    customer: str
    planned: float
    """Share of the milestones planned to be done by today."""
    actual: float
    """Share actually done (an in-progress milestone counts its percent)."""
    current: str | None
    """The first unfinished milestone's name."""
    days_late: int
    due_date: date
    past_due: bool


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Orders delivered in the week starting `week_start`, and how many of them on time."""

    week_start: date
    delivered: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.delivered if self.delivered else None


@dataclass(frozen=True, slots=True)
class DigestChart:
    day: date
    bars: tuple[OrderBar, ...]
    more: int
    """Late or at-risk orders beyond the ones drawn."""
    trend: tuple[TrendPoint, ...]


@dataclass(frozen=True, slots=True)
class StageBar:
    """One customer order: how far along its plan it is, its stage and expected delivery."""

    order_no: str
    product: str
    done: float
    stage: str
    expected: date
    delayed: bool
    """Expected after the agreed due date."""


@dataclass(frozen=True, slots=True)
class CustomerChart:
    customer: str
    day: date
    bars: tuple[StageBar, ...]


def _planned_share(order: OrderRow, today: date) -> float:
    if not order.milestones:
        return 0.0
    return sum(1 for m in order.milestones if m.planned_date < today) / len(order.milestones)


def done_share(order: OrderRow) -> float:
    if not order.milestones:
        return 1.0 if order.status == OrderStatus.SHIPPED else 0.0
    total = 0.0
    for m in order.milestones:
        if m.status == MilestoneStatus.DONE:
            total += 1
        elif m.status == MilestoneStatus.IN_PROGRESS and m.percent:
            total += m.percent / 100
    return total / len(order.milestones)


def _bar(health: OrderHealth, today: date) -> OrderBar:
    order = health.order
    current = current_milestone(order)
    return OrderBar(
        order_no=order.order_no,
        customer=order.customer,
        planned=_planned_share(order, today),
        actual=done_share(order),
        current=current.name if current else None,
        days_late=health.days_late,
        due_date=order.due_date,
        past_due=health.past_due,
    )


def digest_chart(
    orders: Sequence[OrderRow], trend: Sequence[TrendPoint], *, today: date, index: WorkdayIndex, max_bars: int
) -> DigestChart:
    """The late and at-risk orders in the digest's order (most urgent first), at most `max_bars`."""
    healths = [assess(order, today, index) for order in orders]
    urgent = sorted((h for h in healths if h.late or h.past_due or h.at_risk), key=lambda h: h.urgency)
    return DigestChart(
        day=today,
        bars=tuple(_bar(h, today) for h in urgent[:max_bars]),
        more=max(len(urgent) - max_bars, 0),
        trend=tuple(trend),
    )


def customer_chart(
    customer: str, orders: Sequence[OrderRow], *, today: date, index: WorkdayIndex, stage_words
) -> CustomerChart:
    """`orders` must all be `customer`'s (the caller loads them by customer id); `stage_words` is
    the customer update's wording of an order's stage."""
    bars = []
    for order in orders:
        if order.customer != customer:
            raise ValueError(f"order {order.order_no} is not {customer}'s")
        expected = expected_delivery(order, today, index)
        bars.append(StageBar(order.order_no, order.product, done_share(order), stage_words(order), expected,
                             expected > order.due_date))
    return CustomerChart(customer=customer, day=today, bars=tuple(bars))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def on_time_trend(deliveries: Sequence[tuple[date, date]], today: date, weeks: int = TREND_WEEKS) -> tuple[TrendPoint, ...]:
    """Per week (Monday first), the last `weeks` weeks up to today's: (delivered_on, due_date) pairs
    counted as on time when delivered on or before the due date."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    counts = {first + timedelta(weeks=n): [0, 0] for n in range(weeks)}
    for delivered_on, due_date in deliveries:
        bucket = counts.get(week_start(delivered_on))
        if bucket is None:
            continue
        bucket[0] += 1
        bucket[1] += delivered_on <= due_date
    return tuple(TrendPoint(start, delivered, on_time) for start, (delivered, on_time) in sorted(counts.items()))


async def deliveries_since(session: AsyncSession, since: date) -> list[tuple[date, date]]:
    """(delivered_on, due_date) of the orders delivered from `since` on: one query."""
    query = select(Order.delivered_on, Order.due_date).where(
        Order.delivered_on.is_not(None), Order.delivered_on >= since, Order.status != OrderStatus.CANCELLED
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]
