"""Aspect of a progress report: done, under way (with a share), not started, or forecast for a date.

Read from the window of text around one milestone mention (cues.Window): completion and start words,
shares ("七成", "3/5", "焊了600台，总共800"), negation, forecasts ("明天应该能焊好") and what is done
versus what comes next ("品检过了，明天进仓").
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, timedelta

from .numerals import NUMBER_PATTERN, parse_number
from .patterns import cue
from .cues import BOUNDARY, DONE, FORECAST, FORECAST_STRONG, QTY_UNITS, START, Window, dates_in

_NUM = NUMBER_PATTERN

_PAST = cue(r"(?:已经?|都已|均已)\s*$")
_NEGATED = cue(r"(?:没|未|不|无|还没有?|没有|尚未)$")
PERCENT = cue(
    # a range of tenths ("七八成", "六七成") says under way without one share
    r"(?P<range>[一二两三四五六七八九]{2})成(?![品本功员型])|"
    rf"(?P<num>\d{{1,3}})\s*%|百分之(?P<cn>{_NUM})|(?P<tenth>[一二两三四五六七八九]|\d)成(?![品本功员型])(?P<twentieth>五(?![台件个套天号]))?"
    r"|(?P<den>[二两三四五六七八九十]|\d{1,2})分之(?P<numer>[一二两三四五六七八九]|\d{1,2})"
    r"|(?P<half>一半|过半|半数)"
)
# partial aspect as a ratio of quantities: "焊了600台，总共800", "装了3车，还剩1车"
_RATIO = cue(
    rf"(?P<done>{_NUM})\s*(?P<unit>{QTY_UNITS})[^,;。]{{0,2}}[,，\s]*(?:(?P<total>总共|一共|共|总数|合计)|(?P<left>还剩|剩下?|还差))"
    rf"\s*是?\s*(?P<other>{_NUM})"
)
_UNIT_AT = cue(rf"\s*(?P<unit>{QTY_UNITS})")
_LEFT_BEFORE = cue(r"(?:还差|还剩|剩下?|差)\s*$")
# partial aspect with the total said first: "八十台做了六十台", "一共是两百四十台装好了一百八十台"
_RATIO_TOTAL_FIRST = cue(
    rf"(?P<total>{_NUM})\s*(?P<unit>{QTY_UNITS})\s*[\u4e00-\u9fff\x01]{{0,3}}了\s*(?:有\s*)?(?P<done>{_NUM})\s*(?P=unit)"
)
# partial aspect with what is left said first: "还有一百台没装完，总共四百台", "还剩20件，一共120件"
_RATIO_LEFT_FIRST = cue(
    rf"(?:还有|还剩|剩下?|还差)\s*(?P<left>{_NUM})\s*(?P<unit>{QTY_UNITS})[^,;。]{{0,5}}?[,，\s]*(?:总共|一共|共|总数|合计)"
    rf"\s*(?:是|有)?\s*(?P<total>{_NUM})"
)
# a count over its total right after the milestone ("总装 45/90", "下料 120/300"): a share, where the
# pair cannot be a month and a day ("焊接 12/5" is a date)
_COUNT_OF_TOTAL = cue(r"\s*(?:做了|完成|好了|了)?\s*(?P<n>\d{1,5})\s*/\s*(?P<d>\d{1,5})(?![\d/])")
# a share corrected by the one said after it ("做到六成了，不对，七成")
_CORRECTED = cue(r"[\s,，]*(?:哦|噢|呃)?\s*(?:不是|不对|说错了|讲错了)[\s,，]*(?:应该是|是)?\s*")
# the share still to do ("还剩两成", "还差30%"): the percent done is the complement
_REMAINING = cue(r"(?:还剩|剩下?|还差|差|还有)\s*(?:大概|大约|差不多|约)?\s*$")
# part of a quantity shipped or made, the rest still to come: the milestone is under way
_PARTIAL = cue(
    rf"先(?:发|出|交|送|做)|先\x01\s*了?\s*(?:{_NUM})\s*{QTY_UNITS}|剩下|剩余|还剩|一?大半|多半|小半|(?:还有|还差|另外)\s*(?:{_NUM})\s*{QTY_UNITS}|分批|第[一二三1-3]批|一部分|大部分"
)
# a date followed by a negated verb is when something will NOT happen ("今天修不好")
NEGATED_AFTER_DATE = cue(r"\s*[\u4e00-\u9fff]?\s*(?:不|没|到不了|来不了)")
_ENGLISH_PAST = cue(r"[A-Za-z]{3,}ed$")


# a share as a bound not yet reached: "不到一半", "一成都不到", "三成还没到"
_BELOW_BEFORE = cue(r"(?:不到|没到|不足|还不到|还没到)\s*$")
_BELOW_AFTER = cue(r"\s*(?:都|也|还)?\s*(?:不到|没到|不足)")
# a share added since the last report: "又搞了两成", "今天又焊了20%", "再做了一成"
_INCREMENT_BEFORE = cue(r"(?:又|再|(?<![不差许很好])多)\s*(?:[\u4e00-\u9fff]\s*)?(?:了|出)?\s*$")


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED.search(text[max(0, start - 3) : start]))


_RANGE = -1   # _percent's answer for a range of shares: under way, no one percent


def _percent(text: str) -> int | None:
    match = PERCENT.search(text)
    if match is None:
        return _ratio(text)
    if match.group("half"):
        # "一半多一点 大概55%", "一半多了，差不多六成": the share said after 一半 is the precise one
        match = next(PERCENT.finditer(text, match.end()), match)
    while (fix := _CORRECTED.match(text, match.end() + (1 if text[match.end() : match.end() + 1] == "了" else 0))):
        # "百分之六十了哦不是百分之七十": the share said after the correction replaces it
        corrected = PERCENT.match(text, fix.end())
        if corrected is None:
            break
        match = corrected
    if _INCREMENT_BEFORE.search(text, 0, match.start()):
        # "又搞了两成 现在七成左右": what was added today; the share said after it is where it stands
        later = PERCENT.search(text, match.end())
        if later is None:
            return _RANGE
        match = later
    if match.group("range") or _BELOW_BEFORE.search(text, 0, match.start()) or _BELOW_AFTER.match(text, match.end()):
        return _RANGE   # "一成都不到", "不到一半": under way, short of a share said as a bound
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
    left_first = _RATIO_LEFT_FIRST.search(text)
    if left_first is not None:
        left, total = parse_number(left_first.group("left")), parse_number(left_first.group("total"))
        return int(100 * (total - left) // total) if left and total and left < total else None
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
    unit = _UNIT_AT.match(text, match.end())
    if unit is not None and unit.group("unit") != match.group("unit"):
        return None   # "两车 一共28.6吨": counts of two measures (loads, tonnes) make no share
    if match.group("total") and _LEFT_BEFORE.search(text, 0, match.start()):
        # the count said first is what is left ("还差20件 共100件"): done is the rest of the total
        return int(100 * (other - done) // other) if done < other else None
    total = other if match.group("total") else done + other
    if total <= done:
        return None
    return int(100 * done // total)


def _count_of_total(after: str) -> int | None:
    """"45/90" right after the milestone: the share done; None where the pair may be a date."""
    match = _COUNT_OF_TOTAL.match(after)
    if match is None:
        return None
    done, total = int(match.group("n")), int(match.group("d"))
    if total == 0 or done > total or (1 <= done <= 12 and 1 <= total <= 31):
        return None
    return 100 * done // total


# (patterns read on every progress window, compiled once)
# the place beside a step's line or area, where goods wait for it: "喷塑线边上", "装配旁边", "焊接区门口"
_BESIDE = cue(r"(?:线|区|房)?(?:边上|旁边|门口|跟前)|线边|线旁")
_CLAUSE_END = cue(r"[,，;；。]")


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _clauses(text: str) -> tuple[str, ...]:
    """`text` split at its clause ends, remembered: a window's text is split by several readings."""
    return tuple(_CLAUSE_END.split(text))

