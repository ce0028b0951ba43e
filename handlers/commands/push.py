"""绑定推送: bind the group's push webhook (消息推送), through which digests and warnings reach it."""

from __future__ import annotations

from collections.abc import Callable

from handlers.commands.base import ADMINS, Command
from handlers.context import Context
from handlers.messages import Reply

PUSH_USAGE = "绑定推送 webhook地址"
REDACTED = "绑定推送 （webhook 地址不记入日志）"
NO_PUSH_WEBHOOK = "这个平台的群不用绑定推送地址。"

PushWebhookCheck = Callable[[str], str | None]
"""Why a URL is not a push webhook of one platform, in words for the admin; None when it is one."""

_push_webhook_checks: dict[str, PushWebhookCheck] = {}


def register_push_webhook(platform: str, check: PushWebhookCheck) -> None:
    """An adapter whose groups take a push webhook says so here, with the check of its shape."""
    _push_webhook_checks[platform] = check


def webhook_problem(platform: str, url: str) -> str | None:
    """Why `url` is not a push webhook for `platform`, in words for the admin; None when it is one.

    Only the shape is checked here (by the platform's adapter); the adapter posts to its configured
    API host alone and refuses (and reports) a webhook on any other host.
    """
    check = _push_webhook_checks.get(platform)
    if check is None:
        return NO_PUSH_WEBHOOK
    return check(url)


async def bind_push(ctx: Context, args: str) -> Reply:
    url = args.strip()
    # The key is a credential: keep it out of the audit log, whatever the answer.
    ctx.text = REDACTED
    if not url:
        return Reply(f"格式：{PUSH_USAGE}（在群设置→消息推送里添加后复制地址）", ok=False)
    problem = webhook_problem(ctx.message.platform, url)
    if problem is not None:
        return Reply(problem, ok=False)
    had_one = ctx.chat.webhook_url is not None
    ctx.chat.webhook_url = url
    ctx.chat.misconfigured = None
    ctx.record("webhook_bound", item={"replaced": had_one})
    again = "已更新" if had_one else "已绑定"
    return Reply(f"{again}本群的消息推送地址，简报和提醒会发到这里。建议撤回刚才那条含地址的消息。")


COMMANDS = (Command("绑定推送", ("bindpush",), PUSH_USAGE + " —— 设定本群的消息推送地址（管理员）", bind_push, roles=ADMINS),)
