"""新建订单, 进度, 订单列表."""

from __future__ import annotations

import re

from handlers.access import (
    scope_for,
    suggest_visible,
    visible_open_orders,
    visible_order,
)
from handlers.commands.base import EVERYONE, Command
from handlers.context import Context
from handlers.formatting import customer_order_list, md, order_is_late, order_list_line
from handlers.messages import Reply
from handlers.orders import (
    NewOrder,
    OrderInputError,
    create_order,
    normalize_order_no,
    open_orders,
    parse_date,
    parse_order_no,
    parse_quantity,
)
from handlers.records import status_text

_ORDER_TOKEN = re.compile(r"(订单号|订单|单号|[#＃])?\s*[A-Za-z0-9０-９][A-Za-z0-9０-９\-_/]*")
NEW_ORDER_USAGE = "新建订单 订单号 客户 产品 数量 交期 [模板=名称] [规格=…] [负责人=…] [优先级=加急] [要求=…]"
_OPTION_KEYS = {"模板": "template", "规格": "spec", "负责人": "owner", "优先级": "priority", "要求": "requirements"}


def _split_options(args: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    options: dict[str, str] = {}
    for token in args.split():
        key, sep, value = token.partition("=")
        if not sep:
            key, sep, value = token.partition("：") if "：" in token else token.partition(":")
        if sep and key in _OPTION_KEYS:
            options[_OPTION_KEYS[key]] = value
        else:
            positional.append(token)
    return positional, options


def new_order_from_args(args: str, ctx: Context) -> NewOrder:
    positional, options = _split_options(args)
    if len(positional) == 6 and "template" not in options:
        options["template"] = positional.pop()
    if len(positional) != 5:
        raise OrderInputError(f"新建订单需要 5 项：订单号、客户、产品、数量、交期。格式：\n{NEW_ORDER_USAGE}")
    order_no, customer, product, quantity_text, due_text = positional
    quantity, unit = parse_quantity(quantity_text)
    priority = options.get("priority", "normal")
    return NewOrder(
        order_no=parse_order_no(order_no),
        customer=customer,
        product=product,
        quantity=quantity,
        unit=unit,
        due_date=parse_date(due_text, ctx.today),
        template=options.get("template"),
        spec=options.get("spec", ""),
        priority="urgent" if priority in ("加急", "急", "urgent") else "normal",
        owner=options.get("owner"),
        requirements=options.get("requirements", ""),
    )


async def new_order(ctx: Context, args: str) -> Reply:
    try:
        new = new_order_from_args(args, ctx)
        order, plan = await create_order(ctx.session, new, ctx.settings, ctx.now)
    except OrderInputError as error:
        return Reply(f"没有建单：{error}", ok=False)
    ctx.record("order_created", order=order, item={"order_no": order.order_no, **_describe(new)})
    ctx.about_order = order.order_no
    steps = " → ".join(f"{s.name} {md(s.planned_date)}" for s in plan.steps)
    lines = [
        f"已新建订单 {order.order_no}：{order.customer.name} · {order.product} {order.quantity}{order.unit}"
        f" · 交期 {order.due_date:%Y-%m-%d} · 模板「{order.template_name}」",
        f"里程碑计划：{steps}",
    ]
    if plan.compressed:
        lines.append(
            f"⚠️ 按默认工期应在 {md(plan.start)} 开工，已经来不及；计划已压缩到从今天开始，请评审交期是否可行。"
        )
    return Reply("\n".join(lines))


def _describe(new: NewOrder) -> dict[str, object]:
    return {
        "customer": new.customer,
        "product": new.product,
        "quantity": new.quantity,
        "unit": new.unit,
        "due_date": new.due_date.isoformat(),
        "template": new.template,
    }


async def show_progress(ctx: Context, args: str) -> Reply:
    token = _ORDER_TOKEN.match(args.strip())
    if token is None:
        if scope_for(ctx).restricted:  # a customer asking about "my orders"
            return Reply(customer_order_list(await visible_open_orders(ctx)))
        return Reply("请写上订单号，例如「进度 123」。")
    order_no = normalize_order_no(token.group(0))
    order = await visible_order(ctx, order_no)
    if order is None:
        suggestions = await suggest_visible(ctx, order_no)
        hint = f"你是指 {'、'.join(suggestions)} 吗？" if suggestions else "发送「订单列表」查看在制订单。"
        return Reply(f"没有找到订单 {order_no}。{hint}", ok=False)
    ctx.about_order = order.order_no
    return Reply(await status_text(ctx, order))


async def list_orders(ctx: Context, args: str) -> Reply:
    if scope_for(ctx).restricted:  # a customer group sees its own orders whatever it names
        return Reply(customer_order_list(await visible_open_orders(ctx)))
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
    Command("新建订单", ("建单", "新订单"), NEW_ORDER_USAGE + " —— 建单并按交期倒排里程碑计划", new_order),
    Command("进度", ("查询", "查"), "进度 订单号 —— 查看订单的里程碑进度", show_progress, roles=EVERYONE),
    Command("订单列表", ("列表", "在制订单"), "订单列表 [客户] —— 在制订单，逾期的在前", list_orders, roles=EVERYONE),
)
