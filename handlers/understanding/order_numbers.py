"""Order numbers: where they stand in a line, how they are normalised, how they are masked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabulary import DEFECTS, MACHINES, MATERIALS
from .lexicon import alternation
from .patterns import cue

MASK = "\ue000"

_PREFIX = r"(?:(?<!快递)(?<!运)(?<!物流)(?<!发票)(?<!提)(?<!报关)(?:订单号码?|订单编号|订单|单号|工单号?)\s*(?:是|为)?\s*[:：]?\s*|No(?:\.\s*|[:：\s]\s*)|NO(?:\.\s*|[:：\s]\s*)|no\.\s*|#\s*)"
TOKEN = _TOKEN = r"[A-Za-z]{0,4}-?\d+(?:-[A-Za-z0-9]+)*"
_CANDIDATE = cue(
    rf"(?:(?P<prefix>{_PREFIX})|(?<![A-Za-z0-9.\-]))(?P<token>{_TOKEN})(?![A-Za-z0-9\-]|\.\d|/\d{{1,2}}(?![\d\-]))"
)
# a number followed by one of these is a quantity, date, percentage or place, never an order
_UNIT_AFTER = cue(
    # (卷 before 料, 材, 板, 钢 names coil stock, "6612 卷料到货了", not a count of rolls)
    r"\s*(?:[台件个套天号日%万千百元块米吨箱批次年时分秒条张支根片斤克楼层栋室寸线位名粒桶瓶份对双辆]|卷(?![料材板钢])|点(?![样解])|包(?![装材])"
    # 只 counts things, but 只要 / 只有 / 只做 / 只剩 say "only"
    r"|只(?![要有做是能剩差])|把(?![手表])|组(?!装)|周(?![一二三四五六日天末])"
    # words that start with a unit character: 人手 (staff), 月底 (a date), 车间 (a place)
    r"|人(?!手|员)|月(?![底末初])|车(?!间)"
    r"|mm|cm|kg|KG|pcs|PCS|[:：]\d|[.]\d)"
)
# a word of the shop that starts with a unit character ("3730 点焊机烧了", "4402 线束还没到", "4403 批锋大"):
# after a line's leading number and a space it names the machine, part or defect, not the number's unit
_VOCABULARY_AFTER = cue(r"\s+(?:" + alternation(
    word for word in MACHINES + MATERIALS + DEFECTS
    if word[0] in "台件个套天号日万千百元块米吨箱批次年时分秒条张支根片斤克层线位粒卷桶瓶份对双点包只把组周人月车") + ")")
# ("PO-7725 and PO-7726": an English list)
_LIST_SEP = cue(r"^(?:\s*(?:[、,，/&+]|和|以及|及|与|跟|还有|(?<=\s)and(?=\s))?\s*(?:订单号?|单号|#|No\.?)?\s*)$")
_VALUE_BEFORE = cue(r"(?:改成|改为|改到|(?<![修更])改|调到|调成|调整为|变成|加|减|少做|多做|到|为|(?<!完)成|(?<![昨今明傍])晚|延|共|要|订|(?<!意思)(?<!就)是|第|约|(?<!没)有|差|剩)\s*$")
# the first order of a list ("0470和0471已经排下去了"): an order-form token joined to another one
_LIST_NEXT = cue(r"\s*(?:[、,，/&+]|和|以及|及|与|跟)\s*(?:订单号?|单号|#)?\s*[A-Za-z]{0,4}-?\d{3,}(?![\d.]|\s*[台件个套天号日点%万月年])")
_SUBJECT_BEFORE = cue(
    r"(?:(?:客户|客人|业主)(?:要求|说|讲|话|要|希望|通知|反馈|投诉|那边(?:说|讲|要求|通知)?|同意|答应|确认|想|想要)?把?|销售(?:说|讲|话|要求)?|业务(?:说|讲)?|老板说|甲方|要求|查(?:一下|下)?|看(?:一下|下)?|问(?:一下|下)?|帮忙|麻烦"
    # a relayed call: "客户刚刚打电话说0448…", "客户那边的意思是0516…"
    r"|打电话(?:来)?说|的意思是"
    # a speaker or a relay before a colon: "采购反馈：822 …", "销售：…", "QC:…"
    r"|[\u4e00-\u9fffA-Za-z]{1,8}[:：]"
    # a day heading a plan line: "12/8：1307", "12月8日: 1307"
    r"|(?:^|\s)\d{1,2}\s*[/.月]\s*\d{1,2}\s*[日号]?\s*[:：]"
    # a bracketed title heading the line ("【质量快报】7308 …"), or a new sentence after ；or 。("…；3021 还在等")
    r"|【[^】]{1,12}】|[；;。！!])\s*$"
)
# the next token of a list set apart by spaces only ("焊接 4522 4523 搞定", "20891 20892 都出货了")
_SPACED_NEXT = cue(rf"[ \t\u3000]+(?P<token>{_TOKEN})(?![A-Za-z0-9\-]|\.\d|/\d)")
# the goods of an order called by its number ("做362那批电机", "2309-07要的那批铝型材")
_BATCH_AFTER = cue(r"\s*(?:要的|订的|的)?\s*(?:那批|这批|那单|这单)")
# the goods of "your" or "our" order ("你们4416的密封圈", "我们2301的支架"): the possessor is an order
_OWNER_BEFORE = cue(r"(?:你们|我们|咱们|贵司|贵公司)\s*$")
_OWNED_AFTER = cue(r"\s*的")
# an order waiting on someone or something ("22051 等技术改图", "3305 还在等客户回复")
_WAITS_AFTER = cue(r"\s*(?:还在|还|在|一直)?\s*等(?![于同级])")
# …or right before its work said impossible ("今天2612-90冲不了", "3350 也做不动")
_CANNOT_AFTER = cue(r"\s*(?:也|都|还|就|今天|下午|上午)?\s*[\u4e00-\u9fff](?:不了|不动|不出来)")
# anyone relaying news before an order of a dashed form ("供应商老张说2309-07…")
# (…or a few words of what was said between: "客户说收到的 2310-03 有五件…")
_SPEAKER_BEFORE = cue(r"[\u4e00-\u9fff]{1,6}(?:说|讲|反馈|回复|通知)(?:[\u4e00-\u9fff]{0,4}的)?\s*$")
# spoken fillers before the order ("嗯那个127的话…", "然后229那个…") do not stop it leading the line
_FILLERS = cue(r"嗯|啊|呃|喂|那个|这个|就是说|就是|然后呢?|还有|另外|[,，\s]")
_PHONE = cue(r"1[3-9]\d{9}")
_FULL_DATE = cue(r"\d{4}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])")
# forms no quantity, date or model name takes (SO20261118004, PO-2026-017, K-2612-05, A2312-05): an order
# wherever it stands, also inside a customer's sentence ("我们的SO20261130002现在…") (class: customer voice)
# (PO / SO, a purchase or sales order, name an order with any count of digits: "move the ETD of PO-4471")
_DISTINCT_FORM = cue(r"[A-Za-z]{1,4}-?\d{6,}|[A-Za-z]{1,4}-?\d+-\d+(?:-[A-Za-z0-9]+)*|(?i:PO|SO)-?\d{3,}")
# a tracking or invoice number is not an order: "快递单号SF1234567890", "运单号…", "发票号…"
# …nor a container, seal or bill-of-lading number ("柜号TCNU8823410", "提单号…"): the shipment's papers
# in a sentence of English, letters and a dash before the digits mark an order wherever it stands
# ("Container loaded for PO-7720", "assembly of KF-0923 is done")
_LETTERED_FORM = cue(r"[A-Za-z]{1,4}-\d{3,}")
_ENGLISH_SENTENCE = cue(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}")
# …and a bare number after "of", "for", "on" or "order" stands where an order stands ("status of 9034",
# "pull in the delivery of 882 to Dec 15"), unless a count's unit follows it ("a batch of 500 pcs")
_ENGLISH_ORDER_BEFORE = cue(r"(?<![A-Za-z])(?i:of|for|on|order|orders)\s+#?\s*$")
_ENGLISH_UNIT_AFTER = cue(r"\s*(?i:units?|sets?|pcs|pieces?|pc|days?|weeks?|months?|years?|hours?|mm|cm|kg|m|%)(?![A-Za-z])")
_OTHER_NUMBER_LABEL = cue(r"(?:快递|运|物流|发票|车牌|电话|手机|(?<!订)柜|集装箱|货柜|箱|封条?|铅封|提单|报关单?)(?:单号?|号码?)?\s*[:：]?\s*$")
_SHARE_REST = cue(r"\s*/\s*\d{1,5}")
_ASCII_WORDS_AFTER = cue(r"\s*(?:QC|qc|Qc|OK|ok|Ok)")


# after an order of the same form in the line, a token followed by ellipsis, a share or nothing is the
# next order of the report ("0455焊好了 0456也是", "0301 喷涂 60% 0302 80%", "…吗 还有2311-21")
_ELLIPSIS_BEFORE = cue(r"(?:[\s,，;；。!！]|还有|然后)\s*$")
_ELLIPSIS_AFTER = cue(r"\s*(?:也|都|同上|一样|还差|\d{1,3}\s*%|[,，。;；!！]|$|明天|后天|今天|下周|周[一二三四五六日])")


# a terse report said status first, its order last ("fh done 1096", "验收ok 4514"): a token set apart at the
# line's end right after a completion mark is the order it reports on (class: order said last)
_DONE_MARK_BEFORE = cue(r"(?:完成|完工|搞定|好了|完了|过了|通过|合格|(?<![A-Za-z])(?i:ok|done|passed))\s+$")
_LINE_END = cue(r"\s*[。.!！~]*\s*$")


# "那1022呢", "那 2311-08 呢？": an order asked about by itself after another exchange
_ASKED_ABOUT = cue(r"\s*(?:的|那边|这边)?\s*呢\s*[?？]?\s*$")


def shape(token: str) -> str:
    """An order number's form: letters as A, digits as 9 ("2311-20" and "2311-21" share one)."""
    return re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", token))


