"""Whether the parser may record a line's items as read, or the bot should ask first.

One post-pass over each line's reading (Parser.parse); it marks items unconfident and never changes
what they say. Two signals, measured on the errors of a parser on writers it had never seen:

- an unresolved correction left in the line ("打错了 是…", "哦不对", "总装完成了，哦不是，还差两台"): the
  parser may have kept the wrong half (old parser on three new writers: 7 of its 76 wrong-record
  messages, no needless ask);
- competing shares in one progress report ("一半多一点 大概55%"): more shares than the line has
  progress items, so which one is meant is a guess (2 of 76, one needless ask).

A third, novel unexplained words (character pairs no cue explains and the tuned language never holds),
caught 13 of 76 on the old parser but only 1 of 11 on the current one at 43 needless asks across the
tuned corpora (each left out in turn), and nothing on the held-out split: it is not shipped.

A fourth, a trained model independent of the rules (branch doubtmodel, not merged: logistic regression over the
line's character uni+bi-grams, digits masked; an item doubted when the model gives its kind, done /
under way / exception / change / query, a probability below 0.05, chosen by leave-one-corpus-out),
is measured but not wired in (benchmarks/doubt_model_results.md). Today's parser on three fresh
corpora by new writers: wrong-record 64 -> 52 of 900 messages (7.1% -> 5.8%), ask rate 2.2% -> 2.9%;
the pre-round-3 parser on the round-3 corpora: 76 -> 60 (8.4% -> 6.7%), ask 2.2% -> 3.7%; leave-one-out
on the tuned corpora: 10 -> 8, ask 1.5% -> 3.3%. Roughly one needless ask per wrong record caught, most
of the rest of the errors are in details a model of the line's kind cannot see (order, milestone,
date, category: 47 of 80 wrong items of the old parser), and it costs 20-25 µs a message (15-18% of
the parse), more than the speed bar leaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .items import ParsedItem

# the unmistakable forms of a self-correction (a bare 不对 is also a quality cue: "尺寸不对"; a bare
# 打错了 a misprint: "标签打错了"), each followed by the corrected word
_CORRECTION = re.compile(
    r"(?:打|写|说|搞|记)错了?[\s,，]*(?:应该|应当)?是|口误|更正|(?:哦|噢|啊)\s*不(?:对|是)|不对不对"
    r"|不对\s*[,，\s]*(?:应该|问的|说的)?是")
# a share of a milestone's work: "55%", "百分之三十", "六成", "一半", "三分之一"
_SHARE = re.compile(r"\d{1,3}\s*%|百分之|[一二两三四五六七八九十\d]成(?![品本功员型])|一半|过半|半数|分之")
# the sender settles the share himself: "一半多一点 就按一半算吧" (the shares no longer compete)
_SETTLED_SHARE = re.compile(r"按\s*(?:\d{1,3}\s*%|百分之\S{1,3}|[一二两三四五六七八九十\d]成|一半)\s*(?:算|记|报)")


# a share added since the last report ("又搞了两成 现在七成"): the share after it is the standing one, no rival
_ADDED_SHARE = re.compile(r"(?:又|再|(?<![不差许很好])多)\s*[\u4e00-\u9fff]?\s*(?:了|出)?\s*(?:\d{1,3}\s*%|百分之|[一二两三四五六七八九十\d]成)")


class Doubt(Enum):
    """Why a line's reading is asked rather than recorded."""
    CORRECTION = "correction"
    COMPETING_SHARES = "competing_shares"


@dataclass(frozen=True, slots=True)
class _LineSigns:
    """What the line says once, for all of its items."""
    correction: bool
    shares: int   # share expressions in the line (0 unless an item is under way)
    progress: int   # progress items read from it


def _signs(items: list[ParsedItem], line: str) -> _LineSigns:
    under_way = any(item.intent == "progress" and item.status == "in_progress" for item in items)
    # (every correction form holds 错, 误, 正 or 不: most lines skip the search)
    corrected = ("错" in line or "不" in line or "误" in line or "正" in line) and _CORRECTION.search(line) is not None
    return _LineSigns(correction=corrected,
                      shares=(len(_SHARE.findall(line)) - len(_ADDED_SHARE.findall(line))
                              if under_way and not _SETTLED_SHARE.search(line) else 0),
                      progress=sum(item.intent == "progress" for item in items))


def _doubts(item: ParsedItem, signs: _LineSigns) -> list[Doubt]:
    found: list[Doubt] = []
    if signs.correction:
        found.append(Doubt.CORRECTION)
    if item.intent == "progress" and item.status == "in_progress" and signs.shares > signs.progress:
        found.append(Doubt.COMPETING_SHARES)
    return found


def doubts(item: ParsedItem, line: str) -> list[Doubt]:
    """Every signal in `line` that speaks against `item` read alone from it."""
    return _doubts(item, _signs([item], line))


def review(items: list[ParsedItem], line: str) -> list[ParsedItem]:
    """`items` as read from `line`, those in doubt marked `confident=False` (nothing else changes)."""
    if not any(item.confident for item in items):
        return items
    signs = _signs(items, line)
    return [item.unsure() if item.confident and _doubts(item, signs) else item for item in items]
