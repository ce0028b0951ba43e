"""Change requests read from one clause: quantity (set / add / subtract), due date, specification.

A change needs a requester (客户, 销售, a polite request) or the order named with a change verb; a
slip the customer is merely told of is a delay, not a change.
"""

from __future__ import annotations

import re
from datetime import date

import handlers.understanding.lexicon as lx
from .dates import find_dates
from .exceptions import category_of
from .items import ParsedItem
from .patterns import any_of, cue
from .numerals import NUMBER_PATTERN, parse_number
from .order_numbers import MASK
from .cues import QTY_UNITS, QUERY_STRONG

_NUM = NUMBER_PATTERN

_DAY_COUNT = cue(lx.DAY_COUNT)
# (an English requester too: "customer asked …", "client requests …")
_REQUESTER = cue(lx.alternation(lx.REQUESTERS) + r"|(?i:customer|client)s?\s+(?:asked|asks|requests?|requested|wants?)"
                   + r"|(?i:sales|customer|client)\s*(?:说|讲|要求)")
_DUE_FIELD = cue(lx.alternation(lx.DUE_FIELDS))
_DUE_FIELD_ANY = cue(lx.alternation(lx.DUE_FIELDS + lx.DUE_FIELDS_REQUESTED))
# 量 alone is the quantity in "量加到800", not in 质量, 重量, 流量, 用量, 测量
_QTY_FIELD = rf"(?:{lx.alternation(lx.QTY_FIELDS)}|(?<![质重流用测容力能声含数总])量)"
_QTY_FIELD_ANY = cue(_QTY_FIELD)
_QTY_SET = cue(
    rf"{_QTY_FIELD}(?:[^,;。]{{0,6}}?|\s*(?i:change[sd]?|changed|set|reduced|increased)\s*"
    # the count it was first: "数量从500改450", "quantity 从 800 台 调到 600"
    rf"|\s*从\s*{_NUM}\s*(?:{QTY_UNITS})?\s*)"
    rf"(?:{lx.alternation(lx.SET_OPS)}|(?<![A-Za-z])(?i:to)(?![A-Za-z]))\s*(?P<num>{_NUM})"
)
_QTY_FIELD_DELTA = cue(
    rf"{_QTY_FIELD}\s*(?:再|要|需要)?\s*(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})"
    rf"\s*(?P<num>{_NUM})"
)
# "追加一批" names no count: 一批 is "a batch", the count comes later ("追加一批，加300套");
# a share of the order may stand between the verb and the count ("取消其中的50台")
_QTY_DELTA = cue(
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?:了|订单|数量|其中的?|里面的?)?\s*(?!一批)(?P<num>{_NUM})\s*(?P<unit>{QTY_UNITS})"
)
# a signed count with its unit ("+50 pcs", "-20台"): a requester's add or subtract
_QTY_SIGNED = cue(rf"(?:(?<=\s)|^)(?P<sign>[+\-])\s*(?P<num>\d+)\s*(?:pcs|PCS|sets?|units?|台|件|套|个)"
                         rf"|{_QTY_FIELD}\s*[:：]?\s*(?P<sign2>[+\-])\s*(?P<num2>\d+)")
# changes without 改成 (class): the new count with a product unit on either side ("八百台改成一千台",
# "改成五百台", "从八十台加到一百台", "只要600台了") sets the quantity
_PRODUCT_UNIT = r"(?:台|件|套|个|只|箱|pcs|PCS|片|条|樘|扇)"   # (樘, 扇: doors and windows)
_QTY_SET_BY_UNIT = cue(
    rf"(?:(?P<src>{_NUM})\s*{_PRODUCT_UNIT}\s*[,，]?\s*(?:现在)?)?"
    rf"(?P<op>改成|改为|加到|减到|减少到|增加到|降到|加至|减至|减少至|增加至|调到|调成|变成|只要|现在要|改要)\s*(?P<num>{_NUM})\s*(?P<unit>{_PRODUCT_UNIT})?"
)
# the goods named between the verb and the count ("客户追加阳台门12樘", "加订不锈钢支架30套"): the order's own
# ops only (加 alone with a noun is too often parts or staff: "加焊工2个")
_QTY_DELTA_GOODS = cue(
    rf"(?P<op>追加|加订|加单|多拉|少拉|再要|多要|增加|减少)\s*了?\s*(?![^\d,，。;；]{{0,6}}?(?:人|工|师傅))"
    # (not "之前追加的100台": the count added before, named as a thing)
    rf"(?:(?!的)[\u4e00-\u9fffA-Za-z]){{1,6}}?\s*(?P<num>{_NUM})\s*(?P<unit>{_PRODUCT_UNIT})")
