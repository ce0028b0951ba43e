"""Scheduler fixtures: a deployment with manager, department and customer groups, a short
template, a company holiday, and a sender that records what it is given."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduling import schedule_config
from handlers.messages import DeliveryError, Outbound
from scheduler.service import SchedulerService

COMPANY_HOLIDAY = date(2026, 11, 27)
"""A Friday off (company holiday) inside the simulated fortnight."""

TEMPLATE = {
    "name": "短线",
    "milestones": [
        {"name": "下料", "days": 2, "department": "下料车间"},
        {"name": "焊接", "days": 3, "department": "焊接车间"},
        {"name": "涂装", "days": 2, "department": "涂装车间"},
        {"name": "发货", "days": 1, "department": "物流部"},
    ],
}
CHATS = [
    {"platform": "local", "chat_id": "经理群", "name": "经理群", "role": "manager"},
    {"platform": "local", "chat_id": "下料群", "name": "下料群", "role": "department", "department": "下料车间"},
    {"platform": "local", "chat_id": "焊接群", "name": "焊接群", "role": "department", "department": "焊接车间"},
    {"platform": "local", "chat_id": "涂装群", "name": "涂装群", "role": "department", "department": "涂装车间"},
    {"platform": "local", "chat_id": "华东群", "name": "华东群", "role": "customer", "customer": "华东机械"},
    {"platform": "local", "chat_id": "西北群", "name": "西北群", "role": "customer", "customer": "西北重工"},
]


class RecordingSender:
    """A Sender that keeps what it was given; `fail_next` makes the next sends fail."""

    platform = "local"

    def __init__(self) -> None:
        self.sent: list[Outbound] = []
        self.failures: list[DeliveryError] = []

    def fail_next(self, times: int, *, retryable: bool = True) -> None:
        self.failures += [DeliveryError("平台返回 503", retryable=retryable)] * times

    async def send(self, message: Outbound) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)

    def to(self, chat_id: str) -> list[str]:
        """The texts sent to `chat_id` (pictures aside: see `pictures_to`)."""
        return [m.text for m in self.sent if m.chat_id == chat_id and m.attachment is None]

    def pictures_to(self, chat_id: str) -> list[Outbound]:
        return [m for m in self.sent if m.chat_id == chat_id and m.attachment is not None]


@pytest.fixture
def settings_data(database_url: str) -> dict:
    return {
        "database": {"url": database_url},
        "calendar": {"holidays": [COMPANY_HOLIDAY.isoformat()]},
        "templates": [TEMPLATE],
        "chats": CHATS,
        "people": [{"platform": "local", "user_id": "张三", "role": "staff", "name": "张三"}],
    }


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


def make_service(runtime: Runtime, settings: Settings, sender: RecordingSender, instance: str = "test-1") -> SchedulerService:
    return SchedulerService(runtime.database, schedule_config(settings), {"local": sender}, instance=instance)


@pytest.fixture
def service(runtime: Runtime, settings: Settings, sender: RecordingSender) -> SchedulerService:
    return make_service(runtime, settings, sender)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    from tests.conftest import SHANGHAI

    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def has_cjk_font() -> bool:
    """Whether a CJK font for the digest pictures is installed (.ci/run installs fonts-wqy-microhei)."""
    from scheduler.pictures.fonts import FontUnavailable, find_cjk_font

    try:
        find_cjk_font()
    except FontUnavailable:
        return False
    return True


requires_cjk_font = pytest.mark.skipif(
    not has_cjk_font(), reason="no CJK font installed, so no pictures (.ci/run installs fonts-wqy-microhei)")
