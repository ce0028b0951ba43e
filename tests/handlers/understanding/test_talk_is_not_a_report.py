"""Talk that mentions orders, numbers, machines or milestone words without reporting on an order's
progress, problem or change, or asking its status, yields no item."""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Thursday


def parse(parser, text):
    return [item.as_dict() for item in parser.parse(text, NOW)]


@pytest.mark.parametrize("text", [
    # a question whose topic is a person, a document or money, not the order's status
    "谁在跟362？",
    "362的报价发给客户了吗",
    "362的合同签了吗",
    "362的发票开了没",
    "362的货款到了没",
    "362的单价是多少",
    "362客户的电话多少",
    "362的合格证打印了没",
    "这张图纸是哪个单的？",
    "SO20261201009这个单号是不是打错了，系统里查不到",
    # a batch of supplies is not an order's goods
    "那批焊丝是不是用完了",
    "这批螺丝到了吗",
    "那批砂纸是不是快用完了",
    "376这单是不是录错了，系统里找不到",     # the order's record, not its work
])
def test_a_question_about_something_else_than_the_orders_status(parser, text):
    assert parse(parser, text) == []


@pytest.mark.parametrize(("text", "milestone"), [
    ("362焊接完成了吗", "焊接"),
    ("这批货发了吗", "发货"),
    ("362 怎么样了 客户打了好几次电话了", None),   # the calls come after the question: it asks of the order
])
def test_a_status_question_stays_a_query(parser, text, milestone):
    assert [(i["intent"], i["milestone"]) for i in parse(parser, text)] == [("query", milestone)]


@pytest.mark.parametrize("text", [
    "上次363返修那个事，以后要先自检",     # a past matter as the topic, and a standing rule
    "以后喷完都要先自检",
    "下次焊接前先打磨",
    "质检的人下午过来一下",              # the people of a step
    "焊接的师傅都去吃饭了",
    "今天装了一天 腰都酸了",              # time spent, with no order: talk
    "喷了一上午 累死了",
    "364 明天开始焊",                    # a planned start is no progress yet
])
def test_talk_yields_no_item(parser, text):
    assert parse(parser, text) == []


def test_time_spent_on_an_order_is_asked_not_recorded_as_done(parser):
    [item] = parse(parser, "365 焊了一整天了")
    assert (item["status"], item.get("confident")) == ("in_progress", False)


def test_a_customers_standing_request_is_still_a_change(parser):
    # the rule against standing rules reads no report into talk; a requested change is read first
    [item] = parse(parser, "366 客户说以后都换成木箱包装")
    assert (item["intent"], item["field"]) == ("change", "spec")


def test_a_shipment_said_for_later_is_not_a_standing_rule(parser):
    assert [i["milestone"] for i in parse(parser, "367 焊接完成，以后再发货")] == ["焊接"]


@pytest.mark.parametrize("text", [
    "要是368明天焊不完就加班",           # a hypothetical
    "万一368喷漆不合格怎么办",
    "如果368焊不完，周六加班",
    "368要是来不及就先发一半",
    "等368喷完了再说",                   # what to do once a step is done
    "368焊完了叫我一声",
    "368做完了记得告诉我",
])
def test_a_condition_is_no_report(parser, text):
    assert parse(parser, text) == []


def test_a_report_beside_a_condition_stands(parser):
    assert [(i["milestone"], i["status"]) for i in parse(parser, "369焊接完成，如果明天不下雨就发货")] == [
        ("焊接", "done")]


@pytest.mark.parametrize("text", [
    "370 客户说颜色再看看",          # the customer's own look: the sender asks nothing
    "370 客户要求看一下样品",
    "370 客户要求每天报进度",        # a report the customer wants
])
def test_the_customers_own_look_is_no_query(parser, text):
    assert parse(parser, text) == []


def test_a_customer_wanting_the_progress_is_still_asked_of_the_order(parser):
    assert [i["intent"] for i in parse(parser, "客户想看看371的进度")] == ["query"]


@pytest.mark.parametrize("text", [
    "372 客户要求用顺丰发",            # carrier
    "372 客户说地址改成上海",          # delivery address
    "372 客户把价格改成每台500元",      # price
    "客户要求372的发票抬头改一下",      # invoice
    "372 客户要求换人对接",              # who talks to whom, and how
    "372 客户说用微信联系",
    "372 客户要求用邮件发图纸",
])
def test_commercial_terms_are_no_spec_change(parser, text):
    assert not any(i["intent"] == "change" for i in parse(parser, text))


def test_news_after_a_past_matter_still_reports(parser):
    assert [(i["order_no"], i["milestone"], i["status"]) for i in parse(parser, "之前说的那个事 373 焊接完成了")] == [
        ("373", "焊接", "done")]


