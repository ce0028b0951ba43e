"""撤销: the sender's last record, or the one named (异常#N, 变更#N, #事件号)."""

from __future__ import annotations

from handlers.commands.base import Command
from handlers.undo import undo

COMMANDS = (
    Command("撤销", ("撤回", "undo"), "撤销 [异常#N | 变更#N | #事件号] —— 撤销你在本群的上一条（或指定的）记录", undo),
)