_WAITING_BEFORE = cue(r"(?:待|等待?|准备)\s*$")
_PROGRESSIVE_BEFORE = cue(r"(?:正|还|都|也|已经)?在\s*$")
_KAI_BEFORE = cue(r"开\s*$")
_HANDED_BEFORE = cue(r"(?:交给|移交|转给|送去|送到)\s*$")
_ALL_BEFORE = cue(r"(?:全部|全都|都已经|都)\s*$")

def progress_status(window: Window, text: str, when: date | None, today: date) -> tuple[str | None, int | None]:
    if _BESIDE.match(window.after):
        return None, None   # "料拉到喷塑线边上了", "放在装配旁边": goods beside the step wait for it, no progress
    if _WAITING_BEFORE.search(window.before):
        return None, None   # pending aspect: "待发货", "等质检", "准备入库" name the next step, not progress
    if _NOT_YET.match(window.after):
        return None, None   # "焊接早着呢", "喷漆还早": far from started, no progress
    if _PART_PENDING.search(text):
        return "in_progress", None   # "底漆喷完了，面漆还没上": one coat or pass done, another still to do
    # (the mention's own clause: the text before it back to a clause end, and after it up to one)
    before_clause, after_clause = _clauses(window.before)[-1], _clauses(window.after)[0]
    own = before_clause + "\x01" + after_clause
    if _NEARLY_DONE.search(own):
        return "in_progress", None   # "快喷完了", "马上就装好了": nearly finished, still under way
    share = _count_of_total(window.after)
    if share is not None:
        return ("done", None) if share >= 100 else ("in_progress", share)
    if window.after.lstrip().startswith("了") and _MAY_START.search(window.before):
        if future_date(before_clause, today) is not None:
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
    if _RESTARTED.match(window.after):
        return "in_progress", None   # "下料重新开起来了", "焊接又开工了": the step runs again, under way
    if _TIME_SPENT.match(window.after) and not DONE.search(window.after):
        return "in_progress?", None   # "焊了一天": the time spent on it, not its end (with no order: talk)
    if _PARTIAL.search(text):
        return ("in_progress", None) if when is not None and when >= today else ("in_progress_undated", None)
    if _PROGRESSIVE_BEFORE.search(window.before) and not _NEGATED.search(window.before[:-1]):
        return "in_progress", None   # progressive aspect: 在 + milestone ("已经在切割了", "还在装车")
    if _KAI_BEFORE.search(window.before) and len(window.word) == 1:
        # 开 + a one-character milestone verb starts it: "开焊了", "开喷"; "明天开焊" is a start to come
        future = future_date(before_clause + "\x01" + window.after, today)
        return ("planned" if future is not None else "in_progress"), None
    if _TIME_SPENT_AFTER.match(window.after):
        return "in_progress", None   # "焊了一天", "喷了一上午": time spent on it, not its end
    if _HANDED_BEFORE.search(window.before) and future_date(window.before + window.after, today) is not None:
        return "planned", None   # "明早交给质检": handed to the step on a coming day, not yet under way
    resumed = _RESUMED.search(own)
    if resumed and not _FINISHED_AFTER.search(own, resumed.end()) and future_date(own, today) is not None:
        return "planned", None   # "明天继续", "明天：接着割": work resumes on a coming day, no news of its own
    if _MOVED_IN.search(window.before):
        if _MAY_START.search(_MOVED_IN.sub("", window.before)):
            return None, None   # "可以转总装": it may move on, it has not yet (modality)
        return "in_progress", None   # moved on to this step or resumed it: "已转涂装", "入总装了", "继续喷"
    if when is None or when <= today:
        handled = _HANDLED_COUNT.match(window.after)
        if (handled and (when is not None or _PART_OF_DAY.search(window.before))
                and not FORECAST.search(own) and not _NEGATED.search(window.before)):
            # "今天上午入库 三百二十台", "今早装车，两个小柜": a count handled on a day now reached is done
            # (said of a part of the day still to come, "下午入库300台", it may be a plan: ask)
            return ("done?" if _LATER_PART.search(window.before) else "done"), None
    if when is not None and when <= today and _PAST_FOCUS.match(window.after) and not _NEGATED.search(window.before):
        return "done", None   # 是…的 of a day reached: "今天上午喷完的", "今天下的计划", "今天入的库"
    if (when is None or when == today) and later_today(window) and not _PAST.search(window.before):
        # "上午进仓", "下午能排好", "下班前装车": a forecast for later today; a completion said bare
        # ("今天下午排完") may also report this afternoon's finish, said at its end: ask
        return ("in_progress?" if DONE.search(own) and not FORECAST.search(own) else "in_progress"), None
    # only a date in the mention's own clause forecasts it ("交期12.10，焊接完成" does not)
    clause = before_clause + "\x01" + window.after
    future = future_date(clause, today)
    if (future is not None and past_weekday(clause, today) is not None and not START.search(clause)
            and _COMPLETED.search(after_clause) and not _BARE_FINISH.search(clause, future)
            and not _NEGATED.search(window.before)):
        return "done", None   # "客户周六签收了" said on a Monday: last Saturday's, reported done
    # (the start word after the date: "还没开始装，计划下周一上线" plans the start it says has not come)
    start = START.search(clause, future) if future is not None else None
    if (future is not None and start is not None and start.start() > future and _PLANNED_START.fullmatch(start.group()) and not DONE.search(clause, start.end())
            and not _PAST.search(window.before) and not _done_before(clause, future)
            and not _NEAR_DONE.match(start.group())):
        return "planned", None   # "喷涂明天开始": a planned start, not yet under way: asked, undated
    if future is not None and not _done_before(clause, future) and not _PAST.search(window.before):
        # aspect: a completion said of a coming day is a forecast ("下周二装完", "大概后天喷完"); with no
        # completion, start or forecast word at all, the date may be something else's (an arrival): ask
        return "in_progress", None
    if DAYS_TO_FINISH.search(clause) and not _negated(clause, DAYS_TO_FINISH.search(clause).start()):
        return "in_progress", None   # "两天内就能做好": a completion some days ahead is a forecast
    if (future is not None and _PAST.search(window.before) and re.search(r"完|好", clause[future:])
            and _CAN.search(clause, future)):
        return "in_progress", None   # "已经开料，明天能切完": started, and its completion forecast for a day
    if _PAST.search(window.before) or "已" in window.word or (_ALL_BEFORE.search(window.before)
                                       and re.match(r"\s*(?:[,，;；。]|$)", window.after)):
        return "done", None   # "已排单", "全部入库，…": completive before the milestone
    start = START.search(text)
    if start and _MAY_START.search(text, 0, start.start()):
        start = None   # "物料齐套 可以开干了": the next work may start; it says nothing of this step's start
    period = _COMING_PERIOD.search(text, 0, start.start()) if start else None
    if (period and not BOUNDARY.search(text, period.end(), start.start()) and not _NEAR_DONE.match(start.group())
            and not _done_then_next(text, start.start()) and not DONE.search(text, start.end())):
        return "planned", None   # "下个礼拜开始下料": a start in a coming week is planned, not under way
    if start and not _negated(text, start.start()) and not _done_then_next(text, start.start()):
        # ("排产已完成，下周开工": a start after the milestone finished is the next step's)
        # "今天开始总装" starts a milestone; only a forecast of its end carries a date
        forecast = FORECAST_STRONG.search(text) or DONE.search(text, start.end())
        return ("in_progress", None) if forecast else ("in_progress_undated", None)
    if window.after.startswith("中") or window.after.startswith("进行"):
        return "in_progress", None
    upcoming = when is None or when >= today
    if _done_in_own_clause(window, today):
        return "done", None   # "排产已完成，计划20号开始生产", "焊接完成，比预计的早": the forecast is another's
    if FORECAST_STRONG.search(text) and upcoming:
        return "in_progress", None
    if _PAST.search(window.before) or window.after.lstrip().startswith("已"):
        return "done", None
    if when is not None and when >= today and FORECAST.search(text):
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
    done = DONE.search(text)
    if _ENGLISH_PAST.search(window.word) and not FORECAST_STRONG.search(text) and (when is None or when <= today):
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


