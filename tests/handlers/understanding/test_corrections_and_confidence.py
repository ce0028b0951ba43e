"""Round 3 of issue 11: a sender correcting himself, and confidence signals that track error.

Examples are our own; each test states one class.
"""

from datetime import datetime, timedelta, timezone

import pytest

from handlers.understanding.normalize import normalize

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def brief(parser, text):
    items = [item.as_dict() for item in parser.parse(text, NOW)]
    return sorted((i["intent"], i["order_no"], i["milestone"], i["status"] or i["category"] or i["field"],
                   i["percent"] if i["intent"] == "progress" else i["value"], i.get("confident", True))
                  for i in items)


@pytest.mark.parametrize(("text", "normalised"), [
    ("811 总装70% 打错了 是75%", "811 总装75%"),
    ("客户要减30台 哦不对 是减40台", "客户要减40台"),
    ("交期改到1月6号，写错了，是16号", "交期改到1月16号"),
])
def test_a_typed_number_corrected_by_the_next_one(text, normalised):
    assert normalize(text) == normalised


def test_a_misprint_stays_a_quality_cue():
    assert normalize("812 铭牌打错了 要重印") == "812 铭牌打错了 要重印"


def test_an_order_corrected_after_its_news_carries_the_news(parser):
    assert brief(parser, "821 喷涂完成 不对是822") == [("progress", "822", "涂装", "done", None, True)]
    assert brief(parser, "823 质检好了吗 不对 问的是824") == [("query", "824", "质检", None, None, True)]


def test_an_order_corrected_in_a_full_restatement_keeps_the_corrected_one(parser):
    assert brief(parser, "825 发货了 不对 是826发货了 825还没发") == [("progress", "826", "发货", "done", None, True)]


def test_a_milestone_corrected_after_its_status(parser):
    assert brief(parser, "831 下料完成，哦不对，是焊接完成") == [("progress", "831", "焊接", "done", None, True)]
    assert brief(parser, "832 喷涂好了\n说错了 是总装好了") == [("progress", "832", "总装", "done", None, True)]


def test_a_correction_the_parser_cannot_resolve_is_asked(parser):
    [item] = brief(parser, "833 焊接完成了，哦不是，还在焊")
    assert item[-1] is False


# ---- questions that are not about an order's status -------------------------------------------
@pytest.mark.parametrize("text", ["谁在跟881这个单？", "882的发票开了没", "883 报价发了吗", "这份图纸是哪个单的？"])
def test_a_question_about_a_person_document_or_money_asks_no_status(parser, text):
    assert parser.parse(text, NOW) == []


def test_a_status_question_beside_such_a_word_still_asks(parser):
    assert brief(parser, "884 谁在做？进度怎么样")[0][:2] == ("query", "884")


def test_sichuan_and_cantonese_questions(parser):
    assert brief(parser, "885 装配完没得") == [("query", "885", "总装", None, None, True)]
    assert brief(parser, "886 点样啊") == [("query", "886", None, None, None, True)]


# ---- voice transcripts: what is asked -------------------------------------------------------
def test_progress_in_a_transcript_is_recorded_as_read_an_exception_is_asked(parser):
    assert brief(parser, "嗯那个901的话就是喷涂那边已经喷完了") == [("progress", "901", "涂装", "done", None, True)]
    [item] = brief(parser, "嗯那个902的话就是总装的时候那个螺丝不够了")
    assert item[0] == "exception" and item[-1] is False


# ---- confidence signals of progress -----------------------------------------------------------
@pytest.mark.parametrize("text", ["911 总装做了一大半了 这周装不完", "912 入库要往后挪到下周三"])
def test_progress_beside_running_late_is_never_recorded_as_sure(parser, text):
    # the news is the slip (a delay exception); a progress reading beside it is at most asked
    items = brief(parser, text)
    assert ("exception", "delay") in {(item[0], item[3]) for item in items}
    assert not [item for item in items if item[0] == "progress" and item[-1] is True]


