"""Answers on the channel a message came in: the passive `stream` reply (callback and websocket
mode), the late answer's markdown body for `response_url`, and the group webhook's `<@userid>`
mentions (the one format where they notify; elsewhere the text names people).

A passive reply is one message by the protocol, so an answer longer than its 20,480 bytes is cut
at a line end; proactive messages are never cut (the sender splits them).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

PASSIVE_REPLY_LIMIT_BYTES = 20480


def with_mentions(text: str, user_ids: tuple[str, ...]) -> str:
    """Markdown `<@userid>` mentions appended on their own line: the syntax of group-webhook
    text/markdown only (AI-bot markdown and markdown_v2 show it as literal text)."""
    if not user_ids:
        return text
    return f"{text}\n" + " ".join(f"<@{uid}>" for uid in user_ids)


def stream_reply(content: str, stream_id: str | None = None) -> str:
    """The plaintext of a finished passive reply: one `stream` message, markdown content."""
    body = {
        "msgtype": "stream",
        "stream": {
            "id": stream_id or secrets.token_hex(8),
            "finish": True,
            "content": fit_bytes(content, PASSIVE_REPLY_LIMIT_BYTES),
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def markdown_body(content: str, limit: int = PASSIVE_REPLY_LIMIT_BYTES) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": fit_bytes(content, limit)}}


def fit_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes at a line end (or a character when one line is longer)."""
    if len(text.encode()) <= limit:
        return text
    marker = "\n……"
    budget = limit - len(marker.encode())
    kept = text.encode()[:budget].decode(errors="ignore")
    if "\n" in kept:
        kept = kept[: kept.rindex("\n")]
    return kept + marker
