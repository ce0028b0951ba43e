"""Importing ledgers into orders: round trip, new orders with plans, changes through the change rules,
idempotence, modes, every error class and the error workbook."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from handlers.ledger.applying import ImportMode, Outcome
from handlers.ledger.error_report import write_errors
from handlers.ledger.reading import parse_rows, read_ledger
from storage.models import ChangeRequest, Event, Order, OrderMilestone
from tests.conftest import NOW
from tests.helpers import (
    ChatSession,
    count,
    events,
    export_bytes,
    import_bytes,
    order,
    outbox,
    workbook_bytes,
)

HEADER = ["订单号", "客户", "产品", "数量", "交期"]


def ledger(*rows: list, header: list = HEADER) -> bytes:
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    return workbook_bytes(wb)


async def test_export_then_import_changes_nothing(chat: ChatSession, manager: ChatSession) -> None:
    await chat.say("新建订单 00123 华东机械 搅拌机 50台 2026-12-20 负责人=李四 规格=JB-500 优先级=加急")
    await chat.say("新建订单 124 南方重工 输送机 20套 2026-11-26 要求=防锈")
    await chat.say("订单00123 排产完成")
    before = await count(chat.runtime, Event)
    report = await import_bytes(chat.runtime, await export_bytes(chat.runtime))
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED, Outcome.UNCHANGED], report.results
    assert await count(chat.runtime, Event) == before


async def test_new_rows_become_orders_with_their_plan_and_an_audit_event(chat: ChatSession) -> None:
    data = ledger(["P-1", "华东机械", "搅拌机", "1,200件", "2026-12-20"], ["P-2", "新客户", "泵", 5, 46376])
    report = await import_bytes(chat.runtime, data, file_name="客户台账.xlsx")
    assert report.summary() == "导入完成：客户台账.xlsx 共 2 行，新建 2，更新 0，无变化 0，错误 0"
    first = await order(chat.runtime, "P-1")
    assert (first.quantity, first.unit, first.due_date, first.template_name) == (1200, "件", date(2026, 12, 20), "标准")
    assert [m.name for m in first.milestones][:2] == ["排产", "领料"] and len(first.milestones) == 10
    assert first.milestones[-1].planned_date == date(2026, 12, 18), "the plan is laid back from the due date"
    created = await events(chat.runtime, "order_created")
    assert [(e.item["file"], e.item["row"], e.actor_name) for e in created] == [("客户台账.xlsx", 2, "王经理"),
                                                                                 ("客户台账.xlsx", 3, "王经理")]
    assert created[0].raw_text == "台账导入 客户台账.xlsx 第2行"


async def test_a_changed_due_date_is_an_approved_change_that_relays_the_plan_and_tells_departments(
    chat: ChatSession, painters: ChatSession
) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    old = await order(chat.runtime, "123")
    data = ledger(["123", "华东机械", "搅拌机", 60, "2026-12-30"])
    report = await import_bytes(chat.runtime, data)
    result, = report.results
    assert result.outcome == Outcome.CHANGED
    assert [c.describe() for c in result.changes] == ["数量 50 → 60", "交期 2026-12-20 → 2026-12-30"]
    new = await order(chat.runtime, "123")
    assert (new.quantity, new.due_date) == (60, date(2026, 12, 30))
    moved = {m.name: (a.planned_date, m.planned_date) for a, m in zip(old.milestones, new.milestones, strict=True)}
    assert moved["验收"] == (date(2026, 12, 18), date(2026, 12, 30)) and all(b > a for a, b in moved.values())
    async with chat.runtime.database.transaction() as session:
        from sqlalchemy import select

        changes = list(await session.scalars(select(ChangeRequest).order_by(ChangeRequest.id)))
    assert [(c.field, c.status, c.decided_by) for c in changes] == [("quantity", "approved", "王经理"),
                                                                    ("due_date", "approved", "王经理")]
    notices = await outbox(chat.runtime)
    painted = [text for key, text in notices.items() if key == f"change:{changes[1].id}:approved:local:涂装车间群"]
    assert painted and "交期 2026-12-20 → 2026-12-30" in painted[0] and "王经理 已批准" in painted[0]
    again = await import_bytes(chat.runtime, data)
    assert [r.outcome for r in again.results] == [Outcome.UNCHANGED], "importing the same file again changes nothing"
    assert await count(chat.runtime, ChangeRequest) == 2


async def test_plain_fields_are_updated_with_the_old_values_kept(chat: ChatSession) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    data = ledger(["123", "华东机械", "大搅拌机", "", "2026-12-20", "张三"], header=[*HEADER, "跟单员"])
    result, = (await import_bytes(chat.runtime, data)).results
    assert [c.describe() for c in result.changes] == ["产品 搅拌机 → 大搅拌机", "责任人 （空） → 张三"]
    stored = await order(chat.runtime, "123")
    assert (stored.product, stored.owner, stored.quantity) == ("大搅拌机", "张三", 50), "a blank cell keeps the value"
    event, = await events(chat.runtime, "ledger_updated")
    assert event.before == {"product": "搅拌机", "owner": None} and event.item["row"] == 2


async def test_a_dry_run_says_what_would_happen_and_changes_nothing(chat: ChatSession) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    await chat.say("新建订单 124 华东机械 搅拌机 50台 2026-12-20")
    before = (await count(chat.runtime, Event), await count(chat.runtime, Order), await count(chat.runtime, OrderMilestone))
    data = ledger(["123", "华东机械", "搅拌机", 50, "2026-12-20"], ["124", "华东机械", "搅拌机", 70, "2026-12-20"],
                  ["125", "华东机械", "搅拌机", 5, "12月25日"], ["126", "华东机械", "搅拌机", 0, "12月25日"])
    report = await import_bytes(chat.runtime, data, dry_run=True)
    assert [r.describe() for r in report.results] == [
        "第2行 123：无变化", "第3行 124：更新 —— 数量 50 → 70", "第4行 125：新建", "第5行 126：错误 —— 数量必须大于 0。",
    ]
    assert report.summary() == "预览（没有改动任何数据）：台账.xlsx 共 4 行，将新建 1，将更新 1，无变化 1，错误 1"
    after = (await count(chat.runtime, Event), await count(chat.runtime, Order), await count(chat.runtime, OrderMilestone))
    assert after == before


async def test_insert_and_update_modes(chat: ChatSession) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    data = ledger(["123", "华东机械", "搅拌机", 60, "2026-12-20"], ["124", "华东机械", "泵", 5, "2026-12-20"])
    insert = await import_bytes(chat.runtime, data, mode=ImportMode.INSERT, dry_run=True)
    assert [r.outcome for r in insert.results] == [Outcome.ERROR, Outcome.NEW] and "已经存在" in insert.results[0].reason
    update = await import_bytes(chat.runtime, data, mode=ImportMode.UPDATE, dry_run=True)
    assert [r.outcome for r in update.results] == [Outcome.CHANGED, Outcome.ERROR]
    assert "系统里没有订单 124" in update.results[1].reason


def every_error() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.append(["订单号", "客户", "产品", "数量", "交期", "模板"])
    ws.append(["E1", "甲", "泵", 5, "2026-12-20", "不存在的模板"])       # unknown template
    ws.append(["E2", "甲", "泵", 5, "十二月中旬", None])                 # unparseable date
    ws.append(["E3", "甲", "泵", 0, "2026-12-20", None])                 # zero quantity
    ws.append(["E4", "甲", "泵", 5, "2026-11-01", None])                 # past due date, new order
    ws.append(["E5", "甲", "泵", 5, "2026-12-20", None])                 # duplicate
    ws.append(["E5", "甲", "泵", 6, "2026-12-21", None])                 # duplicate
    ws.append([datetime(2026, 1, 7), "甲", "泵", 5, "2026-12-20", None])  # order number Excel made a date
    ws.append([7, "甲", "泵", 5, "2026-12-20", None])                    # fine: zero-padded number
    ws["A9"].number_format = "0000"
    ws.append(["123", "乙", "泵", 5, "2026-12-20", None])                # another customer's order
    return wb


async def test_every_error_class_is_skipped_and_written_to_a_reimportable_error_workbook(chat: ChatSession) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    report = await import_bytes(chat.runtime, workbook_bytes(every_error()))
    reasons = {r.number: r.reason for r in report.errors}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 10]
    assert "没有名为「不存在的模板」的里程碑模板" in reasons[2]
    assert "日期「十二月中旬」看不懂" in reasons[3]
    assert "数量必须大于 0" in reasons[4]
    assert "交期 2026-11-01 已经过去了" in reasons[5]
    assert "出现了多次" in reasons[6] and "出现了多次" in reasons[7]
    assert "转成了日期" in reasons[8]
    assert "属于「华东机械」" in reasons[10]
    assert report.summary().endswith("新建 1，更新 0，无变化 0，错误 8")
    assert (await order(chat.runtime, "0007")).quantity == 5, "the zero-padded number keeps its zeros"
    assert await order(chat.runtime, "E1") is None and await order(chat.runtime, "E5") is None

    buffer = io.BytesIO()
    sheet = read_ledger(workbook_bytes(every_error()))
    write_errors(sheet, report.errors, buffer)
    errors = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(errors.iter_rows(values_only=True))
    assert rows[0] == ("订单号", "客户", "产品", "数量", "交期", "模板", "错误原因")
    assert len(rows) == 9 and rows[1][:5] == ("E1", "甲", "泵", 5, "2026-12-20")
    assert rows[1][6].startswith("第2行：没有名为")

    errors["A2"].value = "E1"
    errors["F2"].value = None
    errors["E3"].value = "12月20日"
    fixed = io.BytesIO()
    errors.parent.save(fixed)
    again = await import_bytes(chat.runtime, fixed.getvalue())
    assert [r.outcome for r in again.results][:2] == [Outcome.NEW, Outcome.NEW], "fixed rows import"
    assert (await order(chat.runtime, "E2")).due_date == date(2026, 12, 20)


async def test_a_row_the_change_rules_refuse_is_rolled_back_alone(chat: ChatSession) -> None:
    await chat.say("新建订单 123 华东机械 搅拌机 50台 2026-12-20")
    await chat.say("新建订单 124 华东机械 搅拌机 50台 2026-12-20")
    await chat.say("撤销")  # 124 cancelled: closed
    data = ledger(["123", "华东机械", "搅拌机", 80, "2026-12-20"], ["124", "华东机械", "搅拌机", 70, "2026-12-20"],
                  ["125", "华东机械", "泵", 1, "2026-12-20"])
    report = await import_bytes(chat.runtime, data)
    assert [r.outcome for r in report.results] == [Outcome.CHANGED, Outcome.ERROR, Outcome.NEW]
    assert "不能再修改" in report.results[1].reason
    assert (await order(chat.runtime, "124")).quantity == 50


def test_parse_uses_the_import_time_for_dates_without_a_year() -> None:
    rows = parse_rows(read_ledger(ledger(["1", "甲", "泵", 1, "1月5日"])), NOW.date())
    assert rows[0].due_date == date(2027, 1, 5)


async def test_a_group_of_new_orders_gets_the_same_orders_and_plans_as_one_by_one(chat: ChatSession) -> None:
    rows = [["G1", "华东机械", "搅拌机", "50台", "2026-12-20"], ["G2", "新客户", "泵", 5, "12月1日"]]
    await import_bytes(chat.runtime, ledger(*rows))  # two rows: one group, created together
    await import_bytes(chat.runtime, ledger(["S1", "华东机械", "搅拌机", "50台", "2026-12-20"]))  # alone
    await import_bytes(chat.runtime, ledger(["S2", "新客户", "泵", 5, "12月1日"]))

    def shape(o: Order) -> tuple:
        return (o.customer.name, o.product, o.quantity, o.unit, o.due_date, o.status, o.template_name,
                [(m.seq, m.name, m.planned_date, m.days, m.department, m.status) for m in o.milestones])

    assert shape(await order(chat.runtime, "G1")) == shape(await order(chat.runtime, "S1"))
    assert shape(await order(chat.runtime, "G2")) == shape(await order(chat.runtime, "S2"))
    assert len(await events(chat.runtime, "order_created")) == 4


async def test_a_group_the_rules_refuse_is_applied_again_row_by_row(chat: ChatSession, monkeypatch) -> None:
    """When a group's bulk creation is refused, the group is rolled back and each row applied in its
    own transaction (by `create_order`), so one bad row cannot take the others down with it."""
    from handlers.ledger import applying
    from handlers.orders import OrderInputError

    groups = []

    async def refuse(session, news, settings, now):
        groups.append([new.order_no for new in news])
        await session.execute(text("UPDATE orders SET quantity = 99"))  # partial work, to be rolled back
        raise OrderInputError("订单 T2 已经存在，不能重复建单。")

    monkeypatch.setattr(applying, "create_orders", refuse)
    await chat.say("新建订单 T0 甲 泵 1台 2026-12-21")
    data = ledger(["T1", "甲", "泵", 5, "2026-12-20"], ["T2", "甲", "泵", 6, "2026-12-20"],
                  ["T3", "甲", "泵", 0, "2026-12-20"])
    report = await import_bytes(chat.runtime, data)
    assert groups == [["T1", "T2"]]
    assert [r.outcome for r in report.results] == [Outcome.NEW, Outcome.NEW, Outcome.ERROR]
    assert [(await order(chat.runtime, no)).quantity for no in ("T0", "T1", "T2")] == [1, 5, 6], "T0 rolled back"
    assert len(await events(chat.runtime, "order_created")) == 3
