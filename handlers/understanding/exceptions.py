"""Exception analysis: is a window of text a problem report, of which category, and how sure.

A window (the text one milestone mention governs, or a whole scope) is read for cue families: quality
(defect, mismatch, rejection, rework, complaint), material (shortage, absence, waiting for a supplier,
used up), equipment (breakdown, stoppage, repair of a machine, tool or line), delay (lateness with no
request behind it) and other. Where cues of several families meet, cause outranks effect (a line
stopped for lack of parts is material); a category that rests on a weak or contested cue, or a problem
resolved in the same breath, is marked unconfident so the bot asks before recording.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import handlers.understanding.lexicon as lx
from storage.models import ExceptionCategory

from .dates import find_dates
from .items import ParsedItem
from .numerals import NUMBER_PATTERN, parse_number

_NUM = NUMBER_PATTERN
_NEGATED = re.compile(r"(?:没|未|不|无|还没有?|没有|尚未)$")
_DONE = lx.scan(lx.alternation(lx.DONE_WORDS) + "|" + lx.ENGLISH_DONE)
_FORECAST_STRONG = lx.scan(lx.alternation(lx.FORECAST_STRONG) + "|" + lx.ENGLISH_FORECAST)
_DAY_COUNT = re.compile(lx.DAY_COUNT)
_scan = lx.scan

_QUALITY = _scan(
    lx.alternation(lx.QUALITY_WORDS) + "|" + lx.ENGLISH_QUALITY
    # something done wrong ("规格错了"), but not a sender correcting himself ("刚才说错了")
    + r"|(?<![说讲听看记])错了"
)
_EQUIPMENT = _scan(lx.alternation(lx.EQUIPMENT_WORDS) + "|" + lx.ENGLISH_EQUIPMENT)
_MATERIAL = _scan(
    lx.alternation(w for w in lx.MATERIAL_WORDS if w != "缺") + r"|缺(?![陷勤席点口])|(?<![推延])迟到"
    # short of a count or a kind ("还差20个", "还差两种"), not "还差一点" (nearly done)
    + r"|还差(?!一点|一些|点|些|多少|\s*$)|" + lx.ENGLISH_MATERIAL
)
_MATERIAL_STRONG = re.compile(r"缺料|缺货|欠料|待料|等料|没货|断货|料不齐|到货延迟|延迟到货")
_DELAY = _scan(
    lx.ENGLISH_DELAY + "|" + lx.alternation(lx.DELAY_WORDS)
    + rf"|晚\s*(?:{_NUM})\s*个?(?:天|日|周)|晚(?![上班饭点餐会])|拖\s*(?:{_NUM})\s*个?(?:天|日|周)"
)
_OTHER = _scan(lx.alternation(lx.OTHER_WORDS))
# "没问题", "无异常": a negated problem word reports that all is well
_NO_PROBLEM = re.compile(r"(?:没|没有|无|不是|没啥|没什么)\s*(?:大)?(?:问题|异常)")
# a machine with a leak or noise is an equipment failure, not a product defect ("空压机漏气")
_MACHINE_FAULT = re.compile(
    r"(?:机|泵|设备|炉|行车|叉车|生产线|流水线)\s*(?:又|也|有点|一直)?\s*(?:漏气|漏水|漏油|异响|冒烟|不转|不动|卡死|卡住)"
    # a process setting the machine cannot hold ("温度不够", "气压上不去") is equipment, not material
    r"|(?:温度|压力|气压|电压|功率|转速|水压)\s*(?:不够|不足|上不去|太低|太高|不稳)"
)
# a truck, driver or courier that has not come delays a shipment; it is not missing material
_NOT_MATERIAL_SUBJECT = re.compile(r"(?:车|司机|物流|快递|货代|师傅|人)\s*(?:还|都|也)?\s*$")

_STAFF = _scan(lx.alternation(lx.STAFF_WORDS))

# today as the day an exception resolves: an arrival or a repair said of today ("今天下午到", "今天停线维修")
_TODAY_RESOLVES = re.compile(r"(?:今天|今日)\s*(?:上午|下午|晚上|中午)?\s*(?:能|会|可以|就|才)?\s*(?:修|到|回|送|停线?维修|停线?检修)")
# an arrival said of a day: "下周二到", "明天才送", "周日到齐" (material expected)
_ARRIVAL_AFTER_DATE = re.compile(r"\s*(?:上午|下午|晚上|中午|左右|前)?\s*(?:才能|才|能|会|可以|就)?\s*(?:到|送|回来|补)")


_IMPLIED_MILESTONE = (
    ("涂装", re.compile(r"重喷|补喷|重新喷|喷的漆|漆面|流挂|橘皮|掉漆|脱漆|漏喷|露底|喷得")),
    ("焊接", re.compile(r"补焊|重焊|重新焊|焊缝|焊点|漏焊|虚焊|焊穿|咬边|焊偏|夹渣")),
    ("总装", re.compile(r"装反|装错|漏装|少装|重装|重新装|装漏")),
    ("下料", re.compile(r"落不[到了]料|下不[到了]料|开不了料")),
)
# a pass after a quality cue, a finished rework, a repaired machine: the news may be that the problem
# is solved ("返工完了 重新检验通过", "返修完成", "机器修好了，继续焊接"), not a new exception
_RESOLVED = re.compile(r"(?:通过|合格|过了|搞定|没问题|OK|ok)[^,，;；。]*$")
_REWORK_DONE = re.compile(r"(?:返工|返修|重做|补焊|补喷|重喷|整改)[^,，;；。]{0,4}?(?:已经?|都)?\s*(?:完成|完了|好了|结束|搞定)")
_REPAIRED = re.compile(r"修好了|已经?修好|恢复了|恢复生产|继续")


def _resolved_after(text: str) -> bool:
    """An exception cue resolved in the same window: the bot asks rather than records."""
    if _REWORK_DONE.search(text) or _REPAIRED.search(text):
        return True
    found = _RESOLVED.search(text)
    return (found is not None and _QUALITY.search(text, 0, found.start()) is not None
            and not _NEGATED.search(text[max(0, found.start() - 3) : found.start()]))



_WEAK_MATERIAL = frozenset(("没到", "未到", "还没来", "没来", "晚到", "到不了", "才能到", "没有到", "没有来"))


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _material(text: str) -> bool:
    for match in _MATERIAL.finditer(text):
        if re.match(r"没到(?:账|哪|位|我们|你们|这|那)|缺少?(?:图纸|资料|文件|信息)", text[match.start():]):
            continue   # (缺图纸: a missing document is "other", not material)
        if match.group() in _WEAK_MATERIAL and _NOT_MATERIAL_SUBJECT.search(text[: match.start()]):
            continue
        return True
    return False


_LINE_STOP = re.compile(r"停线|停机|线停了|机停了|停线了|停了|停下")
_WEAK_OTHER = re.compile(lx.alternation(lx.WEAK_OTHER_WORDS))


def _weak_other(text: str) -> bool:
    """Only context words of the "other" class, beside a finished milestone."""
    rest = _WEAK_OTHER.sub("", _NO_PROBLEM.sub("", text))
    return not _OTHER.search(rest) and bool(_DONE.search(rest)) and not _NEGATED.search(rest[: _DONE.search(rest).start()][-3:])


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def category_of(text: str, milestone: str | None) -> ExceptionCategory | None:
    if _MACHINE_FAULT.search(text):
        return ExceptionCategory.EQUIPMENT
    if _QUALITY.search(text):
        return ExceptionCategory.QUALITY
    equipment = _EQUIPMENT.search(text)
    if equipment and not (_LINE_STOP.fullmatch(equipment.group()) and _material(text)):
        # a line stopped for lack of parts is a material exception, a broken machine is equipment
        return ExceptionCategory.EQUIPMENT
    if _STAFF.search(text) and not _DELAY.search(_STAFF.sub("", text)):
        return ExceptionCategory.OTHER   # short of staff; with a stated slip ("要晚两天") it is a delay
    if _material(_STAFF.sub("", text)):
        return ExceptionCategory.MATERIAL
    if _DELAY.search(_STAFF.sub("", text)):
        return ExceptionCategory.DELAY
    if _STAFF.search(text):
        return ExceptionCategory.OTHER
    other = _OTHER.search(_NO_PROBLEM.sub("", text))
    if other:
        return ExceptionCategory.QUALITY if other.group() == "问题" and milestone is not None else ExceptionCategory.OTHER
    return None


# a delay cue often states the consequence of another exception, so it does not conflict
_FAMILIES = ((ExceptionCategory.QUALITY, _QUALITY), (ExceptionCategory.EQUIPMENT, _EQUIPMENT))
# cues that usually mean something else: "不行"/"不对" (not only of quality), "问题", "少了"/"还差"
# (a count), "供应商" (a name), "等到" (a plan), a bare "坏"
_WEAK_CUES = re.compile(r"^(?:不行|不对|问题|等到|坏|停了|晚|没签)$")
# "喷涂这边还差20台": what is still to do on the milestone itself, not parts missing (a guess: ask)
_REMAINING_WORK = re.compile(rf"\x01\s*(?:这边|那边|的话|呢|还)*\s*还?差\s*(?:{_NUM})")


# the words that name a category outright; a category read only from a looser cue (错了, 偏黄, 才到,
# 在外厂, 断了, 推到…) is a guess the bot asks about
_STRONG_CUES = {
    ExceptionCategory.QUALITY: re.compile(
        r"不合格|返工|返修|不良|质量|划伤|划痕|气孔|裂|变形|色差|漏焊|虚焊|毛刺|超差|报废|客诉|投诉|退货|NG|不通过|没通过|没过|重做|重喷|"
        r"重新|补焊|补喷|尺寸|缺陷|错|不对|不符|异响|脱落|掉漆|生锈|起泡|破损|磕碰|漏|砂眼|缩孔|夹杂|坏|破|开机|不工作|偏|歪|锈|不一样"),
    ExceptionCategory.MATERIAL: re.compile(
        r"缺|欠料|待料|等料|没货|断货|料不齐|没齐|不齐|不够|不足|少了|还差|差|没到|未到|没来|还没来|到货|来料|供应商|外协|外厂|采购|"
        r"用完|才到|才能到|才送|没送|还在路上|没回来|shortage|short|missing"),
    ExceptionCategory.EQUIPMENT: re.compile(r"温度|压力|气压|罢工|坏|故障|停机|停线|维修|修|宕机|死机|跳闸|停电|报警|卡死|漏油|烧|断了|趴窝|出毛病|down|broken"),
    ExceptionCategory.DELAY: re.compile(r"延期|推迟|延误|延迟|延后|拖|落后|滞后|赶不上|赶不及|来不及|晚|慢|耽误|顺延|超期|逾期|推到|完不成|完不了|做不完|delay|late"),
    ExceptionCategory.OTHER: re.compile(r"."),
}


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _categories(text: str) -> frozenset[ExceptionCategory]:
    """Every exception family whose cue occurs: more than one is a conflict the parser guessed through."""
    found = {name for name, pattern in _FAMILIES if pattern.search(text)}
    if _material(_STAFF.sub("", text)):   # 人手不够 is short of staff, not of material
        found.add(ExceptionCategory.MATERIAL)
    return frozenset(found)


def _weak_cue(text: str, category: ExceptionCategory) -> bool:
    pattern = {ExceptionCategory.QUALITY: _QUALITY, ExceptionCategory.EQUIPMENT: _EQUIPMENT,
               ExceptionCategory.DELAY: _DELAY, ExceptionCategory.MATERIAL: _MATERIAL,
               ExceptionCategory.OTHER: _OTHER}.get(category)
    if pattern is None:
        return False
    cues = [m.group() for m in pattern.finditer(text)]
    return bool(cues) and all(_WEAK_CUES.match(cue) for cue in cues)


def conflicting(text: str) -> bool:
    """A progress reading beside an exception cue it overrode (a finished milestone with "问题" aside)."""
    return bool(_categories(_NO_PROBLEM.sub("", text)))


def _delay_days(text: str) -> int | None:
    for match in _DAY_COUNT.finditer(text):
        count = 0.5 if match.group("days") == "半" else parse_number(match.group("days"))
        if count is not None:
            return int(count * (1 if match.group("unit") in ("天", "日") else 7))
    return None


def strong_material(text: str) -> bool:
    """A material word that needs no order or milestone to stand ("缺料", "等料"): with none named,
    only these make an exception of a line."""
    return _MATERIAL_STRONG.search(text) is not None


def implied_milestone(text: str, names: frozenset[str]) -> str | None:
    """The step a defect or rework word names (class: exception without a milestone word):
    流挂/重喷 are paint work, 补焊/焊缝 welding, 装反/漏装 assembly, 落不到料 cutting."""
    for name, pattern in _IMPLIED_MILESTONE:
        if name in names and pattern.search(text):
            return name
    return None


def exception_item(text: str, milestone: str | None, when: date | None, today: date,
                   names: frozenset[str]) -> ParsedItem | None:
    """The exception a window reports, or None when it reports none.

    `text` is the window with \x01 where the milestone mention stood (empty-handed: the whole scope),
    `milestone` the mention's milestone, `when` the first date the window gives, `names` the
    milestones of the configured templates."""
    joined = text.replace("\x01", "")
    category = category_of(text, milestone)
    if category is None and milestone is None and any(
            _ARRIVAL_AFTER_DATE.match(joined, found.end) for found in find_dates(joined, today) if found.value >= today):
        category = ExceptionCategory.MATERIAL   # material expected on a day, without the word 缺料
    if category == ExceptionCategory.OTHER and _weak_other(text):
        category = None   # "验收通过了 尾款可以催了": the news is the finished milestone
    if category is None:
        return None
    value = _delay_days(text) if category == ExceptionCategory.DELAY else None
    milestone = milestone or implied_milestone(joined, names)
    if milestone == "验收" and category == ExceptionCategory.EQUIPMENT:
        # a fault the customer finds at acceptance is the product's, not a machine of ours
        category = ExceptionCategory.QUALITY
    if when == today and not _FORECAST_STRONG.search(text) and not _TODAY_RESOLVES.search(joined):
        when = None   # "今天停线" says when it happened, not when it will be resolved
    confident = (len(_categories(text) | {category}) == 1 and not _weak_cue(text, category)
                 and _STRONG_CUES[category].search(text) is not None and not _resolved_after(text)
                 and not _REMAINING_WORK.search(text))
    return ParsedItem("exception", milestone=milestone, category=category, value=value, date=when,
                      confident=confident)
