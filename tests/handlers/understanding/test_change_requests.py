"""Change requests phrased without 改成, and a requested due-date move against a slip (a delay)."""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def parse(parser, text):
    return [item.as_dict() for item in parser.parse(text, NOW)]


def changes(parser, text):
    return [(i["order_no"], i["field"], i["op"], i["value"]) for i in parse(parser, text) if i["intent"] == "change"]


@pytest.mark.parametrize(("text", "expected"), [
    # a shift verb right before a day count in a requester's clause moves the due date
    ("777 客户说要提前四天交", ("777", "due_date", "sub", 4)),
    ("客户话778要早两日交货", ("778", "due_date", "sub", 2)),       # 两日 is a count here, not the 2nd
    ("779 客户同意顺延六天交", ("779", "due_date", "add", 6)),
    ("780 客户讲没关系，推8天", ("780", "due_date", "add", 8)),
    ("781 客户要求往后挪两周", ("781", "due_date", "add", 14)),
])
def test_a_requested_shift_by_days(parser, text, expected):
    assert changes(parser, text) == [expected]


@pytest.mark.parametrize("text", [
    "782 出货晚四天，客户那边已经知道了",          # the customer is told of a slip: a delay
    "783 发货可能要推迟两天 客户那边我去说",        # a hedge is no request
    "784 交期要晚六天",                           # a slip with nobody asking
])
def test_a_slip_told_to_the_customer_is_no_change(parser, text):
    items = parse(parser, text)
    assert not any(i["intent"] == "change" for i in items)
    assert [(i["intent"], i["category"]) for i in items] == [("exception", "delay")]


def test_a_step_moved_on_request_is_not_the_due_date(parser):
    assert changes(parser, "785 客户说焊接推迟两天也行") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("786 客户追单300台", ("786", "quantity", "add", 300)),
    ("787 客户取消其中的40套", ("787", "quantity", "sub", 40)),
    ("788 客户要再加七十个 交期不变", ("788", "quantity", "add", 70)),   # 个 before a field is no part
    ("SO20261201005 量减到450", ("SO20261201005", "quantity", "set", 450)),
    ("Customer asked PO-2026-301 +80 pcs", ("PO-2026-301", "quantity", "add", 80)),
    ("销售讲789 减三百件", ("789", "quantity", "sub", 300)),
    # the count kept when the rest is dropped, or said by the requester to be enough
    ("790 客户说先做500台，剩下的不要了", ("790", "quantity", "set", 500)),
    ("老板刚来电话，PO-2026-302 只要900台了，多的不做了", ("PO-2026-302", "quantity", "set", 900)),
    ("791 客户说用不了那么多，350套就够了", ("791", "quantity", "set", 350)),
])
def test_quantity_changes_without_gai_cheng(parser, text, expected):
    assert changes(parser, text) == [expected]


def test_a_requesters_list_of_fields_and_values(parser):
    assert sorted(changes(parser, "SO20261201006 客户要求调整：数量1500，交期1月25号")) == [
        ("SO20261201006", "due_date", "set", "2027-01-25"), ("SO20261201006", "quantity", "set", 1500)]


def test_a_question_about_a_field_is_no_change(parser):
    assert changes(parser, "792 客户问交期1月25号能不能做到") == []


def test_an_english_request_to_move_the_delivery_date(parser):
    assert changes(parser, "Note for PO-2026-303: customer requests to move delivery date to 12/28.") == [
        ("PO-2026-303", "due_date", "set", "2026-12-28")]


def test_only_said_of_a_number_does_not_end_an_order(parser):
    # 只 after a number counts things ("3只"), but 只要 / 只做 say "only"
    assert changes(parser, "PO-2026-304 只做600台，其余的取消") == [("PO-2026-304", "quantity", "set", 600)]


@pytest.mark.parametrize("text", [
    "793 客户要求包装改纸箱",          # 改 straight before the new thing
    "794 客户说不要红色了 改蓝色",
    "795 客户说不要铭牌了",            # a feature dropped
    "796 客户要求喷漆改成喷塑",        # one process swapped for another
    "797 客户要求电机从2.2kW换回1.5kW",
])
def test_spec_changes_without_gai_cheng(parser, text):
    [item] = parse(parser, text)
    assert (item["intent"], item["field"], item["op"]) == ("change", "spec", "set")