# one part of a step done, another still to do: coats of paint, passes of a weld, sides of the work
# ("底漆喷完了，面漆还没上", "面漆待喷", "满焊还没焊")
_PART_PENDING = cue(
    r"(?:面漆|底漆|中涂|清漆|底粉|面粉|满焊|补焊|第二遍|二遍|最后一遍|另一面|反面|背面|剩下的?)\s*"
    r"(?:都|也)?\s*(?:还没有?|没有?|未|待|还要|还得)")
# the focus construction 是…的 right after the step ("今天上午喷完的", "今天下的计划", "今天入的库"): it reports
# what happened on a day already reached (modal verbs aside: "今天要做的" is still to do)
_PAST_FOCUS = cue(
    r"\s*(?:(?:今天|今早|今日|一早|上午|中午|下午|早上|昨天|刚刚?)\s*){0,2}(?:[\u4e00-\u9fff](?<![要会能该将再可]))?\s*[完好]?的(?![话])")
# far from started: "焊接早着呢", "喷漆还早", "总装早得很"
_NOT_YET = cue(r"\s*(?:都|也)?\s*还?\s*早(?:着呢|着|得很|呢|哩)?\s*(?:[,，;；。!！~]|$)")
# nearly finished, said with the result verb ("快喷完了", "就快装好了", "马上就焊完"): under way
_NEARLY_DONE = cue(r"(?<![很挺太赶加尽])(?:快要?(?![点些])|就快|马上就?要?|眼看就?要?)\s*\x01?\s*[\u4e00-\u9fff]?\s*\x01?\s*[完好](?![成整善])")
# the step running (again) right after its name: "重新开起来了", "又开工了", "已经恢复了", "重新干上了"
_RESTARTED = cue(r"\s*(?:也|都|已经?|又)?\s*(?:重新|再次|又)?\s*(?:(?:开|干|做|搞|弄)(?:起来|上)|开工|开始|启动|开动"
                 r"|恢复|复工)了")
