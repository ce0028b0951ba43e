"""同义词: a synonym added in chat is understood by the next message, after a restart, and refused when it clashes."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.runtime import open_runtime
from handlers.learning.synonyms import SynonymRefused, check_synonym
from handlers.templates import TemplateSet
from tests.conftest import NOW
from tests.helpers import ChatSession, create_order, milestone


async def test_a_synonym_added_in_chat_is_understood_at_once_and_after_a_restart(
    chat: ChatSession, settings: Settings
) -> None:
    await create_order(chat)
    admin = await chat.other(user="管理员").as_role("admin")
    assert not (await chat.say("订单123 喷粉完成")).ok  # not a word the bot knows yet
    added = await admin.say("同义词 涂装 喷粉")
    assert added.ok and "「喷粉」= 工序「涂装」" in added.text
    assert (await chat.say("订单123 喷粉完成")).ok
    assert (await milestone(chat.runtime, "123", "涂装")).status == "done"
    assert "喷粉 → 涂装" in (await admin.say("同义词")).text

    async with open_runtime(settings) as restarted:
        again = ChatSession(restarted, now=NOW.replace(hour=15))
        reply = await again.say("订单123 喷粉80%")
        assert reply.ok and "涂装" in reply.text


async def test_only_an_admin_adds_a_synonym(chat: ChatSession) -> None:
    refused = await chat.say("同义词 涂装 喷粉")
    assert not refused.ok
    assert not (await chat.other(user="管理员").say("同义词 涂装 喷粉")).ok


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("涂装", "焊接", "「焊接」已经是工序「焊接」的工序名，不能再指「涂装」"),
        ("涂装", "装配", "「装配」已经是工序「总装」的同义词"),
        ("涂装", "喷粉喷粉喷粉喷粉喷粉", "太长了"),
        ("涂装", "1234", "像订单号"),
        ("涂装", "完成", "表示状态"),
        ("打磨", "磨光", "「打磨」不是任何模板里的工序"),
        ("", "喷粉", "格式"),
    ],
)
def test_a_clashing_empty_or_long_synonym_is_refused_in_chinese(first: str, second: str, expected: str) -> None:
    with pytest.raises(SynonymRefused, match=expected):
        check_synonym(TemplateSet(), first, second)


def test_either_word_order_names_the_milestone() -> None:
    assert check_synonym(TemplateSet(), "喷粉", "涂装") == check_synonym(TemplateSet(), "涂装", "喷粉")


async def test_a_refused_synonym_in_chat_is_answered_and_changes_nothing(chat: ChatSession) -> None:
    admin = await chat.other(user="管理员").as_role("admin")
    reply = await admin.say("同义词 涂装 装配")
    assert not reply.ok and "已经是工序「总装」的同义词" in reply.text
    assert "还没有添加过同义词" in (await admin.say("同义词")).text