@pytest.mark.parametrize("text", ["798 客户说不要了", "799 客户说不要催了", "800 客户说改天再来看"])
def test_not_wanting_the_order_or_a_reminder_is_no_spec_change(parser, text):
    assert not any(i["field"] == "spec" for i in parse(parser, text))


def test_a_step_moved_to_a_day_is_not_a_process_swap(parser):
    assert not any(i["intent"] == "change" for i in parse(parser, "801 焊接改成明天"))


@pytest.mark.parametrize(("text", "expected"), [
    ("802 客户要加50台 哦不对 是加40台", ("quantity", "add", 40)),       # the verb said again
    ("803 客户要求数量改成六百台 哦写错了 是六百五十台", ("quantity", "set", 650)),
    ("804 客户要加50台 不对 减40台", ("quantity", "sub", 40)),
    ("805 客户要求交期改到12月9号，打错了，是19号", ("due_date", "set", "2026-12-19")),   # the month stays
    ("806 客户要求交期改到12月9号 不对 1月9号", ("due_date", "set", "2027-01-09")),
])
def test_a_corrected_change_keeps_the_last_reading(parser, text, expected):
    assert [(i["field"], i["op"], i["value"]) for i in parse(parser, text)] == [expected]


def test_a_wrongly_drilled_count_is_no_correction(parser):
    # 打错了 is a defect unless 是 follows with the right figure
    [item] = parse(parser, "807 打错了 20个孔要补")
    assert (item["intent"], item["category"]) == ("exception", "quality")


def test_requests_joined_by_then_in_run_on_speech(parser):
    items = parse(parser, "客户说808要加二十台然后包装换成木箱")
    assert sorted((i["field"], i["op"]) for i in items) == [("quantity", "add"), ("spec", "set")]


@pytest.mark.parametrize(("text", "expected"), [
    ("809 减少到70台", ("809", "quantity", "set", 70)),           # a directed set needs no requester
    ("810 客户要求增加到1200件", ("810", "quantity", "set", 1200)),
    ("811 客户说晚十天交也没关系", ("811", "due_date", "add", 10)),  # accepted lateness is agreed
    ("客户同意812往后挪两周", ("812", "due_date", "add", 14)),      # the order after 客户同意
])
def test_directed_sets_and_agreed_moves(parser, text, expected):
    assert changes(parser, text) == [expected]


def test_a_count_reached_is_no_quantity_change(parser):
    assert changes(parser, "813 装到60台了") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("客户说814的货12月18号之前必须发", ("814", "due_date", "set", "2026-12-18")),   # a bare 发 ends it
    ("815 客户说不急，可以晚三天发", ("815", "due_date", "add", 3)),
    ("Customer wants PO-2026-305 qty changed to 750", ("PO-2026-305", "quantity", "set", 750)),
])
def test_more_requested_moves_and_sets(parser, text, expected):
    assert changes(parser, text) == [expected]


def test_papers_sent_by_a_day_are_no_due_date(parser):
    assert changes(parser, "816 客户说发票12月18号前发") == []


@pytest.mark.parametrize("text", [
    "客户催了，817要推迟两天",              # the customer pressing is no request
    "818 要推迟两天，已经跟客户说了",        # the customer told of a slip
    "819 推迟三天发货，客户那边还不知道",
])
def test_a_customer_told_or_pressing_is_no_requester(parser, text):
    assert [(i["intent"], i["category"]) for i in parse(parser, text)] == [("exception", "delay")]


def test_a_customer_saying_it_still_requests(parser):
    assert changes(parser, "820 客户说要推迟两天") == [("820", "due_date", "add", 2)]


@pytest.mark.parametrize(("text", "confident"), [
    ("821 交期推迟三天", False),                 # a slip verb with nobody asking: change or delay? ask
    ("822 因为缺料，交期要推迟到12月15号", False),
    ("823 交期改到12月15号", True),              # 改 is a change said outright
    ("824 交期提前两天", True),
])
def test_an_unrequested_due_date_move_by_a_slip_verb_is_asked(parser, text, confident):
    [item] = parse(parser, text)
    assert (item["intent"], item["field"], item.get("confident", True)) == ("change", "due_date", confident)


