"""`cue`: re.compile with a first-character filter, for the parser's long cue patterns.

Python's regex engine tries every alternative of a pattern at every position of the text. A pattern
whose matches can only start with a few known characters ("焊|喷|装配…") gets the set of those
characters, computed from the parsed pattern, so it is a superset of the real first characters by
construction and never changes what matches (same spans, same groups). The set is used twice: as the
search's first-character set in the compiled pattern's info block, where the engine skips every
other position in one tight loop (re.compile puts one there only for a pattern that starts with a
plain class or literal), and as a lookahead class in front, `(?=[焊喷装…])`, which makes `match` at
a position fail fast. Case-insensitive parts ("(?i:done)") contribute every case of their letters.
Measured on the exception cues: 16 µs → 6 µs per message with the lookahead; the info block saves
another ~12% of the whole parse.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
import re._compiler as _compiler
import re._constants as c
import re._parser as sre_parse

import _sre

_MAX_RANGE = 64   # a class range wider than this ([\u4e00-\u9fff]) filters nothing worth having
# \d and \s stand in the filter as themselves (Unicode digits and spaces: too many to list)
_CATEGORIES = {c.CATEGORY_DIGIT: "\\d", c.CATEGORY_SPACE: "\\s"}
_MARKERS = frozenset(_CATEGORIES.values())
_CATEGORY_OF = {marker: category for category, marker in _CATEGORIES.items()}
# the non-ASCII characters Python's re matches with an ASCII letter under IGNORECASE (checked by a test
# against every code point): dotted and dotless I, long s, the Kelvin sign
_FOLDS_INTO_ASCII = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}


class _Open(Exception):
    """The first character is not a small known set (\\s, \\d, ., a negated or wide class)."""


def _sequence(items: list, folded: bool, start: int = 0) -> tuple[set[str], bool]:
    """The possible first characters of items[start:], and whether the sequence can match empty."""
    chars: set[str] = set()
    for op, arg in items[start:]:
        first, nullable = _node(op, arg, folded)
        chars |= first
        if not nullable:
            return chars, False
    return chars, True


def _cases(char: str, folded: bool) -> set[str]:
    """The characters a literal `char` matches: itself, or under IGNORECASE each character that Python's
    Unicode case-insensitive matching equates with it (ASCII letters only; other cased letters are open)."""
    if not folded or not _sre.unicode_iscased(ord(char)):
        return {char}
    if not char.isascii():
        raise _Open
    lower = char.lower()
    return {lower, lower.upper(), *_FOLDS_INTO_ASCII.get(lower, "")}


def _node(op, arg, folded: bool) -> tuple[set[str], bool]:
    if op is c.LITERAL:
        return _cases(chr(arg), folded), False
    if op is c.CATEGORY and arg in _CATEGORIES:
        return {_CATEGORIES[arg]}, False
    if op is c.IN:
        chars: set[str] = set()
        for kind, value in arg:
            if kind is c.LITERAL:
                chars |= _cases(chr(value), folded)
            elif kind is c.RANGE and value[1] - value[0] <= _MAX_RANGE:
                for code in range(value[0], value[1] + 1):
                    chars |= _cases(chr(code), folded)
            elif kind is c.CATEGORY and value in _CATEGORIES:
                chars.add(_CATEGORIES[value])
            else:
                raise _Open
        return chars, False
    if op is c.BRANCH:
        chars, nullable = set(), False
        for branch in arg[1]:
            first, empty = _sequence(list(branch), folded)
            chars |= first
            nullable |= empty
        return chars, nullable
    if op is c.SUBPATTERN:
        _, add_flags, del_flags, body = arg
        # "(?i:customer)" also starts with C; "(?-i:…)" inside it is case-sensitive again
        folded = (folded or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _sequence(list(body), folded)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, body = arg
        first, empty = _sequence(list(body), folded)
        return first, empty or low == 0
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return set(), True   # zero width: the next element decides
    raise _Open


def first_chars(source: str, flags: int = 0) -> frozenset[str] | None:
    """Every character a match of `source` can start with (single characters, and "\\d" / "\\s" for the
    classes of digits and spaces), or None where that is not a small set."""
    try:
        parsed = sre_parse.parse(source, flags)
        if parsed.state.flags & re.IGNORECASE and not flags & re.IGNORECASE:
            return None   # "(?i)…" said inside the pattern: no filter can stand in front of it
        chars, nullable = _sequence(list(parsed), bool(flags & re.IGNORECASE))
    except _Open:
        return None
    return None if nullable or not chars else frozenset(chars)


def _with_charset(source: str, flags: int, chars: frozenset[str]) -> re.Pattern[str]:
    """`source` compiled with `chars` as the search's first-character set.

    re.compile finds such a set only where a pattern starts with a class or a literal; the engine then
    skips every position whose character is not in it in one tight C loop, without entering the
    matcher there (a lookahead in front is still entered at every position, where it fails fast).
    This compiles the same code as re.compile and writes the set into the info block itself, in the
    layout re._compiler._compile_info gives it (INFO skip flags min max charset)."""
    try:
        parsed = sre_parse.parse(source, flags)
        flags = parsed.state.flags | flags
        low, high = parsed.getwidth()
        if low == 0:
            return re.compile(source, flags)
        members = [(c.CATEGORY, _CATEGORY_OF[ch]) if ch in _CATEGORY_OF else (c.LITERAL, ord(ch)) for ch in chars]
        charset, _ = _compiler._optimize_charset(members)
        code = [c.INFO, 0, c.SRE_INFO_CHARSET, min(low, _compiler.MAXCODE), min(high, _compiler.MAXCODE)]
        _compiler._compile_charset(charset, flags, code)
        code[1] = len(code) - 1
        _compiler._compile(code, parsed.data, flags)
        code.append(c.SUCCESS)
        names = parsed.state.groupdict
        index_names = [None] * parsed.state.groups
        for name, index in names.items():
            index_names[index] = name
        return _sre.compile(source, flags, code, parsed.state.groups - 1, names, tuple(index_names))
    except (AttributeError, TypeError, ValueError, RuntimeError):   # another Python's re internals: the lookahead alone
        return re.compile(source, flags)


def cue(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, with a first-character filter where that set is known and is more
    than one literal character (a single literal first character the engine already scans for): the
    set as a lookahead class in front (kept in `.pattern`, so patterns built from it keep the filter)
    and as the compiled search's first-character set."""
    chars = first_chars(source, flags)
    if chars is None or (len(chars) == 1 and not chars & _MARKERS):
        return re.compile(source, flags)
    members = "".join(sorted(ch if ch in _MARKERS else re.escape(ch) for ch in chars))
    return _with_charset(f"(?=[{members}])(?:{source})", flags, chars)


