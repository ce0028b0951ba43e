"""The local chat's sender: proactive messages to "local" chats are printed."""

from __future__ import annotations

import sys
from typing import TextIO

from handlers.messages import Outbound


class PrintSender:
    platform = "local"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def send(self, message: Outbound) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[推送 → {message.chat_id}]\n{message.text}\n\n")
        stream.flush()
