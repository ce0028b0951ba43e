"""The exported ledger, read back with openpyxl: rows, live colour rules, drop-down, sheets, scopes."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from handlers.ledger.export import write_template
from tests.conftest import NOW
from tests.helpers import ChatSession, accept, as_dicts, export_bytes, sheet_rows


async def three_orders(chat: ChatSession, manager: ChatSession) -> None:
    await chat.say("新建订单 00123 华东机械 搅拌机 50台 2026-12-20 负责人=李四")
    await chat.say("新建订单 124 南方重工 输送机 20套 2026-11-26")
    await chat.say("新建订单 125 华东机械 烘干机 12台 2026-12-30 优先级=加急")
    await chat.say("订单00123 排产完成")
    await chat.say("异常 124 物料 领料 缺料")
    await chat.say("变更 125 数量 15 客户追加")
    manager.now = chat.now
    await manager.say("同意 变更#1")


async def test_one_row_per_open_order_with_typed_cells_and_milestone_dates(chat: ChatSession, manager) -> None:
    await three_orders(chat, manager)
    rows = as_dicts(await export_bytes(chat.runtime, datetime(2026, 11, 27, 10, 0, tzinfo=NOW.tzinfo)))
    assert [row["订单号"] for row in rows] == ["124", "00123", "125"], "by due date"
    late, first, urgent = rows
    assert first["订单号"] == "00123", "the order number is text: its zeros are kept"
    assert (first["客户"], first["产品"], first["数量"], first["单位"], first["责任人"]) == ("华东机械", "搅拌机", 50, "台", "李四")
    assert first["交期"] == datetime(2026, 12, 20), "a real Excel date"
    assert first["排产实际"] == datetime(2026, 11, 23) and first["领料实际"] is None
    assert isinstance(first["领料计划"], datetime) and first["当前节点"] == "领料（未开始）"
    assert (urgent["优先级"], urgent["数量"]) == ("加急", 15), "the approved change is in force"
    assert late["逾期(工作日)"] >= 1 and late["风险"] == "有风险"
    assert urgent["逾期(工作日)"] == 0 and urgent["风险"] is None and (first["状态"], urgent["状态"]) == ("生产中", "已排计划，未开工")


async def test_colour_rules_drop_down_frozen_panes_and_filter_are_in_the_file(chat: ChatSession, manager) -> None:
    await three_orders(chat, manager)
    workbook = load_workbook(io.BytesIO(await export_bytes(chat.runtime)))
    sheet = workbook["台账"]
    header = [cell.value for cell in sheet[1]]
    status = chr(ord("A") + header.index("状态"))
    due = chr(ord("A") + header.index("交期"))
    rules = [(rule.formula[0], rule.dxf.fill.fgColor.rgb, rule.stopIfTrue)
             for area in sheet.conditional_formatting for rule in area.rules]
    assert [str(area.sqref) for area in sheet.conditional_formatting] == [f"A2:{area_end(header)}4"]
    formulas = [formula for formula, _, _ in rules]
    assert formulas[0] == f'OR(${status}2="已发货",${status}2="已验收")' and rules[0][1].endswith("C6EFCE")
    assert f'AND(${due}2<>"",${due}2<TODAY())' in formulas[2] and "TODAY()" in formulas[2] and rules[2][1].endswith("FFC7CE")
    assert formulas[2].count("TODAY()") == 1 + 10, "the due date and each milestone's 计划 without 实际"
    assert "NETWORKDAYS(TODAY()" in formulas[3] and rules[3][1].endswith("FFEB9C")
    assert all(stop for _, _, stop in rules)
    validation, = sheet.data_validations.dataValidation
    assert validation.type == "list" and "已排计划，未开工" in validation.formula1 and str(validation.sqref) == f"{status}2:{status}4"
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == f"A1:{area_end(header)}4"
    assert sheet.column_dimensions["A"].width >= 10 and sheet.column_dimensions[due].width >= 10


def area_end(header: list) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(header))


async def test_exception_change_and_review_sheets(chat: ChatSession, manager) -> None:
    await three_orders(chat, manager)
    await chat.say("新建订单 130 北方农机 泵 5台 2026-11-24")
    await accept(chat, "130")
    data = await export_bytes(chat.runtime, datetime(2026, 11, 25, 10, 0, tzinfo=NOW.tzinfo), include_closed=True)
    exception, = as_dicts(data, "异常")
    assert (exception["订单号"], exception["类别"], exception["节点"], exception["状态"]) == ("124", "物料", "领料", "未关闭")
    assert exception["时长(天)"] == 2 and isinstance(exception["提出时间"], datetime)
    change, = as_dicts(data, "变更")
    assert (change["订单号"], change["项目"], change["原值"], change["新值"], change["状态"]) == ("125", "数量", "12", "15", "已同意")
    assert change["时长(天)"] == 0 and change["审批人"] == "王经理"
    review = as_dicts(data, "月度复盘")
    on_time = [row for row in review if row["项目"] == "准时交付"]
    assert on_time == [{"月份": "2026-11", "项目": "准时交付", "客户/原因": "北方农机", "交付数": 1, "准时数": 1,
                        "准时率": 1.0, "平均延误(天)": 0.0, "异常数": None}]
    assert {"月份": "2026-11", "项目": "异常原因", "客户/原因": "物料", "交付数": None, "准时数": None, "准时率": None,
            "平均延误(天)": None, "异常数": 1} in review
    assert "130" in [row["订单号"] for row in as_dicts(data)], "--all: the accepted order too"


async def test_one_customer_and_the_customer_view(chat: ChatSession, manager) -> None:
    await three_orders(chat, manager)
    data = await export_bytes(chat.runtime, customer="华东机械")
    assert [row["订单号"] for row in as_dicts(data)] == ["00123", "125"]
    assert [row["订单号"] for row in as_dicts(data, "变更")] == ["125"]
    customer_id = (await _customer_id(chat, "南方重工"))
    mine = await export_bytes(chat.runtime, customer_id=customer_id, customer_view=True)
    header = sheet_rows(mine)[0]
    assert "责任人" not in header and "备注" not in header and "订单号" in header
    assert [row["订单号"] for row in as_dicts(mine)] == ["124"]
    assert as_dicts(mine, "异常") == [], "an internal exception is not shown to the customer"
    assert "变更" not in load_workbook(io.BytesIO(mine)).sheetnames


async def _customer_id(chat: ChatSession, name: str) -> int:
    from sqlalchemy import select

    from storage.models import Customer

    async with chat.runtime.database.transaction() as session:
        return await session.scalar(select(Customer.id).where(Customer.name == name))


async def test_the_template_has_the_columns_rules_and_a_guide(runtime, tmp_path) -> None:
    path = tmp_path / "模板.xlsx"
    write_template(runtime.handler_settings, path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["台账", "说明"]
    sheet = workbook["台账"]
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == ["订单号", "客户", "产品", "规格", "数量", "单位", "交期"] and header[-1] == "验收实际"
    assert sheet.max_row == 1, "no sample row that would be imported as an order"
    assert str(sheet.data_validations.dataValidation[0].sqref).endswith("1000")
    assert len(list(sheet.conditional_formatting)) == 1
    guide = [row[0] for row in workbook["说明"].iter_rows(values_only=True)]
    assert "订单号" in guide and "可用模板" in guide