# verbs that set a count by raising or lowering it ("减少到60台"): a quantity change even unrequested
_QTY_DIRECTED_SET = frozenset(("加到", "减到", "减少到", "增加到", "降到", "加至", "减至", "减少至", "增加至"))
_DIRECTED_BARE = cue(rf"(?P<op>{lx.alternation(_QTY_DIRECTED_SET)})\s*(?P<num>{_NUM})\s*(?:了|吧|啊)?\s*$")
# a requester's bare count after an add or subtract verb ("客户再追加一百二", "减少一百")
_QTY_DELTA_BARE = cue(
    rf"(?P<op>{lx.alternation(lx.QTY_ADD_OPS + lx.QTY_SUB_OPS)})\s*(?P<num>{_NUM})\s*(?:了|吧|啊)?\s*$"
)
# the count kept when the rest is dropped ("先做800台，剩下的不要了", "只要800台了，多的不做了") or
# said to be enough ("600台就够了"): the quantity is set to it
_KEPT_COUNT = cue(rf"(?:先|只|就)\s*(?:做|要|生产|交)?\s*(?P<num>{_NUM})\s*{_PRODUCT_UNIT}")
_REST_DROPPED = cue(r"(?:剩下|剩余|其余|其他|多出?)(?:的|来的)?\s*(?:就|都|先)?\s*(?:不要|不做|取消|砍掉)")
_ENOUGH_COUNT = cue(rf"(?P<num>{_NUM})\s*{_PRODUCT_UNIT}\s*(?:就)?\s*(?:够了|够|行了|可以了|得了)"
                           # "数量按1500做", "数量以1500为准": the count to make by
                           rf"|(?:按|{_QTY_FIELD}\s*以)\s*(?P<by>{_NUM})\s*{_PRODUCT_UNIT}?\s*(?:做|生产|来做|下单|为准)")
_QTY_ADD = frozenset(lx.QTY_ADD_OPS)
_ORDER_ADD = cue(r"追加|加订|加单")
_ORDER_CALLED_OFF = cue(r"(?:订单|单子)\s*(?:也|都|先)?\s*取消|取消\s*(?:这个|那个)?\s*(?:订单|单子)")
_DUE_SET_OP = cue(r"改|调|提前|推迟|延|推|挪|定|换|变|放|到|为|至|(?<![A-Za-z])(?i:to|move|change)(?![A-Za-z])")
_DUE_ADD_OP = cue(lx.alternation(lx.DUE_ADD_OPS))
_DUE_SUB_OP = cue(lx.alternation(lx.DUE_SUB_OPS))
_LATE = cue(r"晚|拖|延误|耽误")
_HEDGE = cue(r"可能|估计|恐怕|怕是|怕|赶不上|来不及|也许|或许")
_DELIVER = cue(lx.alternation(lx.DELIVER_WORDS))
_SPEC_OP = cue(lx.alternation(lx.SPEC_OPS))
_SPEC_FIELD = cue(lx.alternation(lx.SPEC_FIELDS))
_QTY_FIELD_VALUE = cue(
    rf"(?:{lx.alternation(lx.QTY_FIELDS)})\s*[:：是]?\s*(?P<num>{_NUM})\s*{_PRODUCT_UNIT}?\s*(?:[,，;；。]|$)")
# a part unit followed by a noun: the count of a part, not of the product ("两台备用机" stays a count)
_PART_ADDED = cue(r"(?:个|只|条|根|块|张|片)(?!交期|交货|数量|货期)[\u4e00-\u9fffA-Za-z]{2}")
_PEOPLE_WORD = cue(r"人|工|师傅")   # a cheap look before the count pattern
_PEOPLE_COUNT = cue(rf"(?:{_NUM})\s*[个名位]?\s*(?:人|工人|焊工|师傅|员工)")
_PEOPLE_AFTER = cue(r"\s*(?:人|工人|焊工|师傅|员工|帮手)")
_SHIFTS_AFTER = cue(r"\s*(?:班|人|工人|焊工|师傅|员工|帮手)")
_WORK_DELTA_OPS = frozenset(("多做", "加做", "加", "再加", "多要", "减", "少做", "加多"))
_PERFECTIVE = cue(r"\s*了")
# a count dropped from the order ("之前追加的100台不要了", "加的50台先不做"): subtract it
_DROPPED_COUNT = cue(
    rf"(?P<num>{_NUM})\s*{_PRODUCT_UNIT}\s*(?:就|也|先|都)?\s*(?P<op>不要了|不要|不做了|不做|取消|砍掉)"
)


# a part of the order called off ("客户取消了 #3321 中的蓝色款 300 台", "里面的红色那款砍掉50套"): subtract its count
_PART_CALLED_OFF = cue(
    rf"(?P<op>取消|砍掉|减掉|去掉)\s*了?[^,，。;；\d]{{0,16}}?(?:中|里|其中|里面)的?[^,，。;；\d]{{0,8}}?(?P<num>{_NUM})\s*{_PRODUCT_UNIT}"
    rf"|(?:中|里|其中|里面)的?[^,，。;；\d]{{0,8}}?(?P<num2>{_NUM})\s*{_PRODUCT_UNIT}\s*(?:也|都|先)?\s*(?:取消|砍掉|减掉|去掉|不要)")


# (a count change no one asks for needs one of these: most clauses have none, and are passed in one search)
_QTY_CUES = any_of(_QTY_SET_BY_UNIT, _QTY_SET, _QTY_FIELD_DELTA, _QTY_DELTA, _ORDER_ADD, _DROPPED_COUNT, drop_groups=True)


