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
from functools import lru_cache
from datetime import date, datetime

import handlers.understanding.lexicon as lx
import handlers.understanding.segmenter as segmenter
from .dates import DATE_RE, find_dates
import handlers.understanding.exceptions as exceptions
from .exceptions import (
    category_of, conflicting, exception_item, resolved, reworked_step_finished, stands_without_order,
)
from handlers.templates import Template, TemplateSet
from .homophones import SlipRepair
from .items import ParsedItem
from .normalize import lines, normalize
from .numerals import NUMBER_PATTERN, parse_number
from .order_numbers import MASK, OrderMatch, find_orders, is_list_gap, mask

_CLAUSE = re.compile(r"[^,;。!?，；！？\n]+[?？]?")
_BOUNDARY = re.compile(r"[,;。!?，；！？\s]")
# 同: Cantonese "and"; a step the template does not have may stand in the list ("下料、打孔、焊接都弄完了")
_MILESTONE_JOIN = re.compile(r"^\s*(?:(?:[、,，/&+]|和|及|与|跟|以及|同)(?:\s*[\u4e00-\u9fff]{1,3}\s*[、/])?)?\s*$")
# a milestone word followed by one of these names a place, team, person or document
_NOT_MILESTONE_AFTER = re.compile(
    r"(?:房|车间|间(?!隙)|部(?!分)|班|工(?![序期作])|员|师|证|单(?!号)|表|科|室|场(?!地)|主管|组长|区|队"
    # …or a machine ("切割机整好了" is the machine repaired; a fault of it still names the step below)
    r"|机(?!器人)(?=[^,，;；。]{0,6}(?:好了|修好|整好|恢复)))"
)
_NOT_MILESTONE_AFTER_SINGLE = re.compile(r"[机工缝条丝枪渣点材]")
# a milestone word followed by one of these names a material (喷塑粉, 油漆桶): never the milestone
_MATERIAL_AFTER = re.compile(r"[粉剂桶盒箱袋](?!子?[^\s,，。;；]{0,1}(?:完成|好了))|供应|供货")
_QTY_UNITS = r"(?:台|件|个|套|只|条|张|箱|批|支|根|把|片|组|份|对|双|卷|桶|瓶|米|吨|公斤|千克|kg|KG|块|pcs|PCS|PC|pc|款|辆|架|盒|包|车|托|柜)"
_NUM = NUMBER_PATTERN

_scan = lx.scan


