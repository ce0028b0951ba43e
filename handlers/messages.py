"""The one internal message type every platform adapter produces, and what handlers answer.

Adapters turn a platform's payload (or a line typed in the local chat) into an
`InboundMessage`; handlers answer with a `Reply`. Proactive messages (digests, warnings,
escalations) travel as `Outbound` through the outbox to a `Sender` that each adapter provides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class InboundMessage:
    platform: str
    """The name of the adapter the message came through (each adapter defines its own)."""
    chat_id: str
    """The platform's id of the group or single chat."""
    sender_id: str
    """The platform's user id of the sender."""
    text: str
    message_id: str
    """Unique per platform; a redelivery carries the same id."""
    sent_at: datetime
    """Timezone-aware time the platform gives for the message."""
    sender_name: str = ""
    chat_name: str = ""
    mentions: tuple[str, ...] = ()
    """Display names @-mentioned in `text` (the bot's own name included), to be stripped."""
    is_group: bool = True


@dataclass(frozen=True, slots=True)
class Attachment:
    """A picture or a file that travels with a reply or a proactive message.

    Senders deliver it in their platform's own format (an image or file message) after the text;
    where a platform or route cannot carry it, the text says where to look instead.
    """

    kind: Literal["image", "file"]
    filename: str
    """Shown to people, e.g. 台账-20261127.xlsx or 进度图.png."""
    data: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot answers in the chat the message came from: zh-CN markdown."""

    text: str
    ok: bool = True
    """False when the message was refused or could not be recorded (the text says why)."""
    duplicate: bool = False
    """True when the message id had been processed before and nothing was applied again."""
    mention_user_ids: tuple[str, ...] = ()
    attachment: Attachment | None = None
    """A file or picture sent to the chat after the text (e.g. the ledger workbook of 导出台账)."""
    attachment_fallback: str = ""
    """Added to the text where the chat cannot receive `attachment`: says plainly why and where else
    to get it (the same role as an `Outbound`'s text beside its attachment)."""


@dataclass(frozen=True, slots=True)
class Route:
    """What storage knows about an outbound message's `chat_id`, resolved by the outbox worker so
    that senders never read storage: a bound chat (with its push webhook, if any) or a person."""

    is_chat: bool = False
    is_person: bool = False
    webhook_url: str | None = None
    """The chat's bound push webhook (a credential: never logged)."""
    misconfigured: str | None = None
    """Why the chat's push route was found unusable, when it was."""


@dataclass(frozen=True, slots=True)
class Outbound:
    """A proactive message to one chat, delivered from the outbox; whole, whatever its length:
    each platform's sender splits it to its own limits."""

    platform: str
    chat_id: str
    text: str
    mention_user_ids: tuple[str, ...] = field(default=())
    route: Route = field(default=Route())
    attachment: Attachment | None = None
    """A picture or file to deliver instead of `text`; where the route cannot carry it the sender
    raises `AttachmentNotSupported` and the outbox worker sends `text` (which says where to look)."""
    idempotency_key: str = ""
    """Stable across every attempt to deliver this message (the outbox dedupe key), "" when none:
    senders pass it to platforms that de-duplicate on a key, so a resend after a lost answer or a
    crash is not shown twice there."""


class DeliveryError(Exception):
    """A send that did not go through; `retryable` tells the outbox whether to try again.

    The core error of every platform call: each adapter maps its platform's failures into
    subclasses of it, in one place (its `api` module).
    """

    def __init__(self, message: str, *, retryable: bool, may_have_arrived: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.may_have_arrived = may_have_arrived
        """The request went out and no answer came (a timeout, a dropped connection): the platform
        may have shown it. Only a request with an idempotency key is sent again at once; any other
        is left to the outbox's next attempt, so a timeout never multiplies a post."""


class AttachmentNotSupported(DeliveryError):
    """The chat's route cannot carry this attachment (no image message there, or too large)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class RouteMisconfigured(DeliveryError):
    """The chat's bound push route was refused for good (a deleted robot, a wrong key).

    The outbox worker records `note` (zh-CN, for the admins) on the chat and tells its admins;
    the message is not retried.
    """

    def __init__(self, message: str, *, note: str) -> None:
        super().__init__(message, retryable=False)
        self.note = note


class Sender(Protocol):
    """Delivers proactive messages to one platform's chats; raises `DeliveryError` on failure."""

    platform: str

    async def send(self, message: Outbound) -> None: ...
