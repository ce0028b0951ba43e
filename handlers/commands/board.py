"""看板: a link to the manager board, answered in a manager group only."""

from __future__ import annotations

from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.links import LinkScope
from handlers.messages import Reply
from storage.models import ChatRole


async def board_link(ctx: Context, args: str) -> Reply:
    links = ctx.settings.links
    if links is None:
        return Reply("看板没有开启（配置 [web] enabled = false）。", ok=False)
    if ctx.chat.role != ChatRole.MANAGER:
        return Reply("看板链接只在经理群里发送，请到经理群里发「看板」。", ok=False)
    link = await links.issue(ctx.session, LinkScope.managers(), ctx.now)
    until = ctx.local_time(link.expires_at)
    return Reply(
        f"订单看板（有效期至 {until:%m-%d %H:%M}）：\n{link.url}\n"
        "打开即可查看全部在制订单、逾期与风险、甘特图和统计。链接即凭证，请勿转发到其他群。"
    )


COMMANDS = (
    Command("看板", ("订单看板", "board"), "看板 —— 获取经理看板的链接（经理群，限时有效）", board_link, roles=MANAGERS),
)
