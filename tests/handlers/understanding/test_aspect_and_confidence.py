"""Traditional characters, aspect (forecast / progressive / partial / resultative) and confidence."""

from datetime import datetime, timedelta, timezone

import pytest

from handlers.understanding.items import ParsedItem
from handlers.understanding.normalize import normalize, to_simplified

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def parse(parser, text):
    return [item.as_dict() for item in parser.parse(text, NOW)]


def test_traditional_characters_become_simplified():
    assert to_simplified("訂單133 組裝完成，週五發貨，開料檢驗") == "订单133 组装完成，周五发货，开料检验"
    assert to_simplified("PO-2026-017 ok") == "PO-2026-017 ok"
    assert normalize("訂單１３３ 質檢") == "订单133 质检"


def test_a_traditional_report_is_understood(parser):
    items = parse(parser, "今日進度\n1610 下料完成\n1611 焊接進行中\n1612 噴塗完成")
    assert [(i["order_no"], i["milestone"], i["status"]) for i in items] == [
        ("1610", "下料", "done"), ("1611", "焊接", "in_progress"), ("1612", "涂装", "done")]


@pytest.mark.parametrize("text", ["132大概后天喷完", "131总装下周二装完", "A23 明天应该能焊好", "172 焊接这周五前能焊完"])
def test_a_forecast_is_in_progress_with_its_date_never_done(parser, text):
    [item] = parse(parser, text)
    assert item["status"] == "in_progress" and item["date"] is not None and item["date"] > NOW.date().isoformat()


def test_done_then_next_in_one_line(parser):
    items = {i["milestone"]: i for i in parse(parser, "126品检过了，明天进仓")}
    assert items["质检"]["status"] == "done" and items["质检"]["date"] is None
    assert items["入库"]["status"] == "in_progress" and items["入库"]["date"] == "2026-12-04"


@pytest.mark.parametrize(("text", "status", "percent"), [
    ("124喷塑弄着呢", "in_progress", None),
    ("424 已经在切割了", "in_progress", None),
    ("138 油漆喷了三分之一左右", "in_progress", 33),
    ("418 喷涂还剩两成", "in_progress", 80),
    ("PO-2026-047 焊了600台，总共800", "in_progress", 75),
    ("134焊接搞掂", "done", None),
    ("317 组装搞掂咗", "done", None),
    ("137 品检 过了", "done", None),
])
def test_aspect(parser, text, status, percent):
    [item] = parse(parser, text)
    assert (item["status"], item["percent"]) == (status, percent)


def test_a_verb_inside_another_word_is_no_milestone(parser):
    assert parse(parser, "123 出发了") == []


def test_confident_is_left_out_unless_unsure():
    assert "confident" not in ParsedItem("progress", "1", "焊接", "done").as_dict()
    assert ParsedItem("progress", "1", "焊接", "done", confident=False).as_dict()["confident"] is False


def test_conflicting_exception_cues_are_unsure(parser):
    # a quality defect and missing parts in one breath, neither the other's cause: the parser guesses, so it asks
    [item] = parse(parser, "1209 外壳有划痕，螺丝也没到")
    assert item["intent"] == "exception" and item["confident"] is False


def test_a_stop_for_missing_parts_is_settled_as_material(parser):
    # a line stopped (equipment word) because parts are missing: the stop is the effect (exceptions.py)
    [item] = parse(parser, "1209 总装线停了，螺丝没到")
    assert item["category"] == "material" and item.get("confident", True) is True


def test_a_voice_transcript_is_unsure(parser):
    # (round 3: only its exceptions are asked; progress is read as said — see test_corrections_and_confidence)
    items = parse(parser, "那个127的话就是开料已经开完了然后那个焊接也已经在弄了")
    assert len(items) == 2 and all(i.get("confident", True) for i in items)
    [item] = parse(parser, "那个128的话就是焊接那边那个焊机坏了")
    assert item["intent"] == "exception" and item["confident"] is False


def test_a_plain_report_is_confident(parser):
    [item] = parse(parser, "订单123 焊接完成")
    assert "confident" not in item


def test_a_synonym_added_at_run_time_applies_at_once():
    from handlers.learning.synonyms import ReloadableParser, Synonym
    from handlers.templates import TemplateSet

    parser = ReloadableParser(TemplateSet())
    assert parse(parser, "123 喷粉完成") == []
    parser.add(Synonym("喷粉", "涂装"))
    [item] = parse(parser, "123 喷粉完成")
    assert (item["milestone"], item["status"]) == ("涂装", "done")


