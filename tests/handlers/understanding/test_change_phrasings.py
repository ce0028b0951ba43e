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
