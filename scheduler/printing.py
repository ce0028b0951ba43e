"""The local chat's sender: proactive messages to "local" chats are printed."""

from __future__ import annotations

import sys
from typing import TextIO

from handlers.markdown import split_markdown
from handlers.messages import Outbound

LOCAL_LIMIT_BYTES = 4096
"""The local chat prints a long message in parts of this size, as a platform would deliver it."""


class PrintSender:
    platform = "local"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def send(self, message: Outbound) -> None:
        stream = self.stream or sys.stdout
        for part in split_markdown(message.text, LOCAL_LIMIT_BYTES):
            stream.write(f"[推送 → {message.chat_id}]\n{part}\n\n")
        stream.flush()
