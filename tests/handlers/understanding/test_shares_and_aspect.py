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


# ---- round 4: shares, nearness, moving in, parts of today (examples our own) ----------------------

@pytest.mark.parametrize(("text", "percent"), [
    ("1201 下料还剩60件没切，一共240件", 75),         # what is left said first, then the total
    ("1202 总装还有三十台没装完总共是一百二十台", 75),  # …run on, as voice input
    ("1203 喷涂还剩20套 总共80套", 75),
])
def test_a_share_from_what_is_left_and_the_total(parser, text, percent):
    assert one(parser, text)[2:4] == ("in_progress", percent)


@pytest.mark.parametrize(("text", "percent"), [("1204 组装 60/80", 75), ("1205 焊接 40/80", 50), ("1206 下料 33/100", 33)])
def test_a_count_over_its_total_after_the_milestone_is_a_share(parser, text, percent):
    assert one(parser, text)[2:4] == ("in_progress", percent)


def test_a_month_and_day_after_the_milestone_stays_a_date(parser):
    assert one(parser, "1207 焊接 12/5 完成")[3] is None


@pytest.mark.parametrize(("text", "percent"), [
    ("1208 焊接做到五成了，说错了，六成", 60),
    ("1209 喷涂百分之四十了哦不是百分之五十", 50),
])
def test_a_share_corrected_by_the_one_after_it(parser, text, percent):
    assert one(parser, text)[2:4] == ("in_progress", percent)


@pytest.mark.parametrize("text", ["1211 快喷完了", "1212 焊接马上就焊好了", "1213 总装就快装完了", "1214 下料快要切完了"])
def test_nearly_finished_is_under_way(parser, text):
    assert one(parser, text)[2] == "in_progress"


def test_quickly_finished_is_done(parser):
    assert one(parser, "1215 焊接很快就焊完了")[2] == "done"


@pytest.mark.parametrize(("text", "milestone"), [
    ("1216 入总装了，今天头一天", "总装"), ("1217 进到质检了", "质检"), ("1218 油漆到了，继续焊", "焊接")])
def test_moved_in_or_resumed_is_under_way(parser, text, milestone):
    assert one(parser, text)[1:3] == (milestone, "in_progress")


@pytest.mark.parametrize("text", ["1219 下料还没弄，焊接早着呢", "1220 总装还早"])
def test_far_from_started_is_no_progress(parser, text):
    assert [i for i in parser.parse(text, NOW) if i.milestone in ("焊接", "总装")] == []


@pytest.mark.parametrize("text", ["1221 排产已完成，计划下周一开工", "1222 质检完成，比预计的早一天", "1223 焊接做完了，原计划是明天"])
def test_done_in_its_own_clause_is_done_whatever_the_plan_after_it(parser, text):
    assert one(parser, text)[2:] == ("done", None, None)


@pytest.mark.parametrize(("text", "milestone"), [
    ("1224 下午入库", "入库"), ("1225 晚上装车", "发货"), ("1226 今天下午排完", "排产"),
    ("1227 正在焊，傍晚能焊好", "焊接"), ("1228 下班前进仓", "入库")])
def test_a_part_of_today_still_to_come_forecasts_today(parser, text, milestone):
    assert one(parser, text) == ("progress", milestone, "in_progress", None, "2026-12-03")


@pytest.mark.parametrize("text", ["1229 今天上午入库 二百四十台", "1230 今早装车，三个柜"])
def test_a_count_handled_this_morning_is_done(parser, text):
    assert one(parser, text)[2:] == ("done", None, None)


def test_a_part_of_today_said_with_le_is_done(parser):
    assert one(parser, "1231 下午入库了")[2] == "done"


def test_a_plan_header_gives_its_day_to_a_part_of_the_day(parser):
    items = parser.parse("装车安排 12月8日\n1232 下午装车", NOW)
    assert [(i.status, i.date and i.date.isoformat()) for i in items] == [("in_progress", "2026-12-08")]


@pytest.mark.parametrize(("text", "milestone", "day"), [
    ("1241 客户周一签收了", "验收", "2026-11-30"),   # said on Thursday: Monday gone by
    ("1242 周二发货了", "发货", "2026-12-01"),
    ("1243 总装周三装完了", "总装", "2026-12-02"),
])
def test_a_bare_weekday_said_of_a_finished_step_is_the_past_one(parser, text, milestone, day):
    assert one(parser, text) == ("progress", milestone, "done", None, day)


def test_a_bare_weekday_beside_a_forecast_stays_ahead(parser):
    assert one(parser, "1244 周六能发完")[2:] == ("in_progress", None, "2026-12-05")


