"""Rule-based message parser: order numbers, milestones, status, changes, exceptions, queries.

Per message: normalise; per line: find and mask order numbers; split the line into scopes (the
text each group of orders governs); per scope: change requests first, then question clauses,
then one window of text around each milestone mention (or the whole scope when none is named)
decides between exception and progress.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import handlers.understanding.lexicon as lx
import handlers.understanding.segmenter as segmenter
from .dates import find_dates
from handlers.templates import Template, TemplateSet
from .items import ParsedItem
from .normalize import lines, normalize
from .numerals import NUMBER_PATTERN, parse_number
from .order_numbers import MASK, OrderMatch, find_orders, is_list_gap, mask
from storage.models import ExceptionCategory

_CLAUSE = re.compile(r"[^,;。!?，；！？\n]+[?？]?")
_BOUNDARY = re.compile(r"[,;。!?，；！？\s]")
_MILESTONE_JOIN = re.compile(r"^\s*(?:[、,，/&+]|和|及|与|跟|以及)?\s*$")
# a milestone word followed by one of these names a place, team, person or document
_NOT_MILESTONE_AFTER = re.compile(
    r"(?:房|车间|间(?!隙)|部(?!分)|班|工(?![序期作])|员|师|证|单(?!号)|表|科|室|场(?!地)|主管|组长|区|队)"
)
_NOT_MILESTONE_AFTER_SINGLE = re.compile(r"[机工缝条丝枪渣点]")
_QTY_UNITS = r"(?:台|件|个|套|只|条|张|箱|批|支|根|把|片|组|份|对|双|卷|桶|瓶|米|吨|公斤|千克|kg|KG|块|pcs|PCS|PC|pc|款|辆|架|盒|包)"
_NUM = NUMBER_PATTERN

_DONE = re.compile(lx.alternation(lx.DONE_WORDS))
_START = re.compile(lx.alternation(lx.START_WORDS))
_FORECAST = re.compile(lx.alternation(lx.FORECAST_WORDS))
_FORECAST_STRONG = re.compile(lx.alternation(lx.FORECAST_STRONG))
# an adverb people put inside a four-character milestone word: 物料已齐套, 生产计划都下了
_INFIX = "已经|已|都|全部|全|也"
_PAST = re.compile(r"(?:已经?|都已|均已)\s*$")
_NEGATED = re.compile(r"(?:没|未|不|无|还没有?|没有|尚未)$")
_PERCENT = re.compile(
    rf"(?P<num>\d{{1,3}})\s*%|百分之(?P<cn>{_NUM})|(?P<tenth>[一二两三四五六七八九]|\d)成(?![品本功员型])"
    r"|(?P<half>一半|过半|半数)"
)
_QUALITY = re.compile(lx.alternation(lx.QUALITY_WORDS))
_EQUIPMENT = re.compile(lx.alternation(lx.EQUIPMENT_WORDS))
_MATERIAL = re.compile(lx.alternation(w for w in lx.MATERIAL_WORDS if w != "缺") + r"|缺(?![陷勤席点口])|(?<![推延])迟到")
_MATERIAL_STRONG = re.compile(r"缺料|缺货|欠料|待料|等料|没货|断货|料不齐|到货延迟|延迟到货")
_DELAY = re.compile(
    lx.alternation(lx.DELAY_WORDS)
    + rf"|晚\s*(?:{_NUM})\s*个?(?:天|日|周)|晚(?![上班饭点餐会])|拖\s*(?:{_NUM})\s*个?(?:天|日|周)"
)
_OTHER = re.compile(lx.alternation(lx.OTHER_WORDS))
# "没问题", "无异常": a negated problem word reports that all is well
_NO_PROBLEM = re.compile(r"(?:没|没有|无|不是|没啥|没什么)\s*(?:大)?(?:问题|异常)")
# a machine with a leak or noise is an equipment failure, not a product defect ("空压机漏气")
_MACHINE_FAULT = re.compile(r"(?:机|泵|设备|炉|行车|叉车|生产线|流水线)\s*(?:又|也|有点|一直)?\s*(?:漏气|漏水|漏油|异响|冒烟|不转|不动|卡死|卡住)")
# a truck, driver or courier that has not come delays a shipment; it is not missing material
_NOT_MATERIAL_SUBJECT = re.compile(r"(?:车|司机|物流|快递|货代|师傅|人)\s*(?:还|都|也)?\s*$")
# a rate ("合格率98%", "完成率95%") is a statistic, never the progress of a milestone
_RATE = re.compile(r"[\u4e00-\u9fff]{0,2}率\s*(?:为|是|达到?|有)?\s*\d{1,3}(?:\.\d+)?\s*%")
# part of a quantity shipped or made, the rest still to come: the milestone is under way
_PARTIAL = re.compile(
    rf"先(?:发|出|交|送|做)|先\x01\s*了?\s*(?:{_NUM})\s*{_QTY_UNITS}|剩下|剩余|还剩|(?:还有|还差|另外)\s*(?:{_NUM})\s*{_QTY_UNITS}|分批|一部分|大部分"
)
# a date followed by a negated verb is when something will NOT happen ("今天修不好")
_NEGATED_AFTER_DATE = re.compile(r"\s*[\u4e00-\u9fff]?\s*(?:不|没|到不了|来不了)")
_STAFF = re.compile(lx.alternation(lx.STAFF_WORDS))
# with no order in the message, only these may stand before a milestone ("今天焊接完成")
_ADJACENT_STATUS = re.compile(
    r"\s*(?:已经|已|都|也|全部|全|还在|正在|在|基本|刚刚?)?\s*(?:"
    + lx.alternation(lx.DONE_WORDS + lx.START_WORDS + lx.QUALITY_WORDS + lx.EQUIPMENT_WORDS + lx.MATERIAL_WORDS
                     + lx.DELAY_WORDS)
    + r"|\d{1,3}\s*%|百分之|[一二两三四五六七八九]成|一半|中|了|预计|估计)"
)
_LEAD_FILLER = re.compile(r"(?:今天|今日|昨天|前天|刚刚?|已经?|都|全部|目前|现在|上午|下午|晚上|[\s,:：])*")
_DAY_COUNT = re.compile(lx.DAY_COUNT)
_QUERY_STRONG = re.compile(lx.alternation(lx.QUERY_STRONG) + r"|(?<![检调审核])查|么$|没有?$")
_QUERY_WEAK = re.compile(lx.alternation(lx.QUERY_WEAK))
_GENERAL_ORDER = re.compile(lx.GENERAL_ORDER)

_REQUESTER = re.compile(lx.alternation(lx.REQUESTERS))
_DUE_FIELD = re.compile(lx.alternation(lx.DUE_FIELDS))
_DUE_FIELD_ANY = re.compile(lx.alternation(lx.DUE_FIELDS + lx.DUE_FIELDS_REQUESTED))
_QTY_SET = re.compile(
    rf"(?:{lx.alternation(lx.QTY_FIELDS)})[^,;。]{{0,6}}?(?:{lx.alternation(lx.SET_OPS)})\s*(?P<num>{_NUM})"
)
_QTY_FIELD_DELTA = re.compile(
    rf"(?:{lx.alternation(lx.QTY_FIELDS)})\s*(?:再|要|需要)?\s*(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})"
    rf"\s*(?P<num>{_NUM})"
)
# "追加一批" names no count: 一批 is "a batch", the count comes later ("追加一批，加300套")
_QTY_DELTA = re.compile(
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?:了)?\s*(?!一批)(?P<num>{_NUM})\s*{_QTY_UNITS}"
)
_QTY_ADD = frozenset(lx.QTY_ADD_OPS)
_DUE_SET_OP = re.compile(r"改|调|提前|推迟|延|推|挪|定|换|变|放|到|为|至")
_DUE_ADD_OP = re.compile(lx.alternation(lx.DUE_ADD_OPS))
_DUE_SUB_OP = re.compile(lx.alternation(lx.DUE_SUB_OPS))
_HEDGE = re.compile(r"可能|估计|恐怕|怕是|怕|赶不上|来不及|也许|或许")
_DELIVER = re.compile(lx.alternation(lx.DELIVER_WORDS))
_SPEC_OP = re.compile(lx.alternation(lx.SPEC_OPS))
_SPEC_FIELD = re.compile(lx.alternation(lx.SPEC_FIELDS))


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    milestone: str
    infix: str = ""


@dataclass(frozen=True, slots=True)
class _Window:
    milestone: str | None
    before: str   # text governed by the mention, before it
    after: str    # text governed by the mention, after it


def _templates(templates: TemplateSet | Sequence[Template] | Template) -> tuple[Template, ...]:
    if isinstance(templates, TemplateSet):
        return templates.templates
    if isinstance(templates, Template):
        return (templates,)
    return tuple(templates)


class Parser:
    """Parses chat text into contract items; knows the milestones of every configured template."""

    def __init__(self, templates: TemplateSet | Sequence[Template] | Template) -> None:
        self._word_to_milestone = lx.milestone_words(_templates(templates))
        words = lx.alternation(self._word_to_milestone)
        infixed = "|".join(
            f"{re.escape(w[:2])}(?P<infix{i}>{_INFIX}){re.escape(w[2:])}"
            for i, w in enumerate(w for w in self._word_to_milestone if len(w) == 4 and not w.isascii())
        )
        self._milestone_re = re.compile(f"{infixed}|{words}" if infixed else words)
        names = {spec.name for template in _templates(templates) for spec in template.milestones}
        self._derived = tuple(
            (re.compile(form), name) for name, forms in lx.DERIVED_FORMS.items() if name in names for form in forms
        )
        self._single_chars = frozenset(w for w in self._word_to_milestone if len(w) == 1)
        self._user_words = tuple(w for w in self._word_to_milestone if len(w) > 1) + lx.DONE_WORDS + lx.START_WORDS
        self._known_tokens = frozenset(self._user_words) | frozenset(self._word_to_milestone)
        domain = "|".join(
            p for p in (
                words,
                lx.alternation(lx.DONE_WORDS + lx.START_WORDS + lx.QTY_FIELDS + lx.DUE_FIELDS + lx.QUALITY_WORDS
                               + lx.EQUIPMENT_WORDS + lx.MATERIAL_WORDS + lx.DELAY_WORDS + lx.OTHER_WORDS
                               + lx.QUERY_STRONG + lx.QUERY_WEAK + lx.QTY_ADD_OPS + lx.QTY_SUB_OPS
                               + lx.SPEC_FIELDS + ("预计", "估计", "客户", "要求", "怎么", "什么", "啥")),
            ) if p
        )
        self._domain_after = re.compile(
            rf"\s*(?:的|都|已经|也|还|又|这个?单|这边|目前|现在|今天|昨天|刚刚?|已)?\s*(?:{domain})"
        )

    def warm_up(self) -> None:
        """Load the segmenter now rather than on the first message that needs it."""
        segmenter.tokenizer(self._user_words)

    # ---- public ---------------------------------------------------------------------------
    def parse(self, text: str, now: datetime) -> list[ParsedItem]:
        today = now.date()
        items: list[ParsedItem] = []
        context: list[str] = []
        for line in lines(normalize(text)):
            orders = find_orders(line, self._domain_after)
            found = self._parse_line(line, orders, today, context)
            if orders:
                context = [o.order_no for o in orders] if not found and self._order_header(line, orders) else []
            items.extend(found)
        return _dedupe(items)

    # ---- lines and scopes -----------------------------------------------------------------
    @staticmethod
    def _order_header(line: str, orders: list[OrderMatch]) -> bool:
        rest = mask(line, orders).replace(MASK, "")
        return len(re.sub(r"[\s:：,，、和及]|进度|情况|汇报|更新|如下", "", rest)) <= 2

    def _parse_line(
        self, line: str, orders: list[OrderMatch], today: date, context: list[str]
    ) -> list[ParsedItem]:
        masked = mask(line, orders)
        if not orders:
            partial = self._scope(masked, today, has_order=bool(context))
            return [replace(item, order_no=order) for order in (context or [None]) for item in partial]
        groups: list[list[OrderMatch]] = [[orders[0]]]
        for previous, order in zip(orders, orders[1:]):
            if is_list_gap(line[previous.end : order.start]):
                groups[-1].append(order)
            else:
                groups.append([order])
        items: list[ParsedItem] = []
        # "下料：123完成，124进行中": a milestone named before the first order heads every group
        lead = masked[: orders[0].start]
        lead = lead if self._mentions(lead) else ""
        for index, group in enumerate(groups):
            start = 0 if index == 0 else group[0].start
            end = groups[index + 1][0].start if index + 1 < len(groups) else len(masked)
            scope = masked[start:end]
            if index and lead and not self._mentions(scope):
                scope = lead + scope
            partial = self._scope(scope, today, has_order=True)
            items.extend(replace(item, order_no=o.order_no) for o in group for item in partial)
        return items

    def _scope(self, text: str, today: date, has_order: bool) -> list[ParsedItem]:
        clauses = [m.group() for m in _CLAUSE.finditer(text)]
        requested = bool(_REQUESTER.search(text))
        changes = [item for clause in clauses for item in self._changes(clause, today, requested, has_order)]
        if changes:
            return changes
        items: list[ParsedItem] = []
        rest: list[str] = []
        for clause in clauses:
            if _QUERY_STRONG.search(clause) and not self._is_statement(clause):
                if has_order or _GENERAL_ORDER.search(clause):
                    mentions = self._mentions(clause)
                    items.append(ParsedItem("query", milestone=mentions[0].milestone if mentions else None))
            else:
                rest.append(clause)
        body = ",".join(rest)
        mentions = self._mentions(body, derived=has_order)
        for window in self._windows(body, mentions):
            item = self._window_item(window, today, has_order)
            if item is not None:
                items.append(item)
        if not items and has_order and _QUERY_WEAK.search(body):
            items.append(ParsedItem("query", milestone=mentions[0].milestone if mentions else None))
        return items

    @staticmethod
    def _is_statement(clause: str) -> bool:
        """A clause with a query word that still reports rather than asks ("多少" in "还差多少" aside)."""
        return bool(_PERCENT.search(clause)) and not re.search(r"吗|呢|\?|么", clause)

    # ---- milestones -----------------------------------------------------------------------
    def _mentions(self, text: str, derived: bool = False) -> list[_Mention]:
        found: list[_Mention] = []
        starts: dict[int, str] | None = None
        for match in self._milestone_re.finditer(text):
            word = match.group()
            infix = next((value for value in match.groupdict().values() if value), "")
            if infix:
                word = word.replace(infix, "", 1)
            tail = text[match.end() :]
            if _NOT_MILESTONE_AFTER.match(tail):
                continue
            if word in self._single_chars:
                if _NOT_MILESTONE_AFTER_SINGLE.match(tail):
                    continue
                if starts is None:
                    starts = segmenter.word_starts(text, self._user_words)
                token = starts.get(match.start())
                if token is None or (len(token) > 1 and token not in self._known_tokens
                                     and not _DONE.match(token[1:]) and not _START.match(token[1:])):
                    continue
            milestone = self._word_to_milestone[word]
            if found and found[-1].milestone == milestone and not _BOUNDARY.search(text[found[-1].end : match.start()]):
                found[-1] = _Mention(found[-1].start, match.end(), milestone)
                continue
            found.append(_Mention(match.start(), match.end(), milestone, infix))
        if derived and self._derived:
            found = self._with_derived(text, found)
        return found

    def _with_derived(self, text: str, found: list[_Mention]) -> list[_Mention]:
        """Add mentions by derived phrasing (lexicon.DERIVED_FORMS) where no word mention overlaps."""
        extra = [
            _Mention(match.start(), match.end(), name)
            for pattern, name in self._derived
            for match in pattern.finditer(text)
            if not any(m.start < match.end() and match.start() < m.end for m in found)
        ]
        if not extra:
            return found
        return sorted(found + extra, key=lambda m: m.start)

    @staticmethod
    def _windows(text: str, mentions: list[_Mention]) -> list[_Window]:
        if not mentions:
            return [_Window(None, "", text)]
        # list-joined mentions ("焊接、涂装都完成了") share one window
        groups: list[list[_Mention]] = [[mentions[0]]]
        for previous, mention in zip(mentions, mentions[1:]):
            if _MILESTONE_JOIN.match(text[previous.end : mention.start]):
                groups[-1].append(mention)
            else:
                groups.append([mention])
        windows: list[_Window] = []
        before = text[: groups[0][0].start]
        for index, group in enumerate(groups):
            end = group[-1].end
            if index + 1 < len(groups):
                between = text[end : groups[index + 1][0].start]
                cut = max((m.end() for m in _BOUNDARY.finditer(between)), default=None)
                after, next_before = (between, "") if cut is None else (between[:cut], between[cut:])
            else:
                after, next_before = text[end:], ""
            names = dict.fromkeys(m.milestone for m in group)
            infix = "".join(m.infix for m in group)
            windows.extend(_Window(name, before + infix, after) for name in names)
            before = next_before
        # the same milestone named twice in separate windows ("焊接50% 预计后天焊完"): one window,
        # the first mention's, which also governs the later mention's text
        merged: dict[str | None, _Window] = {}
        for window in windows:
            first = merged.get(window.milestone)
            if first is None:
                merged[window.milestone] = window
            else:
                merged[window.milestone] = replace(first, after=f"{first.after},{window.before}{window.after}")
        return list(merged.values())

    # ---- windows: exception or progress ---------------------------------------------------
    def _window_item(self, window: _Window, today: date, has_order: bool) -> ParsedItem | None:
        window = replace(window, before=_RATE.sub("", window.before), after=_RATE.sub("", window.after))
        text = f"{window.before}\x01{window.after}"
        when = next((found.value for part in (window.before, window.after) for found in find_dates(part, today)
                     if not _NEGATED_AFTER_DATE.match(part, found.end)), None)
        category = _exception_category(text, window.milestone)
        if category is not None:
            if not has_order and (not _leads(window) if window.milestone else not _MATERIAL_STRONG.search(text)):
                return None
            value = _delay_days(text) if category == ExceptionCategory.DELAY else None
            return ParsedItem("exception", milestone=window.milestone, category=category, value=value, date=when)
        if window.milestone is None:
            return None
        if not has_order and not _leads(window):
            return None   # with no order, the milestone must lead the line ("焊接完成", "今天涂装80%")
        status, percent = _progress_status(window, text, when, today)
        if status is None or (not has_order and status == "in_progress" and percent is None
                              and not (_START.search(text) or _FORECAST_STRONG.search(text)
                                       or window.after.startswith("中"))):
            return None
        if status == "in_progress_undated":
            status, when = "in_progress", None
        if status == "done":
            when = when if when is not None and when < today else None
        return ParsedItem("progress", milestone=window.milestone, status=status, percent=percent, date=when)

    # ---- change requests ------------------------------------------------------------------
    def _changes(self, clause: str, today: date, requested: bool, has_order: bool) -> list[ParsedItem]:
        items: list[ParsedItem] = []
        quantity = _quantity_change(clause)
        if quantity is not None:
            items.append(quantity)
        due = _due_change(clause, today, requested)
        if due is not None:
            items.append(due)
        if items:
            return items
        spec = _spec_change(clause, requested, has_order, self._milestone_re)
        return [spec] if spec is not None else []


# ---- helpers (pure functions over one window or clause) -------------------------------------
def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED.search(text[max(0, start - 3) : start]))


def _leads(window: _Window) -> bool:
    """With no order, an item needs the milestone to lead its line and its status right after it."""
    return bool(_LEAD_FILLER.fullmatch(window.before)) and bool(_ADJACENT_STATUS.match(window.after))


_WEAK_MATERIAL = frozenset(("没到", "未到", "还没来", "没来", "晚到", "到不了", "才能到"))


def _material(text: str) -> bool:
    for match in _MATERIAL.finditer(text):
        if re.match(r"没到(?:账|哪|位)", text[match.start():]):
            continue
        if match.group() in _WEAK_MATERIAL and _NOT_MATERIAL_SUBJECT.search(text[: match.start()]):
            continue
        return True
    return False


def _exception_category(text: str, milestone: str | None) -> ExceptionCategory | None:
    if _MACHINE_FAULT.search(text):
        return ExceptionCategory.EQUIPMENT
    if _QUALITY.search(text):
        return ExceptionCategory.QUALITY
    if _EQUIPMENT.search(text):
        return ExceptionCategory.EQUIPMENT
    if _STAFF.search(text):
        return ExceptionCategory.OTHER
    if _material(text):
        return ExceptionCategory.MATERIAL
    if _DELAY.search(text):
        return ExceptionCategory.DELAY
    other = _OTHER.search(_NO_PROBLEM.sub("", text))
    if other:
        return ExceptionCategory.QUALITY if other.group() == "问题" and milestone is not None else ExceptionCategory.OTHER
    return None


def _delay_days(text: str) -> int | None:
    for match in _DAY_COUNT.finditer(text):
        count = 0.5 if match.group("days") == "半" else parse_number(match.group("days"))
        if count is not None:
            return int(count * (1 if match.group("unit") in ("天", "日") else 7))
    return None


def _percent(text: str) -> int | None:
    match = _PERCENT.search(text)
    if match is None:
        return None
    if match.group("num"):
        return int(match.group("num"))
    if match.group("cn"):
        return parse_number(match.group("cn"))
    if match.group("tenth"):
        return (parse_number(match.group("tenth")) or 0) * 10
    return 50


def _progress_status(window: _Window, text: str, when: date | None, today: date) -> tuple[str | None, int | None]:
    percent = _percent(text)
    if percent is not None:
        return ("done", None) if percent >= 100 else ("in_progress", percent)
    if _PARTIAL.search(text):
        return ("in_progress", None) if when is not None and when >= today else ("in_progress_undated", None)
    start = _START.search(text)
    if start and not _negated(text, start.start()):
        # "今天开始总装" starts a milestone; only a forecast of its end carries a date
        forecast = _FORECAST_STRONG.search(text) or _DONE.search(text, start.end())
        return ("in_progress", None) if forecast else ("in_progress_undated", None)
    if window.after.startswith("中") or window.after.startswith("进行"):
        return "in_progress", None
    upcoming = when is None or when >= today
    if _FORECAST_STRONG.search(text) and upcoming:
        return "in_progress", None
    if _PAST.search(window.before) or window.after.lstrip().startswith("已"):
        return "done", None
    if when is not None and when >= today and _FORECAST.search(text):
        return "in_progress", None
    # a one-character milestone verb with its result right after it: 焊完, 还没焊完
    if re.match(r"[完好](?![成整善])", window.after):
        return ("in_progress", None) if _NEGATED.search(window.before) else ("done", None)
    done = _DONE.search(text)
    if when is not None and when >= today and not done:
        # "今天发了30箱": a milestone verb with 了 said of today reports it done
        if when == today and window.after.lstrip().startswith("了"):
            return "done", None
        return "in_progress", None
    if done:
        if _negated(text, done.start()):
            return "in_progress", None
        return "done", None
    if window.after.lstrip().startswith("了"):
        return "done", None
    return None, None


def _quantity_change(clause: str) -> ParsedItem | None:
    match = _QTY_SET.search(clause)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            return ParsedItem("change", field="quantity", op="set", value=value)
    match = _QTY_FIELD_DELTA.search(clause) or _QTY_DELTA.search(clause)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            op = "add" if match.group("op") in _QTY_ADD else "sub"
            return ParsedItem("change", field="quantity", op=op, value=value)
    return None


def _due_change(clause: str, today: date, requested: bool) -> ParsedItem | None:
    field = (_DUE_FIELD_ANY if requested else _DUE_FIELD).search(clause)
    if field is None:
        return _delivery_request(clause, today) if requested else None
    rest = clause[field.end() :]
    for found in find_dates(rest, today):
        between = rest[: found.start]
        if len(between) <= 10 and _DUE_SET_OP.search(between):
            return ParsedItem("change", field="due_date", op="set", value=found.value)
    days = _DAY_COUNT.search(rest)
    if days is None:
        return None
    between = rest[: days.start()]
    if len(between) > 10 or (_HEDGE.search(between) and not requested):
        return None
    count = 0.5 if days.group("days") == "半" else parse_number(days.group("days"))
    if count is None:
        return None
    value = int(count * (1 if days.group("unit") in ("天", "日") else 7))
    if _DUE_SUB_OP.search(between):
        return ParsedItem("change", field="due_date", op="sub", value=value)
    if _DUE_ADD_OP.search(between):
        return ParsedItem("change", field="due_date", op="add", value=value)
    return None


_DELIVER_AFTER = re.compile(r"\s*(?:前|之前|以前)?\s*(?:要|必须|得|就)?\s*(?:" + lx.alternation(lx.DELIVER_WORDS) + ")")


def _delivery_request(clause: str, today: date) -> ParsedItem | None:
    """A requested delivery date or shift with no due-date word: 客户要求12月10号前交货, 提前3天交货."""
    if not _DELIVER.search(clause):
        return None
    for found in find_dates(clause, today):
        before = clause[max(0, found.start - 6) : found.start]
        if _DELIVER_AFTER.match(clause[found.end :]) or (_DELIVER.search(before) and _DUE_SET_OP.search(before)):
            return ParsedItem("change", field="due_date", op="set", value=found.value)
    for days in _DAY_COUNT.finditer(clause):
        if not _DELIVER_AFTER.match(clause[days.end() :]):
            continue
        count = parse_number(days.group("days"))
        before = clause[max(0, days.start() - 4) : days.start()]
        if count is None:
            continue
        value = count * (1 if days.group("unit") in ("天", "日") else 7)
        if _DUE_SUB_OP.search(before):
            return ParsedItem("change", field="due_date", op="sub", value=value)
        if _DUE_ADD_OP.search(before):
            return ParsedItem("change", field="due_date", op="add", value=value)
    return None


def _spec_change(clause: str, requested: bool, has_order: bool, milestones: re.Pattern[str]) -> ParsedItem | None:
    op = _SPEC_OP.search(clause)
    if op is None:
        return None
    field = _SPEC_FIELD.search(clause[: op.start()])
    if field is None and not (requested and has_order):
        return None
    if not has_order and not requested:
        return None
    requester = None
    for requester in _REQUESTER.finditer(clause[: op.start()]):
        pass
    start = field.start() if field else (requester.end() if requester else 0)
    subject = clause[start : op.start()].replace(MASK, "").strip()
    if (not subject and not (requested and has_order)) or (subject and milestones.fullmatch(subject)):
        return None
    if MASK in clause[start:]:
        start = clause.rindex(MASK) + 1
    value = clause[start:].strip().rstrip("的了").strip()
    return ParsedItem("change", field="spec", op="set", value=value or None)


def _dedupe(items: Iterable[ParsedItem]) -> list[ParsedItem]:
    """One item per (intent, order, milestone, field, category): when a message says it twice (a daily
    report with a morning and an afternoon line), the later statement is the current one and wins."""
    latest: dict[tuple, ParsedItem] = {}
    for item in items:
        key = (item.intent, item.order_no, item.milestone, item.field, item.category)
        latest.pop(key, None)
        latest[key] = item
    return list(latest.values())
