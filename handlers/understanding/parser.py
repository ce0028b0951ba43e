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
from datetime import date, datetime, timedelta

import handlers.understanding.lexicon as lx
import handlers.understanding.segmenter as segmenter
from .dates import DATE_RE, find_dates
import handlers.understanding.exceptions as exceptions
import handlers.understanding.confidence as confidence
from .exceptions import (
    category_of, conflicting, exception_item, resolved, reworked_step_finished, stands_without_order,
)
from handlers.templates import Template, TemplateSet
from .homophones import SlipRepair
from .items import ParsedItem
from .normalize import CORRECTION_WORDS, lines, normalize
from .numerals import NUMBER_PATTERN, parse_number
from .order_numbers import MASK, TOKEN, OrderMatch, find_orders, is_list_gap, mask
from .order_numbers import shape as _order_shape

_CLAUSE = re.compile(r"[^,;。!?，；！？\n]+[?？]?")
_BOUNDARY = re.compile(r"[,;。!?，；！？\s]")
# 同: Cantonese "and"; a step the template does not have may stand in the list ("下料、打孔、焊接都弄完了")
_MILESTONE_JOIN = re.compile(r"^\s*(?:(?:[、,，/&+]|和|及|与|跟|以及|同)(?:\s*[\u4e00-\u9fff]{1,3}\s*[、/])?)?\s*$")
# a milestone word followed by one of these names a place, team, person or document
_NOT_MILESTONE_AFTER = re.compile(
    r"(?:房|车间|间(?!隙)|部(?!分)|班|工(?![序期作])|员|师|证|单(?!号)|表|科|室|场(?!地)|主管|组长|区|队"
    # …or the people of a step: "质检的人", "焊接的师傅" (class: talk about people)
    r"|的\s*(?:人|师傅|同事|工人|兄弟|负责人|班长|主管)"
    # …or the inspection of that stage ("出货检验" is an inspection, not the shipment)
    r"|检验|检查"
    # …or a machine ("切割机整好了" is the machine repaired; a fault of it still names the step below)
    r"|机(?!器人)(?=[^,，;；。]{0,6}(?:好了|修好|整好|恢复)))"
)
_NOT_MILESTONE_AFTER_SINGLE = re.compile(r"[机工缝条丝枪渣点材]")
# a step word right after a supply-side noun is the supplier's step, not the order's ("来料检验合格" is
# incoming inspection, "外协件喷涂" the outside shop's paint): no milestone of ours
_SUPPLY_SIDE_BEFORE = re.compile(r"(?:来料|进料|原材料|外协件?|供应商|厂家)\s*(?:的)?\s*$")
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
    # a range of tenths ("七八成", "六七成") says under way without one share
    r"(?P<range>[一二两三四五六七八九]{2})成(?![品本功员型])|"
    rf"(?P<num>\d{{1,3}})\s*%|百分之(?P<cn>{_NUM})|(?P<tenth>[一二两三四五六七八九]|\d)成(?![品本功员型])(?P<twentieth>五(?![台件个套天号]))?"
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
_REMAINING = re.compile(r"(?:还剩|剩下?|还差|差|还有)\s*(?:大概|大约|差不多|约)?\s*$")
# a rate ("合格率98%", "完成率95%") is a statistic, never the progress of a milestone
_RATE = re.compile(r"[\u4e00-\u9fff]{0,2}率\s*(?:为|是|达到?|有|只有|仅|才|只)?\s*\d{1,3}(?:\.\d+)?\s*%")
# part of a quantity shipped or made, the rest still to come: the milestone is under way
_PARTIAL = re.compile(
    rf"先(?:发|出|交|送|做)|先\x01\s*了?\s*(?:{_NUM})\s*{_QTY_UNITS}|剩下|剩余|还剩|一?大半|多半|小半|(?:还有|还差|另外)\s*(?:{_NUM})\s*{_QTY_UNITS}|分批|第[一二三1-3]批|一部分|大部分"
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
# a header over problems: its lines are no completions ("异常：", "问题清单", "延期订单：")
_PROBLEM_HEADER = re.compile(r"异常|问题|风险|延期|逾期|缺料|待处理|卡住")
# a label of work not started: the lines below it report nothing ("未开始：", "待排产:")
_NEGATIVE_LABEL = re.compile(r"\s*(?:还)?(?:未|没|尚未|没有)(?:开始|开工|动工|动|做|安排)\s*(?:的)?\s*(?:订单|单子)?\s*[:：]\s*"
                             r"|\s*待(?:开始|生产|排产|排|做|安排)\s*[:：]\s*")
_UNFINISHED_LABEL = re.compile(r"\s*(?:今天|今日|本周|这周|目前|当前)?\s*(?:未完成|没完成|没做完|未做完)")
# a status label heading a list of (order, milestone) pairs: "完成：", "已完成:", "进行中：", "在做:"
_STATUS_LABEL = re.compile(
    r"\s*(?:今天|今日|本周|这周|目前|当前)?\s*(?:已经?|全部)?\s*(?:完成|完工|做完|搞定|进行中|在做|在制|生产中|正在做|未完成|在进行)"
    r"\s*(?:的)?\s*(?:订单|单子)?\s*[:：]\s*"
)
# ellipsis after a second order: "0302也是", "0302也一样", "0302同上", "0302也弄完了"
_ELLIPSIS_FILLER = re.compile(r"[\s,，。.!！;；]|嗯|啊|呢|那个|的话|然后")
_SAME_AS_BEFORE = re.compile(r"(?:也|都)(?:是|一样|这样|同样)|一样|同上|同样|也(?:[\u4e00-\u9fff]{1,2})?了")
_ASKED_AGAIN = re.compile(r"\s*(?:的|那边|这边)?\s*呢\s*[?？]?\s*")
_AND_ALSO = re.compile(r"(?:还有|另外|以及)\s*$")
# "…不对 是251", "…不对 问的是631": an order number corrected by the one after the correction words
_ORDER_FIX = re.compile(rf"[\s,，]*{CORRECTION_WORDS}[\s,，]*(?:问的是|说的是|应该是|是)\s*(?P<order>{TOKEN})(?![\d%台件个套号日])")
# a question about a person, a document, money or the number itself rather than the order's progress
_OTHER_SUBJECT = re.compile(r"谁|在跟|跟进人|负责人|发票|图纸?|价格|价钱|报价|单价|合同|付款|货款|尾款|打错|地址|样品|样板|邮件|申购")
_STATUS_ASKED = re.compile(r"进度|进展|情况|状态|到哪|哪一步|什么时候|啥时候|几时|几号|做完|做好|完成|交货|出货|发货|逾期|怎么样|咋样|如何")
_PAST_EPISODE = re.compile(r"(?:上次|上回|之前那次|那次)[^,，。;；]{0,12}(?:那个|那件|这个)?事|以后(?:都|要|得|再)?(?:先|要|得)")
_HYPOTHETICAL = re.compile(
    r"^\s*(?:如果|要是|假如|假设|万一|要不是|就算|即使)"
    r"|^\s*等(?:到)?[^,，。;；]{0,16}?[完好]了?\s*(?:就|再)?\s*(?:叫|告诉|通知|说一声|喊|跟我说)")
# a line that introduces what follows: "SO…的情况：", "进度更新如下"
_HEADER_END = re.compile(r"[:：]\s*$|如下")
# a header announcing a plan: the lines under it are what is planned ("发货安排", "本周出货计划")
_PLAN_HEADER = re.compile(r"(?<!生产)(?:安排|计划|排期|预排|plan)")
# (a header naming the customer's call, mail or notice, or sales's notice, relays requests too)
_CHANGE_HEADER = re.compile(r"(?:客户|订单)?变更|客户(?:要求|需求|电话|来电|邮件|来函|通知)|销售部?通知")
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
    + r"|嘛(?=\s|$)|(?<![检调审核抽巡排普复])查(?!不到|不了|无|到了|不出)|么(?=\s|$)|(?<![也都还并就])没有?[?]?(?=\s|$)|(?<!着)呢[?]?(?=\s|$)|未[呀啊吖]?[?]?(?=\s|$)"
    # "了没" asks only where the clause ends ("焊了没", "做完了没有"), not in "做完了没有问题的"
    + r"|(?:了|完|好)没有?[呀啊吖]?[?]?(?=\s|$)"
    # Sichuan "完没得" / "好了没得": done or not?
    + r"|(?:了|完|好)没得[?]?(?=\s|$)"
)
_QUERY_WEAK = re.compile(lx.alternation(lx.QUERY_WEAK))
_GENERAL_ORDER = re.compile(
    # ("这批焊丝", "那批螺丝": a batch of supplies, not of an order's goods)
    lx.GENERAL_ORDER + r"|(?<=[的些哪几少])单子|(?:这|那)批(?:货)?(?!\s*(?:油漆|涂料|配件|零件|耗材|[\u4e00-\u9fff]{0,2}[丝纸轮罩钉栓板管粉料材胶剂布]))"
    # "有几个单子逾期了", "多少订单没发": a count of orders asked about
    r"|(?:几|多少|哪些|哪几)\s*个?\s*(?:单子?|订单)"
)

