"""The managers' daily digest, most urgent first.

Sections: late orders, orders whose due date is at risk, open exceptions and change requests with
their age, what moved since the previous digest, today's planned milestones; a one-line count of
each under the title. Long sections list `max_items` lines and count the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.formatting import (
    CATEGORY_LABELS,
    FIELD_LABELS,
    SEVERITY_LABELS,
    event_words,
    md,
    progress_words,
)
from scheduler.health import OrderHealth, assess
from scheduler.read_model import (
    ChangeRow,
    EventRow,
    ExceptionRow,
    OrderRow,
    count_events_between,
    events_between,
    open_changes,
    open_exceptions,
    open_orders,
)
from scheduler.workindex import WorkdayIndex
from storage.models import MilestoneStatus

WEEKDAYS = "一二三四五六日"
T = TypeVar("T")


@dataclass(frozen=True)
class Digest:
    text: str
    late: int
    at_risk: int
    exceptions: int
    changes: int
    moved: int
    planned_today: int


def weekday(day: date) -> str:
    return f"周{WEEKDAYS[day.weekday()]}"


def _age(created_at: datetime, now: datetime) -> str:
    days = (now - created_at).days
    if days <= 0:
        hours = max(int((now - created_at).total_seconds() // 3600), 0)
        return f"{hours}小时" if hours else "刚刚"
    return f"{days}天"


def _capped(items: Sequence[T], render: Callable[[T], str], limit: int, what: str, total: int | None = None) -> list[str]:
    """The first `limit` items rendered, and a count of the rest (of `total`, when more exist than given)."""
    total = len(items) if total is None else total
    lines = [render(item) for item in items[:limit]]
    if total > limit:
        lines.append(f"- ……另有 {total - limit} {what}未列出（发送「订单列表」查看全部）")
    return lines


def _late_line(health: OrderHealth) -> str:
    order = health.order
    parts = [
        f"{late.milestone.name} 逾期{late.days_late}个工作日（计划 {md(late.milestone.planned_date)}）"
        + (f" · {late.milestone.owner}" if late.milestone.owner else "")
        for late in health.late
    ]
    if health.past_due:
        parts.insert(0, f"已过交期 {md(order.due_date)}")
    risk = "，⛔ 交期有风险" if health.at_risk and not health.past_due else ""
    return f"- **{order.order_no}** · {order.customer} · 交期 {md(order.due_date)}：{'；'.join(parts)}{risk}"


def _risk_line(health: OrderHealth) -> str:
    order = health.order
    return (
        f"- **{order.order_no}** · {order.customer} · 交期 {md(order.due_date)}："
        f"剩余工序需 {health.days_needed} 个工作日，距交期只剩 {health.days_left} 个"
    )


def _exception_line(row: ExceptionRow, now: datetime) -> str:
    where = f"·{row.milestone}" if row.milestone else ""
    kind = f"{CATEGORY_LABELS.get(row.category, row.category)}·{SEVERITY_LABELS.get(row.severity, row.severity)}"
    text = row.description.replace("\n", " ")
    if len(text) > 40:
        text = text[:40] + "…"
    return f"- 异常#{row.id} 订单{row.order_no}（{kind}{where}）{text} · 已{_age(row.created_at, now)}"


def _change_line(row: ChangeRow, now: datetime) -> str:
    label = FIELD_LABELS.get(row.field, row.field)
    return (
        f"- 变更#{row.id} 订单{row.order_no} {label}：{row.old_value or '—'} → {row.new_value or '（待明确）'}"
        f" · 已等{_age(row.created_at, now)}"
    )


def _event_line(row: EventRow, tz: ZoneInfo) -> str:
    words = event_words(row.kind, row.item, row.milestone)
    return f"- 订单{row.order_no} {words}（{row.actor_name} {row.created_at.astimezone(tz):%m-%d %H:%M}）"


def build_digest(
    orders: Sequence[OrderRow],
    exceptions: Sequence[ExceptionRow],
    changes: Sequence[ChangeRow],
    events: Sequence[EventRow],
    *,
    events_total: int | None = None,
    now: datetime,
    since: datetime,
    index: WorkdayIndex,
    tz: ZoneInfo,
    max_items: int,
) -> Digest:
    today = now.astimezone(tz).date()
    healths = [assess(order, today, index) for order in orders]
    late = sorted((h for h in healths if h.late or h.past_due), key=lambda h: h.urgency)
    risky = sorted((h for h in healths if h.at_risk and not (h.late or h.past_due)), key=lambda h: h.urgency)
    planned_today = [
        (order, m)
        for order in orders
        for m in order.milestones
        if m.planned_date == today and m.status != MilestoneStatus.DONE
    ]
    late_at_risk = sum(1 for h in late if h.at_risk and not h.past_due)
    at_risk = len(risky) + late_at_risk
    """Every order marked ⛔ in the body: the risk section, and late rows carrying the mark."""
    moved = len(events) if events_total is None else events_total
    summary = (
        f"在制 {len(orders)} 单 · 逾期 {len(late)} 单 · 交期有风险 {at_risk} 单 · 未关闭异常 {len(exceptions)} 条"
        f" · 待审批变更 {len(changes)} 条 · 新进展 {moved} 条 · 今日计划节点 {len(planned_today)} 个"
    )
    lines = [f"**每日简报 {md(today)}（{weekday(today)}）**", summary]

    def section(title: str, items: Sequence[T], render: Callable[[T], str], what: str, total: int | None = None) -> None:
        count = len(items) if total is None else total
        if count:
            lines.extend(["", f"**{title}（{count}）**", *_capped(items, render, max_items, what, count)])

    section("⚠️ 逾期订单", late, _late_line, "单")
    if late_at_risk and risky:
        section(f"⛔ 交期有风险（另有 {late_at_risk} 单逾期订单已在上面标出）", risky, _risk_line, "单")
    else:
        section("⛔ 交期有风险", risky, _risk_line, "单")
    section("❗ 未关闭的异常", exceptions, lambda e: _exception_line(e, now), "条")
    section("📝 待审批的变更", changes, lambda c: _change_line(c, now), "条")
    since_words = f"自 {since.astimezone(tz):%m-%d %H:%M} 以来的进展"
    section(f"🔄 {since_words}", events, lambda e: _event_line(e, tz), "条", moved)
    section(
        "📅 今日计划节点",
        planned_today,
        lambda om: f"- 订单{om[0].order_no} {om[1].name}{'（' + om[1].department + '）' if om[1].department else ''}"
        f" · {progress_words(om[1].status, om[1].percent)}",
        "个",
    )
    if len(lines) == 2:
        lines += ["", "今天没有逾期、风险、异常或待审批事项。"]
    return Digest(
        text="\n".join(lines),
        late=len(late),
        at_risk=at_risk,
        exceptions=len(exceptions),
        changes=len(changes),
        moved=moved,
        planned_today=len(planned_today),
    )


async def daily_digest(
    session: AsyncSession, *, now: datetime, since: datetime, index: WorkdayIndex, tz: ZoneInfo, max_items: int,
    orders: Sequence[OrderRow] | None = None,
) -> Digest:
    """The digest as of `now`, with what moved in [since, now): six queries whatever the size
    (five when the caller passes the open `orders` it loaded already)."""
    return build_digest(
        await open_orders(session) if orders is None else orders,
        await open_exceptions(session),
        await open_changes(session),
        await events_between(session, since, now, limit=max_items),
        events_total=await count_events_between(session, since, now),
        now=now,
        since=since,
        index=index,
        tz=tz,
        max_items=max_items,
    )
