"""patterns.cue: a first-character filter that never changes what a pattern matches."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import handlers.understanding.exceptions as exceptions
from handlers.understanding.patterns import cue, first_chars

SOURCES = [
    r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月|\s*好了",
    r"(?<!不)焊接|喷(?:漆|涂)?|装配",
    r"(?:已经?|都)?\s*(?:完成|做完)了?",
    r"[一二两三]成(?![品本])|(?P<num>\d{1,3})\s*%",
    r"(?:焊|喷)(?:完|好)(?=了)",
    r"a?b|c",
    r"(?<![A-Za-z])(?i:done|ok|weld(?:ed)?)(?![A-Za-z])|完成",
    r"(?i:sk)(?-i:i)|[Kk]g",
]
ALPHABET = "焊接喷漆涂装配已经都完成做了一二两三成品本%0123456789３ 不abc好年月\t" + "DONEdoneOKokWELDweldSKskIiKgſKİı"


@given(st.sampled_from(SOURCES), st.text(alphabet=ALPHABET, max_size=30))
@settings(max_examples=400, deadline=None)
def test_the_filtered_pattern_finds_the_same_matches(source, text):
    plain, filtered = re.compile(source), cue(source)
    assert [m.span() for m in plain.finditer(text)] == [m.span() for m in filtered.finditer(text)]
    assert [m.groups() for m in plain.finditer(text)] == [m.groups() for m in filtered.finditer(text)]
    assert plain.sub("#", text) == filtered.sub("#", text)


def test_first_characters_come_from_literals_classes_and_branches():
    assert first_chars(r"(?<!不)焊接|喷(?:漆|涂)|装配") == frozenset("焊喷装")
    assert first_chars(r"(?:已经?)?完成") == frozenset("已完")
    assert first_chars(r"[\d一二]号|\s+交") == frozenset({"\\d", "\\s", "一", "二"})


def test_digits_and_spaces_filter_as_their_classes():
    # (Unicode digits: a full-width ３ is a digit to \d, so it must pass the filter too)
    pattern = cue(r"(?:\d{4}年)?\d{1,2}月")
    assert pattern.pattern.startswith("(?=[\\d])")
    assert pattern.search("交期３月") is not None and pattern.search("交期三月") is None


@pytest.mark.parametrize("source", [
    r"[^,，]+完成",                 # a negated class
    r"[\u4e00-\u9fff]{2}完成",     # a class too wide to be worth it
    r"(?i)done",                   # IGNORECASE for the whole pattern, said inside it
    r"(?i:é)t[eé]",                # a cased letter beyond ASCII
    r"a?",                         # may match empty
])
def test_no_filter_where_the_first_character_is_open(source):
    assert first_chars(source) is None
    assert cue(source).pattern == source


def test_the_exception_cues_are_filtered():
    # the measured case: the long exception alternations carry their first-character class
    assert exceptions._QUALITY.pattern.startswith("(?=[")


def test_a_case_insensitive_part_filters_by_every_case_of_its_letters():
    assert first_chars(r"(?i:ok)|完成") == frozenset("oO完")
    # Python's re also matches s with ſ, k with the Kelvin sign, i with İ and ı
    assert first_chars(r"(?i:ship|kg|in)") == frozenset("sSſkK\u212aiIİı")
    assert first_chars(r"(?i:[a-c])x") == frozenset("abcABC")
    assert first_chars(r"(?i:(?-i:Q)c)") == frozenset("Q")
    assert cue(r"(?i:done)").search("all DONE") is not None


def test_the_letters_folded_into_ascii_are_all_there_are():
    # every non-ASCII character that IGNORECASE matches with an ASCII letter, found by the engine itself
    rest = "".join(map(chr, range(0x80, 0x110000)))
    folding = {ch: {x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(x, ch, re.IGNORECASE)}
               for ch in re.findall("[a-z]", rest, re.IGNORECASE)}
    for ch, letters in folding.items():
        assert all(ch in first_chars(f"(?i:{letter})") for letter in letters)
