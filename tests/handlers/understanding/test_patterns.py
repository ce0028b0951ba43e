"""patterns.cue: a first-character filter that never changes what a pattern matches; patterns.gated: a
long pattern searched only where a short part of it is found, with the same answers; patterns.any_of: one
search that finds something wherever one of several patterns would; patterns.Alternatives: named
alternatives tried by the character a match starts with, found as the one pattern finds them."""

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import handlers.understanding.exceptions as exceptions
from handlers.understanding import vocabulary
from handlers.understanding.patterns import Alternatives, Gated, any_of, cue, first_chars, gated

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


# ---- gated: a long pattern searched only where a short part of it is found -------------------------
# texts of the shop: a noun of the vocabulary, a word or two, a predicate, what follows
NOUNS = ["5号机", "冲压机", "喷粉枪", "钢板", "线束", "到货", "毛刺", "焊渣"]
PREDICATES = [
    *vocabulary.FAULT_PREDICATES, *vocabulary.SHORTAGE_PREDICATES,
    "坏了", "不行", "又停了", "停了两次", "跳闸", "差", "少了", "缺", "缺了", "短", "欠", "不够大", "没有了", "没了",
    "用光了", "见底了", "延期", "要晚", "没到", "才能到", "没回来", "打磨掉了", "清理干净了", "温度不稳", "压力太低",
]
JOINERS = ["", "还", "又", " ", "的"]
TAILS = ["", "20个", "了", "，", "没有钢板"]
PHRASES = st.tuples(*map(st.sampled_from, (NOUNS, JOINERS, PREDICATES, TAILS))).map("".join)
SHOP_TEXTS = st.lists(st.one_of(PHRASES, st.sampled_from([*NOUNS, *PREDICATES, "，", " ", "\x01", "3301 "])),
                      max_size=5).map("".join)


def gated_patterns():
    return [(name, value) for name, value in vars(exceptions).items() if isinstance(value, Gated)]


def test_the_noun_patterns_of_the_exception_cues_are_gated():
    # (the measured case: a machine or material noun, then a fault or shortage predicate)
    names = {name for name, _ in gated_patterns()}
    assert {"_MACHINE_FAULT", "_NAMED_SUPPLY_PROBLEM", "_NAMED_SHORT", "_USED_UP"} <= names


@pytest.mark.parametrize("name, pattern", gated_patterns())
def test_a_gated_exception_cue_finds_what_the_whole_pattern_finds_in_every_phrase(name, pattern):
    # every noun, joiner, predicate and tail of the lists above, once each
    for text in map("".join, itertools.product(NOUNS, JOINERS, PREDICATES, TAILS)):
        found, expected = pattern.search(text), pattern.whole.search(text)
        assert (found and found.span()) == (expected and expected.span()), text


@pytest.mark.parametrize("name, pattern", gated_patterns())
@given(text=SHOP_TEXTS, cut=st.integers(0, 6))
@settings(max_examples=400, deadline=None)
def test_a_gated_exception_cue_finds_what_the_whole_pattern_finds(name, pattern, text, cut):
    # every match of the whole contains a match of each need: the gate never drops one
    whole = pattern.whole
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in whole.finditer(text)]
    for pos, endpos in ((cut, len(text)), (0, max(0, len(text) - cut))):
        found, expected = pattern.search(text, pos, endpos), whole.search(text, pos, endpos)
        assert (found and found.span()) == (expected and expected.span())
        found, expected = pattern.match(text, pos, endpos), whole.match(text, pos, endpos)
        assert (found and found.span()) == (expected and expected.span())


def test_a_gated_pattern_answers_as_the_whole_where_its_needs_are_found():
    named_short = gated(r"(?:钢板|螺丝)\s*(?:还|也)?\s*(?:不够|没了)", r"不够|没了")
    assert named_short.search("3301 钢板还不够，螺丝没了").span() == (5, 10)
    assert [m.group() for m in named_short.finditer("钢板不够 螺丝也没了")] == ["钢板不够", "螺丝也没了"]
    assert named_short.search("钢板到了") is None and named_short.match("螺丝够了") is None
    assert named_short.pattern == cue(r"(?:钢板|螺丝)\s*(?:还|也)?\s*(?:不够|没了)").pattern