# (an English requester too: "customer asked …", "client requests …")
_REQUESTER = _scan(lx.alternation(lx.REQUESTERS) + r"|(?i:customer|client)s?\s+(?:asked|asks|requests?|requested|wants?)"
                   + r"|(?i:sales|customer|client)\s*(?:说|讲|要求)")
_DUE_FIELD = re.compile(lx.alternation(lx.DUE_FIELDS))
_DUE_FIELD_ANY = re.compile(lx.alternation(lx.DUE_FIELDS + lx.DUE_FIELDS_REQUESTED))
# 量 alone is the quantity in "量加到800", not in 质量, 重量, 流量, 用量, 测量
_QTY_FIELD = rf"(?:{lx.alternation(lx.QTY_FIELDS)}|(?<![质重流用测容力能声含数总])量)"
_QTY_SET = re.compile(
    rf"{_QTY_FIELD}(?:[^,;。]{{0,6}}?|\s*(?i:change[sd]?|changed|set|reduced|increased)\s*)"
    rf"(?:{lx.alternation(lx.SET_OPS)}|(?<![A-Za-z])(?i:to)(?![A-Za-z]))\s*(?P<num>{_NUM})"
)
_QTY_FIELD_DELTA = re.compile(
    rf"{_QTY_FIELD}\s*(?:再|要|需要)?\s*(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})"
    rf"\s*(?P<num>{_NUM})"
)
# "追加一批" names no count: 一批 is "a batch", the count comes later ("追加一批，加300套");
# a share of the order may stand between the verb and the count ("取消其中的50台")
_QTY_DELTA = re.compile(
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?:了|订单|数量|其中的?|里面的?)?\s*(?!一批)(?P<num>{_NUM})\s*(?P<unit>{_QTY_UNITS})"
)
# a field named right before its new value in a requester's list ("数量1200，交期1月20号")
_QTY_FIELD_VALUE = re.compile(rf"{_QTY_FIELD}\s*[:：]?\s*(?:是|为)?\s*(?P<num>{_NUM})(?![\d.%])")
# a signed count with its unit ("+50 pcs", "-20台"): a requester's add or subtract
_QTY_SIGNED = re.compile(rf"(?:(?<=\s)|^)(?P<sign>[+\-])\s*(?P<num>\d+)\s*(?:pcs|PCS|sets?|units?|台|件|套|个)"
                         rf"|{_QTY_FIELD}\s*[:：]?\s*(?P<sign2>[+\-])\s*(?P<num2>\d+)")
# changes without 改成 (class): the new count with a product unit on either side ("八百台改成一千台",
# "改成五百台", "从八十台加到一百台", "只要600台了") sets the quantity
_PRODUCT_UNIT = r"(?:台|件|套|个|只|箱|pcs|PCS|片|条)"
_QTY_SET_BY_UNIT = re.compile(
    rf"(?:(?P<src>{_NUM})\s*{_PRODUCT_UNIT}\s*[,，]?\s*(?:现在)?)?"
    rf"(?P<op>改成|改为|加到|减到|减少到|增加到|降到|加至|减至|减少至|增加至|调到|调成|变成|只要|现在要|改要)\s*(?P<num>{_NUM})\s*(?P<unit>{_PRODUCT_UNIT})?"
)
# verbs that set a count by raising or lowering it ("减少到60台"): a quantity change even unrequested
_QTY_DIRECTED_SET = frozenset(("加到", "减到", "减少到", "增加到", "降到", "加至", "减至", "减少至", "增加至"))
# a requester's bare count after an add or subtract verb ("客户再追加一百二", "减少一百")
_QTY_DELTA_BARE = re.compile(
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?P<num>{_NUM})\s*(?:了|吧|啊)?\s*$"
)
# the count kept when the rest is dropped ("先做800台，剩下的不要了", "只要800台了，多的不做了") or
# said to be enough ("600台就够了"): the quantity is set to it
_KEPT_COUNT = re.compile(rf"(?:先|只|就)\s*(?:做|要|生产|交)?\s*(?P<num>{_NUM})\s*{_PRODUCT_UNIT}")
_REST_DROPPED = re.compile(r"(?:剩下|剩余|其余|其他|多出?)(?:的|来的)?\s*(?:就|都|先)?\s*(?:不要|不做|取消|砍掉)")
_ENOUGH_COUNT = re.compile(rf"(?P<num>{_NUM})\s*{_PRODUCT_UNIT}\s*(?:就)?\s*(?:够了|够|行了|可以了|得了)"
                           # "数量按1500做": the count to make by
                           rf"|按\s*(?P<by>{_NUM})\s*{_PRODUCT_UNIT}?\s*(?:做|生产|来做|下单)")
