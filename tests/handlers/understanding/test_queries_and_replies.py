"""Round 4 of issue 11: what is a question about an order's status, and what is talk about the order.

A question of what the order is ("…是加急单吗", "…是给哪家做的吧" said as a guess, "是先…还是…"), the
sender's own errand ("我问下车间", "我要看一下尺寸"), and a quoted message heading a reply ask nothing
of the bot; an order asked about by itself ("那3211呢"), a tag question "…了吧", a count of orders
("有几张单…") and "什么时候出" (the shipment) do. Examples are our own.
"""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def brief(parser, text):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    return sorted((i["intent"], i["order_no"], i["milestone"], i["status"], i.get("confident", True)) for i in items)


@pytest.mark.parametrize("text", [
    "3201 是样机单吗？",
    "3202是返单吧？",
    "3203 是老客户的单子吗",
    "3204 是先喷塑还是直接装配？",
    "3205是给苏州那边做的吧",
])
def test_a_question_of_what_the_order_is_asks_nothing_of_its_status(parser, text):
    assert brief(parser, text) == []


@pytest.mark.parametrize("text, milestone", [
    ("3206 是在焊接还是在喷涂？", None),
    ("3207 是今天发货吗", "发货"),
    ("3208是不是已经入库了", "入库"),
])
def test_a_copula_question_of_the_status_stays_a_question(parser, text, milestone):
    assert [(i[0], i[1], i[2]) for i in brief(parser, text)][:1] == [("query", text[:4], milestone)] or \
        [i[0] for i in brief(parser, text)] == ["query"]


@pytest.mark.parametrize("text", [
    "3211 我问下车间主任",
    "3212 我去查一下图纸尺寸",
    "3213 的铭牌我再确认一下",
])
def test_the_senders_own_errand_is_no_question(parser, text):
    assert brief(parser, text) == []


def test_looking_up_the_status_oneself_still_asks_it(parser):
    assert [i[0] for i in brief(parser, "帮我查一下3214的进度")] == ["query"]


@pytest.mark.parametrize("text, order", [("那3221呢", "3221"), ("那 A2612-05 呢？", "A2612-05")])
def test_an_order_asked_about_by_itself(parser, text, order):
    assert brief(parser, text) == [("query", order, None, None, True)]


@pytest.mark.parametrize("text, milestone", [("3231 可以发货了吧", "发货"), ("3232 喷完了吧？", "涂装")])
def test_a_tag_question_with_le_ba_asks_for_confirmation(parser, text, milestone):
    assert brief(parser, text) == [("query", text[:4], milestone, None, True)]


@pytest.mark.parametrize("text", ["有几张单下周要出的？", "这个月有多少张订单没交？"])
def test_a_count_of_orders_is_a_general_question(parser, text):
    assert brief(parser, text) == [("query", None, None, None, True)]


@pytest.mark.parametrize("text", ["3241 什么时候出？", "3242 几号能出"])
def test_when_will_it_go_out_asks_of_the_shipment(parser, text):
    assert brief(parser, text) == [("query", text[:4], "发货", None, True)]


def test_a_quoted_question_is_answered_by_the_reply_below(parser):
    text = "> 老陈：3251 焊好了吗？\n焊好了，下午喷"
    assert [(i[0], i[1], i[2], i[3]) for i in brief(parser, text)][:1] == [("progress", "3251", "焊接", "done")]
    assert all(i[0] != "query" for i in brief(parser, text))
    assert brief(parser, "回复 小刘：3252 装好了没\n总装做了一半") == [("progress", "3252", "总装", "in_progress", True)]


def test_a_bullet_list_is_no_quote(parser):
    assert brief(parser, "> 3261 焊接完成\n> 3262 喷涂完成") == [
        ("progress", "3261", "焊接", "done", True), ("progress", "3262", "涂装", "done", True)]


@pytest.mark.parametrize("text", ["3271 的合格证扫描件发群里了，请查收", "3272 对账单已寄出，麻烦查收一下"])
def test_please_check_receipt_asks_nothing(parser, text):
    assert brief(parser, text) == []


