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
from datetime import date, datetime, timedelta

import handlers.understanding.lexicon as lx
import handlers.understanding.segmenter as segmenter
from .dates import DATE_RE
import handlers.understanding.exceptions as exceptions
import handlers.understanding.vocabulary as vocabulary
import handlers.understanding.confidence as confidence
from .exceptions import (
    category_of, conflicting, exception_item, resolved, reworked_step_finished, stands_without_order,
)
from handlers.templates import Template, TemplateSet
from .homophones import SlipRepair
from .items import ParsedItem
from .patterns import Alternatives, cue
from .normalize import CORRECTION_WORDS, lines, normalize
from .numerals import NUMBER_PATTERN, parse_number
from .order_numbers import MASK, TOKEN, OrderMatch, find_orders, is_list_gap, mask
from .order_numbers import shape as _order_shape
from .cues import BOUNDARY, DONE, FORECAST, FORECAST_STRONG, QTY_UNITS, QUERY_STRONG, START, Window, dates_in
from .aspect import (DAYS_TO_FINISH, NEGATED_AFTER_DATE, PERCENT, finished_day, finished_on_weekday, future_date, later_today, past_weekday,
                     progress_status)
from .talk import CUSTOMERS_OWN_LOOK, a_request, conditional, copy_asked, not_a_report, off_topic
from .change_requests import (change_discussed, change_talk, due_change, english_change, kept_quantity, names_requester,
                              quantity_change, refused, spec_change)

_SENTENCE_END = cue(r"[。；;！!]")
_CLAUSE = cue(r"[^,;。!?，；！？\n]+[?？]?")
# 同: Cantonese "and"; a step the template does not have may stand in the list ("下料、打孔、焊接都弄完了")
_MILESTONE_JOIN = cue(r"^\s*(?:(?:[、,，/&+]|和|及|与|跟|以及|同)(?:\s*[\u4e00-\u9fff]{1,3}\s*[、/])?)?\s*$")
# the step's finish said as still to come ("大概周三能完", "预计明天装好"), and a finish said right after
# the first mention of the same step ("装完了", "焊好了")
_FINISH_AHEAD = cue(r"\s*(?:大概|估计|预计|应该|争取|最快|最迟|可能)?\s*[^,，;；。]{0,4}?(?:能|会|可以|才能)\s*[\u4e00-\u9fff]?[完好](?![成整善])")
_FINISHED_HERE = cue(r"\s*(?:[完好]了|完成|完工|做完|搞定)")
# "已下计划，领料中": 已 before the first step and 中 after the second mark each its own, two clauses
# and not a list of steps sharing one aspect
_OWN_ASPECTS = cue(r"\s*(?:中(?![心间国途午层])|进行中|在做|做着|弄着)")
_PERFECTIVE_BEFORE = cue(r"已经?\s*$")
# a milestone word followed by one of these names a place, team, person or document
_NOT_MILESTONE_AFTER = cue(
    r"(?:房|车间|间(?!隙)|部(?!分)|班|工(?![序期作])|员|师|证|单(?!号)|表|科|室|场(?!地)|主管|组长|区|队"
    # …or the people of a step: "质检的人", "焊接的师傅" (class: talk about people)
    r"|的\s*(?:人|师傅|同事|工人|兄弟|负责人|班长|主管)"
    # …or the inspection of that stage ("出货检验" is an inspection, not the shipment)
    r"|检验|检查"
    # …or a machine ("切割机整好了" is the machine repaired; a fault of it still names the step below)
    r"|机(?!器人)(?=[^,，;；。]{0,6}(?:好了|修好|整好|恢复)))"
)
_NOT_MILESTONE_AFTER_SINGLE = cue(r"[机工缝条丝枪渣点材]")
# a step word right after a supply-side noun is the supplier's step, not the order's ("来料检验合格" is
# incoming inspection, "外协件喷涂" the outside shop's paint): no milestone of ours
_SUPPLY_SIDE_BEFORE = cue(r"(?:来料|进料|原材料|外协件?|供应商|厂家)\s*(?:的)?\s*$")
# a milestone word followed by one of these names a material (喷塑粉, 油漆桶): never the milestone
_MATERIAL_AFTER = cue(r"[粉剂桶盒箱袋](?!子?[^\s,，。;；]{0,1}(?:完成|好了))|供应|供货")


# an adverb people put inside a four-character milestone word: 物料已齐套, 生产计划都下了
_INFIX = "已经|已|都|全部|全|也"
# aspect said inside a verb-object word (出了货, 装完车, 入好库); it is read as said after the word
_VO_INFIX = "完了|好了|不了|了|完|好|得"
# a rate ("合格率98%", "完成率95%") is a statistic, never the progress of a milestone
_RATE = cue(r"[\u4e00-\u9fff]{0,2}率\s*(?:为|是|达到?|有|只有|仅|才|只)?\s*\d{1,3}(?:\.\d+)?\s*%")
# with no order in the message, only these may stand before a milestone ("今天焊接完成")
_ADJACENT_STATUS = cue(
    r"\s*(?:已经|已|都|也|全部|全|还在|正在|在|基本|刚刚?)?\s*(?:"
    + lx.alternation(lx.DONE_WORDS + lx.START_WORDS + lx.QUALITY_WORDS + lx.EQUIPMENT_WORDS + lx.MATERIAL_WORDS
                     + lx.DELAY_WORDS)
    + r"|\d{1,3}\s*%|百分之|[一二两三四五六七八九]成|一半|中|了|预计|估计)"
)
_LEAD_FILLER = cue(r"(?:今天|今日|昨天|前天|刚刚?|已经?|都|全部|目前|现在|上午|下午|晚上|[\s,:：])*")
# a header over problems: its lines are no completions ("异常：", "问题清单", "延期订单：")
_PROBLEM_HEADER = cue(r"异常|问题|风险|延期|逾期|缺料|待处理|卡住")
# a label of work not started: the lines below it report nothing ("未开始：", "待排产:")
_NEGATIVE_LABEL = cue(r"\s*(?:还)?(?:未|没|尚未|没有)(?:开始|开工|动工|动|做|安排)\s*(?:的)?\s*(?:订单|单子)?\s*[:：]\s*"
                             r"|\s*待(?:开始|生产|排产|排|做|安排)\s*[:：]\s*")
_UNFINISHED_LABEL = cue(r"\s*(?:今天|今日|本周|这周|目前|当前)?\s*(?:未完成|没完成|没做完|未做完)")
# a status label heading a list of (order, milestone) pairs: "完成：", "已完成:", "进行中：", "在做:"
_STATUS_LABEL = cue(
    r"\s*(?:今天|今日|本周|这周|目前|当前)?\s*(?:已经?|全部)?\s*(?:完成|完工|做完|搞定|进行中|在做|在制|生产中|正在做|未完成|在进行)"
    r"\s*(?:的)?\s*(?:订单|单子)?\s*[:：]\s*"
)
# ellipsis after a second order: "0302也是", "0302也一样", "0302同上", "0302也弄完了"
_ELLIPSIS_FILLER = cue(r"[\s,，。.!！;；]|嗯|啊|呢|那个|的话|然后")
_SAME_AS_BEFORE = cue(r"(?:也|都)(?:是|一样|这样|同样)|一样|同上|同样|也(?:[\u4e00-\u9fff]{1,2})?了")
_ASKED_AGAIN = cue(r"\s*(?:的|那边|这边)?\s*呢\s*[?？]?\s*")
_AND_ALSO = cue(r"(?:还有|另外|以及)\s*$")
# a share the step reached, said right after it ("搞了三成", " 做了一半", "60%")
_STEP_SHARE = cue(r"\s*(?:[做搞干弄焊装喷切]\s*)?(?:了\s*)?(?:\d{1,3}\s*%|[一二两三四五六七八九]成|一半)")
_SAID_OF_IT = cue(r"[\u4e00-\u9fffA-Za-z%]")
# "…不对 是251", "…不对 问的是631": an order number corrected by the one after the correction words
_ORDER_FIX = cue(rf"[\s,，]*{CORRECTION_WORDS}[\s,，]*(?:问的是|说的是|应该是|是)\s*(?P<order>{TOKEN})(?![\d%台件个套号日])")
# a question about a person, a document, money or the number itself rather than the order's progress
_OTHER_SUBJECT = cue(r"谁|在跟|跟进人|负责人|发票|图纸?|价格|价钱|报价|单价|合同|付款|货款|尾款|打错|地址|样品|样板|邮件|申购"
                    # (the order's size, not its progress: "这个单子数量是多少来着"; whether material or hands
                    # suffice: "料够不够", "人手够吗")
                    r"|数量|订单量|订量|够不够|够吗|够用吗|够没")
