"""The monthly review, checked against figures recomputed independently from the event log."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime

from bot.config import Settings
from tests.conftest import NOW, REPO, SHANGHAI
from tests.helpers import ChatSession, accept, events


MONTH = "2026-11"


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)


async def play_the_month(chat: ChatSession, manager: ChatSession) -> None:
    chat.now = manager.now = NOW
    await chat.say("新建订单 101 华东机械 搅拌机 50台 2026-12-20")
    await chat.say("新建订单 102 华东机械 搅拌机 10台 2026-11-27")
    await chat.say("新建订单 103 南方重工 输送机 20套 2026-11-26")
    await chat.say("新建订单 104 南方重工 输送机 5套 2026-11-25")
    await chat.say("新建订单 105 南方重工 输送机 8套 2026-11-30")
    await chat.say("变更 102 交期 2026-11-25 客户提前")  # 变更#1, approved: due in force 11-25
    await chat.say("变更 102 数量 12")  # 变更#2, rejected
    await chat.say("变更 103 交期 2026-11-30 客户推迟")  # 变更#3, approved
    await chat.say("变更 101 数量 60")  # 变更#4, withdrawn: does not count
    await chat.say("撤销")
    manager.now = chat.now
    await manager.say("同意 变更#1")
    await manager.say("驳回 变更#2 物料已备")
    await manager.say("同意 变更#3")
    await chat.say("101 验收不通过")  # quality · 验收
    await chat.say("104 焊接推迟5天")  # delay · 焊接
    await chat.say("异常 103 物料 领料 缺料")  # material · 领料
    await chat.say("异常 105 设备 总装 行车坏了")  # equipment, then undone: does not count
    await chat.say("撤销")
    for order_no, day in (("101", 25), ("102", 26), ("103", 28), ("104", 27)):
        chat.now = at(day)
        await accept(chat, order_no)
    chat.now = at(1, 12)
    await accept(chat, "105")  # delivered in December
    await chat.say("异常 101 其他 回访")  # raised in December


def recompute(log: list) -> dict:
    """The month's figures from the audit log alone."""
    live = [e for e in log if e.undone_at is None and e.kind != "undo"]
    orders: dict[int, dict] = {}
    for e in live:
        if e.kind == "order_created":
            orders[e.order_id] = {"no": e.item["order_no"], "customer": e.item["customer"],
                                  "due": date.fromisoformat(e.item["due_date"]), "delivered": None}
    decisions: dict[int, str] = {}
    for e in live:
        if e.kind == "change_approved":
            decisions[e.item["change_id"]] = "approved"
            if e.item["field"] == "due_date":
                orders[e.order_id]["due"] = date.fromisoformat(e.item["new_value"])
        elif e.kind == "change_rejected":
            decisions[e.item["change_id"]] = "rejected"
        elif e.kind == "progress" and e.milestone == "验收" and e.item["status"] == "done":
            orders[e.order_id]["delivered"] = e.created_at.astimezone(SHANGHAI).date()

    def in_month(e) -> bool:
        return e.created_at.astimezone(SHANGHAI).strftime("%Y-%m") == MONTH

    per_customer: dict[str, list[int]] = defaultdict(list)
    for o in orders.values():
        if o["delivered"] and o["delivered"].strftime("%Y-%m") == MONTH:
            per_customer[o["customer"]].append((o["delivered"] - o["due"]).days)
    opened = [e for e in live if e.kind == "exception_opened" and in_month(e)]
    changes: dict[str, Counter] = defaultdict(Counter)
    for e in live:
        if e.kind == "change_requested" and in_month(e):
            tally = changes[orders[e.order_id]["no"]]
            tally["total"] += 1
            tally[decisions.get(e.item["change_id"], "open")] += 1
    return {
        "customers": {
            name: {"delivered": len(d), "on_time": sum(x <= 0 for x in d),
                   "rate": sum(x <= 0 for x in d) / len(d), "delay": sum(max(x, 0) for x in d) / len(d)}
            for name, d in per_customer.items()
        },
        "by_category": Counter(e.item["category"] for e in opened),
        "by_milestone": Counter(e.milestone or "（未指定节点）" for e in opened),
        "changes": changes,
    }


