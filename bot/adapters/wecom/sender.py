"""The WeCom `Sender`: proactive messages from the outbox to groups and people.

Route per chat (resolved from storage by the outbox worker into `Outbound.route`): the group's
bound webhook (消息推送) if there is one; else, in websocket mode, `aibot_send_msg`; a chat id that
is a known person's user id goes through the self-built app's `message/send` when one is
configured. A refused webhook key raises `RouteMisconfigured` (the worker marks the chat and tells
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
from bot.adapters.wecom.api import AppMessenger, WebhookClient, WebhookKeyInvalid
from bot.adapters.wecom.replying import with_mentions
from bot.adapters.wecom.websocket import WsClient
from handlers.markdown import split_markdown
from handlers.messages import DeliveryError, Outbound, RouteMisconfigured

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
        if message.text:
            await self._send_text(message)
        if message.attachment is not None:
            await self._send_file(message)

    async def _send_file(self, message: Outbound) -> None:
        """A file goes only through the group's push webhook (upload_media, then a file message):
        the other routes here carry text alone."""
        chat_id, route, attachment = message.chat_id, message.route, message.attachment
        assert attachment is not None
        if not route.webhook_url or route.misconfigured:
            raise DeliveryError(f"{PLATFORM} chat {chat_id}: no push webhook to send a file through",
                                retryable=False)
        send = _part_sender(f"{PLATFORM} chat {chat_id}", lambda _: self.webhooks.send_file(
            route.webhook_url or "", attachment.filename, attachment.data, label=chat_id))
        await send(0, attachment.filename)

    async def _send_text(self, message: Outbound) -> None:
        text = with_mentions(message.text, message.mention_user_ids)
        chat_id, route = message.chat_id, message.route
        if route.webhook_url and route.misconfigured:
            raise DeliveryError(f"{PLATFORM} chat {chat_id} is marked misconfigured", retryable=False)
        if route.webhook_url:
            await self._in_parts(chat_id, text, WEBHOOK_LIMIT_BYTES, self._via_webhook(chat_id, route.webhook_url))
        elif self.ws is not None and not route.is_person:
            await self._in_parts(chat_id, text, LONG_CONNECTION_LIMIT_BYTES, self._via_websocket(chat_id))
        elif route.is_person and self.app is not None:
            await self._in_parts(chat_id, text, APP_MESSAGE_LIMIT_BYTES, self._via_app(chat_id))
        elif route.is_person and self.ws is not None:
            await self._in_parts(chat_id, text, LONG_CONNECTION_LIMIT_BYTES, self._via_websocket(chat_id))
        elif route.is_person:
            raise DeliveryError(
                f"{PLATFORM} user {chat_id}: no self-built app configured ([{PLATFORM}] corp_id/agent_id/agent_secret)",
                retryable=False,
            )
        else:
            raise DeliveryError(f"{PLATFORM} chat {chat_id} has no push webhook bound (use 绑定推送)", retryable=False)

    async def _in_parts(self, chat_id: str, text: str, limit: int, send: SendPart) -> None:
        await self.delivered.deliver(chat_id, text, split_markdown(text, limit), send)

    def _via_webhook(self, chat_id: str, webhook_url: str) -> SendPart:
        return _part_sender(f"{PLATFORM} chat {chat_id}", lambda part: self.webhooks.send_markdown(webhook_url, part, label=chat_id))

    def _via_websocket(self, chat_id: str) -> SendPart:
        ws = self.ws
        assert ws is not None
        return _part_sender(f"{PLATFORM} chat {chat_id}", lambda part: ws.send_markdown(chat_id, part))

    def _via_app(self, user_id: str) -> SendPart:
        app = self.app
        assert app is not None
        return _part_sender(f"{PLATFORM} app message", lambda part: app.send_markdown([user_id], part))


def _part_sender(label: str, send: Callable[[str], Awaitable[None]]) -> SendPart:
    """One part through one route, its failures said as `DeliveryError`s naming the route."""

    async def send_part(index: int, part: str) -> None:
        try:
            await send(part)
        except WebhookKeyInvalid as exc:
            note = f"推送地址不可用（{exc}），请管理员在群里发送「绑定推送 新的webhook地址」重新绑定。"
            raise RouteMisconfigured(f"{label}: {exc}", note=note) from None
        except asyncio.TimeoutError:
            raise DeliveryError(f"{label}: TimeoutError", retryable=True) from None
        except DeliveryError as exc:
            raise DeliveryError(f"{label}: {exc}", retryable=exc.retryable) from None

    return send_part