# ---- round 6: a reply naming no step answers of the step the quoted message asked about -------------
@pytest.mark.parametrize("text, milestone, status, date", [
    ("回复 阿明：3281 喷涂好了没\n好了", "涂装", "done", None),
    ("> 小李：3282 几时入库？\n预计明天", "入库", "in_progress", "2026-12-04"),
    ("回复 周工：3283 组装得未\n还在做，差不多一半", "总装", "in_progress", None),
    ("引用 王姐：3284 终检过了没\n过了 👌", "质检", "done", None),
])
def test_a_bare_reply_answers_of_the_quoted_step(parser, text, milestone, status, date):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    assert [(i["intent"], i["order_no"], i["milestone"], i["status"], i["date"]) for i in items] == [
        ("progress", text.split("：")[1][:4], milestone, status, date)]


@pytest.mark.parametrize("text", [
    "回复 阿明：3285 喷涂好了没\n收到",                 # an acknowledgement answers nothing
    "回复 阿明：3286 焊接和喷涂都好了吗\n好了",          # two steps asked: which one is answered?
    "回复 阿明：3287 喷涂好了没\n我去问下",              # the sender's own errand
])
def test_a_reply_that_reports_nothing_or_answers_two_steps_records_no_step(parser, text):
    assert all(i[0] != "progress" or i[2] is None for i in brief(parser, text))


# ---- round 6: questions in more forms (examples our own) --------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("边啲单听日要装车？", [("query", None, "发货", None, True)]),
    ("琴日边张单冇出货", [("query", None, "发货", None, True)]),
    ("5102 而家去到边步", [("query", "5102", None, None, True)]),
    ("哪张单今天要入库", [("query", None, "入库", None, True)]),
])
def test_which_order_in_cantonese_and_mandarin_is_a_question(parser, text, expected):
    assert brief(parser, text) == expected


@pytest.mark.parametrize("text", ["那边个仓库满了", "旁边个车间在喷漆"])
def test_bian_as_a_side_is_no_question(parser, text):
    assert [i for i in brief(parser, text) if i[0] == "query"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("有没有单在等质检？", [("query", None, "质检", None, True)]),
    ("有冇单今日入库", [("query", None, "入库", None, True)]),
    ("5103 卡在哪了", [("query", "5103", None, None, True)]),
    ("5104 卡喺边度？", [("query", "5104", None, None, True)]),
])
def test_whether_any_order_is_in_a_state_or_where_one_is_stuck(parser, text, expected):
    assert brief(parser, text) == expected


@pytest.mark.parametrize(("text", "milestone"), [
    ("5105 焊到几成了", "焊接"),
    ("5106焊得点样", "焊接"),
    ("老板问5107焊到哪了", "焊接"),
    ("5108 焊得咋样了？", "焊接"),
])
def test_how_far_a_one_character_step_got_names_its_milestone(parser, text, milestone):
    assert brief(parser, text) == [("query", text[text.index("5"):text.index("5") + 4], milestone, None, True)]


def test_a_step_done_well_is_no_question(parser):
    assert [i for i in brief(parser, "5109 焊得很漂亮") if i[0] == "query"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Can you confirm whether PO-5110 has passed QC?", [("query", "PO-5110", "质检", None, True)]),
    ("Any update on SO-5111 and SO-5112?", [("query", "SO-5111", None, None, True), ("query", "SO-5112", None, None, True)]),
    ("Pls advise the status of po-5113", [("query", "PO-5113", None, None, True)]),
])
def test_an_english_question_about_a_po_or_so(parser, text, expected):
    assert brief(parser, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("5201 焊接 ok 喷涂 仲未", [("progress", "5201", "焊接", "done", True)]),
    ("5202 下料完成 焊接还未", [("progress", "5202", "下料", "done", True)]),
])
def test_still_not_is_a_statement_not_a_question(parser, text, expected):
    assert brief(parser, text) == expected


def test_not_yet_asked_after_a_verb_stays_a_question(parser):
    assert brief(parser, "5203 装咗未") == [("query", "5203", "总装", None, True)]


@pytest.mark.parametrize("text", ["5204 等质检 排队呢", "5205 在等料呢", "5206 等着呢"])
def test_ne_after_something_going_on_asks_nothing(parser, text):
    assert [i for i in brief(parser, text) if i[0] == "query"] == []