def test_a_template_word_that_is_also_an_ordinary_word():
    """包装 is a milestone of the electronics template and a spec word: with an order and a status
    it is the milestone; asked to be changed by the customer it is the spec."""
    from handlers.templates import DEFAULT_TEMPLATE, TemplateSet
    from handlers.understanding import Parser

    from .test_templates import ELECTRONICS

    parser = Parser(TemplateSet((DEFAULT_TEMPLATE, ELECTRONICS)))
    [done] = parse(parser, "E2311-12 包装完成")
    assert (done["intent"], done["milestone"], done["status"]) == ("progress", "包装", "done")
    [under_way] = parse(parser, "E2311-13 包装还在弄")
    assert (under_way["milestone"], under_way["status"]) == ("包装", "in_progress")
    [change] = parse(parser, "E2311-15 客户要求包装换成纸箱")
    assert (change["intent"], change["field"]) == ("change", "spec")
    [missing] = parse(parser, "E2311-19 包装盒没到")
    assert (missing["intent"], missing["category"], missing["milestone"]) == ("exception", "material", None)


@pytest.mark.parametrize(("text", "reading"), [
    ("123 welding done", ("progress", "焊接", "done", None)),
    ("PO-2026-090 shipped", ("progress", "发货", "done", None)),
    ("124 painting in progress", ("progress", "涂装", "in_progress", None)),
    ("125 QC fail，返工", ("exception", "质检", None, "quality")),
    ("126 焊接ing", ("progress", "焊接", "in_progress", None)),
])
def test_english_mixed_in(parser, text, reading):
    [item] = parse(parser, text)
    assert (item["intent"], item["milestone"], item["status"], item["category"]) == reading


@pytest.mark.parametrize(("text", "milestone", "status"), [
    ("317 组装搞掂咗", "总装", "done"),
    ("236 啲钢管仲未到", None, None),
    ("214 装咗车喇", "发货", "done"),
])
def test_cantonese_function_words(parser, text, milestone, status):
    [item] = parse(parser, text)
    assert (item["milestone"], item["status"]) == (milestone, status)
    if status is None:
        assert (item["intent"], item["category"]) == ("exception", "material")


@pytest.mark.parametrize("text", ["333 喷涂明天开始", "334 下周一开始焊", "335 总装后天动工"])
def test_a_planned_start_is_no_progress(parser, text):
    # the contract's progress is a start, an advance, a finish or a forecast of the finish: a start
    # planned for a coming day is none of them (the step may be reported when it does start)
    assert parse(parser, text) == []


@pytest.mark.parametrize("text", ["929 包装完成，待发货", "931 准备入库"])
def test_a_pending_step_is_no_progress(parser, text):
    assert parse(parser, text) == []


@pytest.mark.parametrize(("text", "category"), [
    ("902 喷涂房温度不够，漆干不了", "equipment"),   # a setting the machine cannot hold, not a shortage
    ("906 运输途中压坏了两台", "quality"),            # damaged goods, not a machine
    ("1207 焊接停了，焊丝用完了在等", "material"),     # a stop for lack of material
    ("127出货得推到12月10号了，人手不够", "delay"),    # short of staff, with the slip stated
])
def test_exception_category_by_cue_class(parser, text, category):
    [item] = parse(parser, text)
    assert (item["intent"], item["category"]) == ("exception", category)


def test_a_report_line_naming_no_milestone_takes_the_previous_lines():
    from handlers.templates import TemplateSet
    from handlers.understanding import Parser

    items = parse(Parser(TemplateSet()), "今日进度\n501 开料完\n503 开了三分之一\n504 后天能开完")
    assert [(i["order_no"], i["milestone"], i["status"], i["percent"]) for i in items] == [
        ("501", "下料", "done", None), ("503", "下料", "in_progress", 33), ("504", "下料", "in_progress", None)]


@pytest.mark.parametrize("text", ["1110 入库单已经开了", "123 开会了"])
def test_common_verbs_are_no_milestone(parser, text):
    assert [i["milestone"] for i in parse(parser, text)] in ([], [None])


def test_done_then_moved_on_to_the_next_step(parser):
    items = {i["milestone"]: i["status"] for i in parse(parser, "1508 下料完成，已转焊接")}
    assert items == {"下料": "done", "焊接": "in_progress"}
    # (handed on without 已, "1507 下料完成转焊接", says where the goods go next: see
    # test_next_step_mentions.py)


