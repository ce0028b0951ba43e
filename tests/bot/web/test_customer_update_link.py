"""The weekly customer update carries that customer's portal link, and the link opens only their orders."""

from __future__ import annotations

import re
from datetime import datetime

from bot.keys import RUNTIME
from bot.scheduling import schedule_config
from scheduler.jobs import CUSTOMER_UPDATE
from scheduler.service import SchedulerService
from storage.models import OutboxMessage
from tests.bot.web.conftest import LATER, Seeded
from tests.conftest import SHANGHAI

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)


async def test_the_weekly_update_links_to_that_customers_portal(seeded: Seeded, settings) -> None:
    from sqlalchemy import select

    runtime = seeded.client.app[RUNTIME]
    # the text alone: the update's picture (a message of its own) is another issue's test
    text_only = settings.model_copy(update={"pictures": settings.pictures.model_copy(update={"enabled": False})})
    service = SchedulerService(runtime.database, schedule_config(text_only), {}, instance="t")
    outcomes = await service.runner.run_due(MONDAY_9, only=[CUSTOMER_UPDATE])
    assert [o.messages for o in outcomes] == [1]  # one customer group: 华东群
    texts = await runtime.database.run(
        lambda s: s.scalars(select(OutboxMessage.text).where(OutboxMessage.dedupe_key.like("weekly:%"))))
    [text] = list(texts)
    match = re.search(r"有效期至 (\d\d-\d\d)）：https://gendan\.example\.com(/w/\S+)", text)
    assert match, text
    assert match.group(1) == "12-15"  # a week and a day after the update
    response = await seeded.client.get(match.group(2))  # opened three days later
    html = await response.text()
    assert response.status == 200 and LATER > MONDAY_9
    assert re.findall(r'data-order="([^"]+)"', html) == ["A100", "A200"]
    assert (await seeded.client.get(match.group(2) + "/orders")).status == 404


async def test_without_the_web_pages_the_update_has_no_link(seeded: Seeded, settings) -> None:
    runtime = seeded.client.app[RUNTIME]
    off = settings.model_copy(update={"web": settings.web.model_copy(update={"enabled": False})})
    service = SchedulerService(runtime.database, schedule_config(off), {}, instance="t")
    from scheduler.read_model import chats
    from storage.models import ChatRole

    chat = (await runtime.database.run(lambda s: chats(s, ChatRole.CUSTOMER)))[0]
    text = await service.runner.preview(chat, MONDAY_9)
    assert "订单 A100" in text and "/w/" not in text
