"""Pictures and files that come with a chat answer (the workbook of 导出台账), sent to the chat they answer.

A platform's passive reply carries text only, so the adapter answers with the text and hands the
attachment to its platform's sender as an `Outbound`, through `scheduler.outbox.deliver`: the same
route resolution, the same platform formats and the same `AttachmentNotSupported` rule as the
pictures of the digests. Where the route cannot carry it, the reply's `attachment_fallback` (which
says plainly why and where else to get it) joins the answer, as an outbox message's text is sent
instead of its attachment.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from handlers.messages import AttachmentNotSupported, DeliveryError, InboundMessage, Outbound, Reply, Sender
from scheduler.outbox import deliver
from storage.database import Database

log = logging.getLogger(__name__)

SendAttachment = Callable[[InboundMessage, Reply], Awaitable[str]]
"""Send a reply's attachment to the chat of `message`; the note to add to the answer ("" when sent)."""

NO_ATTACHMENT_HERE = "（这里收不了机器人发的文件或图片。）"
"""The note when a reply names no fallback of its own."""
NOT_SENT = "（文件这次没能发出去，请稍后再发一次同样的命令。）"


def attachment_sender(database: Callable[[], Database], senders: Mapping[str, Sender]) -> SendAttachment:
    async def send(message: InboundMessage, reply: Reply) -> str:
        attachment = reply.attachment
        if attachment is None or reply.duplicate:  # a redelivered command does not send it again
            return ""
        fallback = reply.attachment_fallback or NO_ATTACHMENT_HERE
        if not message.is_group:
            return fallback
        outbound = Outbound(message.platform, message.chat_id, fallback, attachment=attachment,
                            idempotency_key=f"reply:{message.message_id}:attachment")
        try:
            await deliver(database(), senders, outbound, text_instead=False)
        except AttachmentNotSupported as error:
            log.info("%s chat %s: %s; the answer says where else to look", message.platform, message.chat_id, error)
            return fallback
        except DeliveryError as error:
            log.warning("%s %s to %s chat %s not sent: %s", attachment.kind, attachment.filename, message.platform,
                        message.chat_id, error)
            return NOT_SENT if error.retryable else fallback
        return ""

    return send


def with_note(text: str, note: str) -> str:
    """The answer's text with the attachment's note (if any) on a line of its own."""
    return f"{text}\n{note}" if note else text
