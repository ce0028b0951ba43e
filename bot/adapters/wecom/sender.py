"""The WeCom `Sender`: proactive messages from the outbox to groups and people.

Route per chat: the group's bound webhook (消息推送) if there is one; else, in websocket mode,
`aibot_send_msg`; a chat id that is a known person's user id goes through the self-built app's
`message/send` when one is configured. A refused webhook key marks the chat misconfigured and
tells the admins; it is never retried. Everything else that fails is raised as retryable, so the
outbox tries again later and nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.wecom.api import ApiError, TransportError
from bot.adapters.wecom.app_messages import AppMessenger
from bot.adapters.wecom.handling import with_mentions
from bot.adapters.wecom.webhook import IMAGE_LIMIT_BYTES, PartialSend, WebhookClient, WebhookKeyInvalid
from bot.adapters.wecom.websocket import NotConnected, WsClient
from handlers.messages import Attachment, AttachmentNotSupported, DeliveryError, Outbound
from storage.database import Database
from storage.models import Chat, Person, PersonRole

log = logging.getLogger(__name__)

PLATFORM = "wecom"


@dataclass(frozen=True)
class _Route:
    webhook_url: str | None
    misconfigured: str | None
    is_chat: bool
    is_person: bool


async def _route(session: AsyncSession, chat_id: str) -> _Route:
    chat = await session.scalar(select(Chat).where(Chat.platform == PLATFORM, Chat.chat_id == chat_id))
    person = None
    if chat is None:
        person = await session.scalar(select(Person).where(Person.platform == PLATFORM, Person.user_id == chat_id))
    return _Route(
        webhook_url=chat.webhook_url if chat else None,
        misconfigured=chat.misconfigured if chat else None,
        is_chat=chat is not None,
        is_person=person is not None,
    )


class WeComSender:
    platform = PLATFORM

    def __init__(
        self,
        database: Database,
        webhooks: WebhookClient,
        *,
        ws: WsClient | None = None,
        app: AppMessenger | None = None,
    ) -> None:
        self.database = database
        self.webhooks = webhooks
        self.ws = ws
        self.app = app
        self._progress: dict[tuple[str, int], int] = {}
        """(chat id, hash of text) → parts already delivered, so a retried long digest resumes."""

    async def send(self, message: Outbound) -> None:
        text = with_mentions(message.text, message.mention_user_ids)
        route = await self.database.run(lambda s: _route(s, message.chat_id))
        if route.webhook_url and route.misconfigured:
            raise DeliveryError(f"wecom chat {message.chat_id} is marked misconfigured", retryable=False)
        if message.attachment is not None:
            await self._attachment(message.chat_id, route, message.attachment)
        elif route.webhook_url:
            await self._via_webhook(message.chat_id, route.webhook_url, text)
        elif self.ws is not None and not route.is_person:
            await self._via_websocket(message.chat_id, text)
        elif route.is_person and self.app is not None:
            await self._via_app([message.chat_id], text)
        elif route.is_person and self.ws is not None:
            await self._via_websocket(message.chat_id, text)
        elif route.is_person:
            raise DeliveryError(
                f"wecom user {message.chat_id}: no self-built app configured ([wecom] corp_id/agent_id/agent_secret)",
                retryable=False,
            )
        else:
            raise DeliveryError(
                f"wecom chat {message.chat_id} has no push webhook bound (use 绑定推送)", retryable=False
            )

    async def _via_webhook(self, chat_id: str, webhook_url: str, text: str) -> None:
        progress_key = (chat_id, hash(text))
        start = self._progress.get(progress_key, 0)
        try:
            await self.webhooks.send_markdown(webhook_url, text, label=chat_id, start_part=start)
        except WebhookKeyInvalid as exc:
            self._progress.pop(progress_key, None)
            await self._mark_misconfigured(chat_id, str(exc))
            raise DeliveryError(f"wecom chat {chat_id}: {exc}", retryable=False) from None
        except PartialSend as exc:
            if exc.retryable and exc.sent_parts:
                self._progress[progress_key] = exc.sent_parts
            elif not exc.retryable:
                self._progress.pop(progress_key, None)
            raise DeliveryError(f"wecom chat {chat_id}: {exc}", retryable=exc.retryable) from None
        self._progress.pop(progress_key, None)

    async def _attachment(self, chat_id: str, route: _Route, attachment: Attachment) -> None:
        """Pictures go as the group webhook's `image` message; other routes (websocket, app) and
        files are not carried, so the outbox sends the message's text instead."""
        if not route.webhook_url:
            raise AttachmentNotSupported(f"wecom chat {chat_id}: pictures need the group's push webhook")
        if attachment.kind != "image" or len(attachment.data) > IMAGE_LIMIT_BYTES:
            raise AttachmentNotSupported(f"wecom chat {chat_id}: only images up to 2 MB can be sent")
        try:
            await self.webhooks.send_image(route.webhook_url, attachment.data, label=chat_id)
        except WebhookKeyInvalid as exc:
            await self._mark_misconfigured(chat_id, str(exc))
            raise DeliveryError(f"wecom chat {chat_id}: {exc}", retryable=False) from None
        except PartialSend as exc:
            raise DeliveryError(f"wecom chat {chat_id}: {exc}", retryable=exc.retryable) from None

    async def _via_websocket(self, chat_id: str, text: str) -> None:
        assert self.ws is not None
        try:
            await self.ws.send_markdown(chat_id, text)
        except (NotConnected, TimeoutError) as exc:
            raise DeliveryError(f"wecom chat {chat_id}: {type(exc).__name__}", retryable=True) from None
        except ApiError as exc:
            raise DeliveryError(f"wecom chat {chat_id}: {exc}", retryable=exc.retryable) from None

    async def _via_app(self, user_ids: list[str], text: str) -> None:
        assert self.app is not None
        try:
            await self.app.send_markdown(user_ids, text)
        except TransportError as exc:
            raise DeliveryError(f"wecom app message: {exc}", retryable=True) from None
        except ApiError as exc:
            raise DeliveryError(f"wecom app message: {exc}", retryable=exc.retryable) from None

    async def _mark_misconfigured(self, chat_id: str, reason: str) -> None:
        note = f"推送地址不可用（{reason}），请管理员在群里发送「绑定推送 新的webhook地址」重新绑定。"

        async def mark(session: AsyncSession) -> tuple[str, list[str]]:
            chat = await session.scalar(select(Chat).where(Chat.platform == PLATFORM, Chat.chat_id == chat_id))
            name = chat_id
            if chat is not None:
                chat.misconfigured = note
                name = chat.name or chat_id
            admins = await session.scalars(
                select(Person.user_id).where(Person.platform == PLATFORM, Person.role == PersonRole.ADMIN)
            )
            return name, list(admins)

        name, admins = await self.database.run(mark)
        log.warning("wecom chat %s marked misconfigured: %s", chat_id, reason)
        if self.app is None or not admins:
            log.warning("no wecom app or admin to tell about chat %s; see the chats table", chat_id)
            return
        try:
            await self.app.send_markdown(admins, f"群「{name}」的{note}")
        except (ApiError, TransportError) as exc:
            log.warning("telling the admins about chat %s failed: %s", chat_id, exc)