@pytest.mark.parametrize(("text", "status", "day"), [
    ("1245 焊接昨儿个整完了", "done", "2026-12-02"),     # Northern 昨儿个 = 昨天, 整完 = 做完
    ("1246 下料整利索了", "done", None),
    ("1247 喷涂明儿能整完", "in_progress", "2026-12-04"),
    ("1248 货今天装车走喽", "done", None),               # 喽 / 咯 as a sentence-final 了
])
def test_northern_day_words_and_aspect(parser, text, status, day):
    assert one(parser, text)[2:] == (status, None, day)


@pytest.mark.parametrize(("text", "milestone"), [
    ("1249 排程做好了", "排产"), ("1250 复检合格了", "质检"), ("1251 QC放行了", "质检"), ("1252 漆到了，接着喷", "涂装")])
def test_more_names_of_steps_and_resumed_work(parser, text, milestone):
    assert one(parser, text)[1] == milestone


def test_a_share_reached_today_is_no_forecast_for_today(parser):
    assert one(parser, "1253 焊接今天才弄了一半")[2:] == ("in_progress", 50, None)
    assert one(parser, "1254 总装今儿干到六成")[2:] == ("in_progress", 60, None)
    assert one(parser, "1255 喷涂六成，今天喷完")[2:] == ("in_progress", 60, "2026-12-03")   # its completion today: a forecast


@pytest.mark.parametrize("text", ["1256 的材料全部出库给车间了", "1257 物料已发到产线了", "1258 料我这边已经出库到车间了"])
def test_material_issued_to_the_shop_floor_is_material_picked(parser, text):
    assert one(parser, text)[1:3] == ("领料", "done")


def test_material_not_yet_issued_is_no_progress(parser):
    assert parser.parse("1259 料还没出库给车间", NOW) == []


# ---- round 6: a bare weekday said after the completion is another matter's day --------------------
@pytest.mark.parametrize(("text", "milestone"), [
    ("1301 焊接做完了 周一再打磨", "焊接"),          # the weekday is the grinding's, not the welding's
    ("1302 排产排好了，图纸周二给", "排产"),
    ("1303 装车了，司机说周一到客户那", "发货"),
    ("1304 喷涂已经喷完，周一叫人来看", "涂装"),
])
def test_a_bare_weekday_after_the_completion_is_not_the_day_it_was_finished(parser, text, milestone):
    assert one(parser, text) == ("progress", milestone, "done", None, None)


@pytest.mark.parametrize(("text", "day"), [
    ("1305 拉去外面喷塑了 那边说周六喷完", "2026-12-05"),   # sent out to paint; the finish is forecast
    ("1306 送外协电镀喷漆了，讲好周日弄好", "2026-12-06"),
])
def test_sent_out_with_a_finish_said_of_a_weekday_is_a_forecast(parser, text, day):
    assert one(parser, text) == ("progress", "涂装", "in_progress", None, day)


def read(parser, text):
    [item] = [item.as_dict() for item in parser.parse(text, NOW)]
    return item["milestone"], item["status"], item["percent"], item["date"], item.get("confident", True)


# ---- round 6: one part of a step done, another still to do --------------------------------------
@pytest.mark.parametrize("text", [
    "1311 底漆喷好了 面漆还没喷",
    "1312 喷涂底漆完了，面漆待上",
    "1313 焊接第一遍焊完了，第二遍还没焊",
    "1314 正面喷完，反面还要喷",
    "1315 面漆没上，底漆已经喷完",
])
def test_a_part_done_and_a_part_still_to_do_is_under_way(parser, text):
    assert read(parser, text)[1:3] == ("in_progress", None)


# ---- round 6: the focus construction 是…的 on a day reached reports it done ------------------------
@pytest.mark.parametrize(("text", "milestone"), [
    ("1321 面漆今天一早喷完的", "涂装"),
    ("1322 排产 今天上午下的计划", "排产"),
    ("1323 今天中午入的库", "入库"),
    ("1324 今天装的车 下午到", "发货"),
])
def test_the_focus_construction_of_today_is_done(parser, text, milestone):
    assert read(parser, text)[:4] == (milestone, "done", None, None)


# ---- round 6: shares said as a bound, as an increment, and counts of two measures -----------------
@pytest.mark.parametrize("text", ["1331 下料不到一半", "1332 焊接两成都不到", "1333 喷涂还不到三成", "1334 总装 10%不到"])
def test_a_share_said_as_a_bound_not_reached_is_under_way_with_no_share(parser, text):
    assert read(parser, text)[1:3] == ("in_progress", None)