_DONE = _scan(lx.alternation(lx.DONE_WORDS) + "|" + lx.ENGLISH_DONE)
_START = _scan(lx.alternation(lx.START_WORDS) + "|" + lx.ENGLISH_START)
_FORECAST = _scan(lx.alternation(lx.FORECAST_WORDS))
_FORECAST_STRONG = _scan(lx.alternation(lx.FORECAST_STRONG) + "|" + lx.ENGLISH_FORECAST)
# an adverb people put inside a four-character milestone word: 物料已齐套, 生产计划都下了
_INFIX = "已经|已|都|全部|全|也"
# aspect said inside a verb-object word (出了货, 装完车, 入好库); it is read as said after the word
_VO_INFIX = "完了|好了|不了|了|完|好|得"
_PAST = re.compile(r"(?:已经?|都已|均已)\s*$")
_NEGATED = re.compile(r"(?:没|未|不|无|还没有?|没有|尚未)$")
_PERCENT = re.compile(
    rf"(?P<num>\d{{1,3}})\s*%|百分之(?P<cn>{_NUM})|(?P<tenth>[一二两三四五六七八九]|\d)成(?![品本功员型])"
    r"|(?P<den>[二两三四五六七八九十]|\d{1,2})分之(?P<numer>[一二两三四五六七八九]|\d{1,2})"
    r"|(?P<half>一半|过半|半数)"
)
# partial aspect as a ratio of quantities: "焊了600台，总共800", "装了3车，还剩1车"
_RATIO = re.compile(
    rf"(?P<done>{_NUM})\s*(?P<unit>{_QTY_UNITS})[^,;。]{{0,2}}[,，\s]*(?:(?P<total>总共|一共|共|总数|合计)|(?P<left>还剩|剩下?|还差))"
    rf"\s*是?\s*(?P<other>{_NUM})"
)
# partial aspect with the total said first: "八十台做了六十台", "一共是两百四十台装好了一百八十台"
_RATIO_TOTAL_FIRST = re.compile(
    rf"(?P<total>{_NUM})\s*(?P<unit>{_QTY_UNITS})\s*[\u4e00-\u9fff\x01]{{0,3}}了\s*(?:有\s*)?(?P<done>{_NUM})\s*(?P=unit)"
)
# the share still to do ("还剩两成", "还差30%"): the percent done is the complement
_REMAINING = re.compile(r"(?:还剩|剩下?|还差|差)\s*$")
# a rate ("合格率98%", "完成率95%") is a statistic, never the progress of a milestone
_RATE = re.compile(r"[\u4e00-\u9fff]{0,2}率\s*(?:为|是|达到?|有|只有|仅|才|只)?\s*\d{1,3}(?:\.\d+)?\s*%")
# part of a quantity shipped or made, the rest still to come: the milestone is under way
_PARTIAL = re.compile(
    rf"先(?:发|出|交|送|做)|先\x01\s*了?\s*(?:{_NUM})\s*{_QTY_UNITS}|剩下|剩余|还剩|一?大半|多半|小半|(?:还有|还差|另外)\s*(?:{_NUM})\s*{_QTY_UNITS}|分批|一部分|大部分"
)
# a date followed by a negated verb is when something will NOT happen ("今天修不好")
_NEGATED_AFTER_DATE = re.compile(r"\s*[\u4e00-\u9fff]?\s*(?:不|没|到不了|来不了)")
# with no order in the message, only these may stand before a milestone ("今天焊接完成")
_ADJACENT_STATUS = re.compile(
    r"\s*(?:已经|已|都|也|全部|全|还在|正在|在|基本|刚刚?)?\s*(?:"
    + lx.alternation(lx.DONE_WORDS + lx.START_WORDS + lx.QUALITY_WORDS + lx.EQUIPMENT_WORDS + lx.MATERIAL_WORDS
                     + lx.DELAY_WORDS)
    + r"|\d{1,3}\s*%|百分之|[一二两三四五六七八九]成|一半|中|了|预计|估计)"
)
_LEAD_FILLER = re.compile(r"(?:今天|今日|昨天|前天|刚刚?|已经?|都|全部|目前|现在|上午|下午|晚上|[\s,:：])*")
_DAY_COUNT = re.compile(lx.DAY_COUNT)
_CHANGE_HEADER = re.compile(r"(?:客户|订单)?变更|客户(?:要求|需求)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_COVERAGE = 0.4
# a long line of several items with no punctuation at all is run-on speech (voice input without
# fillers): which words belong to which item is a guess
_LONG_RUN_ON = 20
_BOUNDARY_PUNCT = re.compile(r"[,;。!?，；！？]")
_FILLER_WORDS = re.compile(r"然后|那个|就是|的话|嗯|呃")
_QUERY_STRONG = _scan(
    lx.alternation(lx.QUERY_STRONG) + "|" + lx.ENGLISH_QUERY
    # sentence-final particles ask only at the end of a clause (呢 after 着 reports: "弄着呢")
    # (a space ends a clause of voice input too: "喷完了没有啊 客户一直在催")
    + r"|嘛(?=\s|$)|(?<![检调审核抽巡排普复])查|么(?=\s|$)|(?<![也都还并就])没有?[?]?(?=\s|$)|(?<!着)呢[?]?(?=\s|$)|未[呀啊吖]?[?]?(?=\s|$)"
    # "了没" asks only where the clause ends ("焊了没", "做完了没有"), not in "做完了没有问题的"
    + r"|(?:了|完|好)没有?[呀啊吖]?[?]?(?=\s|$)"
)
_QUERY_WEAK = re.compile(lx.alternation(lx.QUERY_WEAK))
_GENERAL_ORDER = re.compile(
    lx.GENERAL_ORDER + r"|(?<=[的些哪几少])单子|(?:这|那)批(?:货)?"
    # "有几个单子逾期了", "多少订单没发": a count of orders asked about
    r"|(?:几|多少|哪些|哪几)\s*个?\s*(?:单子?|订单)"
)

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
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?:了|订单|数量)?\s*(?!一批)(?P<num>{_NUM})\s*(?P<unit>{_QTY_UNITS})"
)
# changes without 改成 (class): the new count with a product unit on either side ("八百台改成一千台",
# "改成五百台", "从八十台加到一百台", "只要600台了") sets the quantity
_PRODUCT_UNIT = r"(?:台|件|套|个|只|箱|pcs|PCS|片|条)"
_QTY_SET_BY_UNIT = re.compile(
    rf"(?:(?P<src>{_NUM})\s*{_PRODUCT_UNIT}\s*[,，]?\s*(?:现在)?)?"
    rf"(?:改成|改为|加到|减到|调到|调成|变成|只要|现在要|改要)\s*(?P<num>{_NUM})\s*(?P<unit>{_PRODUCT_UNIT})?"
)
# a requester's bare count after an add or subtract verb ("客户再追加一百二", "减少一百")
_QTY_DELTA_BARE = re.compile(
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?P<num>{_NUM})\s*(?:了|吧|啊)?\s*$"
)
_QTY_ADD = frozenset(lx.QTY_ADD_OPS)
_ORDER_ADD = re.compile(r"追加|加订|加单")
_ORDER_CALLED_OFF = re.compile(r"(?:订单|单子)\s*(?:也|都|先)?\s*取消|取消\s*(?:这个|那个)?\s*(?:订单|单子)")
_DUE_SET_OP = re.compile(r"改|调|提前|推迟|延|推|挪|定|换|变|放|到|为|至")
_DUE_ADD_OP = re.compile(lx.alternation(lx.DUE_ADD_OPS))
_DUE_SUB_OP = re.compile(lx.alternation(lx.DUE_SUB_OPS))
_LATE = re.compile(r"晚|拖|延误|耽误")
_HEDGE = re.compile(r"可能|估计|恐怕|怕是|怕|赶不上|来不及|也许|或许")
_DELIVER = re.compile(lx.alternation(lx.DELIVER_WORDS))
_SPEC_OP = re.compile(lx.alternation(lx.SPEC_OPS))
_SPEC_FIELD = re.compile(lx.alternation(lx.SPEC_FIELDS))


# "这个单子", "这单": an order for sure; "这批(货)", "我们订的": goods, which may be a supplier's, so
# they anchor only with a milestone or the customer named beside them
_DEICTIC_ORDER = re.compile(r"(?:这|那)(?:个单子?|张单|单)")
_DEICTIC_GOODS = re.compile(r"(?:这|那)批货?|我们(?:订|要|买|下)的")
_PROGRESS_QUESTION = re.compile(r"什么时候|啥时候|几时|到哪|哪一步|进度|做完|能好|怎么样了|什么程度")
_ENGLISH_PAST = re.compile(r"[A-Za-z]{3,}ed$")
_LEAD_IN = re.compile(
    r"(?:就|又|再|也|都|已经|已|正在|还在|在|开始|准备|安排|刚刚?|然后|那个|现在|可以|能|要|会|得|转到|转入|转|进入"
    r"|今天|明天|后天|上午|下午|晚上)+\s*$"
)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    milestone: str
    infix: str = ""
    inside: bool = False   # the infix is aspect inside a verb-object word (出了货), read after the word


