"""绑定推送: bind the group's push webhook (消息推送), through which digests and warnings reach it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from handlers.commands.base import ADMINS, Command
from handlers.context import Context
from handlers.messages import Reply

PUSH_USAGE = "绑定推送 webhook地址"
WEBHOOK_PATHS = {"wecom": "/cgi-bin/webhook/send"}
REDACTED = "绑定推送 （webhook 地址不记入日志）"


def webhook_problem(platform: str, url: str) -> str | None:
    """Why `url` is not a push webhook for `platform`, in words for the admin; None when it is one.

    Only the shape is checked here; the adapter posts to its configured API host alone and refuses
    (and reports) a webhook on any other host.
    """
    path = WEBHOOK_PATHS.get(platform)
    if path is None:
        return "这个平台的群不用绑定推送地址。"
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path != path:
        return f"这不是企业微信群的消息推送地址。应当形如 https://qyapi.weixin.qq.com{path}?key=……"
    if parts.username or parts.password or parts.fragment:
        return "地址里不能带用户名、密码或 # 片段。"
    keys = parse_qs(parts.query).get("key", [])
    if len(keys) != 1 or not keys[0].strip():
        return "地址里缺少 key=…… 这一段，请在群设置→消息推送里复制完整地址。"
    return None


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
