"""异常, 解决: exceptions as commands."""

from __future__ import annotations

from handlers.commands.arguments import named_order, numbered_reference, order_or_customer, plain_text
from handlers.commands.base import Command
from handlers.context import Context
from handlers.messages import Reply
from handlers.order_exceptions import open_exceptions_list, record_exception, resolve_exception
from handlers.orders import OrderInputError, parse_date
from handlers.understanding.items import ParsedItem
from storage.models import ExceptionCategory

EXCEPTION_USAGE = "异常 订单号 质量|物料|设备|延期|其他 [节点] 描述… [负责人=…] [预计=12-01] [延误=3]"
_CATEGORIES = {"质量": ExceptionCategory.QUALITY, "品质": ExceptionCategory.QUALITY, "物料": ExceptionCategory.MATERIAL,
               "缺料": ExceptionCategory.MATERIAL, "设备": ExceptionCategory.EQUIPMENT, "延期": ExceptionCategory.DELAY,
               "延误": ExceptionCategory.DELAY, "其他": ExceptionCategory.OTHER}


def _options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    keys = {"负责人": "owner", "预计": "date", "延误": "delay", "延期": "delay"}
    plain, options = [], {}
    for word in words:
        key, sep, value = plain_text(word).partition("=")
        if sep and key in keys:
            options[keys[key]] = value
        else:
            plain.append(word)
    return plain, options


async def exception(ctx: Context, args: str) -> Reply:
    words, options = _options(args.split())
    if len(words) < 2 or words[1] not in _CATEGORIES:
        return Reply(f"格式：{EXCEPTION_USAGE}\n例如「异常 123 物料 领料 螺栓不够 负责人=王五 预计=11-28」", ok=False)
    order = await named_order(ctx, words[0])
    if isinstance(order, Reply):
        return order
    rest = words[2:]
    milestone = rest.pop(0) if rest and rest[0] in {m.name for m in order.milestones} else None
    category, expected, delay = _CATEGORIES[words[1]], None, None
    try:
        if options.get("date"):
            expected = parse_date(options["date"], ctx.today)
        if options.get("delay"):
            delay = int(options["delay"].rstrip("天"))
            category = ExceptionCategory.DELAY if category == ExceptionCategory.OTHER else category
    except (OrderInputError, ValueError) as error:
        return Reply(f"异常没有记录：{error if isinstance(error, OrderInputError) else '延误要写天数，例如 延误=3'}", ok=False)
    if category != ExceptionCategory.DELAY:
        delay = None  # only a delay carries days in the contract; keep it as description
    item = ParsedItem("exception", order_no=order.order_no, milestone=milestone, category=category, value=delay,
                      date=expected)
    description = " ".join(rest) or ctx.text
    line = await record_exception(ctx, order, item, description=description, owner=options.get("owner"))
    return Reply("已记录：" + line)


async def resolve(ctx: Context, args: str) -> Reply:
    ref = numbered_reference(args, "异常", "解决 异常#编号 处理说明")
    return ref if isinstance(ref, Reply) else await resolve_exception(ctx, *ref)


async def list_exceptions(ctx: Context, args: str) -> Reply:
    target = await order_or_customer(ctx, args)
    return target if isinstance(target, Reply) else Reply(await open_exceptions_list(ctx, *target))


COMMANDS = (
    Command("异常列表", ("未关闭异常",), "异常列表 [订单号|客户] —— 未关闭的异常，最早的在前", list_exceptions),
    Command("异常", ("报异常",), EXCEPTION_USAGE + " —— 登记异常，重大的立即升级到经理群", exception),
    Command("解决", ("关闭异常",), "解决 异常#编号 处理说明 —— 关闭异常", resolve),
)