@dataclass(frozen=True, slots=True)
class _Window:
    milestone: str | None
    before: str   # text governed by the mention, before it
    after: str    # text governed by the mention, after it
    word: str = ""   # how the milestone was named ("焊接", "喷", "shipped")


def _templates(templates: TemplateSet | Sequence[Template] | Template) -> tuple[Template, ...]:
    if isinstance(templates, TemplateSet):
        return templates.templates
    if isinstance(templates, Template):
        return (templates,)
    return tuple(templates)


class Parser:
    """Parses chat text into contract items; knows the milestones of every configured template."""

    def __init__(self, templates: TemplateSet | Sequence[Template] | Template) -> None:
        """Run-time synonyms (`同义词`) arrive as template synonyms: the running bot rebuilds its
        parser from the templates with them (`handlers.learning.synonyms.ReloadableParser`)."""
        self._compile(_templates(templates))

    def _compile(self, templates: tuple[Template, ...]) -> None:
        self._templates = templates
        names = {spec.name for template in templates for spec in template.milestones}
        self._word_to_milestone = lx.milestone_words(templates)
        words = lx.alternation(self._word_to_milestone)
        infixed = "|".join(
            [f"{re.escape(w[:2])}(?P<infix{i}>{_INFIX}){re.escape(w[2:])}"
             for i, w in enumerate(w for w in self._word_to_milestone if len(w) == 4 and not w.isascii())]
            # separable verb-object words take their aspect inside (class: aspect): 出了货, 入完库, 出得货
            + [f"{re.escape(w[0])}(?P<vo{i}>{_VO_INFIX}){re.escape(w[1])}"
               for i, w in enumerate(w for w in lx.VERB_OBJECT_WORDS if w in self._word_to_milestone)]
        )
        self._slips = SlipRepair(self._word_to_milestone)
        # a milestone corrected by another one ("焊接 不对 是下料"): the first goes (class: self-correction)
        self._word_correction = re.compile(
            f"(?:{words})\\s*[,，]?\\s*(?:哦?不对|不是|说错了|哦不)\\s*[,，]?\\s*(?:应该是|是)?\\s*(?=(?:{words}))")
        self._names = frozenset(names)
        # a leading class of every word's first character lets the scan skip other positions fast
        firsts = _char_class(word[0] for word in self._word_to_milestone)
        self._milestone_re = re.compile(f"(?={firsts})(?:{infixed}|{words})" if infixed else f"(?={firsts})(?:{words})")
        self._derived = tuple(
            (re.compile(form), name) for name, forms in lx.DERIVED_FORMS.items() if name in names for form in forms
        ) + tuple(
            (re.compile(form), name) for name, forms in lx.VERB_FORMS.items() if name in names for form in forms
        )
        verbs = {pattern for name, forms in lx.VERB_FORMS.items() for pattern in forms}
        # one scan for every derived form: group d<i> is the i-th form (milestone, is a one-character verb)
        self._derived_groups = {f"d{i}": (name, pattern.pattern in verbs) for i, (pattern, name) in enumerate(self._derived)}
        alternatives = "|".join(f"(?P<d{i}>{pattern.pattern})" for i, (pattern, _) in enumerate(self._derived))
        # every derived match starts with a character its pattern names (a superset is fine)
        triggers = _char_class(ch for pattern, _ in self._derived for ch in pattern.pattern if "\u4e00" <= ch <= "\u9fff")
        self._derived_re = re.compile(f"(?=[A-Za-z]|{triggers})(?:{alternatives})")
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
                "|".join(lx.ENGLISH_MILESTONES.values()) and lx._english("|".join(lx.ENGLISH_MILESTONES.values())),
                lx.ENGLISH_DONE, lx.ENGLISH_START, lx.ENGLISH_QUALITY, lx.ENGLISH_DELAY, lx.ENGLISH_FORECAST,
            ) if p
        )
        # every cue the parser reads; what a line holds beyond them is unexplained (see _coverage)
        self._known = re.compile("|".join(p for p in (
            words, lx.alternation(lx.DONE_WORDS + lx.START_WORDS + lx.QUALITY_WORDS + lx.EQUIPMENT_WORDS
                                  + lx.MATERIAL_WORDS + lx.DELAY_WORDS + lx.OTHER_WORDS + lx.QUERY_STRONG
                                  + lx.QUERY_WEAK + lx.REQUESTERS + lx.QTY_FIELDS + lx.DUE_FIELDS
                                  + lx.DUE_FIELDS_REQUESTED + lx.SET_OPS + lx.QTY_ADD_OPS + lx.QTY_SUB_OPS
                                  + lx.DUE_ADD_OPS + lx.DUE_SUB_OPS + lx.SPEC_OPS + lx.SPEC_FIELDS
                                  + lx.FORECAST_WORDS + lx.NEGATIONS + lx.STAFF_WORDS),
            exceptions.KNOWN_WORDS, DATE_RE.pattern, _PERCENT.pattern, NUMBER_PATTERN + r"\s*" + _QTY_UNITS + "?",
            *(pattern.pattern for pattern, _ in self._derived),
            r"订单|单号|单子|这批|那批|货|今天|上午|下午|晚上|现在|目前|已经|正在|大概|还|都|也|就|再|又|在|的|了|着|呢|吗|吧|啊|呀|喇|咗|嘅|啲|"
            r"这|那|个|边|那边|这边|然后|就是|的话|那个|这个|全部|一共|总共|剩|差|说|要|把|有|是|先|后|和|及|与|跟|中|好|完",
        ) if p))
        self._domain_after = re.compile(
            # fillers of spoken reports may stand between an order and its news ("210的话焊接…")
            rf"\s*(?:的话|呢|那个|就是|这个单子?呢?|这[两几一二三四五六七八九十]个单子?|那边|的|都|已经|也|还|又|这个?单|这边|目前|现在|要|再"
            rf"|今天|昨天|前天|明天|后天|上午|下午|晚上|刚刚?|已|正在|在|能|会|应该|可以|就|\s)*\s*(?:{domain})"
        )

    def warm_up(self) -> None:
        """Load the segmenter now rather than on the first message that needs it."""
        segmenter.tokenizer(self._user_words)

    # ---- public ---------------------------------------------------------------------------
    def parse(self, text: str, now: datetime) -> list[ParsedItem]:
        today = now.date()
        items: list[ParsedItem] = []
        context: list[str] = []
        topic: str | None = None
        previous: str | None = None
        requested = False
        normalized = self._slips.repair(normalize(text))
        if "不" in normalized or "说错" in normalized:
            normalized = self._word_correction.sub("", normalized)
        for line in lines(normalized):
            orders = find_orders(line, self._domain_after)
            carried = topic or previous
            if (orders and carried and not self._mentions(mask(line, orders), derived=True)
                    and category_of(line, None) is None):
                # a report under a header that names a milestone ("焊接班日报", "总装 11/19"), or a line
                # after one about a single milestone ("501 开料完\n503 开了三分之一"): lines that name
                # none are about that milestone (class: multi-line reports)
                line = line[: orders[-1].end] + carried + line[orders[-1].end :]
                orders = find_orders(line, self._domain_after)
            found = self._parse_line(line, orders, today, context, requested)
            if topic is not None and orders:
                # an exception under a header naming a milestone ("本周出货 … 0447 叉车坏了"): is it the
                # header's milestone's? Writers differ, so the bot asks (class: multi-line reports)
                found = [replace(item, confident=False)
                         if item.intent == "exception" and item.milestone is None else item for item in found]
            if found and self._coverage(mask(line, orders)) < _MIN_COVERAGE:
                # much of the line is words the parser does not read: its reading may miss the point
                found = [replace(item, confident=False) for item in found]
            if len(found) > 1 and len(_CJK.findall(line)) >= _LONG_RUN_ON and not _BOUNDARY_PUNCT.search(line):
                # run-on speech of several items with no punctuation: which words go with which item is a guess
                found = [replace(item, confident=False) for item in found]
            elif len(_FILLER_WORDS.findall(line)) >= 2:
                # a voice-input transcript ("那个…就是…然后…"): its clauses are easily misjoined, so what it
                # would record is asked; a question records nothing and is answered as read
                found = [replace(item, confident=False) if item.intent != "query" else item for item in found]
            if not orders and not found:
                # a header names its team or topic: 焊接班, 总装 11/19 (a place suffix is fine here)
                heads = {self._word_to_milestone[self._plain(m)] for m in self._milestone_re.finditer(line)}
                topic = next(iter(heads)) if len(heads) == 1 else topic
                # "客户变更", "客户要求如下": the lines below relay the customer's requests
                requested = requested or bool(_CHANGE_HEADER.search(line))
            if orders:
                context = [o.order_no for o in orders] if not found and self._order_header(line, orders) else []
                named = {item.milestone for item in found if item.intent == "progress"}
                previous = next(iter(named)) if len(named) == 1 and len(found) == 1 else None
            items.extend(found)
        return _dedupe(items)

    # ---- lines and scopes -----------------------------------------------------------------
    @staticmethod
    def _order_header(line: str, orders: list[OrderMatch]) -> bool:
        rest = mask(line, orders).replace(MASK, "")
        return len(re.sub(r"[\s:：,，、和及]|进度|情况|汇报|更新|如下", "", rest)) <= 2

    def _parse_line(
        self, line: str, orders: list[OrderMatch], today: date, context: list[str], requested: bool = False
    ) -> list[ParsedItem]:
        masked = mask(line, orders)
        if not orders:
            # "这批…", "这个单子…": the sender points at an order without its number (class: no order named);
            # the items keep order_no null and the bot takes the order from the conversation or asks
            deictic = not context and self._deictic(line)
            partial = self._scope(masked, today, has_order=bool(context) or deictic, requested=requested)
            if deictic:
                # pointing at an order anchors a report or a status question, not any question
                partial = [item for item in partial if item.intent != "query" or _PROGRESS_QUESTION.search(line)]
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
            partial = self._scope(scope, today, has_order=True, requested=requested)
            items.extend(replace(item, order_no=o.order_no) for o in group for item in partial)
        return items

    def _scope(self, text: str, today: date, has_order: bool, requested: bool = False) -> list[ParsedItem]:
        clauses = [m.group() for m in _CLAUSE.finditer(text)]
        requested = requested or bool(_REQUESTER.search(text))
        changes = [item for clause in clauses for item in self._changes(clause, today, requested, has_order)]
        if changes:
            return changes
        items: list[ParsedItem] = []
        rest: list[str] = []
        for clause in clauses:
            if _QUERY_STRONG.search(clause) and not self._is_statement(clause):
                if has_order or _GENERAL_ORDER.search(clause):
                    mentions = self._mentions(clause, derived=True)
                    # "焊接和喷漆都做完了没有": one question per list-joined milestone
                    asked = [mentions[0]] if mentions else []
                    for previous, mention in zip(mentions, mentions[1:]):
                        if not _MILESTONE_JOIN.match(clause[previous.end : mention.start]):
                            break
                        asked.append(mention)
                    names = dict.fromkeys(m.milestone for m in asked) or {None: None}
                    items.extend(ParsedItem("query", milestone=name) for name in names)
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
        if len(items) > 1:
            # a courtesy clause ("想安排人来看一下", "麻烦看一下") beside the real question or report asks
            # nothing of its own (class: customer voice): a general question goes when another item stands
            items = [item for item in items if item.intent != "query" or item.milestone is not None] or items
        return items

    @staticmethod
    def _is_statement(clause: str) -> bool:
        """A clause with a query word that still reports rather than asks ("多少" in "还差多少" aside;
        几 as "a few" in "有几个起泡", "坏了几台": class: indefinite 几 in a statement)."""
        if re.search(r"吗|呢|\?|么", clause):
            return False
        return bool(_PERCENT.search(clause)) or (
            bool(_INDEFINITE_FEW.search(clause)) and not _QUERY_STRONG.search(_INDEFINITE_FEW.sub("", clause)))

    # ---- milestones -----------------------------------------------------------------------
    def _mentions(self, text: str, derived: bool = False) -> list[_Mention]:
        found: list[_Mention] = []
        starts: dict[int, str] | None = None
        for match in self._milestone_re.finditer(text):
            word = match.group()
            infix, inside = next(((value, key.startswith("vo")) for key, value in match.groupdict().items() if value),
                                 ("", False))
            if infix:
                word = word.replace(infix, "", 1)
            tail = text[match.end() :]
            if _NOT_MILESTONE_AFTER.match(tail) or _MATERIAL_AFTER.match(tail):
                continue
            if word in self._single_chars:
                if _NOT_MILESTONE_AFTER_SINGLE.match(tail):
                    continue
                if starts is None:
                    starts = segmenter.word_starts(text, self._user_words)
                if not self._stands_alone(text, match, starts):
                    continue
            milestone = self._word_to_milestone[word]
            if found and found[-1].milestone == milestone and not _BOUNDARY.search(text[found[-1].end : match.start()]):
                # "焊接这周五前能焊完": the repeated verb stays inside the first mention's window
                continue
            found.append(_Mention(match.start(), match.end(), milestone, infix, inside))
        if derived and self._derived:
            found = self._with_derived(text, found)
        # "开料开完了", "组装那边已经在装了": a milestone named again by its verb in the same clause is
        # one mention, whose window keeps the text in between (the aspect lives there)
        collapsed: list[_Mention] = []
        for mention in found:
            if (collapsed and collapsed[-1].milestone == mention.milestone
                    and not _BOUNDARY.search(text[collapsed[-1].end : mention.start])):
                continue
            collapsed.append(mention)
        return collapsed

    def _coverage(self, line: str) -> float:
        """Share of the line's Chinese characters that some cue of the parser explains."""
        total = len(_CJK.findall(line))
        if total < 12:
            return 1.0   # a short line is mostly cues anyway
        explained = sum(len(_CJK.findall(match.group())) for match in self._known.finditer(line))
        return explained / total

    def _deictic(self, line: str) -> bool:
        if _DEICTIC_ORDER.search(line):
            return True
        return bool(_DEICTIC_GOODS.search(line)) and (
            "客户" in line or _PROGRESS_QUESTION.search(line) is not None or bool(self._mentions(line)))

    @staticmethod
    def _plain(match: re.Match[str]) -> str:
        infix = next((value for value in match.groupdict().values() if value), "")
        return match.group().replace(infix, "", 1) if infix else match.group()

    def _stands_alone(self, text: str, match: re.Match[str], starts: dict[int, str]) -> bool:
        """A one-character milestone word is a word of its own in jieba's segmentation: it starts a
        token that is itself, a known word, or the verb with an aspect suffix (焊完, 焊了), or it ends
        a known progressive token (在焊)."""
        token = starts.get(match.start())
        if token is None:
            # inside a known progressive token that ends with it: 在焊, 还在焊
            for back in (1, 2, 3):
                covering = starts.get(match.start() - back)
                if covering is not None:
                    return covering in self._known_tokens and match.start() - back + len(covering) == match.end()
            return False
        return (len(token) == 1 or token in self._known_tokens or bool(_DONE.match(token[1:]))
                or bool(_START.match(token[1:])) or token[1] in "了过着咗出走")

    def _with_derived(self, text: str, found: list[_Mention]) -> list[_Mention]:
        """Add mentions by derived phrasing (lexicon.DERIVED_FORMS) where no word mention overlaps."""
        extra: list[_Mention] = []
        starts: dict[int, str] | None = None
        for match in self._derived_re.finditer(text):
            name, verb = self._derived_groups[match.lastgroup]
            if any(m.start < match.end() and match.start() < m.end for m in found):
                continue
            if verb and _DOCUMENT_BEFORE.search(text, 0, match.start()):
                continue   # "合同签了", "报价单已发": the verb acts on a document, not on the order's goods
            if verb:
                # a one-character verb must start a word of its own (发 in 出发了 does not)
                if starts is None:
                    starts = segmenter.word_starts(text, self._user_words)
                if not self._stands_alone(text, match, starts):
                    continue
            if verb and any(m.end <= match.start() and text[m.start] == match.group()[0]
                            and not _BOUNDARY.search(text, m.end, match.start()) for m in found):
                continue   # "装车装不了": the verb repeats the verb-object word before it (one mention)
            extra.append(_Mention(match.start(), match.end(), name))
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
                # (a space right before the next milestone is no boundary: "可以安排 shipping 了")
                cut = max((m.end() for m in _BOUNDARY.finditer(between.rstrip())), default=None)
                if cut is None:
                    # "已经焊完了下午就开始喷涂": 就开始 is said of the next milestone (run-on speech)
                    lead_in = _LEAD_IN.search(between)
                    cut = lead_in.start() if lead_in and lead_in.start() > 0 else None
                after, next_before = (between, "") if cut is None else (between[:cut], between[cut:])
            else:
                after, next_before = text[end:], ""
            names = dict.fromkeys(m.milestone for m in group)
            infix = "".join(m.infix for m in group if not m.inside)
            inside = "".join(m.infix for m in group if m.inside)
            words = {m.milestone: text[m.start : m.end] for m in reversed(group)}
            windows.extend(_Window(name, before + infix, inside + after, words[name]) for name in names)
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
    def _window_item(self, window: _Window, today: date, has_order: bool,
                     read_exceptions: bool = True) -> ParsedItem | None:
        window = replace(window, before=_RATE.sub("", window.before),
                         after=_SLASH_SHARE.sub(_share_words, _RATE.sub("", window.after)))
        text = f"{window.before}\x01{window.after}"
        joined = window.before + window.after
        when = next((found.value for found in _dates(joined, today)
                     if not _NEGATED_AFTER_DATE.match(joined, found.end)), None)
        item = exception_item(text, window.milestone, when, today, self._names) if read_exceptions else None
        if item is not None:
            if not has_order and not (window.milestone and _leads(window)) and not stands_without_order(
                    text, item.category):
                return None
            if window.milestone is None or not resolved(text):
                return item
            # a problem solved in the same breath ("返工完了 重新检验通过", "焊材补上了，焊接恢复了"): the
            # news is the step's progress, where the window reads one (class: resolved exception)
            progress = self._window_item(window, today, has_order, read_exceptions=False)
            if progress is not None and reworked_step_finished(text):
                # "124 焊接返工完成": the reworked step itself is finished, as the handlers read it
                progress = replace(progress, confident=True)
            return progress or item
        if window.milestone is None:
            return None
        if not has_order and not _leads(window):
            return None   # with no order, the milestone must lead the line ("焊接完成", "今天涂装80%")
        status, percent = _progress_status(window, text, when, today)
        if status == "planned":
            status, when = "in_progress_undated?", None
        confident = not (status or "").endswith("?") and not conflicting(text)
        status = status.rstrip("?") if status else status
        if status is None or (not has_order and status == "in_progress" and percent is None
                              and not (_START.search(text) or _FORECAST_STRONG.search(text)
                                       or window.after.startswith("中"))):
            return None
        if status == "in_progress" and when is not None and when <= today:
            # an in-progress item's date is its forecast: a later day said in the window wins
            later = next((found.value for found in _dates(joined, today) if found.value > today
                          and not _NEGATED_AFTER_DATE.match(joined, found.end)), None)
            when = later or when
            if when == today and not _FORECAST.search(text) and not _DONE.search(text) and (
                    "了" in window.after or _START.search(text) or _UNDER_WAY.search(text)):
                # "今天发了一车", "今天 start 了", "周日也在干": today says when it happened, not a forecast
                when = None
        if status == "in_progress_undated" or (status == "in_progress" and when is not None and when < today):
            # an in-progress date is a forecast; "昨天开始" says when it started, which is not kept
            status, when = "in_progress", None
        if status == "done":
            when = when if when is not None and when < today else None
        return ParsedItem("progress", milestone=window.milestone, status=status, percent=percent, date=when,
                          confident=confident)

    # ---- change requests ------------------------------------------------------------------
    def _changes(self, clause: str, today: date, requested: bool, has_order: bool) -> list[ParsedItem]:
        items: list[ParsedItem] = []
        quantity = _quantity_change(clause, requested and has_order)
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
def _char_class(chars: Iterable[str]) -> str:
    """A regex class of `chars` (used as a cheap first-character filter before a long alternation)."""
    return "[" + "".join(sorted({re.escape(ch) for ch in chars})) + "]"


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _dates(text: str, today: date) -> tuple:
    """find_dates, remembered: one window's text is read for dates several times."""
    return tuple(find_dates(text, today))


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED.search(text[max(0, start - 3) : start]))


