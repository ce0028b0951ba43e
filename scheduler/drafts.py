"""A message a job wants sent: to one chat, under a dedupe key that makes re-computing it harmless."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.messages import Attachment
from scheduler.read_model import ChatRow


@dataclass(frozen=True, slots=True)
class Draft:
    dedupe_key: str
    chat: ChatRow
    text: str
    mention_user_ids: tuple[str, ...] = ()
    attachment: Attachment | None = None
    """Sent instead of `text` where the route can carry it; `text` is then the fallback."""
