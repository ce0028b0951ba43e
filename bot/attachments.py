"""Files that come with a chat answer (the workbook of 导出台账), sent to the chat they answer.

A platform's passive reply carries text only, so the adapter answers with the text and hands the
file to its platform's sender, with the chat's route resolved from storage as for any proactive
message (`scheduler.outbox.deliver`). Where no route can carry a file the answer says so plainly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from handlers.messages import Attachment, DeliveryError, InboundMessage, Outbound, Sender
from scheduler.outbox import deliver
from storage.database import Database

log = logging.getLogger(__name__)

SendAttachment = Callable[[InboundMessage, Attachment], Awaitable[str | None]]
"""Send a reply's file to the chat of `message`; None when sent, else the zh-CN note for the answer."""

NO_FILE_ROUTE = ("（这个群发不了文件：还没有绑定消息推送地址。请管理员在群里发送「绑定推送 webhook地址」后再试，"
                 "或在电脑上运行 gendan ledger export 导出。）")
NOT_SENT = "（文件这次没能发出去，请稍后再发一次同样的命令。）"


def attachment_sender(database: Callable[[], Database], senders: Mapping[str, Sender]) -> SendAttachment:
    async def send(message: InboundMessage, attachment: Attachment) -> str | None:
        outbound = Outbound(message.platform, message.chat_id, "", attachment=attachment)
        try:
            await deliver(database(), senders, outbound)
        except DeliveryError as error:
            log.warning("file %s to %s chat %s not sent: %s", attachment.filename, message.platform,
                        message.chat_id, error)
            return NOT_SENT if error.retryable else NO_FILE_ROUTE
        return None

    return send
