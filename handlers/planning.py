"""Lay out an order's milestone plan backwards from its due date, in working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.templates import Template
from handlers.workdays import WorkCalendar


@dataclass(frozen=True)
class PlannedStep:
    seq: int
    name: str
    planned_date: date
    days: int
    department: str | None


@dataclass(frozen=True)
class Plan:
    steps: tuple[PlannedStep, ...]
    start: date
    """The working day the first milestone must start on for the plan to hold."""
    compressed: bool
    """True when the plan did not fit between today and the due date and was squeezed."""


def lay_out(template: Template, due: date, today: date, calendar: WorkCalendar) -> Plan:
    """The last milestone is planned on the due date (or the working day before it); each earlier
    one ends where the next one's duration begins. Planned dates that would fall before today are
    moved to today, and the plan is marked compressed."""
    end = calendar.on_or_before(due)
    dates: list[date] = []
    for spec in reversed(template.milestones):
        dates.append(end)
        end = calendar.add(end, -max(spec.days, 0))
    dates.reverse()
    # The first step ends on dates[0] after its own `days` of work, so it starts `days - 1` working
    # days before that (a step of 0 or 1 day starts on the day it ends).
    start = calendar.add(dates[0], -(max(template.milestones[0].days, 1) - 1)) if dates else end
    compressed = start < today
    steps = tuple(
        PlannedStep(
            seq=seq,
            name=spec.name,
            planned_date=max(planned, today),
            days=spec.days,
            department=spec.department,
        )
        for seq, (spec, planned) in enumerate(zip(template.milestones, dates, strict=True), start=1)
    )
    return Plan(steps=steps, start=start, compressed=compressed)
