"""What handlers need to know of the deployment, built by the bot from its configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from handlers.links import LinkIssuer
from handlers.templates import TemplateSet
from handlers.workdays import WorkCalendar


@dataclass(frozen=True)
class WorkflowRules:
    """Rules of the change, exception and acceptance workflows (the `[workflow]` section)."""

    free_change_days: int = 3
    """Working days after intake in which a change request is free; later ones need evaluation."""
    major_delay_days: int = 3
    """An exception stating a delay of at least this many working days is major."""
    major_when_due_at_risk: bool = True
    """An exception that pushes the remaining plan past the due date is major."""
    major_quality_milestones: tuple[str, ...] = ("验收",)
    """A quality exception on one of these milestones is major."""


@dataclass(frozen=True)
class HandlerSettings:
    templates: TemplateSet = field(default_factory=TemplateSet)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    bot_name: str = "跟单助手"
    max_message_chars: int = 2000
    context_minutes: int = 10
    workflow: WorkflowRules = field(default_factory=WorkflowRules)
    links: LinkIssuer | None = None
    """Signs board and portal links; None when `[web]` is disabled."""
