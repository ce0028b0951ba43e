"""The confidence post-pass (handlers/understanding/confidence.py): when a reading is asked, not recorded."""

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from handlers.templates import TemplateSet
from handlers.understanding import Parser
from handlers.understanding.confidence import ConfidenceCheck, Doubt, known_bigrams
from handlers.understanding.items import ParsedItem

NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
DONE = ParsedItem("progress", order_no="125", milestone="焊接", status="done")
UNDER_WAY = ParsedItem("progress", order_no="277", milestone="总装", status="in_progress", percent=55)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(TemplateSet())


def confident(parser: Parser, text: str) -> list[bool]:
    return [item.confident for item in parser.parse(text, NOW)]


# a tiny language: the cue words below explain themselves, every pair in `known` is familiar
CHECK = ConfidenceCheck(re.compile(r"焊接|完成|\x00"), known=frozenset({"今天", "天天", "天气", "气好"}))


class TestCorrection:
    def test_a_restated_correction_left_in_the_line_is_doubted(self) -> None:
        assert Doubt.CORRECTION in CHECK.doubts(DONE, "\x00 焊接完成 哦不对 是涂装")
        assert Doubt.CORRECTION in CHECK.doubts(DONE, "\x00 数量写错了 应该是300台")

    def test_a_misprint_reported_as_a_problem_is_no_correction(self) -> None:
        assert Doubt.CORRECTION not in CHECK.doubts(DONE, "\x00的标签打错了 型号印成B款了")


class TestCompetingShares:
    def test_two_shares_for_one_progress_item_are_doubted(self, parser: Parser) -> None:
        assert confident(parser, "277 组装 装了一半多一点 大概55%") == [False]

    def test_one_share_per_item_is_read_as_said(self, parser: Parser) -> None:
        assert confident(parser, "222 焊接80% 喷涂20%") == [True, True]
        assert confident(parser, "124 涂装80%") == [True]

    def test_a_share_the_sender_settles_is_no_competition(self) -> None:
        assert Doubt.COMPETING_SHARES not in CHECK.doubts(UNDER_WAY, "\x00 装了一半多一点 就按一半算吧")
        assert Doubt.COMPETING_SHARES in CHECK.doubts(UNDER_WAY, "\x00 装了一半多一点 大概55%")

    def test_a_finished_item_is_not_doubted_for_shares(self) -> None:
        assert Doubt.COMPETING_SHARES not in CHECK.doubts(DONE, "\x00 焊接完成 一半 50%")


class TestNovelWords:
    def test_words_no_cue_explains_and_never_met_are_doubted(self) -> None:
        assert CHECK.novel_words("\x00 焊接完成 鳄鱼咬断") == 3
        assert CHECK.doubts(DONE, "\x00 焊接完成 鳄鱼咬断") == [Doubt.NOVEL_WORDS]

    def test_familiar_words_and_explained_words_are_not(self) -> None:
        assert CHECK.novel_words("\x00 今天天气好 焊接完成") == 0
        assert CHECK.doubts(DONE, "\x00 今天天气好 焊接完成") == []

    def test_one_novel_pair_is_not_enough(self) -> None:
        assert CHECK.doubts(DONE, "\x00 焊接完成 鳄鱼") == []

    def test_a_spec_change_is_free_text_by_nature(self) -> None:
        spec = ParsedItem("change", order_no="125", field="spec", op="set", value="鳄鱼咬断")
        assert CHECK.doubts(spec, "\x00 鳄鱼咬断") == []

    def test_through_the_parser(self, parser: Parser) -> None:
        assert confident(parser, "125 焊接完成") == [True]
        assert confident(parser, "125 焊接完成 鳄鱼咬断了螺旋桨") == [False]

    def test_the_shipped_language_holds_the_templates_words(self) -> None:
        pairs = known_bigrams()
        for word in ("焊接", "涂装", "总装", "质检", "入库", "发货", "验收", "排产", "领料", "下料"):
            assert word in pairs


class TestReview:
    def test_review_only_marks_confidence(self) -> None:
        reviewed = CHECK.review([DONE, UNDER_WAY], "\x00 焊接完成 鳄鱼咬断")
        assert [item.confident for item in reviewed] == [False, False]
        assert [item.as_dict() | {"confident": True} for item in reviewed] == [
            item.as_dict() | {"confident": True} for item in (DONE, UNDER_WAY)]

    def test_an_item_already_unconfident_stays_so_and_a_clean_line_changes_nothing(self) -> None:
        doubted = ParsedItem("progress", milestone="焊接", status="done", confident=False)
        assert CHECK.review([doubted, DONE], "\x00 焊接完成") == [doubted, DONE]


def test_the_shipped_language_is_rebuilt_with_every_tuned_corpus() -> None:
    """A corpus tuned against and left out of data/known_bigrams.txt would be asked about as unseen
    (run benchmarks/build_known_bigrams.py after adding one)."""
    corpora = Path(__file__).parent / "corpora"
    pairs = set()
    for corpus in sorted(corpora.glob("*.jsonl")):
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                pairs |= {run[i : i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text) for i in range(len(run) - 1)}
    assert pairs <= known_bigrams()
