"""看板 in chat: a manager link in a manager group, nothing anywhere else."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.keys import RUNTIME
from tests.bot.web.conftest import LATER, Seeded
from tests.helpers import ChatSession


async def test_a_manager_asking_in_the_manager_group_gets_a_link_that_opens_the_board(seeded: Seeded) -> None:
    seeded.manager.now = LATER - timedelta(hours=1)
    reply = await seeded.manager.say("看板")
    assert reply.ok, reply.text
    url = re.search(r"https://gendan\.example\.com(/w/\S+)", reply.text).group(1)
    assert "有效期至 12-10" in reply.text and "请勿转发" in reply.text
    response = await seeded.client.get(url + "/orders")
    assert response.status == 200 and "B100" in await response.text()


async def test_the_board_link_is_not_given_outside_the_manager_group(seeded: Seeded) -> None:
    runtime = seeded.client.app[RUNTIME]
    in_department = ChatSession(runtime, now=LATER, chat_id="焊接群", user="王经理")
    reply = await in_department.say("看板")
    assert not reply.ok and "/w/" not in reply.text and "经理群" in reply.text
    staff = ChatSession(runtime, now=LATER, chat_id="经理群", user="临时工")
    refused = await staff.say("看板")
    assert not refused.ok and "/w/" not in refused.text
    customer = ChatSession(runtime, now=LATER, chat_id="华东群", user="华东采购")
    answer = await customer.say("看板")
    assert not answer.ok and "/w/" not in answer.text
