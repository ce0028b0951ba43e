"""同义词: an admin teaches the bot a word people use for a milestone; it applies from the next message."""

from __future__ import annotations

from sqlalchemy import event

from handlers.commands.base import ADMINS, Command
from handlers.context import Context
from handlers.learning.synonyms import ReloadableParser, SynonymRefused, add_synonym, stored_synonyms
from handlers.messages import Reply

USAGE = "同义词 工序名 新叫法"


async def synonym(ctx: Context, args: str) -> Reply:
    words = args.split()
    if not words:
        return await _list(ctx)
    if len(words) != 2:
        return Reply(f"格式：{USAGE}，例如「同义词 涂装 喷粉」；只发「同义词」列出已添加的。", ok=False)
    try:
        added, new = await add_synonym(ctx.session, ctx.settings.templates, words[0], words[1], ctx.sender_name, ctx.now)
    except SynonymRefused as refusal:
        return Reply(f"⚠️ {refusal}", ok=False)
    if not new:
        return Reply(f"「{added.word}」已经是工序「{added.milestone}」的叫法了，不用再加。")
    parser = ctx.parser
    if isinstance(parser, ReloadableParser):
        # swap the running parser only once the synonym is stored for good
        event.listen(ctx.session.sync_session, "after_commit", lambda _session: parser.add(added), once=True)
    return Reply(
        f"已添加同义词：「{added.word}」= 工序「{added.milestone}」，从下一条消息起生效，"
        f"例如「订单123 {added.word}完成」。"
    )


async def _list(ctx: Context) -> Reply:
    synonyms = await stored_synonyms(ctx.session)
    if not synonyms:
        return Reply(f"还没有添加过同义词。格式：{USAGE}，例如「同义词 涂装 喷粉」。")
    lines = ["**已添加的同义词**"] + [f"- {s.word} → {s.milestone}" for s in synonyms]
    return Reply("\n".join(lines))


COMMANDS = (
    Command("同义词", (), f"{USAGE} —— 教我一个工序的新叫法（仅管理员）；只发「同义词」列出已添加的", synonym, roles=ADMINS),
)
