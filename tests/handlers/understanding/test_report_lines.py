"""Round 4 of issue 11: the lines of shift reports — shares written as fractions, status marks set apart
by spaces, tick marks, and a second step said with its topic first. Examples are our own.
"""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def brief(parser, text):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    return sorted((i["order_no"], i["milestone"], i["status"], i["percent"], i["date"]) for i in items)


@pytest.mark.parametrize("text, milestone, percent", [
    ("3301 喷涂 2/5", "涂装", 40),
    ("K-3302 装配 150/300", "总装", 50),
    ("3303 焊接（45/180）", "焊接", 25),
    ("SO20261201009 质检 12/48台", "质检", 25),
])
def test_a_fraction_after_the_milestone_is_its_share(parser, text, milestone, percent):
    assert brief(parser, text) == [(text.split()[0], milestone, "in_progress", percent, None)]


def test_a_full_fraction_is_done_and_a_possible_date_stays_a_date(parser):
    assert brief(parser, "3304 组装完成240/240") == [("3304", "总装", "done", None, None)]
    assert brief(parser, "3305 发货 12/15") == [("3305", "发货", "in_progress", None, "2026-12-15")]


def test_a_fraction_is_no_list_of_orders_after_an_order(parser):
    assert [i[0] for i in brief(parser, "PO-2026-330 下料 200/800")] == ["PO-2026-330"]
    assert [i[0] for i in brief(parser, "3306/3307 焊接完成")] == ["3306", "3307"]


@pytest.mark.parametrize("text, expected", [
    ("3311 开料 完成 焊接 进行中", [("3311", "下料", "done", None, None), ("3311", "焊接", "in_progress", None, None)]),
    ("3312 焊接 ✓ 喷涂 ✓", [("3312", "涂装", "done", None, None), ("3312", "焊接", "done", None, None)]),
    ("3313 总装 ok 质检 60%", [("3313", "总装", "done", None, None), ("3313", "质检", "in_progress", 60, None)]),
])
def test_a_status_set_apart_by_spaces_belongs_to_the_step_before_it(parser, text, expected):
    assert brief(parser, text) == sorted(expected)


def test_a_second_step_said_topic_first_in_its_own_clause(parser):
    assert brief(parser, "3321 排产完成，料也领齐了") == [
        ("3321", "排产", "done", None, None), ("3321", "领料", "done", None, None)]


@pytest.mark.parametrize("text, second", [
    ("那个3331的焊接今天焊完了然后3332的话是后天焊完", "3332"),
    ("3333 总装好了 3334是明天装完", "3334"),
])
def test_a_second_order_said_with_a_copula_before_its_news_is_an_order(parser, text, second):
    assert (second, "焊接" if "焊" in text else "总装", "in_progress", None, None) in [
        (o, m, s, p, None) for o, m, s, p, _ in brief(parser, text)]


def test_numbering_written_against_an_order_number_is_a_bullet(parser):
    text = "钣金组\n1.3341-02 开料完成\n2.3341-03 焊接一半\n3、3342 喷涂完成"
    assert brief(parser, text) == [("3341-02", "下料", "done", None, None), ("3341-03", "焊接", "in_progress", 50, None),
                                   ("3342", "涂装", "done", None, None)]
    assert brief(parser, "3343 数量改成1.5万")[0][0] == "3343"   # a decimal stays a number


@pytest.mark.parametrize("step", ["折弯", "打磨", "攻丝", "包装"])
def test_a_step_outside_the_template_does_not_take_the_line_befores_milestone(parser, step):
    text = f"今日\n3351 开料完成\n3352 {step}完成"
    assert brief(parser, text) == [("3351", "下料", "done", None, None)]


@pytest.mark.parametrize("text, milestone", [
    ("3361 焊接刚开始，焊机排了两班", "焊接"),
    ("3362 总装在做，排了四个人", "总装"),
])
def test_shifts_or_people_set_on_a_step_schedule_nothing(parser, text, milestone):
    assert [(i[1], i[2]) for i in brief(parser, text)] == [(milestone, "in_progress")]


# ---- round 6: the order said last, an OK mark beside a bare milestone ----------------------------
@pytest.mark.parametrize("text, order, milestone", [
    ("焊接done 6301", "6301", "焊接"),
    ("喷涂完成 6302", "6302", "涂装"),
    ("入库 ok 6303", "6303", "入库"),
    ("终检过了 6304。", "6304", "质检"),
])
def test_an_order_said_last_after_a_completion_mark_is_the_order(parser, text, order, milestone):
    assert brief(parser, text) == [(order, milestone, "done", None, None)]


