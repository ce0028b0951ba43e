"""A deployment's extra template (an electronics line) is understood without code changes."""

from datetime import datetime

from handlers.templates import DEFAULT_TEMPLATE, MilestoneSpec, Template, TemplateSet
from handlers.understanding import Parser

NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
ELECTRONICS = Template(
    name="电子",
    milestones=(
        MilestoneSpec("SMT贴片", ("贴片", "SMT")),
        MilestoneSpec("插件", ("DIP", "手插")),
        MilestoneSpec("波峰焊", ("过波峰",)),
        MilestoneSpec("老化测试", ("老化", "烤机")),
        MilestoneSpec("包装", ("打包",)),
    ),
)


def parse(parser, text):
    return [(i.order_no, i.intent, i.milestone, i.status, i.percent, i.category) for i in parser.parse(text, NOW)]


def test_second_template_milestones_and_synonyms():
    parser = Parser(TemplateSet((DEFAULT_TEMPLATE, ELECTRONICS)))
    assert parse(parser, "E2311-05 SMT贴片完成") == [("E2311-05", "progress", "SMT贴片", "done", None, None)]
    assert parse(parser, "E2311-06 贴片80%") == [("E2311-06", "progress", "SMT贴片", "in_progress", 80, None)]
    assert parse(parser, "E2311-07 插件完成，波峰焊开始") == [
        ("E2311-07", "progress", "插件", "done", None, None),
        ("E2311-07", "progress", "波峰焊", "in_progress", None, None),
    ]
    assert parse(parser, "E2311-08 老化测试不通过") == [("E2311-08", "exception", "老化测试", None, None, "quality")]
    assert parse(parser, "E2311-09 已打包") == [("E2311-09", "progress", "包装", "done", None, None)]
    # the default template's words still work beside it
    assert parse(parser, "123 焊接完成") == [("123", "progress", "焊接", "done", None, None)]


def test_longest_word_wins_across_templates():
    # 波峰焊 contains the default template's 焊; the longer electronics word must win
    parser = Parser([DEFAULT_TEMPLATE, ELECTRONICS])
    assert parse(parser, "E2311-10 波峰焊完成") == [("E2311-10", "progress", "波峰焊", "done", None, None)]


def test_default_only_parser_does_not_know_electronics_words():
    parser = Parser(TemplateSet())
    assert parse(parser, "E2311-11 老化测试完成") == []
