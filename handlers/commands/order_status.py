"""进度, 订单列表: what an order or the open orders look like now."""

from __future__ import annotations

import re

from handlers.access import not_visible_answer, scope_for, visible_order
from handlers.commands.base import EVERYONE, Command
from handlers.context import Context
from handlers.formatting import order_is_late, order_list_line
from handlers.messages import Reply
from handlers.order_status import customer_orders_text, status_text
from handlers.orders import normalize_order_no, open_orders

_ORDER_TOKEN = re.compile(r"(订单号|订单|单号|[#＃])?\s*[A-Za-z0-9０-９][A-Za-z0-9０-９\-_/]*")


async def show_progress(ctx: Context, args: str) -> Reply:
    token = _ORDER_TOKEN.match(args.strip())
    if token is None:
        if scope_for(ctx).restricted:  # a customer asking about "my orders"
            return Reply(await customer_orders_text(ctx))
        return Reply("请写上订单号，例如「进度 123」。")
    order_no = normalize_order_no(token.group(0))
    order = await visible_order(ctx, order_no)
    if order is None:
        return Reply(await not_visible_answer(ctx, order_no), ok=False)
    ctx.about_order = order.order_no
    return Reply(await status_text(ctx, order))


async def list_orders(ctx: Context, args: str) -> Reply:
    if scope_for(ctx).restricted:  # a customer group sees its own orders whatever it names
        return Reply(await customer_orders_text(ctx))
    customer = args.strip() or None
    orders = await open_orders(ctx.session, customer)
    if not orders:
        return Reply(f"{customer or ''}目前没有在制订单。")
    orders.sort(key=lambda o: (not order_is_late(o, ctx.today), o.due_date, o.order_no))
    title = f"**{customer}的在制订单**" if customer else "**在制订单**"
    late = sum(order_is_late(o, ctx.today) for o in orders)
    summary = f"共 {len(orders)} 个，其中逾期 {late} 个（逾期的排在前面）"
    return Reply("\n".join([title, summary, *(order_list_line(o, ctx.today) for o in orders)]))


COMMANDS = (
    Command("进度", ("查询", "查"), "进度 订单号 —— 查看订单的里程碑进度", show_progress, roles=EVERYONE),
    Command("订单列表", ("列表", "在制订单"), "订单列表 [客户] —— 在制订单，逾期的在前", list_orders, roles=EVERYONE),
)
