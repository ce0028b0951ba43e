"""Homophone slips of voice input and pinyin typing: 总庄 for 总装, 入裤 for 入库, 汗接 for 焊接.

A phone's dictation or a pinyin keyboard writes a milestone word with other characters of the same
sound. Only two-character template words are repaired, only by characters whose first (most common)
reading is the word's character's reading with its tone (so 下了 is never 下料: 了 reads le first),
and only where an aspect or status cue stands close after the slip (装好了, 完成, 60%, 中) or a
progressive cue right before it, so ordinary words that sound alike stay as written.
Readings come from pypinyin's character table (a maintained dictionary, loaded once per process).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from .patterns import cue

# particles are never a slip for a content character
_NEVER = frozenset("了着过的得地吗呢吧啊呀么嘛")
# a status, aspect or question cue within a few characters after the slip, or a progressive cue before it
_CUE_AFTER = cue(r"[^,，。;；\n]{0,8}?(?:了|完|好|中|成|%|百分之|一半|开始|没|吗|在|做|搞|弄|发现|不|时候|的话|今天|明天|后天)")
_CUE_BEFORE = cue(r"(?:正在|还在|已经?|开始|可以|准备|就|能|会|要)\s*$")
# a looser slip (the word's first character as written, the second's sound off by its tone or by -n/-ng:
# 发火 for 发货, 排场 for 排产) only after an order number in its line and right before an aspect cue
_LOOSE_CUE_AFTER = cue(r"\s*(?:已经?|都|也|还)?\s*[\u4e00-\u9fff]?\s*(?:了|完|好|中|吗|没|%|百分之)")
_ORDER_BEFORE = cue(r"(?:^|[^\d])\d{3,}[^\n]{0,6}$|[A-Za-z]{1,4}-?\d[\d-]{3,}[^\n]{0,6}$")
# Pinyin initials typed for a word ("zj ok" for 质检 ok, "fh done" for 发货 done, "jh改12.20" for 交货改12.20):
# a standalone pair of lower-case letters that spells the initials of exactly one milestone's two-character
# words, or of the delivery words below; never inside a Latin word, an order number (gd2611-07, hx-118)
# or an English contraction (we'll), and never a pair common in chat for something else (pc: pieces,
# hh: laughter, ps, ok)
_INITIALS_OF = {"交货": "jh", "交期": "jq"}
_NOT_INITIALS = frozenset(("pc", "ps", "hh", "ok", "mm", "cm", "kg", "pm", "am", "hr", "qc", "po", "no", "so"))
_TONE_MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ", "aaaaeeeeiiiioooouuuuvvvv")


def _loose(reading: str) -> str:
    """A reading without its tone, -ng merged into -n (voice input of southern speakers)."""
    plain = reading.translate(_TONE_MARKS)
    return plain[:-1] if plain.endswith("ng") else plain


@lru_cache(maxsize=1)
def _by_reading() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """first reading of every character, and the characters sharing each first reading."""
    from pypinyin.pinyin_dict import pinyin_dict

    first: dict[str, str] = {}
    same: dict[str, set[str]] = defaultdict(set)
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if not "\u4e00" <= char <= "\u9fff" or char in _NEVER:
            continue
        reading = readings.split(",", 1)[0]
        first[char] = reading
        same[reading].add(char)
    return first, {reading: frozenset(chars) for reading, chars in same.items()}


def _initials_pattern(words: Mapping[str, str], first: dict[str, str]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The standalone initials of `words` (word -> milestone) that name one milestone, and the word each stands for."""
    found: dict[str, dict[str, str]] = defaultdict(dict)   # initials -> milestone -> word
    # (the milestone's own name first: zj is 质检, not its synonym 终检)
    for word, milestone in sorted(words.items(), key=lambda pair: (pair[0] != pair[1], pair[0])):
        if len(word) == 2 and all(ch in first for ch in word):
            found[first[word[0]][0] + first[word[1]][0]].setdefault(milestone, word)
    by_initials = {initials: next(iter(named.values())) if len(named) == 1 else "" for initials, named in found.items()}
    for word, initials in _INITIALS_OF.items():
        by_initials.setdefault(initials, word)
    by_initials = {k: v for k, v in by_initials.items() if v and k.isascii() and k.isalpha() and k not in _NOT_INITIALS}
    if not by_initials:
        return None, {}
    return cue(rf"(?<![A-Za-z0-9'’\-])(?:{'|'.join(sorted(by_initials))})(?![A-Za-z0-9\-])"), by_initials


