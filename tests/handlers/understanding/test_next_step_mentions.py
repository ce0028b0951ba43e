"""Round 4 of issue 11: which milestone an item belongs to when a report names the step that comes next.

"X 完成，明天 Y" / "X 完成，转 Y": the news is X; Y is where the goods go next. Handed on (转, 交给,
排在) is no progress of Y; a coming day said of a step that takes time is its planned start or a
forecast of its end (label writers differ: the bot asks); a coming day said of a step that happens at
a point (入库, 发货) is when it happens, a forecast. Plans under a plan header read alike. Examples are
our own.
"""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def brief(parser, text):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    return sorted((i["order_no"], i["milestone"], i["status"] or i["intent"], i["date"], i.get("confident", True))
                  for i in items)


@pytest.mark.parametrize("text, done", [
    ("3101 切割好了，转焊接", "下料"),
    ("3102 焊接完了 下午转喷漆", "焊接"),
    ("3103 喷涂已完成，明早交给总装", "涂装"),
    ("3104 组装做完了，排在后天品检", "总装"),
    ("3105 开料完成转焊", "下料"),
])
def test_a_step_handed_on_after_a_finished_one_is_no_progress(parser, text, done):
    assert brief(parser, text) == [(text.split()[0], done, "done", None, True)]


@pytest.mark.parametrize("text, done, following", [
    ("3111 装配好了，明天QC", "总装", "质检"),
    ("3112 焊接完成 后天喷塑", "焊接", "涂装"),
    ("3113 喷好了然后明天就可以那个组装", "涂装", "总装"),
    ("3114 下料弄完了，周五焊", "下料", "焊接"),
])
def test_a_coming_day_for_the_next_step_that_takes_time_is_asked(parser, text, done, following):
    order = text.split()[0]
    items = brief(parser, text)
    assert (order, done, "done", None, True) in items
    [(_, milestone, status, _, confident)] = [i for i in items if i[1] != done]
    assert (milestone, status, confident) == (following, "in_progress", False)


@pytest.mark.parametrize("text, following", [
    ("3121 终检过了，明天进仓", "入库"),
    ("3122 入库完成，后天出货", "发货"),
])
def test_a_coming_day_for_a_step_at_a_point_forecasts_it(parser, text, following):
    items = brief(parser, text)
    assert [i for i in items if i[1] == following] == [
        (text.split()[0], following, "in_progress", "2026-12-04" if "明天" in text else "2026-12-05", True)]


@pytest.mark.parametrize("text, following", [
    ("3124 排产排好了，计划下周二开料", "下料"),     # 计划 plans the step; it estimates no finish
    ("3125 喷涂完了 明天叫品检来看", "质检"),   # someone asked to come on a coming day
    ("3126 下料完了 焊接后天安排", "焊接"),           # the next step named first, its day and a plan after
    ("3127 组装好了，明后天QC", "质检"),
    ("3128 焊接完成 涂装周五排", "涂装"),
])
def test_the_next_step_planned_in_any_word_order_is_asked(parser, text, following):
    items = brief(parser, text)
    assert [(i[2], i[4]) for i in items if i[1] != following] == [("done", True)]
    [(_, _, status, _, confident)] = [i for i in items if i[1] == following]
    assert (status, confident) == ("in_progress", False)


@pytest.mark.parametrize("text", [
    "3131 焊接完成，喷涂预计周五做完",      # a forecast of its own
    "3132 下料完成，焊接已经在做了",         # under way
    "3133 焊完了，已转喷涂",                 # moved on already
    "3134 焊接完成，涂装明天能喷完",
    "3135 质检完成，预计后天发货",            # an estimate of its own
])
def test_the_next_step_with_news_of_its_own_is_read_as_said(parser, text):
    items = brief(parser, text)
    assert len(items) == 2 and all(i[4] for i in items)


def test_a_plan_for_a_step_that_takes_time_is_asked_and_a_shipment_is_a_forecast(parser):
    text = "今日完成\n3141 焊接\n3142 下料\n明日安排\n3142 焊接\n3143 发货"
    assert brief(parser, text) == [
        ("3141", "焊接", "done", None, True), ("3142", "下料", "done", None, True),
        ("3142", "焊接", "in_progress", "2026-12-04", False), ("3143", "发货", "in_progress", "2026-12-04", True)]


@pytest.mark.parametrize("text, done, following", [
    ("3151 物料到齐了，下午开料", "领料", "下料"),
    ("3152 切割完了 晚上焊", "下料", "焊接"),
    ("3153 焊好了，下班前喷漆", "焊接", "涂装"),
    ("3154 排单排好了 下午就可以开料", "排产", "下料"),
])
def test_the_next_step_later_today_is_asked_like_a_coming_day(parser, text, done, following):
    # a part of today still to come ("下午", "晚上", "下班前") plans the next step as a coming day does
    order = text.split()[0]
    items = brief(parser, text)
    assert (order, done, "done", None, True) in items
    [(_, milestone, status, _, confident)] = [i for i in items if i[1] != done]
    assert (milestone, status, confident) == (following, "in_progress", False)
