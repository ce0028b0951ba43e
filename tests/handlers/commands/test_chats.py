"""绑定: binding a chat, by whom."""

from __future__ import annotations

from tests.helpers import ChatSession, events


async def test_staff_cannot_bind_a_chat(chat: ChatSession) -> None:
    await chat.as_role("staff")
    reply = await chat.say("绑定 经理")
    assert not reply.ok and "只有管理员、经理可以用" in reply.text
    [refusal] = await events(chat.runtime, "refused")
    assert refusal.item["command"] == "绑定"


async def test_binding_a_chat_as_a_department(chat: ChatSession) -> None:
    await chat.as_role("admin")
    reply = await chat.say("绑定 部门 焊接车间")
    assert "已绑定本群为部门群（焊接车间）" in reply.text
    [bound] = await events(chat.runtime, "chat_bound")
    assert bound.item == {"role": "department", "name": "焊接车间"}
