"""绑定: tell the bot what a chat is for."""

from __future__ import annotations

from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.directory import get_or_create_customer
from handlers.messages import Reply
from storage.models import ChatRole, EventKind

BIND_USAGE = "绑定 部门 部门名 | 绑定 经理 | 绑定 客户 客户名"
_ROLE_WORDS = {"部门": ChatRole.DEPARTMENT, "车间": ChatRole.DEPARTMENT, "经理": ChatRole.MANAGER,
               "管理": ChatRole.MANAGER, "客户": ChatRole.CUSTOMER}


async def bind(ctx: Context, args: str) -> Reply:
    words = args.split()
    if not words or words[0] not in _ROLE_WORDS:
        return Reply(f"格式：{BIND_USAGE}")
    role = _ROLE_WORDS[words[0]]
    name = " ".join(words[1:]).strip()
    if role is not ChatRole.MANAGER and not name:
        return Reply(f"请写上{'部门名' if role is ChatRole.DEPARTMENT else '客户名'}。格式：{BIND_USAGE}")
    before = {
        "role": ctx.chat.role,
        "department": ctx.chat.department,
        "customer_id": ctx.chat.customer_id,
    }
    ctx.chat.role = role
    ctx.chat.department = name if role is ChatRole.DEPARTMENT else None
    ctx.chat.customer_id = (
        (await get_or_create_customer(ctx.session, name, ctx.now)).id if role is ChatRole.CUSTOMER else None
    )
    ctx.record(EventKind.CHAT_BOUND, item={"role": str(role), "name": name}, before=before)
    what = {
        ChatRole.DEPARTMENT: f"部门群（{name}）：这里会收到该部门节点的提醒和逾期预警",
        ChatRole.MANAGER: "经理群：这里会收到每日简报和重大异常升级",
        ChatRole.CUSTOMER: f"客户群（{name}）：这里只能查询 {name} 的订单，每周推送进度",
    }[role]
    return Reply(f"已绑定本群为{what}。")


COMMANDS = (Command("绑定", ("bind",), BIND_USAGE + " —— 设定本群用途（经理/管理员）", bind, roles=MANAGERS),)
