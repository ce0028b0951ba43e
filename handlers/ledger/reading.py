"""Reading a ledger as people really keep it into typed rows.

Real ledgers have a title row above the header, merged header cells, two-level headers (订单信息 over
订单号/客户, or 交货 over 日期), a customer cell merged over its orders' rows, blank rows, order
numbers that Excel stored as numbers with a zero-padded format (or turned into dates), dates as
Excel dates, serial numbers or text (2026-12-05, 2026/12/5, 2026.12.05, 12月5日, 12.5), and
quantities with thousands separators and units. openpyxl in normal mode (not read-only) is used
because only it shows merged ranges and number formats.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from handlers.ledger.columns import PRIORITY_WORDS, Field, column_named
from handlers.orders import OrderInputError, parse_date, parse_order_no, parse_quantity

HEADER_SCAN_ROWS = 15
"""How far down a sheet the header row is looked for (title rows, notes and logos sit above it)."""
_THOUSANDS = re.compile(r"(?<=\d)[,，\s](?=\d{3}(?!\d))")
_ZERO_PAD = re.compile(r"^0+$")
_SERIAL_RANGE = (20000, 80000)
"""Excel serial numbers of 1954..2119: a bare number in a date column in this range is a date."""


class LedgerReadError(ValueError):
    """A workbook that cannot be read as a ledger at all; the message is the zh-CN answer."""


class SourceCell(Protocol):
    """A cell as the workbook has it: an openpyxl cell (a merged range's top-left one for every cell
    the range covers), read only when needed — reading the number format of every cell of a large
    ledger costs more than the rest of the import."""

    @property
    def value(self) -> Any: ...

    @property
    def number_format(self) -> str: ...


@dataclass(frozen=True, slots=True)
class BlankCell:
    value: Any = None
    number_format: str = "General"


BLANK = BlankCell()


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int
    """The row number in the sheet, as Excel shows it."""
    cells: tuple[SourceCell, ...]
    """The original cells, one per header column (a merged cell's value in every cell it covers)."""


@dataclass(frozen=True, slots=True)
class SourceSheet:
    file_name: str
    sheet_name: str
    headers: tuple[str, ...]
    """The header of each column as found (two-level headers joined, e.g. 交货日期)."""
    columns: dict[Field, int]
    """Which column (0-based) holds each field the importer reads."""
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One valid row; None means the ledger left the field blank (an update keeps what is there)."""

    number: int
    order_no: str
    customer: str | None = None
    product: str | None = None
    spec: str | None = None
    quantity: int | None = None
    unit: str | None = None
    due_date: date | None = None
    owner: str | None = None
    priority: str | None = None
    notes: str | None = None
    template: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    number: int
    reason: str
    order_no: str | None = None


def _merged_values(sheet: Any) -> dict[tuple[int, int], SourceCell]:
    """Every cell a merged range covers → the range's top-left cell."""
    filled: dict[tuple[int, int], SourceCell] = {}
    for merged in sheet.merged_cells.ranges:
        top = sheet.cell(merged.min_row, merged.min_col)
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                filled[(row, col)] = top
    return filled


def _grid(sheet: Any) -> list[list[SourceCell]]:
    merged = _merged_values(sheet)
    grid: list[list[SourceCell]] = [list(row) for row in sheet.iter_rows()]
    for (row, col), top in merged.items():
        if row <= len(grid) and col <= len(grid[row - 1]):
            grid[row - 1][col - 1] = top
    return grid


def _text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_for(upper: Any, lower: Any) -> tuple[str, Field | None]:
    """The header of a column from its cell in the header row and the one above it."""
    lower_text, upper_text = _text(lower), _text(upper)
    candidates = [lower_text, upper_text + lower_text] if lower_text else [upper_text]
    for candidate in candidates:
        column = column_named(candidate)
        if column is not None:
            return (column.header if candidate == column.header else candidate), column.field
    return (lower_text or upper_text), None


def _find_header(grid: list[list[SourceCell]]) -> tuple[int, list[str], dict[Field, int]]:
    best: tuple[int, int, list[str], dict[Field, int]] | None = None
    for index in range(min(HEADER_SCAN_ROWS, len(grid))):
        above = grid[index - 1] if index else []
        headers, fields = [], {}
        for col, cell in enumerate(grid[index]):
            upper = above[col].value if col < len(above) and above[col].value != cell.value else None
            header, field = _header_for(upper, cell.value)
            headers.append(header)
            if field is not None and field not in fields:
                fields[field] = col
        if Field.ORDER_NO in fields and (best is None or len(fields) > best[1]):
            best = (index, len(fields), headers, fields)
    if best is None:
        raise LedgerReadError(
            f"在前 {HEADER_SCAN_ROWS} 行里没有找到表头：需要一列「订单号」（也认：单号、合同号、订单编号）。"
        )
    return best[0], best[2], best[3]


def _pick_sheet(workbook: Any) -> Any:
    for name in ("台账", "订单台账", "订单跟踪台账"):
        if name in workbook.sheetnames:
            return workbook[name]
    return workbook.worksheets[0]


def read_ledger(source: str | Path | bytes | BinaryIO, file_name: str | None = None) -> SourceSheet:
    """The ledger sheet of a workbook: its header and its non-blank rows, merged cells filled in."""
    name = file_name or (Path(source).name if isinstance(source, (str, Path)) else "台账.xlsx")
    try:
        workbook = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        if isinstance(error, FileNotFoundError):
            raise LedgerReadError(f"找不到文件 {name}。") from None
        raise LedgerReadError(f"{name} 不是能读取的 Excel 文件（.xlsx）。") from None
    sheet = _pick_sheet(workbook)
    grid = _grid(sheet)
    header_index, headers, columns = _find_header(grid)
    width = len(headers)
    rows = []
    for index in range(header_index + 1, len(grid)):
        cells = tuple(grid[index][:width]) + (BLANK,) * (width - len(grid[index]))
        if all(cell.value is None or _text(cell.value) == "" for cell in cells):
            continue
        rows.append(SourceRow(index + 1, cells))
    return SourceSheet(name, sheet.title, tuple(headers), columns, tuple(rows))


# ---- cells → typed values ---------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message is the zh-CN reason."""


def read_order_no(cell: SourceCell) -> str:
    value = cell.value
    if isinstance(value, (datetime, date)):
        raise CellError(f"订单号被 Excel 转成了日期（{value:%Y-%m-%d}）：请把订单号列设为文本，重新填写原来的订单号。")
    if isinstance(value, bool):
        raise CellError("订单号不能是 TRUE/FALSE。")
    if isinstance(value, (int, float)):
        if value != int(value):
            raise CellError(f"订单号「{value}」是小数：请把订单号列设为文本，重新填写。")
        digits = str(int(value))
        if _ZERO_PAD.match(cell.number_format or ""):
            digits = digits.zfill(len(cell.number_format))
        value = digits
    text = _text(value)
    if not text:
        raise CellError("缺少订单号。")
    try:
        return parse_order_no(text)
    except OrderInputError as error:
        raise CellError(str(error)) from None


def read_date(cell: SourceCell, today: date) -> date | None:
    value = cell.value
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_excel(value).date()
        value = f"{value:g}" if isinstance(value, float) else str(value)
    text = _text(value).split(" ")[0]
    if text.isdigit() and _SERIAL_RANGE[0] <= int(text) <= _SERIAL_RANGE[1]:
        return from_excel(int(text)).date()
    try:
        return parse_date(text, today)
    except OrderInputError as error:
        raise CellError(str(error)) from None


def read_quantity(cell: SourceCell) -> tuple[int | None, str | None]:
    value = cell.value
    if value is None or _text(value) == "":
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != int(value):
            raise CellError(f"数量「{value}」不是整数。")
        value = str(int(value))
    text = _THOUSANDS.sub("", _text(value))
    try:
        quantity, unit = parse_quantity(text)
    except OrderInputError as error:
        raise CellError(str(error)) from None
    return quantity, unit


def read_text(cell: SourceCell) -> str | None:
    value = cell.value
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = _text(value)
    return text or None


def read_priority(cell: SourceCell) -> str | None:
    text = read_text(cell)
    if text is None:
        return None
    priority = PRIORITY_WORDS.get(text.lower())
    if priority is None:
        raise CellError(f"优先级「{text}」看不懂，请填 普通 或 加急。")
    return priority


def _cell(sheet: SourceSheet, row: SourceRow, field: Field) -> SourceCell:
    index = sheet.columns.get(field)
    return row.cells[index] if index is not None else BLANK


def parse_row(sheet: SourceSheet, row: SourceRow, today: date) -> LedgerRow | RowError:
    order_no = None
    try:
        order_no = read_order_no(_cell(sheet, row, Field.ORDER_NO))
        quantity, quantity_unit = read_quantity(_cell(sheet, row, Field.QUANTITY))
        return LedgerRow(
            number=row.number,
            order_no=order_no,
            customer=read_text(_cell(sheet, row, Field.CUSTOMER)),
            product=read_text(_cell(sheet, row, Field.PRODUCT)),
            spec=read_text(_cell(sheet, row, Field.SPEC)),
            quantity=quantity,
            unit=read_text(_cell(sheet, row, Field.UNIT)) or quantity_unit,
            due_date=read_date(_cell(sheet, row, Field.DUE_DATE), today),
            owner=read_text(_cell(sheet, row, Field.OWNER)),
            priority=read_priority(_cell(sheet, row, Field.PRIORITY)),
            notes=read_text(_cell(sheet, row, Field.NOTES)),
            template=read_text(_cell(sheet, row, Field.TEMPLATE)),
        )
    except CellError as error:
        return RowError(row.number, str(error), order_no)


def parse_rows(sheet: SourceSheet, today: date) -> list[LedgerRow | RowError]:
    """Every row typed, or the reason it cannot be; every row of a 订单号 that appears twice is an error."""
    parsed = [parse_row(sheet, row, today) for row in sheet.rows]
    numbers: dict[str, list[int]] = defaultdict(list)
    for item in parsed:
        if isinstance(item, LedgerRow):
            numbers[item.order_no].append(item.number)
    result: list[LedgerRow | RowError] = []
    for item in parsed:
        if isinstance(item, LedgerRow) and len(numbers[item.order_no]) > 1:
            rows = "、".join(str(n) for n in numbers[item.order_no])
            item = RowError(item.number, f"订单号 {item.order_no} 在文件里出现了多次（第 {rows} 行），请只保留一行。",
                            item.order_no)
        result.append(item)
    return result