def test_time_spent_is_not_the_end(parser):
    # the time spent on a step says it is under way, not that it ended; with no cue of either: asked
    assert brief(parser, "913 喷了一上午") == [("progress", "913", "涂装", "in_progress", None, False)]
    assert parser.parse("今天焊了一天 累死了", NOW) == []


def test_handed_to_a_step_on_a_coming_day_is_not_under_way(parser):
    assert brief(parser, "914 总装完成，明天交给质检") == [("progress", "914", "总装", "done", None, True)]


def test_the_verb_of_a_verb_object_step_said_again_is_that_step(parser):
    items = brief(parser, "915 装车的时候下雨了，还没装完")
    assert {item[2] for item in items} <= {"发货"}


def test_compared_with_the_plan_is_no_forecast(parser):
    assert brief(parser, "916 喷涂做完了，比计划早两天") == [("progress", "916", "涂装", "done", None, True)]


def test_a_kit_complete_then_may_start_is_done(parser):
    assert brief(parser, "917 物料齐套，可以开工了") == [("progress", "917", "领料", "done", None, True)]


def test_a_correction_on_the_next_line_with_a_filler(parser):
    assert brief(parser, "925 下料完成\n哦 说错了 是焊接完成") == [("progress", "925", "焊接", "done", None, True)]


def test_talk_about_an_earlier_episode_or_a_rule_for_later_is_never_recorded(parser):
    # a past matter as the topic and a rule for later bring no news of the order: nothing recorded
    assert not [item for item in brief(parser, "上回941喷漆返工那件事，以后喷完要先自检") if item[-1] is True]
    assert brief(parser, "941 喷漆返工了") != []   # the same words as news are read


def test_the_people_of_a_department_are_no_milestone(parser):
    assert parser.parse("后天客户来看942的样机，总装的人都留一下", NOW) == []


def test_not_found_in_the_system_asks_nothing(parser):
    assert parser.parse("943这个单号系统里查不到", NOW) == []


def test_who_follows_an_order_is_no_status_question(parser):
    assert parser.parse("961的单子是李工在跟吗", NOW) == []


def test_a_tag_question_checks_rather_than_reports(parser):
    assert brief(parser, "好的，962喷涂完成了对吧") == [("query", "962", "涂装", None, None, True)]


def test_and_that_order_asks_the_same_question(parser):
    assert brief(parser, "971 焊完了没有？972呢？") == [("query", "971", "焊接", None, None, True),
                                                     ("query", "972", "焊接", None, None, True)]


def test_is_there_news_of_an_order_names_it(parser):
    assert brief(parser, "有没有973的最新进度") == [("query", "973", None, None, None, True)]


@pytest.mark.parametrize("text", ["如果981明天喷完的话后天就能装", "要是982这周焊不完就得加班", "等983装好了叫我一声"])
def test_a_condition_or_a_wish_is_no_report(parser, text):
    assert parser.parse(text, NOW) == []


def test_a_problem_word_then_a_pass_is_asked(parser):
    # incoming inspection is the supplier's material passing, not the order's 质检: never a sure 质检 done
    assert not [item for item in brief(parser, "984 来料检验合格") if item[2] == "质检" and item[-1] is True]
    assert brief(parser, "985 外协件喷涂完成") == []
    assert brief(parser, "986 喷涂完成") == [("progress", "986", "涂装", "done", None, True)]


@pytest.mark.parametrize(("text", "milestone"), [
    ("4704 下料完了，不是不是，焊接完了", "焊接"),
    ("4705 喷涂做完了，不是，是总装做完了", "总装"),
    ("4706 质检完成了，啊不对，是入库完成了", "入库"),
])
def test_a_milestone_corrected_with_a_doubled_or_interjected_no(parser, text, milestone):
    assert [(i.milestone, i.status) for i in parser.parse(text, NOW)] == [(milestone, "done")]


def test_a_bare_no_after_a_status_still_negates_what_follows(parser):
    assert [i.milestone for i in parser.parse("4707 焊接完成，不是涂装", NOW)] == ["焊接"]
