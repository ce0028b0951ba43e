"""Messages to one person through a self-built app (`message/send`), with a cached access token."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp

from bot.adapters.wecom.api import ApiError, RetryPolicy, call_with_retry
from bot.adapters.wecom.convert import fit_bytes

log = logging.getLogger(__name__)

TOKEN_INVALID = frozenset({40014, 42001})
"""Invalid / expired access_token: WeCom may revoke a token early, so fetch anew once and retry."""
MARKDOWN_LIMIT_BYTES = 2048


class AppMessenger:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        corp_id: str,
        agent_id: int,
        agent_secret: str,
        *,
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.session = session
        self.api_base = api_base
        self.corp_id = corp_id
        self.agent_id = agent_id
        self._secret = agent_secret
        self.policy = policy
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def _access_token(self, *, refresh: bool = False) -> str:
        async with self._lock:
            if refresh or self._token is None or time.monotonic() >= self._expires_at:
                answer = await call_with_retry(
                    self.session,
                    "GET",
                    f"{self.api_base}/cgi-bin/gettoken",
                    params={"corpid": self.corp_id, "corpsecret": self._secret},
                    what="gettoken",
                    policy=self.policy,
                )
                self._token = str(answer["access_token"])
                # Renew five minutes early so a token never expires in flight.
                self._expires_at = time.monotonic() + max(60, int(answer.get("expires_in", 7200)) - 300)
            return self._token

    async def send_markdown(self, user_ids: list[str], text: str) -> None:
        body = {
            "touser": "|".join(user_ids),
            "msgtype": "markdown",
            "agentid": self.agent_id,
            "markdown": {"content": fit_bytes(text, MARKDOWN_LIMIT_BYTES)},
        }
        token = await self._access_token()
        for refetched in (False, True):
            try:
                await call_with_retry(
                    self.session,
                    "POST",
                    f"{self.api_base}/cgi-bin/message/send",
                    params={"access_token": token},
                    json_body=body,
                    what="message/send",
                    policy=self.policy,
                )
                return
            except ApiError as exc:
                if exc.errcode not in TOKEN_INVALID or refetched:
                    raise
                log.info("access token refused (errcode %d), fetching a new one", exc.errcode)
                token = await self._access_token(refresh=True)