# moved on to this step ("已转涂装", "下料完成转焊接", "入总装了") or resumed it ("继续喷", "接着焊")
_MOVED_IN = cue(r"(?:转到?|转入|进入|进到|(?<![录输收加投列导进转])入|继续|接着)\s*$")
# work resumed ("明天继续", "接着焊"); a result after it is a finish said of the day ("明天接着焊完")
_RESUMED = cue(r"继续|接着")
_FINISHED_AFTER = cue(r"[完好]")
# the words that begin a step; 收尾 / 快完 on a coming day forecast its end instead ("明天收尾")
_PLANNED_START = cue(r"开始|开工|动工|启动|着手|开干|上线|start(?:ed|ing)?", re.IGNORECASE)
# a verb with 了 and a stretch of time: "焊了一天", "装了一上午", "喷了三个小时"
_TIME_SPENT = cue(r"\s*了\s*(?:整整)?\s*(?:一整|一|两|三|半|几|\d+)\s*(?:个)?\s*(?:整)?\s*(?:天|上午|下午|晚上|早上|夜|通宵|小时|钟头)")
_ARRANGED = cue(r"安排好|安排妥|(?i:arrange)")
DAYS_TO_FINISH = cue(
    # (…or the days still needed: "还要两天", "还得三天"; not "还要两天后" nor a day's date)
    rf"(?P<days>{_NUM})\s*个?\s*(?:天|日)\s*(?:内|之内|左右)?\s*(?:就|才|应该|估计)?\s*(?:能|可以|会)\s*[\u4e00-\u9fff]?\s*[完好]"
    rf"|(?:还要|还得|还需要?|还差)\s*(?P<more>{_NUM})\s*个?\s*(?:天|日)(?![后以之前])")
