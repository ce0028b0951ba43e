"""Remembering signed callbacks already accepted, so a captured signature cannot be used twice.

Both platforms sign a callback over a few header or query values (WeCom: timestamp, nonce and the
encrypted body; DingTalk: the timestamp alone), valid for a window of time. A request whose signed
key was seen before is either the platform delivering the same request again (the identical body:
answered as a redelivery, which the message-id de-duplication answers from the record) or a
replay with another body (refused).

Kept per process, in memory: a second instance behind the same URL has its own memory, so there a
captured pair can be used once more within the window; the message-id de-duplication in the
database still applies a message once across instances.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable


class Replayed(Exception):
    """The signed key was seen before with another body."""


class SeenRequests:
    def __init__(self, keep_seconds: float, *, max_entries: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        self.keep_seconds = keep_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[tuple[str, ...], tuple[float, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def remember(self, key: tuple[str, ...], body: str | bytes) -> bool:
        """Record an accepted request; True when it is the identical request again (a redelivery).
        The same `key` with another body raises `Replayed`. Entries older than `keep_seconds` are
        forgotten, and the oldest first once `max_entries` are kept."""
        now = self._clock()
        digest = hashlib.sha256(body.encode() if isinstance(body, str) else body).hexdigest()
        while self._seen:
            oldest_key, (seen_at, _) = next(iter(self._seen.items()))
            if now - seen_at <= self.keep_seconds and len(self._seen) < self.max_entries:
                break
            del self._seen[oldest_key]
        seen = self._seen.get(key)
        if seen is not None:
            if seen[1] == digest:
                return True
            raise Replayed("signed key seen before with another body")
        self._seen[key] = (now, digest)
        return False