def quantity_change(clause: str, requested: bool = False, has_order: bool = False) -> ParsedItem | None:
    if not requested and _QTY_CUES.search(clause) is None:
        return None   # (see the reading below: with no request, each count it reads comes from one of them)
    if _PACKS.search(clause) and _PACKING.search(clause) and not _QTY_FIELD_ANY.search(clause):
        return None   # "改成三十只一箱": how many go in a box is packing (a spec), not the order's count
    if requested:
        match = _QTY_SIGNED.search(clause) if ("+" in clause or "-" in clause) else None
        value = parse_number(match.group("num") or match.group("num2")) if match else None
        if value:
            sign = match.group("sign") or match.group("sign2")
            return ParsedItem("change", field="quantity", op="add" if sign == "+" else "sub", value=value)
        match = _ENOUGH_COUNT.search(clause) or (None if QUERY_STRONG.search(clause) else _QTY_FIELD_VALUE.search(clause))
        value = parse_number(match.group("num") or match.groupdict().get("by")) if match else None
        if value:
            return ParsedItem("change", field="quantity", op="set", value=value)
    match = _QTY_SET_BY_UNIT.search(clause)
    if match and match.group("unit") and _SHIFTS_AFTER.match(clause, match.end()):
        match = None   # "焊接加到两个班", "加到三个人": shifts or staff set on the work, not goods ordered
    if match and (match.group("unit") or match.group("src")) and (
            requested or match.group("src") or (match.group("op") in _QTY_DIRECTED_SET and match.group("unit"))):
        value = parse_number(match.group("num"))
        if value is not None:
            return ParsedItem("change", field="quantity", op="set", value=value)
    if requested:
        # a requester's bare count after a directed verb ("客户要求加到800", "减到三百吧"): the count is set to it
        match = _DIRECTED_BARE.search(clause)
        value = parse_number(match.group("num")) if match else None
        if value:
            return ParsedItem("change", field="quantity", op="set", value=value)
    added = requested or _ORDER_ADD.search(clause) is not None
    if added:
        # ("再追加一百二": 追加 / 加订 / 加单 ask for more of the order even with no customer named)
        match = _QTY_DELTA_BARE.search(clause)
        value = parse_number(match.group("num")) if match else None
        if value is not None and not _DAY_COUNT.match(clause, match.start("num")):
            op = "add" if match.group("op") in _QTY_ADD else "sub"
            return ParsedItem("change", field="quantity", op=op, value=value)
    match = _QTY_SET.search(clause) or (_QTY_FIELD_VALUE.search(clause) if requested else None)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            return ParsedItem("change", field="quantity", op="set", value=value)
    match = _QTY_FIELD_DELTA.search(clause) or _QTY_DELTA.search(clause) or (
        _QTY_DELTA_GOODS.search(clause) if added else None)
    if match and "unit" in match.groupdict() and _PART_ADDED.match(match.group("unit") + clause[match.end():]):
        match = None   # "多加一个急停按钮" adds a part to the product: a spec change, not a quantity
    if match and "unit" in match.groupdict() and _PEOPLE_AFTER.match(clause, match.end()):
        match = None   # "加两个人": staff added to the work, not goods to the order
    if match and not requested and match.group("op") in _WORK_DELTA_OPS and _PERFECTIVE.match(clause, match.end("op")):
        match = None   # "今天多做了50台": work done beyond the plan, reported; no one asks to change the order
    if match is None and (requested or has_order) and ("不" in clause or "取消" in clause or "砍" in clause):
        match = _DROPPED_COUNT.search(clause)
    if match is None and requested and ("中" in clause or "里" in clause):
        part = _PART_CALLED_OFF.search(clause)
        value = parse_number(part.group("num") or part.group("num2")) if part else None
        if value:
            return ParsedItem("change", field="quantity", op="sub", value=value)
    if match:
        value = parse_number(match.group("num"))
        if value is not None:
            op = "add" if match.group("op") in _QTY_ADD else "sub"
            return ParsedItem("change", field="quantity", op=op, value=value)
    return None


def kept_quantity(text: str, requested: bool) -> ParsedItem | None:
    """The count kept when the rest of the order is dropped, or said (by a requester) to be enough."""
    rest = _REST_DROPPED.search(text)
    match = _KEPT_COUNT.search(text, 0, rest.start()) if rest else None
    if match is None and requested:
        match = _ENOUGH_COUNT.search(text)
    value = parse_number(match.group("num") or match.groupdict().get("by")) if match else None
    return ParsedItem("change", field="quantity", op="set", value=value) if value else None


def due_change(clause: str, today: date, requested: bool) -> ParsedItem | None:
    field = (_DUE_FIELD_ANY if requested else _DUE_FIELD).search(clause)
    if field is None:
        asked = _ASKED_MOVE.search(clause) if not requested else None
        if asked and (asked.group("ask") or _QUESTION_END.search(clause, asked.end())):
            # "能不能提前到11月20号出货", "可以推迟到20号交吗": asking for the move is the request
            # ("能提前到周五发货" with no question is the factory's own forecast)
            requested = True
        elif not requested and "问" in clause and _CUSTOMER_ASKS.search(clause) and _ASKED_BY.search(clause):
            # "客户问能不能月底前交": the customer asking for a delivery by a day asks for that due date
            # (the same question from our side asks whether the shop can make it: a query)
            requested, clause = True, _ASKED_TAIL.sub("", clause)
        return (_shifted_days(clause) or _delivery_request(clause, today)) if requested else None
    rest = clause[field.end() :]
    for found in find_dates(rest, today):
        between = rest[: found.start]
        # (English words in between, "客户要求 postpone 到", do not count against the distance; a
        # requester's "交期1月20号" names the new date with no verb at all)
        if len(re.sub(r"[A-Za-z\s]", "", between)) <= 10 and (
                _DUE_SET_OP.search(between) or _ENGLISH_TO.search(between)
                or (requested and _FIELD_VALUE_GAP.fullmatch(between) and not QUERY_STRONG.search(clause))):
            # a slip verb with nobody asking ("交期要推迟到12月15号") may be a delay: ask
            slipped = not requested and _SLIP_VERB.search(between) and not _CHANGE_VERB.search(between)
            return ParsedItem("change", field="due_date", op="set", value=found.value, confident=not slipped)
    days = _DAY_COUNT.search(rest)
    if days is None:
        return None
    between = rest[: days.start()]
    if len(between) > 10 or (not requested and (_HEDGE.search(between) or _LATE.search(between))):
        return None   # "交期要晚五天" with no one asking: the order runs late (an exception, delay)
    count = 0.5 if days.group("days") == "半" else parse_number(days.group("days"))
    if count is None:
        return None
    value = int(count * (1 if days.group("unit") in ("天", "日") else 7))
    if _DUE_SUB_OP.search(between):
        return ParsedItem("change", field="due_date", op="sub", value=value)
    add = _DUE_ADD_OP.search(between)
    if add and add.group() == "晚" and not requested:
        return None   # "交期要晚五天" with no request behind it: a slip (delay exception), not a change
    if add:
        return ParsedItem("change", field="due_date", op="add", value=value,
                          confident=requested or bool(_CHANGE_VERB.search(between)))
    return None


