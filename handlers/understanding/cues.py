"""Cue patterns and the text window that more than one of the parser's readers share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date

import handlers.understanding.lexicon as lx
from .dates import find_dates
from .patterns import cue


BOUNDARY = cue(r"[,;。!?，；！？\s]")
QTY_UNITS = r"(?:台|件|个|套|只|条|张|箱|批|支|根|把|片|组|份|对|双|卷|桶|瓶|米|吨|公斤|千克|kg|KG|块|pcs|PCS|PC|pc|款|辆|架|盒|包|车|托|柜|樘|扇)"
DONE = cue(lx.alternation(lx.DONE_WORDS) + "|" + lx.ENGLISH_DONE)
START = cue(lx.alternation(lx.START_WORDS) + "|" + lx.ENGLISH_START)
FORECAST = cue(lx.alternation(lx.FORECAST_WORDS))
FORECAST_STRONG = cue(lx.alternation(lx.FORECAST_STRONG) + "|" + lx.ENGLISH_FORECAST)
QUERY_STRONG = cue(
    lx.alternation(lx.QUERY_STRONG) + "|" + lx.ENGLISH_QUERY
    # sentence-final particles ask only at the end of a clause (呢 after 着 reports: "弄着呢")
    # (a space ends a clause of voice input too: "喷完了没有啊 客户一直在催")
    + r"|嘛(?=\s|$)|(?<![检调审核抽巡排普复])查(?!不到|不了|无|到了|不出|收)|么(?=\s|$)|(?<![也都还并就])没有?[?]?(?=\s|$)|(?<!着)呢[?]?(?=\s|$)|(?<![还仍尚都])未[呀啊吖]?[?]?(?=\s|$)"
    # "了没" asks only where the clause ends ("焊了没", "做完了没有"), not in "做完了没有问题的"
    + r"|(?:了|完|好)没有?[呀啊吖]?[?]?(?=\s|$)"
    # Sichuan "完没得" / "好了没得": done or not?
    + r"|(?:了|完|好)没得[?]?(?=\s|$)"
)


@dataclass(frozen=True, slots=True)
class Window:
    """The text one milestone mention governs, split at the mention."""

    milestone: str | None
    before: str   # text governed by the mention, before it
    after: str    # text governed by the mention, after it
    word: str = ""   # how the milestone was named ("焊接", "喷", "shipped")


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def dates_in(text: str, today: date) -> tuple:
    """find_dates, remembered: one window's text is read for dates several times."""
    return tuple(find_dates(text, today))