@pytest.mark.parametrize("text", ["5207 在哪呢", "5208 焊接呢"])
def test_ne_after_a_question_or_a_topic_still_asks(parser, text):
    assert [i[0] for i in brief(parser, text)] == ["query"]


@pytest.mark.parametrize(("text", "expected"), [
    ("5209 焊好了 你看下焊缝", [("progress", "5209", "焊接", "done", True)]),
    ("5210 装完了 麻烦看看效果ok不ok", [("progress", "5210", "总装", "done", True)]),
])
def test_a_look_asked_for_after_a_completion_is_no_question(parser, text, expected):
    assert brief(parser, text) == expected


def test_a_look_at_the_progress_is_still_a_question(parser):
    assert [i[0] for i in brief(parser, "5211 焊好了 看下进度")][:1] in (["query"], ["progress"])
    assert [i[0] for i in brief(parser, "5212 看下进度")] == ["query"]


@pytest.mark.parametrize("text", [
    "请问5213的报关单什么时候出",
    "5214 合格证几号能出？",
    "5215 这单总共数量是多少来着",
    "客户想看看5216喷涂的照片，谁方便拍下",
    "仓库这边问一下，5217 的出货清单谁手上有？",
])
def test_questions_about_papers_photos_or_the_count_ask_nothing_of_status(parser, text):
    assert brief(parser, text) == []


def test_a_preface_before_a_status_question_keeps_the_question(parser):
    assert brief(parser, "想问一下，5218 焊好没") == [("query", "5218", "焊接", None, True)]


@pytest.mark.parametrize("text", ["5219 涂层测了有几处才70几个微米 要补喷", "5220 有二十几台表面划伤"])
def test_some_number_past_a_round_one_is_no_question(parser, text):
    assert [i[0] for i in brief(parser, text)] == ["exception"]


@pytest.mark.parametrize("text", ["5221 加急那批 螺丝够不够？", "5222 人手够吗", "5223 那批料够用吗？"])
def test_whether_material_or_hands_suffice_is_no_status_question(parser, text):
    assert [i for i in brief(parser, text) if i[0] == "query"] == []


# ---- round 7 (examples our own) ---------------------------------------------------------------------
@pytest.mark.parametrize(("text", "milestone"), [
    ("进展？", None),
    ("延期？？", None),
    ("发货了吗", "发货"),
    ("喷完没", "涂装"),
    ("总装呢？", "总装"),
])
def test_a_whole_message_asking_only_a_status_or_a_step(parser, text, milestone):
    assert brief(parser, text) == [("query", None, milestone, None, True)]


@pytest.mark.parametrize("text", ["在吗", "焊接", "吃了吗", "下班没"])
def test_a_short_message_without_a_step_or_a_status_asks_nothing(parser, text):
    assert brief(parser, text) == []


@pytest.mark.parametrize(("text", "milestone"), [
    ("5201 今天能装车吧", "发货"),
    ("5203 下午能焊完吧", "焊接"),
])
def test_asking_to_confirm_a_step_can_be_done_by_then(parser, text, milestone):
    assert brief(parser, text) == [("query", text[:4], milestone, None, True)]


def test_a_hedged_guess_with_ba_is_no_question(parser):
    assert [i[0] for i in brief(parser, "5204 估计能入库吧")] != ["query"]


@pytest.mark.parametrize(("text", "milestone"), [
    ("5205 焊好了没？下午要喷", "焊接"),
    ("5206 喷完了吗？明天得装车", "涂装"),
    ("5207 质检过了没有，明天得入库", "质检"),
])
def test_the_need_behind_a_question_is_no_forecast(parser, text, milestone):
    assert brief(parser, text) == [("query", text[:4], milestone, None, True)]


@pytest.mark.parametrize("text", [
    "麻烦确认订单5208的生产进度，我们焊接线下周要用",
    "请告知订单5209的交付情况，我方总装下周一开工",
])
def test_a_step_named_after_the_weak_question_is_the_askers_own(parser, text):
    assert brief(parser, text) == [("query", text[text.index("单") + 1 :][:4], None, None, True)]
