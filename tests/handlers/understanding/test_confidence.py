"""The confidence post-pass (handlers/understanding/confidence.py): when a reading is asked, not recorded."""

from datetime import datetime

import pytest

from handlers.templates import TemplateSet
from handlers.understanding import Parser
from handlers.understanding.confidence import Doubt, doubts, review
from handlers.understanding.items import ParsedItem

NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
DONE = ParsedItem("progress", order_no="125", milestone="焊接", status="done")
UNDER_WAY = ParsedItem("progress", order_no="277", milestone="总装", status="in_progress", percent=55)
CHANGE = ParsedItem("change", order_no="534", field="quantity", op="set", value=380)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(TemplateSet())


def confident(parser: Parser, text: str) -> list[bool]:
    return [item.confident for item in parser.parse(text, NOW)]


class TestCorrection:
    def test_a_restated_correction_left_in_the_line_is_doubted(self) -> None:
        assert doubts(DONE, "125 焊接完成 哦不对 是涂装") == [Doubt.CORRECTION]
        assert doubts(CHANGE, "534 数量改成350台 写错了 应该是380台") == [Doubt.CORRECTION]
        assert doubts(DONE, "630 入库了吗 不对 问的是631") == [Doubt.CORRECTION]

    def test_a_misprint_or_a_fault_reported_as_a_problem_is_no_correction(self) -> None:
        assert doubts(DONE, "124的标签打错了 型号印成B款了") == []
        assert doubts(DONE, "125 尺寸不对") == []

    def test_through_the_parser(self, parser: Parser) -> None:
        # (a correction the normaliser resolves never reaches the check: "改成350台 写错了 应该是380台")
        assert confident(parser, "126 涂装做了一半 口误 做完了") == [False]
        assert confident(parser, "126 焊接完成 记错了 是昨天完成的") == [False]
        assert confident(parser, "126 焊接完成") == [True]


class TestCompetingShares:
    def test_two_shares_for_one_progress_item_are_doubted(self, parser: Parser) -> None:
        assert doubts(UNDER_WAY, "277 组装 装了一半多一点 大概55%") == [Doubt.COMPETING_SHARES]
        assert confident(parser, "277 组装 装了一半多一点 大概55%") == [False]

    def test_one_share_per_item_is_read_as_said(self, parser: Parser) -> None:
        assert confident(parser, "222 焊接80% 喷涂20%") == [True, True]
        assert confident(parser, "124 涂装80%") == [True]

    def test_a_share_the_sender_settles_is_no_competition(self) -> None:
        assert doubts(UNDER_WAY, "277 装了一半多一点 就按一半算吧") == []

    def test_a_finished_item_is_not_doubted_for_shares(self) -> None:
        assert doubts(DONE, "125 焊接完成 一半 50%") == []


class TestReview:
    def test_review_only_marks_confidence(self) -> None:
        reviewed = review([DONE, UNDER_WAY], "277 焊接完成 总装一半多一点 大概55% 哦不对 是60%")
        assert [item.confident for item in reviewed] == [False, False]
        assert [item.as_dict() | {"confident": True} for item in reviewed] == [
            item.as_dict() | {"confident": True} for item in (DONE, UNDER_WAY)]

    def test_an_item_already_unconfident_stays_so_and_a_clean_line_changes_nothing(self) -> None:
        doubted = ParsedItem("progress", milestone="焊接", status="done", confident=False)
        assert review([doubted, DONE], "125 焊接完成") == [doubted, DONE]