class SlipRepair:
    """Rewrites homophone slips of the given milestone words back to the words, and their pinyin initials."""

    def __init__(self, words: Iterable[str] | Mapping[str, str]) -> None:
        first, same = _by_reading()
        milestone_of = words if isinstance(words, Mapping) else {word: word for word in words}
        self._initials, self._word_by_initials = _initials_pattern(milestone_of, first)
        self._word_by_sound: dict[tuple[str, str], str] = {}
        classes: list[set[str]] = [set(), set()]
        for word in sorted(words):
            if len(word) != 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
                continue
            sound = (first.get(word[0]), first.get(word[1]))
            if None in sound:
                continue
            self._word_by_sound.setdefault(sound, word)
            classes[0] |= same[sound[0]]
            classes[1] |= same[sound[1]]
        self._first = first
        # loose slips: (the first character itself, the second's loose sound) -> word
        self._word_by_loose: dict[tuple[str, str], str] = {}
        loose_chars: set[str] = set()
        by_loose: dict[str, set[str]] = defaultdict(set)
        for char, reading in first.items():
            by_loose[_loose(reading)].add(char)
        for word in sorted(words):
            if len(word) != 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in word) or word[1] not in first:
                continue
            key = (word[0], _loose(first[word[1]]))
            self._word_by_loose.setdefault(key, word)
            loose_chars |= by_loose[key[1]]
        self._loose_pattern = (
            cue(f"[{''.join(sorted({w[0] for w, _ in self._word_by_loose}))}][{''.join(sorted(loose_chars))}]")
            if self._word_by_loose else None
        )
        self._pattern = (
            cue(f"[{''.join(sorted(classes[0]))}][{''.join(sorted(classes[1]))}]")
            if self._word_by_sound else None
        )

    def repair(self, text: str) -> str:
        return self._repair_loose(self._repair(self._expand_initials(text)))

    def _expand_initials(self, text: str) -> str:
        if self._initials is None:
            return text
        return _replaced(text, self._initials, lambda match: self._word_by_initials[match.group()])

    def _repair_loose(self, text: str) -> str:
        def word_for(match: re.Match[str]) -> str | None:
            slip = match.group()
            word = self._word_by_loose.get((slip[0], _loose(self._first.get(slip[1], ""))))
            if word is None or word == slip or slip in self._word_by_loose.values():
                return None
            if not (_LOOSE_CUE_AFTER.match(text, match.end()) and _ORDER_BEFORE.search(text, 0, match.start())):
                return None
            return word

        return _replaced(text, self._loose_pattern, word_for)

    def _repair(self, text: str) -> str:
        def word_for(match: re.Match[str]) -> str | None:
            slip = match.group()
            word = self._word_by_sound.get((self._first.get(slip[0]), self._first.get(slip[1])))
            if word is None or word == slip:
                return None
            if not (_CUE_AFTER.match(text, match.end()) or _CUE_BEFORE.search(text, 0, match.start())):
                return None
            return word

        return _replaced(text, self._pattern, word_for)


def _replaced(text: str, pattern: re.Pattern[str] | None,
              word_for: Callable[[re.Match[str]], str | None]) -> str:
    """`text` with each match of `pattern` that `word_for` names a word for replaced by that word."""
    if pattern is None:
        return text
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        word = word_for(match)
        if word is None:
            continue
        parts.append(text[last : match.start()])
        parts.append(word)
        last = match.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)
