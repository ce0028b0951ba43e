"""绑定推送 through a real callback: an admin binds the group's webhook; digests then reach it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.keys import RUNTIME, SENDERS
from handlers.messages import DeliveryError, Outbound
from storage.models import Chat, Event
from tests.bot.adapters.wecom.conftest import WORKER
from tests.bot.adapters.delivery import send_routed
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, group_text
from tests.bot.adapters.wecom.helpers import deliver

NEW_GROUP = "wrNEWGROUP"


async def _chat(client: TestClient, chat_id: str) -> Chat | None:
    async with client.app[RUNTIME].database.transaction() as session:
        return await session.scalar(select(Chat).where(Chat.platform == "wecom", Chat.chat_id == chat_id))


async def _say_in(client: TestClient, fake: FakeWeCom, text: str, msgid: str, *, userid: str = "zhangsan") -> str:
    status, reply = await deliver(client, fake, group_text(text, msgid=msgid, chatid=NEW_GROUP, userid=userid))
    assert status == 200 and reply is not None
    return reply["stream"]["content"]


async def test_admin_binds_the_webhook_and_a_digest_arrives(client: TestClient, fake: FakeWeCom) -> None:
    url = fake.webhook_url("new-group-key-7")
    answer = await _say_in(client, fake, f"@跟单助手 绑定推送 {url}", "bind-1")
    assert "已绑定" in answer and "new-group-key-7" not in answer
    chat = await _chat(client, NEW_GROUP)
    assert chat.webhook_url == url and chat.misconfigured is None
    async with client.app[RUNTIME].database.transaction() as session:
        texts = [e.raw_text for e in await session.scalars(select(Event).where(Event.chat_id == NEW_GROUP))]
    assert texts and all("new-group-key-7" not in t for t in texts)  # the key stays out of the audit log

    await send_routed(client.app, Outbound("wecom", NEW_GROUP, "**简报**"))
    assert fake.webhook_posts[-1] == ("new-group-key-7", {"msgtype": "markdown", "markdown": {"content": "**简报**"}})


async def test_rebinding_clears_misconfigured(client: TestClient, fake: FakeWeCom) -> None:
    await _say_in(client, fake, f"@跟单助手 绑定推送 {fake.base_url}/cgi-bin/webhook/send?key=deleted", "bind-a")
    with pytest.raises(DeliveryError):
        await send_routed(client.app, Outbound("wecom", NEW_GROUP, "x"))
    assert (await _chat(client, NEW_GROUP)).misconfigured
    answer = await _say_in(client, fake, f"@跟单助手 绑定推送 {fake.webhook_url('fresh-key')}", "bind-b")
    assert "已更新" in answer
    assert (await _chat(client, NEW_GROUP)).misconfigured is None
    await send_routed(client.app, Outbound("wecom", NEW_GROUP, "恢复了"))
    assert fake.webhook_posts[-1][0] == "fresh-key"


async def test_staff_may_not_bind(client: TestClient, fake: FakeWeCom) -> None:
    answer = await _say_in(client, fake, f"@跟单助手 绑定推送 {fake.webhook_url('k2')}", "bind-staff", userid=WORKER)
    assert "管理员" in answer
    chat = await _chat(client, NEW_GROUP)
    assert chat is None or chat.webhook_url is None


async def test_not_a_webhook_url_gets_a_clear_answer(client: TestClient, fake: FakeWeCom) -> None:
    for n, text in enumerate(["绑定推送", "绑定推送 https://example.com/hook?key=1",
                              f"绑定推送 {fake.base_url}/cgi-bin/webhook/send"]):
        answer = await _say_in(client, fake, f"@跟单助手 {text}", f"bad-{n}")
        assert any(word in answer for word in ("格式", "不是企业微信", "缺少 key"))
    chat = await _chat(client, NEW_GROUP)
    assert chat is None or chat.webhook_url is None