@pytest.mark.parametrize(("text", "normalised"), [
    ("825 焊接完成 不对是826", "826 焊接完成"),          # the order corrected after the report
    ("827 入库了吗 不对 问的是828", "828 入库了吗"),
    ("829 数量改成500 不对是600", "829 数量改成600"),    # a number corrected by a number stays that
    ("830 焊接完成 不对是8300", "830 焊接完成 不对是8300"),   # another shape: not read as a correction
])
def test_an_order_corrected_after_the_report(text, normalised):
    from handlers.understanding.normalize import normalize
    assert normalize(text) == normalised


@pytest.mark.parametrize("text", [
    "831 加两个人",                  # staff, not goods
    "832 客户要加两个人来验货",
    "833 今天多做了50台",            # work done beyond the plan, reported
])
def test_people_and_work_done_are_no_quantity_change(parser, text):
    assert changes(parser, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("834 客户说之前追加的100台不要了", ("834", "quantity", "sub", 100)),   # a count dropped
    ("835 客户说上次加的50台先不做", ("835", "quantity", "sub", 50)),
    ("836 客户多要了30台", ("836", "quantity", "add", 30)),               # a requester's 了 still asks
])
def test_counts_dropped_or_added_by_a_requester(parser, text, expected):
    assert changes(parser, text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("客人话 837 要多两百套", ("837", "quantity", "add", 200)),            # Cantonese: 要多 N = add
    ("838 客人要求交货期押后一个星期", ("838", "due_date", "add", 7)),      # 押后 = postpone
    ("839 客人唔要咁多，要三百套得喇", ("839", "quantity", "set", 300)),    # N套得喇 = N is enough
    ("840 sales说qty +100", ("840", "quantity", "add", 100)),
    ("841 customer wants delivery 3 days earlier", ("841", "due_date", "sub", 3)),
    ("842 老板说数量按1500做", ("842", "quantity", "set", 1500)),
])
def test_cantonese_english_and_boss_requests(parser, text, expected):
    assert changes(parser, text) == [expected]


def test_asking_how_many_is_no_change(parser):
    assert [i["intent"] for i in parse(parser, "843 要多少套")] == ["query"]


def test_lines_under_a_customers_call_relay_requests(parser):
    items = parse(parser, "客户电话：\n844 交期12.15前\n845 数量1200\n846 焊接完成")
    assert sorted((i["order_no"], i["intent"], i["field"], i["value"]) for i in items) == [
        ("844", "change", "due_date", "2026-12-15"), ("845", "change", "quantity", 1200),
        ("846", "progress", None, None)]


def test_a_due_date_stated_with_no_request_is_no_change(parser):
    assert changes(parser, "847 交期12.15前") == []


@pytest.mark.parametrize("text", [
    "4410 客户可能要加80套，还没确认",
    "4410 客户想把门板换成胡桃色，还在考虑，先照原图做",
    "老板说4411尽量下周五交，暂时没定",
    "4412 业务说交期可能提前到15号，等客户确认",
    "客户问4413能不能换成哑光面，报了价他再考虑",
])
def test_a_change_or_plan_still_undecided_records_nothing(parser, text):
    assert [item for item in parse(parser, text) if item["intent"] in ("change", "progress")] == []


@pytest.mark.parametrize(("text", "field"), [
    ("4414 客户要求加60套，交期待定", "quantity"),     # the date is open, the quantity is asked for
    ("4414 客户要减20台，交货期还没定", "quantity"),
])
def test_an_open_field_beside_a_request_keeps_the_request(parser, text, field):
    assert [item["field"] for item in parse(parser, text)] == [field]


@pytest.mark.parametrize(("text", "value"), [
    ("4501 客户要求数量改成2,500套", 2500),
    ("PO-2026-311 please change the quantity to 1,200 pcs", 1200),
])
def test_a_count_with_thousands_separators_is_one_number(parser, text, value):
    assert [item["value"] for item in parse(parser, text)] == [value]


def test_orders_listed_with_commas_are_not_one_number(parser):
    assert [item["order_no"] for item in parse(parser, "4502,4503 都焊完了")] == ["4502", "4503"]


