"""What handlers need to know of the deployment, built by the bot from its configuration.

No defaults here: every value comes from `bot.config`, where the defaults are defined once.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.links import LinkIssuer
from handlers.templates import TemplateSet
from handlers.workdays import WorkCalendar


@dataclass(frozen=True)
class WorkflowRules:
    """Rules of the change, exception and acceptance workflows (the `[workflow]` section)."""

    free_change_days: int
    """Working days after intake in which a change request is free; later ones need evaluation."""
    major_delay_days: int
    """An exception stating a delay of at least this many working days is major."""
    major_when_due_at_risk: bool
    """An exception that pushes the remaining plan past the due date is major."""
    major_quality_milestones: tuple[str, ...]
    """A quality exception on one of these milestones is major."""


@dataclass(frozen=True)
class HandlerSettings:
    templates: TemplateSet
    tz: ZoneInfo
    calendar: WorkCalendar
    bot_name: str
    max_message_chars: int
    context_minutes: int
    workflow: WorkflowRules
    links: LinkIssuer | None = None
    """Signs board and portal links; None when `[web]` is disabled."""