@dataclass(frozen=True, slots=True)
class OrderMatch:
    start: int   # where the prefix (or the token) starts
    end: int
    order_no: str


def _plain_order_form(token: str) -> bool:
    if _PHONE.fullmatch(token) or _FULL_DATE.fullmatch(token):
        return False
    if token.isdigit():
        return len(token) >= 3
    return any(ch.isdigit() for ch in token)


def find_orders(line: str, domain_after: re.Pattern[str]) -> list[OrderMatch]:
    """Order numbers in one line, in order.

    `domain_after` matches a domain word (milestone, status, change, exception or query word)
    at the start of the text that follows a candidate; a bare token is only an order where an
    order stands (the parse contract's rule).
    """
    found: list[OrderMatch] = []
    english = line.isascii() and _ENGLISH_SENTENCE.search(line) is not None
    share_end: int | None = None
    for match in _CANDIDATE.finditer(line):
        token = match.group("token")
        tail = line[match.end():]
        if _UNIT_AFTER.match(tail) and not _DISTINCT_FORM.fullmatch(token) \
                and not (match.group("prefix") or "").startswith("#") \
                and not (len(token) >= 3 and not line[: match.start()].strip() and _VOCABULARY_AFTER.match(tail)):
            continue   # (no count or date is written SO20261124007: "SO… 支架 下料" names the part after it;
            # after #, Cantonese 个 is "the": "#8807 个logo")
        if tail[:1].isascii() and tail[:1].isalpha() and not _ASCII_WORDS_AFTER.match(tail):
            continue
        if match.group("prefix"):
            found.append(OrderMatch(match.start(), match.end(), token.upper()))
            continue
        if not _plain_order_form(token):
            continue
        if share_end is not None and match.start() <= share_end:
            continue   # the share's denominator ("组装 200 / 500")
        if found and tail.lstrip().startswith("/") and token.isdigit() and all(shape(o.order_no) != shape(token) for o in found):
            # "SO…006 组装 300/600", "4423 组装 200 / 500": a share of the order's quantity after the order, no
            # list of orders (its denominator neither)
            share = _SHARE_REST.match(tail)
            share_end = match.end() + share.end() if share else None
            continue
        head = line[: match.start()]
        if _OTHER_NUMBER_LABEL.search(head):
            continue   # "形式发票PI-20261202 已发客户", "柜号TCNU8823410": another paper's number
        after_previous = found and _LIST_SEP.match(line[found[-1].end : match.start()])
        elided = (bool(_ELLIPSIS_AFTER.match(tail)) and bool(_ELLIPSIS_BEFORE.search(head))
                  and any(shape(o.order_no) == shape(token.upper()) for o in found))
        if _VALUE_BEFORE.search(head) and not after_previous and not (elided and head.endswith("还有")):
            continue
        if (
            _DISTINCT_FORM.fullmatch(token)
            or (english and _LETTERED_FORM.fullmatch(token))
            or (english and token.isdigit() and _ENGLISH_ORDER_BEFORE.search(head) is not None
                and _ENGLISH_UNIT_AFTER.match(tail) is None)
            or not _FILLERS.sub("", head).strip()
            or after_previous
            or _SUBJECT_BEFORE.search(head)
            or domain_after.match(tail)
            or _LIST_NEXT.match(tail)
            or _spaced_list_ahead(line, match.end(), token, domain_after)
            or elided
            or (_ASKED_ABOUT.match(tail) and _FILLERS.sub("", head).strip() in ("那", "那么"))
            or _BATCH_AFTER.match(tail)
            or (_OWNER_BEFORE.search(head) and _OWNED_AFTER.match(tail))
            or _WAITS_AFTER.match(tail)
            or _CANNOT_AFTER.match(tail)
            or ("-" in token and _SPEAKER_BEFORE.search(head))
            or (not found and _LINE_END.match(tail) and _DONE_MARK_BEFORE.search(head))
            or _clause_lead(head, token)
        ):
            found.append(OrderMatch(match.start(), match.end(), token.upper()))
    return found


