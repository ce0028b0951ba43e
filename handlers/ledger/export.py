"""Writing the ledger workbook (openpyxl, write-only mode) from the typed read model.

The colours of the 台账 sheet are conditional-formatting rules over the cells, not fills: when
someone moves a date in Excel the row turns red or green by itself, as in a hand-kept ledger.
Rules, first match wins: shipped/accepted green, cancelled grey, overdue red (past the due date,
or a milestone's 计划 passed with no 实际), at risk amber (风险 says so, or the due date is within
three working days).

Writing is synchronous and CPU-bound; callers in the event loop run it in a worker thread
(`ledger_bytes` does).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from handlers.ledger.columns import (
    ACTUAL,
    BY_FIELD,
    COLUMNS,
    DATE_WIDTH,
    PLANNED,
    PRIORITY_LABELS,
    RISK_WORD,
    Column,
    Field,
    display_width,
    milestone_header,
)
from handlers.ledger.model import Ledger, LedgerOrder, LedgerScope, load_ledger, milestone_columns
from handlers.settings import HandlerSettings
from storage.database import Database
from storage.models import ORDER_STATUS_LABELS, OrderStatus

LEDGER_SHEET = "台账"
EXCEPTION_SHEET = "异常"
CHANGE_SHEET = "变更"
REVIEW_SHEET = "月度复盘"
GUIDE_SHEET = "说明"
TEMPLATE_ROWS = 1000
"""Rows of an empty template that carry the drop-down and the colour rules."""

RED = "FFC7CE"
AMBER = "FFEB9C"
GREEN = "C6EFCE"
GREY = "D9D9D9"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
_WRAP = Alignment(vertical="center", wrap_text=True)
_DATETIME = "yyyy-mm-dd hh:mm"
_PERCENT = "0.0%"


@dataclass(frozen=True, slots=True)
class SheetColumn:
    header: str
    width: int


def ledger_filename(now: datetime, customer: str | None = None) -> str:
    return f"台账-{customer}-{now:%Y%m%d}.xlsx" if customer else f"台账-{now:%Y%m%d}.xlsx"


def base_columns(customer_view: bool) -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS if not (customer_view and c.internal))


def ledger_columns(milestones: Sequence[str], customer_view: bool) -> list[SheetColumn]:
    columns = [SheetColumn(c.header, max(c.width, display_width(c.header) + 2)) for c in base_columns(customer_view)]
    for name in milestones:
        for kind in (PLANNED, ACTUAL):
            header = milestone_header(name, kind)
            columns.append(SheetColumn(header, max(DATE_WIDTH, display_width(header) + 2)))
    return columns


def _header_row(sheet: Any, headers: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        cells.append(cell)
    return cells


def _set_widths(sheet: Any, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _letter(columns: Sequence[SheetColumn], header: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.header == header))


def _ledger_rules(sheet: Any, columns: Sequence[SheetColumn], milestones: Sequence[str], last_row: int) -> None:
    """Colour rules and the 状态 drop-down over rows 2..last_row, in formulas relative to row 2."""
    area = f"A2:{get_column_letter(len(columns))}{last_row}"
    status = _letter(columns, BY_FIELD[Field.STATUS].header)
    due = _letter(columns, BY_FIELD[Field.DUE_DATE].header)
    risk = _letter(columns, BY_FIELD[Field.RISK].header)
    done = (ORDER_STATUS_LABELS[OrderStatus.SHIPPED], ORDER_STATUS_LABELS[OrderStatus.ACCEPTED])
    late_steps = [
        f'AND({p}2<>"",{p}2<TODAY(),{a}2="")'
        for p, a in (
            (_letter(columns, milestone_header(m, PLANNED)), _letter(columns, milestone_header(m, ACTUAL)))
            for m in milestones
        )
    ]
    rules = (
        (f'OR(${status}2="{done[0]}",${status}2="{done[1]}")', GREEN),
        (f'${status}2="{ORDER_STATUS_LABELS[OrderStatus.CANCELLED]}"', GREY),
        ("OR(" + ",".join([f'AND(${due}2<>"",${due}2<TODAY())', *late_steps]) + ")",
         RED),
        (f'OR(${risk}2="{RISK_WORD}",AND(${due}2<>"",NETWORKDAYS(TODAY(),${due}2)<=3))', AMBER),
    )
    for formula, colour in rules:
        fill = PatternFill("solid", start_color=colour, end_color=colour)
        sheet.conditional_formatting.add(area, FormulaRule(formula=[formula], fill=fill, stopIfTrue=True))
    labels = ",".join(ORDER_STATUS_LABELS[s] for s in OrderStatus)
    validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=True,
                                errorTitle="状态", error="请从下拉列表中选择状态。")
    validation.add(f"{status}2:{status}{last_row}")
    sheet.data_validations.append(validation)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"


def _order_values(order: LedgerOrder, fields: Sequence[Field], milestones: Sequence[str]) -> list[Any]:
    by_field: dict[Field, Any] = {
        Field.ORDER_NO: order.order_no,
        Field.CUSTOMER: order.customer,
        Field.PRODUCT: order.product,
        Field.SPEC: order.spec or None,
        Field.QUANTITY: order.quantity,
        Field.UNIT: order.unit,
        Field.DUE_DATE: order.due_date,
        Field.STAGE: order.stage,
        Field.STATUS: order.status.label,
        Field.DAYS_LATE: order.days_late,
        Field.RISK: RISK_WORD if order.at_risk else None,
        Field.OWNER: order.owner,
        Field.PRIORITY: PRIORITY_LABELS.get(order.priority, order.priority),
        Field.NOTES: order.notes or None,
        Field.TEMPLATE: order.template,
    }
    values = [by_field[f] for f in fields]
    dates = {m.name: m for m in order.milestones}
    for name in milestones:
        step = dates.get(name)
        values += [step.planned, step.actual] if step else [None, None]
    return values


def _write_ledger_sheet(workbook: Workbook, ledger: Ledger) -> None:
    sheet = workbook.create_sheet(LEDGER_SHEET)
    customer_view = ledger.scope.customer_view
    columns = ledger_columns(ledger.milestone_names, customer_view)
    fields = [c.field for c in base_columns(customer_view)]
    _set_widths(sheet, (c.width for c in columns))
    _ledger_rules(sheet, columns, ledger.milestone_names, max(len(ledger.orders) + 1, 2))
    sheet.append(_header_row(sheet, (c.header for c in columns)))
    for order in ledger.orders:
        sheet.append(_order_values(order, fields, ledger.milestone_names))


def _table(workbook: Workbook, title: str, columns: Sequence[SheetColumn], rows: Iterator[list[Any]],
           formats: dict[int, str] | None = None) -> None:
    """A plain sheet: a frozen header, an autofilter, and `formats` (column index → number format)."""
    sheet = workbook.create_sheet(title)
    _set_widths(sheet, (c.width for c in columns))
    sheet.freeze_panes = "A2"
    sheet.append(_header_row(sheet, (c.header for c in columns)))
    count = 0
    for values in rows:
        count += 1
        if formats:
            cells: list[Any] = []
            for index, value in enumerate(values):
                if index in formats and value is not None:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = formats[index]
                    cells.append(cell)
                else:
                    cells.append(value)
            values = cells
        sheet.append(values)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _columns(*pairs: tuple[str, int]) -> list[SheetColumn]:
    return [SheetColumn(header, max(width, display_width(header) + 2)) for header, width in pairs]


def _write_exceptions(workbook: Workbook, ledger: Ledger) -> None:
    columns = _columns(("异常#", 7), ("订单号", 14), ("客户", 16), ("节点", 8), ("类别", 6), ("严重度", 6),
                       ("描述", 36), ("责任人", 10), ("状态", 8), ("提出时间", 17), ("关闭时间", 17), ("时长(天)", 9))
    rows = (
        [e.id, e.order_no, e.customer, e.milestone, e.category, e.severity, e.description, e.owner, e.status,
         e.raised_at, e.closed_at, e.age_days]
        for e in ledger.exceptions
    )
    _table(workbook, EXCEPTION_SHEET, columns, rows, {9: _DATETIME, 10: _DATETIME})


def _write_changes(workbook: Workbook, ledger: Ledger) -> None:
    columns = _columns(("变更#", 7), ("订单号", 14), ("客户", 16), ("项目", 6), ("原值", 12), ("新值", 12),
                       ("状态", 8), ("申请人", 10), ("审批人", 10), ("申请时间", 17), ("审批时间", 17), ("时长(天)", 9))
    rows = (
        [c.id, c.order_no, c.customer, c.field, c.old_value, c.new_value, c.status, c.requested_by, c.decided_by,
         c.raised_at, c.decided_at, c.age_days]
        for c in ledger.changes
    )
    _table(workbook, CHANGE_SHEET, columns, rows, {9: _DATETIME, 10: _DATETIME})


def _write_review(workbook: Workbook, ledger: Ledger) -> None:
    """One tidy table a pivot can use: one row per month and customer (准时交付) or cause (异常原因)."""
    columns = _columns(("月份", 9), ("项目", 10), ("客户/原因", 16), ("交付数", 8), ("准时数", 8), ("准时率", 8),
                       ("平均延误(天)", 12), ("异常数", 8))
    on_time = (
        [line.month, "准时交付", line.customer, line.delivered, line.on_time, line.rate, line.average_delay, None]
        for line in ledger.on_time
    )
    causes = ([line.month, "异常原因", line.category, None, None, None, None, line.count] for line in ledger.causes)
    _table(workbook, REVIEW_SHEET, columns, _chain(on_time, causes), {5: _PERCENT, 6: "0.0"})


def _chain(*parts: Iterator[list[Any]]) -> Iterator[list[Any]]:
    for part in parts:
        yield from part


def write_ledger(ledger: Ledger, target: str | Path | BinaryIO) -> None:
    """Write the ledger workbook: 台账, 异常, 变更 (not for a customer), 月度复盘."""
    workbook = Workbook(write_only=True)
    _write_ledger_sheet(workbook, ledger)
    _write_exceptions(workbook, ledger)
    if not ledger.scope.customer_view:
        _write_changes(workbook, ledger)
    _write_review(workbook, ledger)
    workbook.save(target)


GUIDE = (
    ("用途", "订单跟踪台账模板：每行一个订单，填好后用 `gendan ledger import 文件.xlsx` 导入（先加 --dry-run 预览）。"),
    ("订单号", "必填，按文本填写（前导 0 会保留）；同一文件内不能重复。也认：单号、合同号、订单编号。"),
    ("客户", "新订单必填；合并单元格（一个客户多行）可以直接用。也认：客户名称。"),
    ("产品 / 规格", "新订单必填产品。也认：品名、产品名称；型号、规格型号。"),
    ("数量", "大于 0 的整数，可带千分位和单位，例如 1,200 或 50台。也认：订单数量。"),
    ("交期", "Excel 日期，或 2026-12-05、2026/12/5、2026.12.05、12月5日、12.5。新订单的交期不能早于今天。"
             "也认：交货日期、交货期。"),
    ("模板", "里程碑模板名，留空用默认模板。新订单按交期倒排各节点的计划日期。"),
    ("责任人 / 优先级 / 备注", "可选。优先级填 普通 或 加急。也认：负责人、跟单员。"),
    ("当前节点、状态、逾期、风险、各节点计划/实际", "导出时由系统填写，导入时忽略（进度请在群里报）。"),
    ("已有订单", "交期或数量变了，按变更流程处理：记一条由导入人批准的变更，重排计划并通知相关部门。"),
    ("颜色", "逾期红色、有风险黄色、已发货/已验收绿色，由条件格式按日期自动计算。"),
)


def write_template(settings: HandlerSettings, target: str | Path | BinaryIO) -> None:
    """An empty ledger with the same columns, drop-down and colour rules, and a 说明 sheet."""
    workbook = Workbook(write_only=True)
    milestones = milestone_columns(settings)
    sheet = workbook.create_sheet(LEDGER_SHEET)
    columns = ledger_columns(milestones, customer_view=False)
    _set_widths(sheet, (c.width for c in columns))
    _ledger_rules(sheet, columns, milestones, TEMPLATE_ROWS)
    sheet.append(_header_row(sheet, (c.header for c in columns)))
    templates = "、".join(settings.templates.names)
    guide = [*GUIDE, ("可用模板", templates)]
    _table(workbook, GUIDE_SHEET, _columns(("项目", 24), ("说明", 90)), iter([list(row) for row in guide]))
    workbook.save(target)


def workbook_bytes(write: Any, *args: Any) -> bytes:
    buffer = io.BytesIO()
    write(*args, buffer)
    return buffer.getvalue()


async def ledger_bytes(database: Database, settings: HandlerSettings, now: datetime, scope: LedgerScope) -> bytes:
    """The ledger workbook for `scope` as bytes: read in one transaction, written off the event loop.

    The seam for any route that hands the workbook on (a chat file message, a signed download link)."""
    ledger = await database.run(lambda session: load_ledger(session, settings, now, scope))
    return await asyncio.to_thread(workbook_bytes, write_ledger, ledger)