_QTY_ADD = frozenset(lx.QTY_ADD_OPS)
_ORDER_ADD = re.compile(r"追加|加订|加单")
_ORDER_CALLED_OFF = re.compile(r"(?:订单|单子)\s*(?:也|都|先)?\s*取消|取消\s*(?:这个|那个)?\s*(?:订单|单子)")
_DUE_SET_OP = re.compile(r"改|调|提前|推迟|延|推|挪|定|换|变|放|到|为|至|(?<![A-Za-z])(?i:to|move|change)(?![A-Za-z])")
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
    r"|今天|明天|后天|上午|下午|晚上|下下?个?(?:周|礼拜|星期|月)"
    # (a coming day said in run-on speech before the next step: "然后明天一早就入库", "然后呢下个礼拜二发货")
    r"|呢|一早|早上|一大早|(?:下下?个?|这个?|本)?(?:周|礼拜|星期)[一二三四五六日天]|\d{1,2}[号日])+\s*$"
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
        # (also with its status before the correction, "焊接完成，哦不对，是涂装完成", or on the next line)
        # ("焊接完成，不是涂装" keeps 焊接: a bare 不是 after a status negates what follows it)
        self._word_correction = re.compile(
            f"(?:{words})\\s*[,，]?\\s*(?:哦?不对|不是|说错了|哦不)\\s*[,，]?\\s*(?:应该是|是)?\\s*(?=(?:{words}))"
            f"|(?:{words})[^,，。;；\\n]{{1,4}}?[\\s,，]*(?:(?:哦|噢)\\s*(?:不对|不是)|(?:(?:哦|噢)\\s*)?(?:不对|说错了|打错了|写错了|搞错了))"
            f"[\\s,，]*(?:应该是|是)?\\s*(?=(?:{words}))")
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
        # (characters inside a lookaround never start a match: they are left out of the filter)
        triggers = _char_class(ch for pattern, _ in self._derived for ch in _LOOKAROUND.sub("", pattern.pattern)
                               if "\u4e00" <= ch <= "\u9fff")
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
            rf"|今天|昨天|前天|明天|后天|上午|下午|晚上|刚刚?|已|正在|在|能|会|应该|可以|就|最新|最近|\s)*\s*(?:{domain})"
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
        heading: str | None = None   # what a status or plan header line says of the lines below it
        normalized = self._slips.repair(normalize(text))
        if "不" in normalized or "说错" in normalized:
            normalized = self._word_correction.sub("", normalized)
        asking: int | None = None   # where a general question stands whose orders the next lines list
        message_lines = lines(normalized)
        several = len(message_lines) > 1
        for line in message_lines:
            line = self._order_corrected(line)
            orders = find_orders(line, self._domain_after)
            written = line
            carried = topic or previous
            if (orders and carried and not self._mentions(mask(line, orders), derived=True)
                    and category_of(line, None) is None):
                # a report under a header that names a milestone ("焊接班日报", "总装 11/19"), or a line
                # after one about a single milestone ("501 开料完\n503 开了三分之一"): lines that name
                # none are about that milestone (class: multi-line reports)
                line = line[: orders[-1].end] + carried + line[orders[-1].end :]
                orders = find_orders(line, self._domain_after)
            if orders and _HEADER_END.search(line) and self._order_header(line, orders, loose=True):
                # "各位，SO…的情况：", "关于订单2410-27的进度更新如下：": the lines below report on the order
                found = []
            else:
                found = self._parse_line(line, orders, today, context, requested)
            if orders and asking is not None and not mask(line, orders).replace(MASK, "").strip(" ,，、;；。"):
                # "帮忙查下这三个单" over lines of bare order numbers: the question is asked of each
                if asking >= 0:
                    del items[asking]
                found, asking = [ParsedItem("query", order_no=o.order_no) for o in orders], -1
            elif orders:
                asking = None
            if orders and not found:
                found = self._from_header(line, written, orders, heading, several, today, context, requested)
            if found and _HYPOTHETICAL.search(line):
                # "如果2001明天焊完的话…", "等2005焊完了叫我一下": a condition or a wish, not a report
                found = [item for item in found if item.intent == "query"]
            found = self._with_doubts(found, line, orders, topic)
            # the one post-pass of confidence over the line's reading (see confidence.py)
            found = confidence.review(found, line)
            if not orders:
                asking = len(items) if len(found) == 1 and found[0].intent == "query" and found[0].order_no is None else None
            if not orders and not found:
                # a header names its team or topic: 焊接班, 总装 11/19 (a place suffix is fine here)
                heads = {self._word_to_milestone[self._plain(m)] for m in self._milestone_re.finditer(line)}
                topic = next(iter(heads)) if len(heads) == 1 else topic
                heading = self._heading(line, topic, today)
                # "客户变更", "客户要求如下": the lines below relay the customer's requests
                requested = requested or bool(_CHANGE_HEADER.search(line))
            if orders:
                header = self._order_header(line, orders, loose=bool(_HEADER_END.search(line)))
                context = [o.order_no for o in orders] if not found and header else []
                named = {item.milestone for item in found if item.intent == "progress"}
                previous = next(iter(named)) if len(named) == 1 and len(found) == 1 else None
            items.extend(found)
        return _dedupe(items)

    # ---- lines and scopes -----------------------------------------------------------------
    def _from_header(self, line: str, written: str, orders: list[OrderMatch], heading: str | None, several: bool,
                     today: date, context: list[str], requested: bool) -> list[ParsedItem]:
        """Items of an order line that says nothing of its own, read from its header or its report."""
        negative = heading is not None and (_NEGATIVE_LABEL.fullmatch(heading) is not None
                                            or _PROBLEM_HEADER.search(heading) is not None)
        if heading and not negative:
            # a line that says nothing of its own under "已完成：" or "明日发货安排 12月3日" says what
            # the header says: done, under way, or planned for the header's day (class: multi-line reports)
            headed = heading + line if heading.endswith((":", "：")) else f"{line} {heading}"
            headed_orders = find_orders(headed, self._domain_after)
            if [o.order_no for o in headed_orders] == [o.order_no for o in orders]:
                found = self._parse_line(headed, headed_orders, today, context, requested)
                if _UNFINISHED_LABEL.match(heading):
                    # "未完成：" says not finished; whether it has started is a guess
                    found = [replace(item, confident=False) for item in found]
                if found:
                    return found
        if several and not negative and self._bare_milestone(mask(written, orders)):
            # a report line of an order and a milestone only ("231 入库", "270 喷漆 完", "SO… 齐套"):
            # in a report of several lines, the milestone is reached (class: multi-line reports)
            return self._parse_line(line + " 完成", orders, today, context, requested)
        return []

    def _with_doubts(self, found: list[ParsedItem], line: str, orders: list[OrderMatch],
                     topic: str | None) -> list[ParsedItem]:
        """The line's items, unconfident where the line itself makes its reading a guess (the bot asks)."""
        if topic is not None and orders:
            # an exception under a header naming a milestone ("本周出货 … 0447 叉车坏了"): is it the
            # header's milestone's? Writers differ, so the bot asks (class: multi-line reports)
            found = [replace(item, confident=False)
                     if item.intent == "exception" and item.milestone is None else item for item in found]
        if found and ("次" in line or "回" in line or "以后" in line) and _PAST_EPISODE.search(line):
            # "上次124返工那个事…", "以后焊完先自检": talk about an earlier episode or a rule for later,
            # which reads like a report only in its words (round 3: every such item was wrong)
            found = [replace(item, confident=False) for item in found]
        if found and self._coverage(mask(line, orders)) < _MIN_COVERAGE:
            # much of the line is words the parser does not read: its reading may miss the point
            found = [replace(item, confident=False) for item in found]
        if len(found) > 1 and len(_CJK.findall(line)) >= _LONG_RUN_ON and not _BOUNDARY_PUNCT.search(line):
            # run-on speech of several items with no punctuation: which problem words go with which item
            # is a guess, so an exception is asked (round 3: its progress and change asks were needless)
            found = [replace(item, confident=False) if item.intent == "exception" else item for item in found]
        elif len(_FILLER_WORDS.findall(line)) >= 2:
            # a voice-input transcript ("那个…就是…然后…"): which of its cues is the problem's kind is easily
            # misread, so an exception is asked; its progress, changes and questions are read as said
            # (round 3: across the tuned corpora every such progress or change ask was needless)
            found = [replace(item, confident=False) if item.intent == "exception" else item for item in found]
        return found

    def _order_corrected(self, line: str) -> str:
        """"250 焊接完成 不对是251", "630 入库了吗 不对 问的是631": the order said first is corrected by one
        of the same form; what was said of it stands for the corrected order (class: self-correction)."""
        fix = _ORDER_FIX.search(line) if ("错" in line or "不" in line) else None
        if fix is None:
            return line
        said = line[: fix.start()]
        wrong = next((o for o in find_orders(said, self._domain_after)
                      if _order_shape(o.order_no) == _order_shape(fix.group("order").upper())), None)
        if wrong is None:
            return line
        token_end = wrong.end
        token_start = token_end - len(wrong.order_no)
        return said[:token_start] + fix.group("order") + said[token_end:]

    @staticmethod
    def _heading(line: str, topic: str | None, today: date) -> str | None:
        """What a header line says of the order lines under it: a status label ("已完成：", "进行中:")
        or a plan ("明日发货安排 12月3日", "本周出货计划"), whose lines are forecasts for its day."""
        label = _STATUS_LABEL.fullmatch(line) or _NEGATIVE_LABEL.fullmatch(line)
        if label:
            return line.strip()
        if _PROBLEM_HEADER.search(line):
            return line.strip() if line.rstrip().endswith((":", "：")) else None
        when = next((found.value for found in _dates(line, today) if found.value >= today), None)
        if topic is None and when is not None and when > today and len(_CJK.findall(line)) <= 8:
            return "预计" + f"{when.month}月{when.day}日"   # "明天：" over order lines: the day's plan
        if topic is None or topic == "排产":
            return None
        if not _PLAN_HEADER.search(line) and (when is None or when == today):
            return None   # ("明日出货", "明天上午装车：" plan by their day alone)
        return "预计" + (f"{when.month}月{when.day}日" if when else "")

    @staticmethod
    def _order_header(line: str, orders: list[OrderMatch], loose: bool = False) -> bool:
        rest = mask(line, orders).replace(MASK, "")
        words = r"[\s:：,，、和及的]|进度|情况|汇报|更新|如下|各位|大家|关于|订单|单号|最新|目前|今天|今日|跟进|同步|通报|说明"
        return len(re.sub(words if loose else r"[\s:：,，、和及]|进度|情况|汇报|更新|如下", "", rest)) <= (4 if loose else 2)

    def _bare_milestone(self, masked: str) -> bool:
        """The line holds an order, one milestone word and at most a completion mark ("完", "ok")."""
        rest = re.sub(r"[\s,，。;；:：]|完|ok|OK|好", "", masked.replace(MASK, ""))
        return bool(rest) and self._milestone_re.fullmatch(rest) is not None

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
        # "下料：123完成，124进行中": a milestone named before the first order heads every group;
        # so does a status label ("完成：0480焊接、0481涂装", "进行中：…") (class: status-labelled lists)
        lead = masked[: orders[0].start]
        written_lead = len(lead)
        # …and a plan label ("明日计划：1707 喷涂，1708 总装"): every pair is planned for its day
        plan_lead = bool(_HEADER_END.search(lead)) and not self._mentions(lead) and (
            bool(_PLAN_HEADER.search(lead)) or _future_date(lead, today) is not None)
        lead = lead if self._mentions(lead) or _STATUS_LABEL.fullmatch(lead) or plan_lead else ""
        if (lead and _HEADER_END.search(lead) and self._mentions(lead) and _future_date(lead, today) is None
                and not (_DONE.search(lead) or _START.search(lead) or _PERCENT.search(lead))):
            # "今天入库：A2412-30、A2412-31", "出货：3588": the orders listed under a milestone reached it
            lead = lead.rstrip(" :：") + "完成："
        before: list[ParsedItem] = []
        for index, group in enumerate(groups):
            start = 0 if index == 0 else group[0].start
            end = groups[index + 1][0].start if index + 1 < len(groups) else len(masked)
            scope = masked[start:end] if index or not lead else lead + masked[written_lead:end]
            if index and lead and (_STATUS_LABEL.fullmatch(lead) or plan_lead or not self._mentions(scope)):
                scope = lead + scope
            partial = self._scope(scope, today, has_order=True, requested=requested)
            if index and before and (not partial or (
                    len(partial) == 1 and partial[0].intent == "query" and partial[0].milestone is None
                    and _ASKED_AGAIN.fullmatch(scope.replace(MASK, "")))):
                # ("1805 入库了没有？1806呢？": the same question of the next order)
                partial = self._elided(scope, masked[groups[index - 1][0].start : start], before, today, requested) or partial
            if lead and _UNFINISHED_LABEL.match(lead):
                partial = [replace(item, confident=False) for item in partial]   # "未完成：…": started? a guess
            items.extend(replace(item, order_no=o.order_no) for o in group for item in partial)
            before = partial
        return items

    def _elided(self, scope: str, previous_scope: str, previous: list[ParsedItem], today: date,
                requested: bool) -> list[ParsedItem]:
        """The items of an order said after another with nothing of its own, or only a status (class:
        ellipsis): "…吗 还有0302" and "0301焊完了 0302也是" repeat the reading before; "0301焊好了
        0302还差一点" says a status of the same milestone."""
        rest = _ELLIPSIS_FILLER.sub("", scope.replace(MASK, ""))
        if (_SAME_AS_BEFORE.fullmatch(rest) or (not rest and _AND_ALSO.search(previous_scope))
                or (_ASKED_AGAIN.fullmatch(scope.replace(MASK, "")) and all(i.intent == "query" for i in previous))):
            return list(previous)
        named = {item.milestone for item in previous if item.intent in ("progress", "query")}
        if len(named) != 1 or None in named or self._mentions(scope, derived=True):
            return []
        if not (_DONE.search(scope) or _START.search(scope) or _PERCENT.search(scope)
                or _future_date(scope, today) is not None):
            return []
        at = scope.rfind(MASK) + 1
        return [item for item in self._scope(scope[:at] + next(iter(named)) + scope[at:], today, has_order=True,
                                             requested=requested) if item.intent == "progress"]

    def _scope(self, text: str, today: date, has_order: bool, requested: bool = False) -> list[ParsedItem]:
        clauses = [m.group() for m in _CLAUSE.finditer(text)]
        requested = requested or _requested(text)
        changes = [item for clause in clauses for item in self._changes(clause, today, requested, has_order)]
        if has_order and not any(item.field == "quantity" for item in changes):
            kept = _kept_quantity(text, requested)
            changes += [kept] if kept is not None else []
        if changes:
            return changes
        items: list[ParsedItem] = []
        rest: list[str] = []
        for clause in clauses:
            if _not_a_report(clause) or _conditional(clause):
                continue   # a past matter, a standing rule or a condition: no news of the order
            if _QUERY_STRONG.search(clause) and not self._is_statement(clause):
                if has_order or _GENERAL_ORDER.search(clause):
                    mentions = self._mentions(clause, derived=True)
                    if mentions == [] and _off_topic(clause):
                        continue   # asks about a person, a document or money, not the order's status
                    # "焊接和喷漆都做完了没有": one question per list-joined milestone
                    asked = [mentions[0]] if mentions else []
                    for previous, mention in zip(mentions, mentions[1:]):
                        if not _MILESTONE_JOIN.match(clause[previous.end : mention.start]):
                            break
                        asked.append(mention)
                    names = dict.fromkeys(m.milestone for m in asked) or {None: None}
                    if None in names and _OTHER_SUBJECT.search(clause) and not _STATUS_ASKED.search(clause):
                        continue   # "谁在跟140？", "发票寄出去了没？", "价格谈好了吗": not the order's status
                    items.extend(ParsedItem("query", milestone=name) for name in names)
            else:
                rest.append(clause)
        body = ",".join(rest)
        mentions = self._mentions(body, derived=has_order)
        for window in self._windows(body, mentions):
            item = self._window_item(window, today, has_order)
            if item is not None:
                items.append(item)
        if not items and has_order and _QUERY_WEAK.search(body) and not _CUSTOMERS_OWN_LOOK.search(body):
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
            if (_NOT_MILESTONE_AFTER.match(tail) or _MATERIAL_AFTER.match(tail)
                    or _SUPPLY_SIDE_BEFORE.search(text, 0, match.start())):
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
            inner = [m for m in found if m.start < match.end() and match.start() < m.end]
            if inner and not verb and all(match.start() <= m.start and m.end < match.end() and m.milestone == name
                                          and not re.search(r"已|都|也", text[m.end : match.end()]) for m in inner):
                # "生产计划下了": the longer phrasing holds the word and its verb; it is the mention
                found = [m for m in found if m not in inner]
            elif inner:
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
            earlier = next((m for m in reversed(found) if verb and m.end <= match.start() and m.end - m.start > 1
                            and text[m.start] == match.group()[0]), None)
            if earlier is not None:
                # "装车的时候叉车坏了，货还没装完": the verb said again later is the same step (装 = 装车)
                name = earlier.milestone
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
                merged[window.milestone] = replace(first, after=f"{first.after},{window.before}{window.word}{window.after}")
        return list(merged.values())

    # ---- windows: exception or progress ---------------------------------------------------
    def _window_item(self, window: _Window, today: date, has_order: bool,
                     read_exceptions: bool = True) -> ParsedItem | None:
        # the completion rate of the milestone itself is its progress ("焊接完成率 95%", "齐套率90%");
        # any other rate (合格率, 良率) is a statistic
        after = _OWN_RATE.sub("", window.after) if "率" in window.after else window.after
        window = replace(window, before=_RATE.sub("", window.before),
                         after=_SLASH_SHARE.sub(_share_words, _RATE.sub("", after)))
        text = f"{window.before}\x01{window.after}"
        if "计划" in text:
            window = replace(window, before=_PLAN_COMPARED.sub("", window.before), after=_PLAN_COMPARED.sub("", window.after))
            text = f"{window.before}\x01{window.after}"
        joined = window.before + window.after
        if not has_order and _GENERAL_REMARK.search(joined):
            return None   # with no order, a remark on the shop at large (see _GENERAL_REMARK)
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
        if not has_order and (not _leads(window) or _NOMINALISED.match(window.after)):
            # with no order, the milestone must lead the line ("焊接完成", "今天涂装80%"), and not as
            # a noun phrase of a rule ("质检合格的贴绿标": the goods that passed, class: talk)
            return None
        status, percent = _progress_status(window, text, when, today)
        if status == "planned":
            # a start planned for a coming day reports no progress yet (parse contract), unless a later
            # clause forecasts the finish ("明天开始焊，预计周五焊完")
            later = _BOUNDARY_PUNCT.split(window.after, maxsplit=1)[1:]
            finish = later and (_FORECAST.search(later[0]) or _DONE.search(later[0]) or re.search(r"[完好]", later[0]))
            end = _future_date(later[0], today) if finish else None
            if end is None:
                return None
            return ParsedItem("progress", milestone=window.milestone, status="in_progress",
                              date=next(f.value for f in _dates(later[0], today) if f.start == end))
        # a negated potential ("这周焊不完") or a move to later ("往后挪到11月10号") beside a progress reading
        # says it runs late: the reading is a guess (round 3: every such confident item was wrong)
        confident = not (status or "").endswith("?") and not conflicting(text) and not _RUNS_LATE.search(text)
        status = status.rstrip("?") if status else status
        if status is None or (not has_order and status == "in_progress" and percent is None
                              and not (_START.search(text) or _FORECAST_STRONG.search(text)
                                       or window.after.startswith("中"))):
            return None
        if status == "in_progress" and when is None:
            # "三天能装完", "两天内就能做好": a count of days until the completion forecasts its day
            days = _DAYS_TO_FINISH.search(joined)
            count = parse_number(days.group("days")) if days else None
            if count:
                when = today + timedelta(days=int(count))
        if status == "in_progress" and when is not None and when > today:
            # "下周一开始总装，周三装完": of several coming days, the one the completion is said of is the forecast
            coming = [found for found in _dates(joined, today) if found.value > today]
            if len(coming) > 1 and re.search(r"完|好", joined[coming[-1].end :]):
                when = coming[-1].value
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
        parts = _RUN_ON_JOIN.split(clause)
        if len(parts) > 1:
            # run-on speech joins requests with 然后 / 另外 / 同时: "要减少五十台然后颜色改成黑色的"
            return [item for part in parts for item in self._changes(part, today, requested, has_order)]
        items: list[ParsedItem] = []
        quantity = _quantity_change(clause, requested and has_order, has_order)
        if quantity is not None:
            items.append(quantity)
        due = _due_change(clause, today, requested)
        if due is not None:
            items.append(due)
        if items:
            return items
        spec = _spec_change(clause, requested, has_order, self._milestone_re)
        return [spec] if spec is not None else []


