"""Round 3 of issue 11: shares of work said loosely, and aspect said around the milestone (examples our own)."""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def one(parser, text):
    [item] = [item.as_dict() for item in parser.parse(text, NOW)]
    return item["intent"], item["milestone"], item["status"], item["percent"], item["date"]


@pytest.mark.parametrize(("text", "percent"), [
    ("841 喷涂做了五六成", None),            # a range: under way, no one share
    ("842 焊接完成七成五", 75),               # tenths and a half tenth
    ("843 总装一半多点，大概百分之五十五", 55),  # the precise share said after 一半
    ("844 下料还有四成没切", 60),             # what is left, as a share
    ("845 质检还差10%", 90),                 # …also after 还差: work left, not parts missing
    ("846 焊接完成率 85%", 85),              # the milestone's own completion rate
])
def test_shares(parser, text, percent):
    assert one(parser, text)[2:4] == ("in_progress", percent)


def test_a_statistic_rate_is_no_progress(parser):
    assert [i.as_dict() for i in parser.parse("847 焊接合格率 97%", NOW)] == []


def test_started_and_forecast_to_finish(parser):
    assert one(parser, "851 已经开始装配，后天能装完") == ("progress", "总装", "in_progress", None, "2026-12-05")
    assert one(parser, "852 已经喷涂，明天能喷完") == ("progress", "涂装", "in_progress", None, "2026-12-04")


def test_a_finishing_touch_on_a_coming_day_is_a_forecast_not_a_planned_start(parser):
    assert one(parser, "853 焊接后天收尾") == ("progress", "焊接", "in_progress", None, "2026-12-05")


def test_may_move_on_is_not_moved_on(parser):
    assert [(i.milestone, i.status) for i in parser.parse("854 喷涂完成，可以转装配", NOW)] == [("涂装", "done")]


@pytest.mark.parametrize(("text", "milestone"), [
    ("855 排上了没", "排产"), ("856 料齐了吗", "领料"), ("857 漆喷得怎么样了", "涂装")])
def test_a_question_names_its_milestone_by_a_verb_or_a_noun(parser, text, milestone):
    assert one(parser, text)[:2] == ("query", milestone)


def test_kit_complete_alone_is_material_issued(parser):
    assert one(parser, "858 齐套了") == ("progress", "领料", "done", None, None)


@pytest.mark.parametrize(("text", "status"), [
    ("891 喷涂做晒啦", "done"),          # Cantonese 晒 after a verb: all done
    ("892 焊接弄归一了", "done"),         # Sichuan 归一: finished
    ("893 发货嘞", "done"),              # 嘞 as a sentence-final 了
    ("894 总装差最后一道工序", "in_progress"),   # only the last step left: nearly done
])
def test_regional_aspect(parser, text, status):
    assert one(parser, text)[2] == status


def test_a_bare_verb_after_a_coming_day_forecasts_it(parser):
    items = [(i.milestone, i.status, i.date) for i in parser.parse("895 质检完成，后天发", NOW)]
    assert items == [("质检", "done", None), ("发货", "in_progress", datetime(2026, 12, 5).date())]


def test_tonight_is_no_delay(parser):
    assert one(parser, "896 今晚加班能把喷涂干完")[:3] == ("progress", "涂装", "in_progress")


def test_a_milestone_then_not_another_keeps_the_first(parser):
    assert one(parser, "897 是总装完成，不是质检")[:3] == ("progress", "总装", "done")


@pytest.mark.parametrize("text", ["逾期的单列一下", "本周要交的订单汇总一下"])
def test_list_or_sum_up_the_orders_is_a_general_question(parser, text):
    assert one(parser, text)[:2] == ("query", None)


@pytest.mark.parametrize(("text", "milestone"), [("921 货发出去了", "发货"), ("922 料都领出来了", "领料")])
def test_a_verb_with_a_directional_result_is_done(parser, text, milestone):
    assert one(parser, text)[1:3] == (milestone, "done")


def test_the_plan_word_with_its_verb_is_one_mention(parser):
    assert one(parser, "923 生产计划下了")[1:3] == ("排产", "done")
    assert one(parser, "924 生产计划已下发")[1:3] == ("排产", "done")


def test_a_count_of_days_until_the_completion_forecasts_its_day(parser):
    assert one(parser, "931 总装开始了，四天能装完") == ("progress", "总装", "in_progress", None, "2026-12-07")
    assert one(parser, "932 焊接两天内就能做好") == ("progress", "焊接", "in_progress", None, "2026-12-05")


def test_a_machine_head_is_no_milestone(parser):
    assert parser.parse("933 切割头换了个新的", NOW) == []


def test_an_english_past_participle_said_of_today_is_done(parser):
    assert one(parser, "PO-941 shipped today")[1:3] == ("发货", "done")
    assert one(parser, "PO-942 will be shipped tomorrow")[1:] == ("发货", "in_progress", None, "2026-12-04")


def test_goods_going_out_on_a_coming_day(parser):
    assert one(parser, "943 啲貨聽日出") == ("progress", "发货", "in_progress", None, "2026-12-04")


def test_what_is_left_said_loosely(parser):
    assert one(parser, "951 装配还差大概两成")[2:4] == ("in_progress", 80)


def test_may_be_done_on_a_coming_day_is_a_forecast(parser):
    assert one(parser, "952 明天就可以入库了") == ("progress", "入库", "in_progress", None, "2026-12-04")
    assert parser.parse("953 可以入库了", NOW) == []


def test_the_inspection_of_a_stage_is_the_inspection(parser):
    assert one(parser, "961 出货检验通过")[1:3] == ("质检", "done")


def test_a_signature_at_acceptance_and_a_plan_handed_down(parser):
    assert one(parser, "962 客户验收签字了")[1:3] == ("验收", "done")
    assert one(parser, "963 计划已下达车间")[1:3] == ("排产", "done")


def test_already_before_a_one_character_verb_is_done(parser):
    assert one(parser, "971 已检")[1:3] == ("质检", "done")
    assert parser.parse("972 货已装", NOW) == []   # goods loaded or assembled: no guess


def test_the_first_batch_out_is_a_partial_shipment(parser):
    assert one(parser, "973 第一批已发，第二批下周")[1:3] == ("发货", "in_progress")
