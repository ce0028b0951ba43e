"""The 智能机器人 callback envelope: signature, AES decryption and the encrypted passive reply.

AES itself is wechatpy's (`PrpCrypto`, the WXBizMsgCrypt algorithm) with receive id "" as the
AI-bot documentation prescribes. What wechatpy does not do is done here: the signature is
checked in constant time *before* anything is decrypted, the base64 is validated strictly, and
the reply envelope is the JSON one (`encrypt`, `msgsignature`, `timestamp`, `nonce`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Callable

from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException

from bot.adapters.replay import Replayed, SeenRequests

AI_BOT_RECEIVE_ID = ""


class CallbackRejected(Exception):
    """A callback refused before it reached the handlers; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """sha1 over the four values sorted and joined, as WeCom computes `msg_signature`."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def aes_key(encoding_aes_key: str) -> bytes:
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


class _Prp(PrpCrypto):
    def __init__(self, key: bytes, random_prefix: Callable[[], str]) -> None:
        super().__init__(key)
        self._random_prefix = random_prefix

    def get_random_string(self) -> str:
        return self._random_prefix()


def _secure_prefix() -> str:
    # wechatpy's default uses the `random` module; the prefix is public per protocol, but
    # there is no reason not to take it from the OS.
    return secrets.token_hex(8)


class WeComCrypto:
    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        receive_id: str = AI_BOT_RECEIVE_ID,
        *,
        random_prefix: Callable[[], str] = _secure_prefix,
    ) -> None:
        self.token = token
        self.receive_id = receive_id
        self._prp = _Prp(aes_key(encoding_aes_key), random_prefix)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), msg_signature.encode()):
            raise CallbackRejected(403, "signature mismatch")

    def decrypt(self, encrypted: str) -> str:
        """Decrypt a verified `encrypt` value; malformed data or a foreign receive id → 400."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CallbackRejected(400, "encrypt is not valid base64") from None
        if not raw or len(raw) % 32:
            raise CallbackRejected(400, "encrypt has an invalid length")
        try:
            return self._prp.decrypt(encrypted, self.receive_id)
        except InvalidCorpIdException:
            raise CallbackRejected(400, "wrong receive id") from None
        except (ValueError, struct.error, UnicodeDecodeError, IndexError):
            raise CallbackRejected(400, "encrypt does not decrypt to a message") from None

    def encrypt(self, plaintext: str) -> str:
        return self._prp.encrypt(plaintext, self.receive_id).decode("ascii")

    def reply_envelope(self, plaintext: str, nonce: str, timestamp: int | None = None) -> dict[str, object]:
        """The passive-reply body: encrypted JSON with its own signature, echoing the callback's nonce."""
        ts = int(time.time()) if timestamp is None else timestamp
        encrypted = self.encrypt(plaintext)
        return {
            "encrypt": encrypted,
            "msgsignature": signature(self.token, str(ts), nonce, encrypted),
            "timestamp": ts,
            "nonce": nonce,
        }


MAX_TIMESTAMP_DIGITS = 12
"""Seconds since 1970 have 10 digits until the year 2286; anything longer is not a timestamp."""


class ReplayGuard:
    """Refuses callbacks outside the time window and any (timestamp, nonce) seen before with another
    body; the identical signed request again is WeCom redelivering a callback it got no answer to.

    WeCom promises a nonce is unique for two hours; entries are kept that long (bounded in count,
    the oldest dropped first) and only requests that passed the signature check are remembered.
    Per process (see `bot.adapters.replay`).
    """

    def __init__(
        self,
        window_seconds: int = 300,
        keep_seconds: int = 7200,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.window_seconds = window_seconds
        self._clock = clock
        self._seen = SeenRequests(keep_seconds, max_entries=max_entries, clock=clock)

    def check_time(self, timestamp: str) -> None:
        """The format is checked before any arithmetic: a hostile value never raises."""
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
            raise CallbackRejected(400, "timestamp is not a number")
        if abs(self._clock() - int(timestamp)) > self.window_seconds:
            raise CallbackRejected(403, "timestamp outside the allowed window")

    def remember(self, timestamp: str, nonce: str, body: str) -> bool:
        """Record a verified request; True when it is the identical request again (a redelivery).
        The same (timestamp, nonce) with another `body` is a replay: CallbackRejected(403)."""
        try:
            return self._seen.remember((timestamp, nonce), body)
        except Replayed:
            raise CallbackRejected(403, "timestamp and nonce seen before (replay)") from None