_STATUS_ASKED = cue(r"进度|进展|情况|状态|到哪|哪一步|什么时候|啥时候|几时|几号|做完|做好|完成|交货|出货|发货|逾期|怎么样|咋样|如何")
_PAST_EPISODE = cue(r"(?:上次|上回|之前那次|那次)[^,，。;；]{0,12}(?:那个|那件|这个)?事|以后(?:都|要|得|再)?(?:先|要|得)")
_PAPER_AFTER = cue(r"\s*的?\s*(?:清单|明细|单据|资料|文件|箱单|照片|相片|图片|视频)")
# a paper asked when it will be issued ("3318的提单什么时候出", "报关单几号能出"): the step after it is the paper's
_PAPER_WHEN = cue(r"(?:提单|提货单|报关单|箱单|装箱单|发票|合格证|证书|报告|单据)\s*(?:什么时候|啥时候|几时|几号|哪天)")
# a look asked for after a completion ("焊好 睇下焊缝ok唔ok", "装好了 你看看效果"): an inspection of the work, no
# question of its status
_ONGOING_NE = cue(r"(?:排队|排着|等着|在等|忙着|在(?![哪何啥])[\u4e00-\u9fff]{1,2}|[\u4e00-\u9fff]着)\s*呢\s*$")
_FINISHED_BEFORE = cue(r"[好完]\s*了?\s*[,，]?\s*$")   # (焊好, 装完: the step word holds the completion)
_LOOK_AFTER_DONE = cue(r"(?:你|帮忙|麻烦)?\s*(?:看下|看一下|看看|检查下|检查一下)(?!\s*(?:进度|进展|情况|状态|到哪|做到|几|什么时候|有没有))")
_HYPOTHETICAL = cue(
    r"^\s*(?:如果|要是|假如|假设|万一|要不是|就算|即使)"
    r"|^\s*等(?:到)?[^,，。;；]{0,16}?[完好]了?\s*(?:就|再)?\s*(?:叫|告诉|通知|说一声|喊|跟我说)")
# a plan or request said to be still open ("争取月底出货，还没定", "客户可能要改颜色，还没确认", "他再考虑下"):
# nothing is decided yet, so no change and no planned date is recorded (a field named right before the
# word is another matter: "加50套，交期待定" requests the quantity and leaves only the date open)
_UNDECIDED = cue(
    r"(?:没|未|没有)\s*(?:定|确定|确认|敲定|拍板|落实|决定)(?![了下好])|待定|待确认|(?:再|还在)考虑|考虑考虑|考虑一下"
    r"|等[^,，。;；]{0,6}确认"
    # still talked over ("客户还在商量要不要换成不锈钢", "价钱没谈拢"), only asked about ("客户只是先问问"), or the
    # plan to be left alone meanwhile ("先别动计划", "先不要动排产")
    r"|(?:还在|正在|在)\s*(?:商量|讨论|研究|谈)|商量中|讨论中|要不要|(?:没|未|没有)\s*谈(?:拢|妥|好|定)"
    r"|(?:只是|就是)?\s*先问问|只是问问|(?:先|暂时)\s*(?:别|不要|不)\s*动")
# a clause that only announces the question after it ("采购这边问一下", "能不能帮忙问下车间", "想问下")
_ASK_PREFACE = cue(r"[^,，。;；?？\ue000]{0,8}?(?:(?:能不能|可不可以|能否|可否|麻烦)\s*)?(?:帮忙|帮我)?\s*"
                   r"(?:请问|想问|问一下|问下|问问|打听一下|打听下)\s*(?:一下|下)?[^,，。;；?？\ue000]{0,6}")
_IF = cue(r"如果|要是|假如|假设|假使|若是|倘若|万一")
_FIELD_LEFT_OPEN = cue(r"(?:交期|交货期|数量|颜色|价格|价钱)\s*(?:还|都|也|暂时|目前)?\s*(?:没|未|没有|待)")
# a question of what the order is ("123 是加急单吗", "123是给宁波那家做的吧", "123 是直接组装还是先过QC"):
# the order, then the copula, then a predicate asking nothing of its status (_STATUS_IN_PREDICATE)
_ABOUT_THE_ORDER_ITSELF = cue(
    rf"[\s{MASK}]*{MASK}\s*(?:的话|呢)?\s*是(?!不是|否)[^,，。;；]*(?:吗|吧|还是[^,，。;；]*)\s*[?？]?\s*$")
_STATUS_IN_PREDICATE = cue(
    r"[了完好在到几哪]|进度|情况|时候|今天|明天|后天|本周|这周|下周|月底|周[一二三四五六日末]|\d|延|拖|晚|急着")
# the sender will look or ask someone ("我问下仓库", "我要看一下尺寸"): no question to the bot,
# unless what is looked at is the status ("我看下进度")
_SELF_LOOK = cue(r"(?<![帮给替叫让])我(?:要|去|再|先|来|得|也|马上|等下|待会)*\s*(?:问|查|看|确认)\s*一?\s*下"
                        r"(?!\s*(?:进度|进展|情况|状态|到哪|做到))")
# a tag question checking a state with 了吧 ("可以入库了吧", "焊完了吧"): the sender asks for confirmation
# …or whether a step can be done by then with 能…吧 ("今晚能入库吧", "周五可以发货吧"); a hedge before it is the
# sender's own guess ("应该能入库吧", "估计能发吧")
_CONFIRM_TAG = cue(r"了吧\s*[?？]?\s*$|(?<![该计许能])(?:能|可以)[^,，。;；\s]{1,6}?吧\s*[?？]?\s*$")
# a status word standing alone between two milestones of a spaced list ("下料 完成 焊接 完成")
_STATUS_BETWEEN = cue(r"\s+(?:" + lx.alternation(lx.DONE_WORDS) + r"|完|好|ok|OK|中|进行中|\d{1,3}\s*%)\s+")
_OTHER_STEP = cue(lx.alternation(lx.OTHER_STEPS))
# a quoted earlier message heading a reply: "> 小王：…", "回复 张工：…", "引用 李工：…"
_QUOTED = cue(r"\s*(?:[>＞]\s*|回复\s*|引用\s*)[^:：\s\d]{1,8}\s*[:：]")
# a line that introduces what follows: "SO…的情况：", "进度更新如下"
_HEADER_END = cue(r"[:：]\s*$|如下")
# a header announcing a plan: the lines under it are what is planned ("发货安排", "本周出货计划")
_PLAN_HEADER = cue(r"(?<!生产)(?:安排|计划|排期|预排|plan)")
# (a header naming the customer's call, mail or notice, or sales's notice, relays requests too)
_CHANGE_HEADER = cue(r"(?:客户|订单)?变更|客户(?:要求|需求|电话|来电|邮件|来函|通知)|销售部?通知")
_CJK = cue(r"[\u4e00-\u9fff]")
_MIN_COVERAGE = 0.4
# a long line of several items with no punctuation at all is run-on speech (voice input without
# fillers): which words belong to which item is a guess
_LONG_RUN_ON = 20
_BOUNDARY_PUNCT = cue(r"[,;。!?，；！？]")
_FILLER_WORDS = cue(r"然后|那个|就是|的话|嗯|呃")
_QUERY_WEAK = cue(lx.alternation(lx.QUERY_WEAK))
_GENERAL_ORDER = cue(
    # ("这批焊丝", "那批螺丝": a batch of supplies, not of an order's goods)
    lx.GENERAL_ORDER + r"|(?<=[的些哪几少])单子|(?:这|那)批(?:货)?(?!\s*(?:油漆|涂料|配件|零件|耗材|[\u4e00-\u9fff]{0,2}[丝纸轮罩钉栓板管粉料材胶剂布]))"
    # "有几个单子逾期了", "多少订单没发": a count of orders asked about
    r"|(?:几|多少|哪些|哪几)\s*[个张]?\s*(?:单子?|订单)"
    # "哪张单逾期了", "有没有单卡在质检": which order, or whether any order is in a state
    r"|(?<=哪张)单|(?<=有没有)单|(?<=有无)单"
)