# Talk that is not a report (class): a question whose topic is a person ("谁在跟140"), a document or
# money ("135的发票开了没", "这张图是哪个单的", "单号是不是打错了") rather than the order's status
_OFF_TOPIC_QUESTION = re.compile(
    r"谁|哪位|发票|报价|价格|价钱|单价|合同|货款|尾款|运费|付款|账|图纸|(?<![地试])图(?!片)|样品|样件|合格证|电话|"
    r"联系方式|地址|单号|邮件|资料|文件|报告|对接人|负责人|司机|业务员"
)


def _off_topic(clause: str) -> bool:
    """The question's topic, said before its question cue, is a person, a document or money
    ("咋样了 客户打了三个电话了" asks of the order: the phone calls come after the question)."""
    cue = _QUERY_STRONG.search(clause)
    return cue is not None and (_OFF_TOPIC_QUESTION.search(clause, 0, cue.end()) is not None
                                or _RECORD_QUESTION.search(clause) is not None
                                or _CUSTOMERS_OWN_LOOK.search(clause) is not None)


# a question about the order's record in the system, not its work ("这单是不是录错了")
_RECORD_QUESTION = re.compile(r"录错|录入|录漏|系统里|系统上|系统中")


# the customer's own "look" ("客户说颜色再看看", "客户要求看一下样品") or a report the customer wants
# ("客户要求每天报进度"): the sender asks nothing
_CUSTOMERS_OWN_LOOK = re.compile(
    r"(?:客户|客人|甲方)[^,，;；。?？]{0,6}?(?:说|要求|要|想|希望|讲)[^,，;；。?？]{0,8}?"
    r"(?:(?:再|先)?(?:看看|看一下|看下)(?![^,，;；。]{0,8}(?:进度|情况|进展|到哪))|(?:报|汇报|发|更新)\s*(?:一下)?\s*进度)"
)


