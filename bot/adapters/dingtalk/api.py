"""DingTalk's outgoing HTTP APIs over aiohttp: access token, app-robot group send, session webhook,
custom-robot webhook with 加签.

Every failure becomes a `DeliveryError` whose `retryable` says whether trying again can help.
Tokens, secrets, webhook URLs and session URLs never reach a log line: URLs are logged by host
and path only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import aiohttp
from yarl import URL

from bot.adapters.sending import TokenCache
from handlers.messages import DeliveryError

log = logging.getLogger(__name__)

TOKEN_PATH = "/v1.0/oauth2/accessToken"
GROUP_SEND_PATH = "/v1.0/robot/groupMessages/send"
ROBOT_SEND_PATH = "/robot/send"
MEDIA_UPLOAD_PATH = "/media/upload"
TOKEN_REFRESH_MARGIN = 300
"""Seconds before expiry at which a cached access token is replaced."""
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)

# OpenAPI error codes (HTTP 400 body "code") that retrying can fix.
_AUTH_CODES = {"InvalidAuthentication", "AuthenticationFailed.MissingParameter", "Forbidden.AccessDenied.AccessTokenPermissionDenied"}
# Custom-robot / session-webhook errcodes that mean "too fast": retry later.
_THROTTLE_ERRCODES = {130101, 660026, 410100}


def safe_url(url: str) -> str:
    """Host and path of a URL, without its query (which carries tokens and session keys)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def callback_signature(timestamp: str, secret: str) -> str:
    """base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), as DingTalk signs callbacks and
    as a custom robot expects 加签 (the robot URL-encodes it)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _is_throttle_code(code: str) -> bool:
    lowered = code.lower()
    return "toofast" in lowered or "throttl" in lowered or "flowcontrol" in lowered or "limit" in lowered


@dataclass(frozen=True)
class RobotWebhook:
    """A custom robot's webhook as kept in `Chat.webhook_url`: the DingTalk URL with its
    `access_token`, plus an optional `secret=SEC...` query parameter holding the 加签 secret."""

    access_token: str
    secret: str | None

    @classmethod
    def parse(cls, url: str) -> RobotWebhook:
        query = parse_qs(urlsplit(url).query)
        token = (query.get("access_token") or [""])[0]
        if not token:
            raise DeliveryError("群机器人 webhook 地址缺少 access_token", retryable=False)
        secret = (query.get("secret") or [None])[0]
        return cls(access_token=token, secret=secret)


class AccessTokenCache(TokenCache):
    """The app's access token (the adapters' one `TokenCache`), fetched from DingTalk's OAuth2 endpoint."""

    def __init__(
        self,
        http: Callable[[], aiohttp.ClientSession],
        api_base: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: aiohttp.ClientTimeout = REQUEST_TIMEOUT,
    ) -> None:
        super().__init__(self._fetch_token, margin=TOKEN_REFRESH_MARGIN, clock=clock)
        self._http = http
        self._timeout = timeout
        self._url = api_base + TOKEN_PATH
        self._client_id = client_id
        self._client_secret = client_secret

    async def _fetch_token(self) -> tuple[str, int]:
        body = {"appKey": self._client_id, "appSecret": self._client_secret}
        try:
            async with self._http().post(self._url, json=body, timeout=self._timeout) as response:
                status = response.status
                payload = await _json_or_empty(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"获取钉钉 access token 失败：网络错误 {type(exc).__name__}", retryable=True) from None
        if status == 200 and isinstance(payload.get("accessToken"), str) and payload.get("expireIn"):
            return payload["accessToken"], int(payload["expireIn"])
        code = str(payload.get("code", ""))
        if status >= 500 or status == 429 or _is_throttle_code(code):
            log.warning("DingTalk token endpoint answered HTTP %d %s; will retry", status, code)
            raise DeliveryError(f"获取钉钉 access token 失败：HTTP {status}", retryable=True)
        log.error(
            "DingTalk refused the access token request: HTTP %d code=%s message=%s; check dingtalk.client_id and client_secret",
            status,
            code,
            payload.get("message", ""),
        )
        raise DeliveryError(f"获取钉钉 access token 失败（{code or status}），请检查 client_id / client_secret", retryable=False)


