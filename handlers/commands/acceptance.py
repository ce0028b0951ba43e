"""验收: acceptance as a command."""

from __future__ import annotations

from handlers.acceptance import acceptance_item
from handlers.commands.arguments import named_order
from handlers.commands.base import Command
from handlers.context import Context
from handlers.free_text import apply_items
from handlers.messages import Reply

ACCEPT_USAGE = "验收 订单号 通过 | 验收 订单号 不通过 原因…"


async def accept(ctx: Context, args: str) -> Reply:
    words = args.split(maxsplit=2)
    if len(words) < 2 or words[1] not in ("通过", "不通过", "没通过", "未通过"):
        return Reply(f"格式：{ACCEPT_USAGE}", ok=False)
    order = await named_order(ctx, words[0])
    if isinstance(order, Reply):
        return order
    passed = words[1] == "通过"
    if not passed and len(words) < 3:
        return Reply("请写上不通过的原因，例如「验收 123 不通过 焊缝有气孔」。", ok=False)
    return await apply_items(ctx, [acceptance_item(order, passed)], confirmed=False)


COMMANDS = (
    Command("验收", (), ACCEPT_USAGE + " —— 通过则订单关闭并记交付日期；不通过登记重大质量异常", accept),
)
