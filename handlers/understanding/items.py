"""The parser's output: one item per (order, milestone) pair or per changed field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from storage.models import ExceptionCategory

Intent = Literal["progress", "change", "exception", "query"]
ChangeField = Literal["quantity", "due_date", "spec"]
CONTRACT_KEYS = ("intent", "order_no", "milestone", "status", "percent",
                 "field", "op", "value", "category", "date")


@dataclass(frozen=True, slots=True)
class ParsedItem:
    intent: Intent
    order_no: str | None = None
    milestone: str | None = None
    status: Literal["done", "in_progress"] | None = None
    percent: int | None = None
    field: ChangeField | None = None
    op: Literal["set", "add", "sub"] | None = None
    value: int | str | date | None = None
    category: ExceptionCategory | None = None
    date: date | None = None
    # False when the reading rests on a weak cue, a word that usually means something else, or a
    # guessed status: the bot asks the sender before recording it (parse contract, "Confidence")
    confident: bool = True

    def for_order(self, order_no: str | None) -> ParsedItem:
        """This item for `order_no` (dataclasses.replace costs five times as much on the hot path)."""
        return ParsedItem(self.intent, order_no, self.milestone, self.status, self.percent, self.field,
                          self.op, self.value, self.category, self.date, self.confident)

    def unsure(self) -> ParsedItem:
        """This item marked `confident=False`: the bot asks before recording it."""
        return ParsedItem(self.intent, self.order_no, self.milestone, self.status, self.percent, self.field,
                          self.op, self.value, self.category, self.date, False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParsedItem:
        """The item `as_dict` gave (as kept in a pending confirmation); dates back from ISO strings."""
        value = data.get("value")
        if data.get("field") == "due_date" and isinstance(value, str):
            value = date.fromisoformat(value)
        category = data.get("category")
        return cls(
            intent=data["intent"],
            order_no=data.get("order_no"),
            milestone=data.get("milestone"),
            status=data.get("status"),
            percent=data.get("percent"),
            field=data.get("field"),
            op=data.get("op"),
            value=value,
            category=ExceptionCategory(category) if category is not None else None,
            date=date.fromisoformat(data["date"]) if data.get("date") else None,
            confident=data.get("confident", True) is not False,
        )

    def as_dict(self) -> dict[str, Any]:
        """The contract's keys; dates as ISO strings; `"confident": false` only when unsure."""
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        result: dict[str, Any] = {
            "intent": self.intent,
            "order_no": self.order_no,
            "milestone": self.milestone,
            "status": self.status,
            "percent": self.percent,
            "field": self.field,
            "op": self.op,
            "value": value,
            "category": self.category,
            "date": self.date.isoformat() if self.date else None,
        }
        if not self.confident:
            result["confident"] = False
        return result
