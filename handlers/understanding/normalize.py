"""Text clean-up before parsing: traditional to simplified, NFKC, @-mentions, bullets, line splitting.

Traditional characters (訂單, 組裝, 發貨, 週) go through OpenCC's `t2s` table first, so every rule
below sees one script; the original text is kept by the caller for the record.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from .patterns import cue

MAX_MESSAGE_CHARS = 2000

_MENTION = cue(r"(?:^|(?<=\s))@[^\s@]{1,30}(?:\s+|$)")
_DASHES = cue(r"(?<=[A-Za-z0-9])[\u2010-\u2015\u2212\uFE63](?=[A-Za-z0-9])")
_BULLET = cue(
    r"^\s*(?:[-*•·●○◆◇■□▪▶►➤>→☆★\u2705\u2713\u2714\u2611\u221a]+\s*"
    r"|\d{1,2}[.、)）](?!\d)\s*"
    # numbering written against an order number: "1.2609-31 …", "2、2311 …" (no decimal looks like it)
    r"|\d{1,2}(?:\.(?=\d{4}-\d)|、(?=\d{3}))"
    r"|[(（]\d{1,2}[)）]\s*"
    r"|[①-⑳❶-❿]\s*)+"
)
# emoji and pictographs carry no meaning for the parser; they become spaces
_SYMBOLS = cue("[\U0001F000-\U0001FAFF\u2600-\u2704\u2706-\u2712\u2715-\u27BF\u2B00-\u2BFF\uFE0F\u200B-\u200D]")
# a tick after a milestone means done ("焊接✅"); at the start of a line it is only a bullet
_TICK = cue("[\u2705\u2713\u2714\u2611\u221a]")   # ✅ ✓ ✔ ☑ √
# the OK hand beside a report marks it done ("👌 KF-0923 入库"); alone or after 收到 it stays a nod
_OK_HAND = cue("\U0001F44C")
# the bot's own status marks read back ("总装🔄"): under way
_SPINNER = cue("[\U0001F504\U0001F501]")
# every character _DASHES, _SPINNER or _SYMBOLS can start with (a superset)
_DASH_OR_SYMBOL = re.compile("[\u2010-\u2015\u2212\uFE63\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200B-\u200D]")
# circled numbers enumerate items inline ("①123 焊接完成 ②124 喷漆完成"); NFKC would make them digits
_CIRCLED = cue("[\u2460-\u2473\u2776-\u277F\u2474-\u2487]")


# Cantonese function words to their Mandarin equivalents, after OpenCC, so one set of rules reads
# both (冇料 = 没有料, 仲未到 = 还未到, 装咗 = 装了, 搞唔掂 = 搞不定). Content words stay as written.
_CANTONESE = {
    "冇": "没有", "唔": "不", "仲": "还", "咗": "了", "嘅": "的", "喺": "在", "啲": "些", "睇": "看",
    "乜嘢": "什么", "边度": "哪里", "听日": "明天", "琴日": "昨天", "寻日": "昨天", "后日": "后天",
    "搞掂": "搞定", "得闲": "有空", "而家": "现在", "依家": "现在",
}
_CANTONESE_RE = cue("|".join(sorted(map(re.escape, _CANTONESE), key=len, reverse=True)))
# Cantonese aspect and phrasing that need context (class: Cantonese): 喷紧 (progressive 紧 after a verb
# = 在喷; not 赶紧/加紧/紧急), 好晒喇 / 齐晒 (晒 "all" after a result = 完了), 执返 (redo = 返工), 落料 (= 下料),
# 迟两日 (= 晚两日; not 推迟), 得点 (= 得怎么样), 冇过 (= 没过)
# (each after the characters one of which it needs: most messages have none and skip the pattern)
_CANTONESE_CONTEXT = (
    ("紧", cue(r"([喷焊装落做搞整切开检领发出入执])紧"), r"在\1"),
    ("晒", cue(r"(?<=[好齐完])晒[喇啦了]?"), "了"),
    ("晒", cue(r"(?<=[做搞整弄装焊喷发出切检领排入])晒[喇啦了]?"), "完了"),
    ("执", cue(r"执返|执番"), "返工"),
    ("落", cue(r"落(?=\s*(?:了|不到|不了)?\s*料)"), "下"),
    ("迟", cue(r"(?<![推延])迟(?=\s*了?\s*[一二两三四五六七八九十几半\d])"), "晚"),
    ("点", cue(r"得点(?:呀|啊|样)?"), "得怎么样"),
    ("过", cue(r"没有过(?![程去来])"), "没过"),
    # Cantonese 边 before a measure word is "which" (边张单 = 哪张单, 边啲 = 哪些, 到边步 = 到哪步); not a side
    # (那边, 这边, 旁边, 一边)
    ("边", cue(r"(?<![那这旁两一左右里外东南西北上下前后身手半无周海岸路河江])边(?=[个张些步间位单件款批样])"), "哪"),
    # Sichuan 莫得 (= 没有): "料莫得到", "莫得问题"
    ("莫", cue(r"莫得"), "没有"),
    ("喇嘞咯喽", cue(r"(?<=[\u4e00-\u9fff])[喇嘞咯喽](?=\s|$|[,，。!！])"), "了"),
    # Northern day words: 昨儿(个) = 昨天, 今儿 = 今天, 明儿个 = 明天
    ("儿", cue(r"(?<=[昨今明前])儿个?"), "天"),
)
_CANTONESE_CONTEXT_CHARS = re.compile("[" + "".join(needs for needs, _, _ in _CANTONESE_CONTEXT) + "]")

# Self-corrections of dictated numbers (class: self-correction): "124 不对是125", "百分之六十 不对百分之六十五",
# "八十 不对九十台", "一千五 不对 一千二百五十台". The number said first and the correction words go;
# the number said last stands. Only a number corrected by a number: "尺寸不对" is a quality cue.
_CN_DIGITS = "零〇一二两三四五六七八九十百千万"
# the correction words: 不对, 不是, 哦不, 说错了; 写错了 / 打错了 / 记错了 only before 是 ("哦写错了 是三百八十台"),
# since "打错了" is also a defect ("123 打错了 20个孔要补")
CORRECTION_WORDS = r"(?:哦?(?:不对|不是|说错了|错了)|哦不|哦?[写打搞记]错了(?=\s*[,，]?\s*(?:应该)?是))"
# a change verb said again with the corrected number ("加80台 哦不对 是加60台"): the first goes too
_CHANGE_VERBS = "改成|改为|改到|调到|调成|加到|减到|再加|再减|加|减"
_SELF_CORRECTION = cue(
    rf"(?<![0-9A-Za-z{_CN_DIGITS}])(?P<verb>{_CHANGE_VERBS})?(?:百分之)?(?:[A-Za-z]{{0,4}}-?\d[\d\-]*|[{_CN_DIGITS}]+)\s*[%台件个套]?\s*[,，]?\s*"
    rf"{CORRECTION_WORDS}\s*[,，]?\s*(?:应该是|是)?\s*(?=(?P<verb2>{_CHANGE_VERBS})?(?:百分之)?[0-9{_CN_DIGITS}])"
)
# a number said again after a hesitation ("数量改成 十六 呃 十八套", "加 30 嗯 40台"): the number said last stands
_RESTATED_NUMBER = cue(
    rf"(?<![0-9A-Za-z{_CN_DIGITS}])(?:\d+|[{_CN_DIGITS}]+)\s*[,，]?\s*(?:呃+|额+|嗯+)\s*[,，]?\s*(?=[0-9{_CN_DIGITS}])")
# a corrected day of a date ("12月8号，打错了，是18号", "12月8号 不对 12月18号"): the month said
# first stays unless the correction says its own
_DATE_CORRECTION = cue(
    rf"(?<![0-9])(?P<month>\d{{1,2}}月)?\d{{1,2}}[号日]\s*[,，]?\s*{CORRECTION_WORDS}\s*[,，]?\s*(?:应该是|是)?\s*"
    rf"(?=(?P<month2>\d{{1,2}}月)?\d{{1,2}}[号日])"
)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    """One converter per process (OpenCC's dictionaries ship inside the wheel: no network)."""
    return opencc.OpenCC("t2s")


def _corrected(match: re.Match[str]) -> str:
    """What stays of a self-correction: nothing, or the first number's verb or 百分之 when the
    correction does not say them again."""
    text, verb = match.string, match.group("verb") or ""
    said = match.group()[len(verb):]
    kept = "" if match.group("verb2") else verb
    return kept + ("百分之" if said.startswith("百分之") and not text.startswith("百分之", match.end()) else "")


# the order corrected after the report ("250 焊接完成 不对是251", "630 入库了吗 不对 问的是631"): the line
# is about the order said last, when both have one shape (a number corrected by a number goes above)
_ORDER_CORRECTION = cue(
    rf"^(?P<first>[A-Za-z]{{0,4}}-?\d{{3,}}(?:-\d+)*)(?P<body>[^\n]*?)\s*[,，]?\s*{CORRECTION_WORDS}\s*[,，]?\s*"
    r"(?:应该是|是|问的是|说的是)?\s*(?P<second>[A-Za-z]{0,4}-?\d{3,}(?:-\d+)*)\s*$",
    re.MULTILINE,
)


# the order corrected before the report ("说错了，不是B2610-02是B2610-03减50台", "不是0312，是0313焊完了"):
# the wrong order and the correction words go when both orders have one shape
_ORDER_CORRECTED_FIRST = cue(
    r"(?:不是|不对)\s*(?P<first>[A-Za-z]{0,4}-?\d{3,}(?:-\d+)*)\s*[,，]?\s*(?:而)?是\s*"
    r"(?=(?P<second>[A-Za-z]{0,4}-?\d{3,}(?:-\d+)*)(?![\d.]))"
)


def _order_corrected_first(match: re.Match[str]) -> str:
    first, second = match.group("first"), match.group("second")
    same = len(first) == len(second) and re.sub(r"\d", "0", first) == re.sub(r"\d", "0", second)
    return "" if same else match.group()


def _order_corrected(match: re.Match[str]) -> str:
    first, second = match.group("first"), match.group("second")
    if len(first) != len(second) or re.sub(r"\d", "0", first) != re.sub(r"\d", "0", second):
        return match.group()
    return second + match.group("body")


def _date_corrected(match: re.Match[str]) -> str:
    return "" if match.group("month2") else (match.group("month") or "")



def to_simplified(text: str) -> str:
    """Traditional Chinese to simplified; simplified text and ASCII pass through unchanged."""
    return _converter().convert(text) if text and not text.isascii() else text


# a count written with thousands separators before its unit ("1,000 pcs", "2,500套"); order numbers
# listed with commas ("123,456 都焊完了") carry no unit and are left alone
_GROUPED_COUNT = re.compile(
    r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])(?=\s*(?:pcs|pc|sets?|units?|套|台|件|个|只|张|把|箱|米))", re.IGNORECASE)