# the start of a clause or a sentence within the line
_CLAUSE_START = cue(r"[,，;；。!！]\s*$")
_SENTENCE_START = cue(r"[;；。!！]\s*$")
_DASHED_DIGITS = cue(r"\d{4}-\d{2,3}")


def _clause_lead(head: str, token: str) -> bool:
    """An order-form token leading a clause as an order leads a line: a dashed one after any clause
    break ("喷塑线先停了，2611-14下午的喷不了"), a plain one of four digits or more after a sentence's
    end ("K3390 焊接全部完成；2290 挑完了"): the order the news after it is about."""
    if _DASHED_DIGITS.fullmatch(token):
        return _CLAUSE_START.search(head) is not None
    return len(token) >= 4 and token.isdigit() and _SENTENCE_START.search(head) is not None


def _spaced_list_ahead(line: str, end: int, token: str, domain_after: re.Pattern[str]) -> bool:
    """The token heads a list of orders of its own form set apart by spaces only, and the last of them
    stands right before a domain word ("开料 3551 3552 搞定"): every token of the list is an order."""
    if not line.startswith((" ", "\t", "\u3000"), end):
        return False
    form = shape(token.upper())
    while (following := _SPACED_NEXT.match(line, end)) is not None:
        if shape(following.group("token").upper()) != form or _UNIT_AFTER.match(line, following.end()):
            return False
        end = following.end()
        if domain_after.match(line, end):
            return True
    return False


def mask(line: str, orders: list[OrderMatch]) -> str:
    """The line with every order span replaced by mask characters of the same length."""
    if not orders:
        return line
    parts, last = [], 0
    for order in orders:
        parts.append(line[last : order.start])
        parts.append(MASK * (order.end - order.start))
        last = order.end
    parts.append(line[last:])
    return "".join(parts)


def is_list_gap(text: str) -> bool:
    """True when `text` between two orders only joins them into a list."""
    return bool(_LIST_SEP.match(text))