class Gated:
    """A pattern searched only where every one of its `needs` is found in the range searched.

    A pattern led by a large noun alternation ("a named material, then: not come") is entered at every
    position whose character starts one of its hundreds of nouns, and there tries the nouns one by one;
    the predicate it also needs is short and absent from most messages. Each need is a pattern that
    every match of the whole contains within the searched range (a part of it, or a looser form of a
    part), so where a need is absent the whole cannot match: the answers are those of the whole
    pattern alone (same spans, same groups), found cheaper where a need is missing. (Measured on the
    exception cues: a need that is itself a large alternation, a defect noun, costs as much as the
    whole it would spare; a short predicate spares half the noun patterns' time.)"""

    __slots__ = ("whole", "needs", "_whole", "_need", "_needs")

    def __init__(self, whole: re.Pattern[str], needs: tuple[re.Pattern[str], ...]) -> None:
        self.whole = whole
        self.needs = needs
        # (bound methods kept: this sits on the per-message path, where each attribute load shows)
        self._whole = whole.search
        self._need = needs[0].search
        self._needs = tuple(need.search for need in needs[1:])

    @property
    def pattern(self) -> str:
        """The whole pattern's source (to build other patterns from it)."""
        return self.whole.pattern

    def _possible(self, text: str, pos: int, endpos: int) -> bool:
        return self._need(text, pos, endpos) is not None and all(
            need(text, pos, endpos) is not None for need in self._needs)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self._need(text, pos, endpos) is None:   # (the common case first, inline)
            return None
        for need in self._needs:
            if need(text, pos, endpos) is None:
                return None
        return self._whole(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.whole.match(text, pos, endpos) if self._possible(text, pos, endpos) else None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.whole.finditer(text, pos, endpos) if self._possible(text, pos, endpos) else iter(())


def gated(source: str, *needs: str) -> Gated:
    """`cue(source)`, searched only where each of `needs` (each also through `cue`) is found: for a
    pattern whose every match contains, within the range searched, a match of each need (see Gated)."""
    return Gated(cue(source), tuple(cue(need) for need in needs))


_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")


def any_of(*patterns: re.Pattern[str], drop_groups: bool = False) -> re.Pattern[str]:
    """One pattern that is found in a range wherever one of `patterns` is found there, to ask in one
    search whether any of them is (a test of presence: its match is the first alternative's to match at
    the leftmost position, no answer to use as any one pattern's).

    Each of many short searches over the same text pays the engine's set-up and its own scan; one search
    over the alternation of their sources (each still led by its own first-character lookahead, so an
    alternative fails fast) scans once, behind the union of their first characters (through `cue`).
    Groups would be renumbered or collide and flags would be merged, so a pattern with a group or with
    flags of its own is refused; with `drop_groups`, named groups become plain ones (what a group
    matched is no part of the answer), and a pattern still holding a group or a reference to one is refused."""
    flags = {pattern.flags for pattern in patterns}
    sources = [_NAMED_GROUP.sub("(?:", pattern.pattern) if drop_groups else pattern.pattern for pattern in patterns]
    if len(flags) != 1 or any(re.compile(source, pattern.flags).groups for source, pattern in zip(sources, patterns)):
        raise ValueError("any_of: patterns without groups, compiled with the same flags")
    return cue("|".join(f"(?:{source})" for source in sources), flags.pop() & ~re.UNICODE)


class Alternatives:
    """Named alternatives `(?=starts)(?:(?P<name>source)|…)`, found as that one pattern finds them (same
    spans, same `lastgroup`), but tried by the character a match starts with.

    At every position where one of the alternatives could start, the one pattern enters each of its
    alternatives in turn (an alternative led by a group or a lookaround is entered, not skipped), though
    most cannot start with that character. Here each alternative's possible first characters are
    computed (as for `cue`); a scan for any of them finds the next position, and only the alternatives
    that can start with its character are tried there, in their order, as one pattern matched at that
    position. `starts`, a pattern of one character, is what every match must start with (the one
    pattern's lookahead in front): it only narrows the characters scanned for. Where some alternative's
    first characters are not a small known set, the one pattern is used. (Measured on the parser's 37
    derived milestone forms: 2.3 µs → 0.9 µs per message scanned.)"""

    __slots__ = ("_source", "_whole", "_start", "_at")

    def __init__(self, named: Sequence[tuple[str, str]], starts: str | None = None) -> None:
        alternatives = "|".join(f"(?P<{name}>{source})" for name, source in named)
        self._source = f"(?={starts})(?:{alternatives})" if starts else alternatives
        self._whole: re.Pattern[str] | None = None
        firsts = [first_chars(source) for _, source in named]
        if any(chars is None or chars & _MARKERS for chars in firsts):
            self._start = self._at = None
            return
        if starts is not None and sre_parse.parse(starts).getwidth() != (1, 1):
            raise ValueError("Alternatives: `starts` must match one character")
        allowed = re.compile(starts).fullmatch if starts else None
        chars = sorted(char for char in frozenset().union(*firsts) if allowed is None or allowed(char))
        self._at = {char: re.compile("|".join(f"(?P<{name}>{source})" for (name, source), first in zip(named, firsts)
                                              if char in first)) for char in chars}
        self._start = re.compile("[" + "".join(map(re.escape, chars)) + "]").search if chars else None

    @property
    def whole(self) -> re.Pattern[str]:
        """The one pattern (compiled when first asked for: the scan by first character does without it)."""
        if self._whole is None:
            self._whole = re.compile(self._source)
        return self._whole

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Every match, left to right, as `whole.finditer` gives them."""
        if self._at is None:
            yield from self.whole.finditer(text, pos, endpos)
            return
        start, at = self._start, self._at
        if start is None:
            return   # (no character may start a match)
        while (found := start(text, pos, endpos)) is not None:
            begin = found.start()
            match = at[text[begin]].match(text, begin, endpos)
            if match is None:
                pos = begin + 1
            else:
                yield match
                pos = match.end()   # (no alternative matches empty: each has first characters)
