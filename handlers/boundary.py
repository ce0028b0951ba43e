"""The handlers' boundary: an inbound message made storable before anything is done with it.

Adapters pass on what the platform sent. Some of it SQLite would store and PostgreSQL refuses (a
NUL character, a display name longer than its column), so the same message would be recorded on
one database and fail on the other — as an error the platform is told to retry, forever. Here
every text is cleaned (`storage.limits.clean`), display names are clipped to their columns, and an
id longer than its column is refused with an answer saying so: an id cannot be shortened without
making two different messages, chats or people one.

A value that still cannot be stored (a product name longer than its column, say) is answered by
`rejected_value_reply`: it says what was too long, and that sending it again will not help.
"""

from __future__ import annotations

from dataclasses import replace

from handlers.messages import InboundMessage, Reply
from storage.limits import ValueRejected, ValueTooLong, clean, column_limit
from storage.models import Chat, Person, ProcessedMessage

_ID_FIELDS = {
    "message_id": ("消息编号", column_limit(ProcessedMessage.message_id)),
    "chat_id": ("群聊编号", column_limit(Chat.chat_id)),
    "sender_id": ("发送人编号", column_limit(Person.user_id)),
}

FIELD_NAMES = {
    "orders.order_no": "订单号",
    "processed_messages.order_no": "订单号",
    "orders.product": "产品名称",
    "orders.unit": "数量单位",
    "orders.priority": "优先级",
    "orders.template_name": "模板名称",
    "order_milestones.name": "里程碑名称",
    "events.milestone": "里程碑名称",
    "exceptions.milestone": "里程碑名称",
    "order_milestones.department": "部门名称",
    "chats.department": "部门名称",
    "exceptions.category": "异常类别",
    "change_requests.field": "变更项",
}


_SENDER_NAME_LIMIT = column_limit(Person.display_name)
_CHAT_NAME_LIMIT = column_limit(Chat.name)


def normalise(message: InboundMessage) -> InboundMessage:
    """`message` with NUL characters and lone surrogates dropped everywhere and display names
    clipped to what their columns hold; `message` itself when nothing needed it (nearly always,
    and always the second time: the intake normalises a message, then the dispatcher again)."""
    text, message_id = clean(message.text), clean(message.message_id)
    chat_id, sender_id = clean(message.chat_id), clean(message.sender_id)
    sender_name = clean(message.sender_name)[:_SENDER_NAME_LIMIT]
    chat_name = clean(message.chat_name)[:_CHAT_NAME_LIMIT]
    mentions = tuple([clean(name) for name in message.mentions])
    if (
        text == message.text and message_id == message.message_id and chat_id == message.chat_id
        and sender_id == message.sender_id and sender_name == message.sender_name
        and chat_name == message.chat_name and mentions == message.mentions
    ):
        return message
    return replace(message, text=text, message_id=message_id, chat_id=chat_id, sender_id=sender_id,
                   sender_name=sender_name, chat_name=chat_name, mentions=mentions)


def id_refusal(message: InboundMessage) -> Reply | None:
    """A refusal when one of the message's platform ids is longer than the database keeps."""
    for field, (name, limit) in _ID_FIELDS.items():
        value = getattr(message, field)
        if len(value) > limit:
            return Reply(
                f"这条消息**没有记录**：平台给的{name}有 {len(value)} 个字符，超过了能保存的 {limit} 个。"
                "这不是消息内容的问题，重发也不会成功，请把这个情况告诉管理员。",
                ok=False,
            )
    return None


def rejected_value_reply(error: ValueRejected) -> Reply:
    """What to answer when the database cannot store part of what a message asked for."""
    if isinstance(error, ValueTooLong):
        name = FIELD_NAMES.get(f"{error.table}.{error.column}", "其中一项内容")
        return Reply(
            f"这条消息**没有记录**：{name}太长了（{error.length} 字，最多 {error.limit} 字）。"
            f"请把{name}缩短后重新发送。",
            ok=False,
        )
    return Reply(
        "这条消息**没有记录**：其中有数据库无法保存的内容（例如特殊控制字符）。"
        "原样重发也不会成功，请修改内容后重新发送。",
        ok=False,
    )
