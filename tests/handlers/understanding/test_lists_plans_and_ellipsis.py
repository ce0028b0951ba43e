"""Round 3 of issue 11: reports laid out as lists and plans, and what one order's words say of another.

Status-labelled lists ("完成：…", "进行中：…"), plan headers whose lines are forecasts, and ellipsis:
an order said after another with nothing, or only a status, of its own. Examples are our own.
"""

import pytest
from datetime import datetime, timedelta, timezone

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def brief(parser, text):
    """(order, milestone, status or intent, date, confident) per item, in a stable order."""
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    return sorted((i["order_no"], i["milestone"], i["status"] or i["intent"], i["date"], i.get("confident", True))
                  for i in items)


# ---- status-labelled lists -------------------------------------------------------------------
def test_a_status_label_before_a_list_of_pairs_governs_every_pair(parser):
    assert brief(parser, "已完成：701 下料、702 喷涂、703 装配") == [
        ("701", "下料", "done", None, True), ("702", "涂装", "done", None, True), ("703", "总装", "done", None, True)]


def test_a_pair_with_its_own_percent_under_a_progressive_label(parser):
    assert brief(parser, "在做：704 焊接 30%、705 质检") == [
        ("704", "焊接", "in_progress", None, True), ("705", "质检", "in_progress", None, True)]


def test_a_status_label_on_a_line_of_its_own_heads_the_lines_below(parser):
    text = "完成：\n711 喷涂\n712 总装\n进行中：\n713 质检\n714 焊接 完成"
    assert brief(parser, text) == [
        ("711", "涂装", "done", None, True), ("712", "总装", "done", None, True),
        ("713", "质检", "in_progress", None, True), ("714", "焊接", "done", None, True)]


# ---- plan headers ----------------------------------------------------------------------------
def test_lines_under_a_dated_plan_header_are_forecasts_for_its_day(parser):
    text = "出货安排 12月5日\n721 上午装车\n722 下午出货"
    assert brief(parser, text) == [("721", "发货", "in_progress", "2026-12-05", True),
                                   ("722", "发货", "in_progress", "2026-12-05", True)]


def test_a_line_with_its_own_day_under_a_plan_keeps_its_day_and_a_done_line_stays_done(parser):
    text = "下周发货计划\n731 周一\n732 已发"
    assert brief(parser, text) == [("731", "发货", "in_progress", "2026-12-07", True),
                                   ("732", "发货", "done", None, True)]


def test_a_production_plan_header_is_scheduling_not_a_forecast(parser):
    assert brief(parser, "生产计划\n741\n742") == []


# ---- ellipsis: a second order with nothing, or only a status, of its own ---------------------
def test_a_second_order_said_to_be_the_same_repeats_the_reading(parser):
    assert brief(parser, "0611 喷好了 0612也一样") == [("0611", "涂装", "done", None, True),
                                                    ("0612", "涂装", "done", None, True)]


def test_and_also_another_order_after_a_question_asks_the_same(parser):
    assert brief(parser, "0621 质检做完了吗 还有0622") == [("0621", "质检", "query", None, True),
                                                       ("0622", "质检", "query", None, True)]


def test_a_second_order_with_only_a_status_takes_the_milestone_before(parser):
    assert brief(parser, "0631 总装60% 0632 90%") == [("0631", "总装", "in_progress", None, True),
                                                      ("0632", "总装", "in_progress", None, True)]
    assert brief(parser, "0641焊完了 0642还差一点") == [("0641", "焊接", "done", None, True),
                                                    ("0642", "焊接", "in_progress", None, True)]


def test_a_bare_number_after_an_order_is_not_an_order_without_the_same_form(parser):
    assert brief(parser, "0651 喷涂完成 还有30") == [("0651", "涂装", "done", None, True)]
    assert brief(parser, "0651 喷涂完成 0652") == [("0651", "涂装", "done", None, True)]
    assert brief(parser, "0653 数量 500→600")[0][0] == "0653"   # a changed count is no order


