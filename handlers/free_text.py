"""Free text: understood items of a message turned into records (progress, change requests, exceptions) and answers.

All items of one message are resolved first; if any is uncertain (an unknown order, a milestone not in
the plan, or an item the parser marked unconfident) nothing is recorded and the bot asks, naming its
reading. Otherwise every item is applied in the caller's single transaction.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from handlers.acceptance import after_progress, closing_question, progress_refusal
from handlers.access import CUSTOMER_READ_ONLY, not_visible_answer, refuse, scope_for, suggest_visible, visible_order
from handlers.changes import ChangeInputError, record_change
from handlers.context import Context
from handlers.conversation import hold_for_confirmation, recent_order_no
from handlers.formatting import item_reading
from handlers.messages import Reply
from handlers.order_exceptions import as_rework_finished, record_exception, rework_close_offer
from handlers.order_status import answer_query
from handlers.progress import milestone_named, record_progress
from handlers.understanding.items import ParsedItem
from storage.models import MilestoneStatus, Order, OrderStatus

NOT_UNDERSTOOD = (
    "没看懂这条消息，没有记录任何内容。\n"
    "可以这样说：「订单123 焊接完成」「124 涂装80%」「客户要求123交期改到12月5号」「123 质检没过，返工」，"
    "或发送「帮助」查看全部命令。"
)


MAX_ITEMS = 30
"""The most items one message may record: a longer list is refused whole, with a clear answer."""
MAX_SUGGESTED = 5
"""Unknown order numbers of one message for which close matches are looked up; the rest are only
reported as not found (bounded work however many unknown numbers a message names)."""

MILESTONE_GUESS_CUTOFF = 0.3
"""How alike a milestone name must be to be offered as "是指…吗" (焊接→波峰焊 is 0.4; 验收→老化测试 is 0)."""


@dataclass
class Resolved:
    item: ParsedItem
    order: Order | None
    """None only for a general query naming no order."""
    assumed: bool


@dataclass
class Doubt:
    question: str
    fix: ParsedItem | None
    """The item as the bot would record it if the sender confirms; None when only a corrected message helps."""


@dataclass
class NotVisible:
    answer: str
    """The plain answer to a question about an order this chat cannot see (nothing to record or confirm)."""


@dataclass
class Blocked:
    reason: str
    """Why this item cannot be recorded at all (no confirmation helps)."""


def _closed_reason(order: Order, intent: str) -> str | None:
    """Why nothing of this kind may be recorded on the order any more, or None."""
    if intent == "query":
        return None
    if order.status == OrderStatus.CANCELLED:
        return f"订单 {order.order_no} 已撤销（建单已撤回），没有记录。"
    if intent == "progress":
        return progress_refusal(order)
    return None


async def handle_free_text(ctx: Context) -> Reply:
    items = ctx.parser.parse(ctx.text, ctx.now)
    if not items:
        return Reply(NOT_UNDERSTOOD, ok=False)
    if len(items) > MAX_ITEMS:
        return Reply(
            f"这条消息里有 {len(items)} 条内容，一条消息最多 {MAX_ITEMS} 条，**没有记录**。请分成几条发送。",
            ok=False,
        )
    return await apply_items(ctx, items, confirmed=False)


async def apply_items(ctx: Context, items: Sequence[ParsedItem], *, confirmed: bool) -> Reply:
    if scope_for(ctx).restricted and any(item.intent != "query" for item in items):
        return refuse(ctx, CUSTOMER_READ_ONLY, intents=sorted({item.intent for item in items}))
    # The order of the sender's last message is needed only for an item naming none.
    needs_context = any(item.order_no is None and item.intent != "query" for item in items)
    context_order = await recent_order_no(ctx) if needs_context else None
    suggestions = _SuggestionBudget(MAX_SUGGESTED)
    outcomes = [await _resolve(ctx, item, context_order, suggestions) for item in items]
    if not confirmed:
        outcomes = [_ask_before_closing(outcome) for outcome in outcomes]
    blocked = [outcome.reason for outcome in outcomes if isinstance(outcome, Blocked)]
    if blocked:
        return Reply("\n".join(["⚠️ " + reason for reason in blocked]), ok=False)
    if any(isinstance(outcome, Doubt) for outcome in outcomes) and not confirmed:
        return await _ask(ctx, [outcome for outcome in outcomes if not isinstance(outcome, NotVisible)])
    return await _apply_all(ctx, [outcome for outcome in outcomes if not isinstance(outcome, (Doubt, Blocked))])


@dataclass
class _SuggestionBudget:
    left: int

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _ask_before_closing(outcome: Resolved | Doubt | Blocked | NotVisible) -> Resolved | Doubt | Blocked | NotVisible:
    """A record that would close an order with steps still open becomes a question first."""
    if isinstance(outcome, Resolved) and outcome.order is not None:
        question = closing_question(outcome.order, outcome.item)
        if question is not None:
            return Doubt(question, outcome.item)
    return outcome


async def _resolve(
    ctx: Context, item: ParsedItem, context_order: str | None, budget: _SuggestionBudget
) -> Resolved | Doubt | Blocked | NotVisible:
    order_no = item.order_no
    assumed = False
    if order_no is None:
        if item.intent == "query":
            return Resolved(item, None, False)
        if context_order is None:
            return Doubt("这条没有写订单号，是哪个订单？请带上订单号重发，例如「订单123 焊接完成」。", None)
        order_no, assumed = context_order, True
        item = replace(item, order_no=order_no)
    order = await visible_order(ctx, order_no)
    if order is None and item.intent == "query":
        return NotVisible(await not_visible_answer(ctx, order_no))
    if order is None:
        suggestions = await suggest_visible(ctx, order_no) if budget.take() else []
        if not suggestions:
            return Doubt(f"没有找到订单 {order_no}，是哪个订单？请带上正确的订单号重发，或先用「新建订单」建单。", None)
        guess = suggestions[0]
        others = f"（其他相近的：{'、'.join(suggestions[1:])}）" if len(suggestions) > 1 else ""
        return Doubt(f"没有找到订单 {order_no}，是指订单 {guess} 吗？{others}", replace(item, order_no=guess))
    rework_done = await as_rework_finished(ctx, order, item)
    if rework_done is not None:
        item = rework_done
    closed = _closed_reason(order, item.intent)
    if closed is not None:
        return Blocked(closed)
    milestone = item.milestone
    if milestone and milestone_named(order, milestone) is None:
        names = [m.name for m in order.milestones]
        close = difflib.get_close_matches(milestone, names, n=1, cutoff=MILESTONE_GUESS_CUTOFF)
        plan = "、".join(names)
        if item.intent == "progress" and close:
            return Doubt(
                f"订单 {order.order_no} 的计划里没有「{milestone}」这一步（{plan}），是指「{close[0]}」吗？",
                replace(item, milestone=close[0]),
            )
        if item.intent == "progress":
            return Doubt(f"订单 {order.order_no} 的计划里没有「{milestone}」这一步（{plan}）。", None)
        item = replace(item, milestone=None)
    if not item.confident:
        # the parser is unsure of its reading: name it and record only after 「是」
        return Doubt(f"我理解为：{item_reading(item)}，对吗？", replace(item, confident=True))
    return Resolved(item, order, assumed)


async def _ask(ctx: Context, outcomes: list[Resolved | Doubt]) -> Reply:
    doubts = [outcome for outcome in outcomes if isinstance(outcome, Doubt)]
    lines = ["⚠️ 这条消息有拿不准的地方，**还没有记录**："]
    lines += [f"- {doubt.question}" for doubt in doubts]
    if all(doubt.fix is not None for doubt in doubts):
        # Kept in the order the lines were written: a 「是」 applies them in that order.
        items = [outcome.item if isinstance(outcome, Resolved) else outcome.fix for outcome in outcomes]
        await hold_for_confirmation(ctx, items, "\n".join(d.question for d in doubts))
        lines.append("回复「是」按上面的理解记录，或直接发送更正后的消息。")
    else:
        lines.append("请更正后重新发送。")
    return Reply("\n".join(lines), ok=False)


async def _apply_all(ctx: Context, resolved: list[Resolved | NotVisible]) -> Reply:
    recorded: list[str] = []
    refused: list[str] = []
    answers: list[str] = []
    assumed: set[str] = set()
    for entry in resolved:
        if isinstance(entry, NotVisible):
            refused.append(entry.answer)
            continue
        intent = entry.item.intent
        if entry.order is not None:
            ctx.about_order = entry.order.order_no
        if intent == "query":
            answers.append(await answer_query(ctx, entry.order, entry.item.milestone))
            continue
        assert entry.order is not None
        if entry.assumed:
            assumed.add(entry.order.order_no)
        if intent == "progress":
            line = record_progress(ctx, entry.order, entry.item)
            line += await after_progress(ctx, entry.order, entry.item.milestone)
            if entry.item.status == MilestoneStatus.DONE:
                line += await rework_close_offer(ctx, entry.order, entry.item.milestone)
            recorded.append(line)
        elif intent == "change":
            try:
                recorded.append(await record_change(ctx, entry.order, entry.item))
            except ChangeInputError as error:
                refused.append(f"⚠️ {error}这条变更没有记录。")
        elif intent == "exception":
            recorded.append(await record_exception(ctx, entry.order, entry.item))
    parts: list[str] = []
    if recorded:
        parts.append("已记录：\n" + "\n".join(recorded) if len(recorded) > 1 else "已记录：" + recorded[0])
    parts += refused
    parts += answers
    if assumed and recorded:
        parts.append(f"（消息里没写订单号，按你刚才说的订单 {'、'.join(sorted(assumed))} 记录；不对请发「撤销」。）")
    if not parts:
        return Reply(NOT_UNDERSTOOD, ok=False)
    return Reply("\n\n".join(parts), ok=bool(recorded or answers))
