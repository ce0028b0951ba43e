"""Property tests: robustness on any text, order-number variants, forecasts never in the past."""

import unicodedata
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.understanding.normalize import MAX_MESSAGE_CHARS

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=CST)
DOMAIN_CHARS = st.sampled_from(list("订单号焊接完成涂装预计明天周五月底号%一二两三百千万客户要求交期改到数量追加返工缺料坏了吗？、，\n#-0123456789AaPO"))


@settings(deadline=timedelta(milliseconds=500), max_examples=200)
@given(st.text(max_size=MAX_MESSAGE_CHARS))
def test_any_unicode_parses(parser, text):
    for item in parser.parse(text, NOW):
        assert item.as_dict()["intent"] in {"progress", "change", "exception", "query"}


@settings(deadline=timedelta(milliseconds=500), max_examples=300)
@given(st.text(DOMAIN_CHARS, max_size=200))
def test_domain_soup_parses_into_valid_items(parser, text):
    for item in parser.parse(text, NOW):
        record = item.as_dict()
        assert record["percent"] is None or 0 <= record["percent"] <= 99
        assert record["status"] in (None, "done", "in_progress")
        if record["intent"] == "progress":
            assert record["milestone"] is not None


ORDERS = st.one_of(
    st.from_regex(r"[1-9][0-9]{2,6}", fullmatch=True),
    st.from_regex(r"[A-Z]{1,2}[0-9]{4}-[0-9]{2}", fullmatch=True),
    st.from_regex(r"PO-20[0-9]{2}-[0-9]{3}", fullmatch=True),
    st.from_regex(r"SO20[0-9]{11}", fullmatch=True),
)
PREFIXES = st.sampled_from(["", "订单", "订单号", "单号：", "#", "No.", "订单 ", "# "])
TAILS = st.sampled_from([("焊接完成", "焊接"), (" 涂装80%", "涂装"), (" 已发货", "发货"), ("  质检通过", "质检")])


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(ORDERS, PREFIXES, TAILS, st.booleans(), st.booleans())
def test_order_numbers_survive_width_case_and_spacing(parser, order, prefix, tail, full_width, lower):
    written = order.lower() if lower else order
    text = f"{prefix}{written}{' ' if prefix.endswith(' ') else ''}{tail[0]}"
    if full_width:
        text = to_full_width(text)
    items = parser.parse(text, NOW)
    assert [(i.order_no, i.milestone) for i in items] == [(order, tail[1])]
    assert unicodedata.normalize("NFKC", order).upper() == items[0].order_no


FORECASTS = st.sampled_from([
    "明天", "后天", "大后天", "3天后", "一周后", "本周五", "这周三", "周日", "下周三", "12月5号", "1月2日",
    "12.5", "6/30", "月底", "今天",
])


@given(FORECASTS, st.sampled_from(["焊接", "发货", "入库", "总装"]),
       st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)))
def test_forecast_dates_never_in_the_past(parser, when, milestone, today):
    now = datetime(today.year, today.month, today.day, 9, 30, tzinfo=CST)
    items = parser.parse(f"2311-08 {milestone}预计{when}完成", now)
    assert len(items) == 1
    assert items[0].status == "in_progress" and items[0].date is not None and items[0].date >= today
