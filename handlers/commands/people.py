"""授权: an admin gives a person a role (and a customer contact their company)."""

from __future__ import annotations

from sqlalchemy import select

from handlers.access import ROLE_NAMES
from handlers.commands.base import ADMINS, Command
from handlers.context import Context
from handlers.directory import get_or_create_customer
from handlers.messages import Reply
from storage.models import EventKind, Person, PersonRole

GRANT_USAGE = "授权 @某人|用户ID 员工|经理|客户|管理员 [客户名]"
_ROLES = {"员工": PersonRole.STAFF, "staff": PersonRole.STAFF, "经理": PersonRole.MANAGER,
          "manager": PersonRole.MANAGER, "客户": PersonRole.CUSTOMER, "customer": PersonRole.CUSTOMER,
          "管理员": PersonRole.ADMIN, "admin": PersonRole.ADMIN}


def _target_and_rest(ctx: Context, words: list[str]) -> tuple[str | None, list[str]]:
    """Who is meant: the first word, or — when the platform's @-mention was stripped from the text —
    the one person @-mentioned besides the bot."""
    if words and words[0] not in _ROLES:
        return words[0].lstrip("@＠"), words[1:]
    mentioned = [m.lstrip("@＠") for m in ctx.message.mentions if m.lstrip("@＠") != ctx.settings.bot_name]
    return (mentioned[0] if len(mentioned) == 1 else None), words


async def grant(ctx: Context, args: str) -> Reply:
    target, rest = _target_and_rest(ctx, args.split())
    if target is None or not rest or rest[0] not in _ROLES:
        return Reply(f"格式：{GRANT_USAGE}\n例如「授权 @李四 经理」「授权 wang.wu 客户 华东机械」", ok=False)
    role = _ROLES[rest[0]]
    customer_name = " ".join(rest[1:]).strip()
    if role == PersonRole.CUSTOMER and not customer_name:
        return Reply("授权为客户时请写上客户名，例如「授权 wang.wu 客户 华东机械」。", ok=False)
    platform = ctx.message.platform
    people = list(
        await ctx.session.scalars(
            select(Person).where(Person.platform == platform, Person.user_id == target)
        )
    ) or list(
        await ctx.session.scalars(
            select(Person).where(Person.platform == platform, Person.display_name == target)
        )
    )
    if len(people) > 1:
        ids = "、".join(p.user_id for p in people)
        return Reply(f"叫「{target}」的有 {len(people)} 位（用户ID：{ids}），请用用户ID授权。", ok=False)
    if people:
        person = people[0]
    else:  # not seen yet: authorise the user id ahead of their first message
        person = Person(platform=platform, user_id=target, display_name="", created_at=ctx.now)
        ctx.session.add(person)
        await ctx.session.flush()
    before = {"role": person.role, "customer_id": person.customer_id}
    person.role = role
    person.customer_id = (
        (await get_or_create_customer(ctx.session, customer_name, ctx.now)).id if role == PersonRole.CUSTOMER else None
    )
    ctx.record(EventKind.ROLE_GRANTED, item={"user_id": person.user_id, "role": str(role), "customer": customer_name or None},
               before=before)
    who = person.display_name or person.user_id
    extra = f"（{customer_name}）" if customer_name else ""
    return Reply(f"已授权：{who} 的身份是{ROLE_NAMES[str(role)]}{extra}。")


COMMANDS = (Command("授权", ("grant",), GRANT_USAGE + " —— 设定某人的身份（管理员）", grant, roles=ADMINS),)
