"""Exceptions by domain vocabulary (handlers/understanding/vocabulary.py composed in exceptions.py).

A machine or tool with a fault predicate is equipment, a bought-in part or material with a shortage
or late-arrival predicate is material, a defect found, counted or said to be bad is quality — across
trades (machining, sheet metal, welding, coating, moulding, electronics, garments, furniture,
packaging). A vocabulary noun alone is no problem: a machine at work, a material that came, a defect
removed, denied, warned against or asked about records nothing.
"""

from datetime import datetime, timedelta, timezone

import pytest

from handlers.understanding import vocabulary

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=timezone(timedelta(hours=8)))   # a Wednesday


def brief(parser, text):
    """(intent, order, category, confident) per item."""
    return [(i.intent, i.order_no, i.category.value if i.category else i.status, i.confident)
            for i in parser.parse(text, NOW)]


# ---- machine + fault predicate -> equipment ------------------------------------------------------
@pytest.mark.parametrize("text", [
    "5101 冲压机又起不来了",                  # stamping
    "5102 氩弧焊机不起弧，等电工",             # welding
    "5103 喷粉枪堵死了",                      # powder coating
    "5104 啤机机械手夹不住产品，停了一上午",    # moulding (Cantonese 啤机)
    "5105 波峰焊锡炉漏锡",                    # electronics
    "5106 包缝机断针了",                      # garments
    "5107 封边机一直跑偏",                    # furniture
    "5108 缠绕机不出膜，打包机也不出带",        # packaging
    "5109 电动葫芦失灵了",                    # handling
    "5110 加工中心主轴抖得厉害",              # machining
    "5111 回流炉炉温不稳",
    "5112 模切机刀口钝了",
])
def test_a_machine_with_a_fault_predicate_is_equipment(parser, text):
    assert brief(parser, text) == [("exception", text[:4], "equipment", True)]


@pytest.mark.parametrize("text", [
    "分条机断刀了，开平那边停着",
    "锁眼机没反应，先停下来等师傅修",
    "点胶机短路了，点不了胶",
])
def test_a_machine_fault_with_its_effect_stands_without_an_order(parser, text):
    assert brief(parser, text) == [("exception", None, "equipment", True)]


# ---- part or material + shortage / late arrival -> material ----------------------------------
@pytest.mark.parametrize("text", [
    "5201 合页没了",                          # furniture hardware
    "5202 里料没了，先做别的",                 # garments
    "5203 继电器还在清关",                    # electrical
    "5204 外箱只来了一半",                    # packaging
    "5205 密度板没了",                        # woodwork
    "5206 晶振欠300个",                       # electronics
    "5207 花纹板漏订了",                      # sheet metal
    "5208 松紧带订不到",                      # garments
    "5209 镀锌板没库存",
    "5210 海绵漏订了",
    "5211 封边条订不到",
    "5212 乙炔没有了",                        # welding gas
])
def test_a_named_material_short_or_late_is_material(parser, text):
    assert brief(parser, text) == [("exception", text[:4], "material", True)]


def test_a_named_material_gone_with_its_effect_stands_without_an_order(parser):
    assert brief(parser, "色母用完了，注塑停了") == [("exception", None, "material", True)]


def test_a_line_stopped_for_a_named_part_is_material_not_equipment(parser):
    assert brief(parser, "5221 装配线停了，端子没了") == [("exception", "5221", "material", True)]


# ---- defect found, counted or said bad -> quality -------------------------------------------------
@pytest.mark.parametrize("text", [
    "5301 外壳缩痕比较明显",                  # moulding
    "5302 抽检发现银纹",
    "5303 板子少锡的有十几片",                # electronics
    "5304 袖口浮线太多",                      # garments
    "5305 门板爆边好几块",                    # furniture
    "5306 彩盒套色不准，很明显",              # printing
    "5307 焊瘤很多",                          # welding
    "5308 粉末涂层有麻点",                    # coating
    "5309 冲压件拉伤严重",                    # stamping
    "5310 轴有振纹，比较多",                  # machining
    "5311 出现3处鱼眼",
    "5312 柜门翘曲厉害",
])
def test_a_defect_found_or_counted_is_quality(parser, text):
    assert brief(parser, text) == [("exception", text[:4], "quality", True)]


