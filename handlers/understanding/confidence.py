"""Whether the parser may record a line's items as read, or the bot should ask first.

The parser reads cue words; on text unlike what it was built on, the cues it finds may not be what the
sender meant. Three signals, each measured on the errors of a parser on writers it had never seen
(README, "how the bot decides to ask"), mark a line's items unconfident; the items themselves are kept
as read:

- an unresolved correction ("打错了", "哦不对 是…"): the parser may have kept the wrong half;
- competing shares in one progress report ("一半多一点 大概55%"), more shares than the line has
  progress items: which one is meant is a guess;
- novel unexplained words: words no cue of the parser explains whose character pairs occur nowhere in
  the language the parser was built on (data/known_bigrams.txt, benchmarks/build_known_bigrams.py):
  a negation, a condition, another subject or a topic the reading may have missed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path

from .items import ParsedItem
from .order_numbers import MASK

_DATA = Path(__file__).resolve().parent / "data" / "known_bigrams.txt"
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# the unmistakable forms of a self-correction (a bare 不对 is also a quality cue: "尺寸不对")
_CORRECTION = re.compile(
    r"(?:打|写|说|搞|记)错了?[\s,，]*(?:应该|应当)?是|口误|更正|(?:哦|噢|啊)\s*不(?:对|是)|不对不对"
    r"|不对\s*[,，\s]*(?:应该|问的|说的)?是")
# a share of a milestone's work: "55%", "百分之三十", "六成", "一半", "三分之一"
_SHARE = re.compile(r"\d{1,3}\s*%|百分之|[一二两三四五六七八九十\d]成(?![品本功员型])|一半|过半|半数|分之")
# the sender settles the share himself: "一半多一点 就按一半算吧" (the shares no longer compete)
_SETTLED_SHARE = re.compile(r"按\s*(?:\d{1,3}\s*%|百分之\S{1,3}|[一二两三四五六七八九十\d]成|一半)\s*(?:算|记|报)")
# two novel character pairs among the unexplained words: one alone is too often a name or a typo
NOVEL_PAIRS = 2


class Doubt(Enum):
    """Why a line's reading is asked rather than recorded."""
    CORRECTION = "correction"
    COMPETING_SHARES = "competing_shares"
    NOVEL_WORDS = "novel_words"


@lru_cache(maxsize=1)
def known_bigrams() -> frozenset[str]:
    """The character pairs of the parser's own language (built by benchmarks/build_known_bigrams.py)."""
    return frozenset(_DATA.read_text(encoding="utf-8").split())


def _pairs(text: str) -> set[str]:
    return {run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}


class ConfidenceCheck:
    """Marks items unconfident where their line gives reason to doubt the reading.

    `explained` matches every cue the parser reads (milestone words, status, problem, change and
    query words, dates, numbers, fillers); what a line holds beyond its matches is unexplained.
    """

    def __init__(self, explained: re.Pattern[str], known: frozenset[str] | None = None) -> None:
        self._explained = explained
        self._known = known_bigrams() if known is None else known

    def doubts(self, item: ParsedItem, line: str) -> list[Doubt]:
        """Every signal that speaks against `item`, read from `line` (order numbers masked)."""
        return self._doubts(item, self._signs([item], line))

    def _signs(self, items: list[ParsedItem], line: str) -> _LineSigns:
        under_way = any(item.intent == "progress" and item.status == "in_progress" for item in items)
        return _LineSigns(correction=bool(_CORRECTION.search(line)),
                          shares=len(_SHARE.findall(line)) if under_way and not _SETTLED_SHARE.search(line) else 0,
                          progress=sum(item.intent == "progress" for item in items),
                          novel_pairs=self.novel_words(line))

    @staticmethod
    def _doubts(item: ParsedItem, signs: _LineSigns) -> list[Doubt]:
        found: list[Doubt] = []
        if signs.correction:
            found.append(Doubt.CORRECTION)
        if item.intent == "progress" and item.status == "in_progress" and signs.shares > signs.progress:
            found.append(Doubt.COMPETING_SHARES)
        if signs.novel_pairs >= NOVEL_PAIRS and not (item.intent == "change" and item.field == "spec"):
            # (a spec change's value is free text by nature: its words are the request, not a miss)
            found.append(Doubt.NOVEL_WORDS)
        return found

    def novel_words(self, line: str) -> int:
        """Character pairs of the line's unexplained words that the parser's language never holds."""
        novel = _pairs(line) - self._known
        if len(novel) < NOVEL_PAIRS:
            return len(novel)   # (the unexplained words' pairs are some of the line's: no need to look)
        rest = self._explained.sub(" ", line.replace(MASK, " "))
        return len(_pairs(rest) & novel)

    def review(self, items: list[ParsedItem], line: str) -> list[ParsedItem]:
        """`items` as read from `line`, those in doubt marked `confident=False` (nothing else changes)."""
        if not any(item.confident for item in items):
            return items
        signs = self._signs(items, line)
        return [replace(item, confident=False) if item.confident and self._doubts(item, signs) else item
                for item in items]


@dataclass(frozen=True, slots=True)
class _LineSigns:
    """What the line says once, for all of its items."""
    correction: bool
    shares: int   # share expressions in the line
    progress: int   # progress items read from it
    novel_pairs: int
