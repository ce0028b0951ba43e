"""What handlers need to know of the deployment, built by the bot from its configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from handlers.templates import TemplateSet
from handlers.workdays import WorkCalendar


@dataclass(frozen=True)
class HandlerSettings:
    templates: TemplateSet = field(default_factory=TemplateSet)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    bot_name: str = "跟单助手"
    max_message_chars: int = 2000
    context_minutes: int = 10
