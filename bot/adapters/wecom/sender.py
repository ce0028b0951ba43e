"""The WeCom `Sender`: proactive messages from the outbox to groups and people.

Route per chat (resolved from storage by the outbox worker into `Outbound.route`): the group's
bound webhook (消息推送) if there is one; else, in websocket mode, `aibot_send_msg`; a chat id that
is a known person's user id goes through the self-built app's `message/send` when one is
configured. A picture goes only as the group webhook's `image` message, a file only as its
`upload_media` then `file` message: on other routes the sender raises `AttachmentNotSupported` and the
worker sends the message's text instead. A refused webhook key raises `RouteMisconfigured` (the worker marks the chat and tells
the admins); it is never retried. Everything else that fails is raised as retryable, so the outbox
tries again later and nothing is lost.

Message size is owned here: each route's limit splits the text on line boundaries (never cut),
and the parts already delivered are not sent again when the outbox retries after a failed part.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.adapters.sending import DeliveredParts
from bot.adapters.wecom import PLATFORM
from bot.adapters.wecom.api import FILE_LIMIT_BYTES, IMAGE_LIMIT_BYTES, AppMessenger, WebhookClient, WebhookKeyInvalid
from bot.adapters.wecom.replying import with_mentions
from bot.adapters.wecom.websocket import WsClient
from handlers.markdown import split_markdown
from handlers.messages import Attachment, AttachmentNotSupported, DeliveryError, Outbound, RouteMisconfigured

WEBHOOK_LIMIT_BYTES = 4096
LONG_CONNECTION_LIMIT_BYTES = 20480
APP_MESSAGE_LIMIT_BYTES = 2048

SendPart = Callable[[int, str], Awaitable[None]]


class WeComSender:
    platform = PLATFORM

    def __init__(
        self,
        webhooks: WebhookClient,
        *,
        ws: WsClient | None = None,
        app: AppMessenger | None = None,
    ) -> None:
        self.webhooks = webhooks
        self.ws = ws
        self.app = app
        self.delivered = DeliveredParts()

    async def send(self, message: Outbound) -> None:
        # <@userid> notifies only in group-webhook text/markdown; in AI-bot markdown (aibot_send_msg)
        # and app messages it would show as literal text, so there the text's own names stand.
        text = message.text
        chat_id, route = message.chat_id, message.route
        if route.webhook_url and route.misconfigured:
            raise DeliveryError(f"{PLATFORM} chat {chat_id} is marked misconfigured", retryable=False)
        if message.attachment is not None:
            await self._attachment(chat_id, route.webhook_url, message.attachment)
        elif route.webhook_url:
            text = with_mentions(text, message.mention_user_ids)
            await self._in_parts(chat_id, text, WEBHOOK_LIMIT_BYTES, self._via_webhook(chat_id, route.webhook_url))
        elif self.ws is not None and not route.is_person:
            await self._in_parts(chat_id, text, LONG_CONNECTION_LIMIT_BYTES, self._via_websocket(chat_id))
        elif route.is_person and self.app is not None:
            via_app = self._via_app(chat_id, deduplicate=bool(message.idempotency_key))
            await self._in_parts(chat_id, text, APP_MESSAGE_LIMIT_BYTES, via_app)
        elif route.is_person and self.ws is not None:
            await self._in_parts(chat_id, text, LONG_CONNECTION_LIMIT_BYTES, self._via_websocket(chat_id))
        elif route.is_person:
            raise DeliveryError(
                f"{PLATFORM} user {chat_id}: no self-built app configured ([{PLATFORM}] corp_id/agent_id/agent_secret)",
                retryable=False,
            )
        else:
            raise DeliveryError(f"{PLATFORM} chat {chat_id} has no push webhook bound (use 绑定推送)", retryable=False)

    async def _attachment(self, chat_id: str, webhook_url: str | None, attachment: Attachment) -> None:
        """A picture as the webhook's `image` message, a file as `upload_media` then a `file`
        message: only the group's push webhook carries either."""
        if not webhook_url:
            raise AttachmentNotSupported(f"{PLATFORM} chat {chat_id}: pictures and files need the group's push webhook")
        label = f"{PLATFORM} chat {chat_id}"
        if attachment.kind == "image":
            if len(attachment.data) > IMAGE_LIMIT_BYTES:
                raise AttachmentNotSupported(f"{label}: only images up to 2 MB can be sent")
            await _through_route(label, self.webhooks.send_image(webhook_url, attachment.data, label=chat_id))
            return
        if len(attachment.data) > FILE_LIMIT_BYTES:
            raise AttachmentNotSupported(f"{label}: only files up to 20 MB can be sent")
        await _through_route(
            label, self.webhooks.send_file(webhook_url, attachment.filename, attachment.data, label=chat_id)
        )

    async def _in_parts(self, chat_id: str, text: str, limit: int, send: SendPart) -> None:
        await self.delivered.deliver(chat_id, text, split_markdown(text, limit), send)

    def _via_webhook(self, chat_id: str, webhook_url: str) -> SendPart:
        return _part_sender(f"{PLATFORM} chat {chat_id}", lambda part: self.webhooks.send_markdown(webhook_url, part, label=chat_id))

    def _via_websocket(self, chat_id: str) -> SendPart:
        ws = self.ws
        assert ws is not None
        return _part_sender(f"{PLATFORM} chat {chat_id}", lambda part: ws.send_markdown(chat_id, part))

    def _via_app(self, user_id: str, *, deduplicate: bool) -> SendPart:
        app = self.app
        assert app is not None
        return _part_sender(
            f"{PLATFORM} app message", lambda part: app.send_markdown([user_id], part, deduplicate=deduplicate)
        )


def _part_sender(label: str, send: Callable[[str], Awaitable[None]]) -> SendPart:
    """One part through one route, its failures said as `DeliveryError`s naming the route."""

    async def send_part(index: int, part: str) -> None:
        await _through_route(label, send(part))

    return send_part


async def _through_route(label: str, call: Awaitable[None]) -> None:
    """Await one platform call, its failures said as `DeliveryError`s naming the route (`label`)."""
    try:
        await call
    except WebhookKeyInvalid as exc:
        note = f"推送地址不可用（{exc}），请管理员在群里发送「绑定推送 新的webhook地址」重新绑定。"
        raise RouteMisconfigured(f"{label}: {exc}", note=note) from None
    except asyncio.TimeoutError:
        raise DeliveryError(f"{label}: TimeoutError", retryable=True, may_have_arrived=True) from None
    except DeliveryError as exc:
        raise DeliveryError(f"{label}: {exc}", retryable=exc.retryable, may_have_arrived=exc.may_have_arrived) from None
