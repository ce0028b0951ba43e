"""DingTalk's outgoing HTTP APIs over aiohttp: access token, app-robot group send, session webhook,
custom-robot webhook with 加签.

Every failure becomes a `DeliveryError` whose `retryable` says whether trying again can help.
Tokens, secrets, webhook URLs and session URLs never reach a log line: URLs are logged by host
and path only.
"""

from __future__ import annotations

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

from bot.adapters.sending import TokenCache, may_have_arrived
from handlers.messages import Attachment, DeliveryError

log = logging.getLogger(__name__)

TOKEN_PATH = "/v1.0/oauth2/accessToken"
GROUP_SEND_PATH = "/v1.0/robot/groupMessages/send"
ROBOT_SEND_PATH = "/robot/send"
MEDIA_UPLOAD_PATH = "/media/upload"
"""oapi media upload (multipart field `media`, `type=image|file`): the app robot's pictures and files go
by media_id."""
IMAGE_UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024
FILE_UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024
"""DingTalk's media limits: 20 MB for an image, 20 MB for a file."""
SESSION_PATH = "/robot/sendBySession"
TOKEN_REFRESH_MARGIN = 300
"""Seconds before expiry at which a cached access token is replaced."""
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)

# OpenAPI error codes (HTTP 400 body "code") that a new access token can fix.
_AUTH_CODES = {"InvalidAuthentication", "AuthenticationFailed.MissingParameter"}
PERMISSION_DENIED = "Forbidden.AccessDenied.AccessTokenPermissionDenied"
"""HTTP 403: the app lacks a permission (the message names it). Permanent: no new token helps,
and retrying cannot; an admin must grant it in the developer console."""
# Custom-robot / session-webhook errcodes that mean "too fast": retry later.
_THROTTLE_ERRCODES = {130101, 660026, 410100}


def safe_url(url: str) -> str:
    """Host and path of a URL, without its query (which carries tokens and session keys)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"https": 443, "http": 80}.get(parts.scheme)


def session_webhook_problem(url: str, oapi_base: str) -> str | None:
    """Why `url` is not a sessionWebhook on the configured DingTalk host; None when it is one."""
    try:
        parts = urlsplit(url.strip())
        same_origin = _origin(url.strip()) == _origin(oapi_base)
    except ValueError:
        return "not a URL"
    if not same_origin:
        return "not the configured DingTalk host (dingtalk.oapi_base)"
    if parts.username or parts.password or parts.fragment:
        return "user info or a fragment in the URL"
    if parts.path != SESSION_PATH or not parse_qs(parts.query).get("session"):
        return f"not a {SESSION_PATH}?session= URL"
    return None


def callback_signature(timestamp: str, secret: str) -> str:
    """base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), as DingTalk signs callbacks and
    as a custom robot expects 加签 (the robot URL-encodes it)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _is_throttle_code(code: str) -> bool:
    lowered = code.lower()
    return "toofast" in lowered or "throttl" in lowered or "flowcontrol" in lowered or "limit" in lowered