@pytest.mark.parametrize("text", [
    "质检合格的贴绿标",          # a noun phrase of a rule: the goods that passed
    "焊接完成的先放A区",
    "焊接完成的话通知我",        # …的话 after a status is a condition
    "374焊接完成的话明天就喷漆",
])
def test_a_rule_about_finished_goods_or_a_condition_with_de_hua(parser, text):
    assert parse(parser, text) == []


def test_de_hua_after_an_order_is_a_filler(parser):
    assert [(i["milestone"], i["status"]) for i in parse(parser, "375的话焊接完成了")] == [("焊接", "done")]


@pytest.mark.parametrize("text", [
    "今天焊接完成了好几个单",          # a count of orders: a summary, no one order's news
    "焊接返工太多了，大家注意",        # an appeal to everyone about a habit
    "喷漆色差问题要重视",
])
def test_a_remark_on_the_shop_at_large_with_no_order(parser, text):
    assert parse(parser, text) == []


@pytest.mark.parametrize(("text", "intent"), [("焊接完成", "progress"), ("缺料了", "exception"), ("有几个单子逾期了", "query")])
def test_an_update_naming_no_order_still_counts(parser, text, intent):
    assert [i["intent"] for i in parse(parser, text)] == [intent]


# ---- round 4: a request to someone to do a step reports nothing (examples our own) ----------------

@pytest.mark.parametrize("text", [
    "1301 计划部今天排一下",
    "1302 明天客户来验货，请品检准备一下",
    "1303 料到了，仓库发一下",
    "1304 这单急，焊接那边先焊一下吧",
    "1305 喷涂线今晚赶一下",
    "1310 明天下午品检出厂检验安排一下",
])
def test_a_request_to_do_a_step_is_no_report(parser, text):
    assert [i for i in parse(parser, text) if i["intent"] == "progress"] == []


@pytest.mark.parametrize(("text", "milestone", "status"), [
    ("1306 焊接完成了，品检安排一下", "焊接", "done"),      # the report beside the request stands
    ("1307 喷涂做了一半，剩下的明天再弄一下", "涂装", "in_progress"),
])
def test_a_report_beside_a_request_stands(parser, text, milestone, status):
    assert [(i["milestone"], i["status"]) for i in parse(parser, text)] == [(milestone, status)]


def test_a_status_asked_with_a_request_word_is_still_a_question(parser):
    assert [i["intent"] for i in parse(parser, "1308 1309 进度麻烦报一下")] == ["query", "query"]


@pytest.mark.parametrize("text", [
    "7730 的出货清单谁手上有？传我一份",
    "7731 的物料表改过了吗",
    "Please share the packing list of SO20261201004",
    "7732 是给哪家客户做的？",
    "7733 的唛头谁在做？",
])
def test_a_question_about_papers_customer_or_a_change_is_no_status_query(parser, text):
    assert parse(parser, text) == []


def test_the_status_sheet_asked_for_is_still_a_query(parser):
    assert [i["intent"] for i in parse(parser, "7734 的进度表发我一份")] == ["query"]


# ---- round 6: the share of a payment is no share of a step ------------------------------------------
@pytest.mark.parametrize("text", [
    "5155 的定金到账了，30%，可以安排生产",
    "5159 首付30%收到，可以安排生产",
])
def test_a_payment_and_its_share_report_no_progress(parser, text):
    assert all(item["percent"] is None for item in parse(parser, text))
    assert all(item["intent"] != "progress" or item["status"] == "done" for item in parse(parser, text))


@pytest.mark.parametrize("text", ["5150 定金收了30% 焊接完成", "5156 30%定金收到了 焊接完成了"])
def test_a_step_beside_a_payment_share_keeps_its_own_status(parser, text):
    assert [(i["milestone"], i["status"], i["percent"]) for i in parse(parser, text)] == [("焊接", "done", None)]


# ---- round 7 (examples our own) ---------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "5101 看焊接情况再定",
    "5102 发不发看质检的情况",
    "5103 看情况吧",
    "5104 入库时间看总装进度而定",
])
def test_what_a_plan_depends_on_is_no_question_and_no_report(parser, text):
    assert parse(parser, text) == []


@pytest.mark.parametrize("text", ["5105 看看总装情况", "5106 帮我看下焊接进度", "5107 总装的情况呢？"])
def test_looking_at_a_steps_status_still_asks(parser, text):
    assert [i["intent"] for i in parse(parser, text)] == ["query"]


@pytest.mark.parametrize("text", [
    "Could you send me the inspection report of PO-2026-611 before shipping?",
    "Can you send us the QC report for PO-2026-612 before shipment?",
])
def test_a_copy_of_a_paper_asked_for_is_no_status_question(parser, text):
    assert parse(parser, text) == []