def _not_a_report(clause: str) -> bool:
    """A standing rule, or a past matter as the clause's topic with no news said after it
    ("之前说的那个事 123 焊接完成了" still reports)."""
    for found in _NOT_A_REPORT.finditer(clause):
        if found.group().startswith(("以后", "今后", "下次", "下回")):
            if _RULE_LEAD.search(clause, 0, found.start()):
                return True   # a standing rule said at the clause's start or after 说
        elif not (_DONE.search(clause, found.end()) or _START.search(clause, found.end())):
            return True
    return False


# …a condition: a hypothetical ("要是明天焊不完就加班", "万一喷漆不合格怎么办"), or what to do once a
# step is done ("等喷完了再说", "焊完了叫我一声"): nothing has happened yet
# (every alternative starts with a literal character, so `_scan` can skip other positions fast)
_CONDITION = _scan(r"如果|要是|万一|假如|假设|假使|若是|倘若|一旦|(?<=[完好成格了到])的话|(?:告诉|叫|通知|喊|跟)我|说一声")
_DONE_BEFORE_TELL = re.compile(r"[了完好]\s*(?:记得|麻烦|就|请)?\s*$")


def _conditional(clause: str) -> bool:
    """A hypothetical, or what to do once a step is done ("焊完了叫我一声", "等喷完了再说")."""
    if _WAIT_THEN.match(clause):
        return True
    for found in _CONDITION.finditer(clause):
        word = found.group()
        if not (word.endswith("我") or word == "说一声") or _DONE_BEFORE_TELL.search(clause, 0, found.start()):
            return True
    return False
_WAIT_THEN = re.compile(r"\s*等[^,，;；。]{1,15}?(?:了|完|好)\s*(?:再|才|以后|之后)")
# …a clause that names a past matter as its topic ("上次124返工那个事") or states a standing rule
# ("以后焊完先自检", "下次喷漆前先打磨"): it brings no news of the order
_NOT_A_REPORT = _scan(
    r"(?:上次|上回|那次|之前|前阵子)[^,，;；。]{0,12}(?:那个事|那件事|那事|的事)"
    r"|(?:以后|今后|下次|下回)(?!\s*[再才]?(?:发|出|交|到))"
)
_RULE_LEAD = re.compile(r"(?:^|[说讲,，;；\s])\s*$")


_RUN_ON_JOIN = re.compile(r"然后|另外|同时|并且|还有就是")