def msg_uuid(idempotency_key: str) -> str:
    """The custom robot's `msgUuid` (its idempotency key): the same for every attempt at one part of
    one outbox message, so DingTalk shows a resend after a lost answer once; random without a key."""
    if not idempotency_key:
        return uuid.uuid4().hex
    return uuid.uuid5(uuid.NAMESPACE_URL, f"gendan:{idempotency_key}").hex


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
        param = {"title": title, "text": text}
        return await self._with_token(lambda token: self._group_send(token, open_conversation_id, "sampleMarkdown", param))

    async def _with_token(self, call: Callable[[str], Any]) -> Any:
        token = await self.tokens.get()
        try:
            return await call(token)
        except _TokenRejected:
            self.tokens.invalidate(token)
            log.warning("DingTalk rejected the access token; fetching a new one and sending again")
        token = await self.tokens.get()
        try:
            return await call(token)
        except _TokenRejected:
            raise DeliveryError("钉钉连续拒绝 access token", retryable=True) from None

    async def send_group_attachment(self, open_conversation_id: str, attachment: Attachment) -> str:
        """Upload the picture or file (oapi media/upload, type image|file) and send it to the group:
        a picture as sampleImageMsg (photoURL takes the media_id), a file as sampleFile; returns the
        processQueryKey."""
        media_id = await self._with_token(lambda token: self._upload_media(token, attachment))
        param: dict[str, str]
        if attachment.kind == "image":
            msg_key, param = "sampleImageMsg", {"photoURL": media_id}
        else:
            file_type = attachment.filename.rsplit(".", 1)[-1].lower() if "." in attachment.filename else "file"
            msg_key, param = "sampleFile", {"mediaId": media_id, "fileName": attachment.filename, "fileType": file_type}
        return await self._with_token(lambda token: self._group_send(token, open_conversation_id, msg_key, param))

    async def _upload_media(self, token: str, attachment: Attachment) -> str:
        """One media upload; the media_id. The file name goes as UTF-8 (not percent-encoded)."""
        form = aiohttp.FormData(quote_fields=False)
        content_type = "image/png" if attachment.kind == "image" else "application/octet-stream"
        form.add_field("media", attachment.data, filename=attachment.filename, content_type=content_type)
        url = URL(f"{self.oapi_base}{MEDIA_UPLOAD_PATH}", encoded=False).with_query(
            access_token=token, type=attachment.kind
        )
        what = "图片" if attachment.kind == "image" else "文件"
        try:
            async with self._http().post(url, data=form, timeout=self._timeout) as response:
                status = response.status
                payload = await _json_or_empty(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("DingTalk media upload: network error %s; will retry", type(exc).__name__)
            raise DeliveryError(f"钉钉{what}上传网络错误 {type(exc).__name__}", retryable=True) from None
        errcode = payload.get("errcode", 0)
        if status == 200 and errcode == 0 and payload.get("media_id"):
            return str(payload["media_id"])
        if errcode in (40014, 42001):  # invalid or expired access token
            raise _TokenRejected()
        errmsg = str(payload.get("errmsg", ""))
        retryable = status >= 500 or status == 429 or errcode in _THROTTLE_ERRCODES or errcode == -1
        log.warning("DingTalk media upload: HTTP %d errcode=%s errmsg=%s", status, errcode, errmsg)
        raise DeliveryError(f"钉钉{what}上传失败（{errcode or status}）", retryable=retryable)

    async def _group_send(self, token: str, open_conversation_id: str, msg_key: str, param: dict[str, str]) -> str:
        body = {
            "robotCode": self.robot_code,
            "openConversationId": open_conversation_id,
            "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False),
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
            raise DeliveryError(
                f"钉钉群消息发送网络错误 {type(exc).__name__}", retryable=True, may_have_arrived=may_have_arrived(exc)
            ) from None
        if status == 200:
            return str(payload.get("processQueryKey", ""))
        code = str(payload.get("code", ""))
        message = str(payload.get("message", ""))
        if status == 403 or code == PERMISSION_DENIED:
            log.error("DingTalk group send refused for good: HTTP %d code=%s message=%s (%s)",
                      status, code, message, _explain(PERMISSION_DENIED))
            raise DeliveryError(f"钉钉拒绝了群消息：{_explain(PERMISSION_DENIED)}（{message or code or status}）",
                                retryable=False)
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
        be used (the caller falls back to the group send), and when the URL is not a
        `/robot/sendBySession` URL on the configured `oapi_base`: the URL comes in the message,
        and order data is never posted to a host a message names."""
        problem = session_webhook_problem(session_webhook, self.oapi_base)
        if problem is not None:
            log.warning("DingTalk sessionWebhook refused: %s; nothing posted to it", problem)
            raise SessionGone(f"sessionWebhook refused: {problem}")
        await self._post_webhook(session_webhook, markdown_body(title, text, at_user_ids), session=True)

    async def send_robot_markdown(
        self, webhook: RobotWebhook, title: str, text: str, at_user_ids: tuple[str, ...] = (), *, idempotency_key: str = ""
    ) -> None:
        """Send through a custom robot webhook, signed (加签) when the robot has a secret. The
        request goes to `oapi_base`, whatever host the stored URL names, so a stored URL can
        never send the robot token elsewhere."""
        query = f"access_token={quote_plus(webhook.access_token)}"
        if webhook.secret:
            timestamp = str(int(time.time() * 1000))
            # Encoded here: the base64 sign's "+" must arrive as %2B, not be read as a space.
            query += f"&timestamp={timestamp}&sign={quote_plus(callback_signature(timestamp, webhook.secret))}"
        body = markdown_body(title, text, at_user_ids)
        body["msgUuid"] = msg_uuid(idempotency_key)
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
            raise DeliveryError(f"钉钉 {what} 网络错误", retryable=True, may_have_arrived=may_have_arrived(exc)) from None
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
    PERMISSION_DENIED: "应用缺少所需权限（如企业内机器人发送消息权限 qyapi_robot_sendmsg），请管理员在钉钉开发者后台为应用开通后再试",
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
