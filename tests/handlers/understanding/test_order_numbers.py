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
