"""Callback mode: the aiohttp route WeCom calls (GET URL verification, POST encrypted messages).

Order of checks on a POST, each refusal logged without secrets and answered with a clear 4xx:
parameters present (403) → timestamp a plain number of at most 12 digits (400) and within ±300 s
(403) → the whole body read, however many TCP segments it came in, within the size cap (413) →
JSON envelope (400) → signature, constant time (403) → (timestamp, nonce) not seen before with
another body (403; the identical signed request is WeCom redelivering, answered from the inbox
record) → decryption and receive id (400) → payload JSON and its shape (400). Only then is the
message handed to the intake, which stores it before the 200 goes back (503 when it could not be
stored: WeCom delivers it again).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import aiohttp
from aiohttp import web

from bot.adapters.sending import RetryPolicy
from bot.adapters.wecom.api import RESPONSE_PATH, UnsafeUrl, call_with_retry, checked_url
from bot.adapters.wecom.crypto import CallbackRejected, ReplayGuard, WeComCrypto
from bot.adapters.wecom.inbound import MessageHandling, PayloadError, parse_payload
from bot.adapters.wecom.replying import markdown_body, stream_reply
from handlers.intake import NotAccepted, ReplyChannel
from handlers.messages import DeliveryError, InboundMessage, Reply

log = logging.getLogger(__name__)


class CallbackEndpoint:
    def __init__(
        self,
        crypto: WeComCrypto,
        handling: MessageHandling,
        *,
        api_base: str,
        max_body_bytes: int,
        reply_within_seconds: float,
        session: aiohttp.ClientSession | None = None,
        guard: ReplayGuard | None = None,
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.crypto = crypto
        self.handling = handling
        self.api_base = api_base
        self.max_body_bytes = max_body_bytes
        self.reply_within_seconds = reply_within_seconds
        self.session = session
        self.guard = guard or ReplayGuard()
        self.policy = policy

    # --- GET: URL verification -------------------------------------------------------------

    async def verify_url(self, request: web.Request) -> web.Response:
        try:
            signature, timestamp, nonce = self._signed_query(request)
            # yarl decodes a raw "+" to a space; base64 has no spaces, so put them back.
            echostr = request.query.get("echostr", "").replace(" ", "+")
            if not echostr:
                raise CallbackRejected(400, "echostr missing")
            self.crypto.verify(signature, timestamp, nonce, echostr)
            self.guard.remember(timestamp, nonce, echostr)
            plaintext = self.crypto.decrypt(echostr)
        except CallbackRejected as exc:
            return self._refuse(request, exc)
        log.info("wecom callback URL verified")
        return web.Response(text=plaintext, content_type="text/plain")

    # --- POST: messages --------------------------------------------------------------------

    async def receive(self, request: web.Request) -> web.Response:
        received_at = datetime.now(timezone.utc)
        try:
            signature, timestamp, nonce = self._signed_query(request)
            encrypted = await self._envelope(request)
            self.crypto.verify(signature, timestamp, nonce, encrypted)
            if self.guard.remember(timestamp, nonce, encrypted):
                log.info("wecom callback delivered again (same signed request); answering from the record")
            payload = parse_payload(self.crypto.decrypt(encrypted))
            incoming = self.handling.incoming(payload, received_at)
        except CallbackRejected as exc:
            return self._refuse(request, exc)
        except PayloadError as exc:
            return self._refuse(request, CallbackRejected(400, str(exc)))

        if incoming.ack is not None:
            return web.json_response(self.crypto.reply_envelope(stream_reply(incoming.ack), nonce))
        if incoming.message is None:
            return web.Response(text="")  # events, stream refreshes: nothing to answer
        try:
            ticket = await self.handling.accept(
                incoming, incoming.channel(received_at), waits=self.reply_within_seconds > 0
            )
        except NotAccepted as exc:
            # Not stored, so not acknowledged: WeCom delivers it again.
            log.warning("wecom message not accepted: %s (HTTP 503)", exc)
            return web.Response(status=503, text="not accepted, deliver again")
        # Stored: answer in the response when ready in time; otherwise it goes out later, once,
        # through response_url (or the outbox to the group when there is none or it expired).
        text = await self.handling.answer_text(ticket.message, await ticket.reply(self.reply_within_seconds))
        if text is None:
            return web.Response(text="")
        return web.json_response(self.crypto.reply_envelope(stream_reply(text), nonce))

    def _signed_query(self, request: web.Request) -> tuple[str, str, str]:
        query = request.query
        signature, timestamp, nonce = (query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise CallbackRejected(403, "msg_signature, timestamp or nonce missing")
        self.guard.check_time(timestamp)
        return signature, timestamp, nonce

    async def _envelope(self, request: web.Request) -> str:
        if request.content_length is not None and request.content_length > self.max_body_bytes:
            raise CallbackRejected(413, "body larger than server.max_body_bytes")
        raw = await self._read_body(request)
        try:
            envelope = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise CallbackRejected(400, "body is not JSON") from None
        encrypted = envelope.get("encrypt") if isinstance(envelope, dict) else None
        if not isinstance(encrypted, str) or not encrypted:
            raise CallbackRejected(400, "body has no encrypt field")
        return encrypted

    async def _read_body(self, request: web.Request) -> bytes:
        """The whole body up to EOF, however many TCP segments it came in, within the size cap."""
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := await request.content.read(64 * 1024):
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise CallbackRejected(413, "body larger than server.max_body_bytes")
                chunks.append(chunk)
        except (aiohttp.ClientPayloadError, ValueError):
            raise CallbackRejected(400, "body could not be read") from None
        return b"".join(chunks)

    @staticmethod
    def _refuse(request: web.Request, exc: CallbackRejected) -> web.Response:
        # The reason names the check that failed; never the query values or the body.
        log.warning("wecom callback refused from %s: %s (HTTP %d)", request.remote, exc.reason, exc.status)
        return web.Response(status=exc.status, text=exc.reason)

    # --- late answers ----------------------------------------------------------------------

    async def send_late(self, message: InboundMessage, channel: ReplyChannel, reply: Reply) -> None:
        """The intake's late sender for response_url channels; raises when it did not go out."""
        text = await self.handling.answer_text(message, reply)
        if text is not None and not await self.post_response_url(channel.address, text):
            raise DeliveryError("response_url post failed", retryable=False)

    async def post_response_url(self, response_url: str | None, text: str) -> bool:
        """Post a late answer once to the payload's response_url, if it is the WeCom endpoint."""
        if self.session is None or not response_url:
            log.warning("wecom late answer dropped: no response_url")
            return False
        try:
            url = checked_url(response_url, self.api_base, RESPONSE_PATH, "response_code")
        except UnsafeUrl as exc:
            log.warning("wecom response_url refused: %s", exc)
            return False
        try:
            await call_with_retry(
                self.session, "POST", url, json_body=markdown_body(text), what="response_url post", policy=self.policy
            )
        except Exception as exc:  # logged, never raised out of a background task
            log.warning("wecom late answer not delivered: %s", exc)
            return False
        return True


def add_routes(app: web.Application, path: str, endpoint: CallbackEndpoint) -> None:
    app.router.add_get(path, endpoint.verify_url)
    app.router.add_post(path, endpoint.receive)