# ---- helpers (pure functions over one window or clause) -------------------------------------
_LOOKAROUND = re.compile(r"\(\?<?[=!][^()]*\)")


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


_RANGE = -1   # _percent's answer for a range of shares: under way, no one percent


def _percent(text: str) -> int | None:
    match = _PERCENT.search(text)
    if match is None:
        return _ratio(text)
    if match.group("half"):
        # "一半多一点 大概55%", "一半多了，差不多六成": the share said after 一半 is the precise one
        match = next(_PERCENT.finditer(text, match.end()), match)
    if match.group("range"):
        return _RANGE
    if match.group("num"):
        value = int(match.group("num"))
    elif match.group("cn"):
        value = parse_number(match.group("cn")) or 0
    elif match.group("tenth"):
        value = (parse_number(match.group("tenth")) or 0) * 10 + (5 if match.group("twentieth") else 0)
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
        if _future_date(re.split(r"[,，;；。]", window.before)[-1], today) is not None:
            return "in_progress", None   # "明天就可以入库了": may be done on a coming day, a forecast
        return None, None   # modality: "可以开料了", "可以安排 shipping 了" say it may start, not that it did
    if _ARRANGED.search(text) and window.milestone != "排产":
        # "发货已经安排好", "shipment arrange 好": arranged is planned, not done or under way: ask
        return "in_progress_undated?", None
    percent = _percent(text)
    if percent == _RANGE:
        return "in_progress", None
    if percent is not None:
        return ("done", None) if percent >= 100 else ("in_progress", percent)
    if _TIME_SPENT.match(window.after) and not _DONE.search(window.after):
        return "in_progress?", None   # "焊了一天": the time spent on it, not its end (with no order: talk)
    if _PARTIAL.search(text):
        return ("in_progress", None) if when is not None and when >= today else ("in_progress_undated", None)
    if re.search(r"(?:正|还|都|也|已经)?在\s*$", window.before) and not _NEGATED.search(window.before[:-1]):
        return "in_progress", None   # progressive aspect: 在 + milestone ("已经在切割了", "还在装车")
    if re.search(r"开\s*$", window.before) and len(window.word) == 1:
        # 开 + a one-character milestone verb starts it: "开焊了", "开喷"; "明天开焊" is a start to come
        future = _future_date(re.split(r"[,，;；。]", window.before)[-1] + "\x01" + window.after, today)
        return ("planned" if future is not None else "in_progress"), None
    if re.match(r"\s*了\s*" + _SPAN, window.after):
        return "in_progress", None   # "焊了一天", "喷了一上午": time spent on it, not its end
    if re.search(r"(?:交给|移交|转给|送去|送到)\s*$", window.before) and _future_date(window.before + window.after, today) is not None:
        return "planned", None   # "明早交给质检": handed to the step on a coming day, not yet under way
    if re.search(r"(?:转到?|转入|进入)\s*$", window.before):
        if _MAY_START.search(re.sub(r"(?:转到?|转入|进入)\s*$", "", window.before)):
            return None, None   # "可以转总装": it may move on, it has not yet (modality)
        return "in_progress", None   # moved on to this step: "已转涂装", "下料完成转焊接"
    # only a date in the mention's own clause forecasts it ("交期12.10，焊接完成" does not)
    clause = re.split(r"[,，;；。]", window.before)[-1] + "\x01" + window.after
    future = _future_date(clause, today)
    start = _START.search(clause)
    if (future is not None and start is not None and start.start() > future and _PLANNED_START.fullmatch(start.group()) and not _DONE.search(clause, start.end())
            and not _PAST.search(window.before) and not _done_before(clause, future)
            and not _NEAR_DONE.match(start.group())):
        return "planned", None   # "喷涂明天开始": a planned start, not yet under way: asked, undated
    if future is not None and not _done_before(clause, future) and not _PAST.search(window.before):
        # aspect: a completion said of a coming day is a forecast ("下周二装完", "大概后天喷完"); with no
        # completion, start or forecast word at all, the date may be something else's (an arrival): ask
        return "in_progress", None
    if _DAYS_TO_FINISH.search(clause) and not _negated(clause, _DAYS_TO_FINISH.search(clause).start()):
        return "in_progress", None   # "两天内就能做好": a completion some days ahead is a forecast
    if (future is not None and _PAST.search(window.before) and re.search(r"完|好", clause[future:])
            and _CAN.search(clause, future)):
        return "in_progress", None   # "已经开料，明天能切完": started, and its completion forecast for a day
    if _PAST.search(window.before) or "已" in window.word or (re.search(r"(?:全部|全都|都已经|都)\s*$", window.before)
                                       and re.match(r"\s*(?:[,，;；。]|$)", window.after)):
        return "done", None   # "已排单", "全部入库，…": completive before the milestone
    start = _START.search(text)
    if start and _MAY_START.search(text, 0, start.start()):
        start = None   # "物料齐套 可以开干了": the next work may start; it says nothing of this step's start
    period = _COMING_PERIOD.search(text, 0, start.start()) if start else None
    if (period and not _BOUNDARY.search(text, period.end(), start.start()) and not _NEAR_DONE.match(start.group())
            and not _done_then_next(text, start.start()) and not _DONE.search(text, start.end())):
        return "planned", None   # "下个礼拜开始下料": a start in a coming week is planned, not under way
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
    if re.search(r"齐套$|齐$", window.word) and not _NEGATED.search(window.before) and not _NEGATED.match(window.after.strip()):
        return "done", None   # "物料齐套，可以开干了": the kit is complete (the word is its result)
    # a one-character milestone verb with a directional result and 了: "发出去了", "料都领出来了", "发走了"
    if len(window.word) == 1 and re.match(r"\s*(?:出去|出来|出|走|掉|进去|下去|上)了", window.after):
        return ("in_progress", None) if _NEGATED.search(window.before) else ("done", None)
    # a one-character milestone verb with its result right after it: 焊完, 还没焊完
    if re.match(r"[完好](?![成整善])", window.after):
        return ("in_progress", None) if _NEGATED.search(window.before) else ("done", None)
    done = _DONE.search(text)
    if _ENGLISH_PAST.search(window.word) and not _FORECAST_STRONG.search(text) and (when is None or when <= today):
        return "done", None   # "PO-1508 shipped today": an English past participle said of today is done
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


# the words that begin a step; 收尾 / 快完 on a coming day forecast its end instead ("明天收尾")
_PLANNED_START = re.compile(r"开始|开工|动工|启动|着手|开干|上线|start(?:ed|ing)?", re.IGNORECASE)
# with no order, a remark on the shop at large ("焊接返工太多了，大家注意", "今天焊接完成了好几个单",
# "喷漆色差问题要重视"): a count of orders, an appeal to everyone, a habit or an amount — no one order's news
_GENERAL_REMARK = re.compile(
    r"(?:几|\d+|[一二两三四五六七八九十]+)\s*个\s*(?:单|订单)|几\s*个?\s*柜|大家|各位|所有|要重视|注意|太多|挺多|很多|经常|老是|总是|最近"
)
_NOMINALISED = re.compile(r"\s*[^\s,，;；。的]{0,4}?的(?![话了])\s*[\u4e00-\u9fff]")
# a verb with 了 and a stretch of time: "焊了一天", "装了一上午", "喷了三个小时"
_TIME_SPENT = re.compile(r"\s*了\s*(?:整整)?\s*(?:一整|一|两|三|半|几|\d+)\s*(?:个)?\s*(?:整)?\s*(?:天|上午|下午|晚上|早上|夜|通宵|小时|钟头)")
# progressive aspect anywhere in the window: "周日也在干", "今天在喷"
_UNDER_WAY = re.compile(r"在[干做搞弄赶焊喷装切开检]")
_INDEFINITE_FEW = re.compile(r"(?:有|了|坏|出|发现|好)\s*几\s*[个台件套处只条块片](?!\s*(?:订单|单子?|$))|好几\s*个?\s*(?:单|订单|柜)")
_ARRANGED = re.compile(r"安排好|安排妥|(?i:arrange)")
# partial aspect as a slash fraction after a completion verb ("已完成3/4"): a share, not 3 April
_SLASH_SHARE = re.compile(r"(?P<verb>完成|做了|好了|了)(?P<n>\d)/(?P<d>\d{1,2})(?![\d/])")


