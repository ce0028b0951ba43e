"""The local chat: talk to the bot from a terminal or a script, on the same handlers and database.

One message per line; a line holding only `---` opens a multi-line message and the next such
line ends (and sends) it. With `now` fixed, message i is stamped now + i seconds so scripted
sessions are reproducible and stay in order.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from handlers.access import ROLE_NAMES
from handlers.directory import give_role_unless_set
from handlers.messages import Attachment, InboundMessage, Reply
from storage.models import Customer, PersonRole

PLATFORM = "local"
BLOCK = "---"


@dataclass(frozen=True)
class LocalIdentity:
    chat: str = "本地测试群"
    user: str = "本地用户"
    role: str = "admin"


class MessageAssembler:
    """Turns input lines into messages: one per line, or a `---` … `---` block as one message."""

    def __init__(self) -> None:
        self.block: list[str] | None = None

    @property
    def in_block(self) -> bool:
        return self.block is not None

    def feed(self, raw: str) -> str | None:
        line = raw.rstrip("\r\n")
        if line.strip() == BLOCK:
            if self.block is None:
                self.block = []
                return None
            text, self.block = "\n".join(self.block), None
            return text if text.strip() else None
        if self.block is not None:
            self.block.append(line)
            return None
        return line if line.strip() else None

    def finish(self) -> str | None:
        text, self.block = ("\n".join(self.block) if self.block else None), None
        return text


class LocalChat:
    def __init__(
        self, runtime: Runtime, identity: LocalIdentity, now: datetime | None = None, files_dir: Path | None = None
    ) -> None:
        self.runtime = runtime
        self.identity = identity
        self.fixed_now = now
        self.count = 0
        self.files_dir = files_dir or Path.cwd()
        """Where files the bot sends (the ledger of 导出台账) are written."""

    async def join(self) -> str | None:
        """Give the local user the role the command line asked for, unless they already have one
        (given by 「授权」 or the configuration, with its customer): that one stays. Returns a note
        in zh-CN when the asked role was not applied, else None."""
        wanted = PersonRole(self.identity.role)
        now = self._clock()

        async def adopt(session: AsyncSession) -> tuple[PersonRole, str]:
            person = await give_role_unless_set(session, PLATFORM, self.identity.user, self.identity.user, wanted, now)
            customer = await session.get(Customer, person.customer_id) if person.customer_id else None
            return PersonRole(person.role), customer.name if customer else ""

        role, customer = await self.runtime.database.run(adopt)
        if role is wanted:
            return None
        company = f"（{customer}）" if customer else ""
        return (
            f"（{self.identity.user} 已有身份：{ROLE_NAMES[str(role)]}{company}，--role {self.identity.role} 没有生效；"
            "身份请由管理员用「授权」修改。）"
        )

    def _clock(self) -> datetime:
        if self.fixed_now is not None:
            return self.fixed_now + timedelta(seconds=self.count)
        return datetime.now(self.runtime.handler_settings.tz)

    async def say(self, text: str) -> Reply:
        message = InboundMessage(
            platform=PLATFORM,
            chat_id=self.identity.chat,
            chat_name=self.identity.chat,
            sender_id=self.identity.user,
            sender_name=self.identity.user,
            text=text,
            message_id=f"local-{uuid.uuid4().hex}",
            sent_at=self._clock(),
        )
        self.count += 1
        return await self.runtime.dispatcher.handle(message)


async def run_local_chat(chat: LocalChat, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Read messages until end of input and print every reply; returns how many were refused."""
    interactive = stream.isatty()
    if interactive:
        out.write(
            f"跟单助手本地聊天（群：{chat.identity.chat}，我：{chat.identity.user}）。"
            "输入「帮助」查看用法；单独一行 --- 开始/结束多行消息；Ctrl-D 退出。\n"
        )
    assembler = MessageAssembler()
    loop = asyncio.get_running_loop()
    refused = 0
    while True:
        if interactive:
            out.write("… " if assembler.in_block else "> ")
            out.flush()
        line = await loop.run_in_executor(None, stream.readline)
        text = assembler.feed(line) if line else assembler.finish()
        if text is not None:
            refused += await _exchange(chat, text, out, echo=not interactive)
        if not line:
            return refused


async def _exchange(chat: LocalChat, text: str, out: TextIO, *, echo: bool) -> int:
    if echo:
        shown = text.replace("\n", "\n   ")
        out.write(f"{chat.identity.user}> {shown}\n")
    reply = await chat.say(text)
    out.write("跟单助手> " + reply.text.replace("\n", "\n          ") + "\n")
    if reply.attachment is not None:
        path = await asyncio.to_thread(save_attachment, reply.attachment, chat.files_dir)
        out.write(f"          （文件已保存：{path}）\n")
    out.write("\n")
    out.flush()
    return 0 if reply.ok else 1


def save_attachment(attachment: Attachment, directory: Path) -> Path:
    """Write a file the bot sent into `directory`, never over an existing file; its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = Path(attachment.filename).name or "附件"
    path = directory / name
    stem, suffix, n = path.stem, path.suffix, 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}{suffix}"
    path.write_bytes(attachment.data)
    return path