# "这个单子", "这单": an order for sure; "这批(货)", "我们订的": goods, which may be a supplier's, so
# they anchor only with a milestone or the customer named beside them
_DEICTIC_ORDER = cue(r"(?:这|那)(?:个单子?|张单|单)")
_DEICTIC_GOODS = cue(r"(?:这|那)批货?|我们(?:订|要|买|下)的")
_PROGRESS_QUESTION = cue(r"什么时候|啥时候|几时|到哪|哪一步|进度|做完|能好|怎么样了|什么程度")
_LEAD_IN = cue(
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
        self._word_correction = cue(
            f"(?:{words})\\s*[,，]?\\s*(?:哦?不对|不是|说错了|哦不)\\s*[,，]?\\s*(?:应该是|是)?\\s*(?=(?:{words}))"
            # (an interjection before it, "啊不对"; 不是 said twice, or alone and then "是…": "不是不是，是切割")
            f"|(?:{words})[^,，。;；\\n]{{1,4}}?[\\s,，]*(?:(?:哦|噢|啊|呃|哎|唉)\\s*(?:不对|不是)"
            f"|(?:(?:哦|噢|啊|呃|哎|唉)\\s*)?(?:不对|说错了|打错了|写错了|搞错了)|不是\\s*[,，]?\\s*不是|不是(?=\\s*[,，]\\s*(?:应该是|是)))"
            f"[\\s,，]*(?:应该是|是)?\\s*(?=(?:{words}))")
        self._names = frozenset(names)
        # a leading class of every word's first character lets the scan skip other positions fast
        firsts = _char_class(word[0] for word in self._word_to_milestone)
        self._milestone_re = cue(f"(?={firsts})(?:{infixed}|{words})" if infixed else f"(?={firsts})(?:{words})")
        # a whole message that only asks a status or a step ("进度？", "逾期？", "入库没", "焊完了吗"): the
        # question of the order in the conversation (class: elliptical questions)
        self._derived = tuple(
            (cue(form), name) for name, forms in lx.DERIVED_FORMS.items() if name in names for form in forms
        ) + tuple(
            (cue(form), name) for name, forms in lx.VERB_FORMS.items() if name in names for form in forms
        )
        verbs = {pattern for name, forms in lx.VERB_FORMS.items() for pattern in forms}
        # one scan for every derived form: group d<i> is the i-th form (milestone, is a one-character verb)
        self._derived_groups = {f"d{i}": (name, pattern.pattern in verbs) for i, (pattern, name) in enumerate(self._derived)}
        # every derived match starts with a character its pattern names (a superset is fine)
        # (characters inside a lookaround never start a match: they are left out of the filter)
        triggers = _char_class(ch for pattern, _ in self._derived for ch in _LOOKAROUND.sub("", pattern.pattern)
                               if "\u4e00" <= ch <= "\u9fff")
        # (each form tried only where its own first characters stand, see Alternatives)
        self._derived_re = Alternatives([(f"d{i}", pattern.pattern) for i, (pattern, _) in enumerate(self._derived)],
                                        starts=f"[A-Za-z]|{triggers}")
        self._single_chars = frozenset(w for w in self._word_to_milestone if len(w) == 1)
        self._user_words = tuple(w for w in self._word_to_milestone if len(w) > 1) + lx.DONE_WORDS + lx.START_WORDS
        self._known_tokens = frozenset(self._user_words) | frozenset(self._word_to_milestone)
        # shop words holding a one-character milestone verb ("焊瘤", "焊渣", "喷枪", "装配线"): jieba keeps them
        # whole, so the verb inside them is no mention of the step (they are no tokens a mention may be)
        self._user_words += tuple(w for w in vocabulary.MACHINES + vocabulary.MATERIALS + vocabulary.DEFECTS
                                  if len(w) > 1 and any(ch in self._single_chars for ch in w))
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
        self._known = cue("|".join(p for p in (
            words, lx.alternation(lx.DONE_WORDS + lx.START_WORDS + lx.QUALITY_WORDS + lx.EQUIPMENT_WORDS
                                  + lx.MATERIAL_WORDS + lx.DELAY_WORDS + lx.OTHER_WORDS + lx.QUERY_STRONG
                                  + lx.QUERY_WEAK + lx.REQUESTERS + lx.QTY_FIELDS + lx.DUE_FIELDS
                                  + lx.DUE_FIELDS_REQUESTED + lx.SET_OPS + lx.QTY_ADD_OPS + lx.QTY_SUB_OPS
                                  + lx.DUE_ADD_OPS + lx.DUE_SUB_OPS + lx.SPEC_OPS + lx.SPEC_FIELDS
                                  + lx.FORECAST_WORDS + lx.NEGATIONS + lx.STAFF_WORDS),
            exceptions.KNOWN_WORDS, DATE_RE.pattern, PERCENT.pattern, NUMBER_PATTERN + r"\s*" + QTY_UNITS + "?",
            *(pattern.pattern for pattern, _ in self._derived),
            r"订单|单号|单子|这批|那批|货|今天|上午|下午|晚上|现在|目前|已经|正在|大概|还|都|也|就|再|又|在|的|了|着|呢|吗|吧|啊|呀|喇|咗|嘅|啲|"
            r"这|那|个|边|那边|这边|然后|就是|的话|那个|这个|全部|一共|总共|剩|差|说|要|把|有|是|先|后|和|及|与|跟|中|好|完",
        ) if p))
        self._domain_after = cue(
            # fillers of spoken reports may stand between an order and its news ("210的话焊接…")
            rf"\s*(?:的话|呢|那个|就是|是|这个单子?呢?|这[两几一二三四五六七八九十]个单子?|那边|的|都|已经|也|还|又|这个?单|这边|目前|现在|要|再"
            rf"|今天|昨天|前天|明天|后天|上午|下午|晚上|刚刚?|已|正在|在|能|会|应该|可以|就|最新|最近|\s"
            # (a shift or part of a day, a voice filler: "2309-04 昨天晚班下料…", "1031啊下料是做完了")
            rf"|昨晚|今早|今晚|[早中晚夜白]班|啊|呀"
            # (moved onto a step: "6612上涂装", "4471转焊接")
            rf"|上|转)*\s*(?:{domain})"
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
        answered: str | None = None   # the milestone a quoted message heading a reply named
        normalized = self._slips.repair(normalize(text))
        if "不" in normalized or "说错" in normalized:
            normalized = self._word_correction.sub("", normalized)
        asking: int | None = None   # where a general question stands whose orders the next lines list
        message_lines = lines(normalized)
        several = len(message_lines) > 1
        if _SENTENCE_END.search(normalized):
            message_lines = [piece for line in message_lines for piece in self._machine_fault_apart(line)]
        quoted = several and _QUOTED.match(normalized) is not None
        for index, line in enumerate(message_lines):
            line = self._order_corrected(line)
            orders = find_orders(line, self._domain_after)
            if index == 0 and quoted:
                # "> 小王：B-14 的盒子到了吗？\n到了…", "回复 张工：…焊好了吗\n焊好了": the quoted message was
                # said before; the reply below is the news, about the quoted message's order (class: replies)
                context = [o.order_no for o in orders][:1]
                asked = {m.milestone for m in self._mentions(mask(line, orders), derived=bool(orders))}
                answered = next(iter(asked)) if len(asked) == 1 else None
                continue
            written = line
            if not several and not orders and len(line) <= 10 and (asked := self._bare_question(line)) is not None:
                items.append(asked)
                continue
            if answered and not orders and not self._mentions(line, derived=True) and not _OTHER_STEP.search(line):
                # "回复 李工：4426 几时可以出货\n预计周四", "…质检过了未\n过了": a reply that names no step of its
                # own answers of the step the quoted message asked about (class: replies)
                line = f"{answered} {line}"
            carried = topic or previous
            if (orders and carried and not self._mentions(mask(line, orders), derived=True)
                    and category_of(line, None) is None and not _OTHER_STEP.search(line)):
                # a report under a header that names a milestone ("焊接班日报", "总装 11/19"), or a line
                # after one about a single milestone ("501 开料完\n503 开了三分之一"): lines that name
                # none are about that milestone (class: multi-line reports)
                line = line[: orders[-1].end] + carried + line[orders[-1].end :]
                orders = find_orders(line, self._domain_after)
            header_end = bool(orders) and _HEADER_END.search(line) is not None   # (read once: used twice below)
            if header_end and self._order_header(line, orders, loose=True):
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
            if orders and (not found or (heading is not None and heading.startswith("预计") and not dates_in(line, today)
                                         and all(item.date == today for item in found))):
                # (a line under a dated plan header that names only a part of the day, "721 上午装车", is
                # for the header's day, not today)
                found = self._from_header(line, written, orders, heading, several, today, context, requested) or found
            if found and _HYPOTHETICAL.search(line):
                # "如果2001明天焊完的话…", "等2005焊完了叫我一下": a condition or a wish, not a report
                found = [item for item in found if item.intent == "query"]
            if found and _UNDECIDED.search(_FIELD_LEFT_OPEN.sub("", line)):
                found = [item for item in found if not _open_plan(item)]
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
                header = self._order_header(line, orders, loose=header_end)
                context = [o.order_no for o in orders] if not found and header else []
                named = {item.milestone for item in found if item.intent == "progress"}
                previous = next(iter(named)) if len(named) == 1 and len(found) == 1 else None
            items.extend(found)
        return _dedupe(items)

    def _bare_question(self, line: str) -> ParsedItem | None:
        """A whole message that only asks a status or a step ("进度？", "逾期？", "入库没", "喷完了吗"): the
        question of the order in the conversation (class: elliptical questions)."""
        bare = _BARE_QUESTION.fullmatch(line)
        if bare is None:
            return None
        if bare.group("status"):
            return ParsedItem("query")
        mentions = self._mentions(line, derived=True)
        if len(mentions) == 1 and mentions[0].start == bare.start("step") and mentions[0].end >= bare.end("step") - 1:
            return ParsedItem("query", milestone=mentions[0].milestone)
        return None

    # ---- lines and scopes -----------------------------------------------------------------
    def _machine_fault_apart(self, line: str) -> list[str]:
        """"4417 喷了一遍底漆，5521 喷完了。空压机半夜跳了两回闸，重启了": a sentence of a machine at fault
        that names no order, after orders' news that tells of no problem, is a report of its own, not
        the last order's (class: exceptions beside progress)."""
        cut = _SENTENCE_END.search(line)
        while cut is not None:
            head, tail = line[: cut.end()], line[cut.end() :]
            if (exceptions.machine_at_fault(tail) and not find_orders(tail, self._domain_after)
                    and find_orders(head, self._domain_after) and self._no_open_problem(head)):
                return [head, tail]
            cut = _SENTENCE_END.search(line, cut.end())
        return [line]

    @staticmethod
    def _no_open_problem(head: str) -> bool:
        """The news before a machine's fault tells of no problem the fault could explain: none at all, or
        one already solved ("K3390 返工件全部涂装完": the rework is finished)."""
        return category_of(head, None) is None or (
            all(category_of(part, None) is None or resolved(part) for part in _SENTENCE_END.split(head)))

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
                    found = [item.unsure() for item in found]
                elif heading.startswith("预计") and not self._dated_on_line(written, today):
                    found = [self._planned_step(item) for item in found]
                if found:
                    return found
        if ((several or _DONE_MARK.search(mask(written, orders))) and not negative
                and self._bare_milestone(mask(written, orders))):
            # a report line of an order and a milestone only ("231 入库", "270 喷漆 完", "SO… 齐套"):
            # in a report of several lines, the milestone is reached (class: multi-line reports); so it is
            # in a line of its own marked done anywhere ("OK KF-0923 入库", "👌 2203 总装")
            return self._parse_line(line + " 完成", orders, today, context, requested)
        if not several and not negative and heading is None and self._bare_milestone(mask(written, orders)):
            # "JJ-121 入库" said alone: reached, as in a report's line? A writer labels it done; with no report
            # around it that is a guess, so the bot asks (class: bare lines)
            return [item.unsure() for item in self._parse_line(line + " 完成", orders, today, context, requested)]
        return []

    @staticmethod
    def _planned_step(item: ParsedItem) -> ParsedItem:
        """A step under a plan for a day ("明日计划\nB-22 焊接"): one that takes time may be planned to
        start or to finish that day, so the bot asks; one at a point (发货, 入库) happens that day
        (class: plan headers)."""
        if item.intent == "progress" and item.status == "in_progress" and item.milestone not in lx.POINT_MILESTONES:
            return item.unsure()
        return item

    @staticmethod
    def _dated_on_line(line: str, today: date) -> bool:
        """The line forecasts on its own: a coming day or a forecast word of its own ("周三焊完")."""
        return future_date(line, today) is not None or bool(FORECAST.search(line))

    def _with_doubts(self, found: list[ParsedItem], line: str, orders: list[OrderMatch],
                     topic: str | None) -> list[ParsedItem]:
        """The line's items, unconfident where the line itself makes its reading a guess (the bot asks)."""
        if topic is not None and orders:
            # an exception under a header naming a milestone ("本周出货 … 0447 叉车坏了"): is it the
            # header's milestone's? Writers differ, so the bot asks (class: multi-line reports)
            found = [item.unsure()
                     if item.intent == "exception" and item.milestone is None else item for item in found]
        if found and ("次" in line or "回" in line or "以后" in line) and _PAST_EPISODE.search(line):
            # "上次124返工那个事…", "以后焊完先自检": talk about an earlier episode or a rule for later,
            # which reads like a report only in its words (round 3: every such item was wrong)
            found = [item.unsure() for item in found]
        if found and self._coverage(mask(line, orders)) < _MIN_COVERAGE:
            # much of the line is words the parser does not read: its reading may miss the point
            found = [item.unsure() for item in found]
        if len(found) > 1 and len(_CJK.findall(line)) >= _LONG_RUN_ON and not _BOUNDARY_PUNCT.search(line):
            # run-on speech of several items with no punctuation: which problem words go with which item
            # is a guess, so an exception is asked (round 3: its progress and change asks were needless)
            found = [item.unsure() if item.intent == "exception" else item for item in found]
        elif len(_FILLER_WORDS.findall(line)) >= 2:
            # a voice-input transcript ("那个…就是…然后…"): which of its cues is the problem's kind is easily
            # misread, so an exception is asked; its progress, changes and questions are read as said
            # (round 3: across the tuned corpora every such progress or change ask was needless)
            found = [item.unsure() if item.intent == "exception" else item for item in found]
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
        if _SAID_OF_IT.search(line, fix.end()) and self._mentions(line[fix.end() :]):
            # "7791的喷涂，不对不对，是7792的喷涂完成了": the report is said again of the corrected order, with
            # its milestone; what was said before the correction is dropped with the wrong order
            return fix.group("order") + line[fix.end() :]
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
        when = next((found.value for found in dates_in(line, today) if found.value >= today), None)
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
        return len((_HEADER_WORDS_LOOSE if loose else _HEADER_WORDS).sub("", rest)) <= (4 if loose else 2)

    def _bare_milestone(self, masked: str) -> bool:
        """The line holds an order, one milestone word and at most a completion mark ("完", "ok")."""
        rest = _COMPLETION_MARK.sub("", masked.replace(MASK, ""))
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
        # (the lead's header end and mentions, read once for the tests below)
        headed = _HEADER_END.search(lead) is not None
        named = bool(self._mentions(lead))
        # …and a plan label ("明日计划：1707 喷涂，1708 总装"): every pair is planned for its day
        plan_lead = headed and not named and (
            bool(_PLAN_HEADER.search(lead)) or future_date(lead, today) is not None)
        # (an English sentence names the step before its order: "assembly of PO-7720 is 60% done")
        english_lead = lead.isascii() and _ENGLISH_WORDS.search(line) is not None and bool(self._mentions(lead, derived=True))
        # …and a coming day said first ("下周一6612上涂装，1203开始下料"): it is the day of every group after it
        day_lead = (lead if lead and len(lead.strip()) <= 6 and not headed and not named
                    and future_date(lead, today) is not None else "")
        lead = lead if named or _STATUS_LABEL.fullmatch(lead) or plan_lead or english_lead else ""
        rest = masked[orders[-1].end :]
        sender = 0
        if (lead and headed and named and future_date(lead, today) is None
                and not (DONE.search(lead) or START.search(lead) or PERCENT.search(lead))):
            if self._mentions(rest) or category_of(rest, None):
                # "QC：PO-2026-103 喷涂有流挂": a line that reports on its order itself; the label before it
                # names the sender, not a milestone the order reached
                lead, sender = "", written_lead
            else:
                # "今天入库：A2412-30、A2412-31", "出货：3588": the orders listed under a milestone reached it
                lead = lead.rstrip(" :：") + "完成："
        before: list[ParsedItem] = []
        for index, group in enumerate(groups):
            start = sender if index == 0 else group[0].start
            end = groups[index + 1][0].start if index + 1 < len(groups) else len(masked)
            scope = masked[start:end] if index or not lead else lead + masked[written_lead:end]
            if index and lead and (_STATUS_LABEL.fullmatch(lead) or plan_lead or not self._mentions(scope)):
                scope = lead + scope
            elif index and day_lead and not dates_in(scope, today):
                scope = day_lead + scope
            partial = self._scope(scope, today, has_order=True, requested=requested)
            if index and before and (not partial or (
                    len(partial) == 1 and partial[0].intent == "query" and partial[0].milestone is None
                    and _ASKED_AGAIN.fullmatch(scope.replace(MASK, "")))):
                # ("1805 入库了没有？1806呢？": the same question of the next order)
                partial = self._elided(scope, masked[groups[index - 1][0].start : start], before, today, requested) or partial
            if lead and _UNFINISHED_LABEL.match(lead):
                partial = [item.unsure() for item in partial]   # "未完成：…": started? a guess
            elif plan_lead and not self._dated_on_line(masked[max(start, written_lead):end], today):
                partial = [self._planned_step(item) for item in partial]   # "后天计划：841 总装": start or end?
            items.extend(item.for_order(o.order_no) for o in group for item in partial)
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
        if not (DONE.search(scope) or START.search(scope) or PERCENT.search(scope)
                or future_date(scope, today) is not None):
            return []
        at = scope.rfind(MASK) + 1
        return [item for item in self._scope(scope[:at] + next(iter(named)) + scope[at:], today, has_order=True,
                                             requested=requested) if item.intent == "progress"]

    def _scope(self, text: str, today: date, has_order: bool, requested: bool = False) -> list[ParsedItem]:
        clauses = [m.group() for m in _CLAUSE.finditer(text)]
        requested = requested or names_requester(text)
        # (a change under a condition, "如果加100台的话交期要推几天", is weighed, not asked for)
        changes = [item for clause in clauses if not _IF.search(clause)
                   for item in self._changes(clause, today, requested, has_order)]
        if has_order and not any(item.field == "quantity" for item in changes):
            kept = kept_quantity(text, requested)
            changes += [kept] if kept is not None else []
        if has_order and _ENGLISH_WORDS.search(text):
            # a request in English ("please postpone … by 10 days"); a field the clauses read stays theirs
            # ("please increase the quantity to 1,500 pcs and move the due date to Dec 18": the date is English)
            fields = {item.field for item in changes}
            changes += [item for item in english_change(text, today) if item.field not in fields]
        if (changes or "改" in text or "换" in text) and refused(text):
            # "已经喷完了，改色要重新下料重新喷，改不了": a change turned down records nothing; the clauses
            # that speak of it go, what else the message says is read as usual (class: refusals)
            clauses, changes = [clause for clause in clauses if not change_talk(clause)], []
        if changes:
            # ("交期提前3天那个，老板定了没有": a pending change asked about records nothing)
            return [] if change_discussed(text) else changes
        items: list[ParsedItem] = []
        rest: list[str] = []
        requests: list[str] = []
        for index, clause in enumerate(clauses):
            if not_a_report(clause) or conditional(clause):
                continue   # a past matter, a standing rule or a condition: no news of the order
            if has_order and _ABOUT_THE_ORDER_ITSELF.match(clause) and not _STATUS_IN_PREDICATE.search(clause):
                continue   # "123 是加急单吗", "…是直接组装还是先过QC": what the order is, not where it stands
            if index + 1 < len(clauses) and "问" in clause and _ASK_PREFACE.fullmatch(clause.strip()):
                continue   # "采购这边问一下，…", "能不能帮忙问下车间，…": the question follows
            probe = _SELF_LOOK.sub("", clause) if "我" in clause else clause
            if "看" in probe or "检查" in probe:
                look = _LOOK_AFTER_DONE.search(probe)
                done = look and (DONE.search(probe, 0, look.start()) or _FINISHED_BEFORE.search(probe, 0, look.start()))
                probe = probe[: look.start()] if done else probe
            if (QUERY_STRONG.search(probe) or _CONFIRM_TAG.search(clause)) and not self._is_statement(clause):
                if has_order or _GENERAL_ORDER.search(clause):
                    mentions = self._mentions(clause, derived=True)
                    paper = _PAPER_WHEN.search(clause)
                    if paper is not None:
                        mentions = [m for m in mentions if m.start < paper.start()]
                        if not mentions:
                            continue   # "3318的提单什么时候出": when a paper is issued, not the order's status
                    if off_topic(clause) and (copy_asked(clause) or all(_PAPER_AFTER.match(clause, m.end) for m in mentions)):
                        # asks about a person, a document or money, not the order's status (a milestone
                        # word may name the paper: "出货清单谁有"; but "质检报告出了吗" asks if QC is done)
                        continue
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
                elif not _QUESTION_MARK.search(clause) and exceptions.machine_at_fault(clause):
                    rest.append(clause)   # "风机响得厉害 找设备看看": a fault told, someone asked to look
            elif a_request(clause) and category_of(clause, None) is None:
                requests.append(clause)   # "PMC今天排一下", "请QC准备一下": asks for work, reports none
            else:
                rest.append(clause)
        body = ",".join(rest)
        mentions = self._mentions(body, derived=has_order)
        reached: set[str] = set()   # milestones this scope reports finished so far
        for window in self._windows(body, mentions):
            item = self._window_item(window, today, has_order)
            if item is None:
                continue
            following = (item.intent == "progress" and item.status != "done" and reached
                         and item.milestone not in reached and _next_step(window, today))
            if (not following and item.intent == "progress" and item.percent is None
                    and _HANDED_AFTER_DONE.search(window.before) and _NEXT_STEP_AFTER.fullmatch(window.after)):
                # "在冲压，今天冲完转焊接", "打磨完了交给喷涂": a step outside the template finished and the goods
                # handed on: no progress of the next step yet (class: steps outside the template)
                following = "handed on"
            if following == "handed on":
                continue   # "下料完成，明早转焊接": the next step is handed the goods; no progress of its own
            if following == "planned":
                # "组装完成，明天品检": a forecast of the next step, or only its planned start? writers
                # label it both ways, so the bot asks (class: next-step mentions)
                item = item.unsure()
            if (item.intent == "progress" and item.status == "in_progress" and item.percent is None
                    and _NEED_BEFORE.search(window.before) and any(i.intent == "query" for i in items)):
                continue   # "油漆干了没？明天要发": the need behind the question, no forecast (class: queries)
            if item.intent == "progress" and item.status == "done" and item.milestone:
                reached.add(item.milestone)
            items.append(item)
            if item.intent == "exception" and item.confident and window.milestone not in (None, "领料") \
                    and _STEP_SHARE.match(window.after):
                # "总装搞了三成，螺丝不够", "焊接 做了一半 焊丝没了": the share the step reached is news of
                # its own beside the problem that holds it up (class: exception beside progress)
                progress = self._window_item(window, today, has_order, read_exceptions=False)
                if progress is not None and progress.percent is not None and progress.milestone == item.milestone:
                    items.append(replace(progress, confident=True))
        if len(items) > 1:
            items = exceptions.found_at_inspection(items)
        if requests:
            body = ",".join(rest + requests)   # ("进度麻烦报一下" still asks for the status)
        weak = _QUERY_WEAK.search(body) if not items and has_order else None
        if weak is not None and not CUSTOMERS_OWN_LOOK.search(body):
            # the step asked of is named before the question's clause ends, not in a later clause ("确认…的交付进度，
            # 我司总装线下周一开始需要": the asker's own assembly line)
            cut = BOUNDARY.search(body, weak.end())
            asked = [m for m in mentions if cut is None or m.start < cut.start()]
            items.append(ParsedItem("query", milestone=asked[0].milestone if asked else None))
        if len(items) > 1:
            # a courtesy clause ("想安排人来看一下", "麻烦看一下") beside the real question or report asks
            # nothing of its own (class: customer voice): a general question goes when another item stands
            items = [item for item in items if item.intent != "query" or item.milestone is not None] or items
        return items

    @staticmethod
    def _is_statement(clause: str) -> bool:
        """A clause with a query word that still reports rather than asks ("多少" in "还差多少" aside;
        几 as "a few" in "有几个起泡", "坏了几台": class: indefinite 几 in a statement)."""
        ongoing = _ONGOING_NE.search(clause) if "呢" in clause else None
        if ongoing is not None and not QUERY_STRONG.search(clause, 0, ongoing.start()):
            return True   # "等喷漆 排队呢", "还在焊呢": 呢 after something going on states it
        if _QUESTION_MARK.search(clause):
            return False
        return bool(PERCENT.search(clause)) or (
            bool(_INDEFINITE_FEW.search(clause)) and not QUERY_STRONG.search(_INDEFINITE_FEW.sub("", clause)))

    # ---- milestones -----------------------------------------------------------------------
    def _mentions(self, text: str, derived: bool = False) -> list[_Mention]:
        if not text:
            return []   # (an empty lead before a line's first order: the common case, for free)
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
            if found and found[-1].milestone == milestone and not BOUNDARY.search(text[found[-1].end : match.start()]):
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
                    and not BOUNDARY.search(text[collapsed[-1].end : mention.start])):
                continue
            collapsed.append(mention)
        return collapsed

    def _coverage(self, line: str) -> float:
        """Share of the line's Chinese characters that some cue of the parser explains."""
        if len(line) < 12:
            return 1.0   # (fewer than 12 Chinese characters, as below, counted for free)
        total = len(_CJK.findall(line))
        if total < 12:
            return 1.0   # a short line is mostly cues anyway
        unexplained = len(_CJK.findall(self._known.sub("", line)))   # (cue matches never overlap)
        return (total - unexplained) / total

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
        return (len(token) == 1 or token in self._known_tokens or bool(DONE.match(token[1:]))
                or bool(START.match(token[1:])) or token[1] in "了过着咗出走"
                # a question of how far the verb got: "焊到几成了", "焊得怎么样了" (jieba joins 焊到, 焊得)
                or (len(token) == 2 and token[1] in "到得" and _HOW_FAR.match(text, match.start() + 2) is not None)
                # …or the share it reached: "焊到85%了", "喷到一半"
                or (len(token) == 2 and token[1] == "到" and _SHARE_REACHED.match(text, match.start() + 2) is not None))

    def _with_derived(self, text: str, found: list[_Mention]) -> list[_Mention]:
        """Add mentions by derived phrasing (lexicon.DERIVED_FORMS) where no word mention overlaps."""
        extra: list[_Mention] = []
        starts: dict[int, str] | None = None
        for match in self._derived_re.finditer(text):
            name, verb = self._derived_groups[match.lastgroup]
            inner = [m for m in found if m.start < match.end() and match.start() < m.end]
            if inner and not verb and all(match.start() <= m.start and m.end < match.end() and m.milestone == name
                                          and not _ALREADY.search(text, m.end, match.end()) for m in inner):
                # "生产计划下了": the longer phrasing holds the word and its verb; it is the mention
                found = [m for m in found if m not in inner]
            elif inner:
                continue
            if verb and _CREW_AFTER.match(text, match.end()):
                continue   # "激光机排了两班", "焊了三个人": shifts or people set on it, not the milestone
            if verb and (_DOCUMENT_BEFORE.search(text, 0, match.start()) or _DOCUMENT_AFTER.match(text, match.end())):
                continue   # "合同签了", "报价单已发", "发了照片": the verb acts on a document, not on the order's goods
            if verb:
                # a one-character verb must start a word of its own (发 in 出发了 does not)
                if starts is None:
                    starts = segmenter.word_starts(text, self._user_words)
                if not self._stands_alone(text, match, starts):
                    continue
            if verb and any(m.end <= match.start() and text[m.start] == match.group()[0]
                            and not BOUNDARY.search(text, m.end, match.start()) for m in found):
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
    def _windows(text: str, mentions: list[_Mention]) -> list[Window]:
        if not mentions:
            return [Window(None, "", text)]
        # list-joined mentions ("焊接、涂装都完成了") share one window
        groups: list[list[_Mention]] = [[mentions[0]]]
        for previous, mention in zip(mentions, mentions[1:]):
            join = text[previous.end : mention.start]
            listed = _MILESTONE_JOIN.match(join) is not None
            if listed and "," in join and _OWN_ASPECTS.match(text, mention.end) \
                    and _PERFECTIVE_BEFORE.search(text, 0, groups[-1][0].start):
                listed = False   # "已下计划，领料中": each step has its own aspect (see _OWN_ASPECTS)
            if listed:
                groups[-1].append(mention)
            else:
                groups.append([mention])
        windows: list[Window] = []
        before = text[: groups[0][0].start]
        for index, group in enumerate(groups):
            end = group[-1].end
            if index + 1 < len(groups):
                between = text[end : groups[index + 1][0].start]
                # (a space right before the next milestone is no boundary: "可以安排 shipping 了")
                cut = max((m.end() for m in BOUNDARY.finditer(between.rstrip())), default=None)
                if cut is not None and _STATUS_BETWEEN.fullmatch(between):
                    cut = len(between)   # "下料 ✔ 焊接 进行中": a status set apart by spaces is the step's before it
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
            windows.extend(Window(name, before + infix, inside + after, words[name]) for name in names)
            before = next_before
        # the same milestone named twice in separate windows ("焊接50% 预计后天焊完"): one window,
        # the first mention's, which also governs the later mention's text
        merged: dict[str | None, Window] = {}
        for window in windows:
            first = merged.get(window.milestone)
            if first is None:
                merged[window.milestone] = window
            elif _FINISH_AHEAD.match(window.after) and _FINISHED_HERE.match(first.after):
                # "玻璃装完了 … 组装大概周三能完": a part was finished; the step's own finish is still to come,
                # the later statement is the current one (as in _dedupe)
                merged[window.milestone] = window
            else:
                merged[window.milestone] = replace(first, after=f"{first.after},{window.before}{window.word}{window.after}")
        return list(merged.values())

    # ---- windows: exception or progress ---------------------------------------------------
    def _window_item(self, window: Window, today: date, has_order: bool,
                     read_exceptions: bool = True) -> ParsedItem | None:
        # the completion rate of the milestone itself is its progress ("焊接完成率 95%", "齐套率90%");
        # any other rate (合格率, 良率) is a statistic
        if "率" in window.before or "率" in window.after or "/" in window.after:
            after = _OWN_RATE.sub("", window.after) if "率" in window.after else window.after
            window = replace(window, before=_RATE.sub("", window.before),
                             after=_SLASH_SHARE.sub(_share_words, _RATE.sub("", after)))
        if ("%" in window.before or "%" in window.after) and (_PAYMENT.search(window.before) or _PAYMENT.search(window.after)):
            # "定金到账了，30%", "首付30%已付": the share of a payment, never the step's (class: money talk)
            window = replace(window, before=_PAYMENT_SHARE.sub(_without_share, window.before),
                             after=_PAYMENT_SHARE.sub(_without_share, window.after))
        if window.before.endswith(("上", "进", "转")) and _ONTO_BEFORE.search(window.before):
            if window.after.startswith("线"):
                # "上涂装线了", "进焊接线": the goods went onto the step's line, it is under way (class: aspect)
                window = replace(window, before=_ONTO_BEFORE.sub("开始", window.before), after=window.after[1:])
            elif window.before.endswith("上") and window.after.startswith("了"):
                # "6612上涂装了": moved onto the step, as 转 says (马上, 早上 are no such move)
                window = replace(window, before=window.before[:-1] + "转")
        text = f"{window.before}\x01{window.after}"
        if "计划" in text:
            window = replace(window, before=_PLAN_COMPARED.sub("", window.before), after=_PLAN_COMPARED.sub("", window.after))
            text = f"{window.before}\x01{window.after}"
        joined = window.before + window.after
        if not has_order and _GENERAL_REMARK.search(joined):
            return None   # with no order, a remark on the shop at large (see _GENERAL_REMARK)
        when = next((found.value for found in dates_in(joined, today)
                     if not NEGATED_AFTER_DATE.match(joined, found.end)), None)
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
        status, percent = progress_status(window, text, when, today)
        if status == "planned":
            # a start planned for a coming day reports no progress yet (parse contract), unless a later
            # clause forecasts the finish ("明天开始焊，预计周五焊完")
            later = _BOUNDARY_PUNCT.split(window.after, maxsplit=1)[1:]
            # ("还没开始，计划明天上线": a later clause that plans the start again forecasts no finish)
            finish = later and (DONE.search(later[0]) or _FINISHED.search(later[0])
                                or (FORECAST.search(later[0]) and not START.search(later[0])))
            end = future_date(later[0], today) if finish else None
            if end is None:
                return None
            return ParsedItem("progress", milestone=window.milestone, status="in_progress",
                              date=next(f.value for f in dates_in(later[0], today) if f.start == end))
        # a negated potential ("这周焊不完") or a move to later ("往后挪到11月10号") beside a progress reading
        # says it runs late: the reading is a guess (round 3: every such confident item was wrong)
        confident = not (status or "").endswith("?") and not conflicting(text) and not _RUNS_LATE.search(text)
        status = status.rstrip("?") if status else status
        if status is None or (not has_order and status == "in_progress" and percent is None
                              and not (START.search(text) or FORECAST_STRONG.search(text)
                                       or window.after.startswith("中"))):
            return None
        if status == "in_progress" and when is None and later_today(window):
            when = today   # "上午进仓", "正在排，下午能排好": the completion is forecast for later today
        if status == "in_progress" and when is None:
            # "三天能装完", "两天内就能做好": a count of days until the completion forecasts its day
            days = DAYS_TO_FINISH.search(joined)
            count = parse_number(days.group("days") or days.group("more")) if days else None
            if count:
                when = today + timedelta(days=int(count))
        if (status == "in_progress" and when is not None and when > today and _STARTED_THEN.search(joined)
                and past_weekday(joined, today) is not None and not FORECAST.search(joined)):
            when = None   # "周一就开了 现在割了七成": a bare weekday the start happened on is past, and not kept
        if status == "in_progress" and when is not None and when > today:
            # "下周一开始总装，周三装完": of several coming days, the one the completion is said of is the forecast
            coming = [found for found in dates_in(joined, today) if found.value > today]
            if len(coming) > 1 and _FINISHED.search(joined, coming[-1].end):
                when = coming[-1].value
        if status == "in_progress" and when is not None and when <= today:
            # an in-progress item's date is its forecast: a later day said in the window wins
            later = next((found.value for found in dates_in(joined, today) if found.value > today
                          and not NEGATED_AFTER_DATE.match(joined, found.end)), None)
            when = later or when
            if when == today and not FORECAST.search(text) and not DONE.search(text) and (
                    "了" in window.after or START.search(text) or _UNDER_WAY.search(text) or percent is not None):
                # "今天发了一车", "今天 start 了", "周日也在干", "今天才做了一半": today says when it
                # happened (or how far it got), not a forecast
                when = None
        if status == "in_progress_undated" or (status == "in_progress" and when is not None and when < today):
            # an in-progress date is a forecast; "昨天开始" says when it started, which is not kept
            status, when = "in_progress", None
        if (status == "in_progress" and when is not None and when > today and percent is None
                and window.milestone not in lx.POINT_MILESTONES and not DAYS_TO_FINISH.search(text)
                and self._day_and_step_only(window, text)):
            # "5130 下周一质检", "下周一质检 质检过了就发": a coming day and a step that takes time, with no
            # aspect of its own (or its end only the condition of what follows): its planned start, or a
            # forecast of its end? Writers label it both ways, so the bot asks (class: plans)
            confident = False
        if (status == "done" and window.word[:1] == "开" and _ALREADY_AT_END.search(window.before)
                and not (DONE.search(window.after) or _FINISHED.search(window.after))):
            status = "in_progress"   # "已经开料": 开 opens the step, so 已 says it has started (class: aspect)
        if status == "done" and "还" in window.after and self._part_not_yet(window):
            status = "in_progress"   # one part finished, another not yet begun (class: parts of a step)
        if status == "done":
            # (a bare weekday read as coming, "周六签收了", is last week's for a finished step)
            when = finished_day(window, today) if when is not None else None
            when = when if when is None or when < today else finished_on_weekday(window, today)
        return ParsedItem("progress", milestone=window.milestone, status=status, percent=percent, date=when,
                          confident=confident)

    @staticmethod
    def _day_and_step_only(window: Window, text: str) -> bool:
        """The window says a day and the step, and nothing of its aspect but a completion that conditions
        the next thing ("质检过了就发": once it passes, it ships)."""
        if START.search(text) or FORECAST.search(text) or _UNDER_WAY.search(text):
            return False
        after = _THEN_NEXT.sub("", window.after) if "就" in window.after else window.after
        return not (DONE.search(after) or _FINISHED.search(after) or DONE.search(window.before))

    def _part_not_yet(self, window: Window) -> bool:
        """After the step is said finished, a part of it is said not yet begun with the step's own verb or
        word ("立杆割完了 横杆还没割", "底座焊好了 支架还没开始焊")."""
        for found in _PART_NOT_YET.finditer(window.after):
            verb = found.group("verb")
            if verb[0] == window.word[:1] or self._word_to_milestone.get(verb) == window.milestone:
                return True
        return False

    # ---- change requests ------------------------------------------------------------------
    def _changes(self, clause: str, today: date, requested: bool, has_order: bool) -> list[ParsedItem]:
        parts = _RUN_ON_JOIN.split(clause)
        if len(parts) == 1 and " " in clause.strip():
            # terse requests set apart by spaces, each naming its field: "板厚改1.5mm 数量加200"
            parts = _FIELD_AFTER_SPACE.split(clause)
        if len(parts) > 1:
            # run-on speech joins requests with 然后 / 另外 / 同时: "要减少五十台然后颜色改成黑色的"
            return [item for part in parts for item in self._changes(part, today, requested, has_order)]
        items: list[ParsedItem] = []
        quantity = quantity_change(clause, requested and has_order, has_order)
        if quantity is not None:
            items.append(quantity)
        due = due_change(clause, today, requested)
        if due is not None:
            items.append(due)
        if items:
            return items
        spec = spec_change(clause, requested, has_order, self._milestone_re)
        return [spec] if spec is not None else []


# a message of a status word or a step and a question tail only: "进度？", "逾期？", "入库没", "喷完了吗"
_BARE_QUESTION = cue(r"\s*(?:(?P<status>进度|进展|状态|逾期|延期)\s*(?:呢|如何|怎样|咋样)?\s*[?？]+"
                     r"|(?P<step>[^\s?？]{1,4}?)\s*(?:了|完了?|好了?)?\s*(?:(?:吗|没有?|未|呢)\s*[?？]*|[?？]+))\s*")
# a step that must happen ("明天要发", "下午得入库", "急着要装车"), said beside a question: why it is asked
_NEED_BEFORE = cue(r"(?:要|得|必须|急着|赶着)\s*$")
_ONTO_BEFORE = cue(r"(?<![马早晚路线楼])(?:上|进|转)\s*$")
_SHARE_REACHED = cue(r"\s*(?:\d{1,3}\s*%|[一二两三四五六七八九]成|一半)")
_ALREADY_AT_END = cue(r"已经?\s*$")
# the words a header line of orders may hold besides them ("1203、1204 进度汇报："), strict and loose
_HEADER_WORDS = cue(r"[\s:：,，、和及]|进度|情况|汇报|更新|如下")
_HEADER_WORDS_LOOSE = cue(r"[\s:：,，、和及的]|进度|情况|汇报|更新|如下|各位|大家|关于|订单|单号|最新|目前|今天|今日|跟进|同步|通报|说明")
_COMPLETION_MARK = cue(r"[\s,，。;；:：]|完|ok|OK|好")
# a start reported as happened on a bare weekday ("周一就开了", "礼拜二已经上线了")
_STARTED_THEN = cue(r"(?<![下这本])(?:周|礼拜|星期)[一二三四五六日天]\s*(?:就|已经|已|都)?\s*(?:开始|开工|动工|上线|开)了")
# a completion that conditions what follows ("过了就发", "焊完了就喷"): said of a coming day, nothing happened yet
_THEN_NEXT = cue(r"[\u4e00-\u9fff]{0,2}了\s*就\s*[\u4e00-\u9fff]{1,2}\s*$")
# a part named after the step's completion, its step not yet begun ("立杆割完了 横杆还没割")
_PART_NOT_YET = cue(r"[\s,，;；][^\s,，;；。\d]{1,4}?(?:还没有?|还未|尚未)\s*(?:开始)?\s*(?P<verb>[\u4e00-\u9fff]{1,2})")
_DONE_MARK = cue(r"完|(?<![A-Za-z])(?:ok|OK)(?![A-Za-z])")
_QUESTION_MARK = cue(r"吗|呢|\?|么")
_HOW_FAR = cue(r"\s*(?:哪|什么|几|多少|怎么样|咋样|如何|怎样|点样)")
_ALREADY = cue(r"已|都|也")
_FINISHED = cue(r"[完好]")
_RUN_ON_JOIN = cue(r"然后|另外|同时|并且|还有就是")
_FIELD_AFTER_SPACE = cue(r"(?<=\S)\s+(?=(?:" + lx.alternation(lx.QTY_FIELDS + lx.DUE_FIELDS + lx.SPEC_FIELDS) + r"))")
_ENGLISH_WORDS = cue(r"[A-Za-z]{3,}[\s,:]+[A-Za-z]{2,}")


# ---- helpers (pure functions over one window or clause) -------------------------------------
_LOOKAROUND = cue(r"\(\?<?[=!][^()]*\)")


def _char_class(chars: Iterable[str]) -> str:
    """A regex class of `chars` (used as a cheap first-character filter before a long alternation)."""
    return "[" + "".join(sorted({re.escape(ch) for ch in chars})) + "]"


def _leads(window: Window) -> bool:
    """With no order, an item needs the milestone to lead its line and its status right after it."""
    return bool(_LEAD_FILLER.fullmatch(window.before)) and bool(_ADJACENT_STATUS.match(window.after))


# with no order, a remark on the shop at large ("焊接返工太多了，大家注意", "今天焊接完成了好几个单",
# "喷漆色差问题要重视"): a count of orders, an appeal to everyone, a habit or an amount — no one order's news
_GENERAL_REMARK = cue(
    r"(?:几|\d+|[一二两三四五六七八九十]+)\s*个\s*(?:单|订单)|几\s*个?\s*柜|大家|各位|所有|要重视|注意|太多|挺多|很多|经常|老是|总是|最近"
)
_NOMINALISED = cue(r"\s*[^\s,，;；。的]{0,4}?的(?![话了])\s*[\u4e00-\u9fff]")
# progressive aspect anywhere in the window: "周日也在干", "今天在喷"
_UNDER_WAY = cue(r"在[干做搞弄赶焊喷装切开检]")
# (…or a number and some, "60几个微米", "二十几台": a rough count, not a question)
_INDEFINITE_FEW = cue(r"(?:有|了|坏|出|发现|好)\s*几\s*[个台件套处只条块片](?!\s*(?:订单|单子?|$))|好几\s*个?\s*(?:单|订单|柜)"
                      # "60几个微米", "二十几台": some number past sixty, twenty
                      r"|(?:\d+|[一二两三四五六七八九]?[十百千])\s*几\s*[个台件套处只条块片]?")
# partial aspect as a slash fraction after a completion verb ("已完成3/4"): a share, not 3 April
# …or right after the milestone word ("电焊 3/4", "组装 300/600", "总装（30/120）", "组装完成500/500")
_SLASH_SHARE = cue(r"(?:(?P<verb>完成|做了|好了|了)|^\s*[(（]?\s*)(?P<n>\d{1,5})\s*/\s*(?P<d>\d{1,5})(?![\d/.])"
                          rf"(?P<unit>\s*{QTY_UNITS})?\s*[)）]?")


# a payment and its share, either way round ("定金到账了，30%", "30%的预付款")
_PAYMENT = cue(r"定金|订金|预付款?|首付|首款|货款|尾款|付款|打款|汇款|到账")
_PAYMENT_SHARE = cue(
    r"(?P<pay>定金|订金|预付款?|首付|首款|货款|尾款|付款|打款|汇款|到账)(?P<mid>[^。;；\d]{0,8}?)\d{1,3}(?:\.\d+)?\s*%"
    r"|\d{1,3}(?:\.\d+)?\s*%\s*(?:的)?\s*(?=定金|订金|预付|首付|首款|货款|尾款)")


def _without_share(match: re.Match[str]) -> str:
    return (match.group("pay") or "") + (match.group("mid") or "")


def _share_words(match: re.Match[str]) -> str:
    """The share as words the aspect reader knows; a pair that may be a date (3/12: month and day) stays."""
    numerator, denominator = int(match.group("n")), int(match.group("d"))
    verb = match.group("verb") or ""
    not_a_date = denominator <= 10 or denominator > 31 or numerator > 12 or match.group("unit")
    if not (0 < numerator <= denominator and not_a_date):
        return match.group()
    if numerator == denominator:
        return f"{verb}完成"
    return f"{verb}{100 * numerator // denominator}%"


_CREW_AFTER = cue(r"\s*了?\s*(?:[一两二三四五六七八九十几]|\d{1,2})\s*个?\s*(?:班|人|组|个人)(?![长组])")
_DOCUMENT_BEFORE = cue(r"(?:合同|协议|报价单?|发票|文件|图纸|资料|邮件|单据|字)\s*(?:也|都|已经|已|还没|没)?\s*$")
# …or the document said after the verb: "业务发了照片", "发个邮件", "发两张图片给客户"
_DOCUMENT_AFTER = cue(r"\s*(?:了|个|过)?\s*(?:[一两几\d]\s*[张个份条段封]\s*)?"
                      r"(?:照片|图片|相片|视频|邮件|消息|信息|微信|短信|资料|文件|报告|截图|定位|图纸)")
_OWN_RATE = cue(r"^\s*率|(?<=完成)率|(?<=完工)率|(?<=达成)率")
_RUNS_LATE = cue(r"不完|(?<=[\u4e00-\u9fff])不了(?!解)|往后(?:挪|推|延|拖|排)|(?<![提])(?:挪|推|拖)到")
# "比计划早一天", "按计划": the plan compared with, not a forecast
_PLAN_COMPARED = cue(r"(?:比|按|照|原|超)\s*计划")


# what may stand before the step named after a finished one when it only says what comes next:
# a hand-over ("转焊接", "交给涂装", "排在明天喷漆"), a day, or fillers of speech ("然后明天就可以那个质检")
_HANDOFF = cue(r"转到?|转入|转给|交给|交到|移交|送去|送到|排在|排到")
_HANDED_AFTER_DONE = cue(r"[完好]\s*了?\s*[,，]?\s*(?:就|再|然后|后|之后)?\s*(?:" + _HANDOFF.pattern + r")\s*$")
# (above: a step finished, then the goods handed on, "冲完转焊接")
_NEXT_STEP_LEAD = cue(
    r"(?:[\s,，]|然后|接着|再|就|呢|那个|可以|能|会|要|准备|安排|" + _HANDOFF.pattern
    + r"|今天|今日|今晚|明天|明日|明早|明晚|明儿|后天|大后天|上午|下午|中午|晚上|早上|一早|一大早"
    + r"|(?:下下?个?|这个?|本)?(?:周|礼拜|星期)[一二三四五六日天]|\d{1,2}[号日]|\d{1,2}[./]\d{1,2})*")
_NEXT_STEP_AFTER = cue(r"\s*(?:了|吧)?\s*[,，。.!！;；]?\s*")


def _next_step(window: Window, today: date) -> str | None:
    """After a milestone reported finished, the next one named with only a hand-over or a coming day and
    no aspect of its own says what comes next: "handed on" ("焊好了，排在明天喷漆", "转喷涂": no progress),
    or "planned" for a coming day ("组装完了，明天检验", "终检合格，明早装车", "下料完了 焊接明天排", "齐料了，下午开料",
    "涂装完了 明天叫QC来看"): its start, or a forecast of its end? Writers label it both ways, so the bot
    asks. A coming day said of a step at a point (入库, 发货) is when it happens, a forecast, as most writers
    label it ("品检完成，明天入库"; a few leave it out). News of its own (a completion, a share, an
    estimate, "涂装明天能喷完") is read as said."""
    if _NEXT_STEP_LEAD.fullmatch(window.before) and _NEXT_STEP_AFTER.fullmatch(window.after) \
            and _HANDOFF.search(window.before):
        return "handed on"
    own = _BOUNDARY_PUNCT.split(window.before)[-1] + "\x01" + window.after
    if window.milestone in lx.POINT_MILESTONES:
        return None   # "品检完成，明天入库": the day of a step at a point is its forecast (most writers)
    # (a part of today still to come is a coming time too: "齐料了，下午开料")
    if (future_date(own, today) is None and not later_today(window)) or DONE.search(own) or _FINISHED.search(window.after) \
            or _ESTIMATE.search(own) or PERCENT.search(own):
        return None
    return "planned"


# an estimate of the step's own ("预计明天发货"); 计划 plans, it does not estimate ("计划下周一开料")
_ESTIMATE = cue(r"预计|估计|预估|有望|争取")


def _dedupe(items: Iterable[ParsedItem]) -> list[ParsedItem]:
    """One item per (intent, order, milestone, field, category): when a message says it twice (a daily
    report with a morning and an afternoon line), the later statement is the current one and wins."""
    latest: dict[tuple, ParsedItem] = {}
    for item in items:
        key = (item.intent, item.order_no, item.milestone, item.field, item.category)
        latest.pop(key, None)
        latest[key] = item
    return list(latest.values())


def _open_plan(item: ParsedItem) -> bool:
    """A change, or a dated step not yet done: what an undecided plan would record (_UNDECIDED)."""
    return item.intent == "change" or (item.intent == "progress" and item.status != "done" and item.date is not None)
