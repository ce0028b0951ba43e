"""帮助: the command list."""

from __future__ import annotations

from storage.models import Event
from tests.helpers import ChatSession, count


async def test_help_lists_every_command(chat: ChatSession) -> None:
    from handlers.commands import COMMANDS

    reply = await chat.say("帮助")
    for command in COMMANDS:
        assert command.name in reply.text
    assert await count(chat.runtime, Event) == 0
