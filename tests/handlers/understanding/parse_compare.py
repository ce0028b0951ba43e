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


def confident(item: dict) -> bool:
    return item.get("confident", True) is not False


def wrong_record(expected: list[dict], got: list[dict]) -> bool:
    """A confident item the label does not hold: the bot would record something wrong."""
    left = Counter(map(canonical, expected))
    for item in got:
        key = canonical(item)
        if left[key] > 0:
            left[key] -= 1
        elif confident(item):
            return True
    return False


def score(rows: list[dict], parse) -> dict:
    """The score tool's figures for `rows` (contract JSONL rows) parsed by `parse(text, now)`."""
    right = wrong = asked = empties = false_records = 0
    by_intent: Counter = Counter()
    seen: Counter = Counter()
    misses = []
    for row in rows:
        got = parse(row["text"], row["now"])
        ok = same_items(row["items"], got)
        right += ok
        wrong += wrong_record(row["items"], got)
        asked += ok and any(not confident(item) for item in got)
        for intent in {item["intent"] for item in row["items"]} or {"none"}:
            seen[intent] += 1
            by_intent[intent] += ok
        if not row["items"]:
            empties += 1
            false_records += bool(got)
        if not ok:
            misses.append((row["text"], got))
    total = len(rows) or 1
    return {
        "messages": len(rows),
        "accuracy": right / total,
        "by_intent": {intent: by_intent[intent] / seen[intent] for intent in sorted(seen)},
        "wrong_record_rate": wrong / total,
        "ask_rate": asked / right if right else 0.0,
        "false_record_rate": false_records / empties if empties else 0.0,
        "misses": misses,
    }
