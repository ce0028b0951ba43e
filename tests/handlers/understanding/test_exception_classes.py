"""Round 3 of issue 11: exception understanding as an analysis, each class with examples of our own.

Cause before effect (a machine as the subject of a fault, a property short of spec, a wrong part
with none in stock, a stop caused by a shortage), problems reported with no order named, and the
confidence the bot acts on: a reading a cause rule settles is recorded, a contested one is asked.
"""

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Wednesday


def brief(parser, text):
    """(intent, order, milestone, category, confident) per item."""
    return [(i.intent, i.order_no, i.milestone, i.category.value if i.category else i.status, i.confident)
            for i in parser.parse(text, NOW)]


# ---- cause before effect: a machine as the subject of a fault ------------------------------------
@pytest.mark.parametrize(("text", "milestone"), [
    ("8801 剪板机的液压坏了", None),            # 液压坏 is no crushed part (压坏)
    ("8802 等离子切割机又不行了，下料停着", "下料"),  # 不行 of a machine is no defect
    ("8803 输送线卡住了", None),
    ("8804 冷却泵异响，先停下来", None),
    ("8805 冲床模具崩了，在修", None),
])
def test_a_machine_as_the_subject_of_a_fault_is_equipment(parser, text, milestone):
    assert brief(parser, text) == [("exception", text[:4], milestone, "equipment", True)]


def test_the_product_in_the_customers_hands_is_not_our_machine(parser):
    # the same words of a delivered machine are the product's defect
    [item] = parser.parse("8806 客户那边反馈设备有异响", NOW)
    assert (item.intent, item.category.value) == ("exception", "quality")


@pytest.mark.parametrize("text", [
    "8811 焊缝熔深不够，要补焊",
    "8812 螺栓力矩不足，全部重新打",
    "8813 漆膜厚度不够",
])
def test_a_property_short_of_spec_is_a_defect_not_a_shortage(parser, text):
    [item] = parser.parse(text, NOW)
    assert (item.intent, item.category.value, item.confident) == ("exception", "quality", True)


@pytest.mark.parametrize("text", [
    "8821 领料时发现气缸型号发错了，仓库也没有对的",
    "8822 总装用的电机规格不对 库存也没有了",
    "8823 钢板到货数量对不上，少三张",
])
def test_a_wrong_part_with_none_in_stock_or_a_short_count_is_material(parser, text):
    [item] = parser.parse(text, NOW)
    assert (item.intent, item.category.value) == ("exception", "material")


@pytest.mark.parametrize("text", [
    "8831 装配线停了，因为缺垫片",
    "8832 没料了，焊接线停了",
])
def test_a_stop_caused_by_a_shortage_is_material_and_settled(parser, text):
    [item] = parser.parse(text, NOW)
    assert (item.intent, item.category.value, item.confident) == ("exception", "material", True)


def test_a_spare_part_awaited_for_a_repair_keeps_the_fault_equipment(parser):
    [item] = parser.parse("8841 锯床的锯条断了，等后天新锯条到了再开", NOW)
    assert (item.category.value, item.confident) == ("equipment", True)


def test_a_machine_fault_beside_a_real_shortage_is_asked(parser):
    [item] = parser.parse("8842 焊机坏了，焊丝也用完了", NOW)
    assert item.intent == "exception" and item.confident is False


# ---- no order named --------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "category"), [
    ("二号线的焊机又坏了，今天焊不了", "equipment"),
    ("数控车床报警停机了，师傅在修", "equipment"),
    ("密封圈还差60个", "material"),
    ("外协的支架还没送来，供应商说周五", "material"),
])
def test_a_production_problem_with_no_order_is_an_item_without_order(parser, text, category):
    [item] = parser.parse(text, NOW)
    assert (item.intent, item.order_no, item.category.value) == ("exception", None, category)


@pytest.mark.parametrize("text", [
    "会议室的空调坏了，找下行政",
    "我手机坏了，有事打座机",
    "设备保养计划：周日全线停机保养",
    "谁把卷尺用完了没放回去",
    "下午跟供应商开个会",
])
def test_an_office_or_planned_matter_with_no_order_is_not_recorded(parser, text):
    assert parser.parse(text, NOW) == []


@pytest.mark.parametrize("text", [
    "3号线周六停电检修",                     # planned upkeep: nothing broke
    "车间的排风扇坏了，叫电工来",             # no production machine, nothing said of the work
    "焊丝快用完了，记得下单采购",             # a reminder to buy, not a delivery awaited
])
def test_upkeep_and_reminders_with_no_order_are_not_recorded(parser, text):
    assert parser.parse(text, NOW) == []
