"""导出台账: the order ledger workbook as a file in the chat.

Managers and admins get every open order (or one customer's: 导出台账 华东机械); a customer group
gets its own orders only, in the customer's view (no internal columns, no internal exceptions).
Where the chat cannot receive a file, the answer says so and how else to get the ledger: a push
webhook to bind, a signed download link when the web board is enabled (the managers' link in a
manager group, the customer's own link in a customer group), or `gendan ledger export`.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from handlers.access import scope_for
from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.links import LinkScope
from handlers.ledger.export import ledger_filename, workbook_bytes, write_ledger
from handlers.ledger.model import LedgerInputError, LedgerScope, load_ledger
from handlers.messages import Attachment, Reply
from storage.models import ChatRole, PersonRole

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
    fallback = await _fallback(ctx, scope)
    return Reply(text, attachment=Attachment("file", filename, data), attachment_fallback=fallback)


MANAGER_DOWNLOAD = "/ledger.xlsx"
CUSTOMER_DOWNLOAD = "/portal/ledger.xlsx"
"""The ledger downloads under a board link and under a portal link (`bot/web/routes.py`)."""


async def _fallback(ctx: Context, scope: LedgerScope) -> str:
    """What the answer says where this chat cannot receive the file: why, and every other way to
    get the ledger that fits this chat."""
    where = "这个群" if ctx.message.is_group else "这里"
    ways = []
    if ctx.message.is_group:
        ways.append("请管理员在群里发送「绑定推送 webhook地址」绑定消息推送，再发一次「导出台账」")
    link = await _download_link(ctx, scope)
    if link:
        ways.append(f"打开下载链接（{link}）")
    if not scope.customer_view:
        ways.append("在电脑上运行 gendan ledger export 导出")
    else:
        ways.append("联系对接的业务员")
    return f"（{where}发不了文件，台账没有发出。要拿到台账：{'；或'.join(ways)}。）"


async def _download_link(ctx: Context, scope: LedgerScope) -> str:
    """A signed link to the workbook when the web board is enabled: the managers' link in a manager
    group (every open order), the customer's own link in a customer group; "" elsewhere."""
    links = ctx.settings.links
    if links is None:
        return ""
    if scope.customer_view and scope.customer_id is not None:
        link_scope, path = LinkScope.customer(scope.customer_id), CUSTOMER_DOWNLOAD
    elif ctx.chat.role == ChatRole.MANAGER:
        link_scope, path = LinkScope.managers(), MANAGER_DOWNLOAD
        if scope.customer:
            path += f"?{urlencode({'customer': scope.customer})}"
    else:
        return ""
    link = await links.issue(ctx.session, link_scope, ctx.now)
    return f"{link.url}{path}，有效期至 {ctx.local_time(link.expires_at):%m-%d %H:%M}，请勿转发"


COMMANDS = (
    Command("导出台账", ("台账",), "导出台账 [客户] —— 订单跟踪台账 Excel（经理；客户群导出本公司订单）", export_ledger,
            roles=EXPORT_ROLES),
)
