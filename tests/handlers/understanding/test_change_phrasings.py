"""Round 3 of issue 11: change requests phrased without 改成 (examples our own)."""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def changes(parser, text):
    return [(i.intent, i.field, i.op, i.value if i.field != "spec" else None) for i in parser.parse(text, NOW)]


@pytest.mark.parametrize(("text", "expected"), [
    ("861 客户说500台就够了", [("change", "quantity", "set", 500)]),
    ("862 客户讲先做300套，其余的不要了", [("change", "quantity", "set", 300)]),
    ("863 客户要取消其中的20台", [("change", "quantity", "sub", 20)]),
    ("864 客户追单150件", [("change", "quantity", "add", 150)]),
    ("865 客户说要提前三天交", [("change", "due_date", "sub", 3)]),
    ("866 客户说可以顺延两天交", [("change", "due_date", "add", 2)]),
    ("867 客户话要早两日交货", [("change", "due_date", "sub", 2)]),
    ("868 客户要求标签改英文", [("change", "spec", "set", None)]),
    ("869 客户说不要铭牌了", [("change", "spec", "set", None)]),
    ("870 客户要求喷漆改成喷塑", [("change", "spec", "set", None)]),
    ("871 客户要求功率从3kW改回2kW", [("change", "spec", "set", None)]),
])
def test_a_customer_request_without_the_usual_verb(parser, text, expected):
    assert changes(parser, text) == expected


def test_a_due_date_running_late_with_no_one_asking_is_no_change(parser):
    assert [i.intent for i in parser.parse("872 交期要晚三天", NOW)] == ["exception"]


def test_can_not_use_so_many_is_no_spec_change(parser):
    assert changes(parser, "873 客户说用不了那么多，400台够了") == [("change", "quantity", "set", 400)]


def test_a_sales_relay_in_cantonese_names_the_order(parser):
    assert [i.order_no for i in parser.parse("销售讲874 减一百件", NOW)] == ["874"]


def test_fields_and_their_new_values_under_a_request(parser):
    assert changes(parser, "931 客户要求调整：数量600，交期12月20号") == [
        ("change", "quantity", "set", 600), ("change", "due_date", "set", datetime(2026, 12, 20).date())]


def test_a_bare_field_and_number_without_a_request_is_no_change(parser):
    assert changes(parser, "932 数量 500") == []


def test_an_english_customer_request_to_move_the_delivery_date(parser):
    assert changes(parser, "PO-933: customer requests to move delivery date to 12/18") == [
        ("change", "due_date", "set", datetime(2026, 12, 18).date())]


# ---- round 4 (examples our own) -----------------------------------------------------------------------
def _day(month, day):
    return datetime(2026, month, day).date()


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, for PO-2026-301 we have to cut the quantity by 200 pcs. Thanks", [("change", "quantity", "sub", 200)]),
    ("Please increase the order quantity by 80 units for SO20261201007, thank you", [("change", "quantity", "add", 80)]),
    ("Kindly note PO-2026-302 quantity will be revised to 2,400 pcs.", [("change", "quantity", "set", 2400)]),
    ("PO-2026-303: please delay the shipment by 2 weeks, warehouse is full.", [("change", "due_date", "add", 14)]),
    ("Could you bring the delivery of PO-2026-304 forward by 5 days?", [("change", "due_date", "sub", 5)]),
    ("Hi, can you move the shipping date of PO-2026-305 to Dec 18? thanks", [("change", "due_date", "set", _day(12, 18))]),
    ("Please postpone the delivery of PO-2026-306 to 22nd Dec.", [("change", "due_date", "set", _day(12, 22))]),
    ("PO-2026-307 please change the packing from carton to wooden case.", [("change", "spec", "set", None)]),
    ("For PO-2026-308 we would like to add an extra warning label on the lid.", [("change", "spec", "set", None)]),
])
def test_a_request_in_an_english_mail(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize("text", [
    "PO-2026-310 delivery was delayed by 3 days because of the typhoon",   # a slip reported, no one asks
    "PO-2026-311 please confirm the delivery date",
    "We added 3 workers to PO-2026-312 this week",
    "Please note we will postpone the delivery of PO-2026-313 by 2 days, sorry",   # the factory announcing a slip
    "Please be advised PO-2026-314 shipment is postponed to Dec 20",
])
def test_english_that_asks_for_no_change(parser, text):
    assert [i for i in changes(parser, text) if i[0] == "change"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("客户要求2412-07每盒放12个", [("change", "spec", "set", None)]),
    ("2412-08 客人讲改成三十只一箱装", [("change", "spec", "set", None)]),   # packing, not the order's count
    ("客户说2412-09 材质以样品为准", [("change", "spec", "set", None)]),
    ("客户确认2412-10 以新版图纸为准", [("change", "spec", "set", None)]),
    ("客户说2412-12 数量以1500为准", [("change", "quantity", "set", 1500)]),
    ("客户想把2412-13的提手去掉", [("change", "spec", "set", None)]),
    ("客户要把 2412-14 的logo去掉", [("change", "spec", "set", None)]),
    ("客户说2412-16 铭牌要往右挪一点", [("change", "spec", "set", None)]),
    ("客人讲2412-35 开孔位置往上偏3毫米", [("change", "spec", "set", None)]),
])
def test_a_spec_change_said_without_gai_cheng(parser, text, expected):
    assert changes(parser, text) == expected