@pytest.mark.parametrize("text", ["4601 周五发货，客户同意了到货日期", "4603 下周一出货，客户已经确认了收货时间"])
def test_a_customer_agreeing_to_the_factorys_date_is_no_change(parser, text):
    assert [(item["intent"], item["milestone"]) for item in parse(parser, text)] == [("progress", "发货")]


# ---- round 7 (examples our own) ---------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Please cut SO20261201044 quantity by 300 pcs, thanks", ("SO20261201044", "quantity", "sub", 300)),
    ("Pls increase PO-2026-451's qty by 40 sets", ("PO-2026-451", "quantity", "add", 40)),
    ("We need 15 more units on PO-2026-452, same config.", ("PO-2026-452", "quantity", "add", 15)),
    ("Kindly change the handles of PO-2026-454 to brushed steel.", ("PO-2026-454", "spec", "set",
                                                                     "change the handles of PO-2026-454 to brushed steel")),
    ("Please switch the hinge model for PO-2026-455 to the soft-close type", ("PO-2026-455", "spec", "set",
                                                                             "switch the hinge model for PO-2026-455 to the soft-close type")),
])
def test_an_english_request_names_the_order_or_the_goods_in_other_places(parser, text, expected):
    found = changes(parser, text)
    assert [c[:3] for c in found] == [expected[:3]] and (expected[1] == "spec" or found[0][3] == expected[3])


def test_an_english_date_move_beside_a_quantity_read_in_chinese_patterns_is_kept(parser):
    assert changes(parser, "PO-2026-456: pls raise the quantity to 2,000 pcs and move the ETD to Dec 21.") == [
        ("PO-2026-456", "quantity", "set", 2000), ("PO-2026-456", "due_date", "set", "2026-12-21")]


@pytest.mark.parametrize("text", [
    "Sorry, we cannot change PO-2026-457 now, the glass is already cut.",
    "Unfortunately we are unable to add to PO-2026-458, it has shipped. Please open a new PO for the extra 30 sets.",
])
def test_an_english_refusal_records_no_change(parser, text):
    assert changes(parser, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("4710 已经焊完了，客户要换板厚得重新下料，改不了", [("progress", "焊接", "done")]),
    ("4711 总装做了一半，客户想改颜色，老板说不接", [("progress", "总装", "in_progress")]),
    ("4712 已经入库了，改包装没法改，跟客户说一下", [("progress", "入库", "done")]),
    ("客户说4713 要加50台，这个月做不到", []),
])
def test_a_change_turned_down_records_nothing_and_keeps_the_news(parser, text, expected):
    assert [(i["intent"], i["milestone"], i["status"]) for i in parse(parser, text)] == expected


def test_asking_whether_a_change_can_be_made_is_no_refusal(parser):
    assert [c[1] for c in changes(parser, "4714 客户说颜色从白色改成灰色，麻烦看看能不能改")] == ["spec"]


@pytest.mark.parametrize("text", ["客户说4715 交期推到12月20号，他们车间在改造", "4716 客户要求交期提前到12月9号，仓库正在改善"])
def test_work_on_something_is_no_spec_asked_for(parser, text):
    assert [c[1] for c in changes(parser, text)] == ["due_date"]


@pytest.mark.parametrize(("text", "expected"), [
    ("4717 客户追加铝合金窗8樘", ("4717", "quantity", "add", 8)),
    ("客户说4718 加订不锈钢支架40套", ("4718", "quantity", "add", 40)),
    ("主机厂计划员讲4719要多拉300套", ("4719", "quantity", "add", 300)),
    ("4720 客户这批少拉120件", ("4720", "quantity", "sub", 120)),
])
def test_the_goods_named_between_the_verb_and_the_count(parser, text, expected):
    assert changes(parser, text) == [expected]


def test_staff_added_is_no_quantity(parser):
    assert changes(parser, "4721 追加焊工3个") == []


@pytest.mark.parametrize("text", ["今天发货：4722 两车（客户临时叫料）", "4723 明天出货，客户那边拉料"])
def test_a_customer_calling_off_goods_is_no_change(parser, text):
    assert changes(parser, text) == [] and [i["milestone"] for i in parse(parser, text)] == ["发货"]
