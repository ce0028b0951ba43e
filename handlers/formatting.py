"""How orders, milestones and records read in chat (zh-CN markdown both platforms render)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from handlers.understanding.items import ParsedItem
from handlers.workdays import WorkCalendar
from storage.models import (
    ChangeRequest,
    EventKind,
    ExceptionCategory,
    ExceptionSeverity,
    MilestoneStatus,
    Order,
    OrderException,
    OrderMilestone,
    OrderStatus,
)

STATUS_MARK = {
    MilestoneStatus.DONE: "✅",
    MilestoneStatus.IN_PROGRESS: "🔄",
    MilestoneStatus.PENDING: "⏳",
}
FIELD_LABELS = {"quantity": "数量", "due_date": "交期", "spec": "规格"}
CATEGORY_LABELS = {
    ExceptionCategory.QUALITY: "质量",
    ExceptionCategory.MATERIAL: "物料",
    ExceptionCategory.EQUIPMENT: "设备",
    ExceptionCategory.DELAY: "延期",
    ExceptionCategory.OTHER: "其他",
}
SEVERITY_LABELS = {ExceptionSeverity.GENERAL: "一般", ExceptionSeverity.MAJOR: "重大"}


def _field(item: Mapping[str, Any]) -> str:
    return FIELD_LABELS.get(item.get("field") or "", item.get("field") or "")


def _category(item: Mapping[str, Any]) -> str:
    return CATEGORY_LABELS.get(item.get("category") or ExceptionCategory.OTHER, "其他")


def _ref(prefix: str, item: Mapping[str, Any], key: str) -> str:
    return f"{prefix}#{item[key]}" if item.get(key) is not None else prefix


EVENT_WORDS: dict[EventKind, Callable[[Mapping[str, Any], str | None], str]] = {
    EventKind.ORDER_CREATED: lambda item, m: "新建订单",
    EventKind.PROGRESS: lambda item, m: f"{m or ''} {progress_words(item.get('status', ''), item.get('percent'))}".strip(),
    EventKind.CHANGE_REQUESTED: lambda item, m: f"提出{_ref('变更', item, 'change_id')}（{_field(item)}）",
    EventKind.CHANGE_APPROVED: lambda item, m: f"{_ref('变更', item, 'change_id')}（{_field(item)}）已同意",
    EventKind.CHANGE_REJECTED: lambda item, m: f"{_ref('变更', item, 'change_id')}（{_field(item)}）被驳回",
    EventKind.EXCEPTION_OPENED: lambda item, m: f"报告{_ref('异常', item, 'exception_id')}（{_category(item)}）",
    EventKind.EXCEPTION_RESOLVED: lambda item, m: f"{_ref('异常', item, 'exception_id')}（{_category(item)}）已解决",
    EventKind.UNDO: lambda item, m: f"撤销了记录 #{item.get('undone_event_id', '')}".rstrip(" #"),
    EventKind.REFUSED: lambda item, m: "请求被拒绝",
    EventKind.CHAT_BOUND: lambda item, m: "绑定群用途",
    EventKind.ROLE_GRANTED: lambda item, m: "授权身份",
    EventKind.WEBHOOK_BOUND: lambda item, m: "绑定消息推送地址",
    EventKind.LEDGER_UPDATED: lambda item, m: "台账导入更新了订单信息",
}
"""Every event kind in words: digests and `gendan show` say what happened in Chinese, never the kind's
code name (a test checks each EventKind has its words)."""


def event_words(kind: str, item: Mapping[str, Any] | None, milestone: str | None = None) -> str:
    return EVENT_WORDS[EventKind(kind)](item or {}, milestone)


def md(day: date | datetime | None) -> str:
    return "—" if day is None else f"{day.month:02d}-{day.day:02d}"


def progress_words(status: str, percent: int | None) -> str:
    if status == MilestoneStatus.DONE:
        return "完成"
    if status == MilestoneStatus.IN_PROGRESS:
        return f"进行中 {percent}%" if percent is not None else "进行中"
    return "未开始"


_OPS = {"set": "改为", "add": "增加", "sub": "减少"}


def item_reading(item: ParsedItem) -> str:
    """How the bot understood one item, in words, for a question ("订单123 焊接 完成")."""
    order = f"订单{item.order_no}" if item.order_no else "（未写订单号）"
    if item.intent == "progress":
        status = progress_words(item.status or "", item.percent)
        forecast = f"，预计{md(item.date)}完成" if item.date and item.status == MilestoneStatus.IN_PROGRESS else ""
        return f"{order} {item.milestone} {status}{forecast}"
    if item.intent == "exception":
        where = f" {item.milestone}" if item.milestone else ""
        return f"{order}{where} 异常（{CATEGORY_LABELS.get(item.category, '其他')}）"
    if item.intent == "change":
        value = md(item.value) if isinstance(item.value, date) else item.value
        unit = "天" if item.field == "due_date" and item.op in ("add", "sub") else ""
        return f"{order} 变更{FIELD_LABELS.get(item.field or '', '')}：{_OPS.get(item.op or '', '')}{value}{unit}"
    where = f" {item.milestone}" if item.milestone else ""
    return f"查询{order}{where}的进度"


def milestone_late_days(milestone: OrderMilestone, today: date, calendar: WorkCalendar) -> int:
    """Working days a milestone not yet done is past its planned date (0 when it is not late)."""
    if milestone.status == MilestoneStatus.DONE or milestone.planned_date >= today:
        return 0
    return max(calendar.between(milestone.planned_date, today), 0) or 1


def order_is_late(order: Order, today: date) -> bool:
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.CANCELLED):
        return False
    if order.due_date < today and order.status != OrderStatus.SHIPPED:
        return True
    return any(m.status != MilestoneStatus.DONE and m.planned_date < today for m in order.milestones)


def current_stage(order: Order) -> str:
    """The milestone the order is at: the first one not done, or 全部完成."""
    for milestone in order.milestones:
        if milestone.status != MilestoneStatus.DONE:
            return f"{milestone.name}（{progress_words(milestone.status, milestone.percent)}）"
    return "全部完成"


def milestone_line(milestone: OrderMilestone, today: date, calendar: WorkCalendar, tz) -> str:
    mark = STATUS_MARK[MilestoneStatus(milestone.status)]
    words = progress_words(milestone.status, milestone.percent)
    if milestone.status == MilestoneStatus.DONE and milestone.finished_at is not None:
        detail = f"{words} {md(milestone.finished_at.astimezone(tz))}"
    else:
        detail = f"{words}，计划 {md(milestone.planned_date)}"
        if milestone.forecast_date is not None:
            detail += f"，预计 {md(milestone.forecast_date)}"
    late = milestone_late_days(milestone, today, calendar)
    if late:
        detail += f" ⚠️ 逾期{late}个工作日"
    owner = f" · {milestone.owner}" if milestone.owner else ""
    return f"{milestone.seq}. {milestone.name} {mark} {detail}{owner}"


def order_header(order: Order, today: date, calendar: WorkCalendar) -> str:
    status = OrderStatus(order.status).label
    days_left = calendar.between(today, order.due_date)
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.CANCELLED):
        due = f"交期 {order.due_date:%Y-%m-%d}"
    elif days_left >= 0:
        due = f"交期 {order.due_date:%Y-%m-%d}（还有{days_left}个工作日）"
    else:
        due = f"交期 {order.due_date:%Y-%m-%d}（⚠️ 已过{-days_left}个工作日）"
    return (
        f"**订单 {order.order_no}**{urgent_mark(order)} · {order.customer.name} · {order.product} {order.quantity}{order.unit}\n"
        f"{due} · 状态：{status}{owner_words(order)}"
    )


def urgent_mark(order: Order) -> str:
    return " 🔴加急" if order.priority == "urgent" else ""


def owner_words(order: Order) -> str:
    return f" · 负责人 {order.owner}" if order.owner else ""


def order_status_text(
    order: Order,
    today: date,
    calendar: WorkCalendar,
    tz,
    *,
    exceptions: Sequence[OrderException] = (),
    changes: Sequence[ChangeRequest] = (),
) -> str:
    lines = [order_header(order, today, calendar), ""]
    lines += [milestone_line(m, today, calendar, tz) for m in order.milestones]
    if exceptions:
        lines += ["", "**未关闭的异常**"]
        lines += [
            f"- 异常#{e.id} {CATEGORY_LABELS.get(e.category, e.category)}·{SEVERITY_LABELS.get(e.severity, e.severity)}"
            f"{'·' + e.milestone if e.milestone else ''}：{e.description}"
            for e in exceptions
        ]
    if changes:
        lines += ["", "**待审批的变更**"]
        lines += [
            f"- 变更#{c.id} {FIELD_LABELS.get(c.field, c.field)}：{c.old_value or '—'} → {c.new_value}"
            for c in changes
        ]
    return "\n".join(lines)


def order_list_line(order: Order, today: date) -> str:
    late = " ⚠️ 逾期" if order_is_late(order, today) else ""
    return (
        f"- {order.order_no}{urgent_mark(order)} · {order.customer.name} · {order.product} {order.quantity}{order.unit}"
        f" · 交期 {md(order.due_date)} · 当前：{current_stage(order)}{owner_words(order)}{late}"
    )