def test_a_colour_off_the_sample_is_a_defect_not_a_moved_feature(parser):
    assert [i.intent for i in parser.parse("2412-17 客户反馈颜色偏深", NOW)] == ["exception"]


@pytest.mark.parametrize(("text", "expected"), [
    ("客户说2412-18 那边仓库没地方，叫我们推迟到下周二再送", [("change", "due_date", "set", _day(12, 8))]),
    ("2412-19 能不能提前到12月10号发货？", [("change", "due_date", "set", _day(12, 10))]),
    ("2412-21 可以推迟到12月20号交吗", [("change", "due_date", "set", _day(12, 20))]),
    ("客户说2412-22 交期不用改了，按原来的12月15号交就行", [("change", "due_date", "set", _day(12, 15))]),
    # a purpose ("要用") or "no need" ("不用") names no spec beside the due date
    ("客户说2412-36 交期能不能提前到12月12号，他们年会要用", [("change", "due_date", "set", _day(12, 12))]),
])
def test_a_delivery_moved_on_request_without_a_due_date_word(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize("text", ["客户说2412-23 这批下周要用", "2412-24 客户说不用加急了"])
def test_using_or_no_need_is_no_spec_change(parser, text):
    assert changes(parser, text) == []


@pytest.mark.parametrize("text", ["2412-25 减100台那个，客户确认了没有", "2412-37 交期推后一周的事，老板定了吗"])
def test_a_pending_change_asked_about_records_nothing(parser, text):
    assert changes(parser, text) == []


@pytest.mark.parametrize(("text", "order"), [
    ("说错了，不是2412-28是2412-29 加20台", "2412-29"),
    ("不是2412-30，是2412-31 焊接完成", "2412-31"),
    ("客户那边讲2412-15 加30台", "2412-15"),
    ("客户那边说 2412-38 先去掉一百件，其余照做", "2412-38"),
])
def test_the_order_after_a_correction_or_a_relay(parser, text, order):
    assert [i.order_no for i in parser.parse(text, NOW)] == [order]


@pytest.mark.parametrize(("text", "expected"), [
    ("客户说2412-40 数量从800台调到600台", [("change", "quantity", "set", 600)]),
    ("客户来邮件 SO20261230001 qty 从 300 改 280", [("change", "quantity", "set", 280)]),
    ("客户说2412-43 规格要换一下", [("change", "spec", "set", None)]),
    ("SO20261230002 的 spec 改一下，客户不要 201 了", [("change", "spec", "set", None)]),
    ("客户讲2412-44 包装也得改下", [("change", "spec", "set", None)]),
])
def test_a_field_changed_from_its_old_value_or_just_to_be_changed(parser, text, expected):
    assert changes(parser, text) == expected


def test_a_drawing_to_fix_with_no_one_asking_is_no_change(parser):
    assert changes(parser, "2412-42 图纸改一下") == []


@pytest.mark.parametrize("text", ["2412-51 能提前到周五发货", "2412-52 可以提前到下周一出货"])
def test_a_move_said_without_asking_is_the_factorys_forecast(parser, text):
    assert [(i.intent, i.milestone) for i in parser.parse(text, NOW)] == [("progress", "发货")]


# ---- round 6: English requests in more forms (examples our own) ----------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Could you help to reduce the qty of PO-6201 by 40 pcs? The project shrank.", [("change", "quantity", "sub", 40)]),
    ("Pls increase the quantity for SO-6202 by 25 sets", [("change", "quantity", "add", 25)]),
    ("Good news, customer confirmed: PO-6203 add 120 pcs.", [("change", "quantity", "add", 120)]),
    ("Kindly cut 30 units from PO-6204, thanks", [("change", "quantity", "sub", 30)]),
    ("Can we have PO-6205 shipped two weeks later? Their site is not ready.", [("change", "due_date", "add", 14)]),
    ("Could we get the delivery of PO-6206 3 days earlier?", [("change", "due_date", "sub", 3)]),
    ("Please note the feet of PO-6207 should be rubber instead of plastic.", [("change", "spec", "set", None)]),
])
def test_more_requests_in_english_mails(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize("text", [
    "Customer confirmed receipt of PO-6208, thanks",
    "We finished PO-6209 two days earlier than planned",
    "PO-6210 was shipped one week later because of the typhoon",
])
def test_english_news_that_asks_for_no_change(parser, text):
    assert [i for i in changes(parser, text) if i[0] == "change"] == []


# ---- round 6: Chinese requests in more forms (examples our own) ------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    # the channel the request came by names no contact detail to change
    ("客户邮件：6301 把手请改为哑光黑", [("change", "spec", "set", None)]),
    ("客户打电话说6302 包装改成纸箱", [("change", "spec", "set", None)]),
    # Cantonese: 个 after # is "the", 转 is 换
    ("客人话 #6303 个铭牌要改大啲", [("change", "spec", "set", None)]),
    ("客户讲 6304 面板颜色转灰色", [("change", "spec", "set", None)]),
])
def test_a_spec_request_relayed_by_mail_call_or_in_cantonese(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("6305 客户要求颜色改蓝色 数量减50", [("change", "spec", "set", None), ("change", "quantity", "sub", 50)]),
    ("6306 客户要求 数量改800 交期不变", [("change", "quantity", "set", 800)]),
    ("客户话 6307 交期改12月28号 包装改木箱", [("change", "due_date", "set", _day(12, 28)), ("change", "spec", "set", None)]),
])
def test_requests_set_apart_by_spaces_each_naming_its_field(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("客户取消了订单6308 里面的红色款 40 套", [("change", "quantity", "sub", 40)]),
    ("客户说 6309 其中的不锈钢款 120 台不要了", [("change", "quantity", "sub", 120)]),
])
def test_a_part_of_the_order_called_off_subtracts_its_count(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("客户问6310能不能12月20号前交货", [("change", "due_date", "set", _day(12, 20))]),
    ("客人问 6311 可唔可以下周五之前发", [("change", "due_date", "set", _day(12, 11))]),
    ("客户那边问6312可以月底前交吗", [("change", "due_date", "set", _day(12, 31))]),
])
def test_the_customer_asking_for_a_delivery_by_a_day_asks_for_that_due_date(parser, text, expected):
    assert changes(parser, text) == expected