_SPAN = r"(?:一|两|半|几|\d+)\s*(?:个)?\s*(?:天|上午|下午|晚上|晚|早上|小时|钟头|通宵|整天)(?![后以之])"
_TIME_SPENT_AFTER = cue(r"\s*了\s*" + _SPAN)   # "焊了两天": time spent, no finish
_COMING_PERIOD = cue(r"(?:下下?个?(?:周|礼拜|星期|月)|过两天|过几天|回头|改天|年后|节后)(?!\S{0,3}(?:完成|完了|做完|好了))")
# start words that say the end is near: "明天收尾" forecasts completion, it plans no start
_NEAR_DONE = cue(r"收尾|快|接近|差不多|还差|就差|差一点")
_CAN = cue(r"能|会|可以|争取|预计|估计")
# (…or may move on to it: "可以上装配了", "能进喷涂了", "可以转总装了")
_MAY_START = cue(r"(?:可以|能|可|该)\s*(?:安排|准备|开始|上|进|转到?|进入|去)?\s*$")


def _done_then_next(text: str, position: int) -> bool:
    """The milestone is reported done in its own clause before `position` ("排产已完成，下周开工")."""
    mark = text.find("\x01")
    done = DONE.search(text, mark + 1, position) if 0 <= mark < position else None
    return (done is not None and not BOUNDARY.search(text, mark + 1, done.start())
            and _done_before(text[mark:position], position - mark))