def test_a_gated_pattern_searches_nothing_where_a_need_is_missing():
    # (the contract is the caller's: a need that is no part of the whole drops the whole's matches)
    both = gated(r"焊渣[^,，]{0,4}?清理(?:干净|掉)", r"清理", r"干净|掉")
    assert both.search("焊渣都清理干净了") is not None
    assert both.search("焊渣清理一下") is None and list(both.finditer("焊渣清理一下")) == []
    assert gated(r"钢板", r"不够").search("钢板") is None


GROUPLESS = [
    cue(r"(?<!不)焊接|喷(?:漆|涂)?|装配"),
    cue(r"(?:已经?|都)?\s*(?:完成|做完)了?"),
    cue(r"[一二两三]成(?![品本])|\d{1,3}\s*%"),
    re.compile(r"(?:焊|喷)(?:完|好)(?=了)"),
    cue(r"(?<![A-Za-z])(?i:done|ok)(?![A-Za-z])"),
    re.compile(r"好了$"),
]


@given(st.lists(st.sampled_from(GROUPLESS), min_size=1, max_size=4, unique_by=id),
       st.text(alphabet=ALPHABET, max_size=30), st.integers(0, 6))
@settings(max_examples=400, deadline=None)
def test_any_of_is_found_exactly_where_one_of_its_patterns_is(patterns, text, cut):
    union = any_of(*patterns)
    for pos, endpos in ((0, len(text)), (cut, len(text)), (0, max(0, len(text) - cut))):
        assert (union.search(text, pos, endpos) is not None) == any(
            pattern.search(text, pos, endpos) is not None for pattern in patterns)


def test_any_of_scans_behind_the_union_of_first_characters():
    union = any_of(cue(r"焊接|喷漆"), cue(r"(?:已经)?完成"))
    assert first_chars(union.pattern) == frozenset("焊喷已完")
    assert union.search("订单3301 已经完成") is not None and union.search("订单3301 装配中") is None


@pytest.mark.parametrize("patterns", [
    (cue(r"焊接"), re.compile(r"(?P<num>\d+)台")),   # a group: renumbered or colliding in the union
    (cue(r"焊接"), re.compile(r"(\d+)\1")),          # a back reference would point elsewhere
    (cue(r"焊接"), re.compile(r"done", re.IGNORECASE)),   # flags of its own
])
def test_any_of_refuses_groups_and_mixed_flags(patterns):
    with pytest.raises(ValueError):
        any_of(*patterns)


def test_the_exception_cues_ask_their_plain_cues_in_one_search():
    # (the measured case: a dozen short searches of every window were most of the cue test's time)
    assert isinstance(exceptions._PLAIN_CUES, re.Pattern) and exceptions._PLAIN_CUES.pattern.startswith("(?=[")
    for text in ("喷涂有流挂", "电机还没到", "这批料不够", "检具坏了", "等技术确认", "3301 焊接完成"):
        expected = any(pattern.search(text) for pattern in (
            exceptions._QUALITY, exceptions._MATERIAL, exceptions._TOOL_FAULT, exceptions._OTHER_CUES))
        assert (exceptions._PLAIN_CUES.search(text) is not None) == expected, text


NAMED = [
    ("done", r"(?:已经?|都)?\s*(?:完成|做完)了?"),
    ("weld", r"(?<!不)焊接|焊(?=完|好)"),
    ("paint", r"喷(?:漆|涂)?"),
    ("after", r"(?<=已)完"),
    ("english", r"(?<![A-Za-z])(?i:done|ok|weld(?:ed)?)(?![A-Za-z])"),
    ("share", r"[一二两三]成(?![品本])"),
]
NAMED_ALPHABET = "焊接喷漆涂装已经都完成做了一二两三成品本好不 DONEdoneOKokWELDweldſKİı,"


