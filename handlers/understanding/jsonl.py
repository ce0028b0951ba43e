"""Batch parsing for `gendan parse` (one JSON object per text, or the contract's --jsonl mode)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO

from .parser import Parser


def parse_texts(parser: Parser, texts: Iterable[str], now: datetime) -> Iterator[dict[str, Any]]:
    """One {"text", "now", "items"} object per text."""
    for text in texts:
        items = [item.as_dict() for item in parser.parse(text, now)]
        yield {"text": text, "now": now.isoformat(), "items": items}


def _parse_line(parser: Parser, line: str, default_now: Callable[[], datetime]) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": f"不是合法的 JSON：{error.msg}（第 {error.colno} 列）"}
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return {"error": "每行须是带 \"text\" 字符串字段的 JSON 对象"}
    raw_now = record.get("now")
    if raw_now is None:
        now = default_now()
    else:
        try:
            now = datetime.fromisoformat(raw_now) if isinstance(raw_now, str) else None
        except ValueError:
            now = None
        if now is None or now.tzinfo is None:
            return {"error": f"\"now\" 须是带时区偏移的 ISO-8601 时间：{raw_now!r}"}
    record["items"] = [item.as_dict() for item in parser.parse(record["text"], now)]
    return record


def parse_jsonl(parser: Parser, lines: Iterable[str], out: TextIO, default_now: Callable[[], datetime]) -> int:
    """Contract --jsonl: each output line is the input object plus "items"; a bad line yields
    {"error": ...} in its place and the run goes on. Returns the exit status (1 if any error)."""
    status = 0
    for line in lines:
        if not line.strip():
            continue
        result = _parse_line(parser, line, default_now)
        if "error" in result and "items" not in result:
            status = 1
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return status
