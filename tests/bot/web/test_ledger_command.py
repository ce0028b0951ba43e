"""导出台账 where the chat cannot receive a file and the board is enabled: the answer carries a signed
download link — the managers' link in a manager group, the customer's own link in a customer group —
and the link downloads the right workbook through the real app."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from bot.keys import RUNTIME
from tests.bot.web.conftest import LATER, Seeded
from tests.helpers import ChatSession


def link_in(text: str) -> str:
    match = re.search(r"https://gendan\.example\.com(/w/[^\s（）)，]+)", text)
    assert match, text
    return match.group(1)


async def orders_at(seeded: Seeded, path: str) -> list[str]:
    response = await seeded.client.get(path)
    assert response.status == 200, await response.text()
    rows = list(load_workbook(io.BytesIO(await response.read()))["台账"].iter_rows(values_only=True))
    return sorted(row[0] for row in rows[1:] if row[0] is not None)


async def test_a_manager_group_gets_the_managers_download_link(seeded: Seeded) -> None:
    seeded.manager.now = LATER
    reply = await seeded.manager.say("导出台账")
    assert reply.ok and reply.attachment is not None
    fallback = reply.attachment_fallback
    assert "这个群发不了文件" in fallback and "绑定推送" in fallback and "gendan ledger export" in fallback
    path = link_in(fallback)
    assert path.endswith("/ledger.xlsx") and "/portal/" not in path and "请勿转发" in fallback
    assert await orders_at(seeded, path) == ["A100", "A200", "B100", "B200"]
    one = await seeded.manager.say("导出台账 南方重工")
    assert await orders_at(seeded, link_in(one.attachment_fallback)) == ["B100", "B200"]


async def test_a_customer_group_gets_its_own_link_only(seeded: Seeded) -> None:
    customer = ChatSession(seeded.client.app[RUNTIME], now=LATER, chat_id="华东群", user="华东采购")
    reply = await customer.say("导出台账 南方重工")
    assert reply.ok and reply.attachment is not None, reply.text
    fallback = reply.attachment_fallback
    assert "这个群发不了文件" in fallback and "gendan ledger" not in fallback
    path = link_in(fallback)
    assert path.endswith("/portal/ledger.xlsx")
    assert await orders_at(seeded, path) == ["A100", "A200"], "never another customer's rows"
    assert (await seeded.client.get(path.removesuffix("/portal/ledger.xlsx") + "/ledger.xlsx")).status == 404


async def test_no_link_outside_manager_and_customer_groups(seeded: Seeded) -> None:
    in_department = ChatSession(seeded.client.app[RUNTIME], now=LATER, chat_id="焊接群", user="王经理")
    reply = await in_department.say("导出台账")
    assert reply.ok and reply.attachment is not None
    assert "/w/" not in reply.attachment_fallback and "gendan ledger export" in reply.attachment_fallback
