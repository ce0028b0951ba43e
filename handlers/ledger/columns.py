"""The ledger's columns: what the export writes, and the names people give them in their own ledgers.

A factory's ledger says 单号 or 合同号 where gendan says 订单号, 交货日期 where it says 交期; the
importer finds each column by any of its usual names (`aliases`), compared after `header_key`
has dropped spaces, line breaks, full-width forms and a trailing unit such as 数量(台).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    """A column of the 台账 sheet before the milestone columns."""

    ORDER_NO = "order_no"
    CUSTOMER = "customer"
    PRODUCT = "product"
    SPEC = "spec"
    QUANTITY = "quantity"
    UNIT = "unit"
    DUE_DATE = "due_date"
    STAGE = "stage"
    STATUS = "status"
    DAYS_LATE = "days_late"
    RISK = "risk"
    OWNER = "owner"
    PRIORITY = "priority"
    NOTES = "notes"
    TEMPLATE = "template"


@dataclass(frozen=True, slots=True)
class Column:
    field: Field
    header: str
    aliases: tuple[str, ...]
    width: int
    """Width in Excel character units (a Chinese character counts two)."""
    imported: bool = True
    """False for the figures the export computes (当前节点, 逾期, 风险): the importer ignores them."""
    internal: bool = False
    """Left out of a customer's own export."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


COLUMNS: tuple[Column, ...] = (
    Column(Field.ORDER_NO, "订单号", ("单号", "合同号", "订单编号", "订单号码", "PO号", "PO", "销售订单号"), 14),
    Column(Field.CUSTOMER, "客户", ("客户名称", "客户名", "客户简称", "购货单位"), 16),
    Column(Field.PRODUCT, "产品", ("品名", "产品名称", "货品名称", "物料名称", "产品明细"), 18),
    Column(Field.SPEC, "规格", ("型号", "规格型号", "型号规格"), 16),
    Column(Field.QUANTITY, "数量", ("订单数量", "订货数量", "数量台"), 10),
    Column(Field.UNIT, "单位", ("计量单位",), 6),
    Column(Field.DUE_DATE, "交期", ("交货日期", "交货期", "交付日期", "客户交期", "要求交期", "交货时间"), 12),
    Column(Field.STAGE, "当前节点", ("执行节点", "当前进度"), 16, imported=False),
    Column(Field.STATUS, "状态", ("订单状态",), 10, imported=False),
    Column(Field.DAYS_LATE, "逾期(工作日)", ("逾期", "逾期天数", "逾期工作日"), 12, imported=False),
    Column(Field.RISK, "风险", ("风险提示",), 10, imported=False),
    Column(Field.OWNER, "责任人", ("负责人", "跟单员", "跟单", "业务员"), 10, internal=True),
    Column(Field.PRIORITY, "优先级", ("紧急程度",), 8, internal=True),
    Column(Field.NOTES, "备注", ("要求", "特殊要求", "说明"), 24, internal=True),
    Column(Field.TEMPLATE, "模板", ("里程碑模板", "流程模板"), 8, internal=True),
)
BY_FIELD = {column.field: column for column in COLUMNS}

PLANNED = "计划"
ACTUAL = "实际"
PRIORITY_LABELS = {"normal": "普通", "urgent": "加急"}
PRIORITY_WORDS = {"普通": "normal", "一般": "normal", "正常": "normal", "normal": "normal",
                  "加急": "urgent", "急": "urgent", "紧急": "urgent", "urgent": "urgent"}
RISK_WORD = "有风险"
DATE_WIDTH = 11

_UNIT_SUFFIX = re.compile(r"[(（][^()（）]{0,6}[)）]$")
_SPACES = re.compile(r"\s+")


def header_key(text: object) -> str:
    """The form header cells are compared in: NFKC, no spaces or line breaks, no trailing (unit)."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = _SPACES.sub("", value)
    return _UNIT_SUFFIX.sub("", value).upper()


_ALIASES = {header_key(name): column for column in COLUMNS for name in column.names}


def column_named(text: object) -> Column | None:
    """The column a header cell names, by its header or any alias."""
    return _ALIASES.get(header_key(text))


def milestone_header(milestone: str, kind: str) -> str:
    return f"{milestone}{kind}"


def display_width(text: str) -> int:
    """Excel width that fits `text`: two units per CJK character, one per other character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
