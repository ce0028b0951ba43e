"""Exception analysis: is a window of text a problem report, of which category, and how sure.

A window (the text one milestone mention governs, or a whole scope) is read for cue families: quality
(defect, mismatch, rejection, rework, complaint), material (shortage, absence, waiting for a supplier,
used up), equipment (breakdown, stoppage, repair of a machine, tool or line), delay (lateness with no
request behind it) and other. Where cues of several families meet, cause outranks effect (a line
stopped for lack of parts is material); a category that rests on a weak or contested cue, or a problem
resolved in the same breath, is marked unconfident so the bot asks before recording.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import handlers.understanding.lexicon as lx
import handlers.understanding.vocabulary as vocab
from storage.models import ExceptionCategory

from .dates import find_dates
from .items import ParsedItem
from .patterns import any_of, cue, gated
from .numerals import NUMBER_PATTERN, parse_number

_NUM = NUMBER_PATTERN
_NEGATED = cue(r"(?:没|未|不|无|还没有?|没有|尚未)$")
_DONE = cue(lx.alternation(lx.DONE_WORDS) + "|" + lx.ENGLISH_DONE)
_FORECAST_STRONG = cue(lx.alternation(lx.FORECAST_STRONG) + "|" + lx.ENGLISH_FORECAST)
_DAY_COUNT = cue(lx.DAY_COUNT)

# a defect of the vocabulary found, counted or said to be bad ("发现3处气泡", "缩水严重", "披锋太大",
# "焊渣没清"); a bare defect noun the lexicon lacks is a weak cue (the bot asks), a negated one or one
# removed is none (see _NO_DEFECT, _DEFECT_REMOVED)
# (缺胶 is a short shot; 缺胶水, 缺胶带 are missing material)
_DEFECT_NOUN = f"(?:{lx.alternation(vocab.DEFECTS)})(?!(?<=缺胶)[水带条])"
_UNIT = r"(?:个|处|件|台|只|片|块|条|点|套|支|根|张|卷|批|pcs|PCS)"
# (the presence said before the noun is read only where a bare noun needs it: see _weak_cue)
_DEFECT_FOUND_BEFORE = cue(
    rf"(?<![没无不])(?:{lx.alternation(vocab.DEFECT_FOUND_BEFORE)})\s*(?:(?:{_NUM}|几|好几|十几)\s*{_UNIT}\s*)?(?:有|是)?\s*$")
_DEFECT_FOUND = (
    rf"(?:{_DEFECT_NOUN})\s*[,，]?\s*(?:(?:{lx.alternation(vocab.DEFECT_FOUND_AFTER)})(?![概约家致部])|(?:有|共|一共)?\s*(?:{_NUM}|几|好几|十几)\s*{_UNIT})")
_NEW_DEFECTS = frozenset(d for d in vocab.DEFECTS if not any(word in d for word in lx.QUALITY_WORDS))
_QUALITY = cue(
    _DEFECT_FOUND + "|" + lx.alternation(lx.QUALITY_WORDS) + "|" + f"(?:{lx.alternation(_NEW_DEFECTS)})(?!(?<=缺胶)[水带条])|" + lx.ENGLISH_QUALITY
    # something done wrong ("规格错了"), but not a sender correcting himself ("刚才说错了")
    + r"|(?<![说讲听看记])错了"
    # a measurement off by a stated amount ("对角差了5个mm", "孔位偏了2毫米"), a gap too wide ("门缝太大")
    + rf"|(?:差了?|偏了|超了?|大了|小了)\s*(?:{_NUM})\s*个?\s*(?:mm|MM|毫米|公分|厘米|cm|丝|度)(?![A-Za-z])"
    + r"|(?:缝|缝隙|间隙|误差|公差|偏差)\s*(?:有点|太|过|偏)(?:大|小|宽|窄)"
    # sent back by the inspector or the customer ("QC打回来了", "被品检打回")
    + r"|(?:QC|质检|品检|检验|品管|客户|被)[^,，;；。]{0,3}打回"
)
_EQUIPMENT = cue(lx.alternation(lx.EQUIPMENT_WORDS) + "|" + lx.ENGLISH_EQUIPMENT)
# "不够大", "不够长": a size too small (a lorry, a room), no count of material short
_MATERIAL = cue(
    lx.alternation(w for w in lx.MATERIAL_WORDS if w not in ("缺", "不够")) + r"|缺(?![陷勤席点口角]|胶(?!水|带|条))|(?<![推延])迟到"
    + r"|(?<!够)不够(?![大长宽高])"   # ("人手够不够": asked, not said short)
    # short of a count or a kind ("还差20个", "还差两种"), not "还差一点" (nearly done)
    + r"|还差(?!一点|一些|点|些|多少|\s*$|\s*(?:大概|大约|差不多|约)?\s*(?:\d{1,3}\s*%|百分之|[一二两三四五六七八九]成))|" + lx.ENGLISH_MATERIAL
)
_MATERIAL_STRONG = cue(r"缺料|缺货|欠料|待料|等料|没货|断货|料不齐|到货延迟|延迟到货")
_DELAY = cue(
    lx.ENGLISH_DELAY + "|" + lx.alternation(lx.DELAY_WORDS)
    + rf"|晚\s*(?:{_NUM})\s*个?(?:天|日|周)|(?<![今昨明傍当夜])晚(?![上班饭点餐会])|拖\s*(?:{_NUM})\s*个?(?:天|日|周)"
    # more days than planned ("得多要两天", "又要延一天", "要慢几天"), work that cannot be done in time
    # ("这周焊不完", "年前做不出来"), a step moved back with no request ("往后挪到11月10号")
    + rf"|(?:多要|要多|多花|多用|再要|延|慢|推|挪|拖)后?\s*(?:{_NUM}|几)\s*个?(?:天|日|周|星期|礼拜)"
    + r"|[焊喷装切做干弄搞赶检]不(?:完|出来)|做不出来|出不来|往后(?:挪|推|拖|排|延)|挪到|挪后|慢下来|等下一班|排不上"
    + r"|(?:进度|比计划|比预期)\s*(?:有点|稍微|太|比较)?慢"
    # the work will drag ("进度又要拖", "肯定得拖"), not a plan moved to a day ("拖到周五" is above)
    + r"|(?<=[要又得会])拖(?![到后])"
    # the due date itself at risk, with no request behind it ("交期保不住了", "货期怕是守不住", "交期够呛")
    + r"|(?:交期|交货期|货期|工期|船期|交货日期)\s*(?:肯定|可能|估计|怕是|恐怕|应该|基本|也)?\s*"
      r"(?:保不住|守不住|保证不了|保不了|赶不上|来不及|要延|够呛|悬了|危险了|不行了|要拖)"
)
# the milestone's own verb in the negated potential ("发货…发不了了", "这周焊不完"): \x01 stands for the verb
_NEG_POTENTIAL = cue(r"\x01\s*(?:不了|不完|不出来|不动)")
# (先别 holds an order back, "先别发"; "先别管" / "先别急" only sets it aside in talk)
# (…nor does an instruction under a condition: "没喷的话先别喷")
_OTHER = cue(lx.alternation(w for w in lx.OTHER_WORDS if w != "先别") + r"|(?<!的话)(?<!的话[,，\s])先别(?!管|急|着急|担心|慌|理)"
               # a step held back by someone ("财务说先不能发货", "暂时不让出货"): a hold, "other"
               + r"|(?:先|暂时|暂)\s*(?:不能|不让|不准|不给)(?=\s*[\x01\u4e00-\u9fff])"
               # goods that cannot get in or be unloaded at the site ("车进不去", "玻璃卸不了"): the site's
               # matter, neither a machine of ours nor late material
               + r"|(?<![想看听说])(?:进不去|卸不了|卸不下来?|送不进去?|运不进去?|吊不上去)")
# "没问题", "无异常": a negated problem word reports that all is well
# (Sichuan "莫得啥子问题", "没得啥问题")
_NO_PROBLEM = cue(
    r"(?:没|没有|无|不是|没啥|没什么|未|莫得|没得)\s*(?:发现|查出|检出|看到|见|出现|找到)?\s*(?:什么|啥子?|任何)?\s*(?:大)?(?:问题|异常)")
# a production machine, tool or line (not a phone, a printer, the office air conditioning or a driver)
_MACHINE = (
    r"(?:" + lx.alternation(vocab.MACHINES)
    + r"|(?<![手耳司飞相印电试])机(?!会|构|关|场|票|器人)|(?<=\x01)[机头线床枪房柜炉钳]|机器人|机床|[车铣冲磨钻刨镗锯]床|设备"
    r"|线体|[一二三四五六七八九十\d]号线|炉|[焊喷割]枪|泵|[切割焊喷刀]头|液压)")
_PRODUCTION_MACHINE = cue(_MACHINE + r"|检具|量具|治具")
# cause before effect (class): a machine, tool or line as the subject of a fault is an equipment
# failure, whatever else the fault word could mean ("液压坏了" is no crushed part, "切割机又不行了" no
# defect, "空压机漏气" no leaking product); a process setting the machine cannot hold ("温度不够",
# "气压上不去") is equipment, not material
_FAULT_WORD = (
    r"(?:坏|不行|故障|漏气|漏水|漏油|异响|冒烟|不转|不动"
    r"|卡死|卡住|卡了|报警|断了|崩了|撞了|撞坏|撞枪|撞刀|没电|断电|脏了|烧了|烧坏|罢工|出问题|有问题|出毛病|趴窝|死机|跳闸"
    # symptoms in everyday words: "焊机又拉胯了", "空压机没气了", "镜片炸了", "传送带打滑", "模具卡料了",
    # "液压油管爆了", "焊机送修", "涂装线温度异常"
    r"|拉胯|掉链子|不灵|没气|没压|炸了|爆了|裂了|碎了|破了|打滑|卡料|崩齿|崩刃|送修|异常|不出气|不出料|不供料"
    # …unusable, worn, tripping, stopping again, a wrong noise, no output ("行车还是不能用", "钢丝绳起毛了",
    # "空压机跳了两回闸", "又停了一次", "声音不对", "暖风机不出热风")
    r"|不能用|用不了|起毛|磨损|跳(?:闸|了|(?=[,，;；。\s]|$))|停了[\d一两二三四五六七八九十几]+\s*[次回]|(?<=又)停了?"
    r"|响得厉害|声音不对|声音不正常|不出[热冷]?[风气水油料]|" + lx.alternation(vocab.FAULT_PREDICATES) + ")")
_FAULT_AFTER = r"(?:又|也|有点|一直|突然|还是)?\s*" + _FAULT_WORD
_SETTING_OFF = r"(?:温度|炉温|压力|气压|电压|功率|转速|水压)\s*(?:不够|不足|上不去|太低|太高|不稳|异常)"
# (searched only where a fault word or a setting is said: the machine nouns are hundreds, see gated)
_FAULT_SAID = _FAULT_WORD + "|" + _SETTING_OFF
# (voice input may put a space or a filler between the machine and its fault: "5号机 烧了",
# "除尘风机 呃 那个 响得厉害")
_MACHINE_FAULT = gated(_MACHINE + r"[^,，;；。\x01]{0,8}?" + _FAULT_AFTER + "|" + _SETTING_OFF, _FAULT_SAID)
def machine_at_fault(sentence: str) -> bool:
    """The sentence opens on a production machine at fault ("空压机半夜跳了两回闸，重启了", "2#行车还是不能
    用"): a report of the shop floor of its own, whatever orders the sentence before gave news of."""
    fault = _MACHINE_FAULT.search(sentence)
    return fault is not None and fault.start() <= 6 and not _FACILITY_FAULT.search(sentence)


# a machine or tool in trouble again ("2号机模具又粘铝了"), said beside work it blocks ("下午挤不了",
# "拆下来抛光"): whatever the trouble's word, the machine is the cause (equipment)
_MACHINE_AGAIN = cue(_MACHINE + r"[^,，;；。\x01]{0,4}?又[\u4e00-\u9fff]{1,3}了")
_WORK_BLOCKED = cue(r"(?<![少免受大错])(?<!对)[\u4e00-\u9fff]不了|拆下来|停(?:了|下|线|机)")


def _machine_again(text: str) -> re.Match[str] | None:
    found = _MACHINE_AGAIN.search(text) if "又" in text else None
    return found if found is not None and _WORK_BLOCKED.search(text, found.end()) else None


# the machine itself at fault, no part of it after 的 ("行车又出问题了", not "2号线的气管漏气")
_MACHINE_ITSELF_FAULT = gated(_MACHINE + r"[^,，;；。\x01的]{0,8}?" + _FAULT_AFTER + "|" + _SETTING_OFF, _FAULT_SAID)


# a production tool or fixture is never the product, whoever finds its fault ("质检卡住了 检具坏了")
_TOOL_FAULT = cue(
    r"(?:检具|量具|治具|夹具|模具|工装|刀具|刀片|锯片|锯条|镜片|钻头|砂轮|焊枪|喷枪|行车|叉车|吊车|天车|生产线|流水线|产线|传送带|输送线)"
    r"[^,，;；。\s\x01]{0,4}?(?:又|也|突然)?\s*(?:坏|故障|断了|崩|裂|碎|炸|磨损|卡死|卡住|卡料|罢工|趴窝|报警|不转|不动)")
# …unless the machine is the product in the customer's hands ("客户反馈设备异响", "验收时两台开机报警")
_PRODUCT_CONTEXT = cue(r"客户|验收|验货|收到|到货|现场|用户|客人|抽检|终检|品检|质检|检验|巡检")
# a property of the product short of its specification is a defect, not missing material
# ("扭矩不够", "膜厚不足", "附着力不行")
_PROPERTY_SHORT = cue(
    r"(?:扭矩|扭力|力矩|拉力|膜厚|漆膜|厚度|强度|硬度|附着力|精度|光洁度|平整度|粗糙度|亮度|焊透|熔深|间隙|垂直度|同心度)"
    # (the reading may come between: "膜厚有几个点才60几个微米 不够")
    r"(?:\s*(?:也|有点|还是)?\s*|[^,，;；。]{0,14}?\s)(?:不够|不足|不行|太低|太小|太大|偏大|偏小|超了)")
# a wrong part issued or delivered with no right one in stock: the supply is what blocks the work
_STOCK_ABSENT = cue(r"(?:仓库|库房|库里)[^,，;；。]{0,4}(?:没有|没货|也没|发错|没找到)|没有合适的|库存(?:也)?(?:没有|不够)")
# a count that arrived wrong ("到货数量不对", "数量对不上") is a shortfall of material, not a defect
_COUNT_MISMATCH = cue(r"(?:数量|数目|件数|个数|套数)\s*(?:不对|对不上|不符|有误)")
# what production consumes or an order is built from: the subject of a supply problem
_MATERIAL_NOUN = (
    r"(?:" + lx.alternation(vocab.MATERIALS) + r"|(?:不锈)?钢[板管材件棒丝卷]|[铝铜铁][板管材件棒丝卷]|[角槽扁圆方]钢|H型钢|[方圆矩]管"
    r"|[板管线]材|外购|(?i:steel|plates?|parts|materials?|components?))")
# supplied goods wrong or defective (class): the material came wrong from the supplier or the
# store, so the order waits for material ("面漆到了，色号发错了", "来的钢管壁厚不对 等新料",
# "供应商把型号发错了"); a product the customer received wrong stays quality
_INCOMING = cue(
    rf"来料|进料|(?:{_MATERIAL_NOUN})\s*(?:已经|都)?(?:到了|到货|已到|送来了|来了)|(?<!出)来的|送来的|(?<!收)到的货|供应商|厂家|外协"
    r"|等新料|新料|重新订|重新采购|退回去|退给|退还|来错|送错|换货")
_DEFECT = cue(r"不对|错了|发错|不一致|不符|对不上|不合格|不良|质量不行|没过|不行|有锈|生锈|锈了|破损|变形"
                # damaged on arrival and sent back ("板材有一捆划痕很深，退回供应商了")
                r"|划痕|划伤|划花|裂纹|开裂|退回供应商|退给供应商|退回厂家")
# a delay whose subject is supplied material is the supplier's: material ("面板延期，预计1/8到",
# "油漆到货推迟", "the steel plates will be delayed")
_LATE_WORD = r"(?:延期|推迟|延迟|延误|延后|晚到|要晚|推到|拖到|延到|(?i:delayed|late))"
_SUPPLY_LATE = gated(rf"(?:(?:{_MATERIAL_NOUN})|到货|来料|供应商)[^,，;；。\x01]{{0,8}}?{_LATE_WORD}", _LATE_WORD)
# a vehicle or carrier that has not come or broke down on the road: the shipment runs late; it is
# neither missing material nor a machine of ours (a breakdown on the road is asked: writers differ)
_TRANSPORT = cue(
    r"(?:(?<![行叉吊天铲台推装上下])车(?!间)|司机|物流|货代|船|(?<![装电控配粉帘])柜)[^,，;；。]{0,6}?(?:没来|还没来|来不了|才能来|才来|没到|到不了|不来|抛锚|坏|甩柜|堵)")
# …unless it brings supplied material ("供应商货车还没到厂"): then the material is what is missing
_SUPPLY_RUN = cue(rf"供应商|厂家|外协|到厂|{_MATERIAL_NOUN}")
# a drawing, document or decision awaited or wrong ("图纸版本不对 等技术确认", "收货地址客户还没给",
# "等客户确认图纸再排"): neither a defect nor missing material ("other")
_PAPER_NOT_GIVEN = r"(?:还没|没有?|未)\s*(?:给|发|提供|出)\s*(?:我们)?\s*[\u4e00-\u9fff]{0,2}?(?:图纸|地址|资料|文件|BOM|技术要求)"
_DOCUMENT_ISSUE = cue(
    r"(?:图纸|(?<![试地])图(?![片])|资料|文件|工艺|技术要求|版本|地址|报告|BOM|开票信息|发票信息)[^,，;；。]{0,6}?"
    r"(?:不对|错|不一致|不符|对不上|没给|还没给|没出|没发|没定|变了|有误"
    # …or not come yet ("图纸还是没到", "技术资料还没来")
    r"|没到|未到|没来|还没来|没下来)"
    # …said verb first: "客户还没给地址", "设计没出图纸"
    + "|" + _PAPER_NOT_GIVEN +
    r"|等\s*(?:技术|设计|工艺|客户|老板|领导)?\s*(?:确认|回复|答复|改图|出图)|(?:还没|没有?|未|待)\s*(?:确认|回复|定稿|签字|批下来)")
_PAPER_NOT_GIVEN_RE = cue(_PAPER_NOT_GIVEN)
_ON_THE_ROAD = cue(r"抛锚|坏")
# a sender correcting himself ("焊接完成，哦不对，是涂装完成", "80% 打错了 是60%") reports no defect
_CORRECTION = cue(
    r"(?:哦|噢|喔|啊)?\s*(?:(?:不对|打错了|说错了|写错了|搞错了|错了|不是)\s*[,，]?\s*)+(?:应该是|是)(?=\s*[\w%\ue000])"
    r"|(?:哦|噢|喔)\s*(?:不对|不是)"
    # …or cut off where the corrected order begins ("7791的喷涂，不对不对，是7792的…": the window of the
    # order said wrongly ends in the correction words)
    r"|(?<=[,，])\s*(?:不对|不是)(?:\s*[,，]?\s*(?:不对|不是))*\s*[,，]?\s*$")
# advice against a problem ("以后焊完先自检，别再返工了", "注意防止磕碰") reports none
_ADVICE = cue(r"(?:别再|不要再|不能再|避免|防止|以免|免得|注意别)[^,，;；。]{0,6}")
# a subject said to be fine ("来料没问题，是我们焊偏了"): its words raise no family
_FINE_SUBJECT = cue(r"(?:来料|材料|物料|原材料|设备|机器|料)\s*(?:都|也|倒是)?\s*(?:没有?|无)\s*(?:问题|异常)")
# what is still to do on the step itself ("还差两成", "还差20%", "还差两台没装"), not parts missing
_WORK_LEFT = cue(
    rf"(?:还差|差|还剩|剩)\s*(?:(?:{_NUM})\s*(?:成|%)|百分之|一半|(?:{_NUM})\s*(?:台|件|个|套|箱|车)\s*(?:还)?(?:没|未)"
    # …or a count left of the order's total ("还差12套（共60套）", "还剩20件 总共100件")
    rf"|(?:{_NUM})\s*(?:台|件|个|套|箱|车|只|pcs|PCS)\s*[（(,，、/\s]*(?:共|总共|一共|总数|合计))"
    # …or the last pieces or passes of the step ("下料还差最后几件", "还差一遍面漆", "还差两道工序")
    rf"|还差\s*最后|还差\s*(?:{_NUM}|几)\s*(?:遍|道|层)")
# the step under way, then a count still to go ("装配在做 还差40台", "正在焊，还差十来件"): work left
_UNDER_WAY_HERE = cue(r"在做|在搞|在弄|在干|在赶|在[焊喷装切割检]|做着|进行中|正在")
_COUNT_LEFT = cue(rf"还差\s*(?:{_NUM}|几|十来)\s*(?:台|件|个|套|只|箱|根|张|块|pcs|PCS)(?!\s*[\u4e00-\u9fff]{{0,3}}?(?:没到|未到|没来|没发))")
_MATERIAL_NOUN_RE = cue(_MATERIAL_NOUN)
_GOODS_BEFORE_STEP = cue(rf"(?:{_MATERIAL_NOUN}|[卷板管型原来]料|的料)\s*$")
# a named part or material short, used up, not come or late ("面料没了", "铰链还在路上", "线束供应商说下周
# 才能发", "电源适配器欠20个"): material, whatever the predicate could mean of something else
_SHORTAGE_WORD = lx.alternation(vocab.SHORTAGE_PREDICATES)
_NAMED_SUPPLY_PROBLEM = gated(
    rf"(?:{_MATERIAL_NOUN})[^,，;；。\x01]{{0,8}}?(?<!够)(?:(?:{_SHORTAGE_WORD})(?<!不够)|不够(?![大长宽高厚硬]))"
    rf"|(?:{_MATERIAL_NOUN})\s*(?:还|也|都)?\s*欠\s*(?:{_NUM})\s*[个套台件只条张箱根片卷桶包块支米]",
    rf"{_SHORTAGE_WORD}|不够|欠")
# a defect said to be absent or warned against ("没有毛刺", "无气泡", "注意色差", "防止划伤"): no defect
_NO_DEFECT = cue(
    r"(?:没有?|无|未见|未发现|没发现|没看到|没见|不见|不能有|不允许有?|不得有|不要有|别有|避免|防止|杜绝|注意|小心)"
    rf"\s*(?:明显的?|任何|什么|啥)?\s*(?:{_DEFECT_NOUN})")
# a defect removed ("毛刺已经打磨掉了", "焊渣清理干净了", "划伤的几件抛光处理好了"): none left to record
_REMOVAL = r"(?:打磨|处理|清理|清除|清|去除|去|磨|抛光|修|擦|刮)"
_REMOVED = r"(?:掉了|掉|干净了?|好了|完了|平了)"
_DEFECT_REMOVED = gated(
    rf"(?:{_DEFECT_NOUN})[^,，;；。\x01]{{0,6}}?(?:已经|已|都|全部)?\s*{_REMOVAL}[^,，;；。\x01]{{0,2}}?{_REMOVED}",
    _REMOVAL, _REMOVED)
# a named material used up or gone ("焊丝没有了", "油漆用光了"): material
_USED_UP = gated(rf"(?:{_MATERIAL_NOUN})\s*(?:都|也|已经|又)?\s*(?:没有了|没了|用完了|用光了|用完|用光|见底了)"
                 rf"|没有?\s*(?:{_MATERIAL_NOUN})", r"没|用完|用光|见底了")
# waiting for a named material or part ("组装还没开始，在等电机", "等钢板"): material
_WAITING_FOR_MATERIAL = cue(rf"等\s*(?:紧|着)?\s*(?:{_MATERIAL_NOUN}|(?![叫资饮预照燃])[\u4e00-\u9fff]料)")
# a named material counted short ("电机差10台", "轴承少了20套"): material
# …or said short with no count ("角钢还差", "螺栓也缺")
_NAMED_SHORT = gated(rf"(?:{_MATERIAL_NOUN})\s*(?:还|也|都)?\s*(?:差|少了|缺了?|短)\s*(?:{_NUM})\s*[个套台件只条张箱根片卷桶包块支]"
                     rf"|(?:{_MATERIAL_NOUN})\s*(?:还|也|都)\s*(?:差|缺)(?=\s*(?:$|[,，;；。]))", r"[差缺短]|少了")
# a supplier that has not made or sent its part yet ("包装盒印刷厂还没印出来", "厂家那边还没做好")
# (searched only where 没 or 未 is said: its first character is any, see gated)
_SUPPLIER_NOT_DONE = gated(
    r"(?:供应商|厂家|外协厂?|供方|(?<![我们本工车])[\u4e00-\u9fff]厂)(?:那边|那里)?\s*(?:还|也|都|一直)?\s*(?:没有?|未)\s*"
    r"[\u4e00-\u9fff]?(?:出来|好|完|出)", r"没|未")
# the supplier telling of its own trouble: "厂家说…", "供应商老张说…"
# …or its own machine as the subject of the trouble: "厂家模具坏了", "供应商那边设备出问题了"
_SUPPLIER_REPORTS = cue(r"(?:供应商|厂家|外协厂?|供方)(?:[\u4e00-\u9fff]{0,3}?(?:说|讲|反馈|回复|通知|微信|消息|来电|电话)"
                               rf"|(?:那边|那里|的)?\s*(?=[\u4e00-\u9fff]{{0,3}}{_MACHINE}))")
_STOCKTAKE = cue(r"点数|盘点|清点|盘库"
                 # …or our goods counted at the customer's ("送过去的门少了两樘", "实际点了22")
                 r"|(?:送|发|运|拉)(?:过去|到现场|到工地)的|实际(?:点|数|收)")
# the supplier as the subject of a milestone verb ("供应商没发货"): their shipment, not our step
_SUPPLIER_BEFORE = cue(
    r"(?:供应商|厂家|外协厂?|供方|来料|进料|原材料)(?:那边)?\s*(?:还|也|都|一直)?\s*(?:没有?|未|还没)?\s*$")
# …or the shipment the buyer or a supplier reports ("采购说电机下周三才发货", "电机厂说下周一才发")
_SUPPLIER_SAYS = cue(r"(?:采购|供应商|厂家|[\u4e00-\u9fff]厂)(?:那边)?(?:说|讲|回复)[^,，;；。\x01]{0,10}?$")
# (cheap first checks: most windows name no supplier and no arrival)
_SUPPLY_WORD = cue(r"供应商|厂家|外协|供方|来料|进料|原材料|采购|厂")
# …or the supplier the subject of the clauses before its shipment ("铝型材供应商放假前没发，今天才发货")
# (the shipment's own clause carries on with the supplier's lateness: "今天才发货", not "今天没法出货")
_SUPPLIER_SHIPS = cue(
    r"(?:供应商|厂家|外协厂?|供方)[^。;；\x01]{0,12}?(?:没发|未发|没送|没有发)[^。;；\x01]{0,2}[,，\s]\s*"
    r"[\u4e00-\u9fff]{0,3}?\s*(?:才|还没|没有?|未)\s*$")
_ARRIVES = cue(r"到|送|回来|补")
# the supplier's step not yet done or late: news of material
_NOT_YET = cue(r"才|还没|没有?|未|推迟|延|晚")
_BOUNDARY_SPLIT = cue(r"[,，;；。\s]")
# a past episode talked about ("上次124返工那个事，以后焊完先自检") is no new report
_PAST_EPISODE = cue(r"(?:上次|上回|之前那次|以前那次)[^,，;；。]{0,12}(?:那个?事|的事)"
                      # …or a meeting called over a matter ("下午开会讨论123客诉的事"): no new report
                      r"|(?:开会|开个会|会上|讨论|复盘)[^,，;；。]{0,16}(?:那个?事|的事|的问题)")
# what a problem report names beyond its cue words (machines, materials, the supply side, carriers,
# properties): words the parser reads, so a line of them is not taken for unexplained text (coverage)
KNOWN_WORDS = (_MACHINE + "|" + _MATERIAL_NOUN + "|" + _DEFECT_NOUN
               + "|" + lx.alternation(vocab.FAULT_PREDICATES + vocab.SHORTAGE_PREDICATES
                                      + vocab.DEFECT_FOUND_BEFORE + vocab.DEFECT_FOUND_AFTER)
               + r"|供应商|外协|外厂|厂家|采购|仓库|库存|库房|配件|零件|扭矩|膜厚|漆膜|厚度|强度|硬度|附着力|精度|师傅"
                 r"|巡检|抽检|首检|样板|封样|客户|抢修|维修|链条|皮带|电路|退回去|退回|退货|新料|换货|重新订"
                 r"|物流|货车|司机|船公司|船|甩柜|抛锚|图纸|确认|地址|点数|盘点|挪用"
                 # a product under test, a machine's symptoms in everyday words, what the supplier says
                 r"|老化|测试|试机|通电|上电|冒烟|拉胯|没气|打滑|卡料|崩齿|崩刃|送修|镜片|锯片|油管|气管|门缝|缝隙"
                 r"|量了|一量|厂家说|供应商说|印刷厂|开模|请假|停电"
                 # the fault's repair or watch ("报设备科", "电工快来", "重启了，白班盯着点", "不敢吊")
                 r"|报修|设备科|电工|重启|盯着|不敢|跳闸|闸")
# a truck, driver or courier that has not come delays a shipment; it is not missing material
_NOT_MATERIAL_SUBJECT = cue(r"(?:车|司机|物流|快递|货代|师傅|人|款|钱|发票|地址)\s*(?:还|都|也|一直)?\s*$")

_STAFF = cue(
    lx.alternation(lx.STAFF_WORDS)
    # hands short by a count ("工人放假回来少了三个", "焊工少两个"): staff, not material
    + rf"|(?:工人|人手|人员|员工|焊工|师傅|操作工|普工)[^,，;；。]{{0,8}}?(?:少了|缺了|少|缺)\s*(?:{_NUM})\s*[个人名位]?"
    # …or the count first ("还差两个叉车工", "缺三个焊工", "少两个人")
    + rf"|(?:差|缺|少)了?\s*(?:{_NUM})\s*[个名位]\s*[\u4e00-\u9fff]{{0,3}}?(?:工(?![件位序装具艺])|人|师傅)")

# today as the day an exception resolves: an arrival or a repair said of today ("今天下午到", "今天停线维修")
_TODAY_RESOLVES = cue(r"(?:今天|今日)\s*(?:上午|下午|晚上|中午)?\s*(?:能|会|可以|就|才)?\s*(?:修|到|回|送|停线?维修|停线?检修)")
# an arrival said of a day: "下周二到", "明天才送", "周日到齐" (material expected)
_ARRIVAL_AFTER_DATE = cue(r"\s*(?:上午|下午|晚上|中午|左右|前)?\s*(?:才能|才|能|会|可以|就)?\s*(?:到|送|回来|补)")


# the step's one-character verb said blocked at the end of its clause ("等紧电机 未得装", "焊丝没了 没法焊")
_BLOCKED_VERB = r"(?:没法|无法|不能|未得|没有?得|唔得)\s*"   # (冇得 arrives normalised as 没有得)
_VERB_END = r"(?![\u4e00-\u9fff])"
_IMPLIED_MILESTONE = (
    ("涂装", cue(r"重喷|补喷|重新喷|喷的漆|漆面|流挂|橘皮|掉漆|脱漆|漏喷|露底|喷得|附着力|漆膜|膜厚|发花"
                 + "|" + _BLOCKED_VERB + "喷" + _VERB_END)),
    ("焊接", cue(r"补焊|重焊|重新焊|焊缝|焊点|漏焊|虚焊|焊穿|咬边|焊偏|夹渣|焊工" + "|" + _BLOCKED_VERB + "焊" + _VERB_END)),
    ("总装", cue(r"装反|装错|漏装|少装|重装|重新装|装漏" + "|" + _BLOCKED_VERB + "装" + _VERB_END)),
    ("下料", cue(r"落不[到了]料|下不[到了]料|开不了料")),
)
# goods installed at the customer's building: its defect names no step of our works ("5栋的门锁装反了三套，
# 麻烦派人来换")
_AT_SITE = cue(r"派人|[\d一二三四五六七八九十]+\s*[栋幢]|业主|工地")
# a pass after a quality cue, a finished rework, a repaired machine: the news may be that the problem
# is solved ("返工完了 重新检验通过", "返修完成", "机器修好了，继续焊接"), not a new exception
_RESOLVED = cue(r"(?:通过|合格|过了|搞定|没问题|OK|ok)[^,，;；。]*[,，;；。\s]*$")
_REWORK_DONE = cue(
    r"(?:返工|返修|返厂|重做|补焊|补喷|重喷|整改|(?<![要得需])重新)[^,，;；。]{0,10}?(?:已经?|都)?\s*"
    # (the step's own verb may carry the result: "返修的那批已经焊好了"; \x01 stands for it)
    r"(?:完成|完了|好了|完毕|结束|搞定|完(?=[,，;；。\s]|$)|[焊喷装做弄搞修打调改\x01][好完]了?|\x01\s*了)")
# the reworked goods passed their check again, whatever follows ("返修的3件复检过了，终检全部完成")
_REWORK_PASSED = cue(r"(?:返修|返工|返厂|补焊|补喷|重喷|整改)[^。;；]{0,12}?(?<![不没未])(?:合格|通过|过了|OK|ok)")
_REPAIRED = cue(r"修好了|已经?修好|恢复了|恢复生产|继续(?!等)|(?:问题)?(?:已经?|都)?解决了?|处理好了"
                       # what was missing has come: "缺的都到了", "焊材已经补上了"
                       r"|(?:缺|差|少)的[^,，;；。]{0,3}?(?:到了|到齐|补齐|补上)|补上了|补齐了")


# the reworked goods passing their check ("返修的两处 探伤合格了", "返工的那几台复检通过了")
_PASSED_AFTER_REWORK = cue(r"(?:返修|返工|补焊|补喷|重喷|整改)[^。;；]{0,12}?(?<![不没未])(?:合格|通过|过了)(?:了)?\s*$")


def resolved(text: str) -> bool:
    """The exception cue of the window is resolved in the same breath (a finished rework, a repaired
    machine, the missing parts come, a pass after a defect)."""
    return _resolved_after(text)


# the rework of the step named right before it finished: "焊接返工完成", "涂装的返修做完了"
_STEP_REWORK_DONE = cue(
    r"\x01\s*(?:的|这边|那边)?\s*(?:返工|返修|整改|补焊|补喷|重喷)\s*(?:已经|已|都)?\s*(?:完成|好了|做好|做完|搞定|结束|完毕|完了)")


def reworked_step_finished(text: str) -> bool:
    """The window's own step is reported finished after its rework ("124 焊接返工完成"): no new
    defect and nothing to ask (the handlers then offer to close the open quality exception)."""
    return _STEP_REWORK_DONE.search(text) is not None


def _resolved_after(text: str) -> bool:
    """An exception cue resolved in the same window: the bot asks rather than records."""
    if _REWORK_DONE.search(text) or _REPAIRED.search(text):
        return True
    passed = _REWORK_PASSED.search(text)
    if passed is not None and not _QUALITY.search(text, passed.end()):
        return True
    found = _RESOLVED.search(text)
    # (any problem cue before the pass: "来料检验合格" is incoming material that passed)
    return (found is not None and (_QUALITY.search(text, 0, found.start()) is not None
                                   or _material(text[: found.start()]))
            and not _NEGATED.search(text[max(0, found.start() - 3) : found.start()]))



_WEAK_MATERIAL = frozenset(("没到", "未到", "还没来", "没来", "晚到", "到不了", "才能到", "没有到", "没有来"))


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _material(text: str) -> bool:
    for match in _MATERIAL.finditer(text):
        if _NOT_MATERIAL_MATCH.match(text, match.start()):
            continue   # (缺图纸: a missing document is "other", not material; "没到喷漆那步": a step not reached)
        if match.group() in _WEAK_MATERIAL and _NOT_MATERIAL_SUBJECT.search(text[: match.start()]):
            continue
        if match.group() in _SUPPLY_NAMES and not _PROBLEM_HINT.search(text):
            continue   # "供应商名单更新了", "来料都正常": the supply side named, nothing wrong said
        return True
    return False


_NOT_MATERIAL_MATCH = cue(
    r"没到(?:账|哪|位|我们|你们|这|那)|缺少?(?:图纸|资料|文件|信息)"
    r"|没到[\u4e00-\u9fff\x01]{0,4}?(?:那|这)?一?(?:步|道工序|个工序|一关)")
# words that only name the supply side: a problem needs saying beside them
_SUPPLY_NAMES = frozenset(("供应商", "来料", "采购"))
_PROBLEM_HINT = cue(r"没|未|等|催|延|推迟|晚|断|不|才|缺|少|差|错|坏|问题|还在|(?i:delay|late|short|missing)")


# a part awaited for a repair arrives: these say so without saying anything is short
_ARRIVAL_WORDS = frozenset(("才到", "才能到", "没到", "未到", "到不了", "没来", "还没来", "才送", "才能送", "等配件", "等零件"))
_OUTAGE = cue(r"停电|断电|限电|停水|跳闸")
_LINE_STOP = cue(r"停线|停机|线停了|机停了|停线了|停了|停下")
_WEAK_OTHER = cue(lx.alternation(lx.WEAK_OTHER_WORDS))


def _weak_other(text: str) -> bool:
    """Only context words of the "other" class, beside a finished milestone."""
    rest = _WEAK_OTHER.sub("", _NO_PROBLEM.sub("", text))
    done = _DONE.search(rest) or _MILESTONE_PERFECTIVE.search(rest)   # "签收了，尾款下周付": the verb is the step
    return not _OTHER.search(rest) and done is not None and not _NEGATED.search(rest[: done.start()][-3:])


# money matters: with nothing held back for them they are the office's, not production's news
_PAYMENT = cue(r"尾款|预付款|付款|货款|定金|到账|收款")
# what holds the goods or the work back for the money ("财务说先别放货", "等客户付款再发", "不让放行")
_HELD_FOR_PAYMENT = cue(r"先别|先不|不让|不给|不准|别发|不发|暂停|扣货|扣着|放行|放货|压着|卡着"
                        r"|等[^,，;；。]{0,6}(?:付|款|到账)[^,，;；。]{0,4}(?:再|才)")


def _payment_only(text: str) -> bool:
    """Only money words, with nothing held back for them ("外汇到账…对应某单的尾款", "尾款还没收到，出货前
    要收齐" as a reminder): no exception of the order."""
    if _PAYMENT.search(text) is None or _HELD_FOR_PAYMENT.search(text):
        return False
    return not _OTHER.search(_PAYMENT.sub("", _NO_PROBLEM.sub("", text)))


# the milestone verb (masked \x01 in a window) with perfective 了: "客户签收了", "入库了"
_MILESTONE_PERFECTIVE = cue(r"\x01\s*了")


def _blank(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + "\x02" * (match.end() - match.start()) + text[match.end() :]


# what a broken machine or tool turns out, said after the fault ("锯片崩齿，切出来的料毛刺很大"): its
# defects are the fault's effect, not a second problem
_EFFECT = cue(r"[\u4e00-\u9fff]出来的")


def _effects_blanked(text: str, start: int) -> str:
    effect = _EFFECT.search(text, start)
    if effect is None:
        return text
    for defect in list(_QUALITY.finditer(text, effect.end())):
        text = _blank(text, defect)
    return text


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _explain(text: str, milestone: str | None = None) -> tuple[str, ExceptionCategory | None]:
    """Cause before effect: the category a cause reading settles, and the text with the cue words it
    explains blanked, so that they neither decide nor contest the category.

    First what is no problem at all is blanked (a sender correcting himself, work still to do on the
    step); then the first cause reading that applies settles the category."""
    for match in [*_CORRECTION.finditer(text), *_FINE_SUBJECT.finditer(text), *_ADVICE.finditer(text),
                  *_NO_DEFECT.finditer(text), *_DEFECT_REMOVED.finditer(text)]:
        text = _blank(text, match)
    if "返" in text or "毛" in text or "锈" in text or "渣" in text:
        for match in [*_REWORKED_GOODS.finditer(text), *_REMOVAL_STEP.finditer(text)]:
            text = _blank(text, match)
    left = [*_WORK_LEFT.finditer(text), *(_COUNT_LEFT.finditer(text) if _UNDER_WAY_HERE.search(text) else ())]
    for match in left:
        # ("标准件还差一半" is material still missing, "涂装还差两成" work still to do)
        if not _MATERIAL_NOUN_RE.search(_BOUNDARY_SPLIT.split(text[: match.start()])[-1]):
            text = _blank(text, match)
    if _PRODUCT_TEST.search(text) and not _MACHINE_FAULT.search(text):
        faults = [*_EQUIPMENT.finditer(text), *_FAULT.finditer(text)]
        if faults:
            # the product fails its own test run ("老化的时候烧了三块板", "通电测试两台不转"): a defect
            for fault in faults:
                text = _blank(text, fault)
            return text, ExceptionCategory.QUALITY
    outage = _OUTAGE.search(text)
    if outage and _DELAY.search(text) and not _MACHINE_FAULT.search(text):
        # a power cut is no machine of ours: with a stated slip ("停电三个小时…要晚一天") it is a delay
        return _blank(text, outage), ExceptionCategory.DELAY
    supplier = _SUPPLIER_REPORTS.search(text)
    if supplier and (_any_family(text, supplier.end()) or _OTHER_CUES.search(text, supplier.end())):
        # the supplier's own trouble ("厂家说绕线机坏了，电机要晚一个礼拜", "供应商说模具裂了，要重新开模"):
        # whatever broke there, what the order lacks is the material
        return text[: supplier.end()] + "\x02" * (len(text) - supplier.end()), ExceptionCategory.MATERIAL
    transport = _TRANSPORT.search(text)
    if transport and not _SUPPLY_RUN.search(text):
        return _blank(text, transport), ExceptionCategory.DELAY
    fault = _TOOL_FAULT.search(text) or (_DIE_FAULT.search(text) if "模" in text else None) or _machine_again(text)
    if fault:
        return _effects_blanked(_blank(text, fault), fault.end()), ExceptionCategory.EQUIPMENT
    fault = _MACHINE_FAULT.search(text)
    if fault and not _PRODUCT_CONTEXT.search(text) and milestone not in _INSPECTIONS:
        return _effects_blanked(_blank(text, fault), fault.end()), ExceptionCategory.EQUIPMENT
    room = _NO_ROOM.search(text)
    if room:
        return _blank(text, room), ExceptionCategory.OTHER   # "仓库说没位置了": no room, nothing short
    document = _DOCUMENT_ISSUE.search(text)
    if document and not _SUPPLY_SIDE.search(text):   # (a supplier's reply awaited is about supply)
        return _blank(text, document), ExceptionCategory.OTHER
    short = _PROPERTY_SHORT.search(text)
    if short and not _MATERIAL_NOUN_RE.search(short.group()):
        return _blank(text, short), ExceptionCategory.QUALITY
    short = _MEASURED_OFF.search(text) or _THICKNESS_SHORT.search(text) or _CONTAINED.search(text)
    if short:
        return _blank(text, short), ExceptionCategory.QUALITY
    counts = [*_COUNT_MISMATCH.finditer(text), *_COUNT_SHORT.finditer(text)]
    if counts and (milestone == "入库" or _STOCKTAKE.search(text)) and not _INCOMING.search(text):
        # finished goods counted short at the warehouse ("入库时点数少了5台"): a discrepancy, "other"
        for count in counts:
            text = _blank(text, count)
        return text, ExceptionCategory.OTHER
    count = _COUNT_MISMATCH.search(text)
    if count and _INCOMING.search(text):
        return _blank(text, count), ExceptionCategory.MATERIAL
    not_done = _SUPPLIER_NOT_DONE.search(text)
    if not_done:
        return _blank(text, not_done), ExceptionCategory.MATERIAL
    if _STOCK_ABSENT.search(text) and not _DEFECT.search(text):
        return text, ExceptionCategory.MATERIAL   # "仓库里没有这个型号的气缸了"
    customer = "客户" in text or "验收" in text or milestone == "验收"
    if not customer and _DEFECT.search(text) and (
            _STOCK_ABSENT.search(text) or _INCOMING.search(text) or milestone == "领料"):
        for defect in [*_DEFECT.finditer(text), *_QUALITY.finditer(text)]:
            text = _blank(text, defect)
        return text, ExceptionCategory.MATERIAL
    waiting = _WAITING_FOR_MATERIAL.search(text) or _USED_UP.search(text) or _NAMED_SHORT.search(text)
    if waiting:
        return _blank(text, waiting), ExceptionCategory.MATERIAL
    late = _SUPPLY_LATE.search(text) or (_ENGLISH_SUPPLIER_LATE.search(text) if "upplier" in text or "endor" in text else None)
    if late:
        return _blank(text, late), ExceptionCategory.MATERIAL
    # (a named part short beside a defect is no cause of it: "外壳有划痕，螺丝也没到" stays contested)
    named = _NAMED_SUPPLY_PROBLEM.search(text)
    if named and not _QUALITY.search(text):
        return _blank(text, named), ExceptionCategory.MATERIAL
    return text, None


# the goods of an earlier rework named as what a step works on or checks ("返工件终检中", "返修的3件复检过了",
# "返工涂装80%"): the step's progress, no new defect (class: reworked goods in progress)
_REWORKED_GOODS = cue(
    r"(?:返工|返修|返厂)(?:件|品|的[^,，;；。\x01]{0,5}?)?\s*(?:重新|再)?\s*(?=\x01\s*(?:中|进行|在|正在|已经?|都|全部"
    r"|\d{1,2}\s*%|[一二三四五六七八九]成|完成|完了|做完|[好完]|合格|过了|通过|OK|ok))")
# a defect word as the object of the step that removes it ("等去毛刺", "除锈完了", "毛刺去完了"): a process
# step of its own, no defect found
_REMOVAL_STEP = cue(r"(?:去|除|清|打磨|处理)掉?\s*(?:毛刺|锈|焊渣|飞边|披锋|氧化皮)(?!没|不|还)"
                    r"|(?:毛刺|锈|焊渣|飞边|披锋|氧化皮)[^,，;；。\x01]{0,4}?(?:去|除|清|磨)(?:完|掉|好|干净)")
# a die named by its operation ("落料模刃口崩了", "拉延模开裂", "模具外修") with a fault or out for repair:
# a tool of ours (\x01 stands for the milestone inside the name: 落料模)
_DIE_FAULT = cue(r"(?<![开规建])模具?[^,，;；。\x01]{0,6}?(?:崩|开裂|裂了|断了|坏|卡料|卡住|磨损|送修|外修|返修|送外|模修)"
                 r"|(?<=\x01)模[^,，;；。]{0,6}?(?:崩|裂|断|坏)|模修(?:中|在|处理)")
# a warehouse with no room for the goods ("仓库说没位了", "库里没地方放"): held back, nothing short
_NO_ROOM = cue(r"(?:仓库|库房|库里|库位)[^,，;；。]{0,4}?(?:没有?|冇)\s*(?:位置?|地方|空间|库位)")
# a measurement off its requirement ("图纸要求1.4，实测只有1.25"): a defect
_MEASURED_OFF = cue(r"要求\s*[\u4e00-\u9fff]{0,4}?\s*[\d.]+[^,，;；。]{0,6}[,，]?\s*(?:实测|实际|测量|测出来?|量出来?|量了)+\s*(?:只有|才|是|有)?\s*[\d.]+")
# a thickness short ("壁厚不够", "镀层厚度不足"): a property of the part, not missing material
_THICKNESS_SHORT = cue(r"(?:壁|板|膜|镀层|涂层|漆层?|镀锌层)厚度?\s*(?:也|有点|还是)?\s*(?:不够|不足|太薄|偏薄)")
# suspect goods held and sorted ("已全部冻结，安排4个人挑选", "这批先扣着别用", "全部隔离，已挑出不良46件"):
# a quality containment
_CONTAINED = cue(r"(?:冻结|隔离|封存|扣着|扣住)[^。;；]{0,12}?(?:挑选|筛选|挑出|别用|不能用|不良)"
                 r"|(?:挑选|筛选|挑出)[^。;；]{0,8}?(?:不良|次品|坏的)")
# a supplier telling of its goods running late, in English ("Supplier just told me the profiles will be 1 week late")
_ENGLISH_SUPPLIER_LATE = cue(r"(?i)\b(?:supplier|vendor|mill)s?\b[^.;]{0,80}?\b(?:late|delayed|postponed|behind)\b")
# the product run under test (burn-in, power-on, a trial run): what fails there is the product
_PRODUCT_TEST = cue(r"老化|通电测试|上电测试|试机|试车|跑机|烤机|耐压测试|功能测试|测试的时候|测试时")
# problem words no cue family holds, which a cause reading still reads ("切割头撞了", "等技术确认")
_OTHER_CUES = cue(r"撞|崩|裂|卡了|确认|答复|回复|超了|没给|变了|甩柜|挪用|抛锚|对不上|不一致|来不了|才能来|才来|堵")


def _any_family(text: str, start: int) -> bool:
    """A cue of any problem family from `start` on."""
    return any(pattern.search(text, start) for pattern in (_QUALITY, _EQUIPMENT, _MATERIAL, _DELAY, _MACHINE_FAULT))


# (the plain cues of _any_cue asked in one search; the gated and the conditional ones follow it)
_PLAIN_CUES = any_of(_TOOL_FAULT, _QUALITY, _EQUIPMENT, _MATERIAL, _DELAY, _OTHER, _OTHER_CUES, _NEG_POTENTIAL,
                     _WAITING_FOR_MATERIAL, _PROPERTY_SHORT, _STOCK_ABSENT, _PAPER_NOT_GIVEN_RE)


@lru_cache(maxsize=32)   # (asked of the same window by category_of and conflicting; within one message only)
def _any_cue(text: str) -> bool:
    """Any problem word at all: most windows have none, and skip the analysis (speed)."""
    return bool(_PLAIN_CUES.search(text) or _NAMED_SHORT.search(text) or _SUPPLIER_NOT_DONE.search(text)
                or _MACHINE_FAULT.search(text)
                or ("模" in text and _DIE_FAULT.search(text)) or ("要求" in text and _MEASURED_OFF.search(text))
                or (_FAULT.search(text) and _PRODUCT_TEST.search(text))
                or _USED_UP.search(text) or _machine_again(text) or _NAMED_SUPPLY_PROBLEM.search(text))


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def category_of(text: str, milestone: str | None) -> ExceptionCategory | None:
    if not _any_cue(text) or _PAST_EPISODE.search(text):
        return None
    text, settled = _explain(text, milestone)
    if settled is not None:
        return settled
    if _QUALITY.search(text):
        return ExceptionCategory.QUALITY
    equipment = _EQUIPMENT.search(text)
    if equipment and not (_LINE_STOP.fullmatch(equipment.group()) and _material(text)):
        # a line stopped for lack of parts is a material exception, a broken machine is equipment
        return ExceptionCategory.EQUIPMENT
    if _STAFF.search(text) and not _DELAY.search(_STAFF.sub("", text)):
        return ExceptionCategory.OTHER   # short of staff; with a stated slip ("要晚两天") it is a delay
    if _material(_STAFF.sub("", text)):
        return ExceptionCategory.MATERIAL
    if _DELAY.search(_STAFF.sub("", text)):
        return ExceptionCategory.DELAY
    if _STAFF.search(text):
        return ExceptionCategory.OTHER
    other = _OTHER.search(_NO_PROBLEM.sub("", text))
    if other:
        return ExceptionCategory.QUALITY if other.group() == "问题" and milestone is not None else ExceptionCategory.OTHER
    if _NEG_POTENTIAL.search(text):
        return ExceptionCategory.DELAY   # the step cannot be done ("发不了了") and nothing else says why
    return None


# cues that usually mean something else: "不行"/"不对" (not only of quality), "问题", "少了"/"还差"
# (a count), "供应商" (a name), "等到" (a plan), a bare "坏"
_WEAK_CUES = cue(r"^(?:不行|不对|问题|等到|坏|停了|晚|没签)$")
# "喷涂这边还差20台": what is still to do on the milestone itself, not parts missing (a guess: ask)
_REMAINING_WORK = cue(rf"\x01\s*(?:这边|那边|的话|呢|还)*\s*还?差\s*(?:{_NUM})")


@lru_cache(maxsize=32)   # reuse within one message only (a benchmark must not hit it across messages)
def _categories(text: str, milestone: str | None = None) -> frozenset[ExceptionCategory]:
    """Every exception family whose cue occurs and no cause reading explains: more than one is a
    conflict the parser guessed through."""
    text, settled = _explain(text, milestone)
    found = {ExceptionCategory.QUALITY} if _QUALITY.search(text) else set()
    # (a cue inside a longer cue of another family is that one's: 坏 in 压坏, 磕坏, 是坏的)
    rest = text
    for defect in _QUALITY.finditer(text):
        rest = _blank(rest, defect)
    if _EQUIPMENT.search(rest):
        found.add(ExceptionCategory.EQUIPMENT)
    material = _material(_STAFF.sub("", text))   # 人手不够 is short of staff, not of material
    if material or settled == ExceptionCategory.MATERIAL:
        found.add(ExceptionCategory.MATERIAL)
        if all(_LINE_STOP.fullmatch(cue.group()) for cue in _EQUIPMENT.finditer(text)):
            found.discard(ExceptionCategory.EQUIPMENT)   # "没料停线": the stop is the shortage's effect
    if settled == ExceptionCategory.EQUIPMENT and material and not any(
            cue.group() not in _ARRIVAL_WORDS for cue in _MATERIAL.finditer(text)):
        # "刀片断了…等明天刀片到了": the part awaited is the repair's, not a shortage
        found.discard(ExceptionCategory.MATERIAL)
    if settled is not None:
        found.add(settled)
    return frozenset(found)


# an attribute of the product said to be wrong ("铭牌位置不对", "孔距不对") is a plain defect
_ATTRIBUTE_WRONG = cue(r"(?:位置|尺寸|颜色|型号|规格|角度|方向|孔位|孔距|间距|标签|铭牌|丝印|图案|字体|长度|宽度|高度)\s*不对")


def _weak_cue(text: str, category: ExceptionCategory) -> bool:
    if category == ExceptionCategory.QUALITY and _ATTRIBUTE_WRONG.search(text):
        return False
    pattern = {ExceptionCategory.QUALITY: _QUALITY, ExceptionCategory.EQUIPMENT: _EQUIPMENT,
               ExceptionCategory.DELAY: _DELAY, ExceptionCategory.MATERIAL: _MATERIAL,
               ExceptionCategory.OTHER: _OTHER}.get(category)
    if pattern is None:
        return False
    cues = list(pattern.finditer(text))
    # (a bare defect noun of the vocabulary, "3301 跳针": a defect, or the topic of a question or a plan;
    # found or counted before it, "发现3处银纹", it is a defect)
    return bool(cues) and all(
        _WEAK_CUES.match(cue.group()) or (
            category == ExceptionCategory.QUALITY and cue.group() in _NEW_DEFECTS
            and not _DEFECT_FOUND_BEFORE.search(text, max(0, cue.start() - 10), cue.start()))
        for cue in cues)


def conflicting(text: str) -> bool:
    """A progress reading beside an exception cue it overrode (a finished milestone with "问题" aside)."""
    return _any_cue(text) and bool(_categories(_NO_PROBLEM.sub("", text)))


_ENGLISH_DAYS = cue(r"(?i)(\d{1,3})\s*days?\b|(\d{1,2})\s*weeks?\b")


def _delay_days(text: str) -> int | None:
    english = _ENGLISH_DAYS.search(text)
    if english and not _DAY_COUNT.search(text):
        return int(english.group(1)) if english.group(1) else 7 * int(english.group(2))
    counts = []
    for match in _DAY_COUNT.finditer(text):
        count = 0.5 if match.group("days") == "半" else parse_number(match.group("days"))
        if count is not None and int(count * (1 if match.group("unit") in ("天", "日") else 7)):
            counts.append((match, int(count * (1 if match.group("unit") in ("天", "日") else 7))))
    # the count said of the slip ("少干了半天，得晚一天": one day late) before any other count
    slip = next((days for match, days in counts if _SLIP_BEFORE.search(text, max(0, match.start() - 3), match.start())), None)
    return slip if slip is not None else (counts[0][1] if counts else None)


_SLIP_BEFORE = cue(r"[晚拖延慢迟误]\s*(?:了|个)?\s*$")


# upkeep on a plan ("设备保养计划：周六停机保养", "2号线明天检修") is no failure: a fault word must say
# something broke, and with no order named, the report must say what it does to the work or its repair
_PLANNED_UPKEEP = cue(r"保养|计划")
_FAULT = cue(r"坏|故障|烧|漏|报警|卡住|卡死|卡了|不转|不动|断了|崩了|罢工|趴窝|死机|跳闸|出毛病|不行|异响|冒烟")
# what a fault does to the work, or the repair it calls for: a stop, work that cannot be done, a repair
# done or forecast
_WORK_EFFECTS = r"停|不了|没法|干不|做不|修|预计|恢复"
_WORK_EFFECT = cue(_WORK_EFFECTS)
# …and of a machine itself at fault (not a cable or a hose of it: "电焊机的电源线坏了，找电工" is asked of
# no one): also work not dared or not put out ("不敢吊", "不出热风"), the repair asked ("电工快来一下",
# "报设备科", "找设备看看"), a workaround ("吊装先用3#的"), a restart or a watch kept ("重启了，白班盯着点")
_MACHINE_EFFECT = cue(_WORK_EFFECTS + r"|不敢|不能|不出|重启|电工|设备科|设备部|找设备|先用|改用|盯着|来一下|过来看")
# a fault said again ("空压机还是跳", "又停了一次"): it goes on, news of its own
_RECURRING = cue(r"又|还是|一直|再次")
# a count still missing: "轴承还差40套", "密封圈少了20个"
_COUNT_SHORT = cue(
    rf"(?:还差|差|少了|少|缺了|缺|短)\s*(?:{_NUM})\s*(?:个|套|台|件|只|条|张|箱|根|片|卷|桶|包|吨|公斤|米|块|支|樘|扇|把|付|副|pcs|PCS)")
# the supply side, and its delivery not come (a reminder to buy what is used up is no problem report)
_SUPPLY_SIDE = cue(r"供应商|供方|外协|外厂|厂家|采购|物流")
_UNDELIVERED = cue(r"没到|未到|没送|没来|还在路上|没回来|才到|才能到|才送|才能送|没发|还没发")


# the supply side promising a day ("供应商说后天补齐", "采购说明天下午到")
_PROMISED = cue(r"(?:说|讲|回复|答应)[^,，;；。]{0,8}?(?:到|送来|送过来|补齐|补上|补货|发过来)")
_COMPLAINT = cue(r"投诉|客诉|业主|用户反馈|客户反馈")
_GOODS_COUNT = cue(rf"(?:{_NUM})\s*(?:樘|扇|套|块|台|件|只|根|张|片|支|箱|处)")
# (not 返工 alone: in Cantonese it is going to work, "礼拜六唔使返工")
_REWORK_VERDICT = cue(r"返厂|重做|拆下来|拆了重|派人[^,，;；。]{0,3}?(?:换|修|看)|要换|来换")
_UNDELIVERED_WORD = r"(?:没到|未到|没送|没来|没回来|才到|才能到)"
_NAMED_UNDELIVERED = gated(rf"(?:{_MATERIAL_NOUN})[^,，;；。]{{0,3}}?{_UNDELIVERED_WORD}", _UNDELIVERED_WORD)


def stands_without_order(text: str, category: ExceptionCategory) -> bool:
    """With no order or leading milestone named, is the window still a problem of production?

    A material shortage stated outright ("缺料", "等料"), a count short ("轴承还差40套"), a supplier's
    delivery not come; a production machine, tool or line that broke, with what that does to the
    work or its repair ("折弯机液压坏了，师傅在修"). An office's broken air conditioning, a planned
    upkeep, a reminder to buy more, a colleague's borrowed tape measure are not."""
    if category == ExceptionCategory.MATERIAL:
        named = _USED_UP.search(text) or _NAMED_SUPPLY_PROBLEM.search(text)
        return bool(_MATERIAL_STRONG.search(text) or _COUNT_SHORT.search(text) or _NAMED_UNDELIVERED.search(text)
                    or (_SUPPLY_SIDE.search(text) and (_UNDELIVERED.search(text) or _PROMISED.search(text)))
                    # a named material gone, with what that does to the work ("锡膏用完了，贴片停了")
                    or (named is not None and _WORK_EFFECT.search(text, named.end()) is not None))
    if category == ExceptionCategory.QUALITY:
        # a defect said of goods in hand: a count of them, a complaint, a verdict of rework or return
        # ("有三樘窗的尺寸对不上…要返厂", "推拉窗漏水，业主投诉好几次了", "门锁装反了三套，麻烦派人来换")
        return bool(_COMPLAINT.search(text) or _GOODS_COUNT.search(text) or _REWORK_VERDICT.search(text))
    if category == ExceptionCategory.OTHER:
        # our goods counted short at the customer's ("送过去的门少了两樘")
        return bool(_COUNT_SHORT.search(text) and _STOCKTAKE.search(text))
    if category == ExceptionCategory.EQUIPMENT:
        if _PLANNED_UPKEEP.search(text) or _FACILITY_FAULT.search(text):
            return False
        machine = _MACHINE_ITSELF_FAULT.search(text) or _TOOL_FAULT.search(text)
        if machine is not None and (_MACHINE_EFFECT.search(text, machine.end()) is not None
                                    or _RECURRING.search(text, machine.start(), machine.end()) is not None):
            return True
        fault = _FAULT.search(text)
        return (fault is not None and _WORK_EFFECT.search(text, fault.end()) is not None
                and _PRODUCTION_MACHINE.search(text, max(0, fault.start() - 10), fault.start()) is not None)
    return False


# a booth named for its step (喷房, 喷涂房): its fault holds up that step (a machine named for a step,
# "焊机", names none: the project's labels)
_BOOTH = cue(r"喷(?:漆|涂|塑|粉)?房|烘房|烤房")


def implied_milestone(text: str, names: frozenset[str]) -> str | None:
    """The step a defect or rework word names (class: exception without a milestone word):
    流挂/重喷 are paint work, 补焊/焊缝 welding, 装反/漏装 assembly, 落不到料 cutting."""
    if _AT_SITE.search(text):
        return None
    for name, pattern in _IMPLIED_MILESTONE:
        if name in names and pattern.search(text):
            return name
    return None


def exception_item(text: str, milestone: str | None, when: date | None, today: date,
                   names: frozenset[str]) -> ParsedItem | None:
    """The exception a window reports, or None when it reports none.

    `text` is the window with \x01 where the milestone mention stood (empty-handed: the whole scope),
    `milestone` the mention's milestone, `when` the first date the window gives, `names` the
    milestones of the configured templates."""
    joined = text.replace("\x01", "")
    before = text.split("\x01", 1)[0]
    supplier_named = milestone is not None and _SUPPLY_WORD.search(before) is not None   # (read once)
    theirs = supplier_named and (
        _SUPPLIER_BEFORE.search(before) is not None or (milestone == "发货" and _SUPPLIER_SAYS.search(before) is not None))
    theirs = theirs or (milestone == "发货" and supplier_named
                        and _SUPPLIER_SHIPS.search(before) is not None and _NOT_YET.search(text) is not None)
    # (…or the supplier telling the whole message: "供应商微信：…下周一才能发")
    theirs = theirs or (milestone == "发货" and supplier_named
                        and _SUPPLIER_REPORTS.search(before) is not None)
    if theirs:
        milestone = None   # "供应商没发货", "采购说电机下周三才发货": the supplier's shipment, not our step
    category = category_of(text, milestone)
    if (category == ExceptionCategory.MATERIAL and milestone in _SUPPLIER_STEPS
            and _GOODS_BEFORE_STEP.search(before) is not None):
        milestone = None   # "卷料排产推迟", "电机发货又延期": the supplier's schedule of its goods, not our step
    if theirs and category is None and _NOT_YET.search(text):
        category = ExceptionCategory.MATERIAL
    unnamed_arrival = False
    site_fault = False   # the customer's premises at fault, not a machine of ours (its fault word is explained)
    if (category is None and milestone is None or category == ExceptionCategory.DELAY) and _ARRIVES.search(joined) and any(
            _ARRIVAL_AFTER_DATE.match(joined, found.end) and not _NEGATED_AFTER.match(joined, found.end)
            and not _arrived(joined, found.end)
            for found in find_dates(joined, today) if found.value >= today) and _explain(text, milestone)[1] is None:
        # material expected on a day, without the word 缺料 ("喷塑粉下周二到，涂装往后排": the step is
        # moved back because the material comes late); what comes unnamed ("货下周二到") is asked
        unnamed_arrival = category == ExceptionCategory.DELAY and not _MATERIAL_NOUN_RE.search(joined)
        category = ExceptionCategory.MATERIAL
    if category == ExceptionCategory.OTHER and (_weak_other(text) or _payment_only(text)):
        category = None   # "验收通过了 尾款可以催了": the news is the finished milestone
    if category == ExceptionCategory.EQUIPMENT and _FACILITY_FAULT.search(joined) and not (
            _MACHINE_FAULT.search(joined) or _TOOL_FAULT.search(joined)):
        # the building's lamp or the office's air conditioning is no production fault; the customer's
        # lift broken with the goods held up ("客户那边电梯坏了，货上不去") is the site's matter: "other"
        category = ExceptionCategory.OTHER if _CUSTOMER_SITE.search(joined) else None
        site_fault = category is not None
    if category == ExceptionCategory.QUALITY and milestone is None and _PASSED_AFTER_REWORK.search(joined):
        category = None   # "返修的两处 探伤合格了": the reworked goods passed, the defect is over
    if category == ExceptionCategory.EQUIPMENT and _only_repaired(text):
        category = None   # "折弯机修好了", "模具修好了，已经恢复": the news is that the fault is over
    if category == ExceptionCategory.DELAY and _FINISH_TOMORROW.search(joined) and not _DELAY.search(
            _TODAY_UNFINISHED.sub("", joined)):
        # "今天装不完，明天上午", "今天是完不了了，明天中午应该可以": the day's work runs into the next day,
        # a forecast of the finish (progress), not a slip against a target
        category = None
    if category is None:
        return None
    settled = _explain(text, milestone)[1]
    value = _delay_days(text) if category == ExceptionCategory.DELAY else None
    if when is not None:
        when = _expected_date(joined, today, category, value)
    if category == ExceptionCategory.MATERIAL and milestone is not None and _AFTER_ARRIVAL.search(before):
        milestone = None   # "包装盒周三才能到，到了就包装入库": the step is planned after the arrival, not held
    named = milestone
    milestone = milestone or implied_milestone(joined, names)
    booth = milestone is None and "涂装" in names and _BOOTH.search(joined) is not None
    milestone = "涂装" if booth else milestone
    families = _categories(text, named)
    if site_fault:
        families = families - {ExceptionCategory.EQUIPMENT}
    if milestone in _INSPECTIONS and category == ExceptionCategory.EQUIPMENT and settled is None:
        # a fault found at inspection or by the customer at acceptance is the product's ("终检抽了5台，
        # 2台漏油"), not a machine of ours: its fault word is explained
        category = ExceptionCategory.QUALITY
        families = (families - {ExceptionCategory.EQUIPMENT}) | {category}
    if when == today and not _FORECAST_STRONG.search(text) and not _TODAY_RESOLVES.search(joined):
        when = None   # "今天停线" says when it happened, not when it will be resolved
    confident = (len(families | {category}) == 1
                 and (settled == category or not _weak_cue(text, category))
                 and not _resolved_after(text) and not _REMAINING_WORK.search(text)
                 and not unnamed_arrival
                 # a vehicle broken down on the road: late delivery or "other"? writers differ
                 and not (settled == ExceptionCategory.DELAY and _ON_THE_ROAD.search(text))
                 # the customer speaking of a later date may be granting or asking for it (a change)
                 and not (_CUSTOMER_SPEAKS.search(text) and (category == ExceptionCategory.DELAY or (
                     category == ExceptionCategory.OTHER and _COUNT.search(text)))))
    return ParsedItem("exception", milestone=milestone, category=category, value=value, date=when,
                      confident=confident)


_INSPECTIONS = frozenset(("质检", "验收"))


def found_at_inspection(items: list[ParsedItem]) -> list[ParsedItem]:
    """A defect the inspection found is the inspection's exception, whatever step its defect word names
    ("品检没过 油漆流挂好几处", "终检不合格 焊缝有气孔"): one item, on the inspection, not one per step."""
    if not any(item.intent == "exception" and item.category == ExceptionCategory.QUALITY
               and item.milestone in _INSPECTIONS for item in items):
        return items
    return [item for item in items if not (item.intent == "exception" and item.category == ExceptionCategory.QUALITY
                                           and item.milestone not in _INSPECTIONS)]
# come already, not late: "今天到了", "今天上午到货了", "今天都到齐了" (but "今天才到": it came late)
_ARRIVED_AFTER_DATE = cue(r"\s*(?:上午|下午|晚上|中午|早上|一早)?\s*(?:已经|都|全|全部)?\s*(?:到|送到|送来|回来)\s*(?:货|齐|全)?\s*了")


def _arrived(text: str, position: int) -> bool:
    """The material said after the date at `position` has come: good news, not an expected arrival."""
    return _ARRIVED_AFTER_DATE.match(text, position) is not None


# a step planned for when the material comes ("到了就包装入库", "等料到了再装")
_AFTER_ARRIVAL = cue(r"(?:到了|到齐了?|来了|送到了?)\s*(?:以后|之后|后)?\s*(?:就|再|马上|立刻|才)\s*[\u4e00-\u9fff]{0,3}$")
# the customer's premises or the building site, where delivered goods go
_CUSTOMER_SITE = cue(r"客户(?:那边|那里|家|的?工地|的?现场|楼下)|工地|现场|业主|小区")
# a fault of the building or the office, not of production ("车间的灯坏了两根", "空调不制冷了")
_FACILITY_FAULT = cue(r"(?:灯管?|空调|电脑|打印机|饮水机|门禁|网络|厕所|水龙头|窗户|门锁|电梯)[^,，;；。]{0,4}?(?:坏|不亮|不行|不制冷|漏水|断了|故障)")
# a repair done or after it ("修好了", "修好以后应该快了", "已经恢复"): no fault left to record
# (a repair forecast, "预计明天修好", is still a fault)
_REPAIR_DONE = cue(r"(?:已经?|都)修好了?|修好(?:了|以后|之后)|(?:已经?)?恢复(?:了|生产|正常)|已经?恢复|(?:已经?)修复了?|修复了")


def _only_repaired(text: str) -> bool:
    rest = _REPAIR_DONE.sub("", text)
    return rest != text and not _EQUIPMENT.search(rest) and not _MACHINE_FAULT.search(rest) and not _FAULT.search(rest)


# the day's work not finished today ("今天装不完", "今天是完不了了", "今晚焊不完")…
_TODAY_UNFINISHED = cue(
    r"(?:今天|今日|今晚|今儿)\s*(?:是|肯定|估计|应该|可能)?\s*(?:[\u4e00-\u9fff]不完|完不了|完不成|做不完|搞不完|弄不完)了?")
# …with its finish said of the next day ("明天上午", "明天中午应该可以")
_FINISH_TOMORROW = cue(
    r"(?:今天|今日|今晚|今儿)\s*(?:是|肯定|估计|应该|可能)?\s*(?:[\u4e00-\u9fff]不完|完不了|完不成|做不完|搞不完|弄不完)了?"
    r"[^。;；]{0,4}?(?:明天|明早|明日|明儿)")
# the customer speaking of a later date, or of dropping a count of the order ("先做800台，剩下的不要了"),
# may be asking for a change; a hold or a cancellation of the whole order is "other" for sure
_COUNT = cue(rf"(?:{_NUM})\s*(?:台|件|套|个|只|pcs|PCS)")
_CUSTOMER_SPEAKS = cue(r"(?:客户|客人|甲方)(?:那边)?(?:说|讲|话|同意|要求|表示)")
# a date after these is the target missed ("发货赶不上周五了", "原定今天发货"), not the new expected day
# (赶不上周五 reads 上周五 as a day: the 赶不 before it is the same miss)
_MISSED_TARGET = cue(r"(?:赶不上?|赶不及|来不及|原定|原计划|本来|计划|过了)\s*$")


def _expected_date(text: str, today: date, category: ExceptionCategory | None = None,
                   days: int | None = None) -> date | None:
    """The day an exception is expected to resolve or a late item to come: the first coming day in
    `text` that is no missed target, else the first day said.

    A slip stated in days ("周四发货要推迟一天", "明早那车赶不上，发货要晚一天") makes a day said before it
    the target missed, not the new day; a defect or an "other" matter is dated only by its resolution
    ("下周二返修完"), not by a visit or a spec value said beside it ("下周二过来看", "要求1.4")."""
    found = [d for d in find_dates(text, today)
             if not _MISSED_TARGET.search(text[max(0, d.start - 4) : d.start]) and not _NEGATED_AFTER.match(text, d.end)]
    if days is not None and category == ExceptionCategory.DELAY:
        slip = _SLIP_COUNT.search(text)
        if slip is not None:
            found = [d for d in found if d.start > slip.start() or _MOVED_TO.search(text[max(0, d.start - 4) : d.start])]
    if category in (ExceptionCategory.QUALITY, ExceptionCategory.OTHER):
        found = [d for d in found if _RESOLVES_AFTER.match(text, d.end)]
    moved = next((d.value for d in found if _MOVED_TO.search(text[max(0, d.start - 4) : d.start])), None)
    if moved is not None:
        return moved   # "明天那批电机又说要推到28号": the day it is moved to, not the day it was due
    # (no exception waits for a past day: "昨天晚上停电" says when it happened)
    return next((d.value for d in found if d.value > today), found[0].value if found and found[0].value >= today else None)


_MOVED_TO = cue(r"(?:推|推迟|延|延期|延迟|拖|改|顺延|挪)到\s*$")
# a slip counted in days ("晚一天", "推迟两天", "拖3天")
_SLIP_COUNT = cue(rf"[晚拖延慢迟误推]\s*(?:了|个)?\s*(?:{_NUM}|半|几)\s*个?(?:天|日|周|星期|礼拜)")
# what resolves a defect or a held matter on a day ("周五返修完", "明天能改好", "下周一重新发")
_RESOLVES_AFTER = cue(r"\s*(?:上午|下午|晚上|中午|之前|前)?\s*(?:能|会|可以|就|才|才能|应该|估计)?\s*"
                      r"[\u4e00-\u9fff]{0,4}?(?:好|完|到|齐|回来|解决|处理|重新|补|换)")
# steps a supplier has too: its goods named right before one ("卷料排产推迟", "电机发货延期") are its own
_SUPPLIER_STEPS = frozenset(("排产", "发货"))
# a day followed by a negated verb is when something will NOT happen ("今天修不好")
_NEGATED_AFTER = cue(r"\s*[\u4e00-\u9fff]?\s*(?:不|没|到不了|来不了)")