def test_a_no_problem_clause_is_no_question(parser):
    [item] = parse(parser, "1404的质检昨天做完了没有问题的")
    assert (item["intent"], item["milestone"], item["status"]) == ("progress", "质检", "done")


def test_a_long_run_on_line_of_several_items_is_unsure(parser):
    # (round 3: of a run-on line only the exceptions are asked; its progress items were always right)
    items = parse(parser, "1701焊接今天全部焊好了喷涂这边下午开始弄估计后天能喷完总装要等下周")
    assert len(items) > 1 and all(i.get("confident", True) for i in items)
    items = parse(parser, "1702焊接今天全部焊好了喷涂这边喷枪坏了等师傅来修估计后天能好")
    assert [i.get("confident", True) for i in items if i["intent"] == "exception"] == [False]


def test_staff_shortage_with_a_stated_slip_is_a_confident_delay(parser):
    [item] = parse(parser, "435 开料这边人手不够 要晚两天")
    assert (item["category"], item["value"]) == ("delay", 2) and "confident" not in item


@pytest.mark.parametrize("text", ["336 明天开始焊，预计下周二焊完", "337 明天开始焊，下周二能焊完"])
def test_a_planned_start_with_a_forecast_finish_is_that_forecast(parser, text):
    [item] = parse(parser, text)
    assert (item["milestone"], item["status"], item["date"]) == ("焊接", "in_progress", "2026-12-08")


@pytest.mark.parametrize(("text", "done"), [
    ("5201 焊接焊好了 可以上喷涂了", "焊接"),
    ("5202 喷塑完了，能进装配了", "涂装"),
    ("5203 组装搞定 可以去QC了", "总装"),
    ("5204 开料完成，可以上焊了", "下料"),
])
def test_the_next_step_that_may_now_begin_is_no_progress(parser, text, done):
    # "可以上 / 能进 / 可以去 + the next step + 了": it may move on (modality); nothing of it has begun
    assert [(i["milestone"], i["status"]) for i in parse(parser, text)] == [(done, "done")]


@pytest.mark.parametrize(("text", "milestone"), [
    ("5211 电源接好了，焊接又开起来了", "焊接"),
    ("5212 喷房温度上来了 喷涂重新开工了", "涂装"),
    ("5213 切割已经恢复了", "下料"),
    ("5214 工人回来了，总装又干起来了", "总装"),
])
def test_a_step_running_again_is_under_way(parser, text, milestone):
    # "又开起来了 / 重新开工了 / 恢复了" right after the step: it runs (again), it is not finished, even
    # where an earlier clause reports something else fixed ("好了")
    assert [(i["milestone"], i["status"]) for i in parse(parser, text)] == [(milestone, "in_progress")]


def test_a_share_added_again_is_still_read_as_a_share(parser):
    assert [(i["status"], i["percent"]) for i in parse(parser, "5215 焊接又搞了一成 现在六成")] == [("in_progress", 60)]


@pytest.mark.parametrize(("text", "day"), [
    ("5221 前天打好的包今早进仓了", None),                    # this morning's finish; 前天 is the packing's
    ("5222 昨天没焊完的那批今天上午焊完了", None),
    ("钢管前天到的，5223 开料完成了", None),                   # the pipes came the day before yesterday
    ("5224 图纸昨天才给，QC做完了", None),
    ("5225 昨天下午 装配做完了", "2026-12-02"),                # the day of the finish itself
    ("昨天，5226 喷涂搞定", "2026-12-02"),                     # a clause that is only the day
    ("5227 喷涂好了 前天就喷完的", "2026-12-01"),              # the day said after, restating the finish
])
def test_the_day_of_a_finish_is_the_one_said_of_it(parser, text, day):
    [item] = parse(parser, text)
    assert (item["status"], item["date"]) == ("done", day)


@pytest.mark.parametrize(("text", "done"), [
    ("5231 焊接完成，工件都拉到喷涂线边上了", "焊接"),
    ("5232 喷塑好了，货放在装配线旁边", "涂装"),
    ("5233 总装完了 箱子搬到质检跟前了", "总装"),
    ("5234 开料完成，料都码在焊接线边", "下料"),
])
def test_goods_beside_the_next_steps_line_are_no_progress_of_it(parser, text, done):
    # a place beside a step's line or area ("线边上", "旁边", "门口") is where goods wait for it
    assert [(i["milestone"], i["status"]) for i in parse(parser, text)] == [(done, "done")]