def run_report(settings: Settings, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENDAN_")}
    env["GENDAN_DATABASE_URL"] = settings.database.url
    done = subprocess.run([sys.executable, "-m", "bot", "report", "--month", MONTH, *args],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_monthly_report_matches_the_event_log(
    chat: ChatSession, manager: ChatSession, settings: Settings
) -> None:
    await play_the_month(chat, manager)
    expected = recompute(await events(chat.runtime))
    # the scenario is what it claims to be, so the comparison below means something
    assert expected["customers"]["华东机械"]["on_time"] == 1 and expected["customers"]["南方重工"]["delivered"] == 2
    assert sum(expected["by_category"].values()) == 3 and len(expected["changes"]) == 2

    rows = list(csv.DictReader(io.StringIO(run_report(settings, "--csv"))))
    figures = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}
    assert all(r["month"] == MONTH for r in rows)
    for name, want in expected["customers"].items():
        assert int(figures[("on_time", name, "delivered")]) == want["delivered"]
        assert int(figures[("on_time", name, "on_time")]) == want["on_time"]
        assert float(figures[("on_time", name, "on_time_rate")]) == round(want["rate"], 4)
        assert float(figures[("on_time", name, "average_delay_days")]) == round(want["delay"], 2)
    assert {k for s, k, _ in figures if s == "on_time"} == {*expected["customers"], "TOTAL"}
    got_category = {k: int(v) for (s, k, _), v in figures.items() if s == "exceptions_by_category"}
    assert got_category == dict(expected["by_category"])
    got_milestone = {k: int(v) for (s, k, _), v in figures.items() if s == "exceptions_by_milestone"}
    assert got_milestone == dict(expected["by_milestone"])
    got_changes: dict[str, dict[str, int]] = defaultdict(dict)
    for (section, key, metric), value in figures.items():
        if section == "changes_per_order":
            got_changes[key][metric] = int(value)
    assert got_changes == {no: {m: tally[m] for m in ("total", "approved", "rejected", "open")}
                           for no, tally in expected["changes"].items()}

    table = run_report(settings)
    assert "2026-11 月报" in table and "华东机械 | 2 | 1 | 50% | 0.5" in table

    chat_table = await manager.say("月报 2026-11")
    assert chat_table.ok and "华东机械 | 2 | 1 | 50% | 0.5" in chat_table.text
    assert "质量 | 1" in chat_table.text and "102 | 2 | 1 | 1 | 0" in chat_table.text


async def test_a_bad_month_gets_a_clear_answer(manager: ChatSession, settings: Settings) -> None:
    reply = await manager.say("月报 2026-13")
    assert not reply.ok and "2026-11" in reply.text
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENDAN_")}
    env["GENDAN_DATABASE_URL"] = settings.database.url
    done = subprocess.run([sys.executable, "-m", "bot", "report", "--month", "11/2026"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 2 and "--month" in done.stderr


async def test_the_monthly_report_names_late_orders_and_exception_causes(
    chat: ChatSession, manager: ChatSession, settings: Settings
) -> None:
    """Issue 17 feature: which orders were late and by how much; what the exceptions were about."""
    await play_the_month(chat, manager)
    expected = recompute(await events(chat.runtime))
    table = (await manager.say("月报 2026-11")).text
    late_section = table.split("逾期交付的订单")[1].split("\n\n")[0]
    # 102: due 11-25 in force, delivered 11-26 (1 day); 104: due 11-25, delivered 11-27 (2 days).
    assert "104 | 南方重工 | 2026-11-25 | 2026-11-27 | 2" in late_section
    assert "102 | 华东机械 | 2026-11-25 | 2026-11-26 | 1" in late_section
    assert late_section.index("104 |") < late_section.index("102 |")  # the latest first
    assert "101 |" not in late_section and "103 |" not in late_section
    # the log agrees: 南方重工 averages (2 + 0) / 2 and 华东机械 (1 + 0) / 2 days late
    assert expected["customers"]["南方重工"]["delay"] == 1.0 and expected["customers"]["华东机械"]["delay"] == 0.5
    causes = table.split("异常原因")[1].split("\n\n")[0]
    assert "缺料" in causes and "焊接推迟5天" in causes and "行车坏了" not in causes  # undone does not count
    rows = list(csv.DictReader(io.StringIO(run_report(settings, "--csv"))))
    late = {r["key"]: int(r["value"]) for r in rows if r["section"] == "late_deliveries"}
    assert late == {"102": 1, "104": 2}