@pytest.mark.parametrize(("text", "percent"), [
    ("1335 焊接今天又干了三成 现在八成了", 80),
    ("1336 喷涂又喷了20%，一共有五成", 50),
    ("1337 下料今天又切了一成", None),       # only what was added: under way, the share unknown
])
def test_an_added_share_gives_way_to_the_standing_one(parser, text, percent):
    assert read(parser, text)[1:3] + read(parser, text)[4:] == ("in_progress", percent, True)


@pytest.mark.parametrize(("text", "milestone"), [
    ("1338 发货了 三车 一共41.5吨", "发货"),
    ("1339 入库了 两托 共1.2吨", "入库"),
    ("1340 装车了 4车 合计96吨", "发货"),
])
def test_counts_of_two_measures_make_no_share(parser, text, milestone):
    assert read(parser, text)[:3] == (milestone, "done", None)


# ---- round 6: work resumed on a coming day is a plan, no news of its own ---------------------------
@pytest.mark.parametrize("text", ["1341 喷涂明天继续", "1342 明早接着焊", "1343 总装后天继续装", "1344 下周一继续开料"])
def test_work_resumed_on_a_coming_day_reports_nothing(parser, text):
    assert parser.parse(text, NOW) == []


def test_work_resumed_with_a_finish_said_of_the_day_is_a_forecast(parser):
    assert read(parser, "1345 明天接着焊，后天焊完")[:4] == ("焊接", "in_progress", None, "2026-12-05")


def test_a_resumed_line_under_a_day_leaves_the_report_before_it(parser):
    text = "总装班\n1346 开始组装 今天装了3台\n明天：1346 继续"
    assert [(i.order_no, i.milestone, i.status, i.date, i.confident) for i in parser.parse(text, NOW)] == [
        ("1346", "总装", "in_progress", None, True)]


# ---- round 6: a milestone verb acting on a photo, a mail or a report names no milestone -----------
@pytest.mark.parametrize(("text", "items"), [
    ("1351 客户签收了 司机发了照片", [("验收", "done")]),
    ("1352 质检完了 发个报告给客户", [("质检", "done")]),
    ("1353 发了两张图片给业务", []),
    ("1354 装好了 发了视频过来", [("总装", "done")]),
])
def test_a_verb_on_a_document_after_it_is_no_milestone(parser, text, items):
    assert [(i.milestone, i.status) for i in parser.parse(text, NOW)] == items


@pytest.mark.parametrize(("text", "milestone", "day"), [
    ("5241 框架焊好了，焊接估计周六能完", "焊接", "2026-12-05"),
    ("5242 门板喷完了 面板明天弄 喷涂大概后天能好", "涂装", "2026-12-05"),
    ("5243 底座装好了，总装预计明天可以装完", "总装", "2026-12-04"),
    ("5244 立柱切完了 下料应该周五能完", "下料", "2026-12-04"),
])
def test_a_part_finished_and_the_whole_step_forecast(parser, text, milestone, day):
    # a part is finished ("框架焊好了"); the step named again with its own finish still to come is the news
    assert one(parser, text) == ("progress", milestone, "in_progress", None, day)


# ---- round 7 (examples our own) ---------------------------------------------------------------------
@pytest.mark.parametrize(("text", "milestone", "percent"), [
    ("5301 焊到60%了", "焊接", 60),
    ("5302 喷到一半", "涂装", 50),
    ("5303 装到七成了，下午能完", "总装", 70),
])
def test_the_share_a_verb_reached(parser, text, milestone, percent):
    assert one(parser, text)[1:4] == (milestone, "in_progress", percent)


@pytest.mark.parametrize(("text", "milestone"), [
    ("5304 已经开料", "下料"),
    ("5305 方管到了，已开料", "下料"),
    ("5306 上焊接线了", "焊接"),
    ("5307 进焊接线了", "焊接"),
    ("5308 上总装了", "总装"),
])
def test_a_step_opened_or_moved_onto_is_under_way(parser, text, milestone):
    assert one(parser, text)[1:3] == (milestone, "in_progress")


def test_opened_and_then_finished_is_done(parser):
    assert one(parser, "5309 已经开料完了")[1:3] == ("下料", "done")


@pytest.mark.parametrize(("text", "day"), [
    ("5310 焊接还要三天", 6),
    ("5311 喷涂那边讲还得两天", 5),
    ("5312 总装还需要1天", 4),
])
def test_the_days_still_needed_forecast_the_end(parser, text, day):
    assert one(parser, text)[2:] == ("in_progress", None, datetime(2026, 12, day).date().isoformat())
