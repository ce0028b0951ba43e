"""The local chat (`gendan chat`) as the README's recipes use it."""

from __future__ import annotations

from bot.local_chat import LocalChat, LocalIdentity
from bot.runtime import Runtime
from tests.conftest import NOW


async def test_role_flag_keeps_a_customer_bound_by_grant(runtime: Runtime) -> None:
    """Defect 1: `--role customer` must not reset the role and customer 授权 gave."""
    admin = LocalChat(runtime, LocalIdentity(chat="经理群", user="管理员", role="admin"), NOW)
    await admin.join()
    assert (await admin.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")).ok
    assert (await admin.say("授权 华东采购 客户 华东机械")).ok
    group = LocalChat(runtime, LocalIdentity(chat="华东群", user="管理员", role="admin"), NOW)
    await group.join()
    assert (await group.say("绑定 客户 华东机械")).ok
    buyer = LocalChat(runtime, LocalIdentity(chat="华东群", user="华东采购", role="customer"), NOW)
    note = await buyer.join()
    reply = await buyer.say("我的订单到哪一步了")
    assert "订单 123" in reply.text, reply.text
    assert note is None  # the same role: nothing to say


async def test_role_flag_does_not_override_a_role_already_given(runtime: Runtime) -> None:
    admin = LocalChat(runtime, LocalIdentity(chat="经理群", user="管理员", role="admin"), NOW)
    await admin.join()
    assert (await admin.say("授权 李四 经理")).ok
    staff = LocalChat(runtime, LocalIdentity(chat="经理群", user="李四", role="staff"), NOW)
    note = await staff.join()
    assert note is not None and "经理" in note and "授权" in note
    assert "只有" not in (await staff.say("月报")).text  # still a manager


async def test_customer_contact_without_a_company_reads_its_bound_group(runtime: Runtime) -> None:
    """README recipe: `--role customer` for someone never granted, in a group bound to 华东机械."""
    admin = LocalChat(runtime, LocalIdentity(chat="华东群", user="管理员", role="admin"), NOW)
    await admin.join()
    assert (await admin.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")).ok
    assert (await admin.say("绑定 客户 华东机械")).ok
    buyer = LocalChat(runtime, LocalIdentity(chat="华东群", user="华东采购", role="customer"), NOW)
    await buyer.join()
    assert "订单 123" in (await buyer.say("我的订单到哪一步了")).text
