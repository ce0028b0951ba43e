"""`cue`: re.compile with a first-character filter, for the parser's long cue patterns.

Python's regex engine tries every alternative of a pattern at every position of the text. A pattern
whose matches can only start with a few known characters ("焊|喷|装配…") gains a lookahead class of
those characters in front, `(?=[焊喷装…])`, which the engine turns into a fast scan that skips every
other position (the same trick as lexicon.scan, but the class is computed from the parsed pattern,
so it is a superset of the real first characters by construction and never changes what matches:
same spans, same groups). Measured on the exception cues: 16 µs → 6 µs per message.
"""

from __future__ import annotations

import re
import re._constants as c
import re._parser as sre_parse

_MAX_RANGE = 64   # a class range wider than this ([\u4e00-\u9fff]) filters nothing worth having
# \d and \s stand in the filter as themselves (Unicode digits and spaces: too many to list)
_CATEGORIES = {c.CATEGORY_DIGIT: "\\d", c.CATEGORY_SPACE: "\\s"}
_MARKERS = frozenset(_CATEGORIES.values())


class _Open(Exception):
    """The first character is not a small known set (\\s, \\d, ., a negated or wide class)."""


def _sequence(items: list, start: int = 0) -> tuple[set[str], bool]:
    """The possible first characters of items[start:], and whether the sequence can match empty."""
    chars: set[str] = set()
    for op, arg in items[start:]:
        first, nullable = _node(op, arg)
        chars |= first
        if not nullable:
            return chars, False
    return chars, True


def _node(op, arg) -> tuple[set[str], bool]:
    if op is c.LITERAL:
        return {chr(arg)}, False
    if op is c.CATEGORY and arg in _CATEGORIES:
        return {_CATEGORIES[arg]}, False
    if op is c.IN:
        chars: set[str] = set()
        for kind, value in arg:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] <= _MAX_RANGE:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            elif kind is c.CATEGORY and value in _CATEGORIES:
                chars.add(_CATEGORIES[value])
            else:
                raise _Open
        return chars, False
    if op is c.BRANCH:
        chars, nullable = set(), False
        for branch in arg[1]:
            first, empty = _sequence(list(branch))
            chars |= first
            nullable |= empty
        return chars, nullable
    if op is c.SUBPATTERN:
        _, add_flags, _, body = arg
        if add_flags & re.IGNORECASE:
            raise _Open   # "(?i:customer)" also starts with C
        return _sequence(list(body))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, body = arg
        first, empty = _sequence(list(body))
        return first, empty or low == 0
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return set(), True   # zero width: the next element decides
    raise _Open


def first_chars(source: str, flags: int = 0) -> frozenset[str] | None:
    """Every character a match of `source` can start with (single characters, and "\\d" / "\\s" for the
    classes of digits and spaces), or None where that is not a small set."""
    if flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(source, flags)
        if parsed.state.flags & re.IGNORECASE:
            return None   # "(?i)…" said inside the pattern
        chars, nullable = _sequence(list(parsed))
    except _Open:
        return None
    return None if nullable or not chars else frozenset(chars)


def cue(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, with a first-character filter where that set is known and is more
    than one literal character (a single literal first character the engine already scans for)."""
    chars = first_chars(source, flags)
    if chars is None or (len(chars) == 1 and not chars & _MARKERS):
        return re.compile(source, flags)
    members = "".join(sorted(ch if ch in _MARKERS else re.escape(ch) for ch in chars))
    return re.compile(f"(?=[{members}])(?:{source})", flags)
