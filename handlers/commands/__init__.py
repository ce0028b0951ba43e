"""Every chat command, registered in this one place.

A command is recognised when the message starts with one of its words, followed by a space, the
end of the message, or an order number written straight after it ("进度123").
"""

from __future__ import annotations

import re

from handlers.commands import (
    acceptance,
    board,
    changes,
    chats,
    ledger,
    monthly_report,
    order_exceptions,
    order_status,
    orders,
    people,
    push,
    synonyms,
    undo,
)
from handlers.access import command_refusal, is_guest, scope_for
from handlers.commands.base import EVERYONE, Command
from handlers.context import Context
from handlers.messages import Reply


async def show_help(ctx: Context, args: str) -> Reply:
    """The commands this sender may use here: a customer group sees only what customers can use, staff
    do not see the managers' and admins' commands. Someone not yet known sees them all (to ask for)."""
    if scope_for(ctx).restricted:
        intro = "可以直接问：「进度 123」「123到哪一步了」「我的订单到哪一步了」"
    else:
        intro = "直接说进度就行：「订单123 焊接完成」「124 涂装80%」「123 质检没过，返工」"
    usable = [c for c in COMMANDS if is_guest(ctx) or command_refusal(ctx, c.name, c.roles) is None]
    lines = ["**跟单助手能做的事**", intro, ""]
    lines += [f"- {command.usage}（也可以说：{'、'.join(command.aliases)}）" if command.aliases
              else f"- {command.usage}" for command in usable]
    return Reply("\n".join(lines))


HELP = Command("帮助", ("help", "菜单", "?", "？"), "帮助 —— 显示这份说明", show_help, roles=EVERYONE)

COMMANDS: tuple[Command, ...] = (
    HELP, *orders.COMMANDS, *order_status.COMMANDS, *undo.COMMANDS, *changes.COMMANDS, *order_exceptions.COMMANDS,
    *acceptance.COMMANDS, *monthly_report.COMMANDS, *ledger.COMMANDS, *board.COMMANDS, *chats.COMMANDS,
    *push.COMMANDS, *people.COMMANDS, *synonyms.COMMANDS,
)

_BY_WORD = sorted(
    ((word, word.lower(), command) for command in COMMANDS for word in command.words), key=lambda p: -len(p[0])
)
"""(word, its lower case, command), longest word first (lowered once, not for every message)."""
_AFTER_WORD = re.compile(r"(\s|$|[#＃A-Za-z0-9０-９:：])")


def match_command(text: str) -> tuple[Command, str] | None:
    lowered = text.lower()
    for word, lowered_word, command in _BY_WORD:
        if lowered.startswith(lowered_word) and _AFTER_WORD.match(text, len(word)):
            rest = text[len(word):].lstrip(" :：\t")
            return command, rest.strip()
    return None