def _leads(window: _Window) -> bool:
    """With no order, an item needs the milestone to lead its line and its status right after it."""
    return bool(_LEAD_FILLER.fullmatch(window.before)) and bool(_ADJACENT_STATUS.match(window.after))


def _percent(text: str) -> int | None:
    match = _PERCENT.search(text)
    if match is None:
        return _ratio(text)
    if match.group("num"):
        value = int(match.group("num"))
    elif match.group("cn"):
        value = parse_number(match.group("cn")) or 0
    elif match.group("tenth"):
        value = (parse_number(match.group("tenth")) or 0) * 10
    elif match.group("den"):
        den, numer = parse_number(match.group("den")), parse_number(match.group("numer"))
        if not den or numer is None or numer > den:
            return None
        value = 100 * int(numer) // int(den)
    else:
        value = 50
    if _REMAINING.search(text[: match.start()]):
        value = 100 - value
    return value


def _ratio(text: str) -> int | None:
    """Partial aspect stated as quantities: N made of a total M, or N made with M left."""
    match = _RATIO.search(text)
    if match is None:
        first = _RATIO_TOTAL_FIRST.search(text)
        if first is None:
            return None
        done, total = parse_number(first.group("done")), parse_number(first.group("total"))
        return int(100 * done // total) if done and total and done < total else None
    done, other = parse_number(match.group("done")), parse_number(match.group("other"))
    if not done or not other:
        return None
    total = other if match.group("total") else done + other
    if total <= done:
        return None
    return int(100 * done // total)


def _progress_status(window: _Window, text: str, when: date | None, today: date) -> tuple[str | None, int | None]:
    if re.search(r"(?:待|等待?|准备)\s*$", window.before):
        return None, None   # pending aspect: "待发货", "等质检", "准备入库" name the next step, not progress
    if window.after.lstrip().startswith("了") and _MAY_START.search(window.before):
        return None, None   # modality: "可以开料了", "可以安排 shipping 了" say it may start, not that it did
    if _ARRANGED.search(text) and window.milestone != "排产":
        # "发货已经安排好", "shipment arrange 好": arranged is planned, not done or under way: ask
        return "in_progress_undated?", None
    percent = _percent(text)
    if percent is not None:
        return ("done", None) if percent >= 100 else ("in_progress", percent)
    if _PARTIAL.search(text):
        return ("in_progress", None) if when is not None and when >= today else ("in_progress_undated", None)
    if re.search(r"(?:正|还|都|也|已经)?在\s*$", window.before) and not _NEGATED.search(window.before[:-1]):
        return "in_progress", None   # progressive aspect: 在 + milestone ("已经在切割了", "还在装车")
    if re.search(r"(?:转到?|转入|进入)\s*$", window.before):
        return "in_progress", None   # moved on to this step: "已转涂装", "下料完成转焊接"
    # only a date in the mention's own clause forecasts it ("交期12.10，焊接完成" does not)
    clause = re.split(r"[,，;；。]", window.before)[-1] + "\x01" + window.after
    future = _future_date(clause, today)
    start = _START.search(clause)
    if (future is not None and start is not None and start.start() > future and not _DONE.search(clause, start.end())
            and not _PAST.search(window.before) and not _done_before(clause, future)):
        return "planned", None   # "喷涂明天开始": a planned start, not yet under way: asked, undated
    if future is not None and not _done_before(clause, future) and not _PAST.search(window.before):
        # aspect: a completion said of a coming day is a forecast ("下周二装完", "大概后天喷完"); with no
        # completion, start or forecast word at all, the date may be something else's (an arrival): ask
        return "in_progress", None
    if _PAST.search(window.before) or (re.search(r"(?:全部|全都|都已经|都)\s*$", window.before)
                                       and re.match(r"\s*(?:[,，;；。]|$)", window.after)):
        return "done", None   # "已排单", "全部入库，…": completive before the milestone
    start = _START.search(text)
    if start and not _negated(text, start.start()) and not _done_then_next(text, start.start()):
        # ("排产已完成，下周开工": a start after the milestone finished is the next step's)
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
    if re.search(r"[好完]$", window.word) and not _NEGATED.search(window.before) and not window.after.strip():
        return "done", None   # a word that carries its result ("0455 焊好"): nothing after it to undo it
    # a one-character milestone verb with its result right after it: 焊完, 还没焊完
    if re.match(r"[完好](?![成整善])", window.after):
        return ("in_progress", None) if _NEGATED.search(window.before) else ("done", None)
    done = _DONE.search(text)
    if when is not None and when >= today and not done:
        # "今天发了30箱": a milestone verb with 了 said of today reports it done
        if when == today and window.after.lstrip().startswith("了"):
            return "done", None
        # a date from another clause than the mention's, with no aspect cue: whose day is it? ask
        # ("喷塑粉下周二到，涂装往后排": the day is the powder's arrival)
        return ("in_progress" if future is not None else "in_progress?"), None
    if done:
        if _negated(text, done.start()):
            return "in_progress", None
        return "done", None
    if _ENGLISH_PAST.search(window.word):
        return "done", None   # "PO-2026-090 delivered", "已 shipped": an English past participle
    if window.after.lstrip().startswith("了"):
        return "done", None
    if when is not None and when < today and (re.match(r"\s*(?:好|完)?的", window.after)
                                              or re.search(r"[好完]\s*的\s*[。.!！]?\s*$", window.after)):
        return "done", None   # 是…的 with a past day: "前天进的仓", "昨天下午焊好的"
    return None, None


# progressive aspect anywhere in the window: "周日也在干", "今天在喷"
_UNDER_WAY = re.compile(r"在[干做搞弄赶焊喷装切开检]")
_INDEFINITE_FEW = re.compile(r"(?:有|了|坏|出|发现|好)\s*几\s*[个台件套处只条块片](?!\s*(?:订单|单子?|$))")
_ARRANGED = re.compile(r"安排好|安排妥|(?i:arrange)")
# partial aspect as a slash fraction after a completion verb ("已完成3/4"): a share, not 3 April
_SLASH_SHARE = re.compile(r"(?P<verb>完成|做了|好了|了)(?P<n>\d)/(?P<d>\d{1,2})(?![\d/])")


def _share_words(match: re.Match[str]) -> str:
    numerator, denominator = int(match.group("n")), int(match.group("d"))
    if not 0 < numerator < denominator <= 10:
        return match.group()
    return f"{match.group('verb')}{denominator}分之{numerator}"


_DOCUMENT_BEFORE = re.compile(r"(?:合同|协议|报价单?|发票|文件|图纸|资料|邮件|单据|字)\s*(?:也|都|已经|已|还没|没)?\s*$")
_MAY_START = re.compile(r"(?:可以|能|可|该)\s*(?:安排|准备|开始)?\s*$")


def _done_then_next(text: str, position: int) -> bool:
    """The milestone is reported done in its own clause before `position` ("排产已完成，下周开工")."""
    mark = text.find("\x01")
    done = _DONE.search(text, mark + 1, position) if 0 <= mark < position else None
    return (done is not None and not _BOUNDARY.search(text, mark + 1, done.start())
            and _done_before(text[mark:position], position - mark))


def _future_date(text: str, today: date) -> int | None:
    """Where the first date after today stands in `text`, or None."""
    for found in _dates(text, today):
        if found.value > today and not _NEGATED_AFTER_DATE.match(text, found.end):
            return found.start
    return None


# (run-on speech: "已经做完了明天上午就可以入库" — a later day right after the completion starts a new clause)
_DONE_THEN = re.compile(r"(?:了|过|咗|完毕|完成)\s*(?:[,，;；\s]|然后|接着|都|就|再|明天|后天|下周|下午|晚上)|^已")


def _done_before(text: str, position: int) -> bool:
    """A completion reported in an earlier clause than the date ("焊好了，明天喷")."""
    head = text[:position]
    done = _DONE.search(head)
    return bool(done) and bool(_DONE_THEN.search(head, done.start())) and not _negated(head, done.start())


# a part unit followed by a noun: the count of a part, not of the product ("两台备用机" stays a count)
_PART_ADDED = re.compile(r"(?:个|只|条|根|块|张|片)\s*[\u4e00-\u9fffA-Za-z]{2}")


def _quantity_change(clause: str, requested: bool = False) -> ParsedItem | None:
    match = _QTY_SET_BY_UNIT.search(clause)
    if match and (match.group("unit") or match.group("src")) and (requested or match.group("src")):
        value = parse_number(match.group("num"))
        if value is not None:
            return ParsedItem("change", field="quantity", op="set", value=value)
    if requested or _ORDER_ADD.search(clause):
        # ("再追加一百二": 追加 / 加订 / 加单 ask for more of the order even with no customer named)
        match = _QTY_DELTA_BARE.search(clause)
        value = parse_number(match.group("num")) if match else None
        if value is not None and not _DAY_COUNT.match(clause, match.start("num")):
            op = "add" if match.group("op") in _QTY_ADD else "sub"
            return ParsedItem("change", field="quantity", op=op, value=value)
    match = _QTY_SET.search(clause)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            return ParsedItem("change", field="quantity", op="set", value=value)
    match = _QTY_FIELD_DELTA.search(clause) or _QTY_DELTA.search(clause)
    if match and "unit" in match.groupdict() and _PART_ADDED.match(match.group("unit") + clause[match.end():]):
        match = None   # "多加一个急停按钮" adds a part to the product: a spec change, not a quantity
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
        # (English words in between, "客户要求 postpone 到", do not count against the distance)
        if len(re.sub(r"[A-Za-z\s]", "", between)) <= 10 and _DUE_SET_OP.search(between):
            return ParsedItem("change", field="due_date", op="set", value=found.value)
    days = _DAY_COUNT.search(rest)
    if days is None:
        return None
    between = rest[: days.start()]
    if len(between) > 10 or (not requested and (_HEDGE.search(between) or _LATE.search(between))):
        return None   # "交期要晚五天" with no one asking: the order runs late (an exception, delay)
    count = 0.5 if days.group("days") == "半" else parse_number(days.group("days"))
    if count is None:
        return None
    value = int(count * (1 if days.group("unit") in ("天", "日") else 7))
    if _DUE_SUB_OP.search(between):
        return ParsedItem("change", field="due_date", op="sub", value=value)
    if _DUE_ADD_OP.search(between):
        return ParsedItem("change", field="due_date", op="add", value=value)
    return None


_DELIVER_AFTER = re.compile(
    r"\s*(?:前|之前|以前)?\s*(?:一定要|务必要?|必须要?|要|得|就|能)?\s*(?:" + lx.alternation(lx.DELIVER_WORDS) + ")"
)


def _delivery_request(clause: str, today: date) -> ParsedItem | None:
    """A requested delivery date or shift with no due-date word: 客户要求12月10号前交货, 提前3天交货."""
    if not _DELIVER.search(clause):
        return None
    for found in find_dates(clause, today):
        before = clause[max(0, found.start - 6) : found.start]
        if (_DELIVER_AFTER.match(clause[found.end :]) or (_DELIVER.search(before) and _DUE_SET_OP.search(before))
                or _MOVED_TO.search(before)):
            # "发货的话客户要求推迟到下个月十号": a delivery moved to a day on request (class: customer requests)
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


_MOVED_TO = re.compile(r"(?:推迟|延迟|延后|延期|延|提前|改|挪|推|放)到\s*$")
_CHANGE_FIELD = re.compile(rf"(?:改|换|调整|更改|变更)\s*(?:一下|下)?\s*(?:{lx.alternation(lx.SPEC_FIELDS)})")
# what a customer asks to add, drop or use ("去掉LOGO", "取消喷塑，做镀锌", "加长到3米", "用木箱")
_REQUESTED_SPEC_OP = re.compile(r"去掉|取消(?!订单)|加长|加宽|加高|加厚|改用|用(?!完)|加上|(?<![追再增])加(?![急班紧快]|一批)")


def _spec_change(clause: str, requested: bool, has_order: bool, milestones: re.Pattern[str]) -> ParsedItem | None:
    if requested and has_order:
        # the verb before the field: "客户说要改颜色", "换一下包装"
        verb_first = _CHANGE_FIELD.search(clause)
        if verb_first and not _SPEC_OP.search(clause):
            return ParsedItem("change", field="spec", op="set", value=clause[verb_first.start():].strip() or None)
    op = _SPEC_OP.search(clause) or (_REQUESTED_SPEC_OP.search(clause) if requested and has_order else None)
    if op is None:
        return None
    if not requested and category_of(clause, None) is not None:
        return None   # "电机烧了一台 在换": replacing a broken part is a repair, not a requested spec change
    if _ORDER_CALLED_OFF.search(clause):
        return None   # "客户把订单取消了": the order is called off (an exception "other"), no spec to change
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
    if (not subject and not (requested and has_order)) or (
            subject and milestones.fullmatch(subject) and not _SPEC_FIELD.fullmatch(subject)):
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