def test_our_own_question_whether_a_day_can_be_made_is_no_change(parser):
    assert [i[0] for i in changes(parser, "6313能不能12月20号前交货？")] == ["query"]


@pytest.mark.parametrize(("text", "expected"), [
    ("客户说 6314 交期可以往后放一周", [("change", "due_date", "add", 7)]),
    ("6315 客人问可唔可以改做1月5号交？", [("change", "due_date", "set", datetime(2027, 1, 5).date())]),
    ("客户说 6316 数量改成 两百 呃 两百四十台", [("change", "quantity", "set", 240)]),
    ("客户要求 6317 加 30 嗯 50台", [("change", "quantity", "add", 50)]),
])
def test_moves_and_counts_said_colloquially(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize("text", [
    "6318 客户还在商量颜色要不要换成白的，先照旧做",
    "客户想追加6319两百台，但是价钱没谈拢，先别动排产",
    "6320 如果客户加80台的话，交期能不能往后推？",
    "客户问6321要是减50台能便宜多少，只是先问问",
    "6322 客户在讨论交期提前到12月10号，先不要动",
])
def test_a_change_still_talked_over_or_supposed_is_no_change(parser, text):
    assert [i for i in changes(parser, text) if i[0] == "change"] == []


@pytest.mark.parametrize("text", [
    "6323 今天没装车 客户那边收货的仓库满了 推到下周一",
    "6324 客户的叉车坏了 改到周五再送",
    "6325 客人那边的货架还没到 推到12月15号",
])
def test_the_customers_own_things_in_a_slip_ask_for_no_change(parser, text):
    assert [i for i in changes(parser, text) if i[0] == "change"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("客户的意思是 6326 交期改到12月20号", [("change", "due_date", "set", _day(12, 20))]),
    ("6327 客户的要求是数量改成500台", [("change", "quantity", "set", 500)]),
])
def test_the_customers_wish_or_requirement_still_asks(parser, text, expected):
    assert changes(parser, text) == expected


def test_a_move_the_customer_agreed_to_stays_confident(parser):
    [item] = parser.parse("6328 交期延后到12月18号，客户那边同意的", NOW)
    assert (item.field, item.value, item.confident) == ("due_date", _day(12, 18), True)


@pytest.mark.parametrize(("text", "expected"), [
    ("6329 客户要求加到900", [("change", "quantity", "set", 900)]),
    ("客户说 6330 减到四百五吧", [("change", "quantity", "set", 450)]),
    ("客人话 6331 数量降到300", [("change", "quantity", "set", 300)]),
])
def test_a_count_raised_or_lowered_to_a_number_is_set(parser, text, expected):
    assert changes(parser, text) == expected


@pytest.mark.parametrize("text", ["6332 客户要求焊接加到两个班", "6333 客户催得急 总装加到三个人"])
def test_shifts_or_staff_set_on_the_work_are_no_quantity_change(parser, text):
    assert [i for i in changes(parser, text) if i[1] == "quantity"] == []
