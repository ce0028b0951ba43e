"""A milestone's recordable state: find it on an order, snapshot it before a record, restore it on undo.

Every record that changes a milestone (progress, quality rework) stores `snapshot()` as its
event's `before`; undo hands the same dict to `restore()`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage.models import MilestoneStatus, Order, OrderMilestone, OrderStatus


def milestone_named(order: Order, name: str | None) -> OrderMilestone | None:
    if not name:
        return None
    return next((m for m in order.milestones if m.name == name), None)


def snapshot(order: Order, milestone: OrderMilestone) -> dict[str, Any]:
    return {
        "status": str(milestone.status),
        "percent": milestone.percent,
        "finished_at": milestone.finished_at.isoformat() if milestone.finished_at else None,
        "forecast_date": milestone.forecast_date.isoformat() if milestone.forecast_date else None,
        "order_status": str(order.status),
        "delivered_on": order.delivered_on.isoformat() if order.delivered_on else None,
    }


def restore(order: Order, milestone: OrderMilestone, before: dict[str, Any]) -> None:
    milestone.status = MilestoneStatus(before["status"])
    milestone.percent = before["percent"]
    milestone.finished_at = datetime.fromisoformat(before["finished_at"]) if before["finished_at"] else None
    milestone.forecast_date = date.fromisoformat(before["forecast_date"]) if before["forecast_date"] else None
    order.status = OrderStatus(before["order_status"])
    order.delivered_on = date.fromisoformat(before["delivered_on"]) if before.get("delivered_on") else None
