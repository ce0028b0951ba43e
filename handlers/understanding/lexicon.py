"""The closed vocabulary: status, change, exception and query words, and milestone lookup.

Milestone words come from the configured templates; everything else here is fixed
Chinese workshop vocabulary. Each cue family is one compiled alternation, longest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from handlers.templates import Template

from .numerals import NUMBER_PATTERN


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words`, the longest first where several match at one position.

    Written as a prefix tree ("焊(?:接|完)?" for 焊接, 焊完, 焊), not as a flat list longest first: the
    engine tries a flat list's hundreds of words one by one at every position, the tree only the
    words that share what the text starts with. The two agree on every match and on the order
    alternatives are tried in when backtracking: the words that can match at one position are
    prefixes of one another, and both try them longest first."""
    unique = set(words)
    tree = _prefix_tree(sorted(unique - {""}))
    return f"(?:{tree})?" if "" in unique and tree else tree


def _prefix_tree(words: list[str]) -> str:
    """`words` (sorted, non-empty, distinct) as one alternation per first character, longer first."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rests in by_first.items():
        longer = [rest for rest in rests if rest]
        if not longer:
            branches.append(re.escape(first))
            continue
        inner = _prefix_tree(longer)
        if len(longer) < len(rests):   # the first character alone is a word too: tried after the longer ones
            branches.append(f"{re.escape(first)}(?:{inner})?")
        elif "|" in inner:
            branches.append(f"{re.escape(first)}(?:{inner})")
        else:
            branches.append(re.escape(first) + inner)
    return "|".join(branches)


# ---- progress status ---------------------------------------------------------------------
DONE_WORDS = (
    "完成", "完工", "完毕", "做完", "干完", "弄完", "搞完", "焊完", "装完", "喷完", "检完", "做好",
    "弄好", "搞好", "排好", "装好", "喷好", "好了", "搞定", "OK", "ok", "Ok", "通过", "合格", "结束",
    "齐了", "到齐", "完了", "交付了", "已", "全部出", "验完", "收完", "清了", "done", "Done", "DONE",
    # resultative and colloquial completion (aspect class): 过了, 没问题, Cantonese 搞掂 / …咗
    "过了", "搞掂", "掂了", "咗", "没有问题", "走了", "完事", "妥了", "弄妥", "搞妥", "好啦", "完啦", "齐活", "收工", "没问题", "无问题", "开完", "切完", "排完", "领完", "检好", "开好",
    # Sichuan/Chongqing 归一 (finished); a signature given (验收签字了)
    "归一", "签字了", "签了字",
    # Northern colloquial 整 (= 做) and 利索 (= done properly): "整完了", "下料整利索了"; QC releasing goods
    "整完", "整利索", "弄利索", "搞利索", "放行",
)
START_WORDS = (
    "开始", "开工", "进行中", "在做", "正在", "在搞", "在弄", "在赶", "赶工", "启动", "动工", "着手",
    "上线", "推进中", "陆续", "在焊", "在喷", "在装", "在检", "生产中", "加工中", "作业中", "处理中",
    "排队中", "进行", "已开始", "刚开始", "开干", "快完成", "快做完", "快好了", "接近完成", "收尾",
    "差不多了", "快完了", "快弄完", "快搞完", "快干完", "快做好", "接近尾声", "还在焊", "还在喷", "还在装",
    # progressive aspect: 在…, …着(呢), 排队
    "进入", "转入", "转到", "排队", "在排", "差不多完", "差不多好", "快完", "快好", "在开", "在切", "在检", "在领", "在发", "着呢", "弄着", "做着", "搞着", "干着",
    "焊着", "喷着", "装着", "挂着", "开着", "检着", "在赶工", "恢复了", "恢复",
    # nearly done: "还差一点", "就差一点点" (a partial, not parts missing)
    "还差一点", "就差一点", "差一点点", "还差一些", "还差点", "差最后", "就剩最后", "只剩最后",
)
# a strong forecast word makes a forecast on its own ("预计下午完成"); a weak one needs a date
FORECAST_STRONG = ("预计", "估计", "预估", "争取", "有望", "计划")
FORECAST_WORDS = FORECAST_STRONG + ("能", "可以", "应该", "会", "将", "才能", "之前", "前")
NEGATIONS = ("没", "未", "不", "无", "还没有", "没有", "没法", "无法", "不能")

# ---- change requests ---------------------------------------------------------------------
REQUESTERS = (
    "客户要求", "客户说", "客户要", "客户希望", "客户通知", "客户反馈", "客户那边", "客户想", "客户需要",
    "客户", "客户话", "销售说", "销售要求", "业务说", "老板说", "甲方要求", "甲方", "要求",
    # a polite request in a customer's own voice: "麻烦推迟到1月5号再发货", "能否再增加三十台"
    "麻烦", "能否", "可否",
    # Cantonese: 客人 is the customer, 话 is "says"
    "客人", "客人话", "客人说", "客人要", "客人要求",
    # 讲 is "says" too: "销售讲…", "客户讲…"
    "销售讲", "客户讲", "客人讲", "业务讲", "销售话", "业务话",
    # English in a relayed mail: "customer requests to move delivery date to 12/22", "Customer asked …"
    "customer request", "customer requests", "customer asked", "customer asks", "customer wants",
    "Customer request", "Customer requests", "Customer asked", "Customer asks", "Customer wants",
)
QTY_FIELDS = ("qty", "QTY", "Qty", "quantity", "Quantity", "数量", "台数", "件数", "订单量", "订量", "总数", "数目", "个数", "总量", "订货量", "套数")
DUE_FIELDS = ("due date", "Due date", "delivery date", "交期", "交货期", "交货日期", "交货时间", "货期", "交付日期", "交付时间", "交货日")
# these name the due date only when a customer or sales asks; otherwise they report a plan
DUE_FIELDS_REQUESTED = ("出货日期", "出货时间", "发货日期", "发货时间", "到货日期", "到货时间", "shipping date", "ship date",
                        "Shipping date", "delivery time")
SET_OPS = (
    "改成", "改为", "改到", "调到", "调成", "调为", "调整为", "调整到", "定为", "定到", "变成", "换成",
    "更改为", "变更为", "提前到", "推迟到", "延到", "延后到", "推到", "挪到", "放到", "延期到", "改至",
    "提前至", "推迟至", "延至", "改", "为", "到", "→", "->",
)
QTY_ADD_OPS = ("追加", "追单", "要多", "再多", "再加", "加做", "多做", "增加", "加订", "加单", "再要", "多要", "补加", "加多", "多拉", "加")
QTY_SUB_OPS = ("减少", "减掉", "减去", "少做", "少要", "少拉", "砍掉", "砍", "取消", "去掉", "减")
DUE_ADD_OPS = ("押后", "押迟", "往后放", "往后延", "往后推", "往后挪", "往后拖", "往后排", "推迟", "延后", "延期", "延长", "顺延", "推后", "后延", "晚", "延")
DUE_SUB_OPS = ("往前提", "往前挪", "提前", "提早", "早")
SPEC_OPS = ("改回", "换回", "改成", "改为", "换成", "换为", "改用", "换用", "变更为", "更换为", "更改为", "变成", "做成", "调整为", "换")
SPEC_FIELDS = (
    "颜色", "规格", "型号", "尺寸", "材质", "材料", "电压", "电机", "铭牌", "包装", "标签", "logo", "LOGO",
    "Logo", "图纸", "配置", "款式", "外观", "说明书", "表面处理", "涂层", "色号", "板厚", "厚度", "长度",
    "宽度", "高度", "接口", "插头", "配件", "面板", "油漆颜色", "喷涂颜色", "功率", "版本", "印字", "丝印",
    # where a feature sits on the part: "孔位要挪一下"
    "孔位", "孔距", "开孔位置", "开孔",
    # the English word in a mixed message: "spec 改一下"
    "spec", "Spec", "SPEC", "specs",
)
# verb-object milestone words that split around their aspect: 出了货, 装完车, 入好库, 下完料 (class: aspect)
VERB_OBJECT_WORDS = ("出货", "发货", "装车", "入库", "进仓", "排单", "领料", "下料", "开料", "备料", "喷漆", "装柜")
# steps that happen at a point (goods moved in or out, the customer signs): a coming day said of one
# is when it happens, a forecast ("质检完成，明天入库"); a coming day said of any other step after one
# just finished plans its start, no progress yet ("喷漆完成，明天组装") (class: next-step mentions)
POINT_MILESTONES = ("入库", "发货", "验收")
# process steps the default template does not have: a report line naming one says nothing of a template
# milestone, nor of the one named on the line before ("2609-33 折弯完成") (class: steps outside the template)
OTHER_STEPS = (
    "折弯", "冲压", "冲孔", "打孔", "钻孔", "攻丝", "攻牙", "打磨", "抛光", "去毛刺", "校平", "校直", "电镀",
    "热处理", "机加", "车削", "铆接", "清洗", "烘干", "包装", "打包", "贴标", "调试", "老化", "剪板", "折边",
)
DELIVER_WORDS = ("交货", "交付", "出货", "发货", "要货", "到货", "送货")

# ---- exceptions ---------------------------------------------------------------------------
QUALITY_WORDS = (
    "返工", "返修", "不合格", "不通过", "没通过", "未通过", "没过", "过不了", "超差", "气孔", "起泡", "裂纹",
    "裂缝", "开裂", "变形", "划伤", "划痕", "色差", "漏焊", "虚焊", "焊穿", "夹渣", "脱漆", "掉漆", "流挂",
    "橘皮", "生锈", "锈蚀", "毛刺", "尺寸不对", "尺寸偏", "偏差", "不良", "报废", "质量问题", "瑕疵", "客诉",
    "投诉", "退货", "批退", "漏装", "错装", "装反", "松动", "渗漏", "漏水", "漏气", "不达标", "重做", "返厂",
    "缺陷", "不符", "不一致", "咬边", "焊偏", "脱落", "不良品", "检验不过", "判退", "质量有问题", "异响", "露底",
    "不对", "做错", "装错", "错位", "起皮", "重喷", "重焊", "掉色", "破损", "磕碰", "碰伤", "漏喷", "漏检", "有划痕",
    # quality without 不合格: a mismatch with the sample, a wrong label or print, a rework verb
    "对不上", "差太多", "差很多", "不好看", "不行", "打错", "印错", "贴错", "写错", "发错", "配错", "用错",
    "重新喷", "重新做", "重新打", "重新焊", "重新装", "重印", "重贴", "补喷", "补焊", "漏打", "不通电", "不亮",
    "偏黄", "偏红", "偏深", "偏浅", "偏大", "偏小", "偏厚", "偏薄", "验收没过", "没签", "砂眼", "缩孔", "夹杂", "错边", "少装", "装漏",
    # damaged or unusable goods, off-position work, a mismatch
    "有锈", "锈了", "不能用", "用不了", "破了", "压坏", "摔坏", "碰坏", "磕坏", "撞坏", "不能开机", "开不了机",
    "不工作", "打偏", "偏了", "歪了", "偏位", "不一样", "滑丝", "滑牙", "锈斑",
    # the customer's verdict on the goods: 不满意, 不认可
    "不满意", "不认可", "刮花",
    # over a limit, scrapped, unacceptable to the customer, defective as it stands
    "超标", "废了", "不接受", "是坏的", "发花", "拒收", "凹坑", "凹陷", "颗粒", "贴反", "装歪", "攻歪", "打歪", "漏电",
    "重新调", "重新加工", "重新包装",
    # work not done right: a negated result of the work verb ("螺丝没打紧", "焊缝没焊透", "不到位")
    "没拧紧", "没有拧紧", "没打紧", "没有打紧", "没焊透", "没有焊透", "没焊牢", "没紧固", "没锁紧", "不到位",
    "没到位", "没有到位", "要返", "得返",
    # a fault of the goods in everyday words: a noise, a lid or door that will not close, a scratch
    "嗡嗡响", "有杂音", "噪音大", "异音", "关不严", "关不上", "合不上", "合不拢", "盖不上", "对不齐", "划花", "偏蓝", "偏绿",
)
EQUIPMENT_WORDS = (
    "坏了", "坏掉", "故障", "停线", "停机", "抢修", "维修", "修理", "宕机", "死机", "跳闸", "停电", "报警",
    "卡死", "漏油", "检修", "线停了", "机停了", "停线了", "设备问题", "机器坏", "坏", "修好", "趴窝", "出毛病", "停摆",
    # a machine that broke, burnt out or cannot reach its setting, and is being repaired
    "断了", "烧了", "烧坏", "在修", "上不去", "不转了", "修不好", "罢工",
)
MATERIAL_WORDS = (
    "缺料", "缺货", "没货", "断货", "欠料", "短缺", "不够", "不足", "没到", "未到", "晚到", "还没来",
    "没来", "到货延迟", "延迟到货", "料不齐", "没齐", "未齐", "不齐", "等料", "待料", "没料", "来料", "到不了",
    "缺少", "少了", "才能到", "才到货", "缺",
    # material without 缺料: not delivered, still at the supplier or on the road, used up, short
    "没有到", "没有来", "没有送到", "未到齐", "没到齐", "没有到齐", "没交货", "未交货", "断供",
    "才到", "才送", "才能送", "才回来", "没回来", "还在路上", "在外厂", "在外协", "没送到", "未送到", "没送来",
    "用完了", "用完", "用光了", "用光", "外购件延期", "差配件", "没送回来", "没有送回来", "没拿回来", "没有回来", "没返来", "没有返来", "挪用", "等采购", "等供应商", "才有料", "等外协", "等来料", "等货", "等配件", "等零件", "才能交", "才交", "差零件", "没到厂", "只到了", "没有料", "供应商", "没有齐",
)
DELAY_WORDS = (
    "延期", "推迟", "延误", "延迟", "延后", "拖期", "拖了", "拖延", "落后", "滞后", "赶不上", "赶不及",
    "来不及", "要晚", "晚了", "慢了", "耽误", "顺延", "超期", "逾期", "拖后", "赶不出", "做不完", "完不成",
    "完不了", "做不了", "干不完", "弄不完", "搞不完", "得等到", "要等到", "等到", "推到", "拖到", "延到",
    # negated potential of shipping: "这个礼拜肯定发不了了" (a slip, not a request)
    "发不了", "出不了", "交不了", "发不出",
)
# checked before material: 人手不够 is not a material shortage
STAFF_WORDS = ("请假", "病倒", "病了", "没人干", "没人做", "辞职", "离职", "人手不够", "人手不足", "缺人", "人员不足", "人手紧张", "没人手", "招不到人", "缺工",
               "工人不够", "人不够", "缺工人", "人手少", "工人请假")
OTHER_WORDS = STAFF_WORDS + (
    "尾款", "没到账", "未到账", "没付款", "未付款", "付款", "先别", "暂停", "停产", "取消订单", "搁置",
    "挂起", "冻结", "不要了", "撤单", "扣货", "停工", "停了", "卡住", "问题", "异常", "出事",
    # missing documents or decisions are not material: 缺图纸, 等图纸, 资料没给 (class: other)
    "缺图纸", "等图纸", "没图纸", "图纸没", "缺资料", "等资料", "等确认", "待确认",
    # the order itself called off or put on hold by the customer: not a spec change
    "订单取消", "把订单取消", "单子取消", "先不要做", "不做了",
    "没法", "无法", "开不了",
    # held back (payment, a hold, no room, no staff): 货款没到, 先缓缓, 仓满了, 请假
    "货款", "缓缓", "缓一缓", "暂缓", "放一放", "满了", "放不下", "压在仓库", "卡在仓库", "压仓",
)
# "other" words that are only context ("尾款可以催了"): a finished milestone beside them stays progress
WEAK_OTHER_WORDS = ("尾款", "付款", "停了", "问题")

# ---- queries ----------------------------------------------------------------------------
QUERY_STRONG = (
    "吗", "?", "边度", "点样", "什么程度", "啥程度", "到哪", "哪一步", "哪个阶段", "什么阶段", "什么情况", "啥情况", "什么状况",
    "怎么样", "咋样", "如何", "啥进度", "什么进度", "进度如何", "进展如何", "做到哪", "几时", "什么时候",
    "啥时候", "多久", "哪天", "几号", "有没有", "是否", "是不是", "查一下", "查下", "帮我查", "查查",
    "看一下", "看下", "看看", "问下", "问一下", "发我", "告诉我", "列一下", "列下", "汇总一下", "汇总下", "统计一下", "拉一下", "多少", "哪些", "哪几个", "几个", "几单",
    "能不能", "可不可以", "几成", "要几天", "几天能", "几天可以", "几点", "哪个工序", "哪道工序", "哪个环节", "什么工序", "哪一道", "哪个车间", "没有?", "进度咋", "啥状态", "什么状态", "查询",
    # a tag question checks what the sender heard: "123焊接完成了是吧"
    "是吧", "对吧", "是不是啊",
    # which order, or where one is stuck: "哪张单逾期了", "现在卡在哪" (Cantonese 边张 / 边步 reach here as 哪)
    "哪张", "哪单", "哪步", "卡在哪", "卡哪",
)
QUERY_WEAK = ("进度", "进展", "情况", "状态", "动态")
GENERAL_ORDER = r"订单|(?<=[的些个哪几少期])单(?![价据号子位元])"
DAY_COUNT = rf"(?P<days>{NUMBER_PATTERN}|半)\s*(?:个)?(?P<unit>天|日|周|星期|礼拜)(?!后|以后|之后)"


# Phrasings that name a default-template milestone without one of its words, as regexes over the
# mention itself. They count only in a line that names an order (never in chit-chat) and only
# for a template that has the canonical name. The status words stay outside the mention.
_QTY = rf"\s*了?\s*(?:{NUMBER_PATTERN})\s*(?:台|件|个|套|箱|批|车|托|柜|pcs|PCS)"
DERIVED_FORMS = {
    # 货已发出, 货都发走了: the goods went out
    "发货": (
        r"(?:(?<=货)|(?<=货已)|(?<=货都)|(?<=货已经)|(?<=货全部)|(?<=货都已))发(?:出去|出|走)",
        # topic first, the verb bare with its aspect: "啲货出咗未", "货发了没有", "货已经出了"
        r"(?:(?<=货)|(?<=货已)|(?<=货都)|(?<=货已经))[发出](?=\s*(?:了|咗|去|未|没|吗))",
        # …or after a day: "啲货听日出", "货明天发"
        r"(?:(?<=货明天)|(?<=货后天)|(?<=货今天)|(?<=货今晚))[发出]",
        # 先发50台, 今天发了30箱: a shipped quantity
        rf"(?<![收开批下分打头出])发(?={_QTY})",
        # 今天出了200台: goods out by count
        rf"(?<![发输产做提支付外退查检挑选找测])出(?={_QTY})",
        # "什么时候出？", "几号能出": 出 asked of a day is the shipment
        r"(?:(?<=什么时候)|(?<=啥时候)|(?<=几号)|(?<=哪天)|(?<=几时)|(?<=候能)|(?<=号能)|(?<=候可以))出(?=\s*(?:[?？吗呢啊]|$))",
    ),
    # 物料到齐了, 材料都备齐了: the same fact as 物料齐套
    # 计划下了: 下计划 said topic first
    # colloquial and Cantonese for spray painting: 喷油 (噴油搞掂)
    "涂装": (r"喷油",),
    # the inspection said again after a rework: "返工好了，复检OK", "复验通过"
    "质检": (r"复检|复验|重检",),
    "排产": (r"(?:生产)?计划\s*(?:已经|已|都|也)?\s*下(?=[了达发])",
             # put on the schedule: "排上了没", "已经排进去了", "排下去了"
             r"排(?=上[了没吗]|进去|下去)",
             # a planner's or customer's "安排生产", "排上生产" (class: planners' phrasing)
             r"安排生产|排(?:进|上)生产",
             # the schedule "came out" ("排期出咗", "生产计划出来了"): it is made, as 下计划 is
             r"(?:排期|排产|生产计划|排程)(?:表|单)?\s*(?:已经|已|都|也)?\s*出来?(?=\s*(?:了|咗))",
             # 排程 (scheduling, planners' and Taiwanese usage): "排程已完成"
             r"排程"),
    # (an arrival on a later day, "物料预计下周三到齐", is a material exception, not this)
    # 齐套 alone (the kit is complete) is the same fact: "SO… 齐套", "齐套完成"
    "领料": (r"(?<!物料)(?<!物料已)齐套(?!率)", r"(?:物料|材料|原材料|原料|(?<=[些的\ue000\s,，])料)(?=\s*(?:今天|今日|昨天|上午|下午|已经|已|都|也|全部|全|均已|都已)*\s*(?:到齐|备齐|领齐|齐了|齐全|齐套))",
             # the material issued out of the store to the shop floor: "料全部出库给车间了", "材料已发到产线"
             r"(?:物料|材料|原材料|原料|(?<=[些的\ue000\s])料)(?=[^,，。;；]{0,8}?(?:出库|发)\s*(?:给|到|去)\s*(?:车间|产线|生产线|线上))",),
}


# Aspect complements after a one-character milestone verb: 完/好 (resultative), 了/过/咗 (perfective),
# 着 (progressive), 掂 (Cantonese done), 不完/不好 (negated result), or a question tail (吗/没/未/？).
_ASPECT_AFTER = r"(?=\s*(?:[完好了过着咗掂走出]|到(?:哪|什么|几|\s*\d{1,3}\s*%|\s*[一二两三四五六七八九]成|\s*一半)|不[完好了]|得[完好]|得(?:怎么样|咋样|如何|点样)|吗|没|未|[?？]))"
# …and progressive or modal words before it: 在喷, 能发, 要装.
_ASPECT_BEFORE = (r"(?:(?<=在)|(?<=能)|(?<=要)|(?<=开始)|(?<=继续)|(?<=接着)|(?<=已)(?<!货已)"
                  # a day right before the verb: "明天发", "下周一发" (the verb said of a coming day)
                  r"|(?<=明天)|(?<=后天)|(?<=今天)|(?<=今晚)|(?<=明早)|(?<=周[一二三四五六日末])|(?<=礼拜[一二三四五六天日]))")
# One-character verbs naming a default-template milestone ("喷完", "装好了", "开了一半", "排了没",
# "签了"): the verb alone is too common, so it counts only next to an aspect cue (class: aspect).
MILESTONE_VERBS = {
    # (开 alone is too common — 开单, 开会, 开票: 开料/开完 are words of their own)
    "排产": "排", "领料": "领", "下料": "切割", "涂装": "喷", "总装": "装", "质检": "检",
    "发货": "发", "验收": "签",
}
# what a verb acts on right before it when it is no milestone ("油喷了一地": oil sprayed out, not paint work)
_VERB_NOT_AFTER = {"涂装": r"(?<![油水气])"}
VERB_FORMS = {
    name: (rf"{_VERB_NOT_AFTER.get(name, '')}[{chars}]{_ASPECT_AFTER}|{_ASPECT_BEFORE}[{chars}]",)
    for name, chars in MILESTONE_VERBS.items()
}
# Goods loaded onto a truck ("装完车", "装咗车", "装了3车") ship the order; goods put into the
# warehouse ("入咗仓", "进的仓") store it. Only the verb is the mention: its aspect stays outside.
DERIVED_FORMS["发货"] = (
    r"装(?=[^,，。;；\s]{0,5}车(?!间))",
    # loading a container or onto the truck: "下午开始上车", "今天装柜"
    r"(?<![坐搭上])上车(?![间])|装柜|上柜",
) + DERIVED_FORMS["发货"]
DERIVED_FORMS["入库"] = (r"[入进](?=\s*(?:了|咗|的)?\s*[仓库](?![存房管单]))",)


# English in Chinese messages (EN-ZH mix: "123 welding done", "QC passed", "shipment delay"): the
# default milestones' English names, as scoped case-insensitive patterns on ASCII word boundaries.
def _english(pattern: str) -> str:
    return rf"(?<![A-Za-z])(?i:{pattern})(?![A-Za-z])"


ENGLISH_MILESTONES = {
    # ("behind schedule", "on schedule" say how a step runs, not that planning was done)
    "排产": r"(?<!behind )(?<!ahead of )(?<!on )schedul(?:e|ed|ing)|production plan",
    "领料": r"kitting|material(?:s)? (?:ready|issued|picked)",
    "下料": r"cutting|laser cut(?:ting)?|blanking",
    "焊接": r"weld(?:ing|ed)?",
    "涂装": r"paint(?:ing|ed)?|coating|spray(?:ing|ed)?|powder[ -]coat(?:ing|ed)?",
    "总装": r"assembl(?:y|ing|ed)",
    "质检": r"inspection|inspected|FQC|OQC|QA",
    "入库": r"warehous(?:e|ing|ed)|stocked|in stock",
    "发货": r"ship(?:ped|ping|ment)?|deliver(?:ed|y)?|dispatch(?:ed)?|load(?:ed|ing)",
    "验收": r"accept(?:ed|ance)|sign(?:ed)?[ -]?off",
}
for _name, _pattern in ENGLISH_MILESTONES.items():
    DERIVED_FORMS[_name] = DERIVED_FORMS.get(_name, ()) + (_english(_pattern),)
ENGLISH_DONE = _english(r"done|finish(?:ed)?|complete(?:d)?|pass(?:ed)?|ready|ok|okay")
ENGLISH_START = _english(r"wip|in progress|ongoing|start(?:ed|ing)?|processing") + r"|(?<=[\u4e00-\u9fff\x01])ing(?![A-Za-z])"
ENGLISH_QUALITY = _english(r"defects?|defective|faulty|cracked|damaged|scratched|dented|rework|rejected|reject|fail(?:ed)?|NG")
ENGLISH_MATERIAL = _english(r"shortage|short of|missing|waiting for (?:the )?(?:material|parts|components|motors|steel|bearings|paint)s?"
                            r"|from (?:the )?supplier|supplier delay(?:ed)?")
ENGLISH_EQUIPMENT = _english(r"breakdown|broken(?: down)?|(?:machine|robot|line|equipment|cutter|welder|press|crane|forklift|laser) (?:is )?down"
                             r"|out of order")
ENGLISH_DELAY = _english(r"delay(?:ed)?|late|behind schedule|postponed")
ENGLISH_FORECAST = _english(r"ETA|expected|expect|estimated")
ENGLISH_QUERY = _english(r"status\??|when|any update|eta\?")


def milestone_words(templates: Iterable[Template]) -> dict[str, str]:
    """word -> canonical milestone over every template; the first template to claim a word wins."""
    mapping: dict[str, str] = {}
    for template in templates:
        for spec in template.milestones:
            for word in spec.words:
                mapping.setdefault(word, spec.name)
                mapping.setdefault(word.upper(), spec.name)
                mapping.setdefault(word.lower(), spec.name)
    return mapping
