"""Reading command arguments: the order a command names, a numbered reference (变更#3, 异常#5), plain text."""

from __future__ import annotations

import re
import unicodedata

from handlers.access import suggest_visible, visible_order
from handlers.context import Context
from handlers.directory import find_customer
from handlers.messages import Reply
from handlers.orders import normalize_order_no
from storage.models import Customer, Order

_NUMBER_REF = re.compile(r"^(?:变更|异常)?\s*[#＃]?\s*(\d+)\s*(.*)$", re.S)


def plain_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


async def named_order(ctx: Context, token: str) -> Order | Reply:
    order_no = normalize_order_no(token)
    order = await visible_order(ctx, order_no)
    if order is None:
        suggestions = await suggest_visible(ctx, order_no)
        hint = f"你是指 {'、'.join(suggestions)} 吗？" if suggestions else "发送「订单列表」查看在制订单。"
        return Reply(f"没有找到订单 {order_no}，没有记录。{hint}", ok=False)
    ctx.about_order = order.order_no
    return order


def numbered_reference(args: str, what: str, usage: str) -> tuple[int, str] | Reply:
    match = _NUMBER_REF.match(args.strip())
    if not match:
        return Reply(f"请写上{what}编号，格式：{usage}", ok=False)
    return int(match.group(1)), match.group(2).strip()


async def order_or_customer(ctx: Context, text: str) -> tuple[Order | None, Customer | None] | Reply:
    """What a list command is narrowed to: an order this chat may see, else a customer by name, else
    (nothing given) everything."""
    text = plain_text(text)
    if not text:
        return None, None
    order = await visible_order(ctx, normalize_order_no(text))
    if order is not None:
        ctx.about_order = order.order_no
        return order, None
    customer = await find_customer(ctx.session, text)
    if customer is not None:
        return None, customer
    return Reply(f"没有找到订单或客户「{text}」。可以写订单号（如 123）或客户名（如 华东机械），不写则列出全部。", ok=False)
