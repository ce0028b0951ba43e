"""Round 6 of issue 11: how the shop floor says a step — the cutting verb 割, a part of the step finished
while another has not begun, an order number followed by the part it names. Examples are our own.
"""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def brief(parser, text):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    return sorted((i["intent"], i["order_no"], i["milestone"], i["status"], i["percent"]) for i in items)


@pytest.mark.parametrize("text, status, percent", [
    ("5109 立柱割好了", "done", None),
    ("5110 还在割", "in_progress", None),
    ("5111 割了一半", "in_progress", 50),
    ("5113 板材割完了", "done", None),
])
def test_the_cutting_verb_ge_names_cutting(parser, text, status, percent):
    assert brief(parser, text) == [("progress", text[:4], "下料", status, percent)]


@pytest.mark.parametrize("text", ["手割了个口子", "5114 割草机坏了 找人来修"])
def test_ge_with_no_order_or_as_part_of_a_machine_names_no_cutting(parser, text):
    assert all(item[2] != "下料" for item in brief(parser, text))


@pytest.mark.parametrize("text, milestone", [
    ("5101 底座焊好了 支架还没开始焊", "焊接"),
    ("5108 底座焊接完成 支架还没焊接", "焊接"),
    ("5115 面板割完了 侧板还没割", "下料"),
    ("5116 外箱喷好了，内衬还没喷", "涂装"),
])
def test_one_part_finished_and_another_not_begun_is_under_way(parser, text, milestone):
    assert brief(parser, text) == [("progress", text[:4], milestone, "in_progress", None)]


@pytest.mark.parametrize("text", ["5104 焊接完成，涂装还没开始", "5117 焊好了 还没喷"])
def test_the_next_step_not_begun_leaves_the_finished_one_done(parser, text):
    assert ("progress", text[:4], "焊接", "done", None) in brief(parser, text)


@pytest.mark.parametrize("text, milestone", [
    ("SO20261201005 支架 焊好了", "焊接"),
    ("PO-2026-301 车架 喷完了", "涂装"),
    ("K-2612-08 箱体 装好了", "总装"),
])
def test_an_order_number_of_its_own_form_before_a_part_named_with_a_unit_character(parser, text, milestone):
    assert brief(parser, text) == [("progress", text.split()[0], milestone, "done", None)]


@pytest.mark.parametrize("text, milestone, percent", [
    ("5123 周一就开了 现在割了七成", "下料", 70),
    ("5124 礼拜二已经上线了 焊了一半", "焊接", 50),
    ("5125 星期一开始了 装了三成", "总装", 30),
])
def test_a_start_on_a_weekday_already_past_gives_no_forecast(parser, text, milestone, percent):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    assert [(i["milestone"], i["status"], i["percent"], i["date"]) for i in items] == [
        (milestone, "in_progress", percent, None)]


def test_a_forecast_beside_a_past_start_keeps_its_day(parser):
    [item] = parser.parse("5126 周一就开了 预计周五焊完", NOW)
    assert (item.status, item.date.isoformat()) == ("in_progress", "2026-12-04")
