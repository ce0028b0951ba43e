"""A deployment adds a template in configuration; the planner and the parser pick it up."""

from __future__ import annotations

import pytest

from handlers.templates import DEFAULT_TEMPLATE
from tests.helpers import ChatSession, create_order, events, milestone


ELECTRONICS = {
    "name": "电子",
    "unit": "块",
    "milestones": [
        {"name": "SMT贴片", "synonyms": ["贴片", "SMT"], "days": 2, "department": "SMT车间"},
        {"name": "插件", "synonyms": ["DIP"], "days": 1},
        {"name": "波峰焊", "synonyms": ["过波峰"], "days": 1},
        {"name": "老化测试", "synonyms": ["老化", "烤机"], "days": 2},
        {"name": "包装", "synonyms": ["打包"], "days": 1},
    ],
}


def _standard() -> dict:
    return {
        "name": DEFAULT_TEMPLATE.name,
        "milestones": [
            {"name": s.name, "synonyms": list(s.synonyms), "days": s.days, "department": s.department}
            for s in DEFAULT_TEMPLATE.milestones
        ],
    }


@pytest.fixture
def settings_data(settings_data: dict) -> dict:
    return {**settings_data, "templates": [_standard(), ELECTRONICS]}


async def test_an_order_on_a_configured_template_gets_its_milestones(chat: ChatSession) -> None:
    reply = await create_order(chat, "E1", extra="模板=电子")
    assert "模板「电子」" in reply.text and "SMT贴片" in reply.text and "焊接" not in reply.text
    recorded = await chat.say("E1 贴片完成")
    assert recorded.ok and "订单E1 SMT贴片 ✅ 完成" in recorded.text
    aging = await chat.say("E1 老化测试进行到一半")
    assert aging.ok, aging.text
    assert (await milestone(chat.runtime, "E1", "老化测试")).percent == 50


async def test_a_milestone_not_in_the_orders_plan_is_asked_about(chat: ChatSession) -> None:
    await create_order(chat, "E2", extra="模板=电子")
    reply = await chat.say("E2 焊接完成")
    assert not reply.ok
    assert "订单 E2 的计划里没有「焊接」这一步" in reply.text
    assert await events(chat.runtime, "progress") == []


async def test_an_electronics_order_counts_boards_not_machines(chat) -> None:
    """Issue 17 #17: 100 boards were told 「100台」; a template names its unit."""
    reply = await chat.say("新建订单 203 华南电子 控制板 100 2026-12-20 模板=电子")
    assert "控制板 100块" in reply.text, reply.text
    assert "100台" not in (await chat.say("进度 203")).text
    assert "控制板 50套" in (await chat.say("新建订单 204 华南电子 控制板 50套 2026-12-20 模板=电子")).text


async def test_finishing_the_last_step_of_a_template_says_the_order_is_closed(chat: ChatSession) -> None:
    await create_order(chat, "E3", extra="模板=电子")
    for step in ("贴片", "插件", "波峰焊", "老化测试"):
        assert (await chat.say(f"E3 {step}完成")).ok
    reply = await chat.say("E3 打包完成")
    assert reply.ok and "订单E3 包装 ✅ 完成" in reply.text
    assert "订单已验收关闭（「包装」是计划的最后一步" in reply.text