async def _json_or_empty(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return data if isinstance(data, dict) else {}


def markdown_title(text: str, fallback: str) -> str:
    """The notification preview title: the first line without markdown marks, at most 30 chars."""
    for line in text.splitlines():
        plain = re.sub(r"[#*>`_~\[\]]", "", line).strip()
        if plain:
            return plain[:30]
    return fallback


def markdown_body(title: str, text: str, at_user_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """The webhook (session or custom robot) body of a markdown message."""
    if at_user_ids:
        text = text + "\n\n" + " ".join(f"@{uid}" for uid in at_user_ids)
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
        "at": {"atUserIds": list(at_user_ids), "isAtAll": False},
    }


class DingTalkApi:
    """The calls gendan makes to DingTalk. `http` returns the app's shared ClientSession."""

    def __init__(
        self,
        http: Callable[[], aiohttp.ClientSession],
        *,
        api_base: str,
        oapi_base: str,
        client_id: str,
        client_secret: str,
        robot_code: str,
        clock: Callable[[], float] = time.monotonic,
        timeout: aiohttp.ClientTimeout = REQUEST_TIMEOUT,
    ) -> None:
        self.tokens = AccessTokenCache(http, api_base, client_id, client_secret, clock=clock, timeout=timeout)
        self._http, self._timeout = http, timeout
        self.api_base, self.oapi_base = api_base, oapi_base
        self.robot_code = robot_code

    @property
    def can_send_to_groups(self) -> bool:
        return bool(self.robot_code)

    async def send_group_markdown(self, open_conversation_id: str, title: str, text: str) -> str:
        """POST /v1.0/robot/groupMessages/send with sampleMarkdown; returns the processQueryKey.

        A rejected token is refreshed and the send tried once more at once.
        """
        token = await self.tokens.get()
        try:
            return await self._group_send(token, open_conversation_id, title, text)
        except _TokenRejected:
            self.tokens.invalidate(token)
            log.warning("DingTalk rejected the access token; fetching a new one and sending again")
        token = await self.tokens.get()
        try:
            return await self._group_send(token, open_conversation_id, title, text)
        except _TokenRejected:
            raise DeliveryError("钉钉连续拒绝 access token", retryable=True) from None

    async def send_group_file(self, open_conversation_id: str, filename: str, data: bytes) -> str:
        """Upload `data` as media (`/media/upload`, type=file), then send it to the group as a
        `sampleFile` robot message; returns the processQueryKey."""
        media_id = await self.upload_file(filename, data)
        param = {"mediaId": media_id, "fileName": filename, "fileType": filename.rsplit(".", 1)[-1].lower()}
        token = await self.tokens.get()
        try:
            return await self._group_send(token, open_conversation_id, "", "", msg_key="sampleFile", msg_param=param)
        except _TokenRejected:
            self.tokens.invalidate(token)
            raise DeliveryError("钉钉拒绝了 access token", retryable=True) from None

    async def upload_file(self, filename: str, data: bytes) -> str:
        """POST oapi /media/upload?access_token=…&type=file (multipart field `media`); the media_id."""
        token = await self.tokens.get()
        form = aiohttp.FormData(quote_fields=False)  # the file name as UTF-8, not percent-encoded
        form.add_field("media", data, filename=filename, content_type="application/octet-stream")
        url = URL(f"{self.oapi_base}{MEDIA_UPLOAD_PATH}?access_token={quote_plus(token)}&type=file", encoded=True)
        try:
            async with self._http().post(url, data=form, timeout=self._timeout) as response:
                status = response.status
                payload = await _json_or_empty(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"钉钉文件上传网络错误 {type(exc).__name__}", retryable=True) from None
        media_id = payload.get("media_id")
        if status == 200 and payload.get("errcode", 0) == 0 and isinstance(media_id, str) and media_id:
            return media_id
        errcode, errmsg = payload.get("errcode"), str(payload.get("errmsg", ""))
        if status >= 500 or status == 429 or errcode in _THROTTLE_ERRCODES:
            raise DeliveryError(f"钉钉文件上传暂时失败（{errcode or status}）", retryable=True)
        if errcode in (40014, 42001):  # the token was refused: fetch a new one next time
            self.tokens.invalidate(token)
            raise DeliveryError("钉钉文件上传：access token 无效", retryable=True)
        log.error("DingTalk media upload refused: HTTP %d errcode=%s errmsg=%s", status, errcode, errmsg)
        raise DeliveryError(f"钉钉拒绝了文件上传（{errcode or status}）", retryable=False)

    async def _group_send(
        self, token: str, open_conversation_id: str, title: str, text: str, *, msg_key: str = "sampleMarkdown",
        msg_param: dict[str, Any] | None = None,
    ) -> str:
        body = {
            "robotCode": self.robot_code,
            "openConversationId": open_conversation_id,
            "msgKey": msg_key,
            "msgParam": json.dumps(msg_param or {"title": title, "text": text}, ensure_ascii=False),
        }
        headers = {"x-acs-dingtalk-access-token": token}
        try:
            async with self._http().post(
                self.api_base + GROUP_SEND_PATH, json=body, headers=headers, timeout=self._timeout
            ) as response:
                status = response.status
                payload = await _json_or_empty(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("DingTalk group send: network error %s; will retry", type(exc).__name__)
            raise DeliveryError(f"钉钉群消息发送网络错误 {type(exc).__name__}", retryable=True) from None
        if status == 200:
            return str(payload.get("processQueryKey", ""))
        code = str(payload.get("code", ""))
        message = str(payload.get("message", ""))
        if code in _AUTH_CODES or status == 401:
            raise _TokenRejected()
        if status >= 500 or status == 429 or _is_throttle_code(code):
            log.warning("DingTalk group send: HTTP %d code=%s message=%s; will retry", status, code, message)
            raise DeliveryError(f"钉钉群消息暂时发送失败（HTTP {status} {code}）", retryable=True)
        log.error(
            "DingTalk group send refused for good: HTTP %d code=%s message=%s (%s)",
            status,
            code,
            message,
            _explain(code),
        )
        raise DeliveryError(f"钉钉拒绝了群消息（{code or status}）：{_explain(code)}", retryable=False)

    async def send_session_markdown(self, session_webhook: str, title: str, text: str, at_user_ids: tuple[str, ...] = ()) -> None:
        """Reply through a message's sessionWebhook. `SessionGone` when the session can no longer
        be used (the caller falls back to the group send)."""
        await self._post_webhook(session_webhook, markdown_body(title, text, at_user_ids), session=True)

    async def send_robot_markdown(self, webhook: RobotWebhook, title: str, text: str, at_user_ids: tuple[str, ...] = ()) -> None:
        """Send through a custom robot webhook, signed (加签) when the robot has a secret. The
        request goes to `oapi_base`, whatever host the stored URL names, so a stored URL can
        never send the robot token elsewhere."""
        query = f"access_token={quote_plus(webhook.access_token)}"
        if webhook.secret:
            timestamp = str(int(time.time() * 1000))
            # Encoded here: the base64 sign's "+" must arrive as %2B, not be read as a space.
            query += f"&timestamp={timestamp}&sign={quote_plus(callback_signature(timestamp, webhook.secret))}"
        body = markdown_body(title, text, at_user_ids)
        body["msgUuid"] = uuid.uuid4().hex
        url = URL(f"{self.oapi_base}{ROBOT_SEND_PATH}?{query}", encoded=True)
        await self._post_webhook(url, body, session=False)

    async def _post_webhook(self, url: str | URL, body: dict[str, Any], *, session: bool) -> None:
        what = "session webhook" if session else "custom robot webhook"
        try:
            async with self._http().post(url, json=body, timeout=self._timeout) as response:
                status = response.status
                payload = await _json_or_empty(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("DingTalk %s %s: network error %s", what, safe_url(str(url)), type(exc).__name__)
            raise DeliveryError(f"钉钉 {what} 网络错误", retryable=True) from None
        errcode = payload.get("errcode", 0 if status == 200 else None)
        if status == 200 and errcode == 0:
            return
        errmsg = str(payload.get("errmsg", ""))
        if status >= 500 or status == 429 or errcode in _THROTTLE_ERRCODES:
            log.warning("DingTalk %s: HTTP %d errcode=%s errmsg=%s; will retry", what, status, errcode, errmsg)
            raise DeliveryError(f"钉钉 {what} 暂时失败（{errcode or status}）", retryable=True)
        if session:
            log.info("DingTalk session webhook unusable: HTTP %d errcode=%s errmsg=%s", status, errcode, errmsg)
            raise SessionGone(f"session webhook refused ({errcode or status})")
        log.error("DingTalk custom robot refused the message: HTTP %d errcode=%s errmsg=%s (%s)", status, errcode, errmsg, _explain_errcode(errcode, errmsg))
        raise DeliveryError(f"钉钉群机器人拒绝了消息（{errcode}）：{_explain_errcode(errcode, errmsg)}", retryable=False)


class _TokenRejected(Exception):
    pass


class SessionGone(DeliveryError):
    """The sessionWebhook expired or was refused; the group send is the way left."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


_CODE_EXPLANATIONS = {
    "invalidParameter.robotCode.notExsit": "robot_code 不存在，请核对 dingtalk.robot_code",
    "invalidParameter.robotCode.auth": "应用没有该机器人的权限，请在开发者后台为应用开通机器人",
    "invalid.openConversationId": "群 ID 无效，或机器人不在该群",
    "invalidParameter.msgKey.invalid": "消息类型无效",
    "invalidParameter.msgParam.invalid": "消息内容格式错误",
    "bot.stopped": "机器人已停用",
    "Forbidden.AccessDenied.AccessTokenPermissionDenied": "应用缺少企业内机器人发送消息权限",
}


def _explain(code: str) -> str:
    return _CODE_EXPLANATIONS.get(code, "请查看钉钉开发者后台的错误码说明")


def _explain_errcode(errcode: Any, errmsg: str) -> str:
    if errcode == 310000:
        if "sign" in errmsg:
            return "加签不匹配，请核对 webhook 中的 secret"
        if "keyword" in errmsg:
            return "消息不含机器人安全设置里的关键词"
        if "whitelist" in errmsg:
            return "服务器 IP 不在机器人的 IP 白名单里"
        if "timestamp" in errmsg:
            return "服务器时间与钉钉相差超过一小时"
        return "群机器人安全设置校验失败"
    if errcode == 300005:
        return "webhook 的 access_token 不存在，机器人可能已被移出群"
    return "请查看钉钉自定义机器人的错误码说明"
