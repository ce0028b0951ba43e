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
        if message.attachment is not None:  # a terminal shows no picture: name it (--picture writes it)
            size = max(len(message.attachment.data) // 1024, 1)
            stream.write(f"[推送 → {message.chat_id}]\n〔图片：{message.attachment.filename}，{size} KB〕\n\n")
        else:
            for part in split_markdown(message.text, LOCAL_LIMIT_BYTES):
                stream.write(f"[推送 → {message.chat_id}]\n{part}\n\n")
        stream.flush()
