"""Placeholder until the real parser lands: recognises "订单123 焊接完成"-style progress only."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from handlers.templates import Template, TemplateSet


@dataclass(frozen=True)
class ParsedItem:
    intent: str
    order_no: str | None = None
    milestone: str | None = None
    status: str | None = None
    percent: int | None = None
    field: str | None = None
    op: str | None = None
    value: Any = None
    category: str | None = None
    date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


class Parser:
    def __init__(self, templates: TemplateSet | tuple[Template, ...]) -> None:
        templates = templates.templates if isinstance(templates, TemplateSet) else tuple(templates)
        self.words = {w: spec.name for t in templates for spec in t.milestones for w in spec.words}

    def parse(self, text: str, now: datetime) -> list[ParsedItem]:
        items = []
        for line in text.splitlines():
            m = re.match(r"^(?:订单)?([A-Z0-9][A-Z0-9-]*)\s*(\S+?)(完成|(\d+)%)", line.strip().upper())
            if m and m.group(2) in self.words:
                done = m.group(3) == "完成"
                items.append(ParsedItem("progress", m.group(1), self.words[m.group(2)],
                                        "done" if done else "in_progress", None if done else int(m.group(4))))
        return items
