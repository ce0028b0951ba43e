"""导出台账 in chat: who may, what they get, and the local chat saving the file."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from bot.local_chat import LocalChat, LocalIdentity, run_local_chat
from tests.conftest import NOW
from tests.helpers import ChatSession, as_dicts, events


async def two_customers(chat: ChatSession) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    await chat.say("新建订单 124 南方重工 输送机 20套 2026-12-22")
    await chat.say("异常 123 物料 领料 缺料")


async def test_a_manager_gets_the_workbook_as_a_file(chat: ChatSession, manager: ChatSession) -> None:
    await two_customers(chat)
    reply = await manager.say("导出台账")
    assert reply.ok and reply.attachment is not None
    assert reply.attachment.kind == "file" and reply.attachment.filename == "台账-20261123.xlsx"
    assert "在制订单 2 个" in reply.text and "异常 1 条" in reply.text
    assert [row["订单号"] for row in as_dicts(reply.attachment.data)] == ["123", "124"]
    one = await manager.say("导出台账 南方重工")
    assert one.attachment.filename == "台账-南方重工-20261123.xlsx"
    assert [row["订单号"] for row in as_dicts(one.attachment.data)] == ["124"]
    assert "这个群发不了文件" in reply.attachment_fallback and "绑定推送" in reply.attachment_fallback
    assert "gendan ledger export" in reply.attachment_fallback
    unknown = await manager.say("导出台账 不存在公司")
    assert not unknown.ok and unknown.attachment is None and "没有名为「不存在公司」的客户" in unknown.text


async def test_staff_may_not_export(chat: ChatSession) -> None:
    await two_customers(chat)
    reply = await chat.say("导出台账")
    assert not reply.ok and reply.attachment is None and "只有管理员、经理、客户可以用" in reply.text
    assert (await events(chat.runtime, "refused"))[-1].item["command"] == "导出台账"


async def test_a_customer_group_gets_only_its_own_orders_in_customer_wording(
    chat: ChatSession, customer_chat: ChatSession
) -> None:
    await two_customers(chat)
    reply = await customer_chat.say("导出台账 南方重工")
    assert reply.ok and reply.attachment.filename == "台账-华东机械-20261123.xlsx"
    assert reply.text.startswith("📎 您的订单跟踪台账")
    workbook = load_workbook(io.BytesIO(reply.attachment.data))
    assert [row["订单号"] for row in as_dicts(reply.attachment.data)] == ["123"], "never another customer's"
    assert "责任人" not in [cell.value for cell in workbook["台账"][1]]
    assert as_dicts(reply.attachment.data, "异常") == [] and "变更" not in workbook.sheetnames


async def test_the_local_chat_writes_the_file_and_prints_its_path(runtime, tmp_path: Path) -> None:
    local = LocalChat(runtime, LocalIdentity(chat="经理群", user="王经理", role="manager"), NOW, files_dir=tmp_path)
    await local.join()
    out = io.StringIO()
    await run_local_chat(local, io.StringIO("新建订单 123 华东机械 搅拌机 50台 2026-12-20\n导出台账\n导出台账\n"), out)
    first, second = tmp_path / "台账-20261123.xlsx", tmp_path / "台账-20261123-2.xlsx"
    assert f"（文件已保存：{first}）" in out.getvalue() and f"（文件已保存：{second}）" in out.getvalue()
    assert [row["订单号"] for row in as_dicts(first.read_bytes())] == ["123"]