def _share_words(match: re.Match[str]) -> str:
    numerator, denominator = int(match.group("n")), int(match.group("d"))
    if not 0 < numerator < denominator <= 10:
        return match.group()
    return f"{match.group('verb')}{denominator}分之{numerator}"


_DOCUMENT_BEFORE = re.compile(r"(?:合同|协议|报价单?|发票|文件|图纸|资料|邮件|单据|字)\s*(?:也|都|已经|已|还没|没)?\s*$")
_OWN_RATE = re.compile(r"^\s*率|(?<=完成)率|(?<=完工)率|(?<=达成)率")
_RUNS_LATE = re.compile(r"不完|(?<=[\u4e00-\u9fff])不了(?!解)|往后(?:挪|推|延|拖|排)|(?<![提])(?:挪|推|拖)到")
_DAYS_TO_FINISH = re.compile(
    rf"(?P<days>{_NUM})\s*个?\s*(?:天|日)\s*(?:内|之内|左右)?\s*(?:就|才|应该|估计)?\s*(?:能|可以|会)\s*[\u4e00-\u9fff]?\s*[完好]")
# "比计划早一天", "按计划": the plan compared with, not a forecast
_PLAN_COMPARED = re.compile(r"(?:比|按|照|原|超)\s*计划")
_SPAN = r"(?:一|两|半|几|\d+)\s*(?:个)?\s*(?:天|上午|下午|晚上|晚|早上|小时|钟头|通宵|整天)(?![后以之])"
_COMING_PERIOD = re.compile(r"(?:下下?个?(?:周|礼拜|星期|月)|过两天|过几天|回头|改天|年后|节后)(?!\S{0,3}(?:完成|完了|做完|好了))")
# start words that say the end is near: "明天收尾" forecasts completion, it plans no start
_NEAR_DONE = re.compile(r"收尾|快|接近|差不多|还差|就差|差一点")
_CAN = re.compile(r"能|会|可以|争取|预计|估计")
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


_QTY_FIELD_VALUE = re.compile(
    rf"(?:{lx.alternation(lx.QTY_FIELDS)})\s*[:：是]?\s*(?P<num>{_NUM})\s*{_PRODUCT_UNIT}?\s*(?:[,，;；。]|$)")
# a part unit followed by a noun: the count of a part, not of the product ("两台备用机" stays a count)
_PART_ADDED = re.compile(r"(?:个|只|条|根|块|张|片)(?!交期|交货|数量|货期)[\u4e00-\u9fffA-Za-z]{2}")


_PEOPLE_WORD = re.compile(r"人|工|师傅")   # a cheap look before the count pattern
_PEOPLE_COUNT = re.compile(rf"(?:{_NUM})\s*[个名位]?\s*(?:人|工人|焊工|师傅|员工)")
_PEOPLE_AFTER = re.compile(r"\s*(?:人|工人|焊工|师傅|员工|帮手)")
_WORK_DELTA_OPS = frozenset(("多做", "加做", "加", "再加", "多要", "减", "少做", "加多"))
_PERFECTIVE = re.compile(r"\s*了")
# a count dropped from the order ("之前追加的100台不要了", "加的50台先不做"): subtract it
_DROPPED_COUNT = re.compile(
    rf"(?P<num>{_NUM})\s*{_PRODUCT_UNIT}\s*(?:就|也|先|都)?\s*(?P<op>不要了|不要|不做了|不做|取消|砍掉)"
)


def _quantity_change(clause: str, requested: bool = False, has_order: bool = False) -> ParsedItem | None:
    if requested:
        match = _QTY_SIGNED.search(clause) if ("+" in clause or "-" in clause) else None
        value = parse_number(match.group("num") or match.group("num2")) if match else None
        if value:
            sign = match.group("sign") or match.group("sign2")
            return ParsedItem("change", field="quantity", op="add" if sign == "+" else "sub", value=value)
        match = _ENOUGH_COUNT.search(clause) or (None if _QUERY_STRONG.search(clause) else _QTY_FIELD_VALUE.search(clause))
        value = parse_number(match.group("num") or match.groupdict().get("by")) if match else None
        if value:
            return ParsedItem("change", field="quantity", op="set", value=value)
    match = _QTY_SET_BY_UNIT.search(clause)
    if match and (match.group("unit") or match.group("src")) and (
            requested or match.group("src") or (match.group("op") in _QTY_DIRECTED_SET and match.group("unit"))):
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
    match = _QTY_SET.search(clause) or (_QTY_FIELD_VALUE.search(clause) if requested else None)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            return ParsedItem("change", field="quantity", op="set", value=value)
    match = _QTY_FIELD_DELTA.search(clause) or _QTY_DELTA.search(clause)
    if match and "unit" in match.groupdict() and _PART_ADDED.match(match.group("unit") + clause[match.end():]):
        match = None   # "多加一个急停按钮" adds a part to the product: a spec change, not a quantity
    if match and "unit" in match.groupdict() and _PEOPLE_AFTER.match(clause, match.end()):
        match = None   # "加两个人": staff added to the work, not goods to the order
    if match and not requested and match.group("op") in _WORK_DELTA_OPS and _PERFECTIVE.match(clause, match.end("op")):
        match = None   # "今天多做了50台": work done beyond the plan, reported; no one asks to change the order
    if match is None and (requested or has_order) and ("不" in clause or "取消" in clause or "砍" in clause):
        match = _DROPPED_COUNT.search(clause)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            op = "add" if match.group("op") in _QTY_ADD else "sub"
            return ParsedItem("change", field="quantity", op=op, value=value)
    return None


def _kept_quantity(text: str, requested: bool) -> ParsedItem | None:
    """The count kept when the rest of the order is dropped, or said (by a requester) to be enough."""
    rest = _REST_DROPPED.search(text)
    match = _KEPT_COUNT.search(text, 0, rest.start()) if rest else None
    if match is None and requested:
        match = _ENOUGH_COUNT.search(text)
    value = parse_number(match.group("num") or match.groupdict().get("by")) if match else None
    return ParsedItem("change", field="quantity", op="set", value=value) if value else None


def _due_change(clause: str, today: date, requested: bool) -> ParsedItem | None:
    field = (_DUE_FIELD_ANY if requested else _DUE_FIELD).search(clause)
    if field is None:
        return (_shifted_days(clause) or _delivery_request(clause, today)) if requested else None
    rest = clause[field.end() :]
    for found in find_dates(rest, today):
        between = rest[: found.start]
        # (English words in between, "客户要求 postpone 到", do not count against the distance; a
        # requester's "交期1月20号" names the new date with no verb at all)
        if len(re.sub(r"[A-Za-z\s]", "", between)) <= 10 and (
                _DUE_SET_OP.search(between) or _ENGLISH_TO.search(between)
                or (requested and _FIELD_VALUE_GAP.fullmatch(between) and not _QUERY_STRONG.search(clause))):
            # a slip verb with nobody asking ("交期要推迟到12月15号") may be a delay: ask
            slipped = not requested and _SLIP_VERB.search(between) and not _CHANGE_VERB.search(between)
            return ParsedItem("change", field="due_date", op="set", value=found.value, confident=not slipped)
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
    add = _DUE_ADD_OP.search(between)
    if add and add.group() == "晚" and not requested:
        return None   # "交期要晚五天" with no request behind it: a slip (delay exception), not a change
    if add:
        return ParsedItem("change", field="due_date", op="add", value=value,
                          confident=requested or bool(_CHANGE_VERB.search(between)))
    return None


