"""What a board or portal link grants: its scope, and the issuer the chat commands ask for one.

Handlers only name scopes; signing and verifying live in the web adapter (`bot/web/links.py`),
which the bot hands to the handlers as a `LinkIssuer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class ScopeKind(StrEnum):
    MANAGER = "manager"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class LinkScope:
    """Who a link is for: the managers (every order), or one customer (that customer's orders only)."""

    kind: ScopeKind
    customer_id: int | None = None

    def __post_init__(self) -> None:
        if (self.kind is ScopeKind.CUSTOMER) != (self.customer_id is not None):
            raise ValueError("a customer scope names its customer; a manager scope names none")

    @classmethod
    def managers(cls) -> LinkScope:
        return cls(ScopeKind.MANAGER)

    @classmethod
    def customer(cls, customer_id: int) -> LinkScope:
        return cls(ScopeKind.CUSTOMER, customer_id)

    @property
    def name(self) -> str:
        """The scope's stable name, the key its signing key is stored under."""
        return "manager" if self.kind is ScopeKind.MANAGER else f"customer:{self.customer_id}"

    @classmethod
    def from_name(cls, name: str) -> LinkScope | None:
        if name == "manager":
            return cls.managers()
        prefix, _, number = name.partition(":")
        if prefix == "customer" and number.isdigit():
            return cls.customer(int(number))
        return None


@dataclass(frozen=True, slots=True)
class IssuedLink:
    url: str
    expires_at: datetime
    """In the deployment's time zone, ready to show."""


class LinkIssuer(Protocol):
    """Signs links to the web pages; the web adapter provides it when `[web]` is enabled."""

    async def issue(
        self, session: AsyncSession, scope: LinkScope, now: datetime, hours: int | None = None
    ) -> IssuedLink: ...