_SLIP_VERB = cue(r"推迟|延|推|拖|晚|挪")
_ASKED_TAIL = cue(r"\s*(?:吗|么|嘛|呢)?\s*[?？]?\s*$")
_CUSTOMER_ASKS = cue(r"(?:客户|客人|甲方|买家)\s*(?:那边)?\s*(?:也|又|就)?\s*(?:问|想问|在问|来问|打电话问)")
_ASKED_BY = cue(r"(?:可不可以|能不能|能否|可否|可以|能)\s*(?:在|于)?\s*[^,，。;；]{1,10}?(?:前|之前|以前)\s*(?:交|发|出货|交货|发货|送到)")
_QUESTION_END = cue(r"吗|么|嘛|[?？]")
# asking whether a delivery may move: "可以提前到…出货吗", "能不能推迟到…再送", "能否往后挪到…"
_ASKED_MOVE = cue(
    r"(?:(?P<ask>可不可以|能不能|能否|可否)|可以|能|方便)\s*(?:往前|往后|再)?\s*(?:提前|推迟|延后|延迟|推|挪|改|提)\s*(?:到|至|做(?=\s*\d))")
_CHANGE_VERB = cue(r"改|调|定|换|变|更")
# the customer told, asked after or pressing ("已经跟客户说了", "客户已经知道了", "客户催了"): told of a
# slip, not asking for a change (class: change vs delay)
_TOLD_BEFORE = cue(r"(?:跟|给|通知|告诉|和|向|帮)\s*$")
# (or agrees to the factory's date: "客户那边已经确认收货时间", "客户确认了到货日期")
_TOLD_AFTER = cue(r"\s*(?:那边)?\s*(?:已经|也|都|还|一直|又)?\s*(?:知道|不知道|催|在催|问|来电话问|打电话问|着急"
                  r"|(?:确认|同意|认可)了?\s*(?:收货|到货|送货|交货|出货|发货|提货)?\s*(?:时间|日期|日子))")


_CALL_OFF = cue(r"\s*(?:那边|今天|临时|又|在|要)*\s*(?:叫料|拉料|叫货|拉货|提货|来拉|来提)")
_POSSESSIVE_AFTER = cue(r"[\u4e00-\u9fff]{0,4}?的(?=[\u4e00-\u9fff])(?!意思|要求|需求|话)")


def names_requester(text: str) -> bool:
    """A customer, sales or a polite request asks for something in `text`."""
    for match in _REQUESTER.finditer(text):
        word = match.group()
        if word.startswith(("客户", "客人", "甲方")) and _TOLD_BEFORE.search(text, 0, match.start()):
            continue
        if word in ("客户", "客户那边", "甲方") and _TOLD_AFTER.match(text, match.end()):
            continue
        if word in ("客户", "客户那边", "客人", "甲方", "客户要") and _CALL_OFF.match(text, match.end()):
            continue   # "客户临时叫料": the customer calls off goods the order already holds, no change asked
        if word in ("客户", "客户那边", "客人", "甲方") and _POSSESSIVE_AFTER.match(text, match.end()):
            continue   # "客户那边卸货的吊车没空", "客户的款还没打": the customer's things, no one asking
        return True
    return False


_ENGLISH_TO = cue(r"(?i:(?<![A-Za-z])(?:to|move|postpone|change)(?![A-Za-z]))")
_FIELD_VALUE_GAP = cue(r"\s*[:：]?\s*(?:是|为)?\s*")
# a shift verb right before a day count ("推5天", "提前三天交", "早三日交货", "往后挪一周"): in a
# requester's clause it moves the due date by that many days (a date "三日" it is not); 晚 is a slip
# ("出货晚三天，客户已经知道了": the customer told of a delay), and a hedge is no request
_SHIFT_DAYS = cue(
    rf"(?P<op>{lx.alternation(op for op in lx.DUE_ADD_OPS + lx.DUE_SUB_OPS if op != '晚')}|推|挪后)\s*(?:了|个)?\s*{lx.DAY_COUNT}"
)
# the requester accepts a later delivery ("晚一周交也行", "晚几天没关系"): a move by agreement
_LATE_BY_DAYS = cue(
    rf"(?:(?P<may>可以|能)\s*)?晚\s*(?:个)?\s*{lx.DAY_COUNT}(?P<ok>[^,，;；。]{{0,4}}?(?:也行|也可以|也没事|没关系|没问题|无所谓))?"
)


