"""Websocket mode: the 智能机器人 long connection, written on aiohttp.

Frames are JSON `{"cmd", "headers": {"req_id"}, "body"}`; acknowledgements come back without a
`cmd`, carrying the request's `req_id` and an `errcode`. The client subscribes with the bot id
and secret, pings about every 30 s (two unanswered pings end the connection), reconnects with
capped exponential backoff, answers each `aibot_msg_callback` with `aibot_respond_msg` on the
callback's `req_id`, and sends proactive markdown with `aibot_send_msg`.

WeCom keeps one live connection per bot: a new subscription kicks the old connection, which gets
`disconnected_event`. Then this client stops for good (as the official SDK does), logs an error
and reports the problem on /healthz; reconnecting would only kick the other instance back, both
would fight forever and trip the subscription rate protection. Failures are counted per
connection: one that subscribes and drops within `stable_after` seconds counts as a failure, so
a flapping connection backs off further each time.

Every conversation gets at most 30 messages a minute and 1,000 an hour from the bot, replies and
proactive sends together (path/101463): both are paced here per conversation; a send that would
wait longer than `pace_max_wait` raises the retryable `RateLimited` (the outbox tries later), and
an over-limit errcode from WeCom is retryable too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp

from bot.adapters.sending import Pacing, RateLimited, RetryPolicy
from bot.adapters.wecom.api import ApiError
from bot.adapters.wecom.inbound import Incoming, MessageHandling, PayloadError
from bot.adapters.wecom.replying import stream_reply
from handlers.intake import NotAccepted, ReplyChannel
from handlers.messages import DeliveryError, InboundMessage, Reply

log = logging.getLogger(__name__)

SUBSCRIBE = "aibot_subscribe"
PING = "ping"
MSG_CALLBACK = "aibot_msg_callback"
EVENT_CALLBACK = "aibot_event_callback"
RESPOND = "aibot_respond_msg"
SEND = "aibot_send_msg"
REQ_ID = "ws_req_id"
"""The reply channel of a websocket message: its callback's req_id on the same connection."""
REQ_ID_LIFETIME = timedelta(minutes=5)
"""How long a late answer on a callback's req_id is attempted (a stream refresh lasts up to 6 min)."""
DISCONNECTED_EVENT = "disconnected_event"
CONVERSATION_LIMITS = ((30, 61.0), (1000, 3601.0))
"""Messages per conversation from the bot, replies and proactive sends together: (count, seconds).
WeCom allows 30 a minute and 1,000 an hour; the windows are a second longer, so a send that WeCom
receives a little later than we counted it never lands inside its window."""


class NotConnected(DeliveryError):
    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