# ---- headers, labels and bare report lines ----------------------------------------------------
def test_a_header_with_a_coming_day_makes_a_plan_even_without_a_plan_word(parser):
    assert brief(parser, "后天装车：\n751\n752 两托") == [("751", "发货", "in_progress", "2026-12-05", True),
                                                       ("752", "发货", "in_progress", "2026-12-05", True)]


def test_orders_listed_under_a_milestone_label_reached_it(parser):
    assert brief(parser, "仓管\n入库：761、762\n今日出货：763") == [
        ("761", "入库", "done", None, True), ("762", "入库", "done", None, True), ("763", "发货", "done", None, True)]


def test_a_bare_order_and_milestone_line_in_a_report_is_done(parser):
    assert brief(parser, "771 喷涂\n772 总装 完\n773 焊接中") == [
        ("771", "涂装", "done", None, True), ("772", "总装", "done", None, True),
        ("773", "焊接", "in_progress", None, True)]
    # one line alone is not surely a report (round 7: a writer labels it done): the bot asks
    assert brief(parser, "771 喷涂") == [("771", "涂装", "done", None, False)]


def test_an_order_line_that_introduces_what_follows_is_a_header_not_a_question(parser):
    text = "781 最新情况如下：\n下料完成\n焊接80%"
    assert brief(parser, text) == [("781", "下料", "done", None, True), ("781", "焊接", "in_progress", None, True)]


def test_a_general_question_over_lines_of_bare_orders_asks_of_each(parser):
    assert brief(parser, "帮我查一下这几个单\n791\n792") == [("791", None, "query", None, True),
                                                            ("792", None, "query", None, True)]


def test_a_start_still_to_come_is_no_progress_yet(parser):
    assert brief(parser, "795 下料完了，后天开焊") == [("795", "下料", "done", None, True)]
    assert brief(parser, "796 开喷了") == [("796", "涂装", "in_progress", None, True)]


def test_a_start_in_a_coming_week_is_planned_not_under_way(parser):
    assert brief(parser, "797 焊接完了然后下个礼拜开始喷涂") == [("797", "焊接", "done", None, True)]
    assert brief(parser, "798 排产已完成，下周开工") == [("798", "排产", "done", None, True)]


def test_run_on_speech_gives_a_coming_day_to_the_next_step(parser):
    assert brief(parser, "799 喷涂做完了然后呢下个礼拜一总装") == [
        ("799", "总装", "in_progress", "2026-12-07", False), ("799", "涂装", "done", None, True)]
    assert brief(parser, "800 质检做完了然后明天一早就入裤") == [
        ("800", "入库", "in_progress", "2026-12-04", True), ("800", "质检", "done", None, True)]


def test_a_later_order_with_only_a_coming_day_takes_the_milestone_before(parser):
    assert brief(parser, "801和802都入库了 803后天入") == [
        ("801", "入库", "done", None, True), ("802", "入库", "done", None, True),
        ("803", "入库", "in_progress", "2026-12-05", True)]


def test_lines_under_a_not_started_label_report_nothing(parser):
    assert brief(parser, "今日\n未开始：\n811 总装\n812 焊接") == []


def test_lines_under_an_unfinished_label_are_asked(parser):
    assert brief(parser, "今日\n未完成：\n813 总装") == [("813", "总装", "in_progress", None, False)]
    assert brief(parser, "未完成：814 喷涂") == [("814", "涂装", "in_progress", None, False)]


def test_a_header_of_only_a_coming_day_plans_its_lines(parser):
    assert brief(parser, "后天：\n821 发货\n822 总装") == [("821", "发货", "in_progress", "2026-12-05", True),
                                                        ("822", "总装", "in_progress", "2026-12-05", False)]


def test_bare_lines_under_a_problem_header_are_no_completions(parser):
    assert brief(parser, "异常：\n823 焊接\n824 喷涂") == []