def _accepted_late(clause: str) -> re.Match[str] | None:
    """"晚十天交也没关系", "可以晚两天发": lateness the requester accepts (an agreed move)."""
    match = _LATE_BY_DAYS.search(clause)
    return match if match is not None and (match.group("may") or match.group("ok")) else None


_ENGLISH_SHIFT = cue(r"(?P<days>\d+)\s*(?P<unit>days?|weeks?)\s*(?P<dir>earlier|later|ahead|sooner)", re.IGNORECASE)


def _shifted_days(clause: str) -> ParsedItem | None:
    english = _ENGLISH_SHIFT.search(clause)
    if english:   # "customer wants delivery 3 days earlier"
        value = int(english.group("days")) * (7 if english.group("unit").lower().startswith("week") else 1)
        op = "add" if english.group("dir").lower() == "later" else "sub"
        return ParsedItem("change", field="due_date", op=op, value=value) if value else None
    match = _SHIFT_DAYS.search(clause) or _accepted_late(clause)
    if match is None or _NAMED_STEP.search(clause, 0, match.start()) or _HEDGE.search(clause, 0, match.start()):
        return None   # ("客户说焊接推迟两天也行": a step's schedule, not the due date)
    count = 0.5 if match.group("days") == "半" else parse_number(match.group("days"))
    if not count:
        return None
    value = int(count * (1 if match.group("unit") in ("天", "日") else 7))
    op = "sub" if match.groupdict().get("op") and _DUE_SUB_OP.fullmatch(match.group("op")) else "add"
    return ParsedItem("change", field="due_date", op=op, value=value)


# a production step named before a shift: its schedule moves, not the order's due date
_NAMED_STEP = cue(r"排产|领料|下料|开料|焊|涂装|喷|总装|组装|装配|质检|检验|入库")
_DELIVER_AFTER = cue(
    r"\s*(?:前|之前|以前)?\s*(?:一定要|务必要?|必须要?|要|得|就|能|再)?\s*(?:" + lx.alternation(lx.DELIVER_WORDS)
    # a bare 交 / 发 ends the request ("12月10号之前必须发", "提前三天交"), not 交期 or 发票
    + r"|[交发送](?![期接流通票现生检样])(?=\s*(?:了|吧|啊|哦|货)?\s*(?:就行|就好|就可以|即可|也行)?\s*(?:[,，;；。!！]|$)))"
)


def _delivery_request(clause: str, today: date) -> ParsedItem | None:
    """A requested delivery date or shift with no due-date word: 客户要求12月10号前交货, 提前3天交货."""
    if not _DELIVER.search(clause) and (not re.search(r"[交发送](?![期接流通票现生检样])", clause) or _PAPERS.search(clause)):
        return None   # (a bare 交/发 of papers, "发票12月10号前发", is no delivery of the order)
    for found in find_dates(clause, today):
        before = clause[max(0, found.start - 6) : found.start]
        if (_DELIVER_AFTER.match(clause[found.end :]) or (_DELIVER.search(before) and _DUE_SET_OP.search(before))
                or _MOVED_TO.search(before)):
            # "发货的话客户要求推迟到下个月十号": a delivery moved to a day on request (class: customer requests)
            return ParsedItem("change", field="due_date", op="set", value=found.value)
    for days in _DAY_COUNT.finditer(clause):
        if not _DELIVER_AFTER.match(clause[days.end() :]):
            continue
        count = parse_number(days.group("days"))
        before = clause[max(0, days.start() - 4) : days.start()]
        if count is None:
            continue
        value = count * (1 if days.group("unit") in ("天", "日") else 7)
        if _DUE_SUB_OP.search(before):
            return ParsedItem("change", field="due_date", op="sub", value=value)
        if _DUE_ADD_OP.search(before):
            return ParsedItem("change", field="due_date", op="add", value=value)
    return None


# the deal's commercial and shipping terms, and who talks to whom how: the contract's changes are
# quantity, due date and spec (of the product)
_COMMERCIAL = cue(
    r"价格|价钱|单价|报价|付款|货款|账期|月结|发票|开票|抬头|地址|运费|快递|物流|顺丰|德邦|货代|车送|派车|送货时间"
    r"|微信|邮件|邮箱|电话|联系|对接|业务员|跟单员|换人|换个人"
)
_PAPERS = cue(r"发票|合同|报价|图纸|资料|样品|样件|文件|报告|合格证|单据|邮件|证书")
# (Cantonese 改做 is 改到: "可唔可以改做12月15号交")
_MOVED_TO = cue(r"(?:(?:推迟|延迟|延后|延期|延|提前|改|挪|推|放)到|改做)\s*$")
_CHANGE_FIELD = cue(
    rf"(?:改|换|调整|更改|变更)\s*(?:一下|下)?\s*(?:{lx.alternation(lx.SPEC_FIELDS)})"
    # the field first: "包装改木箱", "颜色换蓝色"; a feature dropped: "不要logo了", "标签不要了"
    # (Cantonese 转 is 换: "颜色转白色")
    rf"|(?:{lx.alternation(lx.SPEC_FIELDS)})\s*(?:也|都)?\s*(?:要|需要|得)?\s*(?:[改换](?![成为用])|转)\s*\S"
    rf"|不要\s*(?:{lx.alternation(lx.SPEC_FIELDS)})|(?:{lx.alternation(lx.SPEC_FIELDS)})\s*不要了"
    # a feature moved: "孔位要挪一下", "铭牌往左移10毫米", "开孔位置往上偏一点" ("颜色偏深" is a defect)
    rf"|(?:{lx.alternation(lx.SPEC_FIELDS)})\s*(?:也|都)?\s*(?:要|需要|得|要求)?\s*(?:往[左右上下前后里外]\s*)?(?:挪|移(?!位))"
    rf"|(?:{lx.alternation(lx.SPEC_FIELDS)})\s*(?:也|都)?\s*(?:要|需要|得|要求)?\s*往[左右上下前后里外]\s*偏")