def _req_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class WsClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        bot_id: str,
        secret: str,
        handling: MessageHandling,
        *,
        reply_within_seconds: float = 3.0,
        ping_interval: float = 30.0,
        ack_timeout: float = 10.0,
        backoff: RetryPolicy = RetryPolicy(attempts=0, base_delay=1.0, max_delay=60.0),
        conversation_limits: tuple[tuple[int, float], ...] = CONVERSATION_LIMITS,
        pace_max_wait: float = 60.0,
        stable_after: float = 30.0,
    ) -> None:
        self.session = session
        self.url = url
        self.bot_id = bot_id
        self._secret = secret
        self.handling = handling
        self.reply_within_seconds = reply_within_seconds
        self.ping_interval = ping_interval
        self.ack_timeout = ack_timeout
        self.backoff = backoff
        self.connected = asyncio.Event()
        self.connections = 0
        """How many times a subscription succeeded (1 on the first connection)."""
        self.failures = 0
        """Connections in a row that failed or did not stay up `stable_after` seconds."""
        self.stable_after = stable_after
        self.displaced = False
        """True once WeCom said another connection took over this bot; the client has stopped."""
        self.pacing = Pacing(conversation_limits, max_wait=pace_max_wait)
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._send_lock = asyncio.Lock()

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        """What needs an operator, for /healthz; None while all is well."""
        if self.displaced:
            return ("长连接已被另一个使用同一机器人（bot_id）的连接顶替，本实例已停止接收消息。"
                    "请确认只运行一个实例，然后重启本实例。")
        return None

    async def run(self) -> None:
        """Stay connected until cancelled, or until another connection takes over the bot."""
        loop = asyncio.get_running_loop()
        while not self.displaced:
            started = loop.time()
            stable = False
            try:
                stable = await self._connect_and_serve() and loop.time() - started >= self.stable_after
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("wecom websocket: %s", _describe(exc))
            finally:
                self.connected.clear()
                self._ws = None
                self._fail_pending(NotConnected("connection closed"))
            if self.displaced:
                break
            self.failures = 0 if stable else self.failures + 1
            delay = self.backoff.delay(max(1, self.failures))
            log.info("wecom websocket reconnecting in %.1f s (%d failed connections in a row)", delay, self.failures)
            await asyncio.sleep(delay)
        log.error("wecom websocket stopped: another connection subscribed with the same bot_id and took over; "
                  "not reconnecting (that would kick it back). Run one instance per bot, then restart this one.")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)

    async def _connect_and_serve(self) -> bool:
        """One connection, served until it closes; True when it subscribed."""
        subscribed = False
        async with self.session.ws_connect(self.url, heartbeat=None, autoping=True) as ws:
            self._ws = ws
            reader = asyncio.ensure_future(self._read(ws))
            try:
                await self._subscribe()
                subscribed = True
                self.connections += 1
                self.connected.set()
                log.info("wecom websocket subscribed")
                pinger = asyncio.ensure_future(self._ping(ws))
                try:
                    await reader
                finally:
                    pinger.cancel()
            finally:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
        log.warning("wecom websocket closed (code %s)", ws.close_code)
        return subscribed

    async def _subscribe(self) -> None:
        try:
            await self._request(SUBSCRIBE, {"bot_id": self.bot_id, "secret": self._secret})
        except ApiError as exc:
            raise ConnectionError(f"subscription refused: errcode {exc.errcode} {exc.errmsg}") from None

    async def _ping(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        missed = 0
        while True:
            await asyncio.sleep(self.ping_interval)
            try:
                await self._request(PING, None, timeout=self.ping_interval)
                missed = 0
            except (asyncio.TimeoutError, ApiError, NotConnected):
                missed += 1
                if missed >= 2:
                    log.warning("wecom websocket: two pings unanswered, reconnecting")
                    await ws.close()
                    return

    # --- frames ----------------------------------------------------------------------------

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                if msg.type == aiohttp.WSMsgType.ERROR:
                    break
                continue
            try:
                frame = json.loads(msg.data)
            except ValueError:
                log.warning("wecom websocket: a frame that is not JSON was ignored")
                continue
            if not isinstance(frame, dict):
                continue
            self._on_frame(frame)
            if self.displaced:
                await ws.close()
                break

    def _on_frame(self, frame: dict[str, Any]) -> None:
        cmd = frame.get("cmd")
        req_id = str((frame.get("headers") or {}).get("req_id", ""))
        if cmd == MSG_CALLBACK:
            self._spawn(self._on_message(req_id, frame.get("body")))
        elif cmd == EVENT_CALLBACK:
            body = frame.get("body")
            event = body.get("event") if isinstance(body, dict) else None
            eventtype = event.get("eventtype") if isinstance(event, dict) else None
            if eventtype == DISCONNECTED_EVENT:
                self.displaced = True
                log.error("wecom websocket: another connection took over this bot (disconnected_event)")
            else:
                log.debug("wecom websocket event %s ignored", eventtype)
        elif req_id in self._pending:
            future = self._pending.pop(req_id)
            if not future.done():
                future.set_result(frame)
        else:
            log.debug("wecom websocket: unexpected frame %s", cmd)

    async def _on_message(self, req_id: str, body: Any) -> None:
        if not isinstance(body, dict):
            log.warning("wecom websocket: callback without a body ignored")
            return
        try:
            incoming = self.handling.incoming(body, datetime.now(timezone.utc))
        except PayloadError as exc:
            log.warning("wecom websocket: callback refused: %s", exc)
            return
        conversation = _conversation(incoming, body)
        if incoming.ack is not None:
            await self.respond(req_id, conversation, incoming.ack, quiet=True)
            return
        if incoming.message is None:
            return
        channel = ReplyChannel(REQ_ID, req_id, datetime.now(timezone.utc) + REQ_ID_LIFETIME)
        try:
            ticket = await self.handling.accept(incoming, channel, waits=self.reply_within_seconds > 0)
        except NotAccepted as exc:
            log.warning("wecom websocket: message not accepted: %s", exc)
            return
        text = await self.handling.answer_text(incoming.message, await ticket.reply(self.reply_within_seconds))
        if text is not None:
            await self.respond(req_id, conversation, text, quiet=True)

    async def respond(self, req_id: str, conversation: str, text: str, *, quiet: bool = False) -> None:
        """`aibot_respond_msg` on a callback's req_id, paced per conversation; raises unless `quiet`
        (then logs)."""
        try:
            await self.pacing.acquire(conversation)
            await self._request(RESPOND, json.loads(stream_reply(text)), req_id=req_id)
        except (asyncio.TimeoutError, ApiError, NotConnected, RateLimited) as exc:
            if not quiet:
                raise
            # The record is kept; a redelivery of the same msgid is answered from it.
            log.warning("wecom websocket: reply on %s not delivered: %s", req_id, _describe(exc))

    async def send_late(self, message: InboundMessage, channel: ReplyChannel, reply: Reply) -> None:
        """The intake's late sender for req_id channels; raises when it did not go out."""
        text = await self.handling.answer_text(message, reply)
        if text is not None:
            await self.respond(channel.address, message.chat_id, text)

    async def _request(
        self, cmd: str, body: Any, *, req_id: str | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send one frame and wait for its acknowledgement; a nonzero errcode raises ApiError."""
        ws = self._ws
        if ws is None or ws.closed:
            raise NotConnected("not connected")
        req_id = req_id or _req_id(cmd)
        frame: dict[str, Any] = {"cmd": cmd, "headers": {"req_id": req_id}}
        if body is not None:
            frame["body"] = body
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            async with self._send_lock:
                await ws.send_str(json.dumps(frame, ensure_ascii=False))
            ack = await asyncio.wait_for(future, timeout or self.ack_timeout)
        finally:
            self._pending.pop(req_id, None)
        errcode = ack.get("errcode", 0)
        if errcode:
            raise ApiError(int(errcode), str(ack.get("errmsg", "")))
        return ack

    # --- proactive -------------------------------------------------------------------------

    async def send_markdown(self, chat_id: str, text: str) -> None:
        """`aibot_send_msg` of one part (within the long connection's limit, the sender splits) to a
        group chatid or a userid; waits for the connection briefly, and for the conversation's
        pacing (at most `pace_max_wait`, else `RateLimited`)."""
        if self.displaced:
            raise NotConnected("websocket stopped: another connection took over this bot")
        try:
            await asyncio.wait_for(self.connected.wait(), self.ack_timeout)
        except asyncio.TimeoutError:
            raise NotConnected("websocket not connected") from None
        await self.pacing.acquire(chat_id)
        body = {"chatid": chat_id, "msgtype": "markdown", "markdown": {"content": text}}
        await self._request(SEND, body)

    # --- helpers ---------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _fail_pending(self, exc: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
        self._pending.clear()


def _conversation(incoming: Incoming, body: dict[str, Any]) -> str:
    """The conversation a reply goes to: the group's chatid, or the sender in a single chat."""
    if incoming.message is not None:
        return incoming.message.chat_id
    sender = body.get("from")
    return str(body.get("chatid") or (sender.get("userid") if isinstance(sender, dict) else "") or "")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (ApiError, NotConnected, ConnectionError, RateLimited)):
        return str(exc) or type(exc).__name__
    return type(exc).__name__