def normalize(text: str) -> str:
    """Simplified script, NFKC (full-width to half-width), unify dashes, drop @-mentions and emoji."""
    text = _CIRCLED.sub("\n", to_simplified(text[:MAX_MESSAGE_CHARS]))
    text = _CANTONESE_RE.sub(lambda match: _CANTONESE[match.group()], text)
    if _CANTONESE_CONTEXT_CHARS.search(text):
        for needs, pattern, replacement in _CANTONESE_CONTEXT:
            if any(char in text for char in needs):
                text = pattern.sub(replacement, text)
    text = unicodedata.normalize("NFKC", text)
    # (dashes, emoji and marks are rare: one search tells whether the three passes over them can change
    # anything; the later steps only remove text or insert ASCII and Chinese, so it stays true)
    marks = _DASH_OR_SYMBOL.search(text) is not None
    if marks:
        text = _DASHES.sub("-", text)
    if "," in text:
        text = _GROUPED_COUNT.sub(lambda match: match.group().replace(",", ""), text)
    if "错" in text or "不" in text:   # every correction word has one of them
        text = _SELF_CORRECTION.sub(_corrected, _DATE_CORRECTION.sub(_date_corrected, text))
        text = _ORDER_CORRECTION.sub(_order_corrected, text)
        text = _ORDER_CORRECTED_FIRST.sub(_order_corrected_first, text)
    if "\U0001F44C" in text:
        text = _OK_HAND.sub(" OK ", text)
    if "呃" in text or "额" in text or "嗯" in text:
        text = _RESTATED_NUMBER.sub("", text)
    if marks:
        text = _SYMBOLS.sub(" ", _SPINNER.sub("进行中", text))
    return _MENTION.sub("", text) if "@" in text else text


def lines(text: str) -> list[str]:
    """The message's non-empty lines with list bullets and numbering removed."""
    result = []
    for raw in text.splitlines():
        bullet = _BULLET.match(raw)   # (anchored at the start: one match at most)
        line = _TICK.sub("完成", raw[bullet.end():] if bullet else raw).strip()
        if line:
            result.append(line)
    return result