# the packing count ("每箱装二十只", "每盒放12个", "二十只一箱", "50个装一袋"): how the goods are packed
_PACKING = cue(
    rf"每\s*[箱盒包袋托捆卷]\s*(?:装|放|包|打)?\s*{_NUM}\s*{_PRODUCT_UNIT}?"
    rf"|{_NUM}\s*{_PRODUCT_UNIT}\s*(?:装)?\s*一\s*[箱盒包袋托捆]")
_PACKS = cue(r"[箱盒包袋托捆卷]")   # a cheap look before the packing pattern
# the customer settles what to go by ("客户确认以304为准", "材质以样品为准"): the product is made to it
_GO_BY = cue(r"以\s*(?P<by>[^,，。;；\s]{1,12}?)\s*为准")
# what a customer asks to add, drop or use ("去掉LOGO", "取消喷塑，做镀锌", "加长到3米", "用木箱")
_REQUESTED_SPEC_OP = cue(
    # (negated, "把手没去掉", "标签没加上", it reports work not done: a defect, no request)
    r"(?<![没未])(?:去掉|取消(?!订单)|加长|加宽|加高|加厚|改用|加上)|(?<!不)用(?![完不])(?=\s*[\u4e00-\u9fffA-Za-z0-9])"
    r"|(?<![追再增没未])加(?![急班紧快]|一批)"
    # "包装改木箱", "改白色": 改 straight before the new thing; "不要logo了": a feature dropped
    # (改造, 改善, 改进, 改革, 改良: work on something, "他们线体在改造", no new thing asked for)
    r"|改(?![成为到至期动天日一下个了过来去掉造善进革良])(?=[\u4e00-\u9fffA-Za-z0-9])"
    r"|不要(?![了做急紧那这太咁催再发出交送管])(?=[\u4e00-\u9fffA-Za-z])"
)


# the channel a request came by ("客户邮件：", "客户打电话说", "微信里讲"): no contact detail to change
_CHANNEL = cue(r"(?:邮件|电话|微信|来电|来函)\s*(?:里|中|上)?\s*(?:说|讲|[:：])|打电话\s*(?:来)?\s*(?:说|讲)")


def spec_change(clause: str, requested: bool, has_order: bool, milestones: re.Pattern[str]) -> ParsedItem | None:
    if not (requested and has_order) and _SPEC_OP.search(clause) is None:
        return None   # (the common case first: with no spec verb, only a requester's reading below finds one)
    if _COMMERCIAL.search(_CHANNEL.sub("", clause) if ("电" in clause or "邮" in clause or "微" in clause or "函" in clause)
                          else clause) or (_PEOPLE_WORD.search(clause) and _PEOPLE_COUNT.search(clause)):
        # price, payment, invoice, address, carrier or contact: terms of the deal; a count of people: staff
        return None
    if requested and has_order:
        settled = _PACKING.search(clause) or _GO_BY.search(clause)
        if settled and not (_QTY_FIELD_ANY.search(clause) or _DUE_FIELD_ANY.search(clause)):
            return ParsedItem("change", field="spec", op="set", value=clause[settled.start():].strip() or None)
        # the verb before the field: "客户说要改颜色", "换一下包装"
        verb_first = _CHANGE_FIELD.search(clause)
        if verb_first and not _SPEC_OP.search(clause):
            return ParsedItem("change", field="spec", op="set", value=clause[verb_first.start():].strip() or None)
    op = _SPEC_OP.search(clause) or (_REQUESTED_SPEC_OP.search(clause) if requested and has_order else None)
    if op is None:
        return None
    if not requested and category_of(clause, None) is not None:
        return None   # "电机烧了一台 在换": replacing a broken part is a repair, not a requested spec change
    if _ORDER_CALLED_OFF.search(clause):
        return None   # "客户把订单取消了": the order is called off (an exception "other"), no spec to change
    field = _SPEC_FIELD.search(clause[: op.start()])
    if field is None and not (requested and has_order):
        return None
    if not has_order and not requested:
        return None
    requester = None
    for requester in _REQUESTER.finditer(clause[: op.start()]):
        pass
    start = field.start() if field else (requester.end() if requester else 0)
    subject = clause[start : op.start()].replace(MASK, "").strip()
    # (a finish asked to become another, "客户要求喷塑改成喷漆", is a spec change of the product)
    finish_swap = requested and has_order and milestones.match(clause[op.end() :].strip()) is not None
    if (not subject and not (requested and has_order)) or (
            subject and milestones.fullmatch(subject) and not _SPEC_FIELD.fullmatch(subject) and not finish_swap):
        return None
    if MASK in clause[start:]:
        start = clause.rindex(MASK) + 1
    value = clause[start:].strip().rstrip("的了").lstrip("的").strip()
    return ParsedItem("change", field="spec", op="set", value=value or None)


# ---- English requests in relayed mails (class: "please postpone … by 10 days", "reduce the quantity by
# 150 pcs", "move the ex-factory date up to Nov 20", "change the color from black to grey") -------------
# a request marker: nobody's report, someone asking
_EN_ASKING = cue(
    r"(?i)\b(?:please|pls|kindly|could you|can you|would you|could we|can we|we need|we.d like|we would like|we want|need to"
    r"|have to|must|shall be|is to be|are to be|requests?|requested|asks?|asked"
    # the buyer's decision relayed: "customer confirmed: PO-7720 add 60 units"
    r"|(?:customer|client|buyer)s?\s+(?:has\s+|have\s+)?(?:confirmed|confirms))\b")
