"""ParsedItem's hand-written copies (for_order, unsure) keep every field, now and after a field is added."""

from dataclasses import fields, replace
from datetime import date

from handlers.understanding.items import ParsedItem
from storage.models import ExceptionCategory


def _full_item() -> ParsedItem:
    # a distinct, non-default value in every field, whatever fields the class has
    values = {"intent": "exception", "order_no": "A2311-08", "milestone": "焊接", "status": "in_progress",
              "percent": 40, "field": "quantity", "op": "add", "value": 120, "category": ExceptionCategory.MATERIAL,
              "date": date(2026, 12, 5), "confident": True}
    missing = {f.name for f in fields(ParsedItem)} - values.keys()
    assert not missing, f"give the new fields a value here: {missing}"
    return ParsedItem(**values)


def test_for_order_changes_the_order_and_nothing_else():
    item = _full_item()
    assert item.for_order("B77") == replace(item, order_no="B77")


def test_unsure_changes_confidence_and_nothing_else():
    item = _full_item()
    assert item.unsure() == replace(item, confident=False)