@pytest.mark.parametrize("text, orders", [
    ("喷涂完成 6305台", {None}),            # a count with its unit
    ("6306 焊接完成 6307", {"6306"}),        # the line already names its order
])
def test_no_order_said_last_with_a_unit_or_after_another_order(parser, text, orders):
    assert {order for order, *_ in brief(parser, text)} == orders


@pytest.mark.parametrize("text, milestone", [
    ("👌 6311 入库", "入库"),
    ("6312 总装 👌", "总装"),
    ("6313 喷涂 OK", "涂装"),
])
def test_an_ok_mark_beside_an_order_and_a_bare_milestone_says_done(parser, text, milestone):
    assert brief(parser, text) == [(text.replace("👌", "").split()[0], milestone, "done", None, None)]


@pytest.mark.parametrize("text", ["6314 收到👌", "好的👌"])
def test_without_a_milestone_or_a_mark_an_ok_hand_or_a_bare_line_reports_nothing(parser, text):
    assert brief(parser, text) == []


# ---- round 6: a sentence of English names the step before its order ---------------------------------
@pytest.mark.parametrize("text, order, milestone, status, percent", [
    ("Truck loaded for PO-6401, it left at 3pm.", "PO-6401", "发货", "done", None),
    ("Hi Tom, welding of KF-6402 is about 40% done.", "KF-6402", "焊接", "in_progress", 40),
    ("Painting for SO-6403 is finished", "SO-6403", "涂装", "done", None),
    ("Assembly of PO-6404 started this morning", "PO-6404", "总装", "in_progress", None),
])
def test_an_english_sentence_naming_the_step_before_its_order(parser, text, order, milestone, status, percent):
    assert brief(parser, text) == [(order, milestone, status, percent, None)]


def test_orders_joined_by_and_in_english_are_a_list(parser):
    assert [o for o, *_ in brief(parser, "PO-6405 and PO-6406 shipped today")] == ["PO-6405", "PO-6406"]


@pytest.mark.parametrize("text", ["Use part M-1203 for the new bracket", "Room B-302 is ready for the meeting"])
def test_a_lettered_code_in_english_with_no_step_is_no_report(parser, text):
    assert brief(parser, text) == []


# ---- round 7 (examples our own) ---------------------------------------------------------------------
@pytest.mark.parametrize(("text", "milestone", "percent"), [
    ("5401 焊接 120 / 300", "焊接", 40),
])
def test_a_fraction_set_apart_by_spaces_is_a_share_not_two_orders(parser, text, milestone, percent):
    assert [(i["order_no"], i["milestone"], i["percent"]) for i in (x.as_dict() for x in parser.parse(text, NOW))] == [
        (text[:4], milestone, percent)]


@pytest.mark.parametrize("text", ["5403 卷料到了，开始开料", "5404 卷材今天到货，已经开料"])
def test_coil_stock_is_no_count_of_rolls(parser, text):
    assert [i.order_no for i in parser.parse(text, NOW)] == [text[:4]]


# (round 7: a writer labels "JJ-121 入库" done; round 5 read such a line as nothing: the bot asks)
@pytest.mark.parametrize("text", ["5405 质检", "B-5406 发货", "6315 入库"])
def test_a_bare_order_and_step_said_alone_is_asked(parser, text):
    assert [(i.status, i.confident) for i in parser.parse(text, NOW)] == [("done", False)]


@pytest.mark.parametrize("text", ["5407 在折弯，下午折完转焊接", "5408 打磨好了交给涂装", "5409 抛光完就转总装"])
def test_a_step_outside_the_template_finished_and_handed_on(parser, text):
    assert parser.parse(text, NOW) == []


@pytest.mark.parametrize("text", ["下周二5410上焊接，5411开始喷漆", "明天5412总装，5413开始下料"])
def test_a_coming_day_said_first_is_the_day_of_every_order_after_it(parser, text):
    assert all(not i.confident or i.date is not None for i in parser.parse(text, NOW) if i.intent == "progress")
    assert all(i.order_no != text[-8:-4] or False for i in parser.parse(text, NOW) if i.confident and i.date is None)
