"""Secrets out of everything stored or logged: the bearer credentials that travel inside URLs.

A group push webhook's `key`, a robot's `access_token` and 加签 `secret`, a `response_code`, a
reply `session` or a connection `ticket`, an app's `corpsecret`: whoever has one can post as the bot.
People paste such URLs into chats (绑定推送, or by mistake), and exceptions and log lines can name
them. `redact_secrets` masks their values wherever they appear in a text; it is applied to every
message text before it is stored in the audit log, and (by `bot.logs`) to every log record.
"""

from __future__ import annotations

import re

MASK = "***"

_SECRET_PARAMS = ("key", "access_token", "secret", "sign", "response_code", "session", "ticket",
                  "corpsecret", "appsecret", "client_secret", "token", "password")
_QUERY_SECRET = re.compile(
    r"(?i)([?&](?:" + "|".join(_SECRET_PARAMS) + r")=)[^&\s#\"'<>)\]]+"
)
_ROBOT_SIGNING_SECRET = re.compile(r"\bSEC[0-9a-fA-F]{16,}\b")
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@")


def redact_secrets(text: str) -> str:
    """`text` with every credential in a URL (query values, a password in user info) and every
    custom-robot 加签 secret (SEC…) replaced by ***; everything else unchanged."""
    if not text:
        return text
    text = _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, text)
    text = _ROBOT_SIGNING_SECRET.sub(MASK, text)
    return _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
