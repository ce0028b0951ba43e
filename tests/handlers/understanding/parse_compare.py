"""Contract comparison shared by the corpus tests (the same rule as shared/tools/score_parse.py)."""

import json
from collections import Counter

KEYS = ("intent", "order_no", "milestone", "status", "percent",
        "field", "op", "value", "category", "date")


def canonical(item: dict) -> tuple:
    values = {key: item.get(key) for key in KEYS}
    if values["intent"] == "change" and values["field"] == "spec":
        values["value"] = None
    return tuple(json.dumps(values[key], ensure_ascii=False, sort_keys=True) for key in KEYS)


def same_items(expected: list[dict], got: list[dict]) -> bool:
    return Counter(map(canonical, expected)) == Counter(map(canonical, got))
