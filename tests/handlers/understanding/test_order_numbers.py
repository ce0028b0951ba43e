"""Where an order number stands (order_numbers.find_orders). Examples are our own."""

import pytest

from handlers.understanding.order_numbers import find_orders


@pytest.mark.parametrize("text, orders", [
    ("喷涂 6101 6102 搞定了", ["6101", "6102"]),
    ("昨天 6103 6104 6105 都入库了", ["6103", "6104", "6105"]),
    ("今天 B-7701 B-7702 发货", ["B-7701", "B-7702"]),
    ("总装 2612-31 2612-32 完成", ["2612-31", "2612-32"]),
])
def test_a_list_set_apart_by_spaces_before_a_status_is_every_order(parser, text, orders):
    # a list of one order form joined by spaces only, whose last token stands before a domain word
    assert [o.order_no for o in find_orders(text, parser._domain_after)] == orders


@pytest.mark.parametrize("text, orders", [
    ("焊接 2612 300台 完成", []),        # a count with its unit ends the list: no order
    ("6106 焊了 12 30 件", ["6106"]),     # numbers without a domain word after them stay numbers
    ("下料 88 6107 完成", ["6107"]),      # a token of another form does not join the list
])
def test_numbers_set_apart_by_spaces_are_no_list_without_one_form_and_a_domain_word(parser, text, orders):
    assert [o.order_no for o in find_orders(text, parser._domain_after)] == orders


@pytest.mark.parametrize("text, orders", [
    ("烘干炉温度上不来，2612-41晚上的喷不成了", ["2612-41"]),      # the order the fault holds up, after it
    ("行车钢丝绳断了，正在换，2612-42 2612-43 都吊不了", ["2612-42", "2612-43"]),
    ("6110 焊接完成了；6111 挑了一半", ["6110", "6111"]),           # a sentence of its own
    ("6112 总装搞定。6113 还在打包", ["6112", "6113"]),
])
def test_an_order_leading_a_clause_or_sentence_is_an_order(parser, text, orders):
    assert [o.order_no for o in find_orders(text, parser._domain_after)] == orders


@pytest.mark.parametrize("text, orders", [
    ("6114 焊接做完，1200 多点", ["6114"]),          # a bare number after a comma stays a number
    ("6115 长度要求，1200-1500之间", ["6115"]),     # a range is no dashed order
    ("6116 下料完成；120 件明天做", ["6116"]),      # a count
])
def test_numbers_leading_a_clause_are_no_orders_without_the_form(parser, text, orders):
    assert [o.order_no for o in find_orders(text, parser._domain_after)] == orders


# ---- round 7: where the order stands in a problem report -----------------------------------------
@pytest.mark.parametrize(("text", "order"), [
    ("客户投诉 6640 的柜门关不上", "6640"),
    ("业主投诉6641的窗户有异响", "6641"),
    ("【品质通报】6642 外壳有气孔，要返修", "6642"),
    ("6643 装完了；6644 一直在等铝板", "6644"),
    ("厂家来电：你们6645的轴承下周才有", "6645"),
    ("底座图纸版本错了 6646 等设计出图", "6646"),
    ("客户反馈说到的 6647-02 有三件没贴标", "6647-02"),   # a few words of what was said before it
    ("冲床模具崩了，今天6648冲不了", "6648"),              # right before work it cannot do
])
def test_an_order_after_a_complaint_a_title_a_sentence_or_before_a_wait(parser, text, order):
    assert order in [o.order_no for o in find_orders(text, parser._domain_after)]


@pytest.mark.parametrize("text", [
    "我们3个人下午过去",         # a count after 我们
    "你们200台的那个报价",        # a quantity after 你们
    "等候区 5号位",               # no order before 等
])
def test_a_count_after_a_pronoun_or_a_number_before_other_words_stays_no_order(parser, text):
    assert find_orders(text, parser._domain_after) == []


# ---- round 7 (examples our own) ---------------------------------------------------------------------
@pytest.mark.parametrize("text, orders", [
    ("Could you share the status of 5518 please", ["5518"]),
    ("Please bring forward the shipment for 3346 to Dec 12.", ["3346"]),
    ("Kindly confirm order 66013 is on track", ["66013"]),
])
def test_a_bare_number_after_an_english_preposition_is_an_order(parser, text, orders):
    assert [o.order_no for o in find_orders(text, parser._domain_after)] == orders


@pytest.mark.parametrize("text", [
    "We need a lead time of 30 days for 2200 units",
    "a batch of 500 pcs was packed",
    "we have stock for 120 sets only",
])
def test_a_count_after_an_english_preposition_stays_a_count(parser, text):
    assert find_orders(text, parser._domain_after) == []
