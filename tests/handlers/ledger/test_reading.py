"""Reading ledgers as people keep them: messy workbooks built here with openpyxl, read into typed rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from handlers.ledger.columns import Field
from handlers.ledger.reading import LedgerReadError, LedgerRow, RowError, parse_rows, read_ledger
from tests.helpers import workbook_bytes

TODAY = date(2026, 11, 23)


def messy_ledger() -> bytes:
    """A title row merged across, a two-level header with merged group cells, a customer merged over
    three rows, a blank row, serial dates, Chinese date strings, zero-padded numeric order numbers,
    thousands separators and units in 数量, and an order number Excel turned into a date."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2026订单"
    ws.append(["2026 年订单跟踪台账（业务部）"])
    ws.merge_cells("A1:H1")
    ws.append(["订单信息", None, None, "数量", "交货", "规格型号", "跟单员", "备注"])
    ws.append(["合同号", "客户名称", "品名", None, "日期", None, None, None])
    ws.merge_cells("A2:C2")
    ws.merge_cells("D2:D3")
    ws.merge_cells("F2:F3")
    ws.merge_cells("G2:G3")
    ws.merge_cells("H2:H3")
    rows = [
        [17, "华东机械", "搅拌机", "1,200件", 46376, "JB-500", "李四", "加急"],      # serial 46376 = 2026-12-20
        [18, None, "输送机", "50 台", "2026/12/5", None, None, None],
        [19, None, "烘干机", 3000, "12月30日", None, None, None],
        [None] * 8,
        ["A-77", "南方重工", "泵", "20", "12.5", None, None, None],
        [datetime(2026, 3, 1), "南方重工", "阀门", 5, "2026.12.05", None, None, None],
        ["A-78", "南方重工", "泵", "0", "2026-12-05", None, None, None],
        ["A-79", "南方重工", "泵", "5", "下个月", None, None, None],
    ]
    for row in rows:
        ws.append(row)
    ws.merge_cells("B4:B6")
    for cell in ("A4", "A5", "A6"):
        ws[cell].number_format = "000000"
    return workbook_bytes(wb)


def test_a_messy_ledger_is_read_column_by_column_whatever_its_layout() -> None:
    sheet = read_ledger(messy_ledger(), "业务台账.xlsx")
    assert sheet.headers[:6] == ("合同号", "客户名称", "品名", "数量", "交货日期", "规格型号")
    assert sheet.columns[Field.ORDER_NO] == 0 and sheet.columns[Field.DUE_DATE] == 4
    assert sheet.columns[Field.OWNER] == 6 and sheet.columns[Field.SPEC] == 5
    assert [row.number for row in sheet.rows] == [4, 5, 6, 8, 9, 10, 11], "the blank row 7 is skipped"


def test_messy_cells_become_typed_values() -> None:
    rows = parse_rows(read_ledger(messy_ledger()), TODAY)
    first, second, third, fourth = rows[:4]
    assert first == LedgerRow(number=4, order_no="000017", customer="华东机械", product="搅拌机", spec="JB-500",
                              quantity=1200, unit="件", due_date=date(2026, 12, 20), owner="李四", notes="加急")
    assert (second.order_no, second.customer, second.quantity, second.unit, second.due_date) == (
        "000018", "华东机械", 50, "台", date(2026, 12, 5)), "the customer cell is merged over three rows"
    assert (third.order_no, third.customer, third.quantity, third.due_date) == ("000019", "华东机械", 3000,
                                                                                  date(2026, 12, 30))
    assert (fourth.order_no, fourth.due_date) == ("A-77", date(2026, 12, 5)), "12.5 is the 5th of December"


def test_unreadable_cells_are_row_errors_with_a_reason() -> None:
    rows = parse_rows(read_ledger(messy_ledger()), TODAY)
    mangled, zero, vague = rows[4:]
    assert isinstance(mangled, RowError) and "转成了日期" in mangled.reason and mangled.number == 9
    assert isinstance(zero, RowError) and "数量必须大于 0" in zero.reason and zero.order_no == "A-78"
    assert isinstance(vague, RowError) and "日期「下个月」看不懂" in vague.reason


def test_every_row_of_a_duplicated_order_number_is_an_error() -> None:
    wb = Workbook()
    wb.active.append(["订单号", "客户", "产品", "数量", "交期"])
    wb.active.append(["P1", "甲", "泵", 1, "2026-12-05"])
    wb.active.append(["p1", "甲", "泵", 2, "2026-12-06"])
    wb.active.append(["P2", "甲", "泵", 1, "2026-12-05"])
    rows = parse_rows(read_ledger(workbook_bytes(wb)), TODAY)
    assert [type(row).__name__ for row in rows] == ["RowError", "RowError", "LedgerRow"]
    assert "第 2、3 行" in rows[0].reason


def test_a_sheet_without_an_order_number_column_is_refused_plainly() -> None:
    wb = Workbook()
    wb.active.append(["客户", "产品", "数量"])
    with pytest.raises(LedgerReadError, match="订单号"):
        read_ledger(workbook_bytes(wb))


def test_a_file_that_is_not_a_workbook_is_refused_plainly() -> None:
    with pytest.raises(LedgerReadError, match="不是能读取的 Excel 文件"):
        read_ledger(b"order_no,customer\n1,2\n", "orders.csv")
