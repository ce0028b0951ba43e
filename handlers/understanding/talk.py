"""Clauses that are talk, not a report: an off-topic question, a hypothetical or condition, a
standing rule, a past matter named as the topic, a request to someone to do something."""

from __future__ import annotations


import handlers.understanding.lexicon as lx
from .cues import DONE, QUERY_STRONG, START
from .patterns import cue
from .aspect import PERCENT


# Talk that is not a report (class): a question whose topic is a person ("谁在跟140"), a document or
# money ("135的发票开了没", "这张图是哪个单的", "单号是不是打错了") rather than the order's status
_OFF_TOPIC_QUESTION = cue(
    r"谁|哪位|发票|报价|价格|价钱|单价|合同|货款|尾款|运费|付款|账|图纸|(?<![地试])图(?!片)|样品|样件|合格证|电话|"
    r"联系方式|地址|单号|邮件|资料|文件|报告|对接人|负责人|司机|业务员|"
    # papers and lists of the order ("装箱单谁有", "BOM表更新了吗", "invoice for…"), its customer
    # ("是哪个客户的") or its colour and size ("能不能换个颜色"): no question of where it stands
    r"装箱单|箱单|清单|明细|BOM|物料表|唛头|标签|(?i:invoice|packing\s*list)|(?:哪个|哪家|什么)客户|颜色|尺寸|规格"
)


def off_topic(clause: str) -> bool:
    """The question's topic, said before its question cue, is a person, a document or money
    ("咋样了 客户打了三个电话了" asks of the order: the phone calls come after the question)."""
    cue = QUERY_STRONG.search(clause)
    return cue is not None and (_OFF_TOPIC_QUESTION.search(clause, 0, cue.end()) is not None
                                or _RECORD_QUESTION.search(clause) is not None
                                or (_COPY_ASKED.search(clause) is not None and not _STATUS_PAPER.search(clause))
                                or CUSTOMERS_OWN_LOOK.search(clause) is not None)


# a question about the order's record in the system, not its work ("这单是不是录错了")
# …or asks whether the order may be changed ("能不能换个颜色", "可不可以改成白色"): a change talked over
_RECORD_QUESTION = cue(r"录错|录入|录漏|系统里|系统上|系统中|(?:能不能|可不可以|能否)\s*(?:换|改|加|减|调)")
# a copy of a paper asked for ("发我一份", "传一份给我"), unless the paper is the status ("进度表发我一份")
# (in English: "could you send me the packing list")
_COPY_ASKED = cue(r"[发传]\S{0,3}一份|(?<![A-Za-z])(?i:send|forward|share)\s+(?i:me|us|over)\s+(?i:the|a|an|your)\b")


def copy_asked(clause: str) -> bool:
    """A copy of a paper is asked for, not the status ("出货单发我一份", "send me the packing list before
    loading"): whatever step the clause names, it says when the paper is needed."""
    return _COPY_ASKED.search(clause) is not None and not _STATUS_PAPER.search(clause)
_STATUS_PAPER = cue(r"进度|进展|情况|状态")
# the customer's own "look" ("客户说颜色再看看", "客户要求看一下样品") or a report the customer wants
# ("客户要求每天报进度"): the sender asks nothing
CUSTOMERS_OWN_LOOK = cue(
    r"(?:客户|客人|甲方)[^,，;；。?？]{0,6}?(?:说|要求|要|想|希望|讲)[^,，;；。?？]{0,8}?"
    r"(?:(?:再|先)?(?:看看|看一下|看下)(?![^,，;；。]{0,8}(?:进度|情况|进展|到哪))|(?:报|汇报|发|更新)\s*(?:一下)?\s*进度)"
)


def not_a_report(clause: str) -> bool:
    """A standing rule, or a past matter as the clause's topic with no news said after it
    ("之前说的那个事 123 焊接完成了" still reports)."""
    for found in _NOT_A_REPORT.finditer(clause):
        if found.group().startswith(("以后", "今后", "下次", "下回")):
            if _RULE_LEAD.search(clause, 0, found.start()):
                return True   # a standing rule said at the clause's start or after 说
        elif not (DONE.search(clause, found.end()) or START.search(clause, found.end())):
            return True
    return False


# …a condition: a hypothetical ("要是明天焊不完就加班", "万一喷漆不合格怎么办"), or what to do once a
# step is done ("等喷完了再说", "焊完了叫我一声"): nothing has happened yet
# (every alternative starts with a literal character, so `cue` can skip other positions fast)
_CONDITION = cue(r"如果|要是|万一|假如|假设|假使|若是|倘若|一旦|(?<=[完好成格了到])的话|(?:告诉|叫|通知|喊|跟)我|说一声"
                   # …or what it depends on ("看装配情况", "看喷涂进度再定", "看情况吧"): nothing is said of it
                   r"|(?<![帮去来再要你我查看])看(?![看下一])[^,，。;；?？\s]{0,6}?(?:的)?(?:情况|进度|而定|再定)(?!\s*(?:[?？吗呢]|怎么样|如何|咋样))")
_DONE_BEFORE_TELL = cue(r"[了完好]\s*(?:记得|麻烦|就|请)?\s*$")


def conditional(clause: str) -> bool:
    """A hypothetical, or what to do once a step is done ("焊完了叫我一声", "等喷完了再说")."""
    if "等" in clause and _WAIT_THEN.match(clause):   # (the common case first: no 等, no wait)
        return True
    for found in _CONDITION.finditer(clause):
        word = found.group()
        if not (word.endswith("我") or word == "说一声") or _DONE_BEFORE_TELL.search(clause, 0, found.start()):
            return True
    return False


_WAIT_THEN = cue(r"\s*等[^,，;；。]{1,15}?(?:了|完|好)\s*(?:再|才|以后|之后)")
# …a clause that names a past matter as its topic ("上次124返工那个事") or states a standing rule
# ("以后焊完先自检", "下次喷漆前先打磨"): it brings no news of the order
_NOT_A_REPORT = cue(
    r"(?:上次|上回|那次|之前|前阵子)[^,，;；。]{0,12}(?:那个事|那件事|那事|的事)"
    r"|(?:以后|今后|下次|下回)(?!\s*[再才]?(?:发|出|交|到))"
)
_RULE_LEAD = cue(r"(?:^|[说讲,，;；\s])\s*$")


# …a request to someone ("PMC今天排一下", "请QC准备一下", "仓库安排一下"): the delimitative V一下 at the
# clause's end asks for work to be done; it reports none (a clause that also reports a completion or a
# share, "焊完了质检看一下", keeps its report)
_REQUEST = cue(r"(?<![了过])[\u4e00-\u9fffA-Za-z]\s*一下\s*(?:吧|啊|哈|呀|哦|嘛)?\s*[!！~。.]*\s*$")


def a_request(clause: str) -> bool:
    """The clause asks someone to do something rather than reporting it done or under way."""
    # ("一下" in every request: the search's first character is any, so the cheap test goes first)
    return "一下" in clause and _REQUEST.search(clause) is not None and not DONE.search(clause) and not PERCENT.search(clause)
