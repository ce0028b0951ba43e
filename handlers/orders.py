"""Orders: creating them with their milestone plan, finding them, and reading them back."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.directory import get_or_create_customer
from handlers.planning import Plan, lay_out
from handlers.templates import Template
from handlers.settings import HandlerSettings
from storage.models import (
    OPEN_ORDER_STATUSES,
    Customer,
    MilestoneStatus,
    Order,
    OrderMilestone,
    OrderStatus,
)

ORDER_NO_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9\-_/]{0,63}$")
_PREFIX = re.compile(r"^(订单号|订单|单号|NO\.|NO|#)\s*", re.IGNORECASE)
_QUANTITY = re.compile(r"^(\d+)\s*([^\d\s]{0,4})$")


class OrderInputError(ValueError):
    """Input for an order that cannot be used; the message is the zh-CN answer to the user."""


def normalize_order_no(text: str) -> str:
    value = unicodedata.normalize("NFKC", text).strip()
    value = _PREFIX.sub("", value).strip().upper()
    return value


def parse_order_no(text: str) -> str:
    value = normalize_order_no(text)
    if not ORDER_NO_PATTERN.match(value):
        raise OrderInputError(f"订单号「{text}」不合规：只能用字母、数字和“-”，例如 123、A2311-08、PO-2026-017。")
    return value


def parse_quantity(text: str) -> tuple[int, str | None]:
    """'50', '50台', '1200件' -> (quantity, unit). Zero, negative and non-numbers are refused."""
    value = unicodedata.normalize("NFKC", text).strip()
    match = _QUANTITY.match(value)
    if not match:
        if value.startswith("-") or value.startswith("负"):
            raise OrderInputError(f"数量「{text}」不能是负数。")
        raise OrderInputError(f"数量「{text}」不是一个数字，请写成 50 或 50台。")
    quantity = int(match.group(1))
    if quantity <= 0:
        raise OrderInputError("数量必须大于 0。")
    return quantity, match.group(2) or None


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?$"),
    re.compile(r"^(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?$"),
)


def parse_date(text: str, today: date) -> date:
    """An explicit date: 2026-12-20, 2026/12/20, 2026年12月20日, 12-20, 12月20日 (this year, or next
    year if already past)."""
    value = unicodedata.normalize("NFKC", text).strip()
    for form in _DATE_FORMS:
        match = form.match(value)
        if not match:
            continue
        parts = match.groupdict()
        month, day = int(parts["m"]), int(parts["d"])
        try:
            if parts.get("y"):
                return date(int(parts["y"]), month, day)
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
        except ValueError:
            break
    raise OrderInputError(f"日期「{text}」看不懂，请写成 2026-12-20 或 12月20日。")


@dataclass(frozen=True)
class NewOrder:
    order_no: str
    customer: str
    product: str
    quantity: int
    due_date: date
    unit: str | None = None
    template: str | None = None
    spec: str = ""
    priority: str = "normal"
    owner: str | None = None
    requirements: str = ""


async def find_order(session: AsyncSession, order_no: str) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.order_no == order_no).options(selectinload(Order.milestones))
    )


SUGGESTION_CANDIDATES = 200
"""At most this many open orders are compared with one unknown number: the cost of a suggestion
does not grow with the number of open orders."""


async def suggest_order_nos(
    session: AsyncSession, order_no: str, limit: int = 3, *, where: Sequence[Any] = ()
) -> list[str]:
    """Open orders whose number is closest to `order_no` and of the same form, best first; `where`
    narrows the candidates.

    One indexed query picks the candidates: numbers of the same length sharing the first or the last
    two characters (how typos of an order number look), at most `SUGGESTION_CANDIDATES`.
    """
    if not order_no:
        return []
    form = number_form(order_no)
    head, tail = order_no[:2], order_no[-2:]
    known = [
        no
        for no in await session.scalars(
            select(Order.order_no)
            .where(
                Order.status.in_(OPEN_ORDER_STATUSES),
                func.length(Order.order_no) == len(order_no),
                or_(Order.order_no.startswith(head, autoescape=True), Order.order_no.endswith(tail, autoescape=True)),
                *where,
            )
            .order_by(Order.order_no)
            .limit(SUGGESTION_CANDIDATES)
        )
        if number_form(no) == form
    ]
    return difflib.get_close_matches(order_no, known, n=limit, cutoff=0.5)


_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Z]")


def number_form(order_no: str) -> str:
    """The shape of an order number (PO-2026-017 → AA-9999-999, 123 → 999). A mistyped number keeps its
    shape; a number of another form (another customer's system, a PO against an internal number) is
    never suggested for it."""
    return _LETTERS.sub("A", _DIGITS.sub("9", order_no.upper()))


def check_new_order(new: NewOrder, settings: HandlerSettings, today: date) -> Template:
    """The rules every new order must pass (whatever the route it comes by); its template."""
    template = settings.templates.get(new.template)
    if template is None:
        names = "、".join(settings.templates.names)
        raise OrderInputError(f"没有名为「{new.template}」的里程碑模板。可用的模板：{names}。")
    if new.quantity <= 0:
        raise OrderInputError("数量必须大于 0。")
    if new.due_date < today:
        raise OrderInputError(f"交期 {new.due_date:%Y-%m-%d} 已经过去了（今天是 {today:%Y-%m-%d}），请确认交期。")
    return template


def _order_values(new: NewOrder, template: Template, now: datetime) -> dict[str, Any]:
    return {
        "order_no": new.order_no, "product": new.product, "spec": new.spec, "quantity": new.quantity,
        "unit": new.unit or template.unit, "due_date": new.due_date, "priority": new.priority, "owner": new.owner,
        "requirements": new.requirements, "status": OrderStatus.PLANNED, "template_name": template.name,
        "created_at": now, "updated_at": now,
    }


def _milestone_values(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"seq": step.seq, "name": step.name, "planned_date": step.planned_date, "days": step.days,
         "department": step.department, "status": MilestoneStatus.PENDING}
        for step in plan.steps
    ]


async def create_order(
    session: AsyncSession, new: NewOrder, settings: HandlerSettings, now: datetime
) -> tuple[Order, Plan]:
    today = now.astimezone(settings.tz).date()
    template = check_new_order(new, settings, today)
    if await session.scalar(select(Order.id).where(Order.order_no == new.order_no)) is not None:
        raise OrderInputError(f"订单 {new.order_no} 已经存在，不能重复建单。发送「进度 {new.order_no}」查看它。")
    customer: Customer = await get_or_create_customer(session, new.customer, now)
    plan = lay_out(template, new.due_date, today, settings.calendar)
    order = Order(
        customer=customer,
        **_order_values(new, template, now),
        milestones=[OrderMilestone(**values) for values in _milestone_values(plan)],
    )
    session.add(order)
    await session.flush()
    return order, plan


async def create_orders(
    session: AsyncSession, news: Sequence[NewOrder], settings: HandlerSettings, now: datetime
) -> dict[str, tuple[int, Plan]]:
    """Create many orders with their plans, by the same rules as `create_order`, in a handful of
    statements whatever their number (one INSERT per order and per milestone would make a ledger of
    thousands of orders take minutes). Raises OrderInputError, creating nothing, when any order
    breaks a rule. Returns order_no -> (order id, plan)."""
    if not news:
        return {}
    today = now.astimezone(settings.tz).date()
    templates = [check_new_order(new, settings, today) for new in news]
    numbers = [new.order_no for new in news]
    taken = list(await session.scalars(select(Order.order_no).where(Order.order_no.in_(numbers))))
    if taken or len(set(numbers)) != len(numbers):
        duplicate = taken[0] if taken else next(no for no in numbers if numbers.count(no) > 1)
        raise OrderInputError(f"订单 {duplicate} 已经存在，不能重复建单。")
    names = sorted({new.customer for new in news})
    known = dict((await session.execute(select(Customer.name, Customer.id).where(Customer.name.in_(names)))).all())
    missing = [name for name in names if name not in known]
    if missing:
        await session.execute(insert(Customer), [{"name": name, "created_at": now} for name in missing])
        known.update((await session.execute(select(Customer.name, Customer.id).where(Customer.name.in_(missing)))).all())
    plans = [lay_out(template, new.due_date, today, settings.calendar) for new, template in zip(news, templates, strict=True)]
    await session.execute(insert(Order), [
        {**_order_values(new, template, now), "customer_id": known[new.customer]}
        for new, template in zip(news, templates, strict=True)
    ])
    ids = dict((await session.execute(select(Order.order_no, Order.id).where(Order.order_no.in_(numbers)))).all())
    await session.execute(insert(OrderMilestone), [
        {**values, "order_id": ids[new.order_no]}
        for new, plan in zip(news, plans, strict=True) for values in _milestone_values(plan)
    ])
    return {new.order_no: (ids[new.order_no], plan) for new, plan in zip(news, plans, strict=True)}


async def open_orders(session: AsyncSession, customer: str | None = None) -> list[Order]:
    query = (
        select(Order)
        .where(Order.status.in_(OPEN_ORDER_STATUSES))
        .options(selectinload(Order.milestones))
        .order_by(Order.due_date, Order.order_no)
    )
    if customer:
        query = query.join(Order.customer).where(Customer.name == customer)
    return list((await session.scalars(query)).unique())
