"""Stream mode: the dingtalk-stream SDK's client, made to live inside gendan's event loop.

`dingtalk-stream` 0.24.3 cannot be used as it is inside an aiohttp app: `start()` opens the
connection with a blocking `requests.post` (no timeout) on the event loop, swallows the first
cancellation, sleeps a fixed 10 s after a drop, has no `stop()`, and starts tasks it never awaits.
`GendanStreamClient` subclasses it and keeps the SDK's frame model (`CallbackMessage`,
`SystemMessage`, `AckMessage`, handler `raw_process`, topic routing) while replacing the
connection lifecycle:

- the connection-open call goes through aiohttp, to `api_base`, with a timeout;
- reconnects back off exponentially with jitter and reset once a frame arrives;
- `stop()` closes the socket and ends every task it started;
- robot messages are handled one after another (so "123 焊接完成" then "123 涂装完成" stay in
  order), acknowledged on the socket they came from, and a frame delivered again with the same
  `headers.messageId` gets the first ACK replayed instead of being handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import aiohttp
import dingtalk_stream
import websockets
from dingtalk_stream import (
    AckMessage,
    CallbackMessage,
    ChatbotMessage,
    Credential,
    SystemMessage,
)
from dingtalk_stream.version import VERSION_STRING

from bot.adapters.dingtalk.inbound import BadPayload, InboundHandler
from bot.adapters.sending import backoff_delay

log = logging.getLogger(__name__)


class _RedactTicket(logging.Filter):
    """websockets logs the handshake request line (with the ticket, a credential) and every frame
    (with users' messages and their sessionWebhooks) at DEBUG: frames are dropped, tickets masked."""

    _ticket = re.compile(r"ticket=[^\s&'\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(("< TEXT", "> TEXT", "< BINARY", "> BINARY")):
            return False
        if "ticket=" in message:
            record.msg = self._ticket.sub("ticket=***", message)
            record.args = None
        return True


_websocket_log = logging.getLogger("bot.adapters.dingtalk.websocket")
_websocket_log.addFilter(_RedactTicket())

OPEN_CONNECTION_PATH = "/v1.0/gateway/connections/open"
ACK_CACHE_SECONDS = 300.0
ACK_CACHE_SIZE = 10_000


class RobotMessageHandler(dingtalk_stream.ChatbotHandler):
    """Hands each robot message to the bot; the ACK is sent once it is recorded.

    Recording is a short database transaction, so the ACK still goes back within moments; the
    answer is sent afterwards by a background task. When recording fails the handler raises, no
    ACK is sent and DingTalk delivers the message again (the dispatcher's dedupe on msgId makes
    that safe).
    """

    def __init__(self, bot: InboundHandler) -> None:
        super().__init__()
        self.bot = bot

    async def process(self, callback: CallbackMessage) -> tuple[int, str]:
        data = callback.data
        if isinstance(data, str):
            data = json.loads(data)
        try:
            await self.bot.receive(data)
        except BadPayload as exc:
            log.warning("DingTalk frame %s ignored: %s", callback.headers.message_id, exc)
            return AckMessage.STATUS_BAD_REQUEST, "bad payload"
        return AckMessage.STATUS_OK, "OK"


class GendanStreamClient(dingtalk_stream.DingTalkStreamClient):
    def __init__(
        self,
        credential: Credential,
        *,
        http: Callable[[], aiohttp.ClientSession],
        api_base: str,
        reconnect_base: float = 1.0,
        reconnect_max: float = 60.0,
    ) -> None:
        super().__init__(credential, logger=logging.getLogger("bot.adapters.dingtalk.sdk"))
        self._http = http
        self.open_connection_url = api_base + OPEN_CONNECTION_PATH
        self.reconnect_base = reconnect_base
        self.reconnect_max = reconnect_max
        self._stopping = asyncio.Event()
        self._websocket: Any = None
        self._queue: asyncio.Queue[tuple[CallbackMessage, Any, asyncio.Future[str | None]]] = asyncio.Queue()
        self._acks: OrderedDict[str, tuple[float, asyncio.Future[str | None]]] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.connections = 0
        """How many websocket sessions were opened; for tests and status."""

    # --- the SDK's blocking entry points are replaced -------------------------------------------

    def open_connection(self) -> dict[str, Any] | None:  # pragma: no cover - guard
        raise RuntimeError("the blocking open_connection is not used; see open_connection_async")

    def start_forever(self) -> None:  # pragma: no cover - guard
        raise RuntimeError("start_forever runs its own event loop; gendan runs start() inside its loop")

    async def open_connection_async(self) -> dict[str, str] | None:
        """POST connections/open: the websocket endpoint and a single-use ticket, or None."""
        topics = [{"type": "CALLBACK", "topic": topic} for topic in self.callback_handler_map]
        body = {
            "clientId": self.credential.client_id,
            "clientSecret": self.credential.client_secret,
            "subscriptions": topics,
            "ua": f"gendan dingtalk-sdk-python/v{VERSION_STRING}-union",
            "localIp": "",
        }
        timeout = aiohttp.ClientTimeout(total=10, connect=5)
        try:
            async with self._http().post(self.open_connection_url, json=body, timeout=timeout) as response:
                status = response.status
                payload = await response.json(content_type=None) if status == 200 else {}
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("DingTalk Stream: opening a connection failed: %s", type(exc).__name__)
            return None
        if status != 200 or not isinstance(payload, dict) or not payload.get("endpoint") or not payload.get("ticket"):
            level = logging.ERROR if 400 <= status < 500 else logging.WARNING
            log.log(level, "DingTalk Stream: connections/open answered HTTP %d%s", status,
                    "; check dingtalk.client_id / client_secret and that Stream mode is enabled" if 400 <= status < 500 else "")
            return None
        return {"endpoint": str(payload["endpoint"]), "ticket": str(payload["ticket"])}

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, serve, reconnect with backoff; returns once `stop()` is called."""
        self.pre_start()
        worker = self._spawn(self._work(), "dingtalk-stream-worker")
        attempt = 0
        try:
            while not self._stopping.is_set():
                connection = await self.open_connection_async()
                received = False
                if connection is not None:
                    uri = f'{connection["endpoint"]}?ticket={quote_plus(connection["ticket"])}'
                    try:
                        received = await self._serve(uri)
                    except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
                        log.warning("DingTalk Stream connection lost: %s", type(exc).__name__)
                    except Exception:
                        log.exception("DingTalk Stream session failed unexpectedly; reconnecting")
                if self._stopping.is_set():
                    break
                attempt = 0 if received else attempt + 1
                delay = 0.0 if received else backoff_delay(attempt - 1, base=self.reconnect_base, max_delay=self.reconnect_max)
                if delay:
                    log.info("DingTalk Stream reconnecting in %.1f s", delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), delay)
        finally:
            worker.cancel()
            await self._cancel_tasks()

    async def stop(self) -> None:
        self._stopping.set()
        websocket = self._websocket
        if websocket is not None:
            with contextlib.suppress(Exception):
                await websocket.close()

    async def _serve(self, uri: str) -> bool:
        """One websocket session; True when at least one frame came through it."""
        received = False
        async with websockets.connect(
            uri, open_timeout=10, ping_interval=20, ping_timeout=20, max_size=2**22, logger=_websocket_log
        ) as websocket:
            self._websocket = websocket
            self.connections += 1
            log.info("DingTalk Stream connected")
            try:
                if self._stopping.is_set():
                    return received
                async for raw in websocket:
                    received = True
                    await self._on_frame(raw, websocket)
            except websockets.exceptions.ConnectionClosed as exc:
                log.warning("DingTalk Stream connection closed: code=%s", exc.rcvd.code if exc.rcvd else "none")
            finally:
                self._websocket = None
        return received

    async def _on_frame(self, raw: str | bytes, websocket: Any) -> None:
        try:
            frame = json.loads(raw)
            kind = frame.get("type", "")
        except (ValueError, AttributeError):
            log.warning("DingTalk Stream: a frame that is not JSON was ignored")
            return
        try:
            if kind == SystemMessage.TYPE:
                await self._on_system(SystemMessage.from_dict(frame), websocket)
            elif kind == CallbackMessage.TYPE:
                self._on_callback(CallbackMessage.from_dict(frame), websocket)
            else:
                log.warning("DingTalk Stream: frame of type %r ignored", kind)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("DingTalk Stream: malformed %s frame ignored (%s)", kind, type(exc).__name__)

    async def _on_system(self, message: SystemMessage, websocket: Any) -> None:
        ack = await self.system_handler.raw_process(message)
        await self._send_ack(websocket, json.dumps(ack.to_dict()))
        if message.headers.topic == SystemMessage.TOPIC_DISCONNECT:
            log.info("DingTalk Stream: the server asked to reconnect")
            await websocket.close()

    def _on_callback(self, message: CallbackMessage, websocket: Any) -> None:
        message_id = message.headers.message_id or ""
        cached = self._cached_ack(message_id)
        if cached is not None:
            log.info("DingTalk Stream: frame %s delivered again; replaying its ACK", message_id)
            self._spawn(self._replay_ack(cached, websocket), "dingtalk-ack-replay")
            return
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        if message_id:
            self._acks[message_id] = (time.monotonic(), future)
        self._queue.put_nowait((message, websocket, future))

    async def _work(self) -> None:
        """Handle robot messages in the order they arrived."""
        while True:
            message, websocket, future = await self._queue.get()
            ack = await self._handle(message)
            if not future.done():
                future.set_result(ack)
            if ack is None:
                self._acks.pop(message.headers.message_id or "", None)
            else:
                await self._send_ack(websocket, ack)

    async def _handle(self, message: CallbackMessage) -> str | None:
        handler = self.callback_handler_map.get(message.headers.topic)
        if handler is None:
            log.warning("DingTalk Stream: no handler for topic %s", message.headers.topic)
            ack = AckMessage()
            ack.code = AckMessage.STATUS_NOT_IMPLEMENT
            ack.headers.message_id = message.headers.message_id
            ack.headers.content_type = "application/json"
            ack.data = {"response": "not implemented"}
            return json.dumps(ack.to_dict())
        try:
            ack = await handler.raw_process(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("DingTalk message %s could not be handled; not acknowledged, DingTalk will deliver it again",
                          message.headers.message_id)
            return None
        return json.dumps(ack.to_dict())

    def _cached_ack(self, message_id: str) -> asyncio.Future[str | None] | None:
        now = time.monotonic()
        while self._acks:
            oldest_id, (at, _future) = next(iter(self._acks.items()))
            if now - at <= ACK_CACHE_SECONDS and len(self._acks) <= ACK_CACHE_SIZE:
                break
            self._acks.pop(oldest_id)
        entry = self._acks.get(message_id) if message_id else None
        return entry[1] if entry else None

    async def _replay_ack(self, future: asyncio.Future[str | None], websocket: Any) -> None:
        ack = await asyncio.shield(future)
        if ack is not None:
            await self._send_ack(websocket, ack)

    async def _send_ack(self, websocket: Any, ack: str) -> None:
        try:
            await websocket.send(ack)
        except websockets.exceptions.ConnectionClosed:
            log.warning("DingTalk Stream: ACK not sent, the connection had closed; DingTalk will deliver again")

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def create_stream_client(
    bot: InboundHandler,
    *,
    client_id: str,
    client_secret: str,
    api_base: str,
    http: Callable[[], aiohttp.ClientSession],
    reconnect_base: float = 1.0,
) -> GendanStreamClient:
    client = GendanStreamClient(
        Credential(client_id, client_secret), http=http, api_base=api_base, reconnect_base=reconnect_base
    )
    client.register_callback_handler(ChatbotMessage.TOPIC, RobotMessageHandler(bot))
    return client