@given(st.lists(st.sampled_from(NAMED), min_size=1, max_size=6, unique=True),
       st.text(alphabet=NAMED_ALPHABET, max_size=30), st.integers(0, 6),
       st.sampled_from([None, "[A-Za-z]|[焊喷]", "[已都一二]"]))
@settings(max_examples=400, deadline=None)
def test_alternatives_find_what_the_one_pattern_finds(named, text, cut, starts):
    # (with `starts`, a match must also start with it, as behind the one pattern's lookahead: ſ and K
    # match "(?i:done)"'s letters but are no [A-Za-z])
    alternatives = Alternatives(named, starts)
    for pos, endpos in ((0, len(text)), (cut, len(text)), (0, max(0, len(text) - cut))):
        found = [(m.span(), m.lastgroup) for m in alternatives.finditer(text, pos, endpos)]
        assert found == [(m.span(), m.lastgroup) for m in alternatives.whole.finditer(text, pos, endpos)]


def test_alternatives_keep_their_order_where_two_start_alike():
    # (the first alternative that matches at a position wins, as in one pattern: not the longest)
    alternatives = Alternatives([("short", r"焊"), ("long", r"焊接完成")])
    assert [(m.group(), m.lastgroup) for m in alternatives.finditer("3301焊接完成")] == [("焊", "short")]
    reordered = Alternatives([("long", r"焊接完成"), ("short", r"焊")])
    assert [(m.group(), m.lastgroup) for m in reordered.finditer("焊接完成 再焊")] == [("焊接完成", "long"), ("焊", "short")]


def test_alternatives_with_an_open_first_character_fall_back_to_the_one_pattern():
    alternatives = Alternatives([("step", r"焊接"), ("any", r"[\u4e00-\u9fff]厂"), ("digit", r"\d+台")])
    assert [m.lastgroup for m in alternatives.finditer("焊接 外厂 20台")] == ["step", "any", "digit"]


def test_the_derived_milestone_forms_are_tried_by_their_first_character():
    from handlers.templates import TemplateSet
    from handlers.understanding import Parser
    derived = Parser(TemplateSet())._derived_re
    assert isinstance(derived, Alternatives) and derived._start is not None   # (no fallback to the one pattern)
    for text in ("货已经发出去了", "PO-7720 shipped today, welding done", "物料今天都到齐了，明天装车", "在喷，下午排好",
                 "ſhipped", "货明天发出"):
        assert ([(m.span(), m.lastgroup) for m in derived.finditer(text)]
                == [(m.span(), m.lastgroup) for m in derived.whole.finditer(text)]), text


def test_any_of_may_drop_named_groups_to_ask_for_presence_only():
    counted = re.compile(r"(?P<num>\d+)\s*(?P<unit>台|套)")
    union = any_of(counted, cue(r"追加|加单"), drop_groups=True)
    assert union.groups == 0
    assert union.search("再加50台") is not None and union.search("要追加") is not None and union.search("加一些") is None
    with pytest.raises(ValueError):
        any_of(counted, cue(r"追加"))   # (groups kept: refused)
    with pytest.raises((ValueError, re.error)):
        any_of(re.compile(r"(\d)\1"), drop_groups=True)   # a plain group and its reference stay: refused


def test_the_count_cues_pass_a_clause_only_where_a_count_change_can_be_read():
    from handlers.understanding.change_requests import _QTY_CUES, quantity_change
    for clause in ("焊接完成", "喷涂明天开始", "这批料到了", "客户催交期"):
        assert _QTY_CUES.search(clause) is None and quantity_change(clause, False, True) is None
    for clause in ("数量改成800台", "再追加一百二十台", "多做50套", "其中200台不要了"):
        assert _QTY_CUES.search(clause) is not None, clause


def test_alternatives_refuse_a_start_wider_than_one_character():
    with pytest.raises(ValueError):
        Alternatives([("step", r"焊接")], starts=r"焊接")