# a count of goods said right after the milestone verb: "入库 三百二十台", "装车，两个小柜"
_HANDLED_COUNT = cue(rf"[\s,，]*(?:共|一共|总共|计)?\s*{_NUM}\s*个?\s*[大小]?\s*{QTY_UNITS}")
_PART_OF_DAY = cue(r"今早|今晨|早上|上午|中午|下午|傍晚|晚上|今晚|晚班|下班前|下班之前|收工前|天黑前")
_LATER_PART = cue(r"下午|傍晚|晚上|今晚|晚班|下班前|下班之前|收工前|天黑前")
# a part of today with the step (or its completion) said bare after it, no 了: "上午进仓", "下午能排好",
# "今天下午排完", "下班前装车" (the completion is to come later today)
_LATER_TODAY = cue(
    r"(?<![昨明前])(?:上午|中午|下午|傍晚|晚上|今晚|下班前|下班之前|收工前|天黑前)\s*"
    r"(?:就|能|会|可以|应该|要|才|再|争取|估计|预计|之前|前|把货|把)*\s*"
    r"(?:\x01[^,，;；。了过咯啦喽]{0,2}(?:$|[,，;；。\s])|\x01?[\u4e00-\u9fff]?\x01?[完好](?![了成整善]))"
)


def later_today(window: Window) -> bool:
    """The step is said of a part of today still to come: its completion is forecast for today."""
    clause = _clauses(window.before)[-1] + "\x01" + window.after
    if _LATER_TODAY.search(clause):
        return True
    # …or in a later clause of the window: "正在排，下午能排好"
    return any(_LATER_TODAY.match(part.strip()) and re.search(r"[完好]", part) and "了" not in part
               for part in _clauses(window.after)[1:])


def _done_in_own_clause(window: Window, today: date) -> bool:
    """The clause of the mention reports it done, with no start, forecast or coming day of its own: what
    follows is another matter ("排产已完成，计划20号开始生产")."""
    head = _clauses(window.after)[0]
    own = _clauses(window.before)[-1] + "\x01" + head
    done = DONE.search(head)
    return (done is not None and not _negated(head, done.start()) and not re.match(r"\s*(?:不|没)", head[done.end():])
            and not START.search(own) and not FORECAST.search(own) and future_date(own, today) is None)


