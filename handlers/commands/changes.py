"""变更, 同意, 驳回: change requests as commands."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from handlers.changes import ChangeInputError, approve_change, open_changes_list, record_change, reject_change
from handlers.commands.arguments import named_order, numbered_reference, order_or_customer, plain_text
from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.messages import Reply
from handlers.orders import OrderInputError, parse_date
from handlers.understanding.items import ChangeField, ParsedItem

CHANGE_USAGE = "变更 订单号 交期|数量|规格 新值 [原因…]"
_FIELDS: dict[str, ChangeField] = {"交期": "due_date", "交货期": "due_date", "交货日期": "due_date", "数量": "quantity", "规格": "spec"}
_DELTA = re.compile(r"^([+\-])(\d+)(?:天|台|件|个|套)?$")
_QUANTITY = re.compile(r"^(\d+)(?:台|件|个|套)?$")


def _reason(rest: str) -> str:
    return re.sub(r"^(原因|理由)\s*[:：]?\s*", "", rest.strip())


def change_item(order_no: str, field: ChangeField, value: str, today: date) -> ParsedItem:
    """The change the 变更 command asks for; OrderInputError when the new value cannot be read."""
    value = plain_text(value)
    item = ParsedItem("change", order_no=order_no, field=field, op="set")
    if field == "spec":
        return replace(item, value=value)
    delta = _DELTA.match(value)
    if delta:
        return replace(item, op="add" if delta.group(1) == "+" else "sub", value=int(delta.group(2)))
    if field == "quantity":
        match = _QUANTITY.match(value)
        if not match:
            raise OrderInputError(f"数量「{value}」看不懂，请写成 2000、+200 或 -100。")
        return replace(item, value=int(match.group(1)))
    return replace(item, value=parse_date(value, today))


async def change(ctx: Context, args: str) -> Reply:
    words = args.split(maxsplit=3)
    if len(words) < 3 or words[1] not in _FIELDS:
        return Reply(f"格式：{CHANGE_USAGE}\n例如「变更 123 交期 12-05 客户工地提前」「变更 123 数量 2000」", ok=False)
    order = await named_order(ctx, words[0])
    if isinstance(order, Reply):
        return order
    field = _FIELDS[words[1]]
    rest = words[3] if len(words) > 3 else ""
    value, reason = (words[2] + (" " + rest if rest else ""), "") if field == "spec" else (words[2], rest)
    if field == "spec" and re.search(r"\s(原因|理由)", value):
        value, _, reason = re.split(r"\s(原因|理由)", value, maxsplit=1)
    try:
        item = change_item(order.order_no, field, value, ctx.today)
    except OrderInputError as error:
        return Reply(f"变更没有记录：{error}", ok=False)
    try:
        line = await record_change(ctx, order, item, _reason(reason))
    except ChangeInputError as error:
        return Reply(f"⚠️ {error}变更没有记录。", ok=False)
    return Reply("已记录：" + line)


async def approve(ctx: Context, args: str) -> Reply:
    ref = numbered_reference(args, "变更", "同意 变更#编号 [备注]")
    return ref if isinstance(ref, Reply) else await approve_change(ctx, *ref)


async def reject(ctx: Context, args: str) -> Reply:
    ref = numbered_reference(args, "变更", "驳回 变更#编号 原因")
    return ref if isinstance(ref, Reply) else await reject_change(ctx, *ref)


async def list_changes(ctx: Context, args: str) -> Reply:
    target = await order_or_customer(ctx, args)
    return target if isinstance(target, Reply) else Reply(await open_changes_list(ctx, *target))


COMMANDS = (
    Command("变更列表", ("待审批变更",), "变更列表 [订单号|客户] —— 待审批的变更，最早的在前", list_changes),
    Command("变更", ("变更申请",), CHANGE_USAGE + " —— 提交变更申请，附影响评估，等经理审批", change),
    Command("同意", ("批准",), "同意 变更#编号 [备注] —— 批准变更，订单和计划随之调整并通知部门群（经理）", approve,
            roles=MANAGERS),
    Command("驳回", ("拒绝",), "驳回 变更#编号 原因 —— 驳回变更，订单不变（经理）", reject, roles=MANAGERS),
)
