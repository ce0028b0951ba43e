"""撤销."""

from __future__ import annotations

from handlers.commands.base import Command
from handlers.context import Context
from handlers.messages import Reply
from handlers.undo import undo_last


async def undo(ctx: Context, args: str) -> Reply:
    return await undo_last(ctx)


COMMANDS = (Command("撤销", ("撤回", "undo"), "撤销 —— 撤销你在本群的上一条记录", undo),)