_EN_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+)"
_EN_QTY_DELTA = cue(
    # (the order may stand between: "cut the qty of PO-2026-131 by 150 sets")
    # (…or before the field: "reduce PO-2026-131 quantity by 500", "cut 4471's qty by 50")
    rf"(?i)\b(?P<verb>reduc|cut|decreas|lower|increas|rais|add)\w*\s+(?:the\s+)?(?:\S+?(?:'s)?\s+)?(?:order\s+)?(?:quantity|qty)"
    rf"(?:\s+(?:of|for|on)\s+\S+)?\s+by\s+{_EN_NUM}"
    # the count with its unit right after the verb: "add 60 units", "reduce 200 pcs", "cut another 50 sets"
    rf"|\b(?P<verb2>reduc|cut|decreas|increas|add)\w*\s+(?:another\s+|an?\s+extra\s+|extra\s+)?{_EN_NUM.replace('num', 'num2')}"
    rf"\s*(?:units?|pcs|pieces|sets?)\b"
    # the count asked for on top: "we need 20 more sets", "an additional 30 units", "50 extra pcs"
    rf"|\b(?P<more>{_EN_NUM.replace('num', 'num3')})\s+(?:more|extra|additional)\b"
    rf"|(?<!the )\b(?:additional|another|extra)\s+{_EN_NUM.replace('num', 'num4')}\s*(?:units?|pcs|pieces|sets?)\b")
_EN_QTY_SET = cue(rf"(?i)\b(?:quantity|qty)\b[^.;!?\n]{{0,30}}?\b(?:to|into)\s+{_EN_NUM}(?!\s*%)")
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_EN_DATE = cue(rf"(?i)\b(?:(?P<mon>{_EN_MONTH})\s*(?P<day>\d{{1,2}})"
                      rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_EN_MONTH}))(?![\d:])")
_EN_DUE_WORD = r"(?:deliver\w*|ship\w*|ex-?factory|ETD|ETA|due date|dispatch\w*|loading)"
_EN_DUE_SHIFT = cue(
    rf"(?i)\b(?P<verb>postpone|delay|push|defer|move|bring|advance|pull|reschedul)\w*\b"
    rf"(?=[^.;!?\n]{{0,60}}?{_EN_DUE_WORD})"
    r"[^.;!?\n]{0,70}?\bby\s+(?P<days>\d{1,3})\s*(?P<unit>days?|weeks?)")
_EN_DUE_MOVE = cue(
    rf"(?i)\b(?:postpone|delay|push|defer|move|bring|advance|pull|reschedul|chang)\w*\b"
    rf"(?=[^.;!?\n]{{0,60}}?{_EN_DUE_WORD})"
    r"[^.;!?\n]{0,70}?\b(?:to|until|till)\s+(?P<date>[^.;!?\n]{1,20})")
_EN_NOTICE = cue(r"(?i)\b(?:please|kindly)\s+(?:note|be\s+(?:informed|advised))\b")
_EN_ANNOUNCED = cue(r"(?i)\b(?:will|'ll|is|was|are|were|been|be|being|had\s+to|has\s+to)\s+$")
_EN_EARLIER = cue(r"(?i)\b(?:advance|bring|pull|earlier|forward|sooner|ahead|up)\b")
_EN_SPEC = cue(
    r"(?i)\b(?:chang|switch|replac)\w*\s+(?:the\s+)?(?:colou?r|material|packing|packaging|carton|label|logo"
    r"|size|finish|surface|coating|voltage|plug|model|spec\w*|drawing|manual|nameplate|paint)\b"
    # a part added or dropped: "add one more carton label", "remove the handle"
    r"|\badd\s+(?:one\s+more|another|an?|one|extra|an\s+extra)\s+(?![\d,]+\b)[a-z]"
    r"|\b(?:remove|delete|drop|cancel)\s+the\s+(?!order\b|po\b|quantity\b)[a-z]"
    # any part or finish of the product changed to another: "change the glass to Low-E", "switch the hinges
    # to stainless" (the order's count and dates are read above)
    r"|\b(?:chang|switch|replac)\w*\s+the\s+(?!order\b|po\b|quantity\b|qty\b|deliver|due\b|ship|date\b|eta\b|etd\b)"
    r"[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}?(?:\s+(?:of|for|on)\s+\S+)?\s+(?:to|into|with|for)\b")


# a shift said as "N days / weeks earlier / later" of a delivery ("get PO-7725 delivered one week earlier")
_EN_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
_EN_DUE_EARLIER = cue(
    r"(?i)\b(?P<days>\d{1,3}|an?|one|two|three|four|five|six|seven|ten)\s+(?P<unit>days?|weeks?)\s+"
    r"(?P<dir>earlier|sooner|later|ahead)\b")
_EN_DUE_WORD_RE = cue(rf"(?i)\b{_EN_DUE_WORD}")


# one finish or part for another, said as what it should be ("the handles should be matte black instead of
# chrome"): the buyer's spec even in a notice
_EN_INSTEAD = cue(r"(?i)\b(?:should|shall|must|need\s+to|has\s+to|have\s+to|to)\s+be\s+[^.;!?\n]{1,40}?\binstead\s+of\b")


