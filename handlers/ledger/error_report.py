"""The error workbook of an import: the rows that were skipped, as they were, plus 错误原因.

Fix the cells in it and import it again: it has the header the importer found (so the same
columns are recognised) and every original cell with its number format (a zero-padded order
number stays zero-padded, a date stays a date).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from handlers.ledger.applying import RowResult
from handlers.ledger.columns import display_width
from handlers.ledger.reading import SourceSheet

REASON = "错误原因"
_REASON_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")


def write_errors(sheet: SourceSheet, errors: Sequence[RowResult], target: str | Path | BinaryIO) -> None:
    workbook = Workbook()
    out = workbook.active
    out.title = "错误行"
    headers = [*sheet.headers, REASON]
    out.append(headers)
    for cell in out[1]:
        cell.font = Font(bold=True)
    reasons = {result.number: result.reason for result in errors}
    rows = [row for row in sheet.rows if row.number in reasons]
    for index, row in enumerate(rows, start=2):
        for col, source in enumerate(row.cells, start=1):
            cell = out.cell(index, col, source.value)
            cell.number_format = source.number_format
        reason = out.cell(index, len(headers), f"第{row.number}行：{reasons[row.number]}")
        reason.fill = _REASON_FILL
    for col, header in enumerate(headers, start=1):
        out.column_dimensions[get_column_letter(col)].width = max(display_width(header) + 2, 10)
    out.column_dimensions[get_column_letter(len(headers))].width = 60
    out.freeze_panes = "B2"
    workbook.save(target)
