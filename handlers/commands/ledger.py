"""导出台账: the order ledger workbook as a file in the chat.

Managers and admins get every open order (or one customer's: 导出台账 华东机械); a customer group
gets its own orders only, in the customer's view (no internal columns, no internal exceptions).
"""

from __future__ import annotations

import asyncio

from handlers.access import scope_for
from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.ledger.export import ledger_filename, workbook_bytes, write_ledger
from handlers.ledger.model import LedgerInputError, LedgerScope, load_ledger
from handlers.messages import Attachment, Reply
from storage.models import PersonRole

EXPORT_ROLES = MANAGERS | {PersonRole.CUSTOMER}


def _scope(ctx: Context, args: str) -> LedgerScope | Reply:
    visible = scope_for(ctx)
    if visible.restricted:
        if visible.customer_id is None:
            return Reply("这个群还没有对应到一个客户，不能导出台账。", ok=False)
        return LedgerScope(customer_id=visible.customer_id, customer_view=True)
    return LedgerScope(customer=args.strip() or None)


async def export_ledger(ctx: Context, args: str) -> Reply:
    scope = _scope(ctx, args)
    if isinstance(scope, Reply):
        return scope
    try:
        ledger = await load_ledger(ctx.session, ctx.settings, ctx.now, scope)
    except LedgerInputError as error:
        return Reply(str(error), ok=False)
    data = await asyncio.to_thread(workbook_bytes, write_ledger, ledger)
    customer = scope.customer or (ledger.orders[0].customer if scope.customer_view and ledger.orders else None)
    filename = ledger_filename(ctx.local_time(ctx.now), customer)
    late = sum(order.days_late > 0 for order in ledger.orders)
    if scope.customer_view:
        text = f"📎 您的订单跟踪台账：在制订单 {len(ledger.orders)} 个，文件「{filename}」。"
    else:
        who = f"{scope.customer}的" if scope.customer else ""
        text = (f"📎 {who}订单跟踪台账：在制订单 {len(ledger.orders)} 个（逾期 {late} 个）、异常 {len(ledger.exceptions)} 条、"
                f"变更 {len(ledger.changes)} 条，文件「{filename}」。")
    return Reply(text, attachment=Attachment("file", filename, data))


COMMANDS = (
    Command("导出台账", ("台账",), "导出台账 [客户] —— 订单跟踪台账 Excel（经理；客户群导出本公司订单）", export_ledger,
            roles=EXPORT_ROLES),
)