def test_a_day_heading_a_plan_line_stands_before_its_order(parser):
    assert brief(parser, "出货计划\n12/7：831\n12/9：832") == [("831", "发货", "in_progress", "2026-12-07", True),
                                                              ("832", "发货", "in_progress", "2026-12-09", True)]


def test_a_planned_start_with_a_forecast_end_is_a_forecast_for_the_end(parser):
    assert brief(parser, "833 预计下周一开始焊接，周三焊完") == [("833", "焊接", "in_progress", "2026-12-09", True)]


def test_a_plan_label_heads_every_pair_of_its_line(parser):
    assert brief(parser, "后天计划：841 喷涂，842 总装") == [("841", "涂装", "in_progress", "2026-12-05", False),
                                                          ("842", "总装", "in_progress", "2026-12-05", False)]
    assert brief(parser, "后天计划：843 发货，844 入库") == [("843", "发货", "in_progress", "2026-12-05", True),
                                                          ("844", "入库", "in_progress", "2026-12-05", True)]


def _items(parser, text):
    return [item.as_dict() for item in parser.parse(text, NOW)]


@pytest.mark.parametrize("text", [
    "5120 总装还没开始，计划下周二上线",
    "5121 喷涂没动，安排后天开始",
    "5122 还没开始焊，计划周五开工",
])
def test_a_start_planned_again_after_not_started_is_no_progress(parser, text):
    assert _items(parser, text) == []


def test_a_planned_start_with_a_forecast_finish_keeps_the_forecast(parser):
    items = _items(parser, "5123 总装还没开始，计划明天开始，预计下周一完成")
    assert [(i["milestone"], i["status"], i["date"]) for i in items] == [("总装", "in_progress", "2026-12-07")]


# ---- round 6: a coming day and a step that takes time, with no aspect of its own ---------------------
@pytest.mark.parametrize("text, milestone, day", [
    ("5140 下周一质检", "质检", "2026-12-07"),
    ("5141 明天焊接", "焊接", "2026-12-04"),
    ("5142 后天总装 总装好了就打包", "总装", "2026-12-05"),
    ("5143 涂装完了 明天叫品检来看", "质检", "2026-12-04"),
])
def test_a_coming_day_and_a_lasting_step_alone_is_asked(parser, text, milestone, day):
    assert (text[:4], milestone, "in_progress", day, False) in brief(parser, text)


@pytest.mark.parametrize("text, milestone, day", [
    ("5144 明天焊完", "焊接", "2026-12-04"),              # its end said
    ("5145 预计下周一质检", "质检", "2026-12-07"),        # a forecast word
    ("5146 明天发货", "发货", "2026-12-04"),              # a step at a point happens that day
])
def test_an_end_a_forecast_or_a_step_at_a_point_is_a_confident_forecast(parser, text, milestone, day):
    assert brief(parser, text) == [(text[:4], milestone, "in_progress", day, True)]


@pytest.mark.parametrize(("text", "done", "under_way"), [
    ("5301 已排单，备料中", "排产", "领料"),
    ("5302 已经下料，焊接进行中", "下料", "焊接"),
    ("5303 已焊接，喷漆中", "焊接", "涂装"),
    ("5304 已组装，QC进行中", "总装", "质检"),
])
def test_perfective_before_one_step_and_progressive_after_the_next_are_two_clauses(parser, text, done, under_way):
    # "已 X，Y 中": 已 marks X finished and 中 marks Y under way; not one list sharing an aspect
    order = text.split()[0]
    assert brief(parser, text) == sorted([(order, done, "done", None, True), (order, under_way, "in_progress", None, True)])


def test_a_list_with_one_aspect_after_it_still_shares_it(parser):
    # (no 已 of the first step's own: "焊接，喷涂中" lists both under way)
    assert brief(parser, "5305 焊接，喷涂中") == sorted([("5305", "焊接", "in_progress", None, True),
                                                       ("5305", "涂装", "in_progress", None, True)])
