"""A fake DingTalk on 127.0.0.1 speaking the wire formats gendan uses.

- `POST /v1.0/gateway/connections/open` hands out single-use tickets for the websocket gateway.
- `GET /connect?ticket=` is a real websocket gateway: tests push CALLBACK / SYSTEM frames (with
  `data` as a JSON *string*, as DingTalk sends it) and read the ACKs the client sends back.
- `POST /robot/sendBySession?session=` is every message's sessionWebhook.
- `POST /v1.0/oauth2/accessToken`, `POST /v1.0/robot/groupMessages/send`: the OpenAPI.
- `POST /robot/send?access_token=&timestamp=&sign=`: custom robots, checking 加签.

Any endpoint answers with queued canned failures first (`fail(...)`), then normally.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiohttp import WSMsgType, web

BOT_DINGTALK_ID = "$:LWCP_v1:$botbotbot"


@dataclass
class Canned:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: Any


class Media(NamedTuple):
    """One media upload as the fake keeps it."""

    filename: str
    data: bytes


class FakeDingTalk:
    def __init__(self, *, client_id: str = "dingappkey", client_secret: str = "app-secret-value") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = 7200
        self.robot_secrets: dict[str, str | None] = {}
        """Custom robots: access_token -> 加签 secret (None: no signing)."""
        self.expired_sessions: set[str] = set()
        self.requests: dict[str, list[Recorded]] = {}
        self.acks: list[dict[str, Any]] = []
        self.tickets: list[str] = []
        self.tokens_issued: list[str] = []
        self.revoked_tokens: set[str] = set()
        self.media: dict[str, Media] = {}
        """media_id -> (file name, bytes) of every media upload (pictures and files)."""
        self.missing_permission: str | None = None
        """A permission the app lacks (e.g. qyapi_robot_sendmsg): the group send answers HTTP 403."""
        self._failures: dict[str, list[Canned]] = {}
        self._passes: dict[str, int] = {}
        self._valid_tickets: set[str] = set()
        self._sockets: list[tuple[web.WebSocketResponse, web.Request]] = []
        self._connected = asyncio.Condition()
        self._ack_arrived = asyncio.Condition()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.media: dict[str, bytes] = {}
        """Uploaded media: media_id -> the bytes."""

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeDingTalk:
        app = web.Application()
        app.router.add_post("/v1.0/gateway/connections/open", self._open_connection)
        app.router.add_get("/connect", self._connect)
        app.router.add_post("/v1.0/oauth2/accessToken", self._access_token)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        app.router.add_post("/robot/sendBySession", self._send_by_session)
        app.router.add_post("/robot/send", self._robot_send)
        app.router.add_post("/media/upload", self._media_upload)
        # No access log: it would print query strings with tokens into the caplog of secret tests.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        for ws, _request in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls -----------------------------------------------------------------------

    def fail(
        self, endpoint: str, status: int, body: dict[str, Any] | None = None, *, times: int = 1, delay: float = 0.0, after: int = 0
    ) -> None:
        """Queue `times` failures on `endpoint` (open, token, group_send, session, robot_send),
        answered once `after` more requests have gone through normally."""
        self._passes[endpoint] = after
        self._failures.setdefault(endpoint, []).extend(Canned(status, body or {}, delay) for _ in range(times))

    def recover(self) -> None:
        """Drop every queued failure: the platform works again."""
        self._failures.clear()
        self._passes.clear()

    def recorded(self, endpoint: str) -> list[Recorded]:
        return self.requests.get(endpoint, [])

    @property
    def connection_count(self) -> int:
        return len(self.tickets)

    async def wait_connected(self, count: int = 1, timeout: float = 10.0) -> web.WebSocketResponse:
        """Wait until the client has opened `count` websocket sessions; the newest one."""
        async with self._connected:
            await asyncio.wait_for(self._connected.wait_for(lambda: len(self._sockets) >= count), timeout)
            return self._sockets[-1][0]

    async def send_frame(self, frame: dict[str, Any]) -> None:
        ws = self._sockets[-1][0]
        await ws.send_str(json.dumps(frame, ensure_ascii=False))

    async def send_callback(self, data: dict[str, Any], *, message_id: str | None = None, topic: str = "/v1.0/im/bot/messages/get") -> str:
        message_id = message_id or f"frame_{next(self._ids)}_{uuid.uuid4().hex[:8]}"
        await self.send_frame(
            {
                "specVersion": "1.0",
                "type": "CALLBACK",
                "headers": {
                    "appId": "app-1",
                    "connectionId": "conn-1",
                    "contentType": "application/json",
                    "messageId": message_id,
                    "time": str(int(time.time() * 1000)),
                    "topic": topic,
                },
                "data": json.dumps(data, ensure_ascii=False),
            }
        )
        return message_id

    async def send_system(self, topic: str, data: dict[str, Any]) -> str:
        message_id = f"{topic}_{next(self._ids)}"
        await self.send_frame(
            {
                "specVersion": "1.0",
                "type": "SYSTEM",
                "headers": {
                    "contentType": "application/json",
                    "messageId": message_id,
                    "time": str(int(time.time() * 1000)),
                    "topic": topic,
                },
                "data": json.dumps(data),
            }
        )
        return message_id

    async def wait_ack(self, message_id: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        def matching() -> list[dict[str, Any]]:
            return [a for a in self.acks if a.get("headers", {}).get("messageId") == message_id]

        async with self._ack_arrived:
            await asyncio.wait_for(self._ack_arrived.wait_for(lambda: len(matching()) >= count), timeout)
        return matching()

    async def wait_requests(self, endpoint: str, count: int = 1, timeout: float = 10.0) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while len(self.recorded(endpoint)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{endpoint}: {len(self.recorded(endpoint))} requests, expected {count}")
            await asyncio.sleep(0.01)
        return self.recorded(endpoint)

    def drop_connection(self) -> None:
        """Abort the newest websocket's TCP connection without a close frame."""
        _ws, request = self._sockets[-1]
        assert request.transport is not None
        request.transport.abort()

    def robot_message(
        self,
        text: str,
        *,
        msg_id: str | None = None,
        conversation_id: str = "cidGroupA==",
        title: str = "焊接车间群",
        staff_id: str = "user001",
        nick: str = "张三",
        session: str = "s1",
        session_expires_ms: int | None = None,
        conversation_type: str = "2",
    ) -> dict[str, Any]:
        """A robot message as DingTalk sends it (the bot's @ already removed, its space kept)."""
        now = int(time.time() * 1000)
        data: dict[str, Any] = {
            "conversationId": conversation_id,
            "atUsers": [{"dingtalkId": BOT_DINGTALK_ID}],
            "chatbotCorpId": "dingcorp",
            "chatbotUserId": BOT_DINGTALK_ID,
            "msgId": msg_id or f"msg{uuid.uuid4().hex}",
            "senderNick": nick,
            "isAdmin": False,
            "senderStaffId": staff_id,
            "sessionWebhookExpiredTime": session_expires_ms if session_expires_ms is not None else now + 5_400_000,
            "createAt": now,
            "senderCorpId": "dingcorp",
            "conversationType": conversation_type,
            "senderId": f"$:LWCP_v1:${staff_id}",
            "isInAtList": True,
            "sessionWebhook": f"{self.base_url}/robot/sendBySession?session={session}",
            "text": {"content": f" {text}"},
            "robotCode": self.client_id,
            "msgtype": "text",
        }
        if conversation_type == "2":
            data["conversationTitle"] = title
        return data

    def sign(self, timestamp: str, secret: str | None = None) -> str:
        secret = self.client_secret if secret is None else secret
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    # --- endpoints ---------------------------------------------------------------------------

    async def _record(self, endpoint: str, request: web.Request) -> Recorded:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        recorded = Recorded(request.path, dict(request.headers), dict(request.query), body)
        self.requests.setdefault(endpoint, []).append(recorded)
        return recorded

    async def _canned(self, endpoint: str) -> web.Response | None:
        queue = self._failures.get(endpoint)
        if not queue:
            return None
        if self._passes.get(endpoint, 0) > 0:
            self._passes[endpoint] -= 1
            return None
        canned = queue.pop(0)
        if canned.delay:
            await asyncio.sleep(canned.delay)
        return web.json_response(canned.body, status=canned.status)

    async def _open_connection(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record("open", request)
        if (failure := await self._canned("open")) is not None:
            return failure
        body = recorded.body or {}
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}, status=400)
        ticket = uuid.uuid4().hex
        self._valid_tickets.add(ticket)
        return web.json_response({"endpoint": f"ws{self.base_url.removeprefix('http')}/connect", "ticket": ticket})

    async def _connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._valid_tickets:
            return web.Response(status=403, text="invalid ticket")
        self._valid_tickets.discard(ticket)  # single use
        self.tickets.append(ticket)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async with self._connected:
            self._sockets.append((ws, request))
            self._connected.notify_all()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                async with self._ack_arrived:
                    self.acks.append(json.loads(message.data))
                    self._ack_arrived.notify_all()
        return ws

    async def _access_token(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record("token", request)
        if (failure := await self._canned("token")) is not None:
            return failure
        body = recorded.body or {}
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}, status=400)
        token = f"tok-{uuid.uuid4().hex}"
        self.tokens_issued.append(token)
        return web.json_response({"accessToken": token, "expireIn": self.token_lifetime})

    async def _group_send(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record("group_send", request)
        if (failure := await self._canned("group_send")) is not None:
            return failure
        token = request.headers.get("x-acs-dingtalk-access-token")
        if not token:
            return web.json_response({"code": "AuthenticationFailed.MissingParameter", "message": "缺少token"}, status=400)
        if token not in self.tokens_issued or token in self.revoked_tokens:
            return web.json_response({"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=400)
        if self.missing_permission:
            return web.json_response({"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                                      "message": f"应用尚未开通所需的权限：[{self.missing_permission}]"}, status=403)
        body = recorded.body or {}
        if body.get("robotCode") != self.client_id:
            return web.json_response({"code": "invalidParameter.robotCode.notExsit", "message": "robotCode不存在"}, status=400)
        try:
            param = json.loads(body.get("msgParam", ""))
        except (TypeError, ValueError):
            return web.json_response({"code": "invalidParameter.msgParam.invalid", "message": "msgParam must be JSON"}, status=400)
        shapes = {"sampleMarkdown": {"title", "text"}, "sampleFile": {"mediaId", "fileName", "fileType"},
                  "sampleImageMsg": {"photoURL"}}
        if body.get("msgKey") == "sampleImageMsg" and (set(param) != {"photoURL"} or param["photoURL"] not in self.media):
            return web.json_response({"code": "invalidParameter.msgParam.invalid", "message": "photoURL invalid"},
                                     status=400)
        if body.get("msgKey") not in shapes or not shapes[body["msgKey"]] <= set(param):
            return web.json_response({"code": "invalidParameter.msgKey.invalid", "message": "msgKey invalid"}, status=400)
        if body["msgKey"] == "sampleFile" and param["mediaId"] not in self.media:
            return web.json_response({"code": "invalidParameter.mediaId.invalid", "message": "mediaId无效"}, status=400)
        return web.json_response({"processQueryKey": uuid.uuid4().hex})

    async def _media_upload(self, request: web.Request) -> web.StreamResponse:
        """oapi `/media/upload?access_token=…&type=image|voice|video|file`, multipart field `media`."""
        self.requests.setdefault("media_upload", []).append(
            Recorded(request.path, dict(request.headers), dict(request.query), None))
        if (failure := await self._canned("media_upload")) is not None:
            return failure
        token = request.query.get("access_token", "")
        if token not in self.tokens_issued or token in self.revoked_tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        kind = request.query.get("type")
        if kind not in ("image", "voice", "video", "file"):
            return web.json_response({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return web.json_response({"errcode": 41001, "errmsg": "缺少media参数"})
        data = media.file.read()
        if kind == "image" and not data.startswith(b"\x89PNG\r\n\x1a\n") and not data.startswith(b"\xff\xd8\xff"):
            return web.json_response({"errcode": 40005, "errmsg": "不合法的文件类型"})
        if len(data) > 20 * 1024 * 1024:
            return web.json_response({"errcode": 40006, "errmsg": "不合法的文件大小"})
        media_id = f"@lA{uuid.uuid4().hex}"
        self.media[media_id] = Media(media.filename, data)
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id,
                                  "created_at": int(time.time() * 1000)})

    async def _send_by_session(self, request: web.Request) -> web.StreamResponse:
        await self._record("session", request)
        if (failure := await self._canned("session")) is not None:
            return failure
        if request.query.get("session") in self.expired_sessions:
            return web.json_response({"errcode": 300001, "errmsg": "session is expired"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _robot_send(self, request: web.Request) -> web.StreamResponse:
        await self._record("robot_send", request)
        if (failure := await self._canned("robot_send")) is not None:
            return failure
        token = request.query.get("access_token", "")
        if token not in self.robot_secrets:
            return web.json_response({"errcode": 300005, "errmsg": "token is not exist"})
        secret = self.robot_secrets[token]
        if secret is not None:
            timestamp = request.query.get("timestamp", "")
            if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3_600_000:
                return web.json_response({"errcode": 310000, "errmsg": "invalid timestamp"})
            if not hmac.compare_digest(request.query.get("sign", ""), self.sign(timestamp, secret)):
                return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})
