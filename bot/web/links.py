"""Signed, expiring, scoped links to the board and the portal, and their revocation.

A link is `{public_url}/w/{token}`. The token carries the scope's name, the scope key's generation
and the expiry, signed (HMAC-SHA1 by itsdangerous) with the configured `[web] link_secret` joined to
the scope's own random key from the database. Rotating a scope's key (`gendan web revoke`) makes
every earlier link of that scope fail; the other scopes' links keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.links import IssuedLink, LinkScope, ScopeKind
from storage.link_keys import find_key, key_for, rotate_key

_SALT = "gendan.web.link"
LINK_PATH = "/w/"


class LinkProblem(StrEnum):
    """Why a link opens nothing; each has its own zh-CN explanation on the error page."""

    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def message(self) -> str:
        return {
            LinkProblem.INVALID: "这个链接无效（可能复制不完整或被改动过）。",
            LinkProblem.EXPIRED: "这个链接已过期。",
            LinkProblem.REVOKED: "这个链接已被收回。",
        }[self]


@dataclass(frozen=True, slots=True)
class LinkCheck:
    scope: LinkScope | None
    problem: LinkProblem | None
    expires_at: datetime | None = None


class LinkSigner:
    """Issues and checks links; implements handlers.links.LinkIssuer."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.web.link_secret.get_secret_value()
        self._base = settings.public_url
        self._tz = settings.general.tz
        self._hours = {
            ScopeKind.MANAGER: settings.web.manager_link_hours,
            ScopeKind.CUSTOMER: settings.web.customer_link_hours,
        }

    def _serializer(self, scope_key: str) -> URLSafeSerializer:
        return URLSafeSerializer(self._secret + "\x00" + scope_key, salt=_SALT)

    def hours_for(self, scope: LinkScope) -> int:
        return self._hours[scope.kind]

    async def token(self, session: AsyncSession, scope: LinkScope, now: datetime, hours: int | None = None) -> tuple[str, datetime]:
        key = await key_for(session, scope.name, now)
        expires = now.astimezone(timezone.utc) + timedelta(hours=hours or self.hours_for(scope))
        payload = {"s": scope.name, "g": key.generation, "e": int(expires.timestamp())}
        return self._serializer(key.key).dumps(payload), expires

    async def issue(self, session: AsyncSession, scope: LinkScope, now: datetime, hours: int | None = None) -> IssuedLink:
        token, expires = await self.token(session, scope, now, hours)
        return IssuedLink(url=f"{self._base}{LINK_PATH}{token}", expires_at=expires.astimezone(self._tz))

    async def check(self, session: AsyncSession, token: str, now: datetime) -> LinkCheck:
        """The scope a token grants at `now`, or why it grants nothing."""
        claimed = _claimed(token)
        if claimed is None:
            return LinkCheck(None, LinkProblem.INVALID)
        scope = LinkScope.from_name(claimed["s"])
        key = await find_key(session, claimed["s"]) if scope is not None else None
        if scope is None or key is None:
            return LinkCheck(None, LinkProblem.INVALID)
        try:
            payload = self._serializer(key.key).loads(token)
        except BadSignature:
            # The generation is only read to word the answer; nothing is granted on it.
            stale = claimed["g"] < key.generation
            return LinkCheck(None, LinkProblem.REVOKED if stale else LinkProblem.INVALID)
        expires = datetime.fromtimestamp(payload["e"], timezone.utc)
        if now >= expires:
            return LinkCheck(None, LinkProblem.EXPIRED, expires)
        return LinkCheck(scope, None, expires)

    async def revoke(self, session: AsyncSession, scope: LinkScope, now: datetime) -> int:
        """Rotate the scope's key; returns the new generation."""
        return (await rotate_key(session, scope.name, now)).generation


def _claimed(token: str) -> dict[str, Any] | None:
    """The payload as written in the token, unverified, if it has the expected shape."""
    try:
        _ok, payload = URLSafeSerializer("", salt=_SALT).loads_unsafe(token)
    except Exception:  # noqa: BLE001 - any undecodable token is simply invalid
        return None
    if not isinstance(payload, dict):
        return None
    if not (isinstance(payload.get("s"), str) and isinstance(payload.get("g"), int) and isinstance(payload.get("e"), int)):
        return None
    return payload


def redact(path: str) -> str:
    """A request path with its link token hidden, for logs: the token is a credential."""
    if not path.startswith(LINK_PATH):
        return path
    rest = path[len(LINK_PATH):]
    _token, slash, tail = rest.partition("/")
    return f"{LINK_PATH}…{slash}{tail}"