def _english_date(text: str, today: date) -> date | None:
    """The date `text` starts with: "Nov 20", "22nd Dec" (this year's, or next year's once past), or "12/18"."""
    match = _EN_DATE.match(text.strip())
    if match is None:
        found = find_dates(text, today)
        return found[0].value if found and found[0].start <= 2 else None
    month = _EN_MONTHS.index((match.group("mon") or match.group("mon2"))[:3].lower()) + 1
    day = int(match.group("day") or match.group("day2"))
    try:
        value = date(today.year, month, day)
        return value if value >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


# the factory turning the request down ("Sorry, we can't add to SO… now"): no change (class: refusals)
# (a buyer's own "we cannot accept delivery before Dec 20, please move it" still asks)
_EN_REFUSED = cue(r"(?i)\b(?:can'?t|cannot|can not|unable to|not able to|not possible to|won'?t be able to)\s+"
                  r"(?:add|change|modify|reduce|increase|cut|revise|amend|move|accept\s+(?:the|this|your)\s+(?:change|request|revision))\b")


def english_change(text: str, today: date) -> list[ParsedItem]:
    """A change asked for in English (a relayed mail or a buyer's message); [] for anything else."""
    if _EN_REFUSED.search(text):
        return []
    asking = _EN_ASKING.search(_EN_NOTICE.sub("", text)) is not None
    if not asking and not _EN_NOTICE.search(text):
        return []
    items: list[ParsedItem] = []
    delta = _EN_QTY_DELTA.search(text)
    if delta:
        verb = delta.group("verb") or delta.group("verb2") or "add"
        count = delta.group("num") or delta.group("num2") or delta.group("num3") or delta.group("num4")
        op = "sub" if verb.lower() in ("reduc", "cut", "decreas", "lower") else "add"
        items.append(ParsedItem("change", field="quantity", op=op, value=int(count.replace(",", ""))))
    else:
        match = _EN_QTY_SET.search(text)
        if match:
            value = int(match.group("num").replace(",", ""))
            items.append(ParsedItem("change", field="quantity", op="set", value=value))
    if not asking:
        # "Please note …" alone announces: a buyer's count revised is still the order changed, a date
        # moved may be the factory's own slip
        instead = None if items else _EN_INSTEAD.search(text)
        if instead:
            items.append(ParsedItem("change", field="spec", op="set", value=_sentence_from(text, instead.start())))
        return items
    shift = _EN_DUE_SHIFT.search(text)
    move = None if shift else _EN_DUE_MOVE.search(text)
    if shift is None and move is None:
        shift = _EN_DUE_EARLIER.search(text) if _EN_DUE_WORD_RE.search(text) else None
    if (shift or move) and _EN_ANNOUNCED.search(text, 0, (shift or move).start()):
        shift = move = None   # "we will postpone …", "is delayed by …": a slip announced, not a request
    if shift:
        count = _EN_COUNT.get(shift.group("days").lower()) or int(shift.group("days"))
        value = count * (7 if shift.group("unit").lower().startswith("week") else 1)
        earlier = _EN_EARLIER.search(shift.group()) and not re.search(r"(?i)\b(?:later|back)\b", shift.group())
        if value:
            items.append(ParsedItem("change", field="due_date", op="sub" if earlier else "add", value=value))
    elif move:
        when = _english_date(move.group("date"), today)
        if when is not None:
            items.append(ParsedItem("change", field="due_date", op="set", value=when))
    spec = _EN_SPEC.search(text) or _EN_INSTEAD.search(text)
    if spec and not items:
        items.append(ParsedItem("change", field="spec", op="set", value=_sentence_from(text, spec.start())))
    return items


def _sentence_from(text: str, start: int) -> str | None:
    """`text` from `start` to the end of its sentence."""
    return re.split(r"[.;!?\n]", text[start:], maxsplit=1)[0].strip() or None


# a change spoken of as a pending matter, asked whether someone decided it ("交期提前3天那个，老板定了没有",
# "加50台的事客户确认了吗"): a question about the request, not the request itself
_CHANGE_DISCUSSED = cue(
    r"(?:那个|那件事|那事|的事情?|这事)\s*[,，]?\s*[^,，。;；\n]{0,8}?"
    r"(?:定|批|同意|答应|确认|回复|回|拍板|签字?|怎么说|咋说)[了下]?\s*(?:没有?|吗|么|嘛|没|了吗|了没|\?|？)"
)


# the factory turning a change down ("改不了", "老板说这个不接", "没法改"): the change is talked over and
# refused, nothing is to be recorded of it; the rest of the message is still news ("已经喷完了，改色…改不了")
_REFUSED = cue(r"改不了|改不动|改不成|改不到|没法改|无法改|(?<!能)不能改|不好改|接不了|(?<![也都还])不接(?![受电听])|做不到(?!位)|不答应|拒绝")
# a clause that talks of the change itself (its verb, its cost, the refusal)
_CHANGE_TALK = cue(r"改|换|追加|加单|减单|等于重做|" + _REFUSED.pattern)


def refused(text: str) -> bool:
    """The sender (the factory) turns the asked change down."""
    return _REFUSED.search(text) is not None


def change_talk(clause: str) -> bool:
    """The clause speaks of a change, its cost or its refusal, not of the order's work."""
    return _CHANGE_TALK.search(clause) is not None


def change_discussed(text: str) -> bool:
    """The change named is a pending matter asked about, not asked for."""
    return _CHANGE_DISCUSSED.search(text) is not None
