"""Who may do what, and which orders a chat may see.

A customer group (or a person with the customer role) sees only its own customer's orders, on
every path: commands, free text, order-number suggestions, lists. It can ask, never record or
approve. An unknown person in an unbound chat may do nothing but read the help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from handlers.context import Context
from handlers.messages import Reply
from handlers.orders import open_orders, suggest_order_nos
from storage.models import ChatRole, Customer, EventKind, Order, OrderStatus, PersonRole

ROLE_NAMES = {"staff": "员工", "manager": "经理", "customer": "客户", "admin": "管理员"}
GUEST = (
    "你好，我是跟单助手。这个群还没有绑定用途，我也还不认识你，所以暂时**不能记录或查询**订单。\n"
    "请管理员在群里发送「绑定 部门 部门名」（或「绑定 经理」「绑定 客户 客户名」），"
    "或发送「授权 你的名字 员工」给你开通，然后再试。发送「帮助」查看用法。"
)
CUSTOMER_READ_ONLY = "客户群只能查询本公司订单的进度，不能记录进度、变更、异常或审批。如需变更请联系对接的业务员。"
CUSTOMER_CHAT_COMMANDS = frozenset({"帮助", "进度", "订单列表", "导出台账", "绑定", "绑定推送", "授权"})
"""Commands usable in a customer group at all (each still checks its own roles)."""


@dataclass(frozen=True)
class Scope:
    """The orders a chat may see: all of them, or one customer's (None: no customer, so none).

    A customer never sees a cancelled order: an order keyed to the wrong customer by mistake is
    undone (cancelled), and must not show up in that customer's group."""

    restricted: bool
    customer_id: int | None = None

    def sees(self, order: Order) -> bool:
        if not self.restricted:
            return True
        return self.customer_id is not None and order.customer_id == self.customer_id and (
            order.status != OrderStatus.CANCELLED
        )

    def where(self) -> tuple[Any, ...]:
        """Filter clauses for a query on Order."""
        if not self.restricted:
            return ()
        if self.customer_id is None:
            return (Order.id.is_(None),)
        return (Order.customer_id == self.customer_id, Order.status != OrderStatus.CANCELLED)


def scope_for(ctx: Context) -> Scope:
    """Both the chat and the person restrict: a customer contact visiting another customer's group
    sees neither customer's orders."""
    customers = set()
    if ctx.chat.role == ChatRole.CUSTOMER:
        customers.add(ctx.chat.customer_id)
    if ctx.person.role == PersonRole.CUSTOMER and (ctx.person.customer_id is not None or not customers):
        # A customer contact not yet tied to a company reads what the customer group they are in shows.
        customers.add(ctx.person.customer_id)
    if not customers:
        return Scope(False)
    return Scope(True, customers.pop() if len(customers) == 1 else None)


def is_guest(ctx: Context) -> bool:
    return ctx.role is None


def may_record(ctx: Context) -> bool:
    return ctx.role is not None and not scope_for(ctx).restricted


def refuse(ctx: Context, text: str, **item: Any) -> Reply:
    """A refusal: a clear reply, and an audit event of kind "refused"."""
    ctx.record(EventKind.REFUSED, item={"role": str(ctx.role) if ctx.role else None, **item})
    return Reply(text, ok=False)


def command_refusal(ctx: Context, name: str, roles: frozenset[PersonRole]) -> str | None:
    """Why this sender may not run the command here, or None when they may."""
    if is_guest(ctx):
        return None if name == "帮助" else GUEST
    if ctx.chat.role == ChatRole.CUSTOMER and name not in CUSTOMER_CHAT_COMMANDS:
        return f"「{name}」不能在客户群里使用。" + CUSTOMER_READ_ONLY
    if ctx.role not in roles:
        return f"「{name}」只有{role_names(roles)}可以用，你的身份（{ROLE_NAMES[str(ctx.role)]}）不能执行。"
    return None


def role_names(roles: frozenset[str]) -> str:
    return "、".join(ROLE_NAMES[r] for r in ("admin", "manager", "staff", "customer") if r in roles)


_WITH_MILESTONES = joinedload(Order.milestones)
"""One statement for the order and its steps (a separate SELECT for the steps cost as much again)."""
_ORDER_WITH_MILESTONES = select(Order).where(Order.order_no == bindparam("order_no")).options(_WITH_MILESTONES)


async def visible_order(ctx: Context, order_no: str) -> Order | None:
    """The order with this number if this chat may see it; None alike when it is missing or not theirs."""
    if order_no in ctx.orders_read:
        order = ctx.orders_read[order_no]
        return order if order is not None and scope_for(ctx).sees(order) else None
    scope = scope_for(ctx).where()
    if not scope:  # the common case, asked on nearly every message: a statement built once
        return await ctx.session.scalar(_ORDER_WITH_MILESTONES, {"order_no": order_no})
    return await ctx.session.scalar(
        select(Order).where(Order.order_no == order_no, *scope).options(_WITH_MILESTONES)
    )


async def suggest_visible(ctx: Context, order_no: str) -> list[str]:
    """Open orders this chat may see whose number has the same form and is closest to `order_no`, best
    first; when the message names a customer, only that customer's orders (a guess must be plausibly
    the order the sender meant, never another customer's)."""
    named = [
        customer_id
        for customer_id, name in await ctx.session.execute(select(Customer.id, Customer.name))
        if name and name in ctx.text
    ]
    where = scope_for(ctx).where() + ((Order.customer_id.in_(named),) if named else ())
    return await suggest_order_nos(ctx.session, order_no, where=where)


async def not_visible_answer(ctx: Context, order_no: str) -> str:
    """The answer to a question about an order this chat cannot see: plainly that it is not visible
    here, the same for a missing order and another customer's. Nothing is recorded and nothing
    waits for a 「是」; close numbers of the same form are only mentioned."""
    suggestions = await suggest_visible(ctx, order_no)
    hint = f"相近的订单号：{'、'.join(suggestions)}。" if suggestions else "发送「订单列表」查看在制订单。"
    return f"这里查不到订单 {order_no}（没有这个订单，或它不在本群可查看的范围内）。{hint}"


async def visible_open_orders(ctx: Context, customer: str | None = None) -> list[Order]:
    scope = scope_for(ctx)
    return [order for order in await open_orders(ctx.session, customer) if scope.sees(order)]
