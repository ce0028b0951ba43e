"""Hand-written date rules, resolved against the message's own `now` (a calendar date).

Conventions (the parse contract): 本周五/这周五/周五 is this week's Friday, or next week's when
this week's is past; 下周三 is Wednesday of the next calendar week (weeks start Monday);
12月5号/12.5/12/5 is this year's, or next year's when already past; 月底 is this month's last day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .numerals import CN_CHARS, parse_number
from .patterns import cue

_N = rf"(?:\d{{1,4}}|[{CN_CHARS}]{{1,5}})"
_DAY_WORDS = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0, "今日": 0, "今晚": 0,
    "今早": 0, "今晨": 0, "今儿": 0,
    "明天": 1, "明日": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3,
    # Cantonese day words (听日 = 明天, 后日 = 后天, 寻日 = 昨天)
    "听日": 1, "后日": 2, "寻日": -1,
    # 前日 / 大前日 / 前晚: the day (night) before yesterday, in Cantonese and written Chinese alike
    "前日": -2, "大前日": -3, "前晚": -2,
    # English day words in mixed messages ("ETA tomorrow")
    "today": 0, "tomorrow": 1, "tmr": 1, "yesterday": -1,
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_DELTA_UNITS = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7}
# 前 closing a word before 日/晚 is no day: 提前日期, 目前日产, 之前日报, 以前晚上
_FRONT_WORDS = "提之以目当此从先眼事空"


def _day_word(word: str) -> str:
    return f"(?<![{_FRONT_WORDS}]){word}" if word.startswith("前") else word


_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# (a month by its name or first letters; "May" only capitalised: "we may 2" is the modal verb)
_EN_MONTH = (r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?"
             r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)|May|MAY)\b\.?")

# a number followed by one of these is a quantity, a percentage or a size ("1.2厚", "1.5mm"), never "M.D"
_NOT_DATE_AFTER = r"(?![\d%万千百件台个套元块米吨箱批只条张支根公斤克厚寸毫厘宽粗丝mM]|\.\d)"

DATE_RE = cue(
    "|".join((
        rf"(?:(?P<year>\d{{4}})年)?(?P<month>{_N})月(?:份)?(?P<day>{_N})[号日]?",
        # a day of this or next month: 本月25号, 下个月5号
        rf"(?P<rel_month>本|这个?|下个?)月(?P<rel_day>{_N})[号日]",
        r"(?P<month_end>(?:本|这个?|下个?)?月)(?:底|末)",
        rf"(?<![\d.])(?P<m2>1[0-2]|0?[1-9])[./](?P<d2>3[01]|[12]\d|0?[1-9]){_NOT_DATE_AFTER}",
        rf"(?P<delta>{_N}|半)个?(?P<delta_unit>天|日|周|星期|礼拜)(?:以后|之后|后)",
        # (上 right after a verb is its complement, not "last": 赶不上周五, 马上周五了, 跟得上周三 are this week)
        r"(?P<week_prefix>下下个?|下个?|本|这个?|(?<![不赶马装配追])(?<!赶得)(?<!跟得)(?<!排得)(?<!对得)上个?)?"
        r"(?:周|星期|礼拜)(?P<weekday>[一二三四五六日天末1-7])",
        "(?P<word>" + "|".join(_day_word(w) for w in sorted(_DAY_WORDS, key=len, reverse=True)) + ")",
        # (两 counts, it never names a day: "晚了两日" is two days)
        # (a count after 早/晚/提前/推迟 is days, "早三日交货", not the third of the month)
        rf"(?<![\d月.\-/早晚前迟延后推])(?P<bare_day>[12]\d|3[01]|0?[1-9]|(?!两)[{CN_CHARS}]{{1,3}})(?:号|日)"
        # (…or before a start: "12号开始下料", "5号开工")
        r"(?=前|之前|以前|左右|到|能|可以|完成|发|交|出|送|上午|下午|晚上|开始|开工|动工|$|[,，。.!！;；\s\x01])",
        # English month and day in a mixed or relayed message: "by Dec 11", "Nov 20th", "22nd Dec"
        rf"\b(?P<en_month>{_EN_MONTH})\s*(?P<en_day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]|\s*(?:pcs|pc|units?|sets?|%))"
        rf"|\b(?P<en_day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<en_month2>{_EN_MONTH})",
    ))
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    value: date


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(today: date, month: int | None, day: int | None, year: int | None) -> date | None:
    if month is None or day is None:
        return None
    if year is not None:
        return _safe_date(year, month, day)
    value = _safe_date(today.year, month, day)
    if value is not None and value < today:
        value = _safe_date(today.year + 1, month, day)
    return value


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _resolve(match: re.Match[str], today: date) -> date | None:
    group = match.group
    if group("month") is not None:
        year = int(group("year")) if group("year") else None
        return _month_day(today, parse_number(group("month")), parse_number(group("day")), year)
    if group("en_month") is not None or group("en_month2") is not None:
        month = _EN_MONTHS.index((group("en_month") or group("en_month2"))[:3].lower()) + 1
        return _month_day(today, month, int(group("en_day") or group("en_day2")), None)
    if group("rel_month") is not None:
        day = parse_number(group("rel_day"))
        if group("rel_month").startswith("下"):
            year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            return _safe_date(year, month, day) if day else None
        return _safe_date(today.year, today.month, day) if day else None
    if group("month_end") is not None:
        if group("month_end").startswith("下"):
            year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            return _last_day(year, month)
        return _last_day(today.year, today.month)
    if group("m2") is not None:
        return _month_day(today, int(group("m2")), int(group("d2")), None)
    if group("delta") is not None:
        count = 0.5 if group("delta") == "半" else parse_number(group("delta"))
        if count is None or count > 3660:
            return None
        days = int(count * _DELTA_UNITS[group("delta_unit")])
        return today + timedelta(days=days)
    if group("weekday") is not None:
        prefix = group("week_prefix") or ""
        monday = today - timedelta(days=today.weekday())
        target = _WEEKDAYS[group("weekday")]
        if prefix.startswith("下下"):
            return monday + timedelta(days=14 + target)
        if prefix.startswith("下"):
            return monday + timedelta(days=7 + target)
        if prefix.startswith("上"):
            return monday + timedelta(days=target - 7)
        value = monday + timedelta(days=target)
        return value + timedelta(days=7) if value < today else value
    if group("word") is not None:
        return today + timedelta(days=_DAY_WORDS[group("word")])
    if group("bare_day") is not None:
        day = parse_number(group("bare_day"))
        if day is None or not 1 <= day <= 31:
            return None
        value = _safe_date(today.year, today.month, day)
        if value is None or value < today:
            year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            value = _safe_date(year, month, day)
        return value
    return None


def find_dates(text: str, today: date) -> list[DateMatch]:
    """Every date expression in `text`, in order of appearance."""
    found: list[DateMatch] = []
    for match in DATE_RE.finditer(text):
        value = _resolve(match, today)
        if value is None:
            continue
        if found and found[-1].end == match.start() and _RELATIVE_DAY.fullmatch(text[found[-1].start : found[-1].end]):
            # apposition ("昨天礼拜天", "明天周五"): the relative day fixes the date, the weekday restates it
            found[-1] = DateMatch(found[-1].start, match.end(), found[-1].value)
            continue
        found.append(DateMatch(match.start(), match.end(), value))
    return found


_RELATIVE_DAY = cue(r"今天|今日|昨天|前天|明天|后天|大后天")
