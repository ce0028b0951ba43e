"""`gendan demo`: a few sample customers and orders, so a newcomer sees something at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from dataclasses import replace

from bot.local_chat import LocalChat

# Each sample is the chat a real team would have had: create the order, then report progress.
_SAMPLES = (
    ("D1001", "华东机械", "搅拌机", "50台", 30, ["排产完成", "领料完成", "下料完成", "焊接60%"]),
    ("D1002", "南方重工", "输送机", "20套", 20, ["排产完成", "领料完成", "下料进行中"]),
    ("D1003", "华东机械", "料仓", "8台", 45, ["排产完成"]),
    ("D1004", "北方农机", "烘干机", "12台", 12, ["排产完成", "领料完成", "下料完成", "焊接完成", "涂装80%"]),
)


DEMO_CHATS = (
    ("经理群", "绑定 经理", "经理群：每日简报、重大异常升级"),
    ("焊接车间群", "绑定 部门 焊接车间", "部门群（焊接车间）：本部门节点的提醒和逾期预警"),
    ("华东机械群", "绑定 客户 华东机械", "客户群（华东机械）：只能查询华东机械的订单，每周一收到周报"),
)
"""The groups the demo binds, so `gendan digest --chat 经理群` and a customer's view work at once."""


async def bind_demo_chats(chat: LocalChat) -> list[str]:
    """Bind a manager, a department and a customer group (as the demo's admin); their descriptions."""
    bound = []
    for name, command, what in DEMO_CHATS:
        group = LocalChat(chat.runtime, replace(chat.identity, chat=name), chat.fixed_now)
        group.count = chat.count
        reply = await group.say(command)
        chat.count = group.count
        if reply.ok:
            bound.append(f"「{name}」—— {what}")
    return bound


async def load_demo(chat: LocalChat, today: datetime) -> list[str]:
    """Create the sample orders (skipping ones that exist) and return the replies, for printing."""
    replies: list[str] = []
    for order_no, customer, product, quantity, days, progress in _SAMPLES:
        due = (today + timedelta(days=days)).date()
        reply = await chat.say(f"新建订单 {order_no} {customer} {product} {quantity} {due.isoformat()}")
        replies.append(reply.text)
        if not reply.ok:
            continue
        for update in progress:
            replies.append((await chat.say(f"订单{order_no} {update}")).text)
    return replies
