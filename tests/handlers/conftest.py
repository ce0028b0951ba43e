"""The cast of the workflow tests: a manager in the manager group, department groups, customer groups."""

from __future__ import annotations

import pytest

from tests.helpers import ChatSession


@pytest.fixture
async def manager(chat: ChatSession) -> ChatSession:
    """王经理, a manager, in the bound manager group 经理群."""
    session = chat.other(user="王经理", chat_id="经理群")
    await session.bind_chat("manager")
    return await session.as_role("manager")


@pytest.fixture
async def painters(chat: ChatSession) -> ChatSession:
    """The 涂装车间 department group (a staff member in it)."""
    return await chat.other(user="赵六", chat_id="涂装车间群").bind_chat("department", department="涂装车间")


@pytest.fixture
async def customer_chat(chat: ChatSession) -> ChatSession:
    """The customer group of 华东机械, where their contact asks."""
    return await chat.other(user="华东采购", chat_id="华东机械客户群").bind_chat("customer", customer="华东机械")