# a completion said bare after a day, with no 了 / 的 to close it: to come ("外协说周日喷完")
_BARE_FINISH = cue(r"[完好](?![了咗的成整善])")
_BARE_WEEKDAY = cue(r"(?:周|星期|礼拜)[一二三四五六日天1-7]")
# the step reported finished with perfective 了 in its own clause: "签收了", "装完了", "发出去了"
_COMPLETED = cue(r"(?<![没不])(?:了|咗|完成|完工|通过|结束)")


def past_weekday(text: str, today: date) -> date | None:
    """A bare weekday ("周六", no 本/这/下) read as a coming day, said of a finished step: the one of the
    last seven days ("周六签收了" said on a Monday is two days ago); never beside a forecast word."""
    if FORECAST.search(text):
        return None
    for found in dates_in(text, today):
        if found.value > today and _BARE_WEEKDAY.fullmatch(text, found.start, found.end):
            return found.value - timedelta(days=7)
    return None


def finished_on_weekday(window: Window, today: date) -> date | None:
    """The bare weekday a finished step was finished on ("客户周六签收了"): only a weekday said before the
    completion counts; one after it is another matter's day ("焊完了，周一打磨", "排了 图纸周一给")."""
    ends = [found.end() for found in (_COMPLETED.search(window.after), DONE.search(window.after)) if found]
    said = window.before + window.after[: min(ends, default=len(window.after))]
    return past_weekday(said, today)


# an earlier clause that is a day and nothing else of note ("昨天，焊接完成了", "昨天下午 焊接完成")
_DAY_ONLY_CLAUSE = cue(r"[\s\ue000]*(?:就是|是|那个)?[\s\ue000]*$")


def finished_day(window: Window, today: date) -> date | None:
    """The day a finished step was finished on: the date said nearest before the step in its own clause
    ("昨天剩的320件今早入库完了" is this morning's), else one said after it ("焊好了 昨天加班焊完的",
    "下料完成（昨天就割完了）"), else an earlier clause that is only a day ("昨天，焊接完成了"). A date in an
    earlier clause with more in it is that clause's matter ("螺母昨天到了，K3391 物料齐套了")."""
    clauses = _CLAUSE_END.split(window.before)
    own = [found for found in dates_in(clauses[-1], today) if not NEGATED_AFTER_DATE.match(clauses[-1], found.end)]
    if own:
        return own[-1].value
    after = [found for found in dates_in(window.after, today) if not NEGATED_AFTER_DATE.match(window.after, found.end)]
    if after:
        return after[0].value
    for clause in reversed(clauses[:-1]):
        found = dates_in(clause, today)
        if found:
            rest = clause[: found[0].start] + clause[found[-1].end :]
            return found[-1].value if _DAY_ONLY_CLAUSE.fullmatch(rest) else None
    return None


def future_date(text: str, today: date) -> int | None:
    """Where the first date after today stands in `text`, or None."""
    for found in dates_in(text, today):
        if found.value > today and not NEGATED_AFTER_DATE.match(text, found.end):
            return found.start
    return None


# (run-on speech: "已经做完了明天上午就可以入库" — a later day right after the completion starts a new clause;
# a bare result verb ends its clause too: "已经喷完，周一叫人来看")
_DONE_THEN = cue(r"(?:了|过|咗|完毕|完成|(?<=[\u4e00-\u9fff])[完好])\s*(?:[,，;；\s]|然后|接着|都|就|再|明天|后天|下周|下午|晚上)|^已")


def _done_before(text: str, position: int) -> bool:
    """A completion reported in an earlier clause than the date ("焊好了，明天喷")."""
    head = text[:position]
    done = DONE.search(head)
    return bool(done) and bool(_DONE_THEN.search(head, done.start())) and not _negated(head, done.start())
