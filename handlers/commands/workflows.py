"""变更, 同意, 驳回, 异常, 解决, 验收: the change, exception and acceptance workflows as commands."""

from __future__ import annotations

import re
import unicodedata

from handlers.access import suggest_visible, visible_order
from handlers.changes import ChangeInputError, approve_change, record_change, reject_change
from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.exception_records import record_exception, resolve_exception
from handlers.messages import Reply
from handlers.orders import OrderInputError, normalize_order_no, parse_date
from handlers.records import apply_items
from storage.models import Order

CHANGE_USAGE = "变更 订单号 交期|数量|规格 新值 [原因…]"
EXCEPTION_USAGE = "异常 订单号 质量|物料|设备|延期|其他 [节点] 描述… [负责人=…] [预计=12-01] [延误=3]"
ACCEPT_USAGE = "验收 订单号 通过 | 验收 订单号 不通过 原因…"
_FIELDS = {"交期": "due_date", "交货期": "due_date", "交货日期": "due_date", "数量": "quantity", "规格": "spec"}
_CATEGORIES = {"质量": "quality", "品质": "quality", "物料": "material", "缺料": "material", "设备": "equipment",
               "延期": "delay", "延误": "delay", "其他": "other"}
_NUMBER_REF = re.compile(r"^(?:变更|异常)?\s*[#＃]?\s*(\d+)\s*(.*)$", re.S)
_DELTA = re.compile(r"^([+\-])(\d+)(?:天|台|件|个|套)?$")
_QUANTITY = re.compile(r"^(\d+)(?:台|件|个|套)?$")


def _text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


async def _order(ctx: Context, token: str) -> Order | Reply:
    order_no = normalize_order_no(token)
    order = await visible_order(ctx, order_no)
    if order is None:
        suggestions = await suggest_visible(ctx, order_no)
        hint = f"你是指 {'、'.join(suggestions)} 吗？" if suggestions else "发送「订单列表」查看在制订单。"
        return Reply(f"没有找到订单 {order_no}，没有记录。{hint}", ok=False)
    ctx.about_order = order.order_no
    return order


def _reason(rest: str) -> str:
    return re.sub(r"^(原因|理由)\s*[:：]?\s*", "", rest.strip())


def change_item(order_no: str, field: str, value: str, today) -> dict:
    value = _text(value)
    item = {"intent": "change", "order_no": order_no, "field": field, "op": "set", "value": None}
    if field == "spec":
        return {**item, "value": value}
    delta = _DELTA.match(value)
    if delta:
        return {**item, "op": "add" if delta.group(1) == "+" else "sub", "value": int(delta.group(2))}
    if field == "quantity":
        match = _QUANTITY.match(value)
        if not match:
            raise OrderInputError(f"数量「{value}」看不懂，请写成 2000、+200 或 -100。")
        return {**item, "value": int(match.group(1))}
    return {**item, "value": parse_date(value, today).isoformat()}


async def change(ctx: Context, args: str) -> Reply:
    words = args.split(maxsplit=3)
    if len(words) < 3 or words[1] not in _FIELDS:
        return Reply(f"格式：{CHANGE_USAGE}\n例如「变更 123 交期 12-05 客户工地提前」「变更 123 数量 2000」", ok=False)
    order = await _order(ctx, words[0])
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


def _reference(args: str, what: str, usage: str) -> tuple[int, str] | Reply:
    match = _NUMBER_REF.match(args.strip())
    if not match:
        return Reply(f"请写上{what}编号，格式：{usage}", ok=False)
    return int(match.group(1)), match.group(2).strip()


async def approve(ctx: Context, args: str) -> Reply:
    ref = _reference(args, "变更", "同意 变更#编号 [备注]")
    return ref if isinstance(ref, Reply) else await approve_change(ctx, *ref)


async def reject(ctx: Context, args: str) -> Reply:
    ref = _reference(args, "变更", "驳回 变更#编号 原因")
    return ref if isinstance(ref, Reply) else await reject_change(ctx, *ref)


def _options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    keys = {"负责人": "owner", "预计": "date", "延误": "delay", "延期": "delay"}
    plain, options = [], {}
    for word in words:
        key, sep, value = _text(word).partition("=")
        if sep and key in keys:
            options[keys[key]] = value
        else:
            plain.append(word)
    return plain, options


async def exception(ctx: Context, args: str) -> Reply:
    words, options = _options(args.split())
    if len(words) < 2 or words[1] not in _CATEGORIES:
        return Reply(f"格式：{EXCEPTION_USAGE}\n例如「异常 123 物料 领料 螺栓不够 负责人=王五 预计=11-28」", ok=False)
    order = await _order(ctx, words[0])
    if isinstance(order, Reply):
        return order
    rest = words[2:]
    milestone = rest.pop(0) if rest and rest[0] in {m.name for m in order.milestones} else None
    item = {"intent": "exception", "order_no": order.order_no, "milestone": milestone,
            "category": _CATEGORIES[words[1]], "value": None, "date": None}
    try:
        if options.get("date"):
            item["date"] = parse_date(options["date"], ctx.today).isoformat()
        if options.get("delay"):
            item["value"] = int(options["delay"].rstrip("天"))
            item["category"] = "delay" if item["category"] == "other" else item["category"]
    except (OrderInputError, ValueError) as error:
        return Reply(f"异常没有记录：{error if isinstance(error, OrderInputError) else '延误要写天数，例如 延误=3'}", ok=False)
    if item["value"] is not None and item["category"] != "delay":
        item["value"] = None  # only a delay carries days in the contract; keep it as description
    description = " ".join(rest) or ctx.text
    line = await record_exception(ctx, order, item, description=description, owner=options.get("owner"))
    return Reply("已记录：" + line)


async def resolve(ctx: Context, args: str) -> Reply:
    ref = _reference(args, "异常", "解决 异常#编号 处理说明")
    return ref if isinstance(ref, Reply) else await resolve_exception(ctx, *ref)


async def accept(ctx: Context, args: str) -> Reply:
    words = args.split(maxsplit=2)
    if len(words) < 2 or words[1] not in ("通过", "不通过", "没通过", "未通过"):
        return Reply(f"格式：{ACCEPT_USAGE}", ok=False)
    order = await _order(ctx, words[0])
    if isinstance(order, Reply):
        return order
    last = order.milestones[-1].name
    if words[1] == "通过":
        item = {"intent": "progress", "order_no": order.order_no, "milestone": last, "status": "done"}
    else:
        if len(words) < 3:
            return Reply("请写上不通过的原因，例如「验收 123 不通过 焊缝有气孔」。", ok=False)
        item = {"intent": "exception", "order_no": order.order_no, "milestone": last, "category": "quality"}
    return await apply_items(ctx, [item], confirmed=False)


COMMANDS = (
    Command("变更", ("变更申请",), CHANGE_USAGE + " —— 提交变更申请，附影响评估，等经理审批", change),
    Command("同意", ("批准",), "同意 变更#编号 [备注] —— 批准变更，订单和计划随之调整并通知部门群（经理）", approve,
            roles=MANAGERS),
    Command("驳回", ("拒绝",), "驳回 变更#编号 原因 —— 驳回变更，订单不变（经理）", reject, roles=MANAGERS),
    Command("异常", ("报异常",), EXCEPTION_USAGE + " —— 登记异常，重大的立即升级到经理群", exception),
    Command("解决", ("关闭异常",), "解决 异常#编号 处理说明 —— 关闭异常", resolve),
    Command("验收", (), ACCEPT_USAGE + " —— 通过则订单关闭并记交付日期；不通过登记重大质量异常", accept),
)
