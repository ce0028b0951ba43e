"""新建订单."""

from __future__ import annotations

from handlers.commands.base import Command
from handlers.context import Context
from handlers.formatting import md
from handlers.messages import Reply
from handlers.notices import tell_managers
from handlers.orders import NewOrder, OrderInputError, create_order, parse_date, parse_order_no, parse_quantity
from handlers.workdays import unknown_year_note
from storage.models import EventKind

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
    ctx.record(EventKind.ORDER_CREATED, order=order, item={"order_no": order.order_no, **_describe(new)})
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
        told = await tell_managers(
            ctx, f"order:{order.order_no}:compressed",
            f"📋 交期可行性评审：订单{order.order_no}（{order.customer.name} · {order.product} "
            f"{order.quantity}{order.unit}）交期 {order.due_date:%Y-%m-%d}，按默认工期应在 {md(plan.start)} 开工，"
            f"计划已压缩到从今天开始。\n里程碑计划：{steps}\n建单人 {ctx.sender_name}，请评审交期是否可行。",
        )
        if told:
            lines.append(f"已通知{'、'.join(told)}评审。")
    unknown = unknown_year_note(ctx.settings.calendar, [order.due_date, *(s.planned_date for s in plan.steps)])
    if unknown is not None:
        lines.append(unknown)
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


COMMANDS = (
    Command("新建订单", ("建单", "新订单"), NEW_ORDER_USAGE + " —— 建单并按交期倒排里程碑计划", new_order),
)
