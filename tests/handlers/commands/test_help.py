"""帮助: the command list, tailored to who asks where."""

from __future__ import annotations

from handlers.commands import COMMANDS
from storage.models import Event
from tests.helpers import ChatSession, count


def _listed(text: str) -> set[str]:
    return {c.name for c in COMMANDS if f"- {c.usage}" in text}


async def test_help_lists_every_command_to_an_admin(chat: ChatSession) -> None:
    await chat.as_role("admin")
    reply = await chat.say("帮助")
    assert _listed(reply.text) == {c.name for c in COMMANDS}
    assert await count(chat.runtime, Event) == 0


async def test_a_customer_group_sees_only_what_customers_can_use(chat: ChatSession, customer_chat: ChatSession) -> None:
    """Issue 17 feature: help tailored to the chat's role."""
    reply = await customer_chat.say("帮助")
    # 导出台账 too: a customer group exports its own orders (issue 14)
    assert _listed(reply.text) == {"帮助", "进度", "订单列表", "导出台账"}
    assert "焊接完成" not in reply.text and "进度 123" in reply.text


async def test_staff_do_not_see_the_managers_commands(chat: ChatSession) -> None:
    listed = _listed((await chat.say("帮助")).text)
    assert {"进度", "新建订单", "撤销", "异常"} <= listed
    assert not listed & {"同意", "驳回", "月报", "绑定", "授权", "绑定推送"}
