"""Two simulated weeks: orders created and reported on through the real dispatcher, the clock
driven over every half hour, a company holiday in between — and exactly the expected digests,
warnings, escalations, reminders and customer updates, each once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from handlers.messages import Outbound
from scheduler.service import SchedulerService
from storage.models import Chat, Order, OrderMilestone, OutboxMessage, OutboxStatus
from tests.helpers import ChatSession
from tests.scheduler.conftest import RecordingSender, at, requires_cjk_font

# What people say, and when (the clock stands between two ticks).
STORY: list[tuple[datetime, str, str]] = [
    (at(23, 8, 5), "焊接群", "新建订单 A100 华东机械 搅拌机 20台 2026-12-04 模板=短线 负责人=张三"),
    (at(23, 8, 6), "焊接群", "新建订单 B200 西北重工 料仓 2台 2026-12-18 模板=短线"),
    (at(23, 8, 7), "焊接群", "新建订单 C300 华东机械 输送机 5台 2026-12-09 模板=短线"),
    (at(24, 15, 10), "下料群", "A100 下料80%"),
    (at(25, 17, 10), "下料群", "A100 下料完成"),
    (at(28, 10, 10), "下料群", "C300 下料50%"),  # a Saturday: recorded, and told on Monday
    (at(30, 9, 10), "焊接群", "A100 焊接50%"),
    (at(1, 16, 40, month=12), "下料群", "C300 下料完成"),
    (at(3, 11, 10, month=12), "焊接群", "A100 焊接完成"),
]


async def drive(runtime: Runtime, service: SchedulerService, start: datetime, days: int) -> None:
    chats = {name: ChatSession(runtime, now=start, chat_id=name, user="张三") for name in ("焊接群", "下料群")}
    story = sorted(STORY)
    moment = start.replace(hour=7, minute=0)
    end = moment + timedelta(days=days)
    while moment < end:
        while story and story[0][0] <= moment:
            when, chat_name, text = story.pop(0)
            chat = chats[chat_name]
            chat.now = when
            reply = await chat.say(text)
            assert reply.ok, reply.text
        if 7 <= moment.hour <= 21:
            await service.tick(moment)
        moment += timedelta(minutes=30)
    assert not story


WORKING_DAYS = ["11-23", "11-24", "11-25", "11-26", "11-30", "12-01", "12-02", "12-03", "12-04"]
"""11-27 is the company holiday; weekends are off."""

EXPECTED = [
    # (dedupe key template, chat) in the order they were written
    ("digest:2026-11-23:{c}", "经理群"),
    ("weekly:2026-W48:{c}", "华东群"),
    ("weekly:2026-W48:{c}", "西北群"),
    ("weekly:2026-W48:{c}:picture", "华东群"),  # each after its own chat's text
    ("weekly:2026-W48:{c}:picture", "西北群"),
    ("digest:2026-11-24:{c}", "经理群"),  # no order late or at risk yet: no picture
    ("remind:2026-11-24:{c}", "下料群"),  # A100 下料 planned 11-25
    ("digest:2026-11-25:{c}", "经理群"),
    ("digest:2026-11-26:{c}", "经理群"),
    # 11-27 company holiday, 11-28/29 weekend: nothing
    ("digest:2026-11-30:{c}", "经理群"),
    ("digest:2026-11-30:{c}:picture", "经理群"),  # A100's due date now at risk
    ("weekly:2026-W49:{c}", "华东群"),
    ("weekly:2026-W49:{c}", "西北群"),
    ("weekly:2026-W49:{c}:picture", "华东群"),
    ("weekly:2026-W49:{c}:picture", "西北群"),
    ("remind:2026-11-30:{c}", "焊接群"),  # A100 焊接 planned 12-01
    ("remind:2026-11-30:{c}", "下料群"),  # C300 下料 planned 12-01
    ("digest:2026-12-01:{c}", "经理群"),
    ("digest:2026-12-01:{c}:picture", "经理群"),
    ("overdue:{m:A100:焊接}:2026-12-01:warn:{c}", "焊接群"),
    ("overdue:{m:A100:焊接}:2026-12-01:escalate:{c}", "经理群"),  # due date 12-04 at risk
    ("digest:2026-12-02:{c}", "经理群"),
    ("digest:2026-12-02:{c}:picture", "经理群"),
    ("remind:2026-12-02:{c}", "涂装群"),  # A100 涂装 planned 12-03
    ("digest:2026-12-03:{c}", "经理群"),
    ("digest:2026-12-03:{c}:picture", "经理群"),
    ("remind:2026-12-03:{c}", "焊接群"),  # C300 焊接 planned 12-04
    ("overdue:{m:A100:涂装}:2026-12-03:warn:{c}", "涂装群"),
    ("overdue:{m:A100:涂装}:2026-12-03:escalate:{c}", "经理群"),
    ("digest:2026-12-04:{c}", "经理群"),
    ("digest:2026-12-04:{c}:picture", "经理群"),
]


async def expected_keys(runtime: Runtime) -> list[str]:
    async with runtime.database.transaction() as session:
        chat_ids = {name: id_ for id_, name in (await session.execute(select(Chat.id, Chat.name))).all()}
        milestone_ids = {
            f"{order_no}:{name}": id_
            for id_, order_no, name in (
                await session.execute(
                    select(OrderMilestone.id, Order.order_no, OrderMilestone.name).join(Order)
                )
            ).all()
        }
    keys = []
    for template, chat in EXPECTED:
        key = template.replace("{c}", f"c{chat_ids[chat]}")
        if "{m:" in key:
            start = key.index("{m:")
            end = key.index("}", start)
            key = key[:start] + f"m{milestone_ids[key[start + 3:end]]}" + key[end + 1:]
        keys.append(key)
    return keys


@requires_cjk_font  # the expected messages include the pictures
async def test_two_weeks_of_digests_warnings_and_updates(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    await drive(runtime, service, at(23, 7), days=14)
    async with runtime.database.transaction() as session:
        outbox = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    assert [m.dedupe_key for m in outbox] == await expected_keys(runtime)
    assert all(m.status == OutboxStatus.SENT and m.attempts == 1 for m in outbox)
    # Each delivered exactly once, in order, to its own chat.
    def by_chat(messages: list) -> dict[str, list[tuple[str, str | None]]]:
        chats: dict[str, list[tuple[str, str | None]]] = {}
        for m in messages:
            kind = m.attachment.kind if isinstance(m, Outbound) and m.attachment else getattr(m, "attachment_kind", None)
            chats.setdefault(m.chat_id, []).append((m.text, kind))
        return chats

    assert by_chat(sender.sent) == by_chat(outbox)

    digests = sender.to("经理群")
    daily = [t for t in digests if t.startswith("**每日简报")]
    assert [t.split()[1][:5] for t in daily] == WORKING_DAYS

    # What moved since the previous digest: Friday's holiday folds into Monday's digest window.
    by_day = {t.split()[1][:5]: t for t in daily}
    assert "订单A100 下料 完成（张三 11-25 17:10）" in by_day["11-26"]
    assert "自 11-26 08:30 以来" in by_day["11-30"]
    assert "订单C300 下料 进行中 50%（张三 11-28 10:10）" in by_day["11-30"]
    assert "下料 完成" not in by_day["11-30"]
    # Late first, then at risk; with the counts line under the title.
    assert by_day["12-03"].index("⚠️ 逾期订单") < by_day["12-03"].index("⛔ 交期有风险")
    assert "焊接 逾期2个工作日（计划 12-01）" in by_day["12-03"]
    # The late order is also at risk (marked ⛔ in its row): the header counts it with the other one.
    assert by_day["12-03"].split("\n")[1].startswith("在制 3 单 · 逾期 1 单 · 交期有风险 2 单")
    assert "⛔ 交期有风险（另有 1 单逾期订单已在上面标出）" in by_day["12-03"]
    assert "今日计划节点" in by_day["12-01"] and "订单A100 焊接（焊接车间）" in by_day["12-01"]

    warnings = sender.to("焊接群")
    assert any("逾期提醒** 订单A100" in t and "已逾期 1 个工作日" in t and "@张三" in t for t in warnings)
    mentions = [m.mention_user_ids for m in sender.sent if m.text.startswith("⚠️ **逾期提醒** 订单A100")]
    assert mentions == [("张三",), ("张三",)]

    # Customers see only their own orders, in customer-facing words.
    east = sender.to("华东群")
    assert len(east) == 2 and all("A100" in t and "C300" in t and "B200" not in t for t in east)
    assert "预计交付 2026-12-07（原定 12-04）" in east[1]
    west = sender.to("西北群")
    assert len(west) == 2 and all("B200" in t and "A100" not in t for t in west)
    for text in east + west:
        assert "张三" not in text and "车间" not in text and "逾期" not in text


    # Ticking a moment already handled again (a restart, a second instance) sends nothing more.
    before = len(sender.sent)
    outcomes, report = await service.tick(at(4, 9, month=12))
    assert [(o.job_id, o.ran) for o in outcomes] == [("daily_digest", False), ("overdue_scan", False)]
    assert not report and len(sender.sent) == before
    assert len(sender.to("经理群")) == len(WORKING_DAYS) + 2  # the digests and two escalations
    assert len(sender.pictures_to("经理群")) == 5  # after the digests with late or at-risk orders
