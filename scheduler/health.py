"""How an open order stands: which milestones are late, and whether its due date is at risk.

Lateness and remaining work are counted in working days. A milestone is late when it is not done
and its planned date has passed. The order is at risk when the working days its unfinished
milestones still need (their planned `days`; an in-progress one only its unfinished share) do not
fit in the working days left up to the due date, today included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.customer_view import remaining_days
from scheduler.read_model import MilestoneRow, OrderRow
from scheduler.workindex import WorkdayIndex
from storage.models import MilestoneStatus, OrderStatus


@dataclass(frozen=True, slots=True)
class LateMilestone:
    milestone: MilestoneRow
    days_late: int


@dataclass(frozen=True, slots=True)
class OrderHealth:
    order: OrderRow
    late: tuple[LateMilestone, ...]
    days_needed: int
    days_left: int
    """Working days from today up to the due date, today included when it is a working day."""
    past_due: bool

    @property
    def at_risk(self) -> bool:
        return self.past_due or self.days_needed > self.days_left

    @property
    def actionable_late(self) -> tuple[LateMilestone, ...]:
        """The late milestones someone can act on now: the first unfinished one and any in progress.
        Those queued behind a late one are late because of it; warning their groups too is noise."""
        first = current_milestone(self.order)
        return tuple(
            late for late in self.late
            if late.milestone is first or late.milestone.status == MilestoneStatus.IN_PROGRESS
        )

    @property
    def days_late(self) -> int:
        return max((late.days_late for late in self.late), default=0)

    @property
    def urgency(self) -> tuple:
        """Sort key, most urgent first."""
        return (not self.past_due, -self.days_late, self.days_left - self.days_needed, self.order.due_date)


def assess(order: OrderRow, today: date, index: WorkdayIndex) -> OrderHealth:
    late = tuple(
        LateMilestone(m, max(index.between(m.planned_date, today), 1))
        for m in order.milestones
        if m.status != MilestoneStatus.DONE and m.planned_date < today
    )
    needed = sum(remaining_days(m) for m in order.milestones)
    left = index.between(today, order.due_date) + (1 if index.is_workday(today) else 0)
    past_due = order.due_date < today and order.status != OrderStatus.SHIPPED
    return OrderHealth(order=order, late=late, days_needed=needed, days_left=max(left, 0), past_due=past_due)


def current_milestone(order: OrderRow) -> MilestoneRow | None:
    for milestone in order.milestones:
        if milestone.status != MilestoneStatus.DONE:
            return milestone
    return None