@pytest.mark.parametrize("text", ["5321 困气", "5322 熔接痕", "5323 立碑"])
def test_a_bare_defect_noun_is_asked(parser, text):
    # the bare noun may be a defect, or the topic of a question or a plan: the bot asks
    assert brief(parser, text) == [("exception", text[:4], "quality", False)]


def test_a_machine_fault_outranks_a_defect_word_in_the_same_breath(parser):
    # the machine is the cause; its fault is recorded, not the product's short circuit
    assert brief(parser, "5331 烤箱短路了") == [("exception", "5331", "equipment", True)]


def test_a_defect_word_of_moulding_is_no_shortage(parser):
    # 缺胶 is a short shot, not missing glue; 缺胶水 is missing glue
    assert brief(parser, "5341 有几件缺胶") == [("exception", "5341", "quality", True)]
    assert brief(parser, "5342 缺胶水") == [("exception", "5342", "material", True)]


# ---- guards: a vocabulary noun alone records nothing ---------------------------------------------
@pytest.mark.parametrize("text", [
    "5401 折弯机刚调好",                      # a machine with no fault
    "5402 机械手今天开始用",
    "5403 铰链到了",                          # a material that came
    "5404 面料已经到齐",
    "5405 批锋都打磨干净了",                  # a defect removed
    "5406 焊渣已经清理掉了",
    "5407 没有缩痕",                          # a defect denied
    "5408 未发现银纹",
    "5409 喷粉注意麻点",                      # warned against
    "5410 要是空压机坏了就先停",              # a hypothetical
    "5411 螺丝够不够",                        # asked, not said short
    "5412 包装箱不够大",                      # a size, not a count short
])
def test_a_vocabulary_noun_alone_is_no_exception(parser, text):
    assert not any(item.intent == "exception" for item in parser.parse(text, NOW))


@pytest.mark.parametrize("text", [
    "5451 没有划痕",                          # denied
    "5452 无锈蚀",
    "5453 未发现气孔",
    "5454 喷漆注意色差",                      # warned against
    "5455 毛刺都打磨干净了",                  # removed
    "5456 毛刺去掉了",
])
def test_a_defect_denied_warned_against_or_removed_is_no_exception(parser, text):
    assert parser.parse(text, NOW) == []


@pytest.mark.parametrize("text", ["5421 焊接完成，无焊瘤", "5422 焊接完成，没有虚焊", "5423 焊好了 未见夹渣"])
def test_a_defect_denied_beside_a_finished_step_leaves_the_progress(parser, text):
    assert brief(parser, text) == [("progress", text[:4], "done", True)]


def test_a_question_about_a_defect_is_a_question(parser):
    assert [item.intent for item in parser.parse("5431 有没有针孔?", NOW)] == ["query"]


def test_a_leading_order_before_a_word_starting_with_a_unit_character(parser):
    # 点, 线, 卷, 批 are units after a number, but "点焊机", "线束", "卷料", "批锋" are shop words
    assert brief(parser, "5441 点焊机烧了") == [("exception", "5441", "equipment", True)]
    assert brief(parser, "5442 线束还没到") == [("exception", "5442", "material", True)]
    assert brief(parser, "5443 卷料没了") == [("exception", "5443", "material", True)]
    # …but a count still counts: "200卷 料到了" is no order
    assert all(item.order_no is None for item in parser.parse("还差200卷", NOW))


def test_the_vocabularies_are_broad_and_distinct():
    assert len(vocabulary.MACHINES) >= 150 and len(vocabulary.MATERIALS) >= 150 and len(vocabulary.DEFECTS) >= 120
    for words in (vocabulary.MACHINES, vocabulary.MATERIALS, vocabulary.DEFECTS):
        assert len(set(words)) == len(words)
