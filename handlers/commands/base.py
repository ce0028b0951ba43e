"""What a chat command is: its words, its help text, who may use it, and the coroutine that runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.context import Context
from handlers.messages import Reply
from storage.models import PersonRole

CommandHandler = Callable[[Context, str], Awaitable[Reply]]

EVERYONE = frozenset(PersonRole)
STAFF_AND_UP = frozenset({PersonRole.STAFF, PersonRole.MANAGER, PersonRole.ADMIN})
MANAGERS = frozenset({PersonRole.MANAGER, PersonRole.ADMIN})
ADMINS = frozenset({PersonRole.ADMIN})


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    usage: str
    """One line: the syntax, then what it does."""
    run: CommandHandler
    roles: frozenset[PersonRole] = STAFF_AND_UP

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)