_SLIP_VERB = re.compile(r"推迟|延|推|拖|晚|挪")
_CHANGE_VERB = re.compile(r"改|调|定|换|变|更")


# the customer told, asked after or pressing ("已经跟客户说了", "客户已经知道了", "客户催了"): told of a
# slip, not asking for a change (class: change vs delay)
_TOLD_BEFORE = re.compile(r"(?:跟|给|通知|告诉|和|向|帮)\s*$")
_TOLD_AFTER = re.compile(r"\s*(?:那边)?\s*(?:已经|也|都|还|一直|又)?\s*(?:知道|不知道|催|在催|问|来电话问|打电话问|着急)")


def _requested(text: str) -> bool:
    """A customer, sales or a polite request asks for something in `text`."""
    for match in _REQUESTER.finditer(text):
        word = match.group()
        if word.startswith(("客户", "客人", "甲方")) and _TOLD_BEFORE.search(text, 0, match.start()):
            continue
        if word in ("客户", "客户那边", "甲方") and _TOLD_AFTER.match(text, match.end()):
            continue
        return True
    return False


_ENGLISH_TO = re.compile(r"(?i:(?<![A-Za-z])(?:to|move|postpone|change)(?![A-Za-z]))")
_FIELD_VALUE_GAP = re.compile(r"\s*[:：]?\s*(?:是|为)?\s*")
# a shift verb right before a day count ("推5天", "提前三天交", "早三日交货", "往后挪一周"): in a
# requester's clause it moves the due date by that many days (a date "三日" it is not); 晚 is a slip
# ("出货晚三天，客户已经知道了": the customer told of a delay), and a hedge is no request
_SHIFT_DAYS = re.compile(
    rf"(?P<op>{lx.alternation(op for op in lx.DUE_ADD_OPS + lx.DUE_SUB_OPS if op != '晚')}|推|挪后)\s*(?:了|个)?\s*{lx.DAY_COUNT}"
)


# the requester accepts a later delivery ("晚一周交也行", "晚几天没关系"): a move by agreement
_LATE_BY_DAYS = re.compile(
    rf"(?:(?P<may>可以|能)\s*)?晚\s*(?:个)?\s*{lx.DAY_COUNT}(?P<ok>[^,，;；。]{{0,4}}?(?:也行|也可以|也没事|没关系|没问题|无所谓))?"
)


def _accepted_late(clause: str) -> re.Match[str] | None:
    """"晚十天交也没关系", "可以晚两天发": lateness the requester accepts (an agreed move)."""
    match = _LATE_BY_DAYS.search(clause)
    return match if match is not None and (match.group("may") or match.group("ok")) else None


_ENGLISH_SHIFT = re.compile(r"(?P<days>\d+)\s*(?P<unit>days?|weeks?)\s*(?P<dir>earlier|later|ahead|sooner)", re.IGNORECASE)


def _shifted_days(clause: str) -> ParsedItem | None:
    english = _ENGLISH_SHIFT.search(clause)
    if english:   # "customer wants delivery 3 days earlier"
        value = int(english.group("days")) * (7 if english.group("unit").lower().startswith("week") else 1)
        op = "add" if english.group("dir").lower() == "later" else "sub"
        return ParsedItem("change", field="due_date", op=op, value=value) if value else None
    match = _SHIFT_DAYS.search(clause) or _accepted_late(clause)
    if match is None or _NAMED_STEP.search(clause, 0, match.start()) or _HEDGE.search(clause, 0, match.start()):
        return None   # ("客户说焊接推迟两天也行": a step's schedule, not the due date)
    count = 0.5 if match.group("days") == "半" else parse_number(match.group("days"))
    if not count:
        return None
    value = int(count * (1 if match.group("unit") in ("天", "日") else 7))
    op = "sub" if match.groupdict().get("op") and _DUE_SUB_OP.fullmatch(match.group("op")) else "add"
    return ParsedItem("change", field="due_date", op=op, value=value)


# a production step named before a shift: its schedule moves, not the order's due date
_NAMED_STEP = re.compile(r"排产|领料|下料|开料|焊|涂装|喷|总装|组装|装配|质检|检验|入库")


_DELIVER_AFTER = re.compile(
    r"\s*(?:前|之前|以前)?\s*(?:一定要|务必要?|必须要?|要|得|就|能|再)?\s*(?:" + lx.alternation(lx.DELIVER_WORDS)
    # a bare 交 / 发 ends the request ("12月10号之前必须发", "提前三天交"), not 交期 or 发票
    + r"|[交发](?![期接流通票现生])(?=\s*(?:了|吧|啊|哦|货)?\s*(?:[,，;；。!！]|$)))"
)


def _delivery_request(clause: str, today: date) -> ParsedItem | None:
    """A requested delivery date or shift with no due-date word: 客户要求12月10号前交货, 提前3天交货."""
    if not _DELIVER.search(clause) and (not re.search(r"[交发](?![期接流通票现生])", clause) or _PAPERS.search(clause)):
        return None   # (a bare 交/发 of papers, "发票12月10号前发", is no delivery of the order)
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


# the deal's commercial and shipping terms, and who talks to whom how: the contract's changes are
# quantity, due date and spec (of the product)
_COMMERCIAL = re.compile(
    r"价格|价钱|单价|报价|付款|货款|账期|月结|发票|开票|抬头|地址|运费|快递|物流|顺丰|德邦|货代|车送|派车|送货时间"
    r"|微信|邮件|邮箱|电话|联系|对接|业务员|跟单员|换人|换个人"
)
_PAPERS = re.compile(r"发票|合同|报价|图纸|资料|样品|样件|文件|报告|合格证|单据|邮件|证书")
_MOVED_TO = re.compile(r"(?:推迟|延迟|延后|延期|延|提前|改|挪|推|放)到\s*$")
_CHANGE_FIELD = re.compile(
    rf"(?:改|换|调整|更改|变更)\s*(?:一下|下)?\s*(?:{lx.alternation(lx.SPEC_FIELDS)})"
    # the field first: "包装改木箱", "颜色换蓝色"; a feature dropped: "不要logo了", "标签不要了"
    rf"|(?:{lx.alternation(lx.SPEC_FIELDS)})\s*(?:也|都)?\s*[改换](?![成为用]|一下|下)\s*\S"
    rf"|不要\s*(?:{lx.alternation(lx.SPEC_FIELDS)})|(?:{lx.alternation(lx.SPEC_FIELDS)})\s*不要了")
# what a customer asks to add, drop or use ("去掉LOGO", "取消喷塑，做镀锌", "加长到3米", "用木箱")
_REQUESTED_SPEC_OP = re.compile(
    r"去掉|取消(?!订单)|加长|加宽|加高|加厚|改用|用(?![完不])|加上|(?<![追再增])加(?![急班紧快]|一批)"
    # "包装改木箱", "改白色": 改 straight before the new thing; "不要logo了": a feature dropped
    r"|改(?![成为到至期动天日一下个了过来去掉])(?=[\u4e00-\u9fffA-Za-z0-9])"
    r"|不要(?![了做急紧那这太咁催再发出交送管])(?=[\u4e00-\u9fffA-Za-z])"
)


def _spec_change(clause: str, requested: bool, has_order: bool, milestones: re.Pattern[str]) -> ParsedItem | None:
    if _COMMERCIAL.search(clause) or (_PEOPLE_WORD.search(clause) and _PEOPLE_COUNT.search(clause)):
        # price, payment, invoice, address, carrier or contact: terms of the deal; a count of people: staff
        return None
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
    # (a finish asked to become another, "客户要求喷塑改成喷漆", is a spec change of the product)
    finish_swap = requested and has_order and milestones.match(clause[op.end() :].strip()) is not None
    if (not subject and not (requested and has_order)) or (
            subject and milestones.fullmatch(subject) and not _SPEC_FIELD.fullmatch(subject) and not finish_swap):
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
