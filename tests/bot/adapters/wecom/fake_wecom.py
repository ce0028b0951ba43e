"""A fake WeCom on 127.0.0.1: real HTTP and a real websocket, speaking the documented wire formats.

Its AES is an independent implementation with `cryptography` (the official WXBizJsonMsgCrypt
algorithm), not wechatpy's, so the adapter (which uses wechatpy) is checked against a second
implementation; the known-answer tests pin both to the official vectors.

Endpoints: group webhook `POST /cgi-bin/webhook/send?key=`, `GET /cgi-bin/gettoken`,
`POST /cgi-bin/message/send?access_token=`, `POST /cgi-bin/aibot/response?response_code=`,
and the 智能机器人 long connection at `/ws` (one live connection per bot: a new subscription sends
`disconnected_event` to the old one and closes it; 30 messages a minute and 1,000 an hour per
conversation, replies and proactive sends together, answered with 45009 beyond that). Error codes
are returned on demand.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import struct
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sign(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


class AesCodec:
    """AES-256-CBC, IV = key[:16], PKCS#7 to 32 bytes, random16 ‖ len ‖ msg ‖ receiveid."""

    def __init__(self, encoding_aes_key: str, receive_id: str = "") -> None:
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.receive_id = receive_id

    def encrypt(self, plaintext: str, random_prefix: bytes | None = None) -> str:
        msg = plaintext.encode()
        data = (random_prefix or os.urandom(16)) + struct.pack(">I", len(msg)) + msg + self.receive_id.encode()
        pad = 32 - len(data) % 32
        data += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(enc.update(data) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> tuple[str, str]:
        """(message, receive id)."""
        dec = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        data = dec.update(base64.b64decode(encrypted)) + dec.finalize()
        data = data[: -data[-1]]
        length = struct.unpack(">I", data[16:20])[0]
        return data[20 : 20 + length].decode(), data[20 + length :].decode()


@dataclass
class Signed:
    """One callback as WeCom would send it: query parameters and JSON body."""

    params: dict[str, str]
    body: dict[str, Any]


def group_text(text: str, *, msgid: str, chatid: str = "wrTEST", userid: str = "zhangsan",
               response_url: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "msgid": msgid,
        "aibotid": "AIBOTID",
        "chatid": chatid,
        "chattype": "group",
        "from": {"userid": userid},
        "msgtype": "text",
        "text": {"content": text},
    }
    if response_url:
        payload["response_url"] = response_url
    return payload


def _image_refusal(image: dict[str, Any]) -> dict[str, Any] | None:
    """Check an `image` webhook message as documented: base64 of a JPG/PNG of at most 2 MB and the
    md5 (hex) of the raw bytes. None when it is good, else the error answer."""
    try:
        data = base64.b64decode(image.get("base64", ""), validate=True)
    except (ValueError, TypeError):
        return {"errcode": 40008, "errmsg": "invalid image base64"}
    if not data or len(data) > 2 * 1024 * 1024:
        return {"errcode": 40009, "errmsg": "invalid image size"}
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        return {"errcode": 40008, "errmsg": "invalid image type: JPG or PNG only"}
    if image.get("md5") != hashlib.md5(data).hexdigest():
        return {"errcode": 40008, "errmsg": "image md5 mismatch"}
    return None


@dataclass
class FakeWeCom:
    token: str = "gendanToken"
    encoding_aes_key: str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
    bot_id: str = "BOTID-TEST"
    bot_secret: str = "bot-secret-value"
    corp_id: str = "wwCORP"
    agent_secret: str = "agent-secret-value"
    webhook_keys: set[str] = field(default_factory=set)
    webhook_rate_limit: int = 20

    webhook_posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    webhook_errors: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    webhook_delays: deque[float] = field(default_factory=deque)
    """Seconds to stall the next webhook requests before answering (a slow or hanging WeCom)."""
    uploads: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    """media_id -> (webhook key, file name, bytes) of every `upload_media` (type=file)."""
    app_messages: list[dict[str, Any]] = field(default_factory=list)
    app_errors: deque[int] = field(default_factory=deque)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ws_frames: list[dict[str, Any]] = field(default_factory=list)
    token_fetches: int = 0
    conversation_limits: tuple[tuple[int, float], ...] = ((30, 60.0), (1000, 3600.0))
    """Per conversation, replies and proactive sends together (path/101463): (count, seconds)."""
    ws_errors: deque[int] = field(default_factory=deque)
    """errcodes to answer the next aibot_send_msg / aibot_respond_msg frames with."""
    kick_after_subscribe: bool = False
    """Close every connection right after its subscription succeeds (a flapping network)."""

    def __post_init__(self) -> None:
        self.codec = AesCodec(self.encoding_aes_key)
        self._tokens: set[str] = set()
        self._used_codes: set[str] = set()
        self._code_issued: dict[str, float] = {}
        self._webhook_times: dict[str, deque[float]] = defaultdict(deque)
        self._conversation_times: dict[str, deque[float]] = defaultdict(deque)
        self.subscribe_times: list[float] = []
        self.over_limit: list[str] = []
        """Conversations that got the over-limit errcode."""
        self._sockets: list[web.WebSocketResponse] = []
        self._ws_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reply_conversations: dict[str, str] = {}
        self.subscribed = asyncio.Event()
        self.subscriptions = 0
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    # --- server ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/cgi-bin/webhook/send", self._webhook)
        app.router.add_post("/cgi-bin/webhook/upload_media", self._upload_media)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._message_send)
        app.router.add_post("/cgi-bin/aibot/response", self._aibot_response)
        app.router.add_get("/ws", self._ws)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    def webhook_url(self, key: str) -> str:
        self.webhook_keys.add(key)
        return f"{self.base_url}/cgi-bin/webhook/send?key={key}"

    def response_url(self, code: str = "", *, issued_seconds_ago: float = 0.0) -> str:
        """A response_url as a callback carries it: usable once, for one hour (path/101138)."""
        code = code or secrets.token_hex(8)
        self._code_issued[code] = time.monotonic() - issued_seconds_ago
        return f"{self.base_url}/cgi-bin/aibot/response?response_code={code}"

    # --- the bot → WeCom HTTP endpoints ----------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.Response:
        key = request.query.get("key", "")
        raw = await request.read()  # received first: a slow answer does not mean the post was not taken
        if self.webhook_delays:
            await asyncio.sleep(self.webhook_delays.popleft())
        if key not in self.webhook_keys:
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        if self.webhook_errors[key]:
            code = self.webhook_errors[key].popleft()
            return web.json_response({"errcode": code, "errmsg": "fake error"})
        body = json.loads(raw)
        times = self._webhook_times[key]
        now = time.monotonic()
        while times and now - times[0] >= 60:
            times.popleft()
        times.append(now)  # failed sends count as well
        if len(times) > self.webhook_rate_limit:
            return web.json_response({"errcode": 45009, "errmsg": "api freq out of limit"})
        if body.get("msgtype") == "markdown":
            if len(body["markdown"]["content"].encode()) > 4096:
                return web.json_response({"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
        if body.get("msgtype") == "file" and body.get("file", {}).get("media_id") not in self.uploads:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        if body.get("msgtype") == "image" and (refusal := _image_refusal(body.get("image") or {})):
            return web.json_response(refusal)
        self.webhook_posts.append((key, body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _upload_media(self, request: web.Request) -> web.Response:
        """`upload_media?key=KEY&type=file|voice`: multipart field `media`; media_id for 3 days."""
        key = request.query.get("key", "")
        if key not in self.webhook_keys:
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        if request.query.get("type") not in ("file", "voice"):
            return web.json_response({"errcode": 40004, "errmsg": "invalid media type"})
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return web.json_response({"errcode": 40005, "errmsg": "media field missing"})
        data = media.file.read()
        if len(data) <= 5 or len(data) > 20 * 1024 * 1024:
            return web.json_response({"errcode": 40006, "errmsg": "invalid file size"})
        media_id = "media-" + secrets.token_hex(6)
        self.uploads[media_id] = (key, media.filename, data)
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id,
                                  "created_at": str(int(time.time()))})

    async def _gettoken(self, request: web.Request) -> web.Response:
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") != self.agent_secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.token_fetches += 1
        token = f"T{self.token_fetches}"
        self._tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def expire_tokens(self) -> None:
        self._tokens.clear()

    async def _message_send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self._tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if self.app_errors:
            return web.json_response({"errcode": self.app_errors.popleft(), "errmsg": "fake error"})
        self.app_messages.append(json.loads(await request.read()))
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": secrets.token_hex(8)})

    async def _aibot_response(self, request: web.Request) -> web.Response:
        code = request.query.get("response_code", "")
        if code in self._used_codes:
            # The real errcode for a second use is not documented; the fake picks a nonzero one.
            return web.json_response({"errcode": 40001, "errmsg": "response_code used"})
        issued = self._code_issued.get(code)
        if issued is None or time.monotonic() - issued > 3600:
            # Unknown or older than an hour; the real errcode is not documented either.
            return web.json_response({"errcode": 40001, "errmsg": "response_code expired"})
        self._used_codes.add(code)
        self.responses.append((code, json.loads(await request.read())))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # --- WeCom → bot callbacks -------------------------------------------------------------

    def sign_callback(self, payload: dict[str, Any], *, timestamp: int | None = None, nonce: str | None = None,
                      codec: AesCodec | None = None) -> Signed:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(6)
        encrypted = (codec or self.codec).encrypt(json.dumps(payload, ensure_ascii=False))
        params = {"msg_signature": sign(self.token, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}
        return Signed(params, {"encrypt": encrypted})

    def sign_echo(self, echo: str, *, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(6)
        encrypted = self.codec.encrypt(echo)
        return {"msg_signature": sign(self.token, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce,
                "echostr": encrypted}

    def open_reply(self, body: dict[str, Any], nonce: str) -> dict[str, Any]:
        """Check a passive reply's signature and nonce as WeCom would, and decrypt it."""
        assert body["nonce"] == nonce, "the reply must echo the callback's nonce"
        expected = sign(self.token, str(body["timestamp"]), body["nonce"], body["encrypt"])
        assert body["msgsignature"] == expected, "passive reply signature does not verify"
        plaintext, receive_id = self.codec.decrypt(body["encrypt"])
        assert receive_id == ""
        return json.loads(plaintext)

    # --- the long connection ---------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        authed = False
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.ws_frames.append(frame)
                cmd = frame.get("cmd")
                req_id = frame["headers"]["req_id"]
                if cmd == "aibot_subscribe":
                    body = frame.get("body") or {}
                    ok = body.get("bot_id") == self.bot_id and body.get("secret") == self.bot_secret
                    await ws.send_json({"headers": {"req_id": req_id}, "errcode": 0 if ok else 40001,
                                        "errmsg": "ok" if ok else "invalid bot secret"})
                    if ok:
                        authed = True
                        self.subscriptions += 1
                        self.subscribe_times.append(time.monotonic())
                        await self._displace_others(ws)
                        self.subscribed.set()
                        if self.kick_after_subscribe:
                            await ws.close()
                    continue
                if not authed:
                    await ws.send_json({"headers": {"req_id": req_id}, "errcode": 40001, "errmsg": "not subscribed"})
                    continue
                if cmd in ("aibot_send_msg", "aibot_respond_msg"):
                    errcode = self._conversation_errcode(frame)
                    if errcode:
                        await ws.send_json({"headers": {"req_id": req_id}, "errcode": errcode,
                                            "errmsg": "api freq out of limit" if errcode == 45009 else "fake error"})
                        continue
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"})
                waiter = self._ws_waiters.pop(req_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(frame)
        finally:
            self._sockets.remove(ws)
            if not self._sockets:
                self.subscribed.clear()
        return ws

    async def _displace_others(self, ws: web.WebSocketResponse) -> None:
        """One live connection per bot: a new subscription kicks the old one, which is told so."""
        for other in [s for s in self._sockets if s is not ws and not s.closed]:
            await other.send_json({"cmd": "aibot_event_callback", "headers": {"req_id": secrets.token_hex(8)},
                                   "body": {"msgid": secrets.token_hex(8), "create_time": int(time.time()),
                                            "aibotid": self.bot_id, "msgtype": "event",
                                            "event": {"eventtype": "disconnected_event"}}})
            await other.close()

    def _conversation_errcode(self, frame: dict[str, Any]) -> int:
        if self.ws_errors:
            return self.ws_errors.popleft()
        body = frame.get("body") or {}
        conversation = body.get("chatid") or self._reply_conversations.get(frame["headers"]["req_id"], "")
        times = self._conversation_times[conversation]
        now = time.monotonic()
        longest = max(seconds for _, seconds in self.conversation_limits)
        while times and now - times[0] >= longest:
            times.popleft()
        if any(sum(1 for t in times if now - t < seconds) >= count for count, seconds in self.conversation_limits):
            self.over_limit.append(conversation)
            return 45009
        times.append(now)
        return 0

    async def push_callback(self, payload: dict[str, Any], req_id: str | None = None) -> asyncio.Future[dict[str, Any]]:
        """Send `aibot_msg_callback` on the live connection; the future gets the bot's respond frame."""
        await asyncio.wait_for(self.subscribed.wait(), 10)
        req_id = req_id or secrets.token_hex(8)
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ws_waiters[req_id] = waiter
        self._reply_conversations[req_id] = payload.get("chatid") or (payload.get("from") or {}).get("userid", "")
        await self._sockets[-1].send_json({"cmd": "aibot_msg_callback", "headers": {"req_id": req_id}, "body": payload})
        return waiter

    async def drop_connections(self) -> None:
        for ws in list(self._sockets):
            await ws.close()

    def sent_frames(self, cmd: str) -> list[dict[str, Any]]:
        return [f for f in self.ws_frames if f.get("cmd") == cmd]
