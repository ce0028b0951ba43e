"""The web pages' state in the app, under one `web.AppKey`: the link signer, the clock, and what is
kept between requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from aiohttp import web

from bot.web.links import LinkSigner
from handlers.board import AssessedBook
from handlers.workdays import WorkCalendar
from scheduler.workindex import WorkdayIndex

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class WebState:
    signer: LinkSigner
    calendar: WorkCalendar
    page_size: int
    clock: Clock = _utc_now
    """Replaced by tests to move time (link expiry, lateness)."""
    book: AssessedBook = field(default_factory=AssessedBook)
    """The open orders as last assessed, reused while the event log has not moved."""
    _indexes: dict[date, WorkdayIndex] = field(default_factory=dict)

    def index_for(self, today: date) -> WorkdayIndex:
        """One working-day index per day, reused by every request of that day."""
        index = self._indexes.get(today)
        if index is None:
            self._indexes.clear()
            index = self._indexes[today] = WorkdayIndex(self.calendar, today)
        return index


WEB = web.AppKey("web", WebState)
